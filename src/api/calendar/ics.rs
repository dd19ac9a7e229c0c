//! Sessions as an iCalendar document (RFC 5545): times converted from Danish
//! local time to UTC, a stable UID per session and a SEQUENCE that grows with
//! each change, so subscribed calendars move and cancel events as they should.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use crate::db::from_json;
use crate::db::initiatives::{InitiativeRow, SessionRow};
use crate::domain::session::SessionStatus;
use crate::error::ApiError;

/// Danish local time as UTC; the earlier of the two at the autumn change, and
/// the hour after a time the spring change skips.
fn utc(at: NaiveDateTime) -> chrono::DateTime<Utc> {
    Copenhagen
        .from_local_datetime(&at)
        .earliest()
        .or_else(|| {
            Copenhagen
                .from_local_datetime(&(at + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| at.and_utc(), |local| local.with_timezone(&Utc))
}

fn event(initiative: &InitiativeRow, session: &SessionRow) -> Result<Event, ApiError> {
    let status = SessionStatus::parse(&session.status)
        .ok_or_else(|| ApiError::internal("stored session has an invalid status"))?;
    let languages: Vec<String> = from_json(&session.languages, "session languages")?;
    let mut description = Vec::new();
    if let Some(speaker) = &session.speaker {
        description.push(format!("Oplægsholder: {speaker}"));
    }
    if !languages.is_empty() {
        description.push(format!("Sprog: {}", languages.join(", ")));
    }
    if session.interpreter_present != 0 {
        description.push("Tolk til stede".to_owned());
    }
    let mut event = Event::new();
    event
        .uid(&format!("{}@familiebro", session.id))
        .summary(&format!("{}: {}", initiative.title, session.theme))
        .add_property("SEQUENCE", session.sequence.to_string())
        .status(match status {
            SessionStatus::Cancelled => EventStatus::Cancelled,
            _ => EventStatus::Confirmed,
        });
    match (session.starts_at, session.ends_at) {
        (Some(starts), ends) => {
            let start = session.held_on.and_time(starts);
            let end = ends.map_or(start + Duration::hours(2), |ends| {
                session.held_on.and_time(ends)
            });
            event.starts(utc(start)).ends(utc(end));
        }
        (None, _) => {
            let next_day = session.held_on.succ_opt().unwrap_or(session.held_on);
            event.starts(session.held_on).ends(next_day);
        }
    }
    if let Some(place) = &session.place {
        event.location(place);
    }
    if !description.is_empty() {
        event.description(&description.join("\n"));
    }
    Ok(event.done())
}

/// The calendar named `name` of `sessions`, each with its initiative.
pub fn calendar(name: &str, sessions: &[(&InitiativeRow, SessionRow)]) -> Result<String, ApiError> {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for (initiative, session) in sessions {
        calendar.push(event(initiative, session)?);
    }
    Ok(calendar.done().to_string())
}

/// The first day a feed shows: recent sessions stay, older ones drop off.
pub fn feed_starts(today: NaiveDate) -> NaiveDate {
    today - Duration::days(90)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_times_become_utc_in_summer_and_winter() {
        let at = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            utc(at("2026-07-01 17:00")).to_rfc3339(),
            "2026-07-01T15:00:00+00:00"
        );
        assert_eq!(
            utc(at("2026-12-01 17:00")).to_rfc3339(),
            "2026-12-01T16:00:00+00:00"
        );
        // 02:30 on the last Sunday of March does not exist in Copenhagen.
        assert_eq!(
            utc(at("2026-03-29 02:30")).to_rfc3339(),
            "2026-03-29T01:30:00+00:00"
        );
    }
}
