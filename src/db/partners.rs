//! The register of organisations an area's team works with.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::partners;
use super::DbConnection;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = partners, treat_none_as_null = true)]
pub struct PartnerRow {
    pub id: String,
    pub area_id: String,
    pub name: String,
    pub kind: String,
    pub role: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(connection: &mut DbConnection, row: &PartnerRow) -> QueryResult<()> {
    diesel::insert_into(partners::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<PartnerRow>> {
    partners::table.find(id).first(connection).optional()
}

/// A page of the area's partners by name, after (name, id).
pub fn list(
    connection: &mut DbConnection,
    area_id: &str,
    after: Option<(String, String)>,
    limit: i64,
) -> QueryResult<Vec<PartnerRow>> {
    let mut query = partners::table
        .filter(partners::area_id.eq(area_id))
        .into_boxed();
    if let Some((name, id)) = after {
        query = query.filter(
            partners::name
                .gt(name.clone())
                .or(partners::name.eq(name).and(partners::id.gt(id))),
        );
    }
    query
        .order((partners::name.asc(), partners::id.asc()))
        .limit(limit)
        .load(connection)
}

/// Of `ids`, those of partners of `area_id`.
pub fn of_area(
    connection: &mut DbConnection,
    area_id: &str,
    ids: &[String],
) -> QueryResult<Vec<PartnerRow>> {
    partners::table
        .filter(partners::area_id.eq(area_id))
        .filter(partners::id.eq_any(ids))
        .load(connection)
}

/// Stores `row` if the stored version is still `version`.
pub fn replace_if_version(
    connection: &mut DbConnection,
    row: &PartnerRow,
    version: i32,
) -> QueryResult<bool> {
    let updated = diesel::update(
        partners::table
            .filter(partners::id.eq(&row.id))
            .filter(partners::version.eq(version)),
    )
    .set(row)
    .execute(connection)?;
    Ok(updated == 1)
}
