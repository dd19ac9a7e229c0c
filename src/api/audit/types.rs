//! Response and query types of the audit trail.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::audit::AuditRow;
use crate::error::ApiError;

/// One recorded access. Never the data itself, never the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// `sub` of the caller.
    pub actor: String,
    pub role: String,
    /// The caller's municipality and unit, or organisation (none for housing-social workers: the family's area tells their team).
    #[schema(required = true)]
    pub organisation: Option<String>,
    /// Method and route, e.g. `GET /api/v1/families/{id}`.
    pub action: String,
    pub resource_type: String,
    #[schema(required = true)]
    pub resource_id: Option<String>,
    #[schema(required = true)]
    pub family_id: Option<String>,
    /// `allowed` or `denied`.
    pub outcome: String,
    /// For a denied event: how many attempts of this caller on this route in
    /// the same minute it stands for (only the first is recorded as an event).
    pub attempts: i64,
    #[schema(required = true)]
    pub request_id: Option<String>,
    /// The area the access concerned, when known.
    #[schema(required = true)]
    pub area_id: Option<String>,
}

pub fn event_out(row: AuditRow, attempts: i64) -> Result<AuditEvent, ApiError> {
    Ok(AuditEvent {
        id: Uuid::parse_str(&row.id)
            .map_err(|_| ApiError::internal("stored audit event has an invalid id"))?,
        occurred_at: row.occurred_at.and_utc(),
        actor: row.actor,
        role: row.role,
        organisation: row.organisation,
        action: row.action,
        resource_type: row.resource_type,
        resource_id: row.resource_id,
        family_id: row.family_id,
        outcome: row.outcome,
        attempts,
        request_id: row.request_id,
        area_id: row.area_id,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub family_id: Option<Uuid>,
    pub actor: Option<String>,
    /// `family`, `contact`, `consent`, `enrolment`, `attendance`, `referral`,
    /// `concern_report`, or `concern_report_content` (a concern report's
    /// content included in a family export).
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// From this time (inclusive, RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive, RFC 3339).
    pub to: Option<DateTime<Utc>>,
}
