//! Sessions of an initiative: planned ahead, then held (attendance recorded)
//! or cancelled.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::initiative::{codes, InitiativeStatus};
use super::validation::Violations;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Lies ahead; in the calendar feeds.
    Planned,
    /// Took place; attendance recorded.
    Held,
    Cancelled,
}

codes!(SessionStatus {
    Planned => "planned",
    Held => "held",
    Cancelled => "cancelled",
});

/// When a session is, as given: its day and, optionally, its times.
pub struct Timing {
    pub status: SessionStatus,
    pub day: NaiveDate,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    /// Whether families or a headcount are recorded.
    pub attendance: bool,
}

/// A planned session lies ahead and has no attendance yet; a held one is not in
/// the future; a session ends after it starts.
pub fn check_timing(timing: &Timing, today: NaiveDate, violations: &mut Violations) {
    match timing.status {
        SessionStatus::Planned => {
            if timing.day < today {
                violations.add("held_on", "a planned session lies ahead (today or later)");
            }
            if timing.attendance {
                violations.add(
                    "attendee_family_ids",
                    "attendance is recorded once the session is held",
                );
            }
        }
        SessionStatus::Held => {
            if timing.day > today {
                violations.add("held_on", "must not be in the future");
            }
        }
        SessionStatus::Cancelled => {}
    }
    if let (Some(starts), Some(ends)) = (timing.starts_at, timing.ends_at) {
        if ends <= starts {
            violations.add("ends_at", "must be after starts_at");
        }
    }
}

/// A new session is planned or held, never born cancelled.
pub fn check_new(status: SessionStatus) -> Result<(), String> {
    match status {
        SessionStatus::Cancelled => Err("a new session is planned or held".into()),
        _ => Ok(()),
    }
}

/// Only a planned session changes: it is moved, held or cancelled.
pub fn ensure_session_change(from: SessionStatus) -> Result<(), String> {
    match from {
        SessionStatus::Planned => Ok(()),
        _ => Err(format!(
            "a {} session is final; only planned sessions change",
            from.code()
        )),
    }
}

/// Sessions are planned for initiatives planned or running; held ones are
/// recorded for initiatives running or done.
pub fn ensure_session_allowed(
    initiative: InitiativeStatus,
    session: SessionStatus,
) -> Result<(), String> {
    use InitiativeStatus::*;
    match (session, initiative) {
        (SessionStatus::Planned, Planned | Active) => Ok(()),
        (SessionStatus::Planned, _) => Err(format!(
            "sessions are planned for planned or active initiatives; this one is {}",
            initiative.code()
        )),
        (SessionStatus::Held, Active | Completed) => Ok(()),
        (SessionStatus::Held, _) => Err(format!(
            "sessions are recorded for active or completed initiatives; this one is {}",
            initiative.code()
        )),
        (SessionStatus::Cancelled, _) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn errors(timing: Timing) -> Vec<String> {
        let mut violations = Violations::new();
        check_timing(&timing, day("2026-11-26"), &mut violations);
        violations
            .into_errors()
            .into_iter()
            .map(|error| error.field)
            .collect()
    }

    #[test]
    fn a_planned_session_lies_ahead_without_attendance() {
        let planned = |on: &str, attendance| Timing {
            status: SessionStatus::Planned,
            day: day(on),
            starts_at: None,
            ends_at: None,
            attendance,
        };
        assert!(errors(planned("2026-11-26", false)).is_empty());
        assert_eq!(errors(planned("2026-11-25", false)), ["held_on"]);
        assert_eq!(errors(planned("2026-12-01", true)), ["attendee_family_ids"]);
    }

    #[test]
    fn a_held_session_is_not_in_the_future_and_ends_after_it_starts() {
        let held = Timing {
            status: SessionStatus::Held,
            day: day("2026-11-27"),
            starts_at: NaiveTime::from_hms_opt(17, 0, 0),
            ends_at: NaiveTime::from_hms_opt(16, 0, 0),
            attendance: true,
        };
        assert_eq!(errors(held), ["held_on", "ends_at"]);
    }

    #[test]
    fn only_planned_sessions_change() {
        assert!(ensure_session_change(SessionStatus::Planned).is_ok());
        assert!(ensure_session_change(SessionStatus::Held).is_err());
        assert!(ensure_session_change(SessionStatus::Cancelled).is_err());
        assert!(check_new(SessionStatus::Cancelled).is_err());
    }

    #[test]
    fn sessions_are_planned_before_an_initiative_starts_and_held_while_it_runs() {
        use InitiativeStatus::*;
        assert!(ensure_session_allowed(Planned, SessionStatus::Planned).is_ok());
        assert!(ensure_session_allowed(Planned, SessionStatus::Held).is_err());
        assert!(ensure_session_allowed(Completed, SessionStatus::Planned).is_err());
        assert!(ensure_session_allowed(Completed, SessionStatus::Held).is_ok());
    }
}
