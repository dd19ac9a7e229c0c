//! Areas and families found by id on PostgreSQL, the waiting requests' in one
//! statement.
//!
//! On PostgreSQL most of a short read's cost is not the query but the trip: the
//! hand-off to a blocking thread, the statement's send that wakes a server
//! process, the wait for its answer (bench/PROFILE-ROUNDS.md, eleventh round).
//! Areas and families by id are the most frequent reads, so for each one thread
//! takes every id waiting, finds them with one statement and answers each
//! request: under load many requests share one trip. A request joins only a
//! statement not yet sent, so it sees everything committed before it arrived,
//! as a read of its own would.

use std::collections::HashMap;
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use tokio::sync::oneshot;

use super::areas::{self, AreaRow};
use super::families::{self, FamilyRow};
use super::group_commit::{serving_thread, GroupFailure};
use super::{open_for_lookups_by_id, DatabaseUrl, DbConnection};
use crate::error::ApiError;

/// How many requests one statement answers at most.
const MOST_PER_STATEMENT: usize = 256;

/// How long a request waits for its answer: a server that stopped answering
/// (not one that went away, which fails at once) makes its reads 503 after
/// this long instead of holding them.
const ANSWER_WAIT: Duration = super::LOCK_WAIT;

/// A stored row found by its id, alone or with others.
pub trait FoundById: Clone + Send + 'static {
    /// What the rows are, for the reader's thread and its log lines.
    const KIND: &'static str;

    fn id(&self) -> &str;

    /// The stored row `id`, alone.
    fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<Self>>;

    /// The stored rows among `ids`, in any order.
    fn find_all(connection: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<Self>>;
}

impl FoundById for AreaRow {
    const KIND: &'static str = "area";

    fn id(&self) -> &str {
        &self.id
    }

    fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        areas::find(connection, id)
    }

    fn find_all(connection: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<Self>> {
        areas::find_all(connection, ids)
    }
}

impl FoundById for FamilyRow {
    const KIND: &'static str = "family";

    fn id(&self) -> &str {
        &self.id
    }

    fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        families::find(connection, id)
    }

    fn find_all(connection: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<Self>> {
        families::find_all(connection, ids)
    }
}

struct Lookup<R> {
    id: String,
    answer: oneshot::Sender<Result<Option<R>, GroupFailure>>,
}

/// One PostgreSQL database's reader of one kind of row, started on the first
/// lookup; its thread ends when the last handle on the database is dropped.
pub struct GatheredReader<R> {
    url: DatabaseUrl,
    queue: OnceLock<mpsc::SyncSender<Lookup<R>>>,
}

impl<R: FoundById> GatheredReader<R> {
    pub fn new(url: &DatabaseUrl) -> Self {
        Self {
            url: url.clone(),
            queue: OnceLock::new(),
        }
    }

    /// The row `id`, if stored.
    pub async fn find(&self, id: String) -> Result<Option<R>, ApiError> {
        let queue = self.queue.get_or_init(|| {
            let url = self.url.clone();
            serving_thread(&format!("{}-reader", R::KIND), move |queue| {
                answer_lookups(&url, queue)
            })
        });
        let (answer, waiting) = oneshot::channel();
        // Never wait to join on the worker's thread: with the queue full (the
        // server stalled) the request is 503 at once.
        queue
            .try_send(Lookup { id, answer })
            .map_err(|_| ApiError::Unavailable)?;
        match tokio::time::timeout(ANSWER_WAIT, waiting).await {
            Ok(Ok(answer)) => {
                answer.map_err(|failure| failure.refusal(&format!("{} not read", R::KIND)))
            }
            // The reader is gone (the service is stopping) or the server did
            // not answer in time.
            Ok(Err(_)) | Err(_) => Err(ApiError::Unavailable),
        }
    }
}

/// The reader's loop: take every lookup waiting, find their rows with one
/// statement, answer each.
fn answer_lookups<R: FoundById>(url: &DatabaseUrl, queue: &mpsc::Receiver<Lookup<R>>) {
    let mut connection: Option<DbConnection> = None;
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        group.extend(queue.try_iter().take(MOST_PER_STATEMENT - 1));
        let mut ids: Vec<&str> = group.iter().map(|lookup| lookup.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let kept = connection.is_some();
        let mut outcome = find_on_kept::<R>(url, &mut connection, &ids);
        if outcome.is_err() && kept {
            // A kept connection may have died with its server (a restart, a
            // failover) since the last statement; a read is safe to repeat, so
            // it is tried once more on a fresh one, as the pool tests its
            // connections before use.
            connection = None;
            outcome = find_on_kept::<R>(url, &mut connection, &ids);
        }
        match outcome {
            Ok(rows) => {
                let found: HashMap<&str, &R> = rows.iter().map(|row| (row.id(), row)).collect();
                for lookup in group {
                    let row = found.get(lookup.id.as_str()).map(|&row| row.clone());
                    let _ = lookup.answer.send(Ok(row));
                }
            }
            Err(failure) => {
                log::warn!("{} reads not answered: {failure:?}", R::KIND);
                // Whatever went wrong, the next statement starts on a fresh connection.
                connection = None;
                for lookup in group {
                    let _ = lookup.answer.send(Err(failure.clone()));
                }
            }
        }
    }
}

/// The rows among `ids`, on the reader's kept connection (opened if none).
fn find_on_kept<R: FoundById>(
    url: &DatabaseUrl,
    connection: &mut Option<DbConnection>,
    ids: &[&str],
) -> Result<Vec<R>, GroupFailure> {
    let connection = match connection {
        Some(connection) => connection,
        None => connection.insert(open_for_lookups_by_id(url).map_err(|error| {
            log::warn!("the {} reader cannot connect: {error}", R::KIND);
            GroupFailure::Unavailable
        })?),
    };
    R::find_all(connection, ids).map_err(|error| match ApiError::from(error) {
        // The server went away (a crash, a failover): an outage to retry.
        _ if connection.batch_execute("SELECT 1").is_err() => GroupFailure::Unavailable,
        other => GroupFailure::from(other),
    })
}
