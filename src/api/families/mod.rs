//! Individual data held by the housing-social side: `families`, their contact
//! log and consents. Only housing-social workers of the family's area reach it;
//! a worker of another area gets 404, every other role 403.

mod consents;
mod contacts;
mod create;
mod erase;
mod export;
mod list;
mod read;
pub mod types;
mod update;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub use view::referenced_family;

/// `families…`.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(list::list_families)
        .service(create::create_family)
        .service(read::get_family)
        .service(update::update_family)
        .service(erase::erase_family)
        .service(contacts::list_contacts)
        .service(contacts::add_contact)
        .service(consents::list_consents)
        .service(consents::add_consent)
        .service(export::export_family);
}

/// `consents/{id}…`.
pub fn consent_routes(config: &mut ServiceConfig) {
    config
        .service(consents::get_consent)
        .service(consents::withdraw_consent);
}
