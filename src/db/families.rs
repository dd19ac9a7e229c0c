//! Stored families (individual data) with their contact log and consents.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{consents, families, family_contacts};
use super::{changes, from_json, to_json, DbConnection};
use crate::domain::changes::{Audience, ChangeType};
use crate::domain::family::{ContactDetails, FamilyRecord, Household};
use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = families, treat_none_as_null = true)]
pub struct FamilyRow {
    pub id: String,
    pub area_id: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub adults: i32,
    pub children: i32,
    /// JSON array of years.
    pub children_birth_years: String,
    /// JSON array of languages.
    pub languages: String,
    pub interpreter_needed: i32,
    pub notes: Option<String>,
    pub version: i32,
    #[diesel(deserialize_as = super::timestamp::StoredTimestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamp::StoredTimestamp)]
    pub updated_at: NaiveDateTime,
}

impl FamilyRow {
    /// The stored form of a validated record, changed now.
    pub fn from_record(
        id: String,
        area_id: String,
        record: &FamilyRecord,
        version: i32,
        created_at: chrono::NaiveDateTime,
    ) -> Self {
        Self {
            id,
            area_id,
            display_name: record.display_name.clone(),
            phone: record.contact.phone.clone(),
            email: record.contact.email.clone(),
            address: record.contact.address.clone(),
            adults: record.household.adults as i32,
            children: record.household.children as i32,
            children_birth_years: to_json(&record.household.children_birth_years),
            languages: to_json(&record.languages),
            interpreter_needed: i32::from(record.interpreter_needed),
            notes: record.notes.clone(),
            version,
            created_at,
            updated_at: super::now(),
        }
    }

    /// The family record this row stores.
    pub fn record(&self) -> Result<FamilyRecord, ApiError> {
        Ok(FamilyRecord {
            display_name: self.display_name.clone(),
            contact: ContactDetails {
                phone: self.phone.clone(),
                email: self.email.clone(),
                address: self.address.clone(),
            },
            household: Household {
                adults: i64::from(self.adults),
                children: i64::from(self.children),
                children_birth_years: from_json(&self.children_birth_years, "birth years")?,
            },
            languages: from_json(&self.languages, "languages")?,
            interpreter_needed: self.interpreter_needed != 0,
            notes: self.notes.clone(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = family_contacts)]
pub struct ContactRow {
    pub id: String,
    pub family_id: String,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = consents)]
pub struct ConsentRow {
    pub id: String,
    pub family_id: String,
    pub receiving_unit: String,
    pub purpose: String,
    /// JSON array of data category codes.
    pub data_categories: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub given_as: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_by: Option<String>,
    pub given_by_name: Option<String>,
    pub given_by_relation: Option<String>,
    pub document_reference: Option<String>,
}

#[derive(Debug)]
pub struct FamilyFilter {
    /// The areas the caller works in; families elsewhere are never listed.
    pub area_ids: Vec<String>,
    pub updated_since: Option<NaiveDateTime>,
    /// Only families with a consent in force (today, the first) that runs out
    /// before the second day: those whose consent needs renewing.
    pub consent_expiring: Option<(NaiveDate, NaiveDate)>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(connection: &mut DbConnection, filter: &FamilyFilter) -> QueryResult<Vec<FamilyRow>> {
    on_backend!(connection, |backend| {
        let mut query = families::table
            .filter(families::area_id.eq_any(filter.area_ids.clone()))
            .into_boxed();
        if let Some(since) = filter.updated_since {
            query = query.filter(families::updated_at.ge(since));
        }
        if let Some((today, before)) = filter.consent_expiring {
            let expiring = consents::table
                .filter(consents::withdrawn_at.is_null())
                .filter(consents::valid_until.ge(today))
                .filter(consents::valid_until.lt(before))
                .select(consents::family_id);
            query = query.filter(families::id.eq_any(expiring));
        }
        if let Some(after) = &filter.after_id {
            query = query.filter(families::id.gt(after.clone()));
        }
        query
            .order(families::id.asc())
            .limit(filter.limit)
            .load(backend)
    })
}

/// The stored families among `ids`, in any order: one statement, kept prepared on
/// PostgreSQL (`id = ANY($1)`).
pub fn find_all(connection: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<FamilyRow>> {
    on_backend!(connection, |backend| families::table
        .filter(families::id.eq_any(ids))
        .load(backend))
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<FamilyRow>> {
    // The key finds one row at most, so no `LIMIT` (and its bind) is sent.
    on_backend!(connection, |backend| families::table
        .find(id)
        .get_result(backend)
        .optional())
}

pub fn insert(connection: &mut DbConnection, row: &FamilyRow) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::insert_into(families::table)
            .values(row)
            .execute(connection)?;
        let audience = Audience::housing(&row.area_id);
        changes::record(connection, ChangeType::FamilyCreated, &row.id, &audience)
    })
}

pub fn replace_if_version(
    connection: &mut DbConnection,
    row: &FamilyRow,
    expected_version: i32,
) -> QueryResult<bool> {
    super::write_transaction(connection, |connection| {
        let updated = diesel::update(
            families::table
                .filter(families::id.eq(&row.id))
                .filter(families::version.eq(expected_version)),
        )
        .set(row)
        .execute(connection)?;
        if updated == 1 {
            let audience = Audience::housing(&row.area_id);
            changes::record(connection, ChangeType::FamilyChanged, &row.id, &audience)?;
        }
        Ok(updated == 1)
    })
}

/// Marks the family as changed (a new contact, consent or withdrawal).
pub fn touch(connection: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::update(families::table.find(id))
            .set((
                families::updated_at.eq(at),
                families::version.eq(families::version + 1),
            ))
            .execute(connection)?;
        let area_id: String = families::table
            .find(id)
            .select(families::area_id)
            .first(connection)?;
        changes::record(
            connection,
            ChangeType::FamilyChanged,
            id,
            &Audience::housing(&area_id),
        )
    })
}

