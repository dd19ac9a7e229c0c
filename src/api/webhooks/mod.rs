//! `webhook-subscriptions`: an area team's or a municipal unit's system is told
//! of the changes it may see, signed per the Standard Webhooks specification.
//! Deliveries carry the change-feed entry and nothing more.

mod deliveries;
mod subscriptions;
pub mod types;
mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(subscriptions::create_subscription)
        .service(subscriptions::list_subscriptions)
        .service(subscriptions::get_subscription)
        .service(subscriptions::delete_subscription)
        .service(deliveries::list_deliveries)
        .service(deliveries::retry_delivery);
}
