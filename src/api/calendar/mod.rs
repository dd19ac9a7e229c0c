//! Calendar feeds of sessions (iCalendar), for Outlook and Google Calendar,
//! and the secret addresses (calendar links) they subscribe to.

mod feeds;
mod ics;
mod links;

pub use feeds::subscribed_calendar;

use utoipa_actix_web::service_config::ServiceConfig;

/// `areas/{id}/calendar.ics`, `areas/{id}/calendar-links`.
pub fn area_routes(config: &mut ServiceConfig) {
    config
        .service(feeds::area_calendar)
        .service(links::create_link)
        .service(links::list_links);
}

/// `initiatives/{id}/calendar.ics`.
pub fn initiative_routes(config: &mut ServiceConfig) {
    config.service(feeds::initiative_calendar);
}

/// `calendar-links/{id}`.
pub fn routes(config: &mut ServiceConfig) {
    config.service(links::delete_link);
}
