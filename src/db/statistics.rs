//! Aggregate counts for an area's statistics.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star};
use diesel::prelude::*;

use super::schema::{
    concern_reports, enrolments, erased_attendance, erased_contacts, erased_enrolments, families,
    family_contacts, initiative_sessions, initiatives, referrals, session_attendance,
};
use super::DbConnection;

/// A period of whole days, `from` to `to` inclusive.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn start(self) -> NaiveDateTime {
        self.from.and_time(chrono::NaiveTime::MIN)
    }

    pub fn end(self) -> NaiveDateTime {
        (self.to + chrono::Duration::days(1)).and_time(chrono::NaiveTime::MIN)
    }
}

/// Distinct families with a contact in the period (erased ones counted by pseudonym).
pub fn families_reached(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<i64> {
    let current: i64 = family_contacts::table
        .inner_join(families::table)
        .filter(families::area_id.eq(area_id))
        .filter(family_contacts::occurred_on.between(period.from, period.to))
        .select(count(family_contacts::family_id).aggregate_distinct())
        .first(connection)?;
    let erased: i64 = erased_contacts::table
        .filter(erased_contacts::area_id.eq(area_id))
        .filter(erased_contacts::occurred_on.between(period.from, period.to))
        .select(count(erased_contacts::pseudonym).aggregate_distinct())
        .first(connection)?;
    Ok(current + erased)
}

/// Distinct participating families per initiative type: enrolled by the end of
/// the period in an initiative of the area that was not cancelled.
pub fn participants_by_type(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<HashMap<String, i64>> {
    let current: Vec<(String, String)> = enrolments::table
        .inner_join(initiatives::table)
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiatives::status.ne("cancelled"))
        .filter(enrolments::enrolled_at.lt(period.end()))
        .select((initiatives::initiative_type, enrolments::family_id))
        .distinct()
        .load(connection)?;
    let erased: Vec<(String, String)> = erased_enrolments::table
        .inner_join(initiatives::table)
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiatives::status.ne("cancelled"))
        .filter(erased_enrolments::enrolled_at.lt(period.end()))
        .select((initiatives::initiative_type, erased_enrolments::pseudonym))
        .distinct()
        .load(connection)?;
    let mut counts: HashMap<String, i64> = HashMap::new();
    for (initiative_type, _) in current.into_iter().chain(erased) {
        *counts.entry(initiative_type).or_default() += 1;
    }
    Ok(counts)
}

/// Sessions held in the period, and attendances at them (families that
/// attended, erased ones included, plus open events' anonymous headcounts).
pub fn sessions_held(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<(i64, i64)> {
    let in_period = initiative_sessions::table
        .inner_join(initiatives::table)
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiative_sessions::status.eq("held"))
        .filter(initiative_sessions::held_on.between(period.from, period.to));
    let headcounts: Vec<i32> = in_period
        .select(initiative_sessions::headcount)
        .load(connection)?;
    let sessions = headcounts.len() as i64;
    let anonymous: i64 = headcounts.iter().map(|count| i64::from(*count)).sum();
    let attendance: i64 = session_attendance::table
        .inner_join(initiative_sessions::table.inner_join(initiatives::table))
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiative_sessions::held_on.between(period.from, period.to))
        .select(count_star())
        .first(connection)?;
    let erased: i64 = erased_attendance::table
        .inner_join(initiative_sessions::table.inner_join(initiatives::table))
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiative_sessions::held_on.between(period.from, period.to))
        .select(count_star())
        .first(connection)?;
    Ok((sessions, attendance + erased + anonymous))
}

/// Referrals made in the period, by municipal unit and status.
pub fn referrals_by_unit_and_status(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<Vec<(String, String, i64)>> {
    referrals::table
        .filter(referrals::area_id.eq(area_id))
        .filter(referrals::created_at.ge(period.start()))
        .filter(referrals::created_at.lt(period.end()))
        .group_by((referrals::unit, referrals::status))
        .select((referrals::unit, referrals::status, count_star()))
        .load(connection)
}

/// (requested, accepted) times of referrals accepted in the period.
pub fn acceptance_times(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    referrals::table
        .filter(referrals::area_id.eq(area_id))
        .filter(referrals::accepted_at.ge(period.start()))
        .filter(referrals::accepted_at.lt(period.end()))
        .filter(referrals::requested_at.is_not_null())
        .select((
            referrals::requested_at.assume_not_null(),
            referrals::accepted_at.assume_not_null(),
        ))
        .load(connection)
}

pub fn concern_reports(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<i64> {
    concern_reports::table
        .filter(concern_reports::area_id.eq(area_id))
        .filter(concern_reports::received_at.ge(period.start()))
        .filter(concern_reports::received_at.lt(period.end()))
        .select(count_star())
        .first(connection)
}
