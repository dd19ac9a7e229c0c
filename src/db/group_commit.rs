//! Audit events of reads, committed in groups.
//!
//! A read that runs outside a transaction hands its events to its database's
//! committer: one thread that writes every event waiting for it in one
//! transaction. The read's response leaves only after that commit
//! ([`super::Database::run`] waits for it), so no read returns data without its
//! event, while the database sees one commit for a group of reads instead of one
//! per read, and reads no longer queue one by one for SQLite's single writer.
//! Inside a transaction, events are part of that transaction, as before.
//!
//! SQLite has one writer at a time; the writers of one service take their turn
//! on [`WriteTurn`] instead of SQLite's busy handler, which sleeps in steps of up
//! to 100 ms and so gave writes under load a long tail.

use std::cell::RefCell;
use std::sync::{mpsc, Arc, OnceLock};
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};

use diesel::connection::SimpleConnection;
use tokio::sync::oneshot;

use super::audit::{self, AuditRow};
use super::{
    open_for_requests, open_sqlite_for_appending, write_transaction, DatabaseUrl, DbConnection,
    KeptConnection,
};
use crate::error::ApiError;

/// How many requests may wait for the committer or a reader; more are 503 at
/// once (a request hands over on an actix worker, which must not wait).
const QUEUE_LENGTH: usize = 4096;

/// While reads keep coming, the committer gathers them this long before it
/// commits: a commit writes the same index pages whether it holds one event or
/// fifty, and under load each read waits for a commit anyway. Longer windows
/// leave the cores idle while every read waits (bench/PROFILE-ROUNDS.md,
/// eighteenth round).
const GATHER_WHILE_BUSY: Duration = Duration::from_micros(100);

/// Why a thread serving a group of requests (the committer, the readers of
/// `super::gathered_reads`) could not serve it, for each request of the group.
#[derive(Debug, Clone)]
pub(super) enum GroupFailure {
    Unavailable,
    ReadOnly,
    Internal(String),
}

impl From<ApiError> for GroupFailure {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unavailable => Self::Unavailable,
            ApiError::ReadOnly => Self::ReadOnly,
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<rusqlite::Error> for GroupFailure {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            // Another writer held the database past the busy timeout: retry later.
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Unavailable,
            // Anything else, a read-only file included, is an error of the
            // installation, as it is through diesel (read-only is a standby's).
            _ => Self::Internal(error.to_string()),
        }
    }
}

impl GroupFailure {
    /// The failure as the answer to one request of the group; `unserved` says
    /// what the thread could not do, for the log line of an internal error.
    pub(super) fn refusal(self, unserved: &str) -> ApiError {
        match self {
            Self::Unavailable => ApiError::Unavailable,
            Self::ReadOnly => ApiError::ReadOnly,
            Self::Internal(cause) => ApiError::internal(format!("{unserved}: {cause}")),
        }
    }
}

/// The events of one request and where to say whether they were committed.
struct Handover {
    rows: Vec<AuditRow>,
    committed: oneshot::Sender<Result<(), GroupFailure>>,
}

/// The answer a request waits for before its response leaves.
pub struct Ticket(oneshot::Receiver<Result<(), GroupFailure>>);

impl Ticket {
    pub async fn committed(self) -> Result<(), ApiError> {
        match self.0.await {
            Ok(outcome) => outcome.map_err(|failure| failure.refusal("audit events not committed")),
            // The committer is gone (the service is stopping): nothing is known
            // to be stored, so nothing is shown.
            Err(_) => Err(ApiError::Unavailable),
        }
    }
}

/// Whose turn it is to write to a SQLite database, among this service's
/// threads; who holds the turn also holds the [`Writer`]. `parking_lot`'s mutex
/// lets a running thread take a free turn before one still waking up, which
/// keeps the single writer busy, and hands the turn to the longest waiting
/// thread once one has waited about half a millisecond, so no write waits
/// behind ever newer ones (a strictly fair turn left SQLite's writer idle at
/// every hand-over, bench/PROFILE-ROUNDS.md, eighteenth round).
pub type WriteTurn = Arc<Mutex<Writer>>;

/// The connection the write transactions of requests run on, whichever pooled
/// connection their work began with. SQLite discards a connection's page cache
/// when another connection has committed since its last transaction, so writers
/// taking turns on pooled connections read every page they need again; one
/// connection for all of them keeps its cache (bench/PROFILE-ROUNDS.md,
/// eighteenth round).
pub struct Writer {
    url: DatabaseUrl,
    connection: Option<KeptConnection>,
}

