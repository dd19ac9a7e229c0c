//! Audit events of reads, committed in groups.
//!
//! A read that runs outside a transaction hands its events to its database's
//! committer, which writes every event waiting for it in one transaction. The
//! read's response leaves only after that commit ([`super::Database::run`]
//! waits for it), so no read returns data without its event, while the
//! database sees one commit for a group of reads instead of one per read, and
//! reads no longer queue one by one for SQLite's single writer. Inside a
//! transaction, events are part of that transaction, as before.
//!
//! On PostgreSQL the committer is a thread of its own. On SQLite one of the
//! waiting requests commits the group where it already is, on its actix
//! worker, when the write turn is free and SQLite takes the write at once: a
//! thread of its own cost every group two wake-ups and a core it had to wait
//! for (bench/PROFILE-ROUNDS.md, twenty-fourth round). When the turn or the
//! database is held, the group waits on the blocking pool instead, so a worker
//! never waits for a lock.
//!
//! SQLite has one writer at a time; the writers of one service take their turn
//! on [`WriteTurn`] instead of SQLite's busy handler, which sleeps in steps of up
//! to 100 ms and so gave writes under load a long tail.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};

use diesel::connection::SimpleConnection;
use tokio::sync::{oneshot, Notify};

use super::audit::{self, AuditRow};
use super::{
    open_for_requests, open_sqlite_for_appending, write_transaction, DatabaseUrl, DbConnection,
    KeptConnection,
};
use crate::error::ApiError;

/// How many requests may wait for the committer or a reader; more are 503 at
/// once (a request hands over on an actix worker, which must not wait).
const QUEUE_LENGTH: usize = 4096;

/// While reads keep coming, PostgreSQL's committer gathers them this long
/// before it commits: a commit writes the same index pages whether it holds one event or
/// fifty, and under load each read waits for a commit anyway. Longer windows
/// leave the cores idle while every read waits (bench/PROFILE-ROUNDS.md,
/// eighteenth round).
const GATHER_WHILE_BUSY: Duration = Duration::from_micros(100);

/// On SQLite the request that commits a group first lets its worker run
/// whatever else is ready this many times, so that the events of the worker's
/// other requests join the group (8 served fewer reads, 32 and 64 no more;
/// bench/PROFILE-ROUNDS.md, twenty-fourth round).
const GATHER_YIELDS: usize = 16;

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
        if is_busy(&error) {
            // Another writer held the database past the busy timeout: retry later.
            Self::Unavailable
        } else {
            // Anything else, a read-only file included, is an error of the
            // installation, as it is through diesel (read-only is a standby's).
            Self::Internal(error.to_string())
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
pub struct Ticket(Waiting);

enum Waiting {
    /// PostgreSQL's committer thread answers.
    ForCommitter(oneshot::Receiver<Result<(), GroupFailure>>),
    /// On SQLite, the request may have to commit the group itself.
    ForGroup(SqliteWait),
}

impl Ticket {
    pub async fn committed(self) -> Result<(), ApiError> {
        match self.0 {
            Waiting::ForCommitter(answer) => commit_answered(answer.await),
            Waiting::ForGroup(mut wait) => wait.committed().await,
        }
    }
}

/// A request's answer from whoever committed its events.
fn commit_answered(
    answer: Result<Result<(), GroupFailure>, oneshot::error::RecvError>,
) -> Result<(), ApiError> {
    match answer {
        Ok(outcome) => outcome.map_err(|failure| failure.refusal("audit events not committed")),
        // The committer is gone (the service is stopping): nothing is known
        // to be stored, so nothing is shown.
        Err(_) => Err(ApiError::Unavailable),
    }
}

/// A SQLite request's wait for its events' commit. Dropped before the answer
/// came (its client went away, so nothing was sent), it leaves a task on its
/// runtime that sees the events committed: otherwise they would wait for the
/// next audited read.
struct SqliteWait {
    answer: Option<oneshot::Receiver<Result<(), GroupFailure>>>,
    groups: Arc<SqliteGroups>,
}

impl SqliteWait {
    async fn committed(&mut self) -> Result<(), ApiError> {
        // Taken only once answered, so never by the time this is called.
        let Some(answer) = &mut self.answer else {
            return Err(ApiError::Unavailable);
        };
        let outcome = commit_until_answered(&self.groups, answer).await;
        // Answered: a receiver must not be polled again, nor be waited for on drop.
        self.answer = None;
        commit_answered(outcome)
    }
}

impl Drop for SqliteWait {
    fn drop(&mut self) {
        let Some(mut answer) = self.answer.take() else {
            return;
        };
        // Outside a runtime (the service has stopped) the events are committed
        // when the groups are dropped.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let groups = self.groups.clone();
            runtime.spawn(async move {
                let _ = commit_until_answered(&groups, &mut answer).await;
            });
        }
    }
}

