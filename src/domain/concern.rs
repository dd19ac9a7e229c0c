//! Concern reports about children (underretninger, Barnets lov §§ 133–135): what
//! a report must hold for the municipality to act on it, its statutory deadlines,
//! and what each end may see of it.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{add_working_days, copenhagen_date, end_of_copenhagen_day};
use super::cpr::Cpr;
use super::initiative::codes;
use super::validation::{guarded_text, optional_guarded_text, FieldError, Violations};

/// Longest free text of a report.
pub const TEXT_MAX_CHARS: usize = 4000;
/// Longest name, address or contact detail.
pub const SHORT_MAX_CHARS: usize = 200;

/// Working days a municipality has to acknowledge a professional's concern report.
pub const ACKNOWLEDGE_WORKING_DAYS: u32 = 6;
/// Hours within which the urgency of a concern report must be assessed.
pub const URGENCY_ASSESSMENT_HOURS: i64 = 24;

/// When a concern report received at `received_at` (UTC) must be acknowledged:
/// the end (Danish time) of the 6th working day after the day of receipt.
pub fn acknowledge_due_at(received_at: NaiveDateTime) -> NaiveDateTime {
    end_of_copenhagen_day(add_working_days(
        copenhagen_date(received_at),
        ACKNOWLEDGE_WORKING_DAYS,
    ))
}

pub fn urgency_assessment_due_at(received_at: NaiveDateTime) -> NaiveDateTime {
    received_at + Duration::hours(URGENCY_ASSESSMENT_HOURS)
}

/// The statuses of a concern report, as the reporter may see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConcernStatus {
    Received,
    Acknowledged,
}

codes!(ConcernStatus { Received => "received", Acknowledged => "acknowledged" });

/// A parent's or guardian's relation to the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParentRelation {
    Mother,
    Father,
    /// A guardian with custody (værge).
    Guardian,
    Other,
}

codes!(ParentRelation {
    Mother => "mother",
    Father => "father",
    Guardian => "guardian",
    Other => "other",
});

/// A parent or guardian of the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Parent {
    pub name: String,
    pub relation: ParentRelation,
}

/// Who reported, and how the unit calls back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// What the unit tells a professional reporter the report led to (Barnets lov § 135).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackOutcome {
    /// A child welfare investigation (børnefaglig undersøgelse) is opened.
    Investigation,
    /// Support measures (foranstaltninger) are started or changed.
    Measures,
    /// Neither.
    NoAction,
}

codes!(FeedbackOutcome {
    Investigation => "investigation",
    Measures => "measures",
    NoAction => "no_action",
});

/// The child and the circumstances, as a reporter states them.
pub struct ReportFields<'a> {
    pub child_name: &'a str,
    pub cpr: Option<&'a str>,
    pub birth_date: Option<NaiveDate>,
    pub address: Option<&'a str>,
    pub parents: &'a [Parent],
    pub observation: &'a str,
    pub observed_on: NaiveDate,
    pub child_statement: Option<&'a str>,
    pub parents_informed: bool,
    pub parents_not_informed_reason: Option<&'a str>,
    pub reporter: &'a Reporter,
}

/// A report checked and ready to store. The CPR number is the only place in
/// the service where one may be held; it is sealed before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReport {
    pub child_name: String,
    pub cpr: Option<String>,
    pub birth_date: NaiveDate,
    pub address: Option<String>,
    pub parents: Vec<Parent>,
    pub observation: String,
    pub observed_on: NaiveDate,
    pub child_statement: Option<String>,
    pub parents_informed: bool,
    /// Only when the parents were not informed.
    pub parents_not_informed_reason: Option<String>,
    pub reporter: Reporter,
}

fn optional(
    value: Option<&str>,
    field: &str,
    max: usize,
    violations: &mut Violations,
) -> Option<String> {
    value
        .and_then(|text| violations.check(field, optional_guarded_text(text, max)))
        .filter(|text| !text.is_empty())
}

