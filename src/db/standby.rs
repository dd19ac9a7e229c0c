//! A PostgreSQL standby (in recovery) is read-only: migrations cannot run and
//! diesel's migration harness cannot even look (it creates its table first), so
//! the applied migrations are read here directly.

use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel::PgConnection;

use super::POSTGRES_MIGRATIONS;

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Whether the server is a standby (hot standby in recovery): it refuses writes.
pub fn is_standby(connection: &mut PgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::sql::<Bool>("pg_is_in_recovery()")).get_result(connection)
}

/// How many of this build's migrations the standby's database lacks.
pub fn pending_migrations(connection: &mut PgConnection) -> Result<usize, String> {
    let applied: Vec<String> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load::<AppliedVersion>(connection)
        .map_err(|error| format!("cannot read the applied migrations: {error}"))?
        .into_iter()
        .map(|row| row.version)
        .collect();
    let known = MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
        .map_err(|error| error.to_string())?;
    Ok(known
        .iter()
        .filter(|migration| !applied.contains(&migration.name().version().to_string()))
        .count())
}
