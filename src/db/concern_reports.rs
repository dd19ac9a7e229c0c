//! Stored concern reports.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::concern_reports;
use super::sealed::sealed_by;
use super::{changes, DbConnection};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::changes::{Audience, ChangeType};

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = concern_reports, treat_none_as_null = true)]
pub struct ConcernRow {
    pub id: String,
    pub family_id: Option<String>,
    pub area_id: String,
    pub municipality_code: String,
    pub child_birth_year: i32,
    pub child_description: Option<String>,
    pub observation: String,
    pub observed_on: NaiveDate,
    /// The reporter's judgement.
    pub urgent: i32,
    pub reported_by: String,
    pub received_at: NaiveDateTime,
    pub acknowledge_due_at: NaiveDateTime,
    pub urgency_assessment_due_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
    pub updated_at: NaiveDateTime,
    pub child_name: Option<String>,
    /// Sealed (encrypted) with the data key; never clear text.
    pub child_cpr_encrypted: Option<String>,
    pub child_birth_date: Option<NaiveDate>,
    pub child_address: Option<String>,
    /// JSON array of the parents and guardians.
    pub parents: String,
    pub child_statement: Option<String>,
    pub parents_informed: i32,
    pub parents_not_informed_reason: Option<String>,
    /// JSON of the reporter's name and call-back details.
    pub reporter: String,
    /// The unit that received it (the municipality's choice at the time).
    pub receiving_unit: String,
    pub urgency_assessed_at: Option<NaiveDateTime>,
    pub urgency_assessed_by: Option<String>,
    /// The unit's judgement.
    pub assessed_urgent: Option<i32>,
    pub urgency_note: Option<String>,
    /// JSON of the unit's feedback to the reporter.
    pub feedback: Option<String>,
}

pub fn insert(connection: &mut DbConnection, row: &ConcernRow) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::insert_into(concern_reports::table)
            .values(row)
            .execute(connection)?;
        record_change(connection, row, ChangeType::ConcernReportReceived)
    })
}

/// Records `change` of `row` for its two ends; its urgency assessment is case
/// work of the receiving unit, which the reporter does not learn of.
fn record_change(
    connection: &mut DbConnection,
    row: &ConcernRow,
    change: ChangeType,
) -> QueryResult<()> {
    let unit = MunicipalUnit::parse(&row.receiving_unit).map_err(|_| {
        diesel::result::Error::DeserializationError(
            "stored concern report has an invalid receiving unit".into(),
        )
    })?;
    let reporter_learns = change != ChangeType::ConcernReportUrgencyAssessed;
    let audience = Audience::ends(
        &row.area_id,
        reporter_learns,
        &row.municipality_code,
        unit,
        true,
    );
    changes::record(connection, change, &row.id, &audience)
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<ConcernRow>> {
    concern_reports::table.find(id).first(connection).optional()
}

/// Stores the handled report, recording `change` in the feed.
pub fn replace(
    connection: &mut DbConnection,
    row: &ConcernRow,
    change: ChangeType,
) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::update(concern_reports::table.find(&row.id))
            .set(row)
            .execute(connection)?;
        record_change(connection, row, change)
    })
}

pub fn of_family(connection: &mut DbConnection, family_id: &str) -> QueryResult<Vec<ConcernRow>> {
    concern_reports::table
        .filter(concern_reports::family_id.eq(family_id))
        .order(concern_reports::id.asc())
        .load(connection)
}

/// Up to `limit` (id, sealed CPR number) pairs after `after_id` sealed with
/// none of `keys` (the keys' ids), in id order.
pub fn sealed_outside(
    connection: &mut DbConnection,
    keys: &[&str],
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    let mut query = concern_reports::table
        .select((
            concern_reports::id,
            concern_reports::child_cpr_encrypted.assume_not_null(),
        ))
        .filter(concern_reports::child_cpr_encrypted.is_not_null())
        .into_boxed();
    for key in keys {
        query = query.filter(concern_reports::child_cpr_encrypted.not_like(sealed_by(key)));
    }
    if let Some(after) = after_id {
        query = query.filter(concern_reports::id.gt(after.to_owned()));
    }
    query
        .order(concern_reports::id.asc())
        .limit(limit)
        .load(connection)
}

/// How many CPR numbers are sealed with none of `keys`.
pub fn count_sealed_outside(connection: &mut DbConnection, keys: &[&str]) -> QueryResult<i64> {
    let mut query = concern_reports::table
        .filter(concern_reports::child_cpr_encrypted.is_not_null())
        .into_boxed();
    for key in keys {
        query = query.filter(concern_reports::child_cpr_encrypted.not_like(sealed_by(key)));
    }
    query.count().get_result(connection)
}

pub fn set_sealed_cpr(connection: &mut DbConnection, id: &str, sealed: &str) -> QueryResult<()> {
    diesel::update(concern_reports::table.find(id))
        .set(concern_reports::child_cpr_encrypted.eq(Some(sealed)))
        .execute(connection)
        .map(|_| ())
}

/// Which concern reports a list shows: those a unit received, or some areas'.
#[derive(Debug, Clone)]
pub enum ConcernScope {
    Received { municipality: String, unit: String },
    Areas(Vec<String>),
}

#[derive(Debug)]
pub struct ConcernFilter {
    pub scope: ConcernScope,
    /// Only reports past a deadline (acknowledgement or urgency assessment) as
    /// of the time given (`true`), or within both (`false`).
    pub overdue: Option<(bool, NaiveDateTime)>,
    pub acknowledged: Option<bool>,
    pub updated_since: Option<NaiveDateTime>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(connection: &mut DbConnection, filter: &ConcernFilter) -> QueryResult<Vec<ConcernRow>> {
    let mut query = concern_reports::table.into_boxed();
    match &filter.scope {
        ConcernScope::Received { municipality, unit } => {
            query = query
                .filter(concern_reports::municipality_code.eq(municipality.clone()))
                .filter(concern_reports::receiving_unit.eq(unit.clone()))
        }
        ConcernScope::Areas(ids) => {
            query = query.filter(concern_reports::area_id.eq_any(ids.clone()))
        }
    }
    if let Some((overdue, now)) = filter.overdue {
        let past_a_deadline = concern_reports::acknowledged_at
            .is_null()
            .and(concern_reports::acknowledge_due_at.lt(now))
            .or(concern_reports::urgency_assessed_at
                .is_null()
                .and(concern_reports::urgency_assessment_due_at.lt(now)));
        query = if overdue {
            query.filter(past_a_deadline)
        } else {
            query.filter(diesel::dsl::not(past_a_deadline))
        };
    }
    match filter.acknowledged {
        Some(true) => query = query.filter(concern_reports::acknowledged_at.is_not_null()),
        Some(false) => query = query.filter(concern_reports::acknowledged_at.is_null()),
        None => {}
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(concern_reports::updated_at.ge(since));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(concern_reports::id.gt(after.clone()));
    }
    query
        .order(concern_reports::id.asc())
        .limit(filter.limit)
        .load(connection)
}
