//! SQLite's checkpoints, off the writers' path.
//!
//! In WAL mode a commit appends pages to the log; a checkpoint copies them into
//! the database file and waits for the disk. By default the writer whose commit
//! takes the log past 1 000 pages checkpoints before it goes on, and every
//! request waiting for that writer waits with it: under load the audit
//! committer did so about twenty times a second, and the reads of its groups
//! waited out the copying (bench/PROFILE-ROUNDS.md, seventh round). Here one
//! thread per database copies the log every [`INTERVAL`] without taking any
//! lock a writer needs (a passive checkpoint), and makes the log start over
//! once it is long ([`RESTART_AT`]), holding the writers off only while the
//! last few pages are copied and synced. Writers checkpoint themselves only
//! when the log reaches 8 192 pages (`super::SQLITE_SETTINGS`), should this
//! thread fall behind. An erasure's truncating checkpoint retries while this
//! thread's runs (`erasure::remove_leftovers_now`).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use super::group_commit::WriteTurn;

/// How often the log is copied into the database file while the service runs.
const INTERVAL: Duration = Duration::from_millis(50);

/// One database's checkpointing thread; it ends when this is dropped.
pub struct Checkpointer {
    _running: mpsc::Sender<()>,
}

impl Checkpointer {
    pub fn start(path: &Path, write_turn: WriteTurn) -> Option<Self> {
        let (running, stopped) = mpsc::channel();
        let path = path.to_owned();
        std::thread::Builder::new()
            .name("sqlite-checkpointer".into())
            .spawn(move || checkpoint_until_stopped(&path, &write_turn, &stopped))
            .map_err(|error| log::error!("cannot start the SQLite checkpointer: {error}"))
            .ok()?;
        Some(Self { _running: running })
    }
}

fn checkpoint_until_stopped(path: &Path, write_turn: &WriteTurn, stopped: &mpsc::Receiver<()>) {
    let mut connection: Option<rusqlite::Connection> = None;
    // A failure that lasts (a file made read-only, a full disk) is reported
    // once, not twenty times a second; writers still checkpoint meanwhile.
    let mut failing = false;
    // The log's length after the last checkpoint: a log that kept it had no
    // commit since, and a passive checkpoint alone copies all of it.
    let mut log_length = 0;
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
        if connection.is_none() {
            // The pool creates and migrates the file; until it exists there is
            // nothing to copy.
            connection = super::open_sqlite_for_checkpoints(path).ok();
        }
        if let Some(open) = &connection {
            match checkpoint(open, path, write_turn, log_length) {
                Ok(length) => {
                    log_length = length;
                    failing = false;
                }
                Err(error) => {
                    if !failing {
                        log::warn!("checkpoint of '{}' failed: {error}", path.display());
                    }
                    failing = true;
                    connection = None;
                }
            }
        }
    }
}

/// The log's length in pages from which the checkpointer makes it start over.
const RESTART_AT: i64 = 2048;

/// Copies what the log holds beyond every reader's snapshot; never waits for
/// readers or writers (SQLite calls no busy handler for a passive checkpoint).
/// Returns the log's length in pages.
///
/// A long log that grew since `log_before` is made to start over. SQLite lets
/// the log start over only for a writer that begins after every page of it
/// was copied and synced; while groups keep committing, that happens only when
/// the writers are held off for the last pages. What was copied so far is
/// synced first, so that they are held off for the few pages since and not
/// for the disk's whole work (a writer that checkpointed itself waited 12–15
/// ms for it, on an actix worker: bench/PROFILE-ROUNDS.md, twenty-fifth round).
fn checkpoint(
    connection: &rusqlite::Connection,
    path: &Path,
    write_turn: &WriteTurn,
    log_before: i64,
) -> Result<i64, Box<dyn std::error::Error>> {
    let log = copy_log(connection)?;
    if log >= RESTART_AT && log != log_before {
        for file in [path.to_owned(), log_path(path)] {
            std::fs::File::open(file)?.sync_data()?;
        }
        if let Some(_turn) = write_turn.try_lock_for(INTERVAL) {
            return Ok(copy_log(connection)?);
        }
    }
    Ok(log)
}

