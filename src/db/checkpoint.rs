//! SQLite's checkpoints, off the writers' path.
//!
//! In WAL mode a commit appends pages to the log; a checkpoint copies them into
//! the database file and waits for the disk. By default the writer whose commit
//! takes the log past 1 000 pages checkpoints before it goes on, and every
//! request waiting for that writer waits with it: under load the audit
//! committer did so about twenty times a second, and the reads of its groups
//! waited out the copying (bench/PROFILE-ROUNDS.md, seventh round). Here one
//! thread per database copies the log every [`INTERVAL`] without taking any
//! lock a writer needs (a passive checkpoint). Writers still checkpoint
//! themselves when the log reaches 4 096 pages (`super::SQLITE_SETTINGS`): only
//! a writer between its transactions can let the log start over, which bounds
//! its size, and by then little is left to copy. An erasure's truncating
//! checkpoint retries while this thread's runs
//! (`erasure::remove_leftovers_now`).

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How often the log is copied into the database file while the service runs.
const INTERVAL: Duration = Duration::from_millis(50);

/// One database's checkpointing thread; it ends when this is dropped.
pub struct Checkpointer {
    _running: mpsc::Sender<()>,
}

impl Checkpointer {
    pub fn start(path: &Path) -> Option<Self> {
        let (running, stopped) = mpsc::channel();
        let path = path.to_owned();
        std::thread::Builder::new()
            .name("sqlite-checkpointer".into())
            .spawn(move || checkpoint_until_stopped(&path, &stopped))
            .map_err(|error| log::error!("cannot start the SQLite checkpointer: {error}"))
            .ok()?;
        Some(Self { _running: running })
    }
}

fn checkpoint_until_stopped(path: &Path, stopped: &mpsc::Receiver<()>) {
    let mut connection: Option<rusqlite::Connection> = None;
    // A failure that lasts (a file made read-only, a full disk) is reported
    // once, not twenty times a second; writers still checkpoint meanwhile.
    let mut failing = false;
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
        if connection.is_none() {
            // The pool creates and migrates the file; until it exists there is
            // nothing to copy.
            connection = super::open_sqlite_for_checkpoints(path).ok();
        }
        if let Some(open) = &connection {
            match checkpoint(open) {
                Ok(()) => failing = false,
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

/// Copies what the log holds beyond every reader's snapshot; never waits for
/// readers or writers (SQLite calls no busy handler for a passive checkpoint).
fn checkpoint(connection: &rusqlite::Connection) -> rusqlite::Result<()> {
    connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Database, DatabaseUrl};
    use diesel::connection::SimpleConnection;

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
        let mut writer =
            Database::connect_directly(&DatabaseUrl::Sqlite(path.clone())).expect("a connection");
        writer
            .batch_execute("CREATE TABLE probes (x INTEGER); INSERT INTO probes VALUES (1), (2);")
            .expect("a commit");
        let copy = directory.path().join("file-alone.db");
        assert_eq!(
            probes_in_the_file_alone(&path, &copy),
            None,
            "the commit is in the log only"
        );

        let _checkpointer = Checkpointer::start(&path).expect("a checkpointer");
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
}
