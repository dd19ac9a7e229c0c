//! The HTTP details clients rely on: conditional requests, content
//! negotiation, specific problem types, named bad parameters, CORS, and
//! sub-collections as pages.

use familiebro::auth::{Actor, Principal};
use serde_json::{json, Value};

use crate::helpers::*;

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

struct World {
    app: TestApp,
    area: String,
    worker: String,
    family: String,
    referral: String,
}

async fn world(backend: Backend) -> World {
    let app = spawn_app(backend).await;
    let WorkersFamily {
        area,
        worker,
        family,
    } = app.workers_family("Familien A").await;
    let consent = app
        .create(
            &format!("/api/v1/families/{family}/consents"),
            &worker,
            &json!({"receiving_unit": "family_counselling", "purpose": "bridge_building", "data_categories": ["contact_details"], "valid_from": today_plus(0), "valid_until": today_plus(30), "given_as": "written", "given_by": {"name": "Amina", "relation": "mother"}, "document_reference": "Samtykkeerklæring 2026-1"}),
        )
        .await;
    let referral = app
        .create(
            "/api/v1/referrals",
            &worker,
            &json!({"direction": "to_municipality", "family_id": family, "consent_id": consent, "unit": "family_counselling", "purpose": "bridge_building", "shared_categories": ["contact_details"]}),
        )
        .await;
    World {
        app,
        area,
        worker,
        family,
        referral,
    }
}

async fn a_get_with_the_current_etag_is_304(backend: Backend) {
    let w = world(backend).await;
    for (path, token) in [
        (format!("/api/v1/areas/{}", w.area), admin()),
        (format!("/api/v1/families/{}", w.family), w.worker.clone()),
        (
            format!("/api/v1/referrals/{}", w.referral),
            w.worker.clone(),
        ),
    ] {
        let first = w.app.get(&path, &token).await;
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let conditional = |tag: String| {
            w.app
                .client
                .get(w.app.url(&path))
                .bearer_auth(&token)
                .header("If-None-Match", tag)
                .send()
        };
        let unchanged = conditional(etag.clone()).await.unwrap();
        assert_eq!(unchanged.status(), 304, "{path}");
        assert_eq!(unchanged.headers()["etag"].to_str().unwrap(), etag);
        assert!(unchanged.bytes().await.unwrap().is_empty());
        let weak = conditional(format!("W/{etag}")).await.unwrap();
        assert_eq!(weak.status(), 304, "weak comparison");
        let changed = conditional("\"0\"".into()).await.unwrap();
        assert_eq!(changed.status(), 200, "{path}");
    }
}

async fn a_stale_if_match_on_a_transition_is_412(backend: Backend) {
    let w = w_and_counselling(backend).await;
    let path = format!("/api/v1/referrals/{}/transitions", w.0.referral);
    let stale =
        w.0.app
            .client
            .post(w.0.app.url(&path))
            .bearer_auth(&w.1)
            .header("If-Match", "\"99\"")
            .json(&json!({"to": "accepted"}))
            .send()
            .await
            .unwrap();
    let problem = assert_problem(stale, 412).await;
    assert_eq!(problem["type"], "urn:familiebro:problem:stale-version");
    let current =
        w.0.app
            .get(&format!("/api/v1/referrals/{}", w.0.referral), &w.1)
            .await;
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let fresh =
        w.0.app
            .client
            .post(w.0.app.url(&path))
            .bearer_auth(&w.1)
            .header("If-Match", etag)
            .json(&json!({"to": "accepted"}))
            .send()
            .await
            .unwrap();
    assert_eq!(fresh.status(), 201);
}

async fn w_and_counselling(backend: Backend) -> (World, String) {
    (
        world(backend).await,
        caseworker("101", "family_counselling"),
    )
}

async fn an_accept_the_operation_cannot_produce_is_406(backend: Backend) {
    let w = world(backend).await;
    let with_accept = |accept: &'static str| {
        w.app
            .client
            .get(w.app.url("/api/v1/areas"))
            .bearer_auth(admin())
            .header("Accept", accept)
            .send()
    };
    let refused = with_accept("text/html").await.unwrap();
    let problem = assert_problem(refused, 406).await;
    assert_eq!(problem["type"], "urn:familiebro:problem:not-acceptable");
    for accepted in [
        "application/json",
        "*/*",
        "application/*",
        "text/html, application/json;q=0.5",
    ] {
        assert_eq!(
            with_accept(accepted).await.unwrap().status(),
            200,
            "{accepted}"
        );
    }
}

