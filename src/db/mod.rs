//! Persistence: one diesel code base over SQLite and PostgreSQL (the
//! exceptions, on plain SQLite connections: the audit committer's insert,
//! [`audit::append_on_sqlite`], and the checkpointer's `PRAGMA`,
//! `checkpoint.rs`).
//!
//! The backend is chosen from the database URL. Blocking diesel calls run on the
//! blocking thread pool (`Database::run`); only short SQLite reads run on an
//! actix worker (`Database::read`).

/// Runs `$body` with `$backend` bound to the backend's own connection. Through
/// [`DbConnection`] diesel writes a statement's SQL text anew on every
/// execution, even when the prepared statement is cached: the queries of every
/// request (an area, a family, a page of families) skip that.
macro_rules! on_backend {
    ($connection:expr, |$backend:ident| $body:expr) => {
        match $connection {
            $crate::db::DbConnection::Postgresql($backend) => $body,
            $crate::db::DbConnection::Sqlite($backend) => $body,
        }
    };
}

pub mod agreements;
pub mod areas;
pub mod assessments;
pub mod audit;
pub mod calendar_links;
pub mod changes;
mod checkpoint;
pub mod concern_reports;
pub mod erasure;
pub mod families;
mod gathered_reads;
pub mod group_commit;
pub mod idempotency;
pub mod initiatives;
pub mod measurements;
pub mod partners;
pub mod prospects;
pub mod referrals;
pub mod reports;
pub mod schema;
pub mod sealed;
pub mod settings;
pub mod standby;
pub mod statistics;
pub mod timestamp;
pub mod webhooks;
pub mod write_signal;

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use chrono::{NaiveDateTime, Timelike};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;
use gathered_reads::{FoundById, GatheredReader};
use group_commit::{Committer, ScopeGuard};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Key of the PostgreSQL advisory lock that serialises migrations of several instances.
const MIGRATION_LOCK_KEY: i64 = 0x0066_616d_696c_6965;

/// A database location, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// Accepts `postgres://…`, `postgresql://…` and `sqlite://<path>`.
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, e.g. sqlite://data/familiebro.db".into());
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else {
            Err(format!(
                "unsupported database URL '{}': use sqlite://<path> or postgres://…",
                redact_password(url)
            ))
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgresql",
            Self::Sqlite(_) => "sqlite",
        }
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Opens connections of the backend the URL names, and reports that backend's own
/// error when it cannot (instead of r2d2's guesswork over every backend).
pub struct ConnectionManager {
    url: DatabaseUrl,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error(transparent)]
    Connect(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

impl ConnectionManager {
    fn open(&self) -> Result<DbConnection, ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                Ok(DbConnection::Postgresql(PgConnection::establish(url)?))
            }
            DatabaseUrl::Sqlite(path) => {
                configure_sqlite_library();
                let mut connection = SqliteConnection::establish(&path.to_string_lossy())?;
                // busy_timeout first: it queues writers instead of failing.
                connection
                    .batch_execute(&format!("PRAGMA busy_timeout = {};", LOCK_WAIT.as_millis()))?;
                use_write_ahead_log(&mut connection)?;
                connection.batch_execute(SQLITE_SETTINGS)?;
                Ok(DbConnection::Sqlite(connection))
            }
        }
    }
}

/// Every SQLite connection's settings after its busy timeout and the switch to
/// WAL. NORMAL is durable in WAL mode against a crash of the process.
/// secure_delete overwrites deleted content, so erased data is gone from the
/// file. A page cache of 1 MiB per connection (not 2; the audit committer's is
/// [`COMMITTER_PAGE_CACHE`]): the operating system caches the file too, and a
/// dozen connections stay within the memory target.
/// Writers leave checkpoints to [`checkpoint::Checkpointer`], which makes the
/// log start over from 2 048 pages on, until the log holds 8 192 pages
/// (32 MiB): the checkpointer has several tries before a writer waits for the
/// disk itself.
const SQLITE_SETTINGS: &str = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
     PRAGMA secure_delete = ON; PRAGMA cache_size = -1024; PRAGMA wal_autocheckpoint = 8192;";

/// The audit committer's own SQLite connection, set up like the pool's (why it
/// is not a diesel connection: [`audit::append_on_sqlite`]). The database is
/// in WAL mode already: the pool's connections switched it before any event.
fn open_sqlite_for_appending(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    configure_sqlite_library();
    let connection = rusqlite::Connection::open(path)?;
    connection.busy_timeout(LOCK_WAIT)?;
    connection.execute_batch(SQLITE_SETTINGS)?;
    connection.execute_batch(COMMITTER_PAGE_CACHE)?;
    Ok(connection)
}

/// The audit committer's page cache: 4 MiB where every other connection has
/// 1 MiB. Each event inserts into the trail and its four indexes, and a group
/// of pages of families touches a leaf of the family index per family; in
/// 1 MiB the committer read evicted pages back again and again (under S4, 22
/// reads and 57 writes per page of 50 families, 2.8 and 47 with 4 MiB;
/// bench/PROFILE-ROUNDS.md, twentieth round). Its cache lasts: no other
/// connection writes between its commits unless a request writes.
const COMMITTER_PAGE_CACHE: &str = "PRAGMA cache_size = -4096;";

