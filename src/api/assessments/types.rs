//! Request and response types of needs assessments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::catalog::Labels;
use crate::api::present;
use crate::domain::assessment::{AssessmentStatus, Side, TargetGroup};
use crate::domain::catalog::{InitiativeType, MunicipalUnit, ProblemArea};
use crate::strict_json::{object, objects, optional_object, optional_objects};

/// The period an assessment describes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentPeriod {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A finding as sent by a client.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"problem_area": "navigation", "households": 25, "severity": 4, "evidence": ["socialforvaltningen", "egne kontakter"], "notes": "Mange breve fra kommunen forstås ikke"}))]
pub struct FindingInput {
    /// In a `PATCH`: the id of an existing finding to keep (it keeps the side that
    /// contributed it). Omit for a new finding.
    #[serde(default)]
    pub id: Option<Uuid>,
    pub problem_area: ProblemArea,
    /// Estimated number of households affected (give this and/or `share`).
    #[serde(default)]
    pub households: Option<i64>,
    /// Estimated share of the target group affected, 0–1.
    #[serde(default)]
    pub share: Option<f64>,
    /// 1 (minor) to 5 (very severe).
    #[schema(minimum = 1, maximum = 5)]
    pub severity: i64,
    /// Sources: "socialforvaltningen", "school", "own contacts", …
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentFinding {
    pub id: Uuid,
    pub problem_area: ProblemArea,
    #[schema(required = true)]
    pub households: Option<i32>,
    #[schema(required = true)]
    pub share: Option<f64>,
    pub severity: i32,
    pub evidence: Vec<String>,
    /// The side that contributed the finding, from its author's role.
    pub contributed_by: Side,
    #[schema(required = true)]
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Approval {
    pub side: Side,
    /// `sub` of the approving staff member.
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
    /// The municipal unit that signed (null for the housing-social side).
    #[schema(required = true)]
    pub unit: Option<MunicipalUnit>,
}

/// A needs assessment: the joint, aggregate analysis of an area's vulnerable families.
#[derive(Debug, Serialize, ToSchema)]
pub struct Assessment {
    pub id: Uuid,
    pub area_id: Uuid,
    pub status: AssessmentStatus,
    pub period: AssessmentPeriod,
    #[schema(required = true)]
    pub summary: Option<String>,
    pub target_group: TargetGroup,
    pub findings: Vec<AssessmentFinding>,
    /// At most one per side; both sides' approvals make it `agreed`.
    pub approvals: Vec<Approval>,
    /// The agreed assessment this one revises.
    #[schema(required = true)]
    pub supersedes: Option<Uuid>,
    /// The live revision of this assessment, if one was started.
    #[schema(required = true)]
    pub superseded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new assessment; it starts as a `draft`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": {"starts_on": "2026-01-01", "ends_on": "2026-12-31"}, "summary": "Fælles analyse af børnefamiliernes behov", "findings": [{"problem_area": "knowledge", "households": 40, "severity": 4, "evidence": ["skolen", "SSP"]}]}))]
pub struct NewAssessment {
    #[serde(deserialize_with = "object")]
    pub period: AssessmentPeriod,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "optional_object")]
    pub target_group: Option<TargetGroup>,
    /// Findings contributed by the creator's side (no `id`).
    #[serde(default, deserialize_with = "objects")]
    pub findings: Vec<FindingInput>,
    /// An agreed assessment of the same area that this one revises.
    #[serde(default)]
    pub supersedes: Option<Uuid>,
}

/// Changes to an assessment. Content (period, summary, target group, findings)
/// changes only while `draft` or `in_review`, and withdraws approvals given so far.
/// `findings` replaces the list: keep a finding by sending its `id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "Opdateret efter mødet med familierådgivningen", "status": "in_review"}))]
pub struct AssessmentChanges {
    #[serde(default, deserialize_with = "optional_object")]
    pub period: Option<AssessmentPeriod>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "optional_object")]
    pub target_group: Option<TargetGroup>,
    #[serde(default, deserialize_with = "optional_objects")]
    pub findings: Option<Vec<FindingInput>>,
    /// `in_review`, back to `draft`, or `withdrawn`; `agreed` comes only from approvals.
    pub status: Option<AssessmentStatus>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssessmentListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub status: Option<AssessmentStatus>,
    /// Only assessments changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnsweredFinding {
    pub finding_id: Uuid,
    pub problem_area: ProblemArea,
    pub severity: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DesignCondition {
    /// Stable code of the condition, e.g. `network_plan`.
    pub code: &'static str,
    pub text: Labels,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recommendation {
    /// 1 is the strongest recommendation.
    pub rank: u32,
    pub initiative_type: InitiativeType,
    pub label: Labels,
    /// True when it answers two or more problem areas that are all high (severity ≥ 4).
    pub combined: bool,
    pub answers: Vec<AnsweredFinding>,
    /// Why the handbook recommends it.
    pub rationale: Labels,
    /// Set where the area has no contact-building work yet: why this initiative
    /// was moved before (low-threshold) or after (a family course) the others.
    #[schema(required = true)]
    pub contact_first: Option<Labels>,
    /// Design conditions the handbook attaches.
    pub conditions: Vec<DesignCondition>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recommendations {
    pub assessment_id: Uuid,
    /// Whether the area has contact-building work: contacts logged with its
    /// families, or a low-threshold initiative (exercise, bridge building, open
    /// information events).
    pub contact_groundwork: bool,
    pub items: Vec<Recommendation>,
}
