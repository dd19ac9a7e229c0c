//! `areas/{id}/partners`, `partners/{id}`: the register of organisations an
//! area's team works with, which initiatives name by id. No personal data.

mod register;
pub mod types;

use utoipa_actix_web::service_config::ServiceConfig;

/// `areas/{id}/partners`.
pub fn area_routes(config: &mut ServiceConfig) {
    config
        .service(register::list_partners)
        .service(register::add_partner);
}

/// `partners/{id}`.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(register::get_partner)
        .service(register::update_partner);
}