/// The checkpointer's SQLite connection: it neither creates the file nor waits
/// for locks (a passive checkpoint takes none that it would wait for).
fn open_sqlite_for_checkpoints(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    configure_sqlite_library();
    rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// SQLite's process-wide settings, applied before its first connection opens.
/// A connection is only ever used by one thread at a time (a pool slot, a
/// worker's own connection, the audit committer, the checkpointer), so
/// SQLite's per-connection mutexes are not needed; and its allocation statistics, unused here, would
/// take one global mutex on every allocation of every connection. Every
/// connection then gets [`stable_query_plans`].
fn configure_sqlite_library() {
    use libsqlite3_sys as ffi;
    static CONFIGURED: std::sync::Once = std::sync::Once::new();
    CONFIGURED.call_once(|| {
        // SAFETY: sqlite3_config is called before SQLite is initialised (no
        // connection has been opened yet in this process; after that it only
        // returns SQLITE_MISUSE and changes nothing); the extension has the
        // signature SQLite calls it with.
        unsafe {
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MULTITHREAD);
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, std::ffi::c_int::from(0u8));
            ffi::sqlite3_auto_extension(Some(stable_query_plans));
        }
    });
}

/// Keeps a prepared statement's plan whatever values are bound to it. Without
/// this, SQLite 3.47+ re-parses a statement with `LIMIT ?` (every `.first()`
/// and page) on each execution after new values are bound, so diesel's
/// statement cache saved nothing for them.
unsafe extern "C" fn stable_query_plans(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut std::ffi::c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::ffi::c_int {
    use libsqlite3_sys as ffi;
    // SAFETY: `db` is the connection SQLite is opening; the option takes an
    // int and an optional pointer for the previous value.
    unsafe {
        ffi::sqlite3_db_config(
            db,
            ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
            std::ffi::c_int::from(1u8),
            std::ptr::null_mut::<std::ffi::c_int>(),
        );
    }
    // A connection without the setting is slower, not wrong: it opens anyway.
    ffi::SQLITE_OK
}

/// A connection of the pool and what the pool knows about its health.
pub struct PooledConnection {
    connection: DbConnection,
    /// When a request last used it successfully.
    last_worked: Instant,
    /// A request lost the server on it: the pool drops it.
    broken: bool,
}

/// A connection that worked this recently is not tested again before use: under
/// load that saves a round trip per request, and a connection that dies in
/// between fails one request with 503 and is dropped.
const TRUSTED_AFTER_USE: Duration = Duration::from_secs(1);

impl ManageConnection for ConnectionManager {
    type Connection = PooledConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<PooledConnection, ConnectionError> {
        Ok(PooledConnection {
            connection: self.open()?,
            last_worked: Instant::now(),
            broken: false,
        })
    }

    fn is_valid(&self, pooled: &mut PooledConnection) -> Result<(), ConnectionError> {
        if pooled.last_worked.elapsed() > TRUSTED_AFTER_USE {
            pooled.connection.batch_execute("SELECT 1")?;
            pooled.last_worked = Instant::now();
        }
        Ok(())
    }

    fn has_broken(&self, pooled: &mut PooledConnection) -> bool {
        pooled.broken
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// How long a request waits for a lock held by another transaction before it
/// gives up with 503 instead of hanging: SQLite's busy timeout, the service's
/// own turn to write, the switch to WAL and PostgreSQL's `lock_timeout` all
/// wait this long.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Sets up each pooled connection for serving requests.
#[derive(Debug)]
struct ForRequests;

impl r2d2::CustomizeConnection<PooledConnection, ConnectionError> for ForRequests {
    fn on_acquire(&self, pooled: &mut PooledConnection) -> Result<(), ConnectionError> {
        prepare_for_requests(&mut pooled.connection)
    }
}

fn prepare_for_requests(connection: &mut DbConnection) -> Result<(), ConnectionError> {
    if let DbConnection::Postgresql(pg) = connection {
        pg.batch_execute(&format!("SET lock_timeout = '{}ms'", LOCK_WAIT.as_millis()))?;
    }
    Ok(())
}

/// A connection set up like the pool's, outside the pool.
fn open_for_requests(url: &DatabaseUrl) -> Result<DbConnection, ConnectionError> {
    let mut connection = ConnectionManager { url: url.clone() }.open()?;
    prepare_for_requests(&mut connection)?;
    Ok(connection)
}

/// A connection for `gathered_reads`, set up like the pool's, and on
/// PostgreSQL with one plan for all its executions. Its statements find rows by
/// their primary key, whose plan does not depend on the ids bound; left to
/// choose, PostgreSQL planned every execution anew, because the plan for the
/// few ids bound looks cheaper than a plan for an array of unknown length
/// (planning was a quarter of its CPU under S1, bench/PROFILE-ROUNDS.md).
fn open_for_lookups_by_id(url: &DatabaseUrl) -> Result<DbConnection, ConnectionError> {
    let mut connection = open_for_requests(url)?;
    if let DbConnection::Postgresql(pg) = &mut connection {
        pg.batch_execute("SET plan_cache_mode = force_generic_plan")?;
    }
    Ok(connection)
}

/// The service's handle on its database.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    url: DatabaseUrl,
    committer: Arc<Committer>,
    /// Areas and families by id on PostgreSQL.
    area_reader: Arc<GatheredReader<areas::AreaRow>>,
    family_reader: Arc<GatheredReader<families::FamilyRow>>,
    /// SQLite's checkpoints, while any handle on the database is alive.
    _checkpointer: Option<Arc<checkpoint::Checkpointer>>,
    /// Tells this database's connections of a worker thread from other databases'.
    id: u64,
}

/// WAL lets readers run beside the writer. Switching to it takes the file's
/// exclusive lock, and SQLite refuses at once, without its busy handler, when
/// two connections opening together both hold a shared lock and want it (one
/// must give way to avoid a deadlock): that refusal is retried for as long as
/// the busy timeout would wait.
fn use_write_ahead_log(connection: &mut SqliteConnection) -> Result<(), ConnectionError> {
    let give_up_at = Instant::now() + LOCK_WAIT;
    loop {
        match connection.batch_execute("PRAGMA journal_mode = WAL;") {
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("database is locked") && Instant::now() < give_up_at =>
            {
                std::thread::sleep(Duration::from_millis(2));
            }
            outcome => return Ok(outcome?),
        }
    }
}

/// What the database allows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Only a standby is reachable: reads work, writes get 503.
    ReadOnly,
    /// Unreachable, or not migrated.
    Unavailable,
}

static NEXT_DATABASE_ID: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The SQLite connections a worker thread keeps for short reads, per database.
    static OWN_CONNECTIONS: RefCell<Vec<(u64, KeptConnection)>> = const { RefCell::new(Vec::new()) };
}

