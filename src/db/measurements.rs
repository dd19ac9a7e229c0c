//! Stored answers of families to their initiatives' goals.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::measurements;
use super::{from_json, DbConnection};
use crate::domain::outcomes::{Answer, Measured, Phase};
use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = measurements)]
pub struct MeasurementRow {
    pub id: String,
    pub initiative_id: String,
    /// Cleared when the family is erased; the answers stay, anonymous.
    pub family_id: Option<String>,
    /// Pairs a family's phases within one initiative.
    pub participant: String,
    pub phase: String,
    pub measured_on: NaiveDate,
    /// JSON array of answers.
    pub answers: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

impl MeasurementRow {
    pub fn answers(&self) -> Result<Vec<Answer>, ApiError> {
        from_json(&self.answers, "answers")
    }

    pub fn phase(&self) -> Result<Phase, ApiError> {
        Phase::parse(&self.phase)
            .ok_or_else(|| ApiError::internal("stored measurement has an invalid phase"))
    }
}

/// The pairing key of `family_id` in `initiative_id`: the one its earlier
/// answers carry, or a new random one.
pub fn participant_of(
    connection: &mut DbConnection,
    initiative_id: &str,
    family_id: &str,
) -> QueryResult<String> {
    let known: Option<String> = measurements::table
        .filter(measurements::initiative_id.eq(initiative_id))
        .filter(measurements::family_id.eq(family_id))
        .select(measurements::participant)
        .first(connection)
        .optional()?;
    Ok(known.unwrap_or_else(|| Uuid::new_v4().to_string()))
}

pub fn is_measured(
    connection: &mut DbConnection,
    initiative_id: &str,
    participant: &str,
    phase: Phase,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        measurements::table
            .filter(measurements::initiative_id.eq(initiative_id))
            .filter(measurements::participant.eq(participant))
            .filter(measurements::phase.eq(phase.code())),
    ))
    .get_result(connection)
}

pub fn insert(connection: &mut DbConnection, row: &MeasurementRow) -> QueryResult<()> {
    diesel::insert_into(measurements::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<MeasurementRow>> {
    measurements::table.find(id).first(connection).optional()
}

/// A page of an initiative's measurements of families still on record,
/// ordered by id (ids grow with time).
pub fn list(
    connection: &mut DbConnection,
    initiative_id: &str,
    family_id: Option<&str>,
    phase: Option<Phase>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<MeasurementRow>> {
    let mut query = measurements::table
        .filter(measurements::initiative_id.eq(initiative_id))
        .filter(measurements::family_id.is_not_null())
        .into_boxed();
    if let Some(family_id) = family_id {
        query = query.filter(measurements::family_id.eq(family_id.to_owned()));
    }
    if let Some(phase) = phase {
        query = query.filter(measurements::phase.eq(phase.code()));
    }
    if let Some(after_id) = after_id {
        query = query.filter(measurements::id.gt(after_id.to_owned()));
    }
    query
        .order(measurements::id.asc())
        .limit(limit)
        .load(connection)
}

pub fn of_family(
    connection: &mut DbConnection,
    family_id: &str,
) -> QueryResult<Vec<MeasurementRow>> {
    measurements::table
        .filter(measurements::family_id.eq(family_id))
        .order(measurements::id.asc())
        .load(connection)
}

/// The keys of the goals of `initiative_id` that have answers.
pub fn answered_goals(
    connection: &mut DbConnection,
    initiative_id: &str,
) -> Result<Vec<String>, ApiError> {
    let stored: Vec<String> = measurements::table
        .filter(measurements::initiative_id.eq(initiative_id))
        .select(measurements::answers)
        .load(connection)?;
    let mut keys: Vec<String> = Vec::new();
    for answers in stored {
        for answer in from_json::<Vec<Answer>>(&answers, "answers")? {
            if !keys.contains(&answer.goal) {
                keys.push(answer.goal);
            }
        }
    }
    Ok(keys)
}

/// Every answer of `initiative_id` measured from `from` to `to`, families
/// erased or not, as results count them.
pub fn measured_between(
    connection: &mut DbConnection,
    initiative_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Measured>, ApiError> {
    let rows: Vec<MeasurementRow> = measurements::table
        .filter(measurements::initiative_id.eq(initiative_id))
        .filter(measurements::measured_on.between(from, to))
        .load(connection)?;
    rows.into_iter()
        .map(|row| {
            Ok(Measured {
                phase: row.phase()?,
                answers: row.answers()?,
                participant: row.participant,
            })
        })
        .collect()
}

/// Erasure: the family's answers stay for the results, with no link to it
/// (a new id, so nothing recorded about the old one points here) and no time
/// of day.
pub fn anonymise_family(connection: &mut DbConnection, family_id: &str) -> QueryResult<usize> {
    let rows: Vec<MeasurementRow> = measurements::table
        .filter(measurements::family_id.eq(family_id))
        .load(connection)?;
    for row in &rows {
        diesel::update(measurements::table.find(&row.id))
            .set((
                measurements::id.eq(Uuid::new_v4().to_string()),
                measurements::family_id.eq(None::<String>),
                measurements::recorded_by.eq(""),
                measurements::recorded_at.eq(row.measured_on.and_time(chrono::NaiveTime::MIN)),
            ))
            .execute(connection)?;
    }
    Ok(rows.len())
}
