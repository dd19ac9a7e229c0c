//! Request and response types of prospects and their funnel.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::families::types::NewFamily;
use crate::domain::prospect::{ProspectStatus, SourceKind, StepKind};
use crate::domain::statistics::Count;

/// A dated contact on the way to the family.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProspectStep {
    pub occurred_on: NaiveDate,
    pub kind: StepKind,
    /// The prospect's status after this step.
    pub status: ProspectStatus,
}

/// A family the team wants to reach (individual data: the area's
/// housing-social workers only). Who pointed it out is recorded as a kind of
/// source, never as a person or what they said.
#[derive(Debug, Serialize, ToSchema)]
pub struct Prospect {
    pub id: Uuid,
    pub area_id: Uuid,
    pub display_name: String,
    pub source_kind: SourceKind,
    pub status: ProspectStatus,
    /// Where a step may move it next.
    pub next: Vec<ProspectStatus>,
    /// Part of a targeted effort to recruit fathers.
    pub fathers_targeted: bool,
    pub identified_on: NaiveDate,
    #[schema(required = true)]
    pub engaged_on: Option<NaiveDate>,
    /// The family record it became when engaged.
    #[schema(required = true)]
    pub family_id: Option<Uuid>,
    pub steps: Vec<ProspectStep>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"area_id": "01934b6e-0000-7a3b-9f1e-2d4c6b8a0e12", "display_name": "Familien H.", "source_kind": "kindergarten", "fathers_targeted": true}))]
pub struct NewProspect {
    /// An area the caller works in.
    pub area_id: Uuid,
    /// What the team calls the family; no CPR number.
    pub display_name: String,
    pub source_kind: SourceKind,
    #[serde(default)]
    pub fathers_targeted: bool,
    /// Default: today.
    #[serde(default)]
    pub identified_on: Option<NaiveDate>,
}

/// A contact made; it may move the prospect forward. Moving to `engaged`
/// needs `family`: the record it becomes, with only what the family agreed to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"occurred_on": "2026-11-20", "kind": "letter_help", "status": "first_contact"}))]
pub struct NewStep {
    pub occurred_on: NaiveDate,
    pub kind: StepKind,
    /// The status after the step (default: unchanged).
    #[serde(default)]
    pub status: Option<ProspectStatus>,
    #[serde(default)]
    pub family: Option<NewFamily>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProspectListQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub area_id: Option<Uuid>,
    pub status: Option<ProspectStatus>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    /// First day prospects were identified. For the area's team any day
    /// (default: a year before `to`); for everyone else the first day of a
    /// calendar quarter that has ended (default: the last one).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProspectStatusCount {
    pub status: ProspectStatus,
    pub prospects: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProspectSourceCount {
    pub source_kind: SourceKind,
    pub prospects: Count,
}

/// How the families identified in a period were reached. Suppressed outside
/// the area's team like every count.
#[derive(Debug, Serialize, ToSchema)]
pub struct Funnel {
    pub area_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub suppression_applied: bool,
    pub identified: Count,
    /// Where the prospects identified in the period stand now.
    pub by_status: Vec<ProspectStatusCount>,
    pub by_source_kind: Vec<ProspectSourceCount>,
    /// Median days from identified to engaged; null when withheld or none.
    #[schema(required = true)]
    pub median_days_to_engaged: Option<f64>,
}
