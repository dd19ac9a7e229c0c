//! Test harness: the real app served on port 0 over a fresh database per test
//! (a temporary SQLite file, or a new PostgreSQL database when TEST_DATABASE_URL is set).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use familiebro::auth::keys::KeySet;
use familiebro::auth::token::{mint_hs256, TokenRequest};
use familiebro::auth::{TokenSettings, TokenVerifier};
use familiebro::db::{self, Database, DatabaseUrl};
use familiebro::domain::webhooks::{AllowedHosts, RetrySchedule};
use familiebro::outbox::OutboxSettings;
use familiebro::startup::{serve, ServerParts};
use serde_json::{json, Value};

pub const SECRET: &[u8] = b"test-secret-of-at-least-thirty-two-bytes";
pub const ISSUER: &str = "familiebro-test";
pub const AUDIENCE: &str = "familiebro";
/// Requests per minute per token on list routes in tests.
pub const RATE_LIMIT: u32 = 120;
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";
/// The key that seals CPR numbers in tests.
pub const DATA_KEY: &str = "test-1:dGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=";
pub const MAX_TTL: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares each listed `async fn name(backend: Backend)` as two tests,
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }

                #[tokio::test]
                #[cfg_attr(
                    not(postgres_tests),
                    ignore = "set TEST_DATABASE_URL=postgres://… to run against PostgreSQL"
                )]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        )+
    };
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture exists")
}

/// Owns the test's database and removes it at the end.
enum TestDatabase {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, name } = self {
            if let Ok(mut connection) =
                Database::connect_directly(&DatabaseUrl::Postgres(admin_url.clone()))
            {
                let _ = connection
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    database_url: DatabaseUrl,
    pub client: reqwest::Client,
    database: TestDatabase,
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database_name(url: &str, name: &str) -> String {
    let authority_start = url.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = url[authority_start..]
        .find('/')
        .map(|i| authority_start + i)
        .unwrap_or(url.len());
    let path_end = url[path_start..]
        .find('?')
        .map(|i| path_start + i)
        .unwrap_or(url.len());
    format!("{}/{}{}", &url[..path_start], name, &url[path_end..])
}

fn test_database(backend: Backend) -> (DatabaseUrl, TestDatabase) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = DatabaseUrl::Sqlite(dir.path().join("test.db"));
            (url, TestDatabase::Sqlite { _dir: dir })
        }
        Backend::Postgres => {
            let admin_url = std::env::var("TEST_DATABASE_URL")
                .expect("TEST_DATABASE_URL must name a PostgreSQL database for the postgres tests");
            let name = format!("familiebro_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = Database::connect_directly(&DatabaseUrl::Postgres(admin_url.clone()))
                .expect("connect to TEST_DATABASE_URL");
            admin
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .expect("create test database");
            let url = DatabaseUrl::Postgres(with_database_name(&admin_url, &name));
            (url, TestDatabase::Postgres { admin_url, name })
        }
    }
}

pub fn test_keys() -> KeySet {
    let mut keys = KeySet::default();
    keys.add_hs256_secret(SECRET).unwrap();
    keys.add_public_keys_file(&fixture("rsa_public.pem"))
        .unwrap();
    keys.add_public_keys_file(&fixture("ec_public.pem"))
        .unwrap();
    keys.add_public_keys_file(&fixture("ed_jwks.json")).unwrap();
    keys
}

