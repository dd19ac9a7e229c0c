//! `areas`: the disadvantaged housing areas (aggregate data, shared by both sides).

mod create;
mod list;
mod read;
pub mod types;
mod update;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(list::list_areas)
        .service(create::create_area)
        .service(read::get_area)
        .service(update::update_area);
}