/// How long a connection is used before it is replaced by a new one, which
/// reads the planner statistics refreshed since ([`refresh_planner_statistics`]).
const CONNECTION_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// A connection kept outside the pool (a worker's own, the SQLite writer's),
/// set up like the pool's and replaced after [`CONNECTION_LIFETIME`] as the
/// pool's are.
struct KeptConnection {
    opened: Instant,
    connection: DbConnection,
}

impl KeptConnection {
    /// A new connection; `purpose` names it in the warning when none opens.
    fn open(url: &DatabaseUrl, purpose: &str) -> Result<Self, ConnectionError> {
        let connection = open_for_requests(url).inspect_err(|error| {
            log::warn!("no database connection {purpose}: {error}");
        })?;
        Ok(Self {
            opened: Instant::now(),
            connection,
        })
    }

    fn expired(&self) -> bool {
        self.opened.elapsed() >= CONNECTION_LIFETIME
    }
}

/// How long a request waits for a connection before it gets 503.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(3);

impl Database {
    /// Builds the pool without connecting; connections are opened on demand, so
    /// the service starts (and recovers) while the database is down. At most
    /// `connections` are open at once (SQLite's short reads use connections of
    /// their worker threads besides).
    pub fn new(url: &DatabaseUrl, connections: u32) -> Result<Self, String> {
        if let DatabaseUrl::Sqlite(path) = url {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|error| format!("cannot create '{}': {error}", parent.display()))?;
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(connections.max(1))
            .min_idle(Some(0))
            .connection_timeout(CONNECTION_TIMEOUT)
            .max_lifetime(Some(CONNECTION_LIFETIME))
            // A PostgreSQL connection can die with its server; test it before use
            // (unless it just worked) so the pool heals after an outage. SQLite
            // connections cannot.
            .test_on_check_out(matches!(url, DatabaseUrl::Postgres(_)))
            .connection_customizer(Box::new(ForRequests))
            .build_unchecked(ConnectionManager { url: url.clone() });
        let committer = Arc::new(Committer::new(url));
        Ok(Self {
            pool,
            url: url.clone(),
            area_reader: Arc::new(GatheredReader::new(url)),
            family_reader: Arc::new(GatheredReader::new(url)),
            _checkpointer: match url {
                DatabaseUrl::Sqlite(path) => {
                    checkpoint::Checkpointer::start(path, committer.write_turn()).map(Arc::new)
                }
                DatabaseUrl::Postgres(_) => None,
            },
            committer,
            id: NEXT_DATABASE_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// A connection straight from the database (not the pool), with the real error.
    pub fn connect_directly(url: &DatabaseUrl) -> Result<DbConnection, String> {
        ConnectionManager { url: url.clone() }
            .open()
            .map_err(|error| {
                format!(
                    "cannot connect to the {} database: {error}",
                    url.backend_name()
                )
            })
    }

    /// Runs `work` with a pooled connection on the blocking thread pool, then
    /// waits until the audit events it handed over are committed.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let committer = self.committer.clone();
        let (outcome, tickets) = web::block(move || {
            let scope = ScopeGuard::enter(committer);
            let outcome = run_pooled(&pool, work);
            (outcome, scope.tickets())
        })
        .await
        .map_err(ApiError::internal)?;
        let committed = group_commit::all_committed(tickets).await;
        let value = outcome?;
        committed.map(|()| value)
    }

    /// Runs a short read (a few rows found by key, no writes but audit events)
    /// and waits until its audit events are committed. On SQLite it runs where
    /// the request already is, on a connection of the worker thread's own: such a
    /// read takes less time than the hand-off to the blocking pool and back. On
    /// PostgreSQL, where every statement is a round trip, it is [`Self::run`].
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if !matches!(self.url, DatabaseUrl::Sqlite(_)) {
            return self.run(work).await;
        }
        let scope = ScopeGuard::enter(self.committer.clone());
        let outcome = self.with_own_connection(work);
        let committed = group_commit::all_committed(scope.tickets()).await;
        let value = outcome?;
        committed.map(|()| value)
    }

    /// The area `id`, if stored ([`Self::find_by_id`]).
    pub async fn find_area(&self, id: String) -> Result<Option<areas::AreaRow>, ApiError> {
        self.find_by_id(&self.area_reader, id).await
    }

    /// The family `id`, if stored ([`Self::find_by_id`]).
    pub async fn find_family(&self, id: String) -> Result<Option<families::FamilyRow>, ApiError> {
        self.find_by_id(&self.family_reader, id).await
    }

    /// A row by id: on SQLite as a short read, on PostgreSQL with the other
    /// requests' rows of its kind waiting at the same time ([`gathered_reads`]).
    async fn find_by_id<R: FoundById>(
        &self,
        reader: &GatheredReader<R>,
        id: String,
    ) -> Result<Option<R>, ApiError> {
        match self.url {
            DatabaseUrl::Sqlite(_) => {
                self.read(move |connection| Ok(R::find(connection, &id)?))
                    .await
            }
            DatabaseUrl::Postgres(_) => reader.find(id).await,
        }
    }

    /// Appends audit events through the committer and waits until they are
    /// committed, for a read that ran outside [`Self::run`] and [`Self::read`].
    pub async fn append_audit(&self, rows: Vec<audit::AuditRow>) -> Result<(), ApiError> {
        self.committer.hand_over(rows)?.committed().await
    }

    fn with_own_connection<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let kept = OWN_CONNECTIONS.with_borrow_mut(|kept| {
            let position = kept.iter().position(|(id, _)| *id == self.id)?;
            Some(kept.swap_remove(position).1).filter(|kept| !kept.expired())
        });
        let mut kept = match kept {
            Some(kept) => kept,
            None => {
                KeptConnection::open(&self.url, "for reading").map_err(|_| ApiError::Unavailable)?
            }
        };
        let outcome = work(&mut kept.connection);
        OWN_CONNECTIONS.with_borrow_mut(|own| own.push((self.id, kept)));
        outcome
    }

