//! Request and response types of concern reports.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::referral::ConcernStatus;
use crate::strict_json::object;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Child {
    pub birth_year: i64,
    /// E.g. "the eldest boy"; never a CPR number.
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"family_id": "01934b6e-7c8d-7a3b-9f1e-2d4c6b8a0e12", "child": {"birth_year": 2016, "description": "den ældste dreng"}, "observation": "Barnet fortæller om vold i hjemmet", "observed_on": "2026-11-25", "urgent": true}))]
pub struct NewConcernReport {
    /// A family of an area the reporter works in.
    pub family_id: Uuid,
    #[serde(deserialize_with = "object")]
    pub child: Child,
    /// What was observed.
    pub observation: String,
    pub observed_on: NaiveDate,
    /// The reporter considers the situation urgent.
    pub urgent: bool,
}

/// A concern report. The receiving unit sees all of it; the reporter sees only
/// `id`, `family_id`, `status`, `received_at`, `acknowledge_due_at` and `acknowledged_at`.
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
    #[schema(required = true)]
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<Child>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
    /// 24 hours after receipt: when urgency must have been assessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency_assessment_due_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// Not acknowledged by its due time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
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
    /// Only reports not acknowledged by their due time.
    pub overdue: Option<bool>,
    pub status: Option<ConcernStatus>,
    /// Only reports changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}