/// Where SQLite keeps the log of the database at `path`.
fn log_path(path: &Path) -> PathBuf {
    let mut log = path.as_os_str().to_owned();
    log.push("-wal");
    PathBuf::from(log)
}

/// A passive checkpoint; the log's length in pages.
fn copy_log(connection: &rusqlite::Connection) -> rusqlite::Result<i64> {
    connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::group_commit::Writer;
    use crate::db::{Database, DatabaseUrl};
    use diesel::connection::SimpleConnection;
    use parking_lot::Mutex;
    use std::sync::Arc;

    /// What the database file alone holds, without its log: a copy of it
    /// opened elsewhere.
    fn probes_in_the_file_alone(path: &Path, copy: &Path) -> Option<i64> {
        std::fs::copy(path, copy).ok()?;
        let file = rusqlite::Connection::open(copy).ok()?;
        file.query_row("SELECT count(*) FROM probes", [], |row| row.get(0))
            .ok()
    }

    #[test]
    fn what_a_writer_commits_reaches_the_database_file_without_a_writers_checkpoint() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("checkpointed.db");
        let url = DatabaseUrl::Sqlite(path.clone());
        let mut writer = Database::connect_directly(&url).expect("a connection");
        writer
            .batch_execute("CREATE TABLE probes (x INTEGER); INSERT INTO probes VALUES (1), (2);")
            .expect("a commit");
        let copy = directory.path().join("file-alone.db");
        assert_eq!(
            probes_in_the_file_alone(&path, &copy),
            None,
            "the commit is in the log only"
        );

        let _checkpointer = Checkpointer::start(&path, Arc::new(Mutex::new(Writer::new(&url))))
            .expect("a checkpointer");
        let mut copied = None;
        for _ in 0..100 {
            std::thread::sleep(INTERVAL);
            copied = probes_in_the_file_alone(&path, &copy);
            if copied.is_some() {
                break;
            }
        }
        assert_eq!(copied, Some(2));
    }

    #[test]
    fn while_writers_keep_committing_the_log_starts_over_before_a_writer_would_checkpoint_itself() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("restarted.db");
        let url = DatabaseUrl::Sqlite(path.clone());
        Database::connect_directly(&url)
            .expect("a connection")
            .batch_execute("CREATE TABLE probes (id INTEGER PRIMARY KEY, x BLOB)")
            .expect("a table");
        let write_turn: WriteTurn = Arc::new(Mutex::new(Writer::new(&url)));
        let _checkpointer = Checkpointer::start(&path, write_turn.clone()).expect("a checkpointer");
        // A connection with every writer's settings, taking turns as writers do.
        let writer = super::super::open_sqlite_for_appending(&path).expect("a writer");
        let pragma = |name: &str| -> i64 {
            writer
                .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
                .expect("a setting")
        };
        let (page_size, autocheckpoint) = (pragma("page_size"), pragma("wal_autocheckpoint"));
        let blob = vec![7_u8; usize::try_from(4 * page_size).expect("a page size")];
        // Each commit appends about six pages to the log: twice as many pages as
        // a writer lets the log hold before it checkpoints itself, at a pace the
        // checkpointer's ticks follow.
        for _ in 0..(2 * autocheckpoint / 6) {
            let turn = write_turn.lock();
            writer
                .execute("INSERT OR REPLACE INTO probes VALUES (1, ?1)", [&blob])
                .expect("a commit");
            drop(turn);
            std::thread::sleep(Duration::from_micros(200));
        }
        let log_pages = std::fs::metadata(log_path(&path)).expect("a log").len()
            / u64::try_from(page_size).expect("a page size");
        assert!(
            log_pages < u64::try_from(autocheckpoint).expect("a length"),
            "the log grew to {log_pages} pages"
        );
    }
}
