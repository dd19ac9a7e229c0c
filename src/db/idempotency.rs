//! Idempotency keys: a retried POST with the same key returns the first response.
//! Kept in the database so every instance behind a load balancer sees them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::schema::idempotency_keys;
use super::DbConnection;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    pub subject: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub response_location: Option<String>,
    pub response_etag: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Claims the key for a request; `Err(existing)` when it was claimed before.
pub fn claim(connection: &mut DbConnection, row: &KeyRow) -> QueryResult<Result<(), KeyRow>> {
    match diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(connection)
    {
        Ok(_) => Ok(Ok(())),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            let existing = idempotency_keys::table
                .find((&row.subject, &row.idempotency_key))
                .first(connection)?;
            Ok(Err(existing))
        }
        Err(other) => Err(other),
    }
}

/// Records the response of the request that holds the key.
pub fn complete(
    connection: &mut DbConnection,
    subject: &str,
    key: &str,
    status: i32,
    body: &str,
    location: Option<&str>,
    etag: Option<&str>,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((subject, key)))
        .set((
            idempotency_keys::response_status.eq(Some(status)),
            idempotency_keys::response_body.eq(Some(body)),
            idempotency_keys::response_location.eq(location),
            idempotency_keys::response_etag.eq(etag),
        ))
        .execute(connection)
        .map(|_| ())
}

/// Gives the key up (the request failed, so a retry may run it again).
pub fn release(connection: &mut DbConnection, subject: &str, key: &str) -> QueryResult<()> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::subject.eq(subject))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::response_status.is_null()),
    )
    .execute(connection)
    .map(|_| ())
}

/// Removes a claim left unfinished since before `stale_before` (its request died).
pub fn release_if_stale(
    connection: &mut DbConnection,
    subject: &str,
    key: &str,
    stale_before: NaiveDateTime,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::subject.eq(subject))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::response_status.is_null())
            .filter(idempotency_keys::created_at.lt(stale_before)),
    )
    .execute(connection)?;
    Ok(deleted == 1)
}