impl Writer {
    fn new(url: &DatabaseUrl) -> Self {
        Self {
            url: url.clone(),
            connection: None,
        }
    }

    /// The writer's connection, opened anew when there is none or it has
    /// served its lifetime.
    pub(super) fn connection(&mut self) -> diesel::QueryResult<&mut DbConnection> {
        if self
            .connection
            .as_ref()
            .is_some_and(KeptConnection::expired)
        {
            self.connection = None;
        }
        let kept = match &mut self.connection {
            Some(kept) => kept,
            empty => empty.insert(KeptConnection::open(&self.url, "for writing").map_err(
                |error| {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::ClosedConnection,
                        Box::new(error.to_string()),
                    )
                },
            )?),
        };
        Ok(&mut kept.connection)
    }

    /// Drops the connection, so that the next write opens a fresh one.
    pub(super) fn discard(&mut self) {
        self.connection = None;
    }
}

/// One database's committer, started on the first event handed to it; its
/// thread ends when the last handle on the database is dropped.
pub struct Committer {
    url: DatabaseUrl,
    write_turn: WriteTurn,
    queue: OnceLock<mpsc::SyncSender<Handover>>,
}

impl Committer {
    pub fn new(url: &DatabaseUrl) -> Self {
        Self {
            url: url.clone(),
            write_turn: Arc::new(Mutex::new(Writer::new(url))),
            queue: OnceLock::new(),
        }
    }

    pub(super) fn hand_over(&self, rows: Vec<AuditRow>) -> Result<Ticket, ApiError> {
        let queue = self.queue.get_or_init(|| {
            let url = self.url.clone();
            let write_turn = self.write_turn.clone();
            serving_thread("audit-committer", move |queue| {
                commit_groups(&url, &write_turn, queue)
            })
        });
        let (committed, waiting) = oneshot::channel();
        queue
            .try_send(Handover { rows, committed })
            .map_err(|_| ApiError::Unavailable)?;
        Ok(Ticket(waiting))
    }
}

/// Starts a thread named `name` that serves what is sent to the returned
/// queue (at most [`QUEUE_LENGTH`] waiting); if no thread can be started,
/// every send fails and its request is 503.
pub(super) fn serving_thread<T: Send + 'static>(
    name: &str,
    serve: impl FnOnce(&mpsc::Receiver<T>) + Send + 'static,
) -> mpsc::SyncSender<T> {
    let (sender, receiver) = mpsc::sync_channel(QUEUE_LENGTH);
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || serve(&receiver))
        .map(|_| sender)
        .unwrap_or_else(|error| {
            log::error!("cannot start the thread {name}: {error}");
            mpsc::sync_channel(0).0
        })
}

/// The committer's loop: take every handover waiting, commit them together,
/// answer each.
fn commit_groups(url: &DatabaseUrl, write_turn: &WriteTurn, queue: &mpsc::Receiver<Handover>) {
    let mut connection: Option<CommitterConnection> = None;
    let mut busy = false;
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        if busy {
            std::thread::sleep(GATHER_WHILE_BUSY);
        }
        group.extend(queue.try_iter().take(QUEUE_LENGTH));
        busy = group.len() > 1;
        let rows: Vec<AuditRow> = group
            .iter_mut()
            .flat_map(|handover| std::mem::take(&mut handover.rows))
            .collect();
        let kept = connection.is_some();
        let mut outcome = commit(url, write_turn, &mut connection, &rows);
        if kept
            && matches!(url, DatabaseUrl::Postgres(_))
            && matches!(outcome, Err(GroupFailure::Unavailable))
        {
            // The kept connection may have died with its server (a restart, a
            // failover) while idle: the group is tried once more on a fresh
            // one. Should the first commit have gone through after all, the
            // events' ids refuse the copy: the reads are refused, and no event
            // is stored twice.
            connection = None;
            outcome = commit(url, write_turn, &mut connection, &rows);
        }
        if let Err(failure) = &outcome {
            log::warn!(
                "audit events of {} reads not committed: {failure:?}",
                group.len()
            );
            // Whatever went wrong, the next group starts on a fresh connection.
            connection = None;
        }
        for handover in group {
            let _ = handover.committed.send(outcome.clone());
        }
    }
}

/// The committer's own connection. On SQLite a plain SQLite connection (see
/// [`audit::append_on_sqlite`]); on PostgreSQL one like the pool's, where a
/// group is one multi-row insert and diesel's cost per event is small.
enum CommitterConnection {
    Sqlite(rusqlite::Connection),
    Postgres(DbConnection),
}

