//! Idempotency keys: a retried POST with the same key gets the outcome of the
//! first. A record holds what identifies the outcome (status, resource id,
//! version), never a response body. Kept in the database so every instance
//! behind a load balancer sees them.

use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Integer, Nullable, Text};

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
    let completion = Completion {
        caller,
        key,
        status,
        resource_id,
        version,
    };
    on_backend!(connection, |backend| completion.execute(backend)).map(|_| ())
}

/// The UPDATE of [`complete`] as one fixed statement, named by the schema's
/// table and columns. Diesel prepares every UPDATE it builds anew (a changeset
/// may leave out columns, so it does not cache them), and this one runs in
/// every idempotent POST while the write turn is held: its parsing was 2.5 %
/// of the service's CPU under S3 (bench/PROFILE-ROUNDS.md, twenty-first round).
struct Completion<'a> {
    caller: &'a str,
    key: &'a str,
    status: i32,
    resource_id: &'a str,
    version: Option<i32>,
}

impl<DB> QueryFragment<DB> for Completion<'_>
where
    DB: Backend,
    idempotency_keys::table: QueryFragment<DB>,
    i32: ToSql<Integer, DB>,
    str: ToSql<Text, DB>,
    Option<i32>: ToSql<Nullable<Integer>, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        use idempotency_keys::columns;
        out.push_sql("UPDATE ");
        idempotency_keys::table.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        push_column_equals::<_, Integer, _>(&mut out, columns::outcome_status::NAME, &self.status)?;
        out.push_sql(", ");
        push_column_equals::<_, Text, _>(&mut out, columns::resource_id::NAME, self.resource_id)?;
        out.push_sql(", ");
        push_column_equals::<_, Nullable<Integer>, _>(
            &mut out,
            columns::resource_version::NAME,
            &self.version,
        )?;
        out.push_sql(" WHERE ");
        push_column_equals::<_, Text, _>(&mut out, columns::caller::NAME, self.caller)?;
        out.push_sql(" AND ");
        push_column_equals::<_, Text, _>(&mut out, columns::idempotency_key::NAME, self.key)
    }
}

impl QueryId for Completion<'_> {
    type QueryId = Completion<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Conn> RunQueryDsl<Conn> for Completion<'_> {}

/// `column = ?`, with `value` bound as `ST`.
fn push_column_equals<'b, DB, ST, U>(
    out: &mut AstPass<'_, 'b, DB>,
    column: &str,
    value: &'b U,
) -> QueryResult<()>
where
    DB: Backend + HasSqlType<ST>,
    U: ToSql<ST, DB> + ?Sized,
{
    out.push_identifier(column)?;
    out.push_sql(" = ");
    out.push_bind_param::<ST, U>(value)
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