pub fn token_settings() -> TokenSettings {
    TokenSettings {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        max_ttl: MAX_TTL,
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let (database_url, database) = test_database(backend);
    let mut connection = Database::connect_directly(&database_url).expect("connect");
    db::run_migrations(&mut connection).expect("migrations");
    let address = serve_on(&database_url);
    TestApp {
        address,
        database_url: database_url.clone(),
        client: reqwest::Client::new(),
        database,
    }
}

/// How fast the test outbox works: deliveries are retried after 100 ms and
/// given up after 3 s, instead of 5 s and 24 h.
pub fn test_outbox() -> OutboxSettings {
    OutboxSettings {
        retry: RetrySchedule {
            first: Duration::from_millis(100),
            give_up_after: Duration::from_secs(3),
        },
        poll_interval: Duration::from_millis(100),
        retention_days: 30,
    }
}

/// Serves another instance of the app on `database_url`; returns its address.
fn serve_on(database_url: &DatabaseUrl) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = serve(
        listener,
        ServerParts {
            database: Database::new(
                database_url,
                familiebro::config::database_connections(None).expect("default"),
            )
            .expect("pool"),
            verifier: TokenVerifier::new(test_keys(), token_settings()),
            cors_origins: vec!["https://frontend.example.dk".into()],
            suppression_threshold: 5,
            rate_limit_per_minute: RATE_LIMIT,
            metrics_token: Some(METRICS_TOKEN.into()),
            data_keys: familiebro::db::sealed::DataKeys::parse(DATA_KEY).expect("data key"),
            consent_max_months: 12,
            default_language: familiebro::domain::language::Language::Da,
            key_source: familiebro::auth::keys::KeySource::default(),
            webhook_hosts: AllowedHosts {
                hosts: vec!["hooks.kk.dk".into()],
                loopback_http: true,
            },
            outbox: test_outbox(),
            workers: Some(2),
            drain: std::time::Duration::ZERO,
        },
    )
    .expect("server");
    tokio::spawn(server);
    address
}

impl TestApp {
    /// A second instance of the service on the same database.
    pub fn another_instance(&self) -> String {
        serve_on(&self.database_url)
    }

    /// A connection to the test's database, behind the service's back.
    pub fn connect(&self) -> db::DbConnection {
        Database::connect_directly(&self.database_url).expect("connect")
    }
}

/// Tokens for the test roles, signed with the test secret.
pub fn token(request: TokenRequest) -> String {
    mint_hs256(
        SECRET,
        &token_settings(),
        TokenRequest {
            ttl: Duration::from_secs(600),
            ..request
        },
    )
    .expect("mint")
}

fn request(role: &str) -> TokenRequest {
    TokenRequest {
        role: role.into(),
        subject: format!("test-{role}"),
        ..TokenRequest::default()
    }
}

pub fn admin() -> String {
    token(request("admin"))
}

pub fn worker(areas: &[&str]) -> String {
    token(TokenRequest {
        areas: Some(areas.iter().map(|id| id.to_string()).collect()),
        ..request("housing_social_worker")
    })
}

pub fn caseworker(municipality: &str, unit: &str) -> String {
    token(TokenRequest {
        municipality: Some(municipality.into()),
        unit: Some(unit.into()),
        ..request("municipal_caseworker")
    })
}

pub fn analyst(municipality: Option<&str>) -> String {
    token(TokenRequest {
        municipality: municipality.map(str::to_owned),
        ..request("analyst")
    })
}

pub fn data_protection_officer() -> String {
    token(TokenRequest {
        org: Some("boligselskabet-test".into()),
        ..request("data_protection_officer")
    })
}

/// A token of every role; the worker works in `worker_areas`.
pub fn every_role(worker_areas: &[&str]) -> Vec<(&'static str, String)> {
    vec![
        ("housing_social_worker", worker(worker_areas)),
        ("municipal_caseworker", caseworker("101", "social_services")),
        ("analyst", analyst(None)),
        ("data_protection_officer", data_protection_officer()),
        ("admin", admin()),
    ]
}

pub fn new_area(name: &str, municipality: &str) -> Value {
    json!({
        "name": name,
        "municipality_code": municipality,
        "housing_organisation": "Boligselskabet Test",
        "organisation_code": "boligselskabet-test",
        "plan": {"name": format!("Helhedsplan {name}"), "starts_on": "2025-01-01", "ends_on": "2028-12-31"},
        "figures": {"households": 800, "single_parent_share": 0.3}
    })
}

