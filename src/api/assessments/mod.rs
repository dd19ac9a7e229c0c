//! Needs assessments: `areas/{id}/assessments`, `assessments/{id}`, its findings,
//! approvals and recommendations. Aggregate data, co-owned by both sides.

mod approvals;
mod create;
mod findings;
mod list;
mod read;
mod recommendations;
pub mod types;
mod update;
mod view;

use utoipa_actix_web::service_config::ServiceConfig;

/// `areas/{id}/assessments`.
pub fn area_routes(config: &mut ServiceConfig) {
    config
        .service(list::list_assessments)
        .service(create::create_assessment);
}

/// `assessments/{id}…`.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(read::get_assessment)
        .service(update::update_assessment)
        .service(findings::add_finding)
        .service(approvals::approve_assessment)
        .service(recommendations::recommendations);
}
