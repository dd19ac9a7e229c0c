//! The binary as an operator runs it for years: keys rotated without a
//! restart, backups that restore, logs a log system reads, commands that say
//! what they do, a configuration check, the version.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use familiebro::db::{Database, DatabaseUrl};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::cli::{familiebro, runtime, DevServer, Running, BINARY, DATA_KEY};
use crate::helpers::fixture_bytes;

const SECRET: &str = "operating-test-secret-0123456789abcdef01";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server configured as in production (no --dev), its log lines collected.
struct Server {
    child: Running,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(dir: &Path, configure: impl FnOnce(&mut Command)) -> Self {
        let port = free_port();
        let mut command = familiebro(dir);
        command
            .env("FAMILIEBRO_JWT_ISSUER", "idp")
            .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
            .env("FAMILIEBRO_DATA_KEY", DATA_KEY)
            .env("FAMILIEBRO_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "info")
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        configure(&mut command);
        let mut child = Running(command.spawn().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = log.clone();
        let stderr = BufReader::new(child.0.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the server did not start: {:?}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, base, log }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.log().iter().any(|line| line.contains(needle)) {
            assert!(
                Instant::now() < deadline,
                "no log line with {needle:?}: {:?}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn ed_token(private_key: &str, kid: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    encode(
        &header,
        &json!({"iss": "idp", "aud": "familiebro", "sub": "rotation", "role": "analyst", "iat": now, "exp": now + 600}),
        &EncodingKey::from_ed_pem(&fixture_bytes(private_key)).unwrap(),
    )
    .unwrap()
}

fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

fn status(base: &str, token: &str) -> u16 {
    runtime().block_on(async {
        reqwest::Client::new()
            .get(format!("{base}/api/v1/catalog/problem-areas"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

fn wait_for_status(base: &str, token: &str, expected: u16) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while status(base, token) != expected {
        assert!(Instant::now() < deadline, "the token never got {expected}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn signing_keys_rotate_in_the_key_file_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first: Value =
        serde_json::from_slice::<Value>(&fixture_bytes("ed_jwks.json")).unwrap()["keys"][0].clone();
    let second: Value = serde_json::from_slice(&fixture_bytes("ed2_jwk.json")).unwrap();
    let file = dir.path().join("jwks.json");
    std::fs::write(&file, jwks(std::slice::from_ref(&first))).unwrap();
    let server = Server::start(dir.path(), |command| {
        command.env("FAMILIEBRO_JWT_PUBLIC_KEYS", &file);
    });
    let old = ed_token("ed_private.pem", "ed-1");
    let new = ed_token("ed2_private.pem", "ed-2");
    assert_eq!(status(&server.base, &old), 200);
    assert_eq!(status(&server.base, &new), 401);

    // The identity provider publishes its next key before signing with it.
    std::fs::write(&file, jwks(&[first.clone(), second.clone()])).unwrap();
    wait_for_status(&server.base, &new, 200);
    assert_eq!(status(&server.base, &old), 200);

    // A file that does not parse changes nothing, and says why.
    std::fs::write(&file, "{ not json").unwrap();
    server.wait_for_log("the previous ones stay in use");
    assert_eq!(status(&server.base, &new), 200);

    // The old key is dropped; SIGHUP re-reads at once.
    std::fs::write(&file, jwks(&[second])).unwrap();
    // SAFETY: sending a signal to the child process this test started.
    unsafe { libc::kill(server.child.0.id() as i32, libc::SIGHUP) };
    server.wait_for_log("(SIGHUP)");
    wait_for_status(&server.base, &old, 401);
    assert_eq!(status(&server.base, &new), 200);
}

#[test]
fn json_logs_carry_the_route_template_and_nothing_personal() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = DevServer::start_with(
        dir.path(),
        &[("RUST_LOG", "info"), ("FAMILIEBRO_LOG_FORMAT", "json")],
        Stdio::from(log),
    );
    let worker = server.tokens["housing_social_worker"].clone();
    let base = server.base().to_owned();
    let family_id = runtime().block_on(async {
        let client = reqwest::Client::new();
        let families: Value = client
            .get(format!("{base}/api/v1/families"))
            .bearer_auth(&worker)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let family = families["items"][0].clone();
        let response = client
            .get(format!(
                "{base}/api/v1/families/{}",
                family["id"].as_str().unwrap()
            ))
            .bearer_auth(&worker)
            .header("X-Request-Id", "ops-check-1")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        (
            family["id"].as_str().unwrap().to_owned(),
            family["display_name"].as_str().unwrap().to_owned(),
        )
    });
    drop(server);
    let text = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let access = lines
        .iter()
        .find(|line| line["request_id"] == "ops-check-1")
        .expect("the request's access line");
    assert_eq!(access["route"], "/api/v1/families/{id}");
    assert_eq!(access["method"], "GET");
    assert_eq!(access["status"], 200);
    assert!(access["duration_ms"].is_number());
    assert_eq!(access["level"], "INFO");
    assert!(access["time"].as_str().unwrap().ends_with('Z'));
    for secret in [worker.as_str(), family_id.0.as_str(), family_id.1.as_str()] {
        assert!(!text.contains(secret), "{secret} is in the log");
    }
}

fn family_ids(database: &Path) -> HashSet<String> {
    use familiebro::db::schema::families;
    let mut connection =
        Database::connect_directly(&DatabaseUrl::Sqlite(database.to_path_buf())).unwrap();
    families::table
        .select(families::id)
        .load::<String>(&mut connection)
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn a_backup_under_write_load_restores_every_write_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = DevServer::start(dir.path(), "warn", Stdio::null());
    let worker = server.tokens["housing_social_worker"].clone();
    let base = server.base().to_owned();
    let area: Value = runtime().block_on(async {
        reqwest::Client::new()
            .get(format!("{base}/api/v1/families?limit=1"))
            .bearer_auth(&worker)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let area_id = area["items"][0]["area_id"].as_str().unwrap().to_owned();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (acknowledged, writing, worker, base) = (
            acknowledged.clone(),
            writing.clone(),
            worker.clone(),
            base.clone(),
        );
        std::thread::spawn(move || {
            runtime().block_on(async {
                let client = reqwest::Client::new();
                let mut n = 0;
                while writing.load(Ordering::SeqCst) {
                    n += 1;
                    let response = client
                        .post(format!("{base}/api/v1/families"))
                        .bearer_auth(&worker)
                        .json(&json!({"area_id": area_id, "display_name": format!("Familien {n}"), "household": {"adults": 1, "children": 1}}))
                        .send()
                        .await
                        .unwrap();
                    if response.status() == 201 {
                        let body: Value = response.json().await.unwrap();
                        acknowledged.lock().unwrap().push(body["id"].as_str().unwrap().to_owned());
                    }
                }
            })
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    assert!(!before.is_empty(), "writes are going on");
    let backup = dir.path().join("backup.db");
    let output = familiebro(dir.path())
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = String::from_utf8(output.stdout).unwrap();
    assert!(summary.contains("integrity check ok"), "{summary}");
    assert_eq!(summary.lines().count(), 1, "one summary line in scripts");
    writing.store(false, Ordering::SeqCst);
    writer.join().unwrap();

    // The running service holds the database: no restore under it.
    let refused = familiebro(dir.path())
        .args(["restore", "--replace"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("stop the service first"));

    let fresh = tempfile::tempdir().unwrap();
    let restored = familiebro(fresh.path())
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let database = fresh.path().join("familiebro.db");
    let present = family_ids(&database);
    let missing: Vec<_> = before.iter().filter(|id| !present.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup but not restored: {missing:?}"
    );
    let mut connection = Database::connect_directly(&DatabaseUrl::Sqlite(database)).unwrap();
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut connection)
        .unwrap();
    assert_eq!(check[0].integrity_check, "ok");
    let again = familiebro(fresh.path())
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("--replace"),
        "a restore never overwrites silently"
    );
}

#[test]
fn check_names_every_problem_at_once_and_passes_a_good_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let bad = familiebro(dir.path())
        .env("FAMILIEBRO_RATE_LIMIT", "lots")
        .arg("check")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let report = String::from_utf8(bad.stdout).unwrap();
    for variable in [
        "FAMILIEBRO_JWT_ISSUER",
        "FAMILIEBRO_JWT_HS256_SECRET",
        "FAMILIEBRO_DATA_KEY",
        "FAMILIEBRO_RATE_LIMIT",
    ] {
        assert!(report.contains(variable), "{variable} is named: {report}");
    }
    let good = familiebro(dir.path())
        .env("FAMILIEBRO_JWT_ISSUER", "idp")
        .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
        .env("FAMILIEBRO_JWT_HS256_SECRET", SECRET)
        .env("FAMILIEBRO_DATA_KEY", DATA_KEY)
        .arg("check")
        .output()
        .unwrap();
    let report = String::from_utf8(good.stdout).unwrap();
    assert!(good.status.success(), "{report}");
    assert!(
        report.contains("ok: database (sqlite) reachable"),
        "{report}"
    );
}

#[test]
fn rekey_seals_old_values_with_the_new_key_and_a_second_run_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let new_key = "test-2:QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";
    let both = format!("{new_key},{DATA_KEY}");
    {
        let server = Server::start(dir.path(), |command| {
            command.env("FAMILIEBRO_JWT_HS256_SECRET", SECRET);
        });
        let token = |args: &[&str]| {
            let output = Command::new(BINARY)
                .env("FAMILIEBRO_JWT_HS256_SECRET", SECRET)
                .env("FAMILIEBRO_JWT_ISSUER", "idp")
                .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
                .arg("token")
                .args(args)
                .output()
                .unwrap();
            String::from_utf8(output.stdout).unwrap().trim().to_owned()
        };
        let admin = token(&["--role", "admin", "--sub", "ops"]);
        runtime().block_on(async {
            let client = reqwest::Client::new();
            let area: Value = client
                .post(format!("{}/api/v1/areas", server.base))
                .bearer_auth(&admin)
                .json(&json!({"name": "Nørrebakken", "municipality_code": "101", "housing_organisation": "Fremtiden", "organisation_code": "fremtiden"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let area = area["id"].as_str().unwrap().to_owned();
            let worker = token(&["--role", "housing_social_worker", "--sub", "ops-worker", "--areas", &area]);
            let family: Value = client
                .post(format!("{}/api/v1/families", server.base))
                .bearer_auth(&worker)
                .json(&json!({"area_id": area, "display_name": "Familien A", "household": {"adults": 1, "children": 1}}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let report = client
                .post(format!("{}/api/v1/concern-reports", server.base))
                .bearer_auth(&worker)
                .json(&crate::helpers::new_concern_report(family["id"].as_str().unwrap(), "Bekymring"))
                .send()
                .await
                .unwrap();
            assert_eq!(report.status(), 201);
        });
    }
    let rekey = |key: &str| {
        familiebro(dir.path())
            .env("FAMILIEBRO_DATA_KEY", key)
            .arg("rekey")
            .output()
            .unwrap()
    };
    let first = rekey(&both);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("1 concern report"));
    let second = rekey(&both);
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("0 concern report"),
        "idempotent"
    );
    // The old key can go: everything opens with the new one.
    let checked = familiebro(dir.path())
        .env("FAMILIEBRO_JWT_ISSUER", "idp")
        .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
        .env("FAMILIEBRO_JWT_HS256_SECRET", SECRET)
        .env("FAMILIEBRO_DATA_KEY", new_key)
        .arg("check")
        .output()
        .unwrap();
    let report = String::from_utf8(checked.stdout).unwrap();
    assert!(report.contains("every sealed value opens"), "{report}");
    let stale = familiebro(dir.path())
        .env("FAMILIEBRO_JWT_ISSUER", "idp")
        .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
        .env("FAMILIEBRO_JWT_HS256_SECRET", SECRET)
        .env("FAMILIEBRO_DATA_KEY", DATA_KEY)
        .arg("check")
        .output()
        .unwrap();
    assert!(String::from_utf8(stale.stdout)
        .unwrap()
        .contains("sealed with a key FAMILIEBRO_DATA_KEY does not hold"));
}

#[test]
fn commands_in_scripts_print_only_their_result_and_the_version_names_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = familiebro(dir.path())
        .args(["seed", "--families", "300", "--areas", "2"])
        .output()
        .unwrap();
    assert!(seeded.status.success());
    let report: Value = serde_json::from_slice(&seeded.stdout).expect("only JSON on stdout");
    assert_eq!(report["families"], 300);
    assert!(
        seeded.stderr.is_empty(),
        "no progress bar without a terminal"
    );
    let version = Command::new(BINARY).arg("--version").output().unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    assert!(
        version.starts_with(&format!("familiebro {} (", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    assert!(version.trim_end().ends_with(')'));
}
