//! Calendar feeds of sessions (iCalendar), for Outlook and Google Calendar,
//! and the secret addresses (calendar links) they subscribe to.

mod feeds;
mod ics;
mod links;

pub use feeds::subscribed_calendar;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(feeds::initiative_calendar)
        .service(feeds::area_calendar)
        .service(links::create_link)
        .service(links::list_links)
        .service(links::delete_link);
}
