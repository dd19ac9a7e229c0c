//! Idempotency keys: a retried POST with the same key gets the outcome of the
//! first. A record holds what identifies the outcome (status, resource id,
//! version), never a response body. Kept in the database so every instance
//! behind a load balancer sees them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::DbConnection;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    /// Hex digest of the caller's whole principal (subject, role and scope).
    pub caller: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub outcome_status: Option<i32>,
    pub resource_id: Option<String>,
    pub resource_version: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// Claims the key for a request; `Err(existing)` when it was claimed before.
/// A claimed key inserts nothing rather than failing: on PostgreSQL a unique
/// violation would end the surrounding transaction.
pub fn claim(connection: &mut DbConnection, row: &KeyRow) -> QueryResult<Result<(), KeyRow>> {
    let inserted = on_backend!(connection, |backend| diesel::insert_into(
        idempotency_keys::table
    )
    .values(row)
    .on_conflict((idempotency_keys::caller, idempotency_keys::idempotency_key))
    .do_nothing()
    .execute(backend))?;
    if inserted == 1 {
        return Ok(Ok(()));
    }
    let existing = idempotency_keys::table
        .find((&row.caller, &row.idempotency_key))
        .first(connection)?;
    Ok(Err(existing))
}

/// Records the outcome of the request that holds the key.
pub fn complete(
    connection: &mut DbConnection,
    caller: &str,
    key: &str,
    status: i32,
    resource_id: &str,
    version: Option<i32>,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((caller, key)))
        .set((
            idempotency_keys::outcome_status.eq(Some(status)),
            idempotency_keys::resource_id.eq(Some(resource_id)),
            idempotency_keys::resource_version.eq(version),
        ))
        .execute(connection)
        .map(|_| ())
}

/// Gives the key up (the request failed, so a retry may run it again).
pub fn release(connection: &mut DbConnection, caller: &str, key: &str) -> QueryResult<()> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::caller.eq(caller))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::outcome_status.is_null()),
    )
    .execute(connection)
    .map(|_| ())
}

/// Removes a claim left unfinished since before `stale_before` (its request died).
pub fn release_if_stale(
    connection: &mut DbConnection,
    caller: &str,
    key: &str,
    stale_before: NaiveDateTime,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::caller.eq(caller))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::outcome_status.is_null())
            .filter(idempotency_keys::created_at.lt(stale_before)),
    )
    .execute(connection)?;
    Ok(deleted == 1)
}