pub fn contacts_of(connection: &mut DbConnection, family_id: &str) -> QueryResult<Vec<ContactRow>> {
    contacts_page(connection, family_id, None, i64::MAX)
}

/// A page of a family's contact log, newest first, after the entry (day, id) of `after`.
pub fn contacts_page(
    connection: &mut DbConnection,
    family_id: &str,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> QueryResult<Vec<ContactRow>> {
    let mut query = family_contacts::table
        .filter(family_contacts::family_id.eq(family_id))
        .into_boxed();
    if let Some((day, id)) = after {
        query = query.filter(
            family_contacts::occurred_on
                .lt(day)
                .or(family_contacts::occurred_on
                    .eq(day)
                    .and(family_contacts::id.lt(id))),
        );
    }
    query
        .order((
            family_contacts::occurred_on.desc(),
            family_contacts::id.desc(),
        ))
        .limit(limit)
        .load(connection)
}

pub fn find_contact(connection: &mut DbConnection, id: &str) -> QueryResult<Option<ContactRow>> {
    family_contacts::table.find(id).first(connection).optional()
}

pub fn insert_contact(connection: &mut DbConnection, row: &ContactRow) -> QueryResult<()> {
    diesel::insert_into(family_contacts::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

pub fn consents_of(connection: &mut DbConnection, family_id: &str) -> QueryResult<Vec<ConsentRow>> {
    consents_page(connection, family_id, None, None, i64::MAX)
}

/// A page of a family's consents in the order they were recorded; with
/// `expiring_before`, only those still in force that run out before that day.
pub fn consents_page(
    connection: &mut DbConnection,
    family_id: &str,
    expiring_before: Option<(NaiveDate, NaiveDate)>,
    after_id: Option<String>,
    limit: i64,
) -> QueryResult<Vec<ConsentRow>> {
    let mut query = consents::table
        .filter(consents::family_id.eq(family_id))
        .into_boxed();
    if let Some((today, before)) = expiring_before {
        query = query
            .filter(consents::withdrawn_at.is_null())
            .filter(consents::valid_until.ge(today))
            .filter(consents::valid_until.lt(before));
    }
    if let Some(after) = after_id {
        query = query.filter(consents::id.gt(after));
    }
    query
        .order(consents::id.asc())
        .limit(limit)
        .load(connection)
}

pub fn find_consent(connection: &mut DbConnection, id: &str) -> QueryResult<Option<ConsentRow>> {
    consents::table.find(id).first(connection).optional()
}

pub fn insert_consent(connection: &mut DbConnection, row: &ConsentRow) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

pub fn withdraw_consent(
    connection: &mut DbConnection,
    id: &str,
    at: NaiveDateTime,
    by: &str,
) -> QueryResult<()> {
    diesel::update(consents::table.find(id))
        .set((
            consents::withdrawn_at.eq(Some(at)),
            consents::withdrawn_by.eq(Some(by)),
        ))
        .execute(connection)
        .map(|_| ())
}