impl TestApp {
    /// Name of the test's own PostgreSQL database, if it runs on PostgreSQL.
    pub fn postgres_database_name(&self) -> Option<&str> {
        match &self.database {
            TestDatabase::Postgres { name, .. } => Some(name),
            TestDatabase::Sqlite { .. } => None,
        }
    }

    /// The bytes of the SQLite database file and its WAL, if the test runs on SQLite.
    pub fn sqlite_bytes(&self) -> Option<Vec<u8>> {
        let DatabaseUrl::Sqlite(path) = &self.database_url else {
            return None;
        };
        let mut bytes = std::fs::read(path).expect("database file");
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        if let Ok(more) = std::fs::read(wal) {
            bytes.extend(more);
        }
        Some(bytes)
    }

    /// Runs SQL directly on the test's database, behind the service's back
    /// (to age data, or to check what is stored).
    pub fn sql(&self, statements: &str) {
        self.try_sql(statements).expect("sql");
    }

    pub fn try_sql(&self, statements: &str) -> Result<(), String> {
        let mut connection = Database::connect_directly(&self.database_url)?;
        connection
            .batch_execute(statements)
            .map_err(|error| error.to_string())
    }

    /// Rows of `table` whose `column` contains `needle` (read behind the service's back).
    pub fn rows_containing(&self, table: &str, column: &str, needle: &str) -> i64 {
        use diesel::sql_types::BigInt;
        use diesel::{Connection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Matches {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let sql = format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE CAST({column} AS TEXT) LIKE '%{needle}%'"
        );
        match &self.database_url {
            DatabaseUrl::Sqlite(path) => {
                let mut connection =
                    diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("sqlite");
                diesel::sql_query(sql)
                    .get_result::<Matches>(&mut connection)
                    .expect("query")
                    .n
            }
            DatabaseUrl::Postgres(url) => {
                let mut connection = diesel::PgConnection::establish(url).expect("postgres");
                diesel::sql_query(sql)
                    .get_result::<Matches>(&mut connection)
                    .expect("query")
                    .n
            }
        }
    }

    /// Every value of `column` in `table`, as text (read behind the service's back).
    pub fn column_values(&self, table: &str, column: &str) -> Vec<String> {
        use diesel::sql_types::Text;
        use diesel::{Connection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Value {
            #[diesel(sql_type = Text)]
            v: String,
        }
        let sql = format!("SELECT CAST({column} AS TEXT) AS v FROM {table}");
        let rows: Vec<Value> = match &self.database_url {
            DatabaseUrl::Sqlite(path) => {
                let mut connection =
                    diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("sqlite");
                diesel::sql_query(sql).load(&mut connection).expect("query")
            }
            DatabaseUrl::Postgres(url) => {
                let mut connection = diesel::PgConnection::establish(url).expect("postgres");
                diesel::sql_query(sql).load(&mut connection).expect("query")
            }
        };
        rows.into_iter().map(|row| row.v).collect()
    }

    /// Holds SQLite's write lock from outside the service until the result is dropped.
    pub fn hold_sqlite_write_lock(&self) -> diesel::SqliteConnection {
        use diesel::Connection;
        let DatabaseUrl::Sqlite(path) = &self.database_url else {
            panic!("a SQLite test app");
        };
        let mut connection =
            diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("sqlite");
        connection.batch_execute("BEGIN IMMEDIATE").expect("lock");
        connection
    }

    /// Runs the retention job as `familiebro purge` does.
    pub fn purge(
        &self,
        family_months: u32,
        snapshot_months: u32,
    ) -> familiebro::retention::PurgeReport {
        let mut connection = Database::connect_directly(&self.database_url).expect("connect");
        let policy = familiebro::retention::RetentionPolicy {
            family_months,
            snapshot_months,
        };
        familiebro::retention::purge(
            &mut connection,
            policy,
            familiebro::db::now(),
            &familiebro::progress::Progress::new("purging", None),
        )
        .expect("purge")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The OpenAPI document the app serves.
    pub async fn served_openapi(&self) -> Value {
        self.client
            .get(self.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(
        &self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body);
        if let Some(etag) = if_match {
            request = request.header("If-Match", etag);
        }
        request.send().await.expect("request")
    }

    pub async fn put(
        &self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body);
        if let Some(etag) = if_match {
            request = request.header("If-Match", etag);
        }
        request.send().await.expect("request")
    }

    /// Creates an area as admin and returns its id.
    pub async fn create_area(&self, name: &str, municipality: &str) -> String {
        let response = self
            .post("/api/v1/areas", &admin(), &new_area(name, municipality))
            .await;
        assert_eq!(response.status(), 201, "creating area {name}");
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }
}

/// Asserts an RFC 9457 problem response with `status`, and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status of {}",
        response.url()
    );
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    body
}

pub fn new_family(area_id: &str, name: &str) -> Value {
    json!({
        "area_id": area_id,
        "display_name": name,
        "contact": {"phone": "+45 12 34 56 78"},
        "household": {"adults": 2, "children": 3, "children_birth_years": [2012, 2016]},
        "languages": ["arabisk"],
        "interpreter_needed": true
    })
}

/// The child's CPR number in test concern reports (a valid date, a child).
pub const CHILD_CPR: &str = "010116-4123";

/// A concern report the municipality can act on.
pub fn new_concern_report(family_id: &str, observation: &str) -> Value {
    json!({
        "family_id": family_id,
        "child": {"name": "Omar", "cpr": CHILD_CPR, "address": "Nørrebakken 3, 2. th."},
        "parents": [{"name": "Amina", "relation": "mother"}, {"name": "Yusuf", "relation": "father"}],
        "observation": observation,
        "observed_on": chrono::Utc::now().date_naive().to_string(),
        "child_statement": "Far bliver så vred",
        "parents_informed": false,
        "parents_not_informed_reason": "Det kan bringe barnet i fare",
        "reporter": {"name": "Sara, boligsocial medarbejder", "phone": "+45 43 21 00 00"},
        "urgent": true
    })
}

pub fn new_initiative(area_id: &str, initiative_type: &str, format: &str) -> Value {
    json!({
        "area_id": area_id,
        "type": initiative_type,
        "title": format!("{initiative_type} i området"),
        "format": format,
        "capacity": 3,
        "schedule": {"starts_on": "2026-02-01", "recurrence": "tirsdage 17-19"},
        "partners": [{"name": "Nørrebakkens skole", "kind": "school"}],
        "languages": ["arabisk"]
    })
}

/// An area, a worker of that area, and a family the worker registered there:
/// where most scenarios of individual data start.
pub struct WorkersFamily {
    pub area: String,
    pub worker: String,
    pub family: String,
}

impl TestApp {
    /// Creates the area Nørrebakken (municipality 101), a worker's token for
    /// it, and the family `family_name` registered there by that worker.
    pub async fn workers_family(&self, family_name: &str) -> WorkersFamily {
        let area = self.create_area("Nørrebakken", "101").await;
        let worker = worker(&[&area]);
        let family = self
            .create("/api/v1/families", &worker, &new_family(&area, family_name))
            .await;
        WorkersFamily {
            area,
            worker,
            family,
        }
    }

    /// Creates a record with `body` at `path` as `token` and returns its id.
    pub async fn create(&self, path: &str, token: &str, body: &Value) -> String {
        let response = self.post(path, token, body).await;
        let status = response.status();
        let created: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "creating at {path}: {created}");
        created["id"].as_str().unwrap().to_owned()
    }

    pub async fn post_with_key(
        &self,
        path: &str,
        token: &str,
        key: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }
}
