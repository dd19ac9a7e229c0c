//! `prospects`: families the team wants to reach, the steps of reaching them,
//! and the funnel (individual data on the housing-social side; the funnel is
//! aggregate).

mod export;
mod funnel;
mod records;
pub mod types;

use utoipa_actix_web::service_config::ServiceConfig;

/// `prospects…`.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(records::list_prospects)
        .service(records::create_prospect)
        .service(records::get_prospect)
        .service(records::add_step)
        .service(records::erase_prospect)
        .service(export::export_prospect);
}

/// `areas/{id}/prospect-funnel`.
pub fn area_routes(config: &mut ServiceConfig) {
    config.service(funnel::prospect_funnel);
}
