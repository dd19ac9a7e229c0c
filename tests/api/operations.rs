//! Probes, request ids, the catalogue, CORS and database outages.

use serde_json::Value;

use crate::helpers::*;

async fn probes_report_live_and_ready(backend: Backend) {
    let app = spawn_app(backend).await;
    for probe in ["/livez", "/readyz"] {
        let response = app.client.get(app.url(probe)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{probe}");
    }
}

async fn request_ids_are_echoed_or_generated(backend: Backend) {
    let app = spawn_app(backend).await;
    let echoed = app
        .client
        .get(app.url("/livez"))
        .header("X-Request-Id", "integration-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "integration-42");
    let generated = app
        .client
        .get(app.url("/api/v1/areas"))
        .send()
        .await
        .unwrap();
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    let problem = assert_problem(generated, 401).await;
    assert_eq!(
        problem["request_id"],
        id.as_str(),
        "the problem quotes the request id"
    );
}

async fn the_catalogue_lists_the_handbook_vocabulary(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = analyst(None);
    let problems: Value = app
        .get("/api/v1/catalog/problem-areas", &token)
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<_> = problems["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "knowledge",
            "isolation",
            "health",
            "navigation",
            "unemployment"
        ]
    );
    assert_eq!(
        problems["items"][1]["answered_by"],
        serde_json::json!(["social_activity", "family_course", "exercise_activity"])
    );
    assert!(problems["items"][0]["label"]["da"]
        .as_str()
        .unwrap()
        .contains("viden"));

    let types: Value = app
        .get("/api/v1/catalog/initiative-types", &token)
        .await
        .json()
        .await
        .unwrap();
    let family_course = types["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "family_course")
        .unwrap();
    assert_eq!(
        family_course["answers"],
        serde_json::json!(["knowledge", "isolation"])
    );

    let units: Value = app
        .get("/api/v1/catalog/municipal-units", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(units["items"].as_array().unwrap().len(), 7);
}

async fn cors_allows_only_configured_origins(backend: Backend) {
    let app = spawn_app(backend).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/areas"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let allowed = preflight("https://frontend.example.dk").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://frontend.example.dk"
    );
    let denied = preflight("https://evil.example.com").await.unwrap();
    assert!(!denied.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "set TEST_DATABASE_URL=postgres://… to run against PostgreSQL"
)]
async fn a_postgres_outage_gives_503_problems_while_livez_stays_up() {
    let app = spawn_app(Backend::Postgres).await;
    let token = admin();
    let area = app.create_area("Nørrebakken", "101").await;
    let area_path = format!("/api/v1/areas/{area}");
    assert_eq!(app.get("/api/v1/areas", &token).await.status(), 200);
    assert_eq!(app.get(&area_path, &token).await.status(), 200);
    make_database_unreachable(&app);
    let response = app.get("/api/v1/areas", &token).await;
    let problem = assert_problem(response, 503).await;
    assert_problem(app.get(&area_path, &token).await, 503).await;
    assert!(problem["request_id"].is_string());
    assert!(
        !problem["detail"].as_str().unwrap().contains("sql"),
        "no internals"
    );
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let area = uuid::Uuid::now_v7().to_string();
    let report = new_concern_report(&uuid::Uuid::now_v7().to_string(), "Bekymring");
    let write = app
        .post("/api/v1/concern-reports", &worker(&[&area]), &report)
        .await;
    assert_problem(write, 503).await;
    let live = app.client.get(app.url("/livez")).send().await.unwrap();
    assert_eq!(live.status(), 200);
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "set TEST_DATABASE_URL=postgres://… to run against PostgreSQL"
)]
/// Areas and families by id, and the audit events of reads, go through
/// connections the service keeps open; they heal at once, as the pool does.
async fn reads_after_the_server_ended_every_connection_answer_without_a_503() {
    let app = spawn_app(Backend::Postgres).await;
    let WorkersFamily {
        area,
        worker,
        family,
    } = app.workers_family("Familien Hansen").await;
    let reads = [
        (format!("/api/v1/areas/{area}"), admin()),
        (format!("/api/v1/families/{family}"), worker.clone()),
    ];
    for (path, token) in &reads {
        assert_eq!(app.get(path, token).await.status(), 200, "{path}");
    }
    end_every_connection_of(&app);
    for (path, token) in &reads {
        assert_eq!(
            app.get(path, token).await.status(),
            200,
            "{path} after a restart of the server's side"
        );
    }
}

/// Ends the service's connections from the server's side, as a restart of
/// PostgreSQL or a failover does.
fn end_every_connection_of(app: &TestApp) {
    use diesel::connection::SimpleConnection;
    let name = app.postgres_database_name().expect("a PostgreSQL test app");
    let mut admin = app.connect();
    admin
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .unwrap();
}

/// Drops the test database under the running service.
fn make_database_unreachable(app: &TestApp) {
    use diesel::connection::SimpleConnection;
    use familiebro::db::{Database, DatabaseUrl};
    let name = app.postgres_database_name().expect("a PostgreSQL test app");
    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut admin = Database::connect_directly(&DatabaseUrl::Postgres(admin_url)).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .unwrap();
}

async fn list_routes_are_rate_limited_per_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = analyst(None);
    let started = std::time::Instant::now();
    let mut admitted = 0;
    let limited = loop {
        let response = app.get("/api/v1/areas", &token).await;
        if response.status() != 200 {
            break response;
        }
        admitted += 1;
        assert!(admitted <= 10 * RATE_LIMIT, "the limit never applied");
    };
    // The budget refills continuously (one request per 60/RATE_LIMIT seconds).
    let refilled = (started.elapsed().as_secs_f64() * f64::from(RATE_LIMIT) / 60.0).ceil() as u32;
    assert!(
        (RATE_LIMIT..=RATE_LIMIT + refilled).contains(&admitted),
        "{admitted} requests admitted"
    );
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_problem(limited, 429).await;
    let respelled = app
        .client
        .get(app.url("/api/v1/areas"))
        .header("Authorization", format!("BEARER   {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        respelled.status(),
        429,
        "another spelling of the same token shares its budget"
    );
    assert_eq!(
        app.get("/api/v1/catalog/problem-areas", &token)
            .await
            .status(),
        200,
        "single reads are not limited"
    );
    assert_eq!(
        app.get("/api/v1/areas", &admin()).await.status(),
        200,
        "another token has its own budget"
    );
}

async fn metrics_are_served_only_with_the_metrics_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/api/v1/areas", &admin()).await;
    let without = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_problem(without, 401).await;
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(admin())
        .send()
        .await
        .unwrap();
    assert_problem(wrong, 401).await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(
            r#"familiebro_http_requests_total{method="GET",route="/api/v1/areas",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("familiebro_http_request_duration_seconds_bucket"));
    assert!(text.contains("familiebro_db_pool_connections"));
    assert!(text.contains("familiebro_audit_events_written_total"));
}

crate::on_both_backends!(
    probes_report_live_and_ready,
    request_ids_are_echoed_or_generated,
    the_catalogue_lists_the_handbook_vocabulary,
    cors_allows_only_configured_origins,
    list_routes_are_rate_limited_per_token,
    metrics_are_served_only_with_the_metrics_token,
);
