//! The binary as a new user meets it: refusing to start unconfigured, minting
//! tokens for scripts, and `serve --dev` with demo data and ready tokens.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub(crate) const BINARY: &str = env!("CARGO_BIN_EXE_familiebro");
/// A data key in the form FAMILIEBRO_DATA_KEY takes (32 bytes, base64).
pub(crate) const DATA_KEY: &str = "test-1:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=";

pub(crate) fn familiebro(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .env("FAMILIEBRO_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn");
    command
}

#[test]
fn serve_without_key_configuration_refuses_and_says_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let output = familiebro(dir.path()).arg("serve").output().unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("FAMILIEBRO_JWT_ISSUER"), "{message}");
    assert!(message.contains("--dev"), "{message}");

    let output = familiebro(dir.path())
        .args([
            "serve",
            "--jwt-issuer",
            "idp",
            "--jwt-audience",
            "familiebro",
        ])
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("FAMILIEBRO_JWT_HS256_SECRET")
            && message.contains("FAMILIEBRO_JWT_PUBLIC_KEYS"),
        "{message}"
    );

    let output = familiebro(dir.path())
        .env("FAMILIEBRO_JWT_ISSUER", "idp")
        .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
        .env(
            "FAMILIEBRO_JWT_HS256_SECRET",
            "a-secret-that-is-long-enough-to-use-it",
        )
        .arg("serve")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("FAMILIEBRO_DATA_KEY"), "{message}");
}

#[test]
fn bad_configuration_values_name_their_variable() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("FAMILIEBRO_BIND", "everywhere"),
        ("FAMILIEBRO_JWT_MAX_TTL", "forever"),
        ("FAMILIEBRO_JWT_HS256_SECRET", "too-short"),
        ("FAMILIEBRO_CORS_ORIGINS", "*"),
        ("DATABASE_URL", "mysql://localhost/x"),
        ("FAMILIEBRO_JWT_PUBLIC_KEYS", "/nonexistent/keys.pem"),
        ("FAMILIEBRO_DATA_KEY", "k1:c2hvcnQ="),
        ("FAMILIEBRO_CONSENT_MAX_MONTHS", "a year"),
    ];
    for (variable, value) in cases {
        let output = familiebro(dir.path())
            .env("FAMILIEBRO_JWT_ISSUER", "idp")
            .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
            .env(
                "FAMILIEBRO_JWT_HS256_SECRET",
                "a-secret-that-is-long-enough-to-use-it",
            )
            .env("FAMILIEBRO_DATA_KEY", DATA_KEY)
            .env(variable, value)
            .arg("serve")
            .output()
            .unwrap();
        assert!(
            !output.status.success(),
            "{variable}={value} must not start"
        );
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains(variable), "{variable}: {message}");
    }
}

#[test]
fn token_prints_only_a_token_that_the_configured_secret_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let output = familiebro(dir.path())
        .env(
            "FAMILIEBRO_JWT_HS256_SECRET",
            "a-secret-that-is-long-enough-to-use-it",
        )
        .env("FAMILIEBRO_JWT_ISSUER", "idp")
        .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
        .args([
            "token",
            "--role",
            "municipal_caseworker",
            "--sub",
            "cw-1",
            "--municipality",
            "101",
            "--unit",
            "job_centre",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.trim_end_matches('\n');
    assert_eq!(token.split('.').count(), 3, "only the token: {stdout:?}");
    assert!(!token.contains(char::is_whitespace));

    let refused = familiebro(dir.path())
        .env(
            "FAMILIEBRO_JWT_HS256_SECRET",
            "a-secret-that-is-long-enough-to-use-it",
        )
        .env("FAMILIEBRO_JWT_ISSUER", "idp")
        .env("FAMILIEBRO_JWT_AUDIENCE", "familiebro")
        .args(["token", "--role", "municipal_caseworker", "--sub", "cw-1"])
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "a caseworker token needs its scope"
    );
    assert!(refused.stdout.is_empty());
}

