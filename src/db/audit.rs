//! The audit trail: append-only (the database refuses UPDATE and DELETE), and
//! the count of repeated denied attempts beside it.

use chrono::{NaiveDateTime, Timelike};
use diesel::prelude::*;

use super::schema::{
    audit_events, concern_reports, consents, denied_attempts, families, initiatives, referrals,
};
use super::DbConnection;

/// Absent values are bound as NULL rather than written as DEFAULT, so an
/// event's insert is the same statement whichever fields it has, and stays in
/// the connection's statement cache.
#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct AuditRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub role: String,
    pub organisation: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub family_id: Option<String>,
    pub outcome: String,
    pub request_id: Option<String>,
    /// The area the access concerned, when known.
    pub area_id: Option<String>,
}

/// Adds stored events to the service's metrics, whichever way they were written.
fn count_written(events: usize) {
    crate::metrics::AUDIT_WRITES.fetch_add(events as u64, std::sync::atomic::Ordering::Relaxed);
}

pub fn insert(connection: &mut DbConnection, row: &AuditRow) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(row)
        .execute(connection)?;
    count_written(1);
    Ok(())
}

/// Appends several events at once (a list that reads many families, a group
/// of reads from the audit committer).
pub fn insert_all(connection: &mut DbConnection, rows: &[AuditRow]) -> QueryResult<()> {
    // One event (a write's) as a one-row insert: PostgreSQL keeps that
    // statement prepared, and it takes one round trip where COPY takes two.
    if let [row] = rows {
        return insert(connection, row);
    }
    match connection {
        // COPY in binary: a multi-row insert is a new statement for every
        // number of rows, which PostgreSQL parses and plans each time; COPY
        // cut PostgreSQL's work per page of 50 families by about 40 %.
        DbConnection::Postgresql(pg) => {
            diesel::copy_from(audit_events::table)
                .from_insertable(rows)
                .execute(pg)?;
        }
        // Row by row: SQLite has no round trip to save, and a one-row insert
        // is prepared once per connection.
        DbConnection::Sqlite(sqlite) => {
            for row in rows {
                diesel::insert_into(audit_events::table)
                    .values(row)
                    .execute(sqlite)?;
            }
        }
    }
    count_written(rows.len());
    Ok(())
}

/// The insert of [`append_on_sqlite`], in the columns of [`AuditRow`].
const INSERT_EVENT_ON_SQLITE: &str = "INSERT INTO audit_events (id, occurred_at, actor, role, \
     organisation, action, resource_type, resource_id, family_id, outcome, request_id, area_id) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// Appends a group of events in one transaction, on the audit committer's own
/// SQLite connection. Every audited read on SQLite waits for a commit on that
/// one connection, so its cost per event bounds them all; diesel's query builder walks an
/// event's twelve values several times per insert, even with the statement
/// cached, and that was 40 % of the committer's work per event. Values are
/// stored as diesel stores them (timestamps as `%F %T%.f` text, which chrono's
/// `Display` writes without parsing a format string per event); a test
/// compares the two.
pub fn append_on_sqlite<'a>(
    connection: &mut rusqlite::Connection,
    rows: impl IntoIterator<Item = &'a AuditRow>,
) -> rusqlite::Result<()> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut appended = 0;
    {
        let mut insert = transaction.prepare_cached(INSERT_EVENT_ON_SQLITE)?;
        for row in rows {
            insert.execute(rusqlite::params![
                row.id,
                row.occurred_at.to_string(),
                row.actor,
                row.role,
                row.organisation,
                row.action,
                row.resource_type,
                row.resource_id,
                row.family_id,
                row.outcome,
                row.request_id,
                row.area_id,
            ])?;
            appended += 1;
        }
    }
    transaction.commit()?;
    count_written(appended);
    Ok(())
}