    /// How many connections the pool opens at most.
    pub fn max_connections(&self) -> u32 {
        self.pool.max_size()
    }

    /// Open and idle connections of the pool.
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }

    /// Ready when a connection works and no migration is pending; read-only when
    /// that connection is to a PostgreSQL standby.
    pub async fn readiness(&self) -> Readiness {
        let pool = self.pool.clone();
        web::block(move || {
            let mut pooled = pool.get_timeout(Duration::from_secs(1)).ok()?;
            let (pending, read_only) = match &mut pooled.connection {
                DbConnection::Postgresql(pg) => {
                    if standby::is_standby(pg).ok()? {
                        (standby::pending_migrations(pg).ok()? > 0, true)
                    } else {
                        (pg.has_pending_migration(POSTGRES_MIGRATIONS).ok()?, false)
                    }
                }
                DbConnection::Sqlite(sqlite) => {
                    (sqlite.has_pending_migration(SQLITE_MIGRATIONS).ok()?, false)
                }
            };
            Some(match (pending, read_only) {
                (true, _) => Readiness::Unavailable,
                (false, true) => Readiness::ReadOnly,
                (false, false) => Readiness::Ready,
            })
        })
        .await
        .ok()
        .flatten()
        .unwrap_or(Readiness::Unavailable)
    }
}

fn run_pooled<T>(
    pool: &Pool,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut pooled = pool.get().map_err(|error| {
        log::warn!("no database connection: {error}");
        ApiError::Unavailable
    })?;
    match work(&mut pooled.connection) {
        // The server went away mid-request (a crash, a failover): an outage to
        // retry, not a fault of the service; the pool drops the connection.
        Err(ApiError::Internal(_) | ApiError::Unavailable)
            if pooled.connection.batch_execute("SELECT 1").is_err() =>
        {
            log::warn!("database connection lost during a request");
            pooled.broken = true;
            Err(ApiError::Unavailable)
        }
        outcome => {
            pooled.last_worked = Instant::now();
            outcome
        }
    }
}

/// Runs `work` in a transaction that writes. On SQLite it begins IMMEDIATE, taking
/// the write lock up front: a deferred transaction that reads first and writes
/// later fails at once when another writer got in between, instead of waiting.
/// In a request's work on SQLite, `work` gets the connection that comes with
/// the write turn ([`group_commit::Writer`]), not the one passed in.
/// Inside a transaction already, `work` is part of that one, without a
/// savepoint (two round trips on PostgreSQL): its error ends the whole
/// transaction, which is what every caller does with it.
pub fn write_transaction<T, E, F>(connection: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_begun_on_postgresql_by(connection, "BEGIN", work)
}

/// Like [`write_transaction`], for a transaction whose loss in a crash of the
/// database server harms nothing (an idempotency claim: without the request's
/// own transaction it stands for nothing, and that transaction's commit makes
/// it durable too). On PostgreSQL its commit does not wait for the log to
/// reach the disk (`SET LOCAL` in the same round trip as `BEGIN`); SQLite's
/// commits in WAL mode never do (`synchronous = NORMAL`).
pub fn transaction_without_flush_wait<T, E, F>(
    connection: &mut DbConnection,
    work: F,
) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_begun_on_postgresql_by(
        connection,
        "BEGIN; SET LOCAL synchronous_commit = off",
        work,
    )
}

