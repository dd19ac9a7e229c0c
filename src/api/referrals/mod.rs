//! `referrals`: individual data crossing the line, gated by the family's consent,
//! limited to the consented categories, with a closed loop of status changes.

mod create;
mod events;
mod list;
mod read;
mod transition;
pub mod types;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(list::list_referrals)
        .service(create::create_referral)
        .service(read::get_referral)
        .service(transition::transition_referral)
        .service(read::referral_events);
}
