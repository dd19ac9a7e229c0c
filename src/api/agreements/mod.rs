//! `areas/{id}/cooperation-agreements`, `cooperation-agreements/{id}`: how an
//! area's housing-social effort and the municipality divide the work, signed
//! by both sides under the same rule as assessments.

mod handlers;
pub mod types;

use utoipa_actix_web::service_config::ServiceConfig;

/// `areas/{id}/cooperation-agreements`.
pub fn area_routes(config: &mut ServiceConfig) {
    config
        .service(handlers::list_agreements)
        .service(handlers::draft_agreement);
}

/// `cooperation-agreements/{id}…`.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(handlers::get_agreement)
        .service(handlers::update_agreement)
        .service(handlers::sign_agreement)
        .service(handlers::revise_agreement);
}