async fn every_documented_operation_refuses_an_accept_it_cannot_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let spec: Value = app.served_openapi().await;
    let id = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for (template, item) in spec["paths"].as_object().unwrap() {
        let path = with_parameters(template, &id);
        for (method, operation) in item.as_object().unwrap() {
            let answers_with_content =
                operation["responses"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .any(|(status, response)| {
                        status.starts_with('2') && response.get("content").is_some()
                    });
            // Each request as another caller, so that the rate limit counts none twice.
            let caller = worker(&[&uuid::Uuid::now_v7().to_string()]);
            let response = app
                .client
                .request(method.to_uppercase().parse().unwrap(), app.url(&path))
                .bearer_auth(caller)
                .header("Accept", "application/x-nothing-we-write")
                .send()
                .await
                .unwrap();
            let refused = response.status() == 406;
            assert_eq!(
                refused,
                answers_with_content,
                "{method} {template}: {}",
                response.status()
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} operations documented");
}

/// `template` with every `{parameter}` in it replaced by `value`.
fn with_parameters(template: &str, value: &str) -> String {
    let mut path = String::new();
    let mut rest = template;
    while let Some((before, parameter_and_after)) = rest.split_once('{') {
        path.push_str(before);
        path.push_str(value);
        rest = parameter_and_after
            .split_once('}')
            .map_or("", |(_, after)| after);
    }
    path + rest
}

async fn problem_types_tell_clients_what_went_wrong(backend: Backend) {
    let (w, counselling) = w_and_counselling(backend).await;
    let illegal = w
        .app
        .post(
            &format!("/api/v1/referrals/{}/transitions", w.referral),
            &counselling,
            &json!({"to": "completed", "outcome": "help_provided"}),
        )
        .await;
    let problem = assert_problem(illegal, 409).await;
    assert_eq!(
        problem["type"],
        "urn:familiebro:problem:transition-not-allowed"
    );

    // A key whose first request is still running: 409 with Retry-After.
    let area = uuid::Uuid::parse_str(&w.area).unwrap();
    let caller = Principal {
        subject: "test-housing_social_worker".into(),
        actor: Actor::HousingSocialWorker { areas: vec![area] },
    };
    let caller: String = caller
        .fingerprint()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let body = new_family(&w.area, "Familien I Gang");
    let first = w
        .app
        .post_with_key("/api/v1/families", &w.worker, "running", &body)
        .await;
    assert_eq!(first.status(), 201);
    w.app.sql(&format!(
        "UPDATE idempotency_keys SET outcome_status = NULL, resource_id = NULL, created_at = '{}' WHERE caller = '{caller}' AND idempotency_key = 'running'",
        chrono::Utc::now().naive_utc().format("%Y-%m-%d %H:%M:%S")
    ));
    let running = w
        .app
        .post_with_key("/api/v1/families", &w.worker, "running", &body)
        .await;
    assert!(running.headers().contains_key("retry-after"));
    let problem = assert_problem(running, 409).await;
    assert_eq!(
        problem["type"],
        "urn:familiebro:problem:idempotency-key-in-use"
    );

    let bad_parameter = w.app.get("/api/v1/families?limit=many", &w.worker).await;
    let problem = assert_problem(bad_parameter, 400).await;
    assert_eq!(problem["errors"][0]["field"], "limit", "{problem}");
    let unknown = w.app.get("/api/v1/families?colour=red", &w.worker).await;
    let problem = assert_problem(unknown, 400).await;
    assert_eq!(problem["errors"][0]["field"], "colour", "{problem}");
}

async fn cors_exposes_what_clients_read_and_refuses_with_problems(backend: Backend) {
    let w = world(backend).await;
    let allowed = w
        .app
        .client
        .get(w.app.url("/api/v1/areas"))
        .bearer_auth(admin())
        .header("Origin", "https://frontend.example.dk")
        .send()
        .await
        .unwrap();
    let exposed = allowed.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for header in ["etag", "location", "link", "retry-after", "x-request-id"] {
        assert!(exposed.contains(header), "{header} in {exposed}");
    }
    let refused = w
        .app
        .client
        .request(reqwest::Method::OPTIONS, w.app.url("/api/v1/areas"))
        .header("Origin", "https://frontend.example.dk")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "x-not-allowed")
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error());
    let status = refused.status().as_u16();
    assert_problem(refused, status).await;
}

async fn sub_collections_are_pages_with_cursors(backend: Backend) {
    let w = world(backend).await;
    for day in 0..3 {
        let added = w
            .app
            .post(
                &format!("/api/v1/families/{}/contacts", w.family),
                &w.worker,
                &json!({"occurred_on": today_plus(-day), "kind": "phone"}),
            )
            .await;
        assert_eq!(added.status(), 201);
    }
    let path = format!("/api/v1/families/{}/contacts?limit=2", w.family);
    let first = w.app.get(&path, &w.worker).await;
    assert!(first.headers()["link"]
        .to_str()
        .unwrap()
        .contains("rel=\"next\""));
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        first["items"][0]["occurred_on"],
        today_plus(0),
        "newest first"
    );
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest: Value = w
        .app
        .get(&format!("{path}&cursor={cursor}"), &w.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["occurred_on"], today_plus(-2));
    assert_eq!(rest["next_cursor"], Value::Null);
    for list in [
        format!("/api/v1/families/{}/consents", w.family),
        format!("/api/v1/referrals/{}/events", w.referral),
    ] {
        let page: Value = w.app.get(&list, &w.worker).await.json().await.unwrap();
        assert!(page["items"].is_array(), "{list}: {page}");
        assert!(page.get("next_cursor").is_some());
    }
    let foreign = w
        .app
        .get(&format!("{path}&cursor=not-a-cursor"), &w.worker)
        .await;
    assert_problem(foreign, 400).await;
}

crate::on_both_backends!(
    a_get_with_the_current_etag_is_304,
    a_stale_if_match_on_a_transition_is_412,
    an_accept_the_operation_cannot_produce_is_406,
    every_documented_operation_refuses_an_accept_it_cannot_answer,
    problem_types_tell_clients_what_went_wrong,
    cors_exposes_what_clients_read_and_refuses_with_problems,
    sub_collections_are_pages_with_cursors,
);