/// Commits the groups waiting, turn by turn with the other requests, until
/// `answer` says how the events behind it went.
async fn commit_until_answered(
    groups: &SqliteGroups,
    answer: &mut oneshot::Receiver<Result<(), GroupFailure>>,
) -> Result<Result<(), GroupFailure>, oneshot::error::RecvError> {
    loop {
        groups.commit_unless_another_does().await;
        tokio::select! {
            biased;
            outcome = &mut *answer => break outcome,
            () = groups.released.notified() => {}
        }
    }
}

/// Waits for every ticket, even after one failed: on SQLite events are
/// committed by the requests waiting for them, and a request that stopped
/// waiting would leave its events to the next read. The first failure is the
/// answer.
pub async fn all_committed(tickets: Vec<Ticket>) -> Result<(), ApiError> {
    let mut answer = Ok(());
    for ticket in tickets {
        let committed = ticket.committed().await;
        if answer.is_ok() {
            answer = committed;
        }
    }
    answer
}

/// SQLite's events waiting for a commit, committed by one of their requests
/// at a time.
struct SqliteGroups {
    path: std::path::PathBuf,
    write_turn: WriteTurn,
    waiting: Mutex<Vec<Handover>>,
    committing: AtomicBool,
    /// Told when a request stops committing while events still wait.
    released: Notify,
    /// The one connection events are appended on, wherever the group is
    /// committed: its page cache stays valid between groups.
    connection: Arc<Mutex<Option<rusqlite::Connection>>>,
}

/// Whoever holds it commits SQLite's groups; dropping it (the request is done,
/// or its client went away) lets the next request take over.
struct Committing<'a>(&'a SqliteGroups);

impl Drop for Committing<'_> {
    fn drop(&mut self) {
        self.0.committing.store(false, Ordering::SeqCst);
        if !self.0.waiting.lock().is_empty() {
            self.0.released.notify_one();
        }
    }
}

impl SqliteGroups {
    fn new(path: std::path::PathBuf, write_turn: WriteTurn) -> Self {
        Self {
            path,
            write_turn,
            waiting: Mutex::new(Vec::new()),
            committing: AtomicBool::new(false),
            released: Notify::new(),
            connection: Arc::new(Mutex::new(None)),
        }
    }

    fn hand_over(self: &Arc<Self>, rows: Vec<AuditRow>) -> Result<Ticket, ApiError> {
        let (committed, answer) = oneshot::channel();
        let mut waiting = self.waiting.lock();
        if waiting.len() >= QUEUE_LENGTH {
            return Err(ApiError::Unavailable);
        }
        waiting.push(Handover { rows, committed });
        Ok(Ticket(Waiting::ForGroup(SqliteWait {
            answer: Some(answer),
            groups: self.clone(),
        })))
    }

    /// Commits the events waiting, unless another request is doing so: that
    /// one commits them, or tells [`Self::released`] when it stops.
    async fn commit_unless_another_does(&self) {
        if self
            .committing
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return;
        }
        let _committing = Committing(self);
        for _ in 0..GATHER_YIELDS {
            tokio::task::yield_now().await;
        }
        let group = std::mem::take(&mut *self.waiting.lock());
        if group.is_empty() {
            return;
        }
        match self.commit_at_once(&group) {
            Some(outcome) => answer_group(group, outcome),
            None => self.commit_on_blocking_pool(group).await,
        }
    }

    /// The group committed without waiting for anything; `None` when the turn,
    /// the connection or the database is held, or there is no connection yet
    /// (opening one may wait for SQLite).
    fn commit_at_once(&self, group: &[Handover]) -> Option<Result<(), GroupFailure>> {
        let _turn = self.write_turn.try_lock()?;
        let mut connection = self.connection.try_lock()?;
        let sqlite = connection.as_mut()?;
        let outcome = sqlite
            .busy_timeout(Duration::ZERO)
            .and_then(|()| audit::append_on_sqlite(sqlite, group_rows(group)));
        match outcome {
            Ok(()) => Some(Ok(())),
            Err(error) if is_busy(&error) => None,
            Err(error) => {
                *connection = None;
                Some(Err(GroupFailure::from(error)))
            }
        }
    }

    /// The group committed and answered on the blocking pool, where it may wait
    /// for the turn and for SQLite as long as any writer does. Should the pool
    /// be gone, the group's requests are told nothing was stored.
    async fn commit_on_blocking_pool(&self, group: Vec<Handover>) {
        let write_turn = self.write_turn.clone();
        let connection = self.connection.clone();
        let path = self.path.clone();
        let _ = actix_web::web::block(move || {
            let outcome = commit_waiting(&write_turn, &connection, &path, &group);
            answer_group(group, outcome);
        })
        .await;
    }
}

impl Drop for SqliteGroups {
    /// Events still waiting when the service stops are those of requests whose
    /// clients went away: they are committed now rather than lost.
    fn drop(&mut self) {
        let group = std::mem::take(self.waiting.get_mut());
        if !group.is_empty() {
            let outcome = commit_waiting(&self.write_turn, &self.connection, &self.path, &group);
            answer_group(group, outcome);
        }
    }
}

