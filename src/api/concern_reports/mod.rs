//! `concern-reports`: a housing-social worker's report of concern about a child
//! (underretning) to the municipality's children-and-families unit. No consent
//! is needed; it is one-way: the reporter later sees only the report's status,
//! due times and the unit's feedback.

mod create;
mod handle;
mod list;
mod read;
pub mod types;
mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(create::report_concern)
        .service(list::list_concern_reports)
        .service(read::get_concern_report)
        .service(handle::acknowledge_concern_report)
        .service(handle::assess_concern_report_urgency)
        .service(handle::give_concern_report_feedback);
}
