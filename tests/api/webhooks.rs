//! Webhooks with a real receiver on loopback: signed per Standard Webhooks,
//! retried when the receiver fails or is down, given up after the window and
//! retried by hand, re-sent after a crash, sent once with two instances.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::*;

#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<Received>>,
    /// Statuses to answer with, in order; 200 when empty.
    answers: Mutex<VecDeque<u16>>,
}

async fn hook(inbox: web::Data<Inbox>, req: HttpRequest, body: String) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    inbox.received.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    let status = inbox.answers.lock().unwrap().pop_front().unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).body("ignored")
}

/// A receiver listening on `port` (0: any free port).
struct Receiver {
    port: u16,
    inbox: web::Data<Inbox>,
    handle: actix_web::dev::ServerHandle,
}

impl Receiver {
    fn start(port: u16, inbox: web::Data<Inbox>) -> Self {
        let state = inbox.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/hook", web::post().to(hook))
        })
        .workers(1)
        .bind(("127.0.0.1", port))
        .expect("bind the receiver");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            port,
            inbox,
            handle,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    async fn stop(self) -> (u16, web::Data<Inbox>) {
        self.handle.stop(false).await;
        (self.port, self.inbox)
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.received.lock().unwrap().clone()
    }

    /// Waits until a delivery about `resource_id` was answered with success.
    async fn wait_for(&self, resource_id: &str, deliveries: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let about: Vec<Received> = self
                .received()
                .into_iter()
                .filter(|received| received.body.contains(resource_id))
                .collect();
            if about.len() >= deliveries {
                return about;
            }
            assert!(
                Instant::now() < deadline,
                "no {deliveries} deliveries about {resource_id}: {:?}",
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Checks a delivery's signature as a receiver would, from the specification.
fn verify(secret: &str, received: &Received) {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let signatures: Vec<&str> = received.signature.split(' ').collect();
    assert!(
        signatures.contains(&format!("v1,{expected}").as_str()),
        "signature {:?} does not verify",
        received.signature
    );
    let sent = received.timestamp.parse::<i64>().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent).abs() < 60);
}

