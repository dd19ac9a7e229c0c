//! Calendar feeds of sessions (iCalendar), for Outlook and Google Calendar.

mod feeds;
mod ics;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(config: &mut ServiceConfig) {
    config
        .service(feeds::initiative_calendar)
        .service(feeds::area_calendar);
}
