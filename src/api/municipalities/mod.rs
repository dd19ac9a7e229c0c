//! `municipalities/{code}/settings`: the choices each municipality makes — the
//! unit that receives concern reports, the units that sign joint work.

mod settings;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(settings::get_settings)
        .service(settings::put_settings);
}