async fn subscribe(app: &TestApp, token: &str, url: &str) -> Value {
    let response = app
        .post("/api/v1/webhook-subscriptions", token, &json!({"url": url}))
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn deliveries(app: &TestApp, token: &str, subscription: &str) -> Vec<Value> {
    let page: Value = app
        .get(
            &format!("/api/v1/webhook-subscriptions/{subscription}/deliveries"),
            token,
        )
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn wait_for_status(app: &TestApp, token: &str, subscription: &str, status: &str) -> Value {
    wait_for_newest(app, token, subscription, status, |delivery| {
        delivery["status"] == status
    })
    .await
}

/// Polls until the newest delivery is `what`, however slow the machine.
async fn wait_for_newest(
    app: &TestApp,
    token: &str,
    subscription: &str,
    what: &str,
    is: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let newest = deliveries(app, token, subscription).await;
        if let Some(delivery) = newest.first().filter(|delivery| is(delivery)) {
            return delivery.clone();
        }
        assert!(Instant::now() < deadline, "no {what} delivery: {newest:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_subscriber_gets_signed_deliveries_retried_until_they_arrive(backend: Backend) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let inbox = web::Data::new(Inbox::default());
    inbox.answers.lock().unwrap().push_back(500);
    let receiver = Receiver::start(0, inbox);
    let subscription = subscribe(&app, &worker, &receiver.url()).await;
    let secret = subscription["secret"].as_str().unwrap().to_owned();
    let id = subscription["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let shown: Value = app
        .get(&format!("/api/v1/webhook-subscriptions/{id}"), &worker)
        .await
        .json()
        .await
        .unwrap();
    assert!(shown.get("secret").is_none(), "the secret is shown once");

    // A 500 first, then 200: the same delivery twice, both signed.
    let family = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien A"),
        )
        .await;
    let about = receiver.wait_for(&family, 2).await;
    assert_eq!(about[0].id, about[1].id, "a retry is the same message");
    for received in &about {
        verify(&secret, received);
        let entry: Value = serde_json::from_str(&received.body).unwrap();
        assert_eq!(entry["type"], "family.created");
        assert_eq!(entry["resource_id"], family);
        assert!(
            !received.body.contains("Familien"),
            "no personal data in a delivery"
        );
    }
    let delivered = wait_for_status(&app, &worker, &id, "succeeded").await;
    assert_eq!(delivered["attempts"], 2);
    assert_eq!(delivered["last_status_code"], 200);

    // Down for a while: the delivery waits and arrives when the receiver is back.
    let (port, inbox) = receiver.stop().await;
    let second = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien B"),
        )
        .await;
    let waiting = wait_for_newest(&app, &worker, &id, "refused", |delivery| {
        delivery["last_error"] == "could not connect"
    })
    .await;
    assert_eq!(waiting["status"], "pending");
    let receiver = Receiver::start(port, inbox);
    verify(&secret, &receiver.wait_for(&second, 1).await[0]);
    wait_for_status(&app, &worker, &id, "succeeded").await;

    // Down past the retry window (3 s in tests, 24 h in production): failed, then retried by hand.
    let (port, inbox) = receiver.stop().await;
    let third = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien C"),
        )
        .await;
    let failed = wait_for_status(&app, &worker, &id, "failed").await;
    let receiver = Receiver::start(port, inbox);
    let retry = app
        .post(
            &format!(
                "/api/v1/webhook-subscriptions/{id}/deliveries/{}/retry",
                failed["id"].as_str().unwrap()
            ),
            &worker,
            &json!(null),
        )
        .await;
    assert_eq!(retry.status(), 200);
    receiver.wait_for(&third, 1).await;
    wait_for_status(&app, &worker, &id, "succeeded").await;

    // A crash after claiming a delivery: once its lease runs out it is sent.
    let mut connection = app.connect();
    let now = chrono::Utc::now().naive_utc();
    let orphan = uuid::Uuid::now_v7().to_string();
    let payload = json!({"type": "family.changed", "resource_id": family, "resource_type": "family", "cursor": "x", "at": "2026-11-26T10:00:00Z"});
    familiebro::db::webhooks::insert_delivery(
        &mut connection,
        &familiebro::db::webhooks::DeliveryRow {
            id: orphan.clone(),
            subscription_id: id.clone(),
            change_type: "family.changed".into(),
            payload: payload.to_string(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            leased_until: Some(now - chrono::Duration::seconds(1)),
            last_status_code: None,
            last_error: None,
            last_attempt_at: None,
            created_at: now,
        },
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !receiver
        .received()
        .iter()
        .any(|received| received.id == orphan)
    {
        assert!(
            Instant::now() < deadline,
            "the orphaned delivery was never sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn subscriptions_go_only_to_allowed_urls_and_their_owners(backend: Backend) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let other = app.create_area("Åparken", "101").await;
    let worker = worker(&[&area]);
    let counselling = caseworker("101", "family_counselling");
    for (url, reason) in [
        ("https://evil.example/hook", "listen over tilladte"),
        ("http://hooks.kk.dk/hook", "https"),
        ("https://user:pw@hooks.kk.dk/hook", "loginoplysninger"),
        ("not a url", "absolut URL"),
    ] {
        let problem = assert_problem(
            app.post(
                "/api/v1/webhook-subscriptions",
                &worker,
                &json!({"url": url}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "url");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(reason),
            "{url}: {problem}"
        );
    }
    let problem = assert_problem(
        app.post(
            "/api/v1/webhook-subscriptions",
            &counselling,
            &json!({"url": "https://hooks.kk.dk/hook", "types": ["family.created"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "types");
    assert_problem(
        app.post(
            "/api/v1/webhook-subscriptions",
            &worker,
            &json!({"url": "https://hooks.kk.dk/hook", "area_ids": [other]}),
        )
        .await,
        422,
    )
    .await;

    let unit = subscribe(&app, &counselling, "https://hooks.kk.dk/unit").await;
    let team = subscribe(&app, &worker, "https://hooks.kk.dk/team").await;
    assert_eq!(
        unit["scope"],
        json!({"municipality_code": "101", "unit": "family_counselling"})
    );
    assert_eq!(team["scope"], json!({"area_ids": [area]}));
    let types: Vec<&str> = unit["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(types.contains(&"referral.created") && !types.iter().any(|t| t.starts_with("family.")));
    let listed: Value = app
        .get("/api/v1/webhook-subscriptions", &counselling)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["id"], unit["id"]);
    let unit_path = format!(
        "/api/v1/webhook-subscriptions/{}",
        unit["id"].as_str().unwrap()
    );
    for outsider in [
        caseworker("101", "social_services"),
        worker.clone(),
        worker_of(&other),
    ] {
        assert_problem(app.get(&unit_path, &outsider).await, 404).await;
    }
    let team_path = format!(
        "/api/v1/webhook-subscriptions/{}",
        team["id"].as_str().unwrap()
    );
    assert_problem(app.get(&team_path, &worker_of(&other)).await, 404).await;
    for token in [analyst(None), admin(), data_protection_officer()] {
        assert_problem(app.get("/api/v1/webhook-subscriptions", &token).await, 403).await;
    }
    assert_eq!(app.delete(&unit_path, &counselling).await.status(), 204);
    assert_problem(app.get(&unit_path, &counselling).await, 404).await;
}

fn worker_of(area: &str) -> String {
    worker(&[area])
}

crate::on_both_backends!(
    a_subscriber_gets_signed_deliveries_retried_until_they_arrive,
    subscriptions_go_only_to_allowed_urls_and_their_owners,
);

/// Two instances on one PostgreSQL database send each delivery once.
#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "set TEST_DATABASE_URL=postgres://… to run against PostgreSQL"
)]
async fn with_two_instances_each_delivery_is_sent_by_one_of_them() {
    let app = spawn_app(Backend::Postgres).await;
    let second = app.another_instance();
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let receiver = Receiver::start(0, web::Data::new(Inbox::default()));
    subscribe(&app, &worker, &receiver.url()).await;
    let mut families = Vec::new();
    for n in 0..20 {
        let response = app
            .client
            .post(format!("{second}/api/v1/families"))
            .bearer_auth(&worker)
            .json(&new_family(&area, &format!("Familien {n}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        families.push(
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for family in &families {
        receiver.wait_for(family, 1).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut sent: HashMap<String, usize> = HashMap::new();
    for received in receiver.received() {
        *sent.entry(received.id).or_default() += 1;
    }
    assert_eq!(sent.len(), 20);
    assert!(
        sent.values().all(|times| *times == 1),
        "a delivery went out twice: {sent:?}"
    );
}
