//! Secret subscription addresses of calendar feeds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::calendar_links;
use super::sealed::sealed_column_queries;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = calendar_links)]
pub struct CalendarLinkRow {
    pub id: String,
    /// SHA-256 of the token, hex: how a subscription request finds its link.
    pub token_digest: String,
    /// The token sealed with the data key (bound to the id), for replays.
    pub token_sealed: String,
    pub area_id: String,
    /// The initiative whose sessions the link shows; all of the area's when none.
    pub initiative_id: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(connection: &mut DbConnection, row: &CalendarLinkRow) -> QueryResult<()> {
    diesel::insert_into(calendar_links::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<CalendarLinkRow>> {
    calendar_links::table.find(id).first(connection).optional()
}

pub fn find_by_digest(
    connection: &mut DbConnection,
    digest: &str,
) -> QueryResult<Option<CalendarLinkRow>> {
    calendar_links::table
        .filter(calendar_links::token_digest.eq(digest))
        .first(connection)
        .optional()
}

/// A page of the area's links, oldest first, after the link id `after`.
pub fn list(
    connection: &mut DbConnection,
    area_id: &str,
    after: Option<String>,
    limit: i64,
) -> QueryResult<Vec<CalendarLinkRow>> {
    let mut query = calendar_links::table
        .filter(calendar_links::area_id.eq(area_id))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(calendar_links::id.gt(after));
    }
    query
        .order(calendar_links::id.asc())
        .limit(limit)
        .load(connection)
}

pub fn delete(connection: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::delete(calendar_links::table.find(id))
        .execute(connection)
        .map(|_| ())
}

sealed_column_queries!(calendar_links, id, token_sealed);