/// [`write_transaction`], begun on PostgreSQL by `postgresql_begin`. When
/// `work` fails, its error is returned unless rolling back fails otherwise
/// than on an already broken transaction (as diesel's `transaction` does).
fn transaction_begun_on_postgresql_by<T, E, F>(
    connection: &mut DbConnection,
    postgresql_begin: &str,
    work: F,
) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::AnsiTransactionManager;
    if in_transaction(connection)? {
        return work(connection);
    }
    let write_turn = match connection {
        DbConnection::Sqlite(_) => group_commit::sqlite_write_turn(),
        DbConnection::Postgresql(_) => None,
    };
    let mut turn = match &write_turn {
        Some(turn) => Some(group_commit::take_turn(turn)?),
        None => None,
    };
    let (result, ended, broken) = {
        let connection = match turn.as_deref_mut() {
            Some(writer) => writer.connection()?,
            None => connection,
        };
        match connection {
            DbConnection::Postgresql(pg) => {
                AnsiTransactionManager::begin_transaction_sql(pg, postgresql_begin)?
            }
            DbConnection::Sqlite(sqlite) => {
                AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?
            }
        }
        let result = work(connection);
        let ended = end_transaction(connection, result.is_ok());
        (result, ended, in_transaction(connection).unwrap_or(true))
    };
    if broken {
        // The writer's connection is left inside a transaction it could not
        // end: the next write starts on a fresh one.
        if let Some(writer) = turn.as_deref_mut() {
            writer.discard();
        }
    }
    ended?;
    result
}

/// Commits the transaction `connection` is in, or rolls it back when its work
/// failed; a rollback of an already broken transaction is no error of its own.
fn end_transaction<E>(connection: &mut DbConnection, work_succeeded: bool) -> Result<(), E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    use diesel::result::Error::BrokenTransactionManager;
    on_backend!(connection, |backend| if work_succeeded {
        AnsiTransactionManager::commit_transaction(backend)?
    } else {
        match AnsiTransactionManager::rollback_transaction(backend) {
            Ok(()) | Err(BrokenTransactionManager) => {}
            Err(rollback_error) => return Err(rollback_error.into()),
        }
    });
    Ok(())
}

/// Whether `connection` is inside a transaction.
pub fn in_transaction(connection: &mut DbConnection) -> diesel::QueryResult<bool> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let depth = on_backend!(connection, |backend| {
        AnsiTransactionManager::transaction_manager_status_mut(backend).transaction_depth()
    });
    Ok(depth?.is_some())
}

/// Brings the query planner's statistics up to date where the data changed
/// enough for them to matter. SQLite keeps none unless asked, and without them
/// it takes an `IN` list on an indexed column to be selective: a page of
/// families then read and sorted every family of the caller's areas after the
/// cursor instead of walking the key order (bench/PROFILE-ROUNDS.md, fourth
/// round). `PRAGMA optimize` analyses only the tables that need it (0x10000:
/// all of them checked, 0x2: analyse, 0x10: each from a bounded sample, which
/// an explicit mask must ask for), so it stays quick at any size. A connection
/// reads the statistics when it opens, so connections are replaced after
/// [`CONNECTION_LIFETIME`]. PostgreSQL's autovacuum keeps its own.
pub fn refresh_planner_statistics(connection: &mut DbConnection) -> diesel::QueryResult<()> {
    match connection {
        DbConnection::Sqlite(sqlite) => sqlite.batch_execute("PRAGMA optimize = 0x10012;"),
        DbConnection::Postgresql(_) => Ok(()),
    }
}

/// How often the planner statistics are refreshed while serving.
const STATISTICS_REFRESH: Duration = Duration::from_secs(3600);

/// Refreshes the planner statistics every hour while serving, the first time an
/// hour after start (`familiebro serve` refreshes them before it opens the pool).
pub async fn keep_planner_statistics_fresh(database: Database) {
    let start = tokio::time::Instant::now() + STATISTICS_REFRESH;
    let mut ticks = tokio::time::interval_at(start, STATISTICS_REFRESH);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let refreshed = database
            .run(|connection| Ok(refresh_planner_statistics(connection)?))
            .await;
        if let Err(error) = refreshed {
            log::warn!("could not refresh the query planner's statistics: {error}");
        }
    }
}

/// Applies pending migrations; returns how many ran.
pub fn run_migrations(connection: &mut DbConnection) -> Result<usize, String> {
    run_migrations_reporting(connection, &mut |_| {})
}

/// Applies pending migrations one by one, telling `applied` each one's name.
pub fn run_migrations_reporting(
    connection: &mut DbConnection,
    applied: &mut dyn FnMut(&str),
) -> Result<usize, String> {
    match connection {
        DbConnection::Postgresql(pg) => {
            if standby::is_standby(pg).map_err(|error| error.to_string())? {
                return match standby::pending_migrations(pg)? {
                    0 => {
                        log::warn!("the database is a read-only standby: reads are served, writes get 503 until a primary is reachable");
                        Ok(0)
                    }
                    pending => Err(format!("the database is a read-only standby and lacks {pending} migration(s): migrate the primary first")),
                };
            }
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .map_err(|error| error.to_string())?;
            let result = apply_each(pg, POSTGRES_MIGRATIONS, applied);
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .map_err(|error| error.to_string())?;
            result
        }
        DbConnection::Sqlite(sqlite) => apply_each(sqlite, SQLITE_MIGRATIONS, applied),
    }
}

