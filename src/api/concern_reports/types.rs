//! Request and response types of concern reports.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::catalog::MunicipalUnit;
use crate::domain::concern::{ConcernStatus, FeedbackOutcome, Parent, Reporter};
use crate::strict_json::object;

/// The child a report is about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChild {
    pub name: String,
    /// The child's CPR number (`DDMMYY-SSSS` or ten digits). Give it, or `birth_date`.
    /// Stored encrypted; shown only to the receiving unit.
    #[serde(default)]
    pub cpr: Option<String>,
    /// Needed when the CPR number is not known; must match it when both are given.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// Where the child lives; the family's address on record when left out.
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "family_id": "01934b6e-7c8d-7a3b-9f1e-2d4c6b8a0e12",
    "child": {"name": "Omar", "cpr": "010116-4123", "address": "Nørrebakken 3, 2. th., 2620 Albertslund"},
    "parents": [{"name": "Amina", "relation": "mother"}],
    "observation": "Omar har flere gange haft blå mærker på armene og siger, at han ikke tør gå hjem",
    "observed_on": "2026-11-25",
    "child_statement": "Far bliver så vred",
    "parents_informed": false,
    "parents_not_informed_reason": "Det kan bringe barnet i fare at orientere forældrene",
    "reporter": {"name": "Sara Boligsocial", "phone": "+45 43 21 00 00"},
    "urgent": true
}))]
pub struct NewConcernReport {
    /// A family of an area the reporter works in.
    pub family_id: Uuid,
    #[serde(deserialize_with = "object")]
    pub child: NewChild,
    /// The parents or guardians. When left out, the family's name on record stands for them.
    #[serde(default)]
    pub parents: Vec<Parent>,
    /// What was observed.
    pub observation: String,
    pub observed_on: NaiveDate,
    /// What the child said, in the child's own words.
    #[serde(default)]
    pub child_statement: Option<String>,
    /// Whether the parents were told about the report.
    pub parents_informed: bool,
    /// Why not, when they were not (e.g. it would put the child at risk).
    #[serde(default)]
    pub parents_not_informed_reason: Option<String>,
    /// Who reports, and how the unit calls back (a phone number or an e-mail address).
    #[serde(deserialize_with = "object")]
    pub reporter: Reporter,
    /// The reporter considers the situation urgent.
    pub urgent: bool,
}

/// The child, as the receiving unit sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Child {
    pub name: String,
    /// `DDMMYY-SSSS`.
    #[schema(required = true)]
    pub cpr: Option<String>,
    pub birth_date: NaiveDate,
    #[schema(required = true)]
    pub address: Option<String>,
}

/// The unit's assessment of urgency (due 24 hours after receipt).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UrgencyAssessment {
    pub urgent: bool,
    #[schema(required = true)]
    pub note: Option<String>,
    pub assessed_at: DateTime<Utc>,
    pub assessed_by: String,
}

/// The unit's feedback to a professional reporter (Barnets lov § 135).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Feedback {
    pub outcome: FeedbackOutcome,
    pub given_at: DateTime<Utc>,
}

/// A concern report. The receiving unit sees all of it. The reporter sees only
/// `id`, `family_id`, `status`, `received_at`, the two due times,
/// `acknowledged_at` and `feedback` — never the case content.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernReport {
    pub id: Uuid,
    /// The family on the reporter's side (shown to the reporter only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_id: Option<Uuid>,
    pub status: ConcernStatus,
    pub received_at: DateTime<Utc>,
    /// End of the 6th working day after receipt (Danish holidays excluded).
    pub acknowledge_due_at: DateTime<Utc>,
    /// 24 hours after receipt: when urgency must have been assessed.
    pub urgency_assessment_due_at: DateTime<Utc>,
    #[schema(required = true)]
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub feedback: Option<Feedback>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiving_unit: Option<MunicipalUnit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<Child>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parents: Option<Vec<Parent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parents_informed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parents_not_informed_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter: Option<Reporter>,
    /// The reporter's judgement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgent: Option<bool>,
    /// The token subject that reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency_assessment: Option<UrgencyAssessment>,
    /// Past a deadline: not acknowledged, or urgency not assessed, in time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"urgent": true, "note": "Samtale med barnet i skolen i morgen"}))]
pub struct NewUrgencyAssessment {
    pub urgent: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "investigation"}))]
pub struct NewFeedback {
    pub outcome: FeedbackOutcome,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConcernListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `true`: only reports past a deadline (not acknowledged, or urgency not
    /// assessed, by the time due); `false`: only reports within both.
    pub overdue: Option<bool>,
    pub status: Option<ConcernStatus>,
    /// Only reports changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}