fn connect(url: &DatabaseUrl) -> Result<CommitterConnection, GroupFailure> {
    let connection = match url {
        DatabaseUrl::Sqlite(path) => open_sqlite_for_appending(path)
            .map(CommitterConnection::Sqlite)
            .map_err(|error| error.to_string()),
        DatabaseUrl::Postgres(_) => open_for_requests(url)
            .map(CommitterConnection::Postgres)
            .map_err(|error| error.to_string()),
    };
    connection.map_err(|error| {
        log::warn!("the audit committer cannot connect: {error}");
        GroupFailure::Unavailable
    })
}

fn commit(
    url: &DatabaseUrl,
    write_turn: &WriteTurn,
    connection: &mut Option<CommitterConnection>,
    rows: &[AuditRow],
) -> Result<(), GroupFailure> {
    let connection = match connection {
        Some(connection) => connection,
        None => connection.insert(connect(url)?),
    };
    match connection {
        CommitterConnection::Sqlite(sqlite) => {
            let _turn = take_turn(write_turn).map_err(ApiError::from)?;
            audit::append_on_sqlite(sqlite, rows).map_err(GroupFailure::from)
        }
        CommitterConnection::Postgres(pg) => {
            match write_transaction(pg, |pg| audit::insert_all(pg, rows)) {
                Ok(()) => Ok(()),
                // The server went away (a crash, a failover): an outage to retry.
                Err(_) if pg.batch_execute("SELECT 1").is_err() => Err(GroupFailure::Unavailable),
                Err(error) => Err(GroupFailure::from(ApiError::from(error))),
            }
        }
    }
}

/// How long a writer waits for its turn, as long as SQLite's busy timeout: when
/// something outside the service holds the database, queued writers give up
/// one by one after this long instead of each waiting behind the one before.
const TURN_TIMEOUT: Duration = super::LOCK_WAIT;

/// The turn to write, or "database is locked" (503) after [`TURN_TIMEOUT`].
pub(super) fn take_turn(write_turn: &WriteTurn) -> diesel::QueryResult<MutexGuard<'_, Writer>> {
    write_turn.try_lock_for(TURN_TIMEOUT).ok_or_else(|| {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new(
                "database is locked: other writers of this service held it too long".to_owned(),
            ),
        )
    })
}

/// What a thread running a request's work knows about the request.
struct Scope {
    committer: Arc<Committer>,
    tickets: Vec<Ticket>,
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Marks the current thread as running a request's work on `committer`'s
/// database until the guard is dropped.
pub struct ScopeGuard(());

impl ScopeGuard {
    pub fn enter(committer: Arc<Committer>) -> Self {
        SCOPE.set(Some(Scope {
            committer,
            tickets: Vec::new(),
        }));
        Self(())
    }

    /// The tickets of the events the work handed over.
    pub fn tickets(self) -> Vec<Ticket> {
        SCOPE.with_borrow_mut(|scope| {
            scope
                .as_mut()
                .map(|scope| std::mem::take(&mut scope.tickets))
                .unwrap_or_default()
        })
    }
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        SCOPE.set(None);
    }
}

/// The turn to write to SQLite when the current thread runs a request's work;
/// `None` elsewhere (maintenance commands rely on the busy timeout).
pub(super) fn sqlite_write_turn() -> Option<WriteTurn> {
    SCOPE.with_borrow(|scope| {
        scope
            .as_ref()
            .map(|scope| scope.committer.write_turn.clone())
    })
}

/// Appends audit events: inside a transaction as part of it; in a request's
/// work outside one, through the committer (the request waits for the commit
/// before it answers); elsewhere at once.
pub fn append(connection: &mut DbConnection, rows: Vec<AuditRow>) -> Result<(), ApiError> {
    if rows.is_empty() {
        return Ok(());
    }
    // A broken transaction state counts as inside one: the events then fail with it.
    if super::in_transaction(connection).unwrap_or(true) {
        return Ok(audit::insert_all(connection, &rows)?);
    }
    let rows = SCOPE.with_borrow_mut(|scope| match scope {
        Some(scope) => {
            let ticket = scope.committer.hand_over(rows)?;
            scope.tickets.push(ticket);
            Ok(None)
        }
        None => Ok::<_, ApiError>(Some(rows)),
    })?;
    if let Some(rows) = rows {
        audit::insert_all(connection, &rows)?;
    }
    Ok(())
}