/// The group committed where waiting is allowed: for the turn, then for
/// SQLite, each as long as any writer of the service waits.
fn commit_waiting(
    write_turn: &WriteTurn,
    connection: &Mutex<Option<rusqlite::Connection>>,
    path: &std::path::Path,
    group: &[Handover],
) -> Result<(), GroupFailure> {
    let _turn = take_turn(write_turn).map_err(ApiError::from)?;
    let mut connection = connection.lock();
    let sqlite = match &mut *connection {
        Some(sqlite) => sqlite,
        empty => empty.insert(open_sqlite_for_appending(path).map_err(cannot_connect)?),
    };
    let outcome = sqlite
        .busy_timeout(super::LOCK_WAIT)
        .and_then(|()| audit::append_on_sqlite(sqlite, group_rows(group)));
    if outcome.is_err() {
        *connection = None;
    }
    outcome.map_err(GroupFailure::from)
}

fn group_rows(group: &[Handover]) -> impl Iterator<Item = &AuditRow> {
    group.iter().flat_map(|handover| handover.rows.iter())
}

fn is_busy(error: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode;
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn cannot_connect(error: impl std::fmt::Display) -> GroupFailure {
    log::warn!("the audit committer cannot connect: {error}");
    GroupFailure::Unavailable
}

/// Tells every request of a group how its commit went.
fn answer_group(group: Vec<Handover>, outcome: Result<(), GroupFailure>) {
    if let Err(failure) = &outcome {
        log::warn!(
            "audit events of {} reads not committed: {failure:?}",
            group.len()
        );
    }
    for handover in group {
        let _ = handover.committed.send(outcome.clone());
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
    pub(super) fn new(url: &DatabaseUrl) -> Self {
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

/// One database's committer: on SQLite the waiting requests themselves
/// ([`SqliteGroups`]); on PostgreSQL a thread started on the first event handed
/// to it, which ends when the last handle on the database is dropped.
pub struct Committer {
    url: DatabaseUrl,
    write_turn: WriteTurn,
    sqlite: Option<Arc<SqliteGroups>>,
    queue: OnceLock<mpsc::SyncSender<Handover>>,
}

impl Committer {
    pub fn new(url: &DatabaseUrl) -> Self {
        let write_turn = Arc::new(Mutex::new(Writer::new(url)));
        let sqlite = match url {
            DatabaseUrl::Sqlite(path) => Some(Arc::new(SqliteGroups::new(
                path.clone(),
                write_turn.clone(),
            ))),
            DatabaseUrl::Postgres(_) => None,
        };
        Self {
            url: url.clone(),
            write_turn,
            sqlite,
            queue: OnceLock::new(),
        }
    }

    /// The turn this database's writers take.
    pub(super) fn write_turn(&self) -> WriteTurn {
        self.write_turn.clone()
    }

    pub(super) fn hand_over(&self, rows: Vec<AuditRow>) -> Result<Ticket, ApiError> {
        if let Some(groups) = &self.sqlite {
            return groups.hand_over(rows);
        }
        let queue = self.queue.get_or_init(|| {
            let url = self.url.clone();
            serving_thread("audit-committer", move |queue| commit_groups(&url, queue))
        });
        let (committed, answer) = oneshot::channel();
        queue
            .try_send(Handover { rows, committed })
            .map_err(|_| ApiError::Unavailable)?;
        Ok(Ticket(Waiting::ForCommitter(answer)))
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

/// PostgreSQL's committer: take every handover waiting, commit them together,
/// answer each.
fn commit_groups(url: &DatabaseUrl, queue: &mpsc::Receiver<Handover>) {
    let mut connection: Option<DbConnection> = None;
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
        let mut outcome = commit_on_postgres(url, &mut connection, &rows);
        if kept && matches!(outcome, Err(GroupFailure::Unavailable)) {
            // The kept connection may have died with its server (a restart, a
            // failover) while idle: the group is tried once more on a fresh
            // one. Should the first commit have gone through after all, the
            // events' ids refuse the copy: the reads are refused, and no event
            // is stored twice.
            connection = None;
            outcome = commit_on_postgres(url, &mut connection, &rows);
        }
        if outcome.is_err() {
            // Whatever went wrong, the next group starts on a fresh connection.
            connection = None;
        }
        answer_group(group, outcome);
    }
}

/// A group as one multi-row insert on a connection like the pool's (diesel's
/// cost per event is small there).
fn commit_on_postgres(
    url: &DatabaseUrl,
    connection: &mut Option<DbConnection>,
    rows: &[AuditRow],
) -> Result<(), GroupFailure> {
    let pg = match connection {
        Some(pg) => pg,
        None => connection.insert(open_for_requests(url).map_err(cannot_connect)?),
    };
    match write_transaction(pg, |pg| audit::insert_all(pg, rows)) {
        Ok(()) => Ok(()),
        // The server went away (a crash, a failover): an outage to retry.
        Err(_) if pg.batch_execute("SELECT 1").is_err() => Err(GroupFailure::Unavailable),
        Err(error) => Err(GroupFailure::from(ApiError::from(error))),
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
