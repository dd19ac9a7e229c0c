//! The report of an area for a period, as JSON; CSV and HTML are drawn from it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::statistics::types::{StatusCount, TypeCount, UnitReferrals};
use crate::domain::catalog::{InitiativeType, MunicipalUnit, ProblemArea};
use crate::domain::initiative::{InitiativeFormat, InitiativeStatus};
use crate::domain::outcomes::GoalResult;
use crate::domain::referral::Outcome;
use crate::domain::statistics::Count;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day. For the area's team any day (default: one year before `to`);
    /// for everyone else the first day of a calendar quarter that has ended
    /// (default: the last one).
    pub from: Option<NaiveDate>,
    /// Last day (the area's team: default today; everyone else: the last day of
    /// the quarter of `from`).
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportArea {
    pub id: Uuid,
    pub name: String,
    pub municipality_code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportFinding {
    pub problem_area: ProblemArea,
    /// 1 (mild) to 5 (severe).
    pub severity: i32,
    #[schema(required = true)]
    pub households: Option<i32>,
}

/// The agreed needs assessment the plan answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAssessment {
    pub id: Uuid,
    pub period_starts_on: NaiveDate,
    pub period_ends_on: NaiveDate,
    #[schema(required = true)]
    pub summary: Option<String>,
    pub findings: Vec<ReportFinding>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportInitiative {
    pub id: Uuid,
    pub title: String,
    #[serde(rename = "type")]
    pub initiative_type: InitiativeType,
    pub status: InitiativeStatus,
    pub format: InitiativeFormat,
    pub starts_on: NaiveDate,
    #[schema(required = true)]
    pub ends_on: Option<NaiveDate>,
    /// The partners' names.
    pub partners: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Reach {
    /// Distinct families with a recorded contact in the period.
    pub families_reached: Count,
    pub participants_by_initiative_type: Vec<TypeCount>,
    pub participants_total: Count,
    /// Anonymous participants counted at open events in the period.
    pub open_event_headcount: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthAttendance {
    /// `YYYY-MM`.
    pub month: String,
    pub sessions: Count,
    pub attendance: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsReport {
    pub sessions_held: Count,
    pub attendance: Count,
    /// Months of the period with sessions, in order.
    pub by_month: Vec<MonthAttendance>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InitiativeResults {
    pub initiative_id: Uuid,
    pub title: String,
    pub goals: Vec<GoalResult>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeCount {
    pub outcome: Outcome,
    pub referrals: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitOutcomes {
    pub unit: MunicipalUnit,
    pub by_outcome: Vec<OutcomeCount>,
    pub total: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralsReport {
    /// Referrals made in the period, by unit (rows) and status (columns).
    pub by_unit: Vec<UnitReferrals>,
    pub by_status: Vec<StatusCount>,
    pub total: Count,
    /// Referrals closed in the period, by unit and outcome.
    pub outcomes_by_unit: Vec<UnitOutcomes>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentsReport {
    /// Consents recorded in the period.
    pub given: Count,
    /// Of those, from families that had consented before.
    pub renewed: Count,
    /// Consents that ran out in the period.
    pub expired: Count,
    pub withdrawn: Count,
}

/// One document per area and period for the steering group (and
/// Landsbyggefonden): the plan, its reach, sessions, outcomes, referrals,
/// concern reports (counts only), consents and the assessment it answers.
/// Every count is `{value, suppressed}`, suppressed as in statistics for
/// readers outside the area's team.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaReport {
    pub area: ReportArea,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub generated_at: DateTime<Utc>,
    pub suppression_applied: bool,
    pub suppression_threshold: i64,
    #[schema(required = true)]
    pub assessment: Option<ReportAssessment>,
    pub initiatives: Vec<ReportInitiative>,
    pub reach: Reach,
    pub sessions: SessionsReport,
    /// Before and after per goal, from answers given in the period.
    pub outcomes: Vec<InitiativeResults>,
    pub referrals: ReferralsReport,
    /// Concern reports received in the period (a count, never their content).
    pub concern_reports: Count,
    pub consents: ConsentsReport,
}
