//! The counts of an area's report beyond its statistics.

use std::collections::{BTreeMap, HashMap};

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::assessments::{AssessmentRow, FindingRow};
use super::initiatives::InitiativeRow;
use super::schema::{
    assessment_findings, assessments, consents, erased_attendance, families, initiative_sessions,
    initiatives, referrals, session_attendance,
};
use super::statistics::Period;
use super::DbConnection;

/// Initiatives of the area that ran in the period, in the order they started.
pub fn initiatives_in(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<Vec<InitiativeRow>> {
    initiatives::table
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiatives::starts_on.le(period.to))
        .filter(
            initiatives::ends_on
                .is_null()
                .or(initiatives::ends_on.ge(period.from)),
        )
        .order((initiatives::starts_on.asc(), initiatives::id.asc()))
        .load(connection)
}

/// Sessions held and their attendance per calendar month (`YYYY-MM`).
pub type Months = BTreeMap<String, (i64, i64)>;

/// Per calendar month of the period: sessions held and their attendance
/// (families, erased ones included, plus anonymous headcounts); and the
/// anonymous headcounts alone.
pub fn attendance_by_month(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<(Months, i64)> {
    let sessions: Vec<(String, chrono::NaiveDate, i32)> = initiative_sessions::table
        .inner_join(initiatives::table)
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiative_sessions::status.eq("held"))
        .filter(initiative_sessions::held_on.between(period.from, period.to))
        .select((
            initiative_sessions::id,
            initiative_sessions::held_on,
            initiative_sessions::headcount,
        ))
        .load(connection)?;
    let ids: Vec<String> = sessions.iter().map(|(id, _, _)| id.clone()).collect();
    let mut families_at: HashMap<String, i64> = HashMap::new();
    let named: Vec<(String, i64)> = session_attendance::table
        .filter(session_attendance::session_id.eq_any(&ids))
        .group_by(session_attendance::session_id)
        .select((session_attendance::session_id, count_star()))
        .load(connection)?;
    let erased: Vec<(String, i64)> = erased_attendance::table
        .filter(erased_attendance::session_id.eq_any(&ids))
        .group_by(erased_attendance::session_id)
        .select((erased_attendance::session_id, count_star()))
        .load(connection)?;
    for (session, count) in named.into_iter().chain(erased) {
        *families_at.entry(session).or_default() += count;
    }
    let mut months: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut headcount = 0;
    for (id, held_on, anonymous) in sessions {
        let month = months
            .entry(held_on.format("%Y-%m").to_string())
            .or_default();
        month.0 += 1;
        month.1 += families_at.get(&id).copied().unwrap_or(0) + i64::from(anonymous);
        headcount += i64::from(anonymous);
    }
    Ok((months, headcount))
}

/// Referrals of the area closed in the period with an outcome, by unit and outcome.
pub fn referral_outcomes(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<Vec<(String, String, i64)>> {
    referrals::table
        .filter(referrals::area_id.eq(area_id))
        .filter(referrals::closed_at.ge(period.start()))
        .filter(referrals::closed_at.lt(period.end()))
        .filter(referrals::outcome.is_not_null())
        .group_by((referrals::unit, referrals::outcome))
        .select((
            referrals::unit,
            referrals::outcome.assume_not_null(),
            count_star(),
        ))
        .load(connection)
}

/// Consents of the area's families (on record) in the period.
#[derive(Debug, Default, Clone, Copy)]
pub struct ConsentCounts {
    /// Recorded in the period.
    pub given: i64,
    /// Of those, given by a family that had consented before.
    pub renewed: i64,
    /// Ran out in the period without being withdrawn.
    pub expired: i64,
    pub withdrawn: i64,
}

pub fn consent_counts(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<ConsentCounts> {
    type Consent = (
        String,
        chrono::NaiveDate,
        chrono::NaiveDate,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
    );
    let rows: Vec<Consent> = consents::table
        .inner_join(families::table)
        .filter(families::area_id.eq(area_id))
        .select((
            consents::family_id,
            consents::valid_from,
            consents::valid_until,
            consents::recorded_at,
            consents::withdrawn_at,
        ))
        .load(connection)?;
    let in_period = |day: chrono::NaiveDate| period.from <= day && day <= period.to;
    let mut counts = ConsentCounts::default();
    for (family, _, valid_until, recorded_at, withdrawn_at) in &rows {
        if in_period(recorded_at.date()) {
            counts.given += 1;
            if rows
                .iter()
                .any(|(other, _, _, earlier, _)| other == family && earlier < recorded_at)
            {
                counts.renewed += 1;
            }
        }
        match withdrawn_at {
            Some(withdrawn_at) if in_period(withdrawn_at.date()) => counts.withdrawn += 1,
            None if in_period(*valid_until) => counts.expired += 1,
            _ => {}
        }
    }
    Ok(counts)
}

/// The area's newest agreed needs assessment begun by the period's end, with
/// its findings.
pub fn agreed_assessment(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<Option<(AssessmentRow, Vec<FindingRow>)>> {
    let Some(assessment) = assessments::table
        .filter(assessments::area_id.eq(area_id))
        .filter(assessments::status.eq("agreed"))
        .filter(assessments::period_starts_on.le(period.to))
        .order((assessments::period_starts_on.desc(), assessments::id.desc()))
        .first::<AssessmentRow>(connection)
        .optional()?
    else {
        return Ok(None);
    };
    let findings = assessment_findings::table
        .filter(assessment_findings::assessment_id.eq(&assessment.id))
        .order(assessment_findings::position.asc())
        .load(connection)?;
    Ok(Some((assessment, findings)))
}
