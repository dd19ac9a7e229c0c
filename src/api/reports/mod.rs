//! `areas/{id}/report`: the report a steering group reads, drawn from one
//! disclosed JSON document into CSV and HTML.

mod charts;
mod csv;
mod gather;
mod html;
mod read;
mod tables;
pub mod types;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config.service(read::area_report);
}
