//! Stored per-municipality settings.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::municipality_settings;
use super::DbConnection;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = municipality_settings)]
pub struct SettingsRow {
    pub municipality_code: String,
    pub concern_report_unit: String,
    /// JSON array of unit codes.
    pub signatory_units: String,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

pub fn find(connection: &mut DbConnection, code: &str) -> QueryResult<Option<SettingsRow>> {
    municipality_settings::table
        .find(code)
        .first(connection)
        .optional()
}

/// Stores `row` if the stored settings are still at `expected_version` (0: none yet).
pub fn save_if_version(
    connection: &mut DbConnection,
    row: &SettingsRow,
    expected_version: i32,
) -> QueryResult<bool> {
    if expected_version == 0 {
        return match diesel::insert_into(municipality_settings::table)
            .values(row)
            .execute(connection)
        {
            Ok(_) => Ok(true),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => Ok(false),
            Err(other) => Err(other),
        };
    }
    let updated = diesel::update(
        municipality_settings::table
            .filter(municipality_settings::municipality_code.eq(&row.municipality_code))
            .filter(municipality_settings::version.eq(expected_version)),
    )
    .set(row)
    .execute(connection)?;
    Ok(updated == 1)
}
