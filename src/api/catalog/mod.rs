//! `catalog/*`: the handbook's vocabulary, read-only — problem areas,
//! initiative types, municipal units, outcomes, and the labels of every
//! vocabulary of the API.

mod list;
pub mod types;

use utoipa_actix_web::service_config::ServiceConfig;

pub use types::Labels;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(list::problem_areas)
        .service(list::initiative_types)
        .service(list::municipal_units)
        .service(list::outcomes)
        .service(list::labels);
}