/// Kills the child process when the test ends, passed or failed.
pub(crate) struct Running(pub(crate) std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `serve --dev` server on a free port, with the tokens it printed.
pub(crate) struct DevServer {
    _child: Running,
    pub(crate) tokens: std::collections::HashMap<String, String>,
    docs: String,
}

impl DevServer {
    pub(crate) fn start(dir: &std::path::Path, log_level: &str, log: Stdio) -> Self {
        Self::start_with(dir, &[("RUST_LOG", log_level)], log)
    }

    /// Starts it with these environment variables.
    pub(crate) fn start_with(dir: &std::path::Path, env: &[(&str, &str)], log: Stdio) -> Self {
        let mut child = Running(
            familiebro(dir)
                .envs(env.iter().copied())
                .args(["serve", "--dev", "--bind", "127.0.0.1:0"])
                .stdout(Stdio::piped())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        let (lines, received) = std::sync::mpsc::channel();
        let stdout = BufReader::new(child.0.stdout.take().unwrap());
        // Keep draining stdout so the server never writes into a closed pipe.
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut tokens = std::collections::HashMap::new();
        let mut role = None;
        let mut docs = None;
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(line) =
            received.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if let Some(url) = line.strip_prefix("API docs: ") {
                docs = Some(url.to_owned());
                break;
            }
            if let Some(name) = line.strip_suffix(':').filter(|name| !name.contains(' ')) {
                role = Some(name.to_owned());
            } else if let (Some(name), Some(token)) = (role.take(), line.strip_prefix("  ")) {
                tokens.insert(name, token.to_owned());
            }
        }
        Self {
            _child: child,
            tokens,
            docs: docs.expect("the docs URL is printed"),
        }
    }

    pub(crate) fn base(&self) -> &str {
        self.docs.trim_end_matches("/docs/")
    }
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn serve_dev_loads_demo_data_and_prints_working_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let server = DevServer::start(dir.path(), "warn", Stdio::inherit());
    let (tokens, docs, base) = (&server.tokens, &server.docs, server.base());
    assert_eq!(tokens.len(), 5, "one token per role: {:?}", tokens.keys());
    assert!(
        dir.path().join("familiebro.db").exists(),
        "SQLite under the data dir"
    );

    runtime().block_on(async {
        let client = reqwest::Client::new();
        let areas: Value = client
            .get(format!("{base}/api/v1/areas"))
            .bearer_auth(&tokens["analyst"])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(areas["items"].as_array().unwrap().len(), 3, "demo areas");
        let mut statuses = Vec::new();
        for area in areas["items"].as_array().unwrap() {
            let assessments: Value = client
                .get(format!(
                    "{base}/api/v1/areas/{}/assessments",
                    area["id"].as_str().unwrap()
                ))
                .bearer_auth(&tokens["municipal_caseworker"])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for assessment in assessments["items"].as_array().into_iter().flatten() {
                statuses.push(assessment["status"].as_str().unwrap().to_owned());
            }
        }
        statuses.sort();
        assert_eq!(
            statuses,
            ["agreed", "draft"],
            "one agreed assessment and one draft"
        );
        let get = |path: &str, role: &str| {
            client
                .get(format!("{base}{path}"))
                .bearer_auth(&tokens[role])
                .send()
        };
        let referrals: Value = get("/api/v1/referrals", "municipal_caseworker")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut states: Vec<&str> = referrals["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|referral| referral["status"].as_str().unwrap())
            .collect();
        states.sort();
        assert_eq!(
            states,
            ["accepted", "completed", "requested"],
            "referrals in the states a receiver handles"
        );
        let reports: Value = get("/api/v1/concern-reports", "municipal_caseworker")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            reports["items"][0]["status"], "received",
            "a concern report to handle"
        );
        for (role, token) in tokens.iter() {
            let status = client
                .get(format!("{base}/api/v1/catalog/municipal-units"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 200, "the printed {role} token works");
        }
        let docs_page = client.get(docs).send().await.unwrap();
        assert_eq!(docs_page.status(), 200);
    });
}

#[test]
fn a_cpr_number_in_a_concern_report_reaches_no_log_line_and_no_database_byte() {
    const CPR: &str = "010116-4123";
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = DevServer::start(dir.path(), "debug", Stdio::from(log));
    let base = server.base().to_owned();
    let worker = server.tokens["housing_social_worker"].clone();
    let receiver = server.tokens["municipal_caseworker"].clone();
    runtime().block_on(async {
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
        let family = families["items"][0]["id"].as_str().unwrap().to_owned();
        let report = serde_json::json!({
            "family_id": family,
            "child": {"name": "Omar", "cpr": CPR},
            "observation": "Blå mærker på armene",
            "observed_on": chrono::Utc::now().date_naive().to_string(),
            "parents_informed": true,
            "reporter": {"name": "Sara", "email": "sara@example.dk"},
            "urgent": true
        });
        let created: Value = client
            .post(format!("{base}/api/v1/concern-reports"))
            .bearer_auth(&worker)
            .json(&report)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().expect("created").to_owned();
        let received: Value = client
            .get(format!("{base}/api/v1/concern-reports/{id}"))
            .bearer_auth(&receiver)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(received["child"]["cpr"], CPR, "the receiving unit reads it");
        let mut refused = report.clone();
        refused["child"]["cpr"] = serde_json::json!("320116-4123");
        let status = client
            .post(format!("{base}/api/v1/concern-reports"))
            .bearer_auth(&worker)
            .json(&refused)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 422);
    });
    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("/api/v1/concern-reports"),
        "requests are logged: {log}"
    );
    for needle in [CPR, "0101164123", "4123"] {
        assert!(!log.contains(needle), "{needle} is in the log");
    }
    for file in ["familiebro.db", "familiebro.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
            for needle in [CPR, "0101164123"] {
                assert!(
                    !bytes
                        .windows(needle.len())
                        .any(|window| window == needle.as_bytes()),
                    "{needle} is in {file} in clear text"
                );
            }
        }
    }
}
