//! Query and response types of statistics.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::catalog::{InitiativeType, MunicipalUnit};
use crate::domain::referral::ReferralStatus;
use crate::domain::statistics::Count;

/// Counts below this are suppressed outside the owning team (so 1 to threshold-1).
#[derive(Debug, Clone, Copy)]
pub struct SuppressionThreshold(pub i64);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// First day of the period. For the area's team any day (default: one year
    /// before `to`); for everyone else the first day of a calendar quarter that
    /// has ended (default: the last one).
    pub from: Option<NaiveDate>,
    /// Last day of the period. For the area's team any day (default: today);
    /// for everyone else the last day of the same quarter as `from`.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TypeCount {
    pub initiative_type: InitiativeType,
    pub participants: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: ReferralStatus,
    pub referrals: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitReferrals {
    pub unit: MunicipalUnit,
    pub by_status: Vec<StatusCount>,
    pub total: Count,
}

/// Aggregate figures for an area and a period. Every count is `{value, suppressed}`:
/// for callers other than the area's housing-social workers, counts from 1 to
/// threshold-1 are suppressed (`value: null, suppressed: true`), and so are the
/// other cells needed to keep them from being recovered from row or column totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct Statistics {
    pub area_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Whether small counts are suppressed in this response.
    pub suppression_applied: bool,
    /// Counts from 1 up to this value minus one are suppressed.
    pub suppression_threshold: i64,
    /// Distinct families with a recorded contact in the period.
    pub families_reached: Count,
    /// Distinct enrolled families per initiative type, with their total.
    pub participants_by_initiative_type: Vec<TypeCount>,
    pub participants_total: Count,
    pub sessions_held: Count,
    pub session_attendances: Count,
    /// Referrals made in the period, by municipal unit (rows) and status (columns).
    pub referrals_by_unit: Vec<UnitReferrals>,
    /// Column totals of `referrals_by_unit`, per status.
    pub referrals_by_status: Vec<StatusCount>,
    pub referrals_total: Count,
    /// Median days from `requested` to `accepted` for referrals accepted in the
    /// period; null when suppressed or when there are none.
    #[schema(required = true)]
    pub median_days_requested_to_accepted: Option<f64>,
    pub median_suppressed: bool,
    pub concern_reports: Count,
}
