//! `familiebro backup` and `restore` for the embedded SQLite database. A backup
//! is a consistent online copy (`VACUUM INTO`, one read transaction: writers
//! go on meanwhile) checked with `PRAGMA integrity_check`. A restore puts one
//! back while the service is stopped (it holds the database's lock file while
//! it runs). On PostgreSQL use the server's own tools (see the README).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Serialize;

use crate::db::{self, Database, DatabaseUrl, DbConnection};
use crate::progress::Progress;

const POSTGRES: &str =
    "backup and restore work on the embedded SQLite database; for PostgreSQL use \
     `pg_dump --format=custom` (and `pg_restore`), or base backups with WAL archiving for \
     point-in-time recovery (see the README, \"Operating familiebro\")";

#[derive(Debug, Serialize)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    pub seconds: f64,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    value: String,
}

fn failed(error: impl std::fmt::Display) -> String {
    format!("database error: {error}")
}

fn sqlite_path(url: &DatabaseUrl) -> Result<&Path, String> {
    match url {
        DatabaseUrl::Sqlite(path) => Ok(path),
        DatabaseUrl::Postgres(_) => Err(POSTGRES.to_owned()),
    }
}

/// The lock file a serving process holds, next to the database file.
fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the database's lock for as long as the returned file stays open; an
/// error when another process holds it (the service is running).
pub fn lock(url: &DatabaseUrl) -> Result<Option<File>, String> {
    let DatabaseUrl::Sqlite(path) = url else {
        return Ok(None);
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|error| format!("cannot create '{}': {error}", dir.display()))?;
    }
    let lock = lock_path(path);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(|error| format!("cannot open the lock file '{}': {error}", lock.display()))?;
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor this function owns; no memory is shared.
    let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    if !locked {
        return Err(format!(
            "the database '{}' is in use: a familiebro process holds '{}' (stop the service first)",
            path.display(),
            lock.display()
        ));
    }
    Ok(Some(file))
}

fn integrity(connection: &mut DbConnection) -> Result<(), String> {
    let lines: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS value FROM pragma_integrity_check()")
            .load(connection)
            .map_err(failed)?;
    match lines.as_slice() {
        [line] if line.value == "ok" => Ok(()),
        lines => Err(format!(
            "the copy fails PRAGMA integrity_check: {}",
            lines
                .iter()
                .map(|line| line.value.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

fn size_of(connection: &mut DbConnection) -> Result<u64, String> {
    let pages: Vec<Number> = diesel::sql_query(
        "SELECT page_count * page_size AS value FROM pragma_page_count(), pragma_page_size()",
    )
    .load(connection)
    .map_err(failed)?;
    Ok(pages
        .first()
        .map_or(0, |size| u64::try_from(size.value).unwrap_or(0)))
}

/// Copies the database at `url` into the new file `target` while it is in use.
pub fn backup(url: &DatabaseUrl, target: &Path) -> Result<BackupReport, String> {
    sqlite_path(url)?;
    if target.exists() {
        return Err(format!(
            "'{}' exists; back up into a new file",
            target.display()
        ));
    }
    let started = Instant::now();
    let mut connection = Database::connect_directly(url)?;
    let total = size_of(&mut connection)?;
    // VACUUM INTO is one statement: the size of the copy so far is its progress.
    let progress = Progress::new("backing up (bytes)", Some(total));
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watched = target.to_path_buf();
    let watcher = std::thread::spawn(move || {
        while finished.recv_timeout(Duration::from_millis(200)).is_err() {
            if let Ok(metadata) = std::fs::metadata(&watched) {
                progress.set_position(metadata.len());
            }
        }
        progress.finish();
    });
    let quoted = target.to_string_lossy().replace('\'', "''");
    let copied = connection.batch_execute(&format!("VACUUM INTO '{quoted}'"));
    let _ = done.send(());
    let _ = watcher.join();
    copied.map_err(failed)?;
    let mut copy = Database::connect_directly(&DatabaseUrl::Sqlite(target.to_path_buf()))?;
    integrity(&mut copy)?;
    Ok(BackupReport {
        file: target.to_path_buf(),
        bytes: std::fs::metadata(target)
            .map(|metadata| metadata.len())
            .unwrap_or(0),
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[derive(Debug, Serialize)]
pub struct RestoreReport {
    pub database: PathBuf,
    pub from: PathBuf,
    pub migrations_applied: usize,
}

/// Puts the backup `source` in place of the database at `url`, with the
/// service stopped; `replace` must be given when a database is there.
pub fn restore(url: &DatabaseUrl, source: &Path, replace: bool) -> Result<RestoreReport, String> {
    let database = sqlite_path(url)?.to_path_buf();
    let _lock = lock(url)?;
    if !source.is_file() {
        return Err(format!("'{}' is not a file", source.display()));
    }
    if database.exists() && !replace {
        return Err(format!(
            "a database exists at '{}'; pass --replace to put the backup in its place",
            database.display()
        ));
    }
    let progress = Progress::new("restoring", None);
    let mut staged = database.as_os_str().to_owned();
    staged.push(".restoring");
    let staged = PathBuf::from(staged);
    std::fs::copy(source, &staged)
        .map_err(|error| format!("cannot copy '{}': {error}", source.display()))?;
    let staged_url = DatabaseUrl::Sqlite(staged.clone());
    let checked = (|| {
        let mut connection = Database::connect_directly(&staged_url)?;
        integrity(&mut connection)?;
        let applied = db::run_migrations(&mut connection)?;
        // Leave one self-contained file behind before it is moved into place.
        connection
            .batch_execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .map_err(failed)?;
        Ok::<_, String>(applied)
    })();
    let applied = match checked {
        Ok(applied) => applied,
        Err(problem) => {
            let _ = std::fs::remove_file(&staged);
            return Err(format!(
                "'{}' is not a usable backup: {problem}",
                source.display()
            ));
        }
    };
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&staged, &database)
        .map_err(|error| format!("cannot move the restored database into place: {error}"))?;
    File::open(&database)
        .and_then(|file| file.sync_all())
        .map_err(|error| format!("cannot sync '{}': {error}", database.display()))?;
    progress.finish();
    Ok(RestoreReport {
        database,
        from: source.to_path_buf(),
        migrations_applied: applied,
    })
}