/// Checks that a report identifies the child (name, and a CPR number or a date
/// of birth of a child), says what was observed and when, whether the parents
/// were told (and if not, why), and who to call back. Free text other than the
/// CPR number may hold no CPR number.
pub fn check_report(
    fields: &ReportFields<'_>,
    today: NaiveDate,
) -> Result<CheckedReport, Vec<FieldError>> {
    let mut violations = Violations::new();
    let child_name = violations.check(
        "child.name",
        guarded_text(fields.child_name, SHORT_MAX_CHARS),
    );
    let cpr = fields
        .cpr
        .and_then(|text| violations.check("child.cpr", Cpr::parse(text)));
    let birth_date = match (&cpr, fields.birth_date) {
        (Some(cpr), Some(given)) if cpr.birth_date() != given => {
            violations.add("child.birth_date", "does not match the CPR number");
            None
        }
        (Some(cpr), _) => Some(cpr.birth_date()),
        (None, Some(given)) => Some(given),
        (None, None) => {
            if fields.cpr.is_none() {
                violations.add(
                    "child.birth_date",
                    "give the child's CPR number or date of birth",
                );
            }
            None
        }
    };
    if let Some(born) = birth_date {
        let adult = born.checked_add_months(chrono::Months::new(18 * 12));
        if born > today || adult.is_some_and(|adult| adult <= today) {
            violations.add(
                "child.birth_date",
                "must be the birth date of a child (under 18)",
            );
        }
    }
    let address = optional(
        fields.address,
        "child.address",
        SHORT_MAX_CHARS,
        &mut violations,
    );
    if fields.parents.len() > 4 {
        violations.add("parents", "at most 4 parents or guardians");
    }
    let mut parents = Vec::new();
    for (index, parent) in fields.parents.iter().enumerate() {
        let name = violations.check(
            &format!("parents[{index}].name"),
            guarded_text(&parent.name, SHORT_MAX_CHARS),
        );
        parents.extend(name.map(|name| Parent {
            name,
            relation: parent.relation,
        }));
    }
    let observation = violations.check(
        "observation",
        guarded_text(fields.observation, TEXT_MAX_CHARS),
    );
    if fields.observed_on > today {
        violations.add("observed_on", "must not be in the future");
    }
    let child_statement = optional(
        fields.child_statement,
        "child_statement",
        TEXT_MAX_CHARS,
        &mut violations,
    );
    let reason = optional(
        fields.parents_not_informed_reason,
        "parents_not_informed_reason",
        TEXT_MAX_CHARS,
        &mut violations,
    );
    if !fields.parents_informed && reason.is_none() {
        violations.add(
            "parents_not_informed_reason",
            "say why the parents were not told (e.g. it would put the child at risk)",
        );
    }
    let reporter_name = violations.check(
        "reporter.name",
        guarded_text(&fields.reporter.name, SHORT_MAX_CHARS),
    );
    let phone = optional(
        fields.reporter.phone.as_deref(),
        "reporter.phone",
        SHORT_MAX_CHARS,
        &mut violations,
    );
    let email = optional(
        fields.reporter.email.as_deref(),
        "reporter.email",
        SHORT_MAX_CHARS,
        &mut violations,
    );
    if phone.is_none() && email.is_none() {
        violations.add(
            "reporter",
            "give a phone number or an e-mail address to call back",
        );
    }
    violations.finish()?;
    Ok(CheckedReport {
        child_name: child_name.unwrap_or_default(),
        cpr: cpr.map(|cpr| cpr.formatted()),
        birth_date: birth_date.unwrap_or(today),
        address,
        parents,
        observation: observation.unwrap_or_default(),
        observed_on: fields.observed_on,
        child_statement,
        parents_informed: fields.parents_informed,
        parents_not_informed_reason: reason.filter(|_| !fields.parents_informed),
        reporter: Reporter {
            name: reporter_name.unwrap_or_default(),
            phone,
            email,
        },
    })
}

