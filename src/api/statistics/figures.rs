//! Raw counts of an area, and their disclosure to a caller (suppressed outside the team).

use uuid::Uuid;

use super::types::{Statistics, StatusCount, TypeCount, UnitReferrals};
use diesel::QueryResult;

use crate::db::statistics::{self as store, Period};
use crate::db::DbConnection;
use crate::domain::catalog::{InitiativeType, MunicipalUnit, INITIATIVE_TYPES, MUNICIPAL_UNITS};
use crate::domain::referral::ReferralStatus;
use crate::domain::statistics::{median, suppress_table, Disclosure};

/// The raw counts of an area for a period.
pub struct Figures {
    pub(super) families_reached: i64,
    pub(super) participants: std::collections::HashMap<String, i64>,
    pub(super) sessions: (i64, i64),
    pub(super) referrals: Vec<(String, String, i64)>,
    pub(super) acceptance: Acceptance,
    pub(super) concern_reports: i64,
}

/// How long accepted referrals waited, worked out once with the figures: a
/// request for cached figures used to list and sort every accepted referral's
/// wait again, 40 % of the service's CPU for such a request at 1 000 000
/// families.
pub(super) struct Acceptance {
    accepted: i64,
    median_days: Option<f64>,
}

impl Acceptance {
    fn of(times: &[(chrono::NaiveDateTime, chrono::NaiveDateTime)]) -> Self {
        let mut days: Vec<f64> = times
            .iter()
            .map(|(requested, accepted)| (*accepted - *requested).num_seconds() as f64 / 86_400.0)
            .collect();
        Self {
            accepted: days.len() as i64,
            median_days: median(&mut days).map(|days| (days * 10.0).round() / 10.0),
        }
    }
}

impl Figures {
    /// The raw counts of `area_id` in `period`.
    pub(crate) fn of(
        connection: &mut DbConnection,
        area_id: &str,
        period: Period,
    ) -> QueryResult<Self> {
        Ok(Self {
            families_reached: store::families_reached(connection, area_id, period)?,
            participants: store::participants_by_type(connection, area_id, period)?,
            sessions: store::sessions_held(connection, area_id, period)?,
            referrals: store::referrals_by_unit_and_status(connection, area_id, period)?,
            acceptance: Acceptance::of(&store::acceptance_times(connection, area_id, period)?),
            concern_reports: store::concern_reports(connection, area_id, period)?,
        })
    }

    pub(crate) fn disclose(
        &self,
        area_id: Uuid,
        period: Period,
        disclosure: Disclosure,
        threshold: i64,
    ) -> Statistics {
        let types: Vec<InitiativeType> = INITIATIVE_TYPES.iter().map(|entry| entry.code).collect();
        let participants = suppress_table(
            &[types
                .iter()
                .map(|t| self.participants.get(t.code()).copied().unwrap_or(0))
                .collect()],
            disclosure,
        );
        let units: Vec<MunicipalUnit> = MUNICIPAL_UNITS.iter().map(|entry| entry.code).collect();
        let statuses = ReferralStatus::ALL;
        let cells: Vec<Vec<i64>> = units
            .iter()
            .map(|unit| {
                statuses
                    .iter()
                    .map(|status| {
                        self.referrals
                            .iter()
                            .filter(|(u, s, _)| u == unit.code() && s == status.code())
                            .map(|(_, _, count)| *count)
                            .sum()
                    })
                    .collect()
            })
            .collect();
        let referrals = suppress_table(&cells, disclosure);
        let median_suppressed = disclosure.single(self.acceptance.accepted).suppressed;
        let median_days = if median_suppressed {
            None
        } else {
            self.acceptance.median_days
        };
        Statistics {
            area_id,
            from: period.from,
            to: period.to,
            suppression_applied: disclosure != Disclosure::Exact,
            suppression_threshold: threshold,
            families_reached: disclosure.single(self.families_reached),
            participants_by_initiative_type: types
                .iter()
                .zip(&participants.cells[0])
                .map(|(initiative_type, participants)| TypeCount {
                    initiative_type: *initiative_type,
                    participants: *participants,
                })
                .collect(),
            participants_total: participants.total,
            sessions_held: disclosure.single(self.sessions.0),
            session_attendances: disclosure.single(self.sessions.1),
            referrals_by_unit: units
                .iter()
                .enumerate()
                .map(|(i, unit)| UnitReferrals {
                    unit: *unit,
                    by_status: statuses
                        .iter()
                        .zip(&referrals.cells[i])
                        .map(|(status, count)| StatusCount {
                            status: *status,
                            referrals: *count,
                        })
                        .collect(),
                    total: referrals.row_totals[i],
                })
                .collect(),
            referrals_by_status: statuses
                .iter()
                .zip(&referrals.column_totals)
                .map(|(status, count)| StatusCount {
                    status: *status,
                    referrals: *count,
                })
                .collect(),
            referrals_total: referrals.total,
            median_days_requested_to_accepted: median_days,
            median_suppressed,
            concern_reports: disclosure.single(self.concern_reports),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Acceptance;
    use chrono::{Duration, NaiveDate};

    #[test]
    fn acceptance_counts_the_accepted_referrals_and_gives_their_median_wait_in_days_to_a_tenth() {
        let requested = NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|day| day.and_hms_opt(9, 0, 0))
            .expect("a valid time");
        let waits = [
            Duration::hours(30),
            Duration::days(10),
            Duration::hours(62),
            Duration::hours(1),
        ];
        let times: Vec<_> = waits
            .iter()
            .map(|wait| (requested, requested + *wait))
            .collect();
        let acceptance = Acceptance::of(&times);
        assert_eq!(acceptance.accepted, 4);
        // The middle two waits, 1.25 and 2.58 days, average 1.92 days.
        assert_eq!(acceptance.median_days, Some(1.9));

        let none = Acceptance::of(&[]);
        assert_eq!((none.accepted, none.median_days), (0, None));
    }
}
