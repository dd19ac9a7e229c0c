//! `areas/{id}/statistics`: aggregate figures for an area and a period, with
//! small counts suppressed for everyone but the area's own team.

mod cache;
pub(crate) mod figures;
mod read;
pub mod types;

use utoipa_actix_web::service_config::ServiceConfig;

pub use cache::{invalidate_on_write, StatisticsCache};
pub use read::window;
pub use types::SuppressionThreshold;

pub fn routes(config: &mut ServiceConfig) {
    config.service(read::area_statistics);
}