/// Whether a report is past a deadline: not acknowledged, or its urgency not
/// assessed, by the time due.
pub fn is_overdue(
    now: NaiveDateTime,
    acknowledged: bool,
    acknowledge_due_at: NaiveDateTime,
    urgency_assessed: bool,
    urgency_assessment_due_at: NaiveDateTime,
) -> bool {
    (!acknowledged && acknowledge_due_at < now)
        || (!urgency_assessed && urgency_assessment_due_at < now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reporter() -> Reporter {
        Reporter {
            name: "Boligsocial medarbejder".into(),
            phone: Some("+45 11 22 33 44".into()),
            email: None,
        }
    }

    fn fields<'a>(reporter: &'a Reporter) -> ReportFields<'a> {
        ReportFields {
            child_name: "Omar",
            cpr: Some("010116-4123"),
            birth_date: None,
            address: Some("Nørrebakken 3, 2. th."),
            parents: &[],
            observation: "Fortæller om slag derhjemme",
            observed_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            child_statement: Some("Far slår"),
            parents_informed: true,
            parents_not_informed_reason: None,
            reporter,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn a_report_identifies_the_child_by_cpr_number_and_takes_the_birth_date_from_it() {
        let reporter = reporter();
        let checked = check_report(&fields(&reporter), today()).unwrap();
        assert_eq!(checked.cpr.as_deref(), Some("010116-4123"));
        assert_eq!(
            checked.birth_date,
            NaiveDate::from_ymd_opt(2016, 1, 1).unwrap()
        );
    }

    #[test]
    fn a_report_needs_a_cpr_number_or_a_birth_date_and_a_call_back() {
        let silent = Reporter {
            name: "X".into(),
            phone: None,
            email: None,
        };
        let report = ReportFields {
            cpr: None,
            parents_informed: false,
            ..fields(&silent)
        };
        let errors = check_report(&report, today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "child.birth_date",
                "parents_not_informed_reason",
                "reporter"
            ]
        );
    }

    #[test]
    fn free_text_beside_the_cpr_field_keeps_the_cpr_guard() {
        let reporter = reporter();
        let report = ReportFields {
            observation: "Barnet (010116-4123) var bange",
            ..fields(&reporter)
        };
        assert_eq!(
            check_report(&report, today()).unwrap_err()[0].field,
            "observation"
        );
    }

    #[test]
    fn an_adult_is_not_the_subject_of_a_report() {
        let reporter = reporter();
        let report = ReportFields {
            cpr: Some("010190-1234"),
            ..fields(&reporter)
        };
        assert_eq!(
            check_report(&report, today()).unwrap_err()[0].field,
            "child.birth_date"
        );
    }

    #[test]
    fn a_report_is_overdue_when_either_deadline_passed() {
        let at = |hour| {
            NaiveDate::from_ymd_opt(2026, 11, 26)
                .unwrap()
                .and_hms_opt(hour, 0, 0)
                .unwrap()
        };
        assert!(is_overdue(at(12), true, at(20), false, at(10)));
        assert!(!is_overdue(at(12), true, at(20), true, at(10)));
        assert!(is_overdue(at(21), false, at(20), true, at(10)));
    }

    #[test]
    fn a_concern_report_is_due_six_working_days_later_at_the_end_of_the_danish_day() {
        let received = NaiveDate::from_ymd_opt(2026, 3, 27)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let due = acknowledge_due_at(received);
        // 9 April 2026 ends at 22:00 UTC (summer time).
        assert_eq!(
            due,
            NaiveDate::from_ymd_opt(2026, 4, 9)
                .unwrap()
                .and_hms_opt(22, 0, 0)
                .unwrap()
        );
        assert_eq!(
            urgency_assessment_due_at(received),
            received + Duration::hours(24)
        );
    }

    #[test]
    fn a_report_received_late_in_the_danish_evening_counts_from_that_danish_day() {
        // 23:30 UTC on Thursday 26 November is Friday 27 November in Denmark.
        let received = NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap();
        let due = acknowledge_due_at(received);
        assert_eq!(due.date(), NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
    }
}
