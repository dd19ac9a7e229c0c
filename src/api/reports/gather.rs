//! The report's figures, read in one transaction and disclosed to the caller.

use chrono::Utc;

use super::types::{
    AreaReport, ConsentsReport, InitiativeResults, MonthAttendance, OutcomeCount, Reach,
    ReferralsReport, ReportArea, ReportAssessment, ReportFinding, ReportInitiative, SessionsReport,
    UnitOutcomes,
};
use crate::api::statistics::figures::Figures;
use crate::api::stored_uuid;
use crate::db::areas::AreaRow;
use crate::db::measurements as measurement_store;
use crate::db::reports as store;
use crate::db::statistics::Period;
use crate::db::DbConnection;
use crate::domain::catalog::{MunicipalUnit, ProblemArea, MUNICIPAL_UNITS};
use crate::domain::initiative::InitiativeStatus;
use crate::domain::outcomes::results;
use crate::domain::referral::Outcome;
use crate::domain::statistics::{suppress_table, Disclosure};
use crate::error::ApiError;

fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored data has an invalid {what}"))
}

pub(super) fn gather(
    connection: &mut DbConnection,
    area: &AreaRow,
    period: Period,
    disclosure: Disclosure,
    threshold: i64,
) -> Result<AreaReport, ApiError> {
    let area_id = stored_uuid(&area.id)?;
    let statistics =
        Figures::of(connection, &area.id, period)?.disclose(area_id, period, disclosure, threshold);
    let (months, headcount) = store::attendance_by_month(connection, &area.id, period)?;
    let consents = store::consent_counts(connection, &area.id, period)?;
    let initiatives = store::initiatives_in(connection, &area.id, period)?;
    let mut outcomes = Vec::new();
    let mut listed = Vec::new();
    for row in &initiatives {
        let plan = row.plan()?;
        let status = InitiativeStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?;
        let measured =
            measurement_store::measured_between(connection, &row.id, period.from, period.to)?;
        if !plan.goals.is_empty() && !measured.is_empty() {
            outcomes.push(InitiativeResults {
                initiative_id: stored_uuid(&row.id)?,
                title: plan.title.clone(),
                goals: results(&plan.goals, &measured, disclosure),
            });
        }
        listed.push(ReportInitiative {
            id: stored_uuid(&row.id)?,
            title: plan.title,
            initiative_type: plan.initiative_type,
            status,
            format: plan.format,
            starts_on: plan.schedule.starts_on,
            ends_on: plan.schedule.ends_on,
            partners: plan
                .partners
                .into_iter()
                .map(|partner| partner.name)
                .collect(),
        });
    }
    let assessment = store::agreed_assessment(connection, &area.id, period)?
        .map(|(row, findings)| {
            Ok::<_, ApiError>(ReportAssessment {
                id: stored_uuid(&row.id)?,
                period_starts_on: row.period_starts_on,
                period_ends_on: row.period_ends_on,
                summary: row.summary,
                findings: findings
                    .into_iter()
                    .map(|finding| {
                        Ok(ReportFinding {
                            problem_area: ProblemArea::parse(&finding.problem_area)
                                .ok_or_else(|| corrupt("problem area"))?,
                            severity: finding.severity,
                            households: finding.households,
                        })
                    })
                    .collect::<Result<_, ApiError>>()?,
            })
        })
        .transpose()?;
    let outcomes_by_unit = referral_outcomes(
        &store::referral_outcomes(connection, &area.id, period)?,
        disclosure,
    );
    Ok(AreaReport {
        area: ReportArea {
            id: area_id,
            name: area.name.clone(),
            municipality_code: area.municipality_code.clone(),
        },
        from: period.from,
        to: period.to,
        generated_at: Utc::now(),
        suppression_applied: statistics.suppression_applied,
        suppression_threshold: threshold,
        assessment,
        initiatives: listed,
        reach: Reach {
            families_reached: statistics.families_reached,
            participants_by_initiative_type: statistics.participants_by_initiative_type,
            participants_total: statistics.participants_total,
            open_event_headcount: disclosure.single(headcount),
        },
        sessions: SessionsReport {
            sessions_held: statistics.sessions_held,
            attendance: statistics.session_attendances,
            by_month: months_disclosed(&months, disclosure),
        },
        outcomes,
        referrals: ReferralsReport {
            by_unit: statistics.referrals_by_unit,
            by_status: statistics.referrals_by_status,
            total: statistics.referrals_total,
            outcomes_by_unit,
        },
        concern_reports: statistics.concern_reports,
        consents: ConsentsReport {
            given: disclosure.single(consents.given),
            renewed: disclosure.single(consents.renewed),
            expired: disclosure.single(consents.expired),
            withdrawn: disclosure.single(consents.withdrawn),
        },
    })
}

/// Months as one table (month × sessions, attendance), so that no small
/// month can be recovered from the period's totals.
fn months_disclosed(
    months: &std::collections::BTreeMap<String, (i64, i64)>,
    disclosure: Disclosure,
) -> Vec<MonthAttendance> {
    let sessions = suppress_table(
        &months
            .values()
            .map(|(sessions, _)| vec![*sessions])
            .collect::<Vec<_>>(),
        disclosure,
    );
    let attendance = suppress_table(
        &months
            .values()
            .map(|(_, attendance)| vec![*attendance])
            .collect::<Vec<_>>(),
        disclosure,
    );
    months
        .keys()
        .enumerate()
        .map(|(index, month)| MonthAttendance {
            month: month.clone(),
            sessions: sessions.cells[index][0],
            attendance: attendance.cells[index][0],
        })
        .collect()
}

fn referral_outcomes(
    counts: &[(String, String, i64)],
    disclosure: Disclosure,
) -> Vec<UnitOutcomes> {
    let units: Vec<MunicipalUnit> = MUNICIPAL_UNITS.iter().map(|entry| entry.code).collect();
    let cells: Vec<Vec<i64>> = units
        .iter()
        .map(|unit| {
            Outcome::ALL
                .iter()
                .map(|outcome| {
                    counts
                        .iter()
                        .filter(|(u, o, _)| u == unit.code() && o == outcome.code())
                        .map(|(_, _, count)| *count)
                        .sum()
                })
                .collect()
        })
        .collect();
    let table = suppress_table(&cells, disclosure);
    units
        .iter()
        .enumerate()
        .map(|(index, unit)| UnitOutcomes {
            unit: *unit,
            by_outcome: Outcome::ALL
                .iter()
                .zip(&table.cells[index])
                .map(|(outcome, referrals)| OutcomeCount {
                    outcome: *outcome,
                    referrals: *referrals,
                })
                .collect(),
            total: table.row_totals[index],
        })
        .collect()
}
