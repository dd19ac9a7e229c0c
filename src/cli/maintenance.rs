//! Commands an operator runs beside the service: migrate, purge, seed, rekey,
//! backup and restore. On a terminal they show progress; in scripts they print
//! one summary line (or their JSON report) and nothing else.

use std::path::PathBuf;

use clap::Args;

use crate::config::{self, ConfigError, StorageArgs};
use crate::db::{self, Database};
use crate::progress::Progress;
use crate::retention::{self, RetentionPolicy};
use crate::{api, backup, rekey};

#[derive(Debug, Args)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 10_000)]
    pub families: usize,
    #[arg(long, default_value_t = 50)]
    pub areas: usize,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Erase families with no activity for this many months.
    #[arg(long, env = "FAMILIEBRO_FAMILY_RETENTION_MONTHS", default_value_t = 24)]
    pub family_retention_months: u32,
    /// Erase referral snapshots this many months after the referral closed.
    #[arg(
        long,
        env = "FAMILIEBRO_SNAPSHOT_RETENTION_MONTHS",
        default_value_t = 12
    )]
    pub snapshot_retention_months: u32,
}

/// Applies pending migrations, showing each on a terminal; returns how many.
pub(super) fn migrate_database(url: &db::DatabaseUrl) -> Result<usize, ConfigError> {
    let mut connection = Database::connect_directly(url).map_err(ConfigError::from)?;
    let pending = db::pending_migrations(&mut connection).map_err(ConfigError::from)?;
    let progress = Progress::new("migrating", Some(pending as u64));
    let applied = db::run_migrations_reporting(&mut connection, &mut |_| progress.inc(1))
        .map_err(ConfigError::from)?;
    progress.finish();
    log::info!(
        "database ready ({}), {applied} migration(s) applied",
        url.backend_name()
    );
    Ok(applied)
}

/// Refreshes the query planner's statistics before serving; a failure leaves
/// queries slower, not wrong, so it is reported and serving goes on.
pub(super) fn refresh_planner_statistics(url: &db::DatabaseUrl) -> Result<(), ConfigError> {
    let mut connection = Database::connect_directly(url).map_err(ConfigError::from)?;
    if let Err(error) = db::refresh_planner_statistics(&mut connection) {
        log::warn!("could not refresh the query planner's statistics: {error}");
    }
    Ok(())
}

pub fn migrate(storage: &StorageArgs) -> Result<(), ConfigError> {
    let url = storage.database_url()?;
    let applied = migrate_database(&url)?;
    println!(
        "database ready ({}): {applied} migration(s) applied",
        url.backend_name()
    );
    Ok(())
}

pub fn purge(storage: &StorageArgs, args: PurgeArgs) -> Result<(), ConfigError> {
    let url = storage.database_url()?;
    migrate_database(&url)?;
    let mut connection = Database::connect_directly(&url).map_err(ConfigError::from)?;
    let policy = RetentionPolicy {
        family_months: args.family_retention_months,
        snapshot_months: args.snapshot_retention_months,
    };
    let progress = Progress::new("erasing inactive families", Some(0));
    let report = retention::purge(&mut connection, policy, db::now(), &progress)
        .map_err(|error| ConfigError::from(format!("purge failed: {error}")))?;
    progress.finish();
    let json = serde_json::to_string_pretty(&report)
        .map_err(|error| ConfigError::from(error.to_string()))?;
    println!("{json}");
    Ok(())
}

pub fn seed(storage: &StorageArgs, args: SeedArgs) -> Result<(), ConfigError> {
    if args.areas == 0 {
        return Err(ConfigError::from("--areas must be at least 1".to_owned()));
    }
    let url = storage.database_url()?;
    migrate_database(&url)?;
    let mut connection = Database::connect_directly(&url).map_err(ConfigError::from)?;
    let progress = Progress::new("seeding families", Some(args.families as u64));
    let report = crate::seed::seed(&mut connection, args.areas, args.families, &progress)
        .map_err(|error| ConfigError::from(format!("seeding failed: {error}")))?;
    progress.finish();
    // A bulk load leaves the planner's statistics behind, so the first start
    // after it does not pay for them.
    refresh_planner_statistics(&url)?;
    let json =
        serde_json::to_string(&report).map_err(|error| ConfigError::from(error.to_string()))?;
    println!("{json}");
    Ok(())
}

pub fn print_openapi() -> Result<(), ConfigError> {
    let json = api::openapi()
        .to_pretty_json()
        .map_err(|error| ConfigError::from(error.to_string()))?;
    println!("{json}");
    Ok(())
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to copy the database into.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to put in place.
    pub file: PathBuf,
    /// Replace the database that is there.
    #[arg(long)]
    pub replace: bool,
}

pub fn backup(storage: &StorageArgs, args: &BackupArgs) -> Result<(), ConfigError> {
    let report = backup::backup(&storage.database_url()?, &args.file).map_err(ConfigError::from)?;
    println!(
        "backed up {} bytes into {} in {:.1} s (integrity check ok)",
        report.bytes,
        report.file.display(),
        report.seconds
    );
    Ok(())
}

pub fn restore(storage: &StorageArgs, args: &RestoreArgs) -> Result<(), ConfigError> {
    let report = backup::restore(&storage.database_url()?, &args.file, args.replace)
        .map_err(ConfigError::from)?;
    println!(
        "restored {} from {} ({} migration(s) applied)",
        report.database.display(),
        report.from.display(),
        report.migrations_applied
    );
    Ok(())
}

pub fn rekey(storage: &StorageArgs) -> Result<(), ConfigError> {
    let keys = config::data_keys(&storage.data_dir(), false)?;
    let url = storage.database_url()?;
    migrate_database(&url)?;
    let mut connection = Database::connect_directly(&url).map_err(ConfigError::from)?;
    let report = rekey::rekey(&mut connection, &keys).map_err(ConfigError::from)?;
    println!(
        "sealed anew with key '{}': {} concern report CPR number(s), {} webhook secret(s), {} calendar link token(s)",
        report.current_key, report.concern_reports, report.webhook_secrets, report.calendar_links
    );
    Ok(())
}