/// Records a denied attempt: the first of its caller, route and `minute` as an
/// event, later ones only counted. Returns whether an event was written.
pub fn record_denied(
    connection: &mut DbConnection,
    row: &AuditRow,
    minute: NaiveDateTime,
) -> QueryResult<bool> {
    let counted = (
        denied_attempts::minute.eq(minute),
        denied_attempts::actor.eq(&row.actor),
        denied_attempts::action.eq(&row.action),
        denied_attempts::attempts.eq(1),
    );
    let key = (
        denied_attempts::minute,
        denied_attempts::actor,
        denied_attempts::action,
    );
    let attempts: i32 = match connection {
        DbConnection::Postgresql(pg) => diesel::insert_into(denied_attempts::table)
            .values(counted)
            .on_conflict(key)
            .do_update()
            .set(denied_attempts::attempts.eq(denied_attempts::attempts + 1))
            .returning(denied_attempts::attempts)
            .get_result(pg)?,
        DbConnection::Sqlite(sqlite) => diesel::insert_into(denied_attempts::table)
            .values(counted)
            .on_conflict(key)
            .do_update()
            .set(denied_attempts::attempts.eq(denied_attempts::attempts + 1))
            .returning(denied_attempts::attempts)
            .get_result(sqlite)?,
    };
    if attempts == 1 {
        insert(connection, row)?;
    }
    Ok(attempts == 1)
}

/// How many attempts each denied event stands for (1 for every other event).
pub fn attempts_of(connection: &mut DbConnection, row: &AuditRow) -> QueryResult<i64> {
    if row.outcome != "denied" {
        return Ok(1);
    }
    let minute = row
        .occurred_at
        .with_second(0)
        .and_then(|at| at.with_nanosecond(0))
        .unwrap_or(row.occurred_at);
    let attempts: Option<i32> = denied_attempts::table
        .find((minute, &row.actor, &row.action))
        .select(denied_attempts::attempts)
        .first(connection)
        .optional()?;
    Ok(i64::from(attempts.unwrap_or(1)))
}

/// The area of the record a route names by `id`, if it exists.
pub fn area_of(
    connection: &mut DbConnection,
    resource_type: &str,
    family_route: bool,
    id: &str,
) -> QueryResult<Option<String>> {
    if family_route {
        return families::table
            .find(id)
            .select(families::area_id)
            .first(connection)
            .optional();
    }
    match resource_type {
        "referral" => referrals::table
            .find(id)
            .select(referrals::area_id)
            .first(connection)
            .optional(),
        "concern_report" => concern_reports::table
            .find(id)
            .select(concern_reports::area_id)
            .first(connection)
            .optional(),
        "consent" => consents::table
            .inner_join(families::table)
            .filter(consents::id.eq(id))
            .select(families::area_id)
            .first(connection)
            .optional(),
        "enrolment" | "attendance" => initiatives::table
            .find(id)
            .select(initiatives::area_id)
            .first(connection)
            .optional(),
        _ => Ok(None),
    }
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Only events of these areas, or of no area; `None` for every event.
    pub areas: Option<Vec<String>>,
    pub family_id: Option<String>,
    pub actor: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub after_id: Option<String>,
    pub limit: i64,
    /// Newest first (for a bounded excerpt), instead of oldest first.
    pub newest_first: bool,
}

pub fn list(connection: &mut DbConnection, filter: &AuditFilter) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_events::table.into_boxed();
    if let Some(areas) = &filter.areas {
        query = query.filter(
            audit_events::area_id
                .eq_any(areas.clone())
                .or(audit_events::area_id.is_null()),
        );
    }
    if let Some(family_id) = &filter.family_id {
        query = query.filter(audit_events::family_id.eq(family_id.clone()));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_events::actor.eq(actor.clone()));
    }
    if let Some(resource_type) = &filter.resource_type {
        query = query.filter(audit_events::resource_type.eq(resource_type.clone()));
    }
    if let Some(resource_id) = &filter.resource_id {
        query = query.filter(audit_events::resource_id.eq(resource_id.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(to));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(audit_events::id.gt(after.clone()));
    }
    query = if filter.newest_first {
        query.order(audit_events::id.desc())
    } else {
        query.order(audit_events::id.asc())
    };
    query.limit(filter.limit).load(connection)
}

/// How many events concern `family_id`.
pub fn count_of_family(connection: &mut DbConnection, family_id: &str) -> QueryResult<i64> {
    audit_events::table
        .filter(audit_events::family_id.eq(family_id))
        .count()
        .get_result(connection)
}
