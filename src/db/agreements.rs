//! Stored cooperation agreements and their signatures.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{agreement_signatures, cooperation_agreements};
use super::DbConnection;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = cooperation_agreements, treat_none_as_null = true)]
pub struct AgreementRow {
    pub id: String,
    pub area_id: String,
    pub status: String,
    /// JSON of the terms both sides sign.
    pub terms: String,
    pub supersedes_id: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = agreement_signatures)]
pub struct SignatureRow {
    pub agreement_id: String,
    pub side: String,
    pub unit: Option<String>,
    pub signed_by: String,
    pub signed_at: NaiveDateTime,
}

pub fn insert(connection: &mut DbConnection, row: &AgreementRow) -> QueryResult<()> {
    diesel::insert_into(cooperation_agreements::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<AgreementRow>> {
    cooperation_agreements::table
        .find(id)
        .first(connection)
        .optional()
}

pub fn of_area(
    connection: &mut DbConnection,
    area_id: &str,
    statuses: Option<&[&str]>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AgreementRow>> {
    let mut query = cooperation_agreements::table
        .filter(cooperation_agreements::area_id.eq(area_id))
        .into_boxed();
    if let Some(statuses) = statuses {
        query = query.filter(cooperation_agreements::status.eq_any(statuses.to_vec()));
    }
    if let Some(after_id) = after_id {
        query = query.filter(cooperation_agreements::id.gt(after_id.to_owned()));
    }
    query
        .order(cooperation_agreements::id.asc())
        .limit(limit)
        .load(connection)
}

pub fn signatures_of(
    connection: &mut DbConnection,
    agreement_id: &str,
) -> QueryResult<Vec<SignatureRow>> {
    agreement_signatures::table
        .filter(agreement_signatures::agreement_id.eq(agreement_id))
        .order(agreement_signatures::signed_at.asc())
        .load(connection)
}

/// Stores `row` if still at `version`; `withdraw_signatures` clears those given.
pub fn replace_if_version(
    connection: &mut DbConnection,
    row: &AgreementRow,
    version: i32,
    withdraw_signatures: bool,
) -> QueryResult<bool> {
    let updated = diesel::update(
        cooperation_agreements::table
            .filter(cooperation_agreements::id.eq(&row.id))
            .filter(cooperation_agreements::version.eq(version)),
    )
    .set(row)
    .execute(connection)?;
    if updated == 1 && withdraw_signatures {
        diesel::delete(
            agreement_signatures::table.filter(agreement_signatures::agreement_id.eq(&row.id)),
        )
        .execute(connection)?;
    }
    Ok(updated == 1)
}

pub fn insert_signature(connection: &mut DbConnection, row: &SignatureRow) -> QueryResult<()> {
    diesel::insert_into(agreement_signatures::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

/// The live revision superseding `id` (not withdrawn), if any.
pub fn live_revision_of(connection: &mut DbConnection, id: &str) -> QueryResult<Option<String>> {
    cooperation_agreements::table
        .filter(cooperation_agreements::supersedes_id.eq(id))
        .filter(cooperation_agreements::status.ne("withdrawn"))
        .select(cooperation_agreements::id)
        .first(connection)
        .optional()
}
