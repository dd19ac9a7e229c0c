//! The audit trail: append-only (the database refuses UPDATE and DELETE).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_events;
use super::DbConnection;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(table_name = audit_events)]
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
}

pub fn insert(connection: &mut DbConnection, row: &AuditRow) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(row)
        .execute(connection)?;
    crate::metrics::AUDIT_WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// Appends several events in one statement (a list that reads many families).
pub fn insert_all(connection: &mut DbConnection, rows: &[AuditRow]) -> QueryResult<()> {
    for chunk in rows.chunks(500) {
        match connection {
            DbConnection::Postgresql(pg) => diesel::insert_into(audit_events::table)
                .values(chunk)
                .execute(pg)?,
            DbConnection::Sqlite(sqlite) => diesel::insert_into(audit_events::table)
                .values(chunk)
                .execute(sqlite)?,
        };
    }
    crate::metrics::AUDIT_WRITES.fetch_add(rows.len() as u64, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub family_id: Option<String>,
    pub actor: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(connection: &mut DbConnection, filter: &AuditFilter) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_events::table.into_boxed();
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
    query
        .order(audit_events::id.asc())
        .limit(filter.limit)
        .load(connection)
}