fn apply_each<B: diesel::backend::Backend>(
    harness: &mut impl MigrationHarness<B>,
    source: EmbeddedMigrations,
    applied: &mut dyn FnMut(&str),
) -> Result<usize, String> {
    let failed =
        |error: Box<dyn std::error::Error + Send + Sync>| format!("migration failed: {error}");
    let pending = harness.pending_migrations(source).map_err(failed)?;
    for migration in &pending {
        harness.run_migration(migration.as_ref()).map_err(failed)?;
        applied(&migration.name().to_string());
    }
    Ok(pending.len())
}

/// Migrations the database has that this build does not know: it was migrated
/// by a newer familiebro.
pub fn unknown_migrations(connection: &mut DbConnection) -> Result<Vec<String>, String> {
    use diesel::migration::MigrationSource;
    fn unknown<B: diesel::backend::Backend>(
        harness: &mut impl MigrationHarness<B>,
        source: EmbeddedMigrations,
    ) -> Result<Vec<String>, String> {
        let known: Vec<String> = MigrationSource::<B>::migrations(&source)
            .map_err(|error| error.to_string())?
            .iter()
            .map(|migration| migration.name().version().to_string())
            .collect();
        let applied = harness
            .applied_migrations()
            .map_err(|error| error.to_string())?;
        Ok(applied
            .iter()
            .map(ToString::to_string)
            .filter(|version| !known.contains(version))
            .collect())
    }
    match connection {
        DbConnection::Postgresql(pg) => unknown(pg, POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(sqlite) => unknown(sqlite, SQLITE_MIGRATIONS),
    }
}

/// How many migrations the database lacks.
pub fn pending_migrations(connection: &mut DbConnection) -> Result<usize, String> {
    if let DbConnection::Postgresql(pg) = connection {
        if standby::is_standby(pg).map_err(|error| error.to_string())? {
            return standby::pending_migrations(pg);
        }
    }
    let pending = match connection {
        DbConnection::Postgresql(pg) => pg
            .pending_migrations(POSTGRES_MIGRATIONS)
            .map(|pending| pending.len()),
        DbConnection::Sqlite(sqlite) => sqlite
            .pending_migrations(SQLITE_MIGRATIONS)
            .map(|pending| pending.len()),
    };
    pending.map_err(|error| format!("cannot read the applied migrations: {error}"))
}

/// JSON text of plain data for a text column.
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A value from a JSON text column; a corrupt value is an internal error.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, ApiError> {
    serde_json::from_str(text)
        .map_err(|_| ApiError::internal(format!("stored {what} is not valid JSON")))
}

/// Today's date (UTC).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The current time in UTC, cut to microseconds: PostgreSQL keeps no more, and
/// values must read back the same from both backends.
pub fn now() -> NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_pick_their_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("data/x.db")))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql:///db?host=/run/postgresql"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("mysql://localhost/db").is_err());
        assert!(DatabaseUrl::parse("sqlite:data.db").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_password("postgres://app:s3cret@db:5432/fb"),
            "postgres://app:***@db:5432/fb"
        );
        assert_eq!(redact_password("postgres://db/fb"), "postgres://db/fb");
    }

    #[test]
    fn sqlite_connections_opened_all_at_once_wait_for_each_other_instead_of_failing() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let url = DatabaseUrl::Sqlite(directory.path().join("opened-at-once.db"));
        // Each round starts after every connection closed, so the first one to
        // open sets the file up again while the others wait for it.
        for _ in 0..5 {
            let opened: Vec<_> = (0..32)
                .map(|_| {
                    let url = url.clone();
                    std::thread::spawn(move || Database::connect_directly(&url).map(drop))
                })
                .collect();
            for connection in opened {
                assert_eq!(connection.join().expect("no panic"), Ok(()));
            }
        }
    }

    /// A read's event; `known` says whether its optional fields are set.
    fn event(id: &str, known: bool) -> audit::AuditRow {
        audit::AuditRow {
            id: id.to_owned(),
            occurred_at: now(),
            actor: "worker-1".to_owned(),
            role: "housing_social_worker".to_owned(),
            organisation: known.then(|| "boligselskab".to_owned()),
            action: "read".to_owned(),
            resource_type: "family".to_owned(),
            resource_id: known.then(|| "family-1".to_owned()),
            family_id: known.then(|| "family-1".to_owned()),
            outcome: "allowed".to_owned(),
            request_id: known.then(|| "request-1".to_owned()),
            area_id: known.then(|| "area-1".to_owned()),
        }
    }

    /// A migrated SQLite database in a temporary directory (kept while the
    /// first value lives) and its committer.
    fn sqlite_committer() -> (tempfile::TempDir, PathBuf, Arc<Committer>) {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("committed.db");
        let url = DatabaseUrl::Sqlite(path.clone());
        let mut connection = Database::connect_directly(&url).expect("a connection");
        run_migrations(&mut connection).expect("migrations");
        (directory, path, Arc::new(Committer::new(&url)))
    }

    fn events_stored(path: &std::path::Path) -> i64 {
        let reader = rusqlite::Connection::open(path).expect("a connection");
        reader
            .query_row("SELECT count(*) FROM audit_events", [], |row| row.get(0))
            .expect("counted")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn events_handed_over_by_many_requests_at_once_on_sqlite_are_all_committed() {
        let (_directory, path, committer) = sqlite_committer();
        let requests = (0..400).map(|request| {
            let committer = committer.clone();
            tokio::spawn(async move {
                let rows = vec![event(&format!("event-{request}"), request % 2 == 0)];
                committer.hand_over(rows)?.committed().await
            })
        });
        for answer in futures_util::future::join_all(requests).await {
            assert!(matches!(answer, Ok(Ok(()))), "{answer:?}");
        }
        assert_eq!(events_stored(&path), 400);
    }

    /// Polled once, the request begins to commit the group and lets the worker
    /// run others; then its client goes away and it is dropped.
    fn dropped_while_committing(ticket: group_commit::Ticket) {
        use std::future::Future;
        let mut waiting = Box::pin(ticket.committed());
        let waker = futures_util::task::noop_waker();
        let polled = waiting
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&waker));
        assert!(polled.is_pending());
    }

    #[actix_web::test]
    async fn a_request_that_stops_waiting_while_it_commits_leaves_the_group_to_the_others() {
        let (_directory, path, committer) = sqlite_committer();
        let gone = committer
            .hand_over(vec![event("gone", true)])
            .expect("handed over");
        let staying = committer
            .hand_over(vec![event("staying", true)])
            .expect("handed over");
        dropped_while_committing(gone);
        actix_web::rt::time::timeout(Duration::from_secs(10), staying.committed())
            .await
            .expect("the other request commits the group itself")
            .expect("committed");
        assert_eq!(events_stored(&path), 2);
    }

    #[actix_web::test]
    async fn events_of_requests_whose_clients_went_away_are_committed_without_another_read() {
        let (_directory, path, committer) = sqlite_committer();
        let never_awaited = committer
            .hand_over(vec![event("never-awaited", true)])
            .expect("handed over");
        let gone_while_committing = committer
            .hand_over(vec![event("gone-while-committing", false)])
            .expect("handed over");
        drop(never_awaited);
        dropped_while_committing(gone_while_committing);
        // No other request comes: the events are committed all the same.
        let mut waited = Duration::ZERO;
        while events_stored(&path) < 2 && waited < Duration::from_secs(10) {
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
            waited += Duration::from_millis(10);
        }
        assert_eq!(events_stored(&path), 2);
    }

    #[test]
    fn events_still_waiting_when_the_service_stops_are_committed() {
        let (_directory, path, committer) = sqlite_committer();
        // Outside a runtime nothing can wait for the commit.
        drop(
            committer
                .hand_over(vec![event("left-waiting", true)])
                .expect("handed over"),
        );
        assert_eq!(events_stored(&path), 0);
        drop(committer);
        assert_eq!(events_stored(&path), 1);
    }

    #[actix_web::test]
    async fn while_something_outside_the_service_holds_sqlite_events_wait_off_the_worker() {
        let (_directory, path, committer) = sqlite_committer();
        let first = committer
            .hand_over(vec![event("first", true)])
            .expect("handed over");
        first.committed().await.expect("committed");
        let holder = rusqlite::Connection::open(&path).expect("a connection");
        holder
            .execute_batch("BEGIN IMMEDIATE")
            .expect("the write lock");
        let waiting = committer
            .hand_over(vec![event("second", true)])
            .expect("handed over");
        let commit = actix_web::rt::spawn(waiting.committed());
        // The worker keeps running other work while the event waits for the
        // lock: it never sits through SQLite's busy timeout itself.
        let started = std::time::Instant::now();
        let mut ticks = 0;
        while ticks < 20 && !commit.is_finished() {
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
            ticks += 1;
        }
        assert_eq!(ticks, 20, "the commit waits for the lock");
        assert!(started.elapsed() < LOCK_WAIT, "the worker did not wait");
        holder.execute_batch("COMMIT").expect("released");
        commit
            .await
            .expect("no panic")
            .expect("committed once the lock is free");
        assert_eq!(events_stored(&path), 2);
    }

    #[test]
    fn an_event_committed_in_a_group_on_sqlite_is_stored_as_diesel_stores_it() {
        use diesel::{QueryDsl, RunQueryDsl};
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("appended.db");
        let mut connection =
            Database::connect_directly(&DatabaseUrl::Sqlite(path.clone())).expect("a connection");
        run_migrations(&mut connection).expect("migrations");
        let by_diesel = [event("a-by-diesel", true), event("b-by-diesel", false)];
        let appended = [
            audit::AuditRow {
                id: "a-appended".to_owned(),
                ..by_diesel[0].clone()
            },
            audit::AuditRow {
                id: "b-appended".to_owned(),
                ..by_diesel[1].clone()
            },
        ];
        for row in &by_diesel {
            audit::insert(&mut connection, row).expect("inserted through diesel");
        }
        let mut appender = open_sqlite_for_appending(&path).expect("the committer's connection");
        audit::append_on_sqlite(&mut appender, &appended).expect("appended");

        // Byte for byte and type for type: ranges and sorting over the trail
        // compare stored text, so "the same value" is not enough.
        let stored = |id: &str| -> Vec<rusqlite::types::Value> {
            appender
                .query_row("SELECT * FROM audit_events WHERE id = ?1", [id], |row| {
                    (1..12).map(|column| row.get(column)).collect()
                })
                .expect("a stored event")
        };
        for (diesel_row, appended_row) in by_diesel.iter().zip(&appended) {
            assert_eq!(stored(&appended_row.id), stored(&diesel_row.id));
            let read_back: audit::AuditRow = schema::audit_events::table
                .find(&appended_row.id)
                .first(&mut connection)
                .expect("read back through diesel");
            assert_eq!(&read_back, appended_row);
        }
    }

    #[actix_web::test]
    async fn a_write_that_leaves_its_transaction_open_does_not_hold_the_writes_after_it() {
        use diesel::connection::{SimpleConnection, TransactionManager};
        use diesel::RunQueryDsl;
        let directory = tempfile::tempdir().expect("a temporary directory");
        let db = Database::new(&DatabaseUrl::Sqlite(directory.path().join("writes.db")), 2)
            .expect("a database");
        let write = |sql: &'static str| {
            db.run(move |connection| {
                write_transaction(connection, |connection| {
                    Ok::<_, ApiError>(connection.batch_execute(sql)?)
                })
            })
        };
        write("CREATE TABLE notes (text TEXT NOT NULL)")
            .await
            .expect("created");
        // A savepoint begun and never released: the commit at the end releases
        // it, and the transaction around it stays open on its connection.
        db.run(|connection| {
            write_transaction(connection, |connection| {
                let DbConnection::Sqlite(sqlite) = connection else {
                    panic!("a SQLite connection")
                };
                diesel::connection::AnsiTransactionManager::begin_transaction(sqlite)?;
                Ok::<_, ApiError>(sqlite.batch_execute("INSERT INTO notes VALUES ('left open')")?)
            })
        })
        .await
        .expect("the work itself succeeded");
        for _ in 0..3 {
            write("INSERT INTO notes VALUES ('committed')")
                .await
                .expect("a write after the one left open");
        }
        let committed: i64 = db
            .read(|connection| {
                Ok(
                    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                        "(SELECT count(*) FROM notes WHERE text = 'committed')",
                    ))
                    .get_result(connection)?,
                )
            })
            .await
            .expect("counted");
        assert_eq!(committed, 3);
    }

    /// A SQLite database in a temporary directory (kept while the first value
    /// lives), migrated and seeded with 5 000 families over 50 areas.
    fn seeded_database() -> (
        tempfile::TempDir,
        DatabaseUrl,
        DbConnection,
        crate::seed::SeedReport,
    ) {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let url = DatabaseUrl::Sqlite(directory.path().join("seeded.db"));
        let mut connection = Database::connect_directly(&url).expect("a connection");
        run_migrations(&mut connection).expect("migrations");
        let quiet = crate::progress::Progress::new("", None);
        let seeded = crate::seed::seed(&mut connection, 50, 5_000, &quiet).expect("seeded");
        (directory, url, connection, seeded)
    }

    /// The plan SQLite picks for `sql` with `binds`, its steps joined by "; ".
    fn query_plan(connection: &mut DbConnection, sql: &str, binds: &[String]) -> String {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Step {
            #[diesel(sql_type = diesel::sql_types::Text)]
            detail: String,
        }
        let DbConnection::Sqlite(sqlite) = connection else {
            panic!("a SQLite connection")
        };
        let query = binds.iter().fold(
            diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).into_boxed(),
            |query, value| query.bind::<diesel::sql_types::Text, _>(value.clone()),
        );
        let steps: Vec<Step> = query.load(sqlite).expect("a plan");
        steps
            .into_iter()
            .map(|step| step.detail)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The plan SQLite picks for a page of families from the middle of the key
    /// order, with every area of the data named (as for a caller working in all).
    fn plan_of_a_middle_page(
        connection: &mut DbConnection,
        seeded: &crate::seed::SeedReport,
    ) -> String {
        let areas = vec!["?"; seeded.areas.len()].join(", ");
        let sql = format!(
            "SELECT * FROM families WHERE area_id IN ({areas}) AND id > ? ORDER BY id LIMIT 51"
        );
        let mut binds = seeded.areas.clone();
        binds.push(seeded.middle_family.clone());
        query_plan(connection, &sql, &binds)
    }

    #[test]
    fn with_fresh_statistics_a_page_of_families_walks_the_key_order_instead_of_sorting() {
        let (_directory, url, mut connection, seeded) = seeded_database();
        assert!(
            plan_of_a_middle_page(&mut connection, &seeded).contains("TEMP B-TREE"),
            "without statistics SQLite sorts the areas' families"
        );
        refresh_planner_statistics(&mut connection).expect("refreshed");
        let mut reopened = Database::connect_directly(&url).expect("a connection");
        let plan = plan_of_a_middle_page(&mut reopened, &seeded);
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        assert!(
            plan.contains("families_1"),
            "the primary key's index: {plan}"
        );
    }

    /// As `db::audit::list` asks for a data protection officer's first page:
    /// the events of the organisation's areas (3 of 50 here), and those of no
    /// area. Given an index on the area, SQLite read all of them and sorted them
    /// for a page of 51.
    #[test]
    fn a_page_of_the_audit_trail_walks_the_id_order_instead_of_sorting_the_organisations_events() {
        let (_directory, _, mut connection, seeded) = seeded_database();
        refresh_planner_statistics(&mut connection).expect("refreshed");
        let organisation = &seeded.areas[..3];
        let areas = vec!["?"; organisation.len()].join(", ");
        let sql = format!(
            "SELECT * FROM audit_events WHERE (area_id IN ({areas}) OR area_id IS NULL) \
             ORDER BY id ASC LIMIT 51"
        );
        let plan = query_plan(&mut connection, &sql, organisation);
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn timestamps_are_cut_to_microseconds() {
        assert_eq!(now().nanosecond() % 1_000, 0);
    }
}
