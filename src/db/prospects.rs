//! Stored prospects and the steps of reaching them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{prospect_steps, prospects};
use super::statistics::Period;
use super::DbConnection;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = prospects, treat_none_as_null = true)]
pub struct ProspectRow {
    pub id: String,
    pub area_id: String,
    /// Cleared on erasure.
    pub display_name: Option<String>,
    pub source_kind: String,
    pub status: String,
    pub fathers_targeted: i32,
    /// The family record it became when engaged.
    pub family_id: Option<String>,
    pub identified_on: NaiveDate,
    pub engaged_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub erased_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = prospect_steps)]
pub struct StepRow {
    pub id: String,
    pub prospect_id: String,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub status_after: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

pub fn insert(connection: &mut DbConnection, row: &ProspectRow) -> QueryResult<()> {
    diesel::insert_into(prospects::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

/// A prospect not erased.
pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<ProspectRow>> {
    prospects::table
        .find(id)
        .filter(prospects::erased_at.is_null())
        .first(connection)
        .optional()
}

/// A page of prospects (not erased) of the given areas, newest first by id.
pub fn list(
    connection: &mut DbConnection,
    area_ids: &[String],
    status: Option<&str>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ProspectRow>> {
    let mut query = prospects::table
        .filter(prospects::area_id.eq_any(area_ids))
        .filter(prospects::erased_at.is_null())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(prospects::status.eq(status.to_owned()));
    }
    if let Some(after_id) = after_id {
        query = query.filter(prospects::id.gt(after_id.to_owned()));
    }
    query
        .order(prospects::id.asc())
        .limit(limit)
        .load(connection)
}

pub fn steps_of(connection: &mut DbConnection, prospect_id: &str) -> QueryResult<Vec<StepRow>> {
    prospect_steps::table
        .filter(prospect_steps::prospect_id.eq(prospect_id))
        .order((prospect_steps::occurred_on.asc(), prospect_steps::id.asc()))
        .load(connection)
}

/// Stores a step and the prospect as it stands after it, if still at `version`.
pub fn add_step(
    connection: &mut DbConnection,
    row: &ProspectRow,
    step: &StepRow,
    version: i32,
) -> QueryResult<bool> {
    let updated = diesel::update(
        prospects::table
            .filter(prospects::id.eq(&row.id))
            .filter(prospects::version.eq(version)),
    )
    .set(row)
    .execute(connection)?;
    if updated == 1 {
        diesel::insert_into(prospect_steps::table)
            .values(step)
            .execute(connection)?;
    }
    Ok(updated == 1)
}

/// Erasure: the name goes, the steps' recorder goes, the rest stays for the funnel.
pub fn erase(connection: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::update(prospect_steps::table.filter(prospect_steps::prospect_id.eq(id)))
        .set(prospect_steps::recorded_by.eq(""))
        .execute(connection)?;
    diesel::update(prospects::table.find(id))
        .set((
            prospects::display_name.eq(None::<String>),
            prospects::family_id.eq(None::<String>),
            prospects::erased_at.eq(Some(super::now())),
        ))
        .execute(connection)
}

/// A prospect as the funnel counts it: source kind, status, identified on, engaged on.
pub type FunnelEntry = (String, String, NaiveDate, Option<NaiveDate>);

/// The area's prospects identified in the period, erased ones included.
pub fn funnel(
    connection: &mut DbConnection,
    area_id: &str,
    period: Period,
) -> QueryResult<Vec<FunnelEntry>> {
    prospects::table
        .filter(prospects::area_id.eq(area_id))
        .filter(prospects::identified_on.between(period.from, period.to))
        .select((
            prospects::source_kind,
            prospects::status,
            prospects::identified_on,
            prospects::engaged_on,
        ))
        .load(connection)
}

pub fn insert_step(connection: &mut DbConnection, row: &StepRow) -> QueryResult<()> {
    diesel::insert_into(prospect_steps::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}
