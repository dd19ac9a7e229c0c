//! `initiatives`: the aggregate plan (both sides and analysts read it), its
//! sessions with attendance, and the enrolment and composition of its families
//! (individual data: housing-social workers of the area only).

mod composition;
mod create;
mod enrolments;
mod list;
mod measurements;
mod outcomes;
mod read;
mod sessions;
pub mod types;
mod update;
mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(list::list_initiatives)
        .service(create::create_initiative)
        .service(read::get_initiative)
        .service(update::update_initiative)
        .service(sessions::list_sessions)
        .service(sessions::add_session)
        .service(sessions::update_session)
        .service(enrolments::list_enrolments)
        .service(enrolments::enrol_family)
        .service(enrolments::unenrol_family)
        .service(composition::team_composition)
        .service(measurements::list_measurements)
        .service(measurements::record_measurement)
        .service(outcomes::initiative_outcomes);
}
