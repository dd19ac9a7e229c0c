//! The line holds by construction: no individual datum leaves except through
//! the policy, at the moment it leaves — replays, drafts, redaction, counts,
//! the audit trail's input, erasure, and the data protection officer's reach.

use familiebro::auth::token::TokenRequest;
use serde_json::{json, Value};

use crate::helpers::*;

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

const NAME: &str = "Familien Grænsesikker";
const NOTE: &str = "ringer på +45 99 88 77 66";

struct Line {
    app: TestApp,
    area: String,
    worker: String,
    counselling: String,
    family: String,
    consent: String,
}

async fn line(backend: Backend) -> Line {
    let app = spawn_app(backend).await;
    let WorkersFamily {
        area,
        worker,
        family,
    } = app.workers_family(NAME).await;
    let consent = app
        .create(
            &format!("/api/v1/families/{family}/consents"),
            &worker,
            &json!({
                "receiving_unit": "family_counselling",
                "purpose": "bridge_building",
                "data_categories": ["contact_details"],
                "valid_from": today_plus(0),
                "valid_until": today_plus(60),
                "given_as": "written",
                "given_by": {"name": "Amina", "relation": "mother"},
                "document_reference": "Samtykkeerklæring 2026-1"
            }),
        )
        .await;
    Line {
        app,
        area,
        worker,
        counselling: caseworker("101", "family_counselling"),
        family,
        consent,
    }
}

impl Line {
    fn referral_body(&self, draft: bool) -> Value {
        json!({
            "direction": "to_municipality",
            "family_id": self.family,
            "consent_id": self.consent,
            "unit": "family_counselling",
            "purpose": "bridge_building",
            "purpose_note": NOTE,
            "shared_categories": ["contact_details"],
            "draft": draft
        })
    }

    async fn refer(&self) -> String {
        self.app
            .create(
                "/api/v1/referrals",
                &self.worker,
                &self.referral_body(false),
            )
            .await
    }

    async fn get_referral(&self, id: &str, token: &str) -> reqwest::Response {
        self.app
            .get(&format!("/api/v1/referrals/{id}"), token)
            .await
    }

    async fn audit_events(&self) -> Vec<Value> {
        let page: Value = self
            .app
            .get("/api/v1/audit-events?limit=200", &data_protection_officer())
            .await
            .json()
            .await
            .unwrap();
        page["items"].as_array().unwrap().clone()
    }
}

/// A replay is a read: it shows the referral as it is now, to whoever may see
/// it now, and is audited like a GET.
async fn a_replayed_response_is_rendered_through_the_policy_at_the_time_of_the_replay(
    backend: Backend,
) {
    let l = line(backend).await;
    let id = l.refer().await;
    let path = format!("/api/v1/referrals/{id}/transitions");
    let accept = json!({"to": "accepted"});
    let first = l
        .app
        .post_with_key(&path, &l.counselling, "accept-1", &accept)
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(
        first["shared_data"]["contact_details"]["display_name"],
        NAME
    );

    let withdrawal = l
        .app
        .post(
            &format!("/api/v1/consents/{}/withdrawal", l.consent),
            &l.worker,
            &json!(null),
        )
        .await;
    assert_eq!(withdrawal.status(), 201);
    let events_before = l.audit_events().await.len();
    let replay = l
        .app
        .post_with_key(&path, &l.counselling, "accept-1", &accept)
        .await;
    assert_eq!(replay.status(), 201, "a replay reports the first outcome");
    let etag = replay.headers()["etag"].to_str().unwrap().to_owned();
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(
        replay["shared_data"],
        Value::Null,
        "withdrawn consent: {replay}"
    );
    assert_eq!(replay["purpose_note"], Value::Null);
    assert_eq!(replay["shared_data_redacted"], true);
    let now = l.get_referral(&id, &l.counselling).await;
    assert_eq!(
        now.headers()["etag"].to_str().unwrap(),
        etag,
        "the replay is the GET"
    );
    let events_after = l.audit_events().await;
    let replayed = events_after.iter().filter(|event| {
        event["action"] == "POST /api/v1/referrals/{id}/transitions"
            && event["resource_id"] == json!(id)
    });
    assert_eq!(
        replayed.count(),
        2,
        "the transition and its replay are both audited"
    );
    assert!(events_after.len() > events_before);

    // The same `sub` with another scope is another caller: its key runs afresh,
    // and the referral is out of its reach.
    let elsewhere = token(TokenRequest {
        role: "municipal_caseworker".into(),
        subject: "test-municipal_caseworker".into(),
        municipality: Some("101".into()),
        unit: Some("job_centre".into()),
        ..TokenRequest::default()
    });
    assert_problem(
        l.app
            .post_with_key(&path, &elsewhere, "accept-1", &accept)
            .await,
        404,
    )
    .await;

    let erased = l
        .app
        .client
        .delete(l.app.url(&format!("/api/v1/families/{}", l.family)))
        .bearer_auth(&l.worker)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 204);
    let after_erasure: Value = l
        .app
        .post_with_key(&path, &l.counselling, "accept-1", &accept)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after_erasure["shared_data"], Value::Null);
    assert_eq!(after_erasure["purpose_note"], Value::Null);
    assert_eq!(
        l.app
            .rows_containing("idempotency_keys", "resource_id", &l.family),
        0
    );
}

/// Every creating POST honours Idempotency-Key: a retry never creates a second family.
async fn a_retried_creation_creates_nothing_twice(backend: Backend) {
    let l = line(backend).await;
    let body = new_family(&l.area, "Familien Gentaget");
    let first = l
        .app
        .post_with_key("/api/v1/families", &l.worker, "family-1", &body)
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = l
        .app
        .post_with_key("/api/v1/families", &l.worker, "family-1", &body)
        .await;
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    let listed: Value = l
        .app
        .get("/api/v1/families?limit=200", &l.worker)
        .await
        .json()
        .await
        .unwrap();
    let named = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|family| family["display_name"] == "Familien Gentaget")
        .count();
    assert_eq!(named, 1);
    let other = new_family(&l.area, "Familien Anden");
    assert_problem(
        l.app
            .post_with_key("/api/v1/families", &l.worker, "family-1", &other)
            .await,
        422,
    )
    .await;
    for (path, body) in [
        (
            format!("/api/v1/families/{}/contacts", l.family),
            json!({"occurred_on": today_plus(0), "kind": "phone"}),
        ),
        ("/api/v1/areas".to_owned(), new_area("Gentaget", "101")),
    ] {
        let token = if path == "/api/v1/areas" {
            admin()
        } else {
            l.worker.clone()
        };
        let one: Value = l
            .app
            .post_with_key(&path, &token, "again", &body)
            .await
            .json()
            .await
            .unwrap();
        let two: Value = l
            .app
            .post_with_key(&path, &token, "again", &body)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(one["id"], two["id"], "{path}");
    }
}

async fn accepting_into_a_family_record_needs_a_consent_that_still_holds(backend: Backend) {
    let l = line(backend).await;
    let course = l
        .app
        .create(
            "/api/v1/initiatives",
            &l.worker,
            &new_initiative(&l.area, "exercise_activity", "open"),
        )
        .await;
    let social_services = caseworker("101", "social_services");
    let referral = l
        .app
        .create(
            "/api/v1/referrals",
            &social_services,
            &json!({
                "direction": "to_initiative",
                "initiative_id": course,
                "purpose": "initiative_participation",
                "consent": {
                    "recorded_by": "sagsbehandler-17",
                    "given_by": {"name": "Amina", "relation": "mother"},
                    "document_reference": "Samtykke j.nr. 2026-117",
                    "recorded_on": today_plus(0),
                    "given_as": "written",
                    "valid_until": today_plus(30),
                    "data_categories": ["contact_details"]
                },
                "shared": {"contact_details": {"display_name": "Familien Udløbet"}}
            }),
        )
        .await;
    l.app.sql(&format!(
        "UPDATE referrals SET consent_valid_until = '{}' WHERE id = '{referral}'",
        today_plus(-1)
    ));
    let families_before = l.app.rows_containing("families", "area_id", &l.area);
    let problem = assert_problem(
        l.app
            .post(
                &format!("/api/v1/referrals/{referral}/transitions"),
                &l.worker,
                &json!({"to": "accepted", "create_family": true}),
            )
            .await,
        409,
    )
    .await;
    assert_eq!(problem["type"], "urn:familiebro:problem:consent-gap");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("consent_expired"));
    assert_eq!(
        l.app.rows_containing("families", "area_id", &l.area),
        families_before,
        "nothing was created"
    );
    let seen: Value = l
        .get_referral(&referral, &l.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        seen["shared_data"],
        Value::Null,
        "the receiver's view is redacted"
    );
    assert_eq!(seen["redaction_reason"], "consent_expired");
}

async fn a_draft_exists_only_for_its_sender(backend: Backend) {
    let l = line(backend).await;
    let draft = l
        .app
        .create("/api/v1/referrals", &l.worker, &l.referral_body(true))
        .await;
    assert_eq!(l.get_referral(&draft, &l.worker).await.status(), 200);
    assert_problem(l.get_referral(&draft, &l.counselling).await, 404).await;
    assert_problem(
        l.app
            .get(&format!("/api/v1/referrals/{draft}/events"), &l.counselling)
            .await,
        404,
    )
    .await;
    let listed: Value = l
        .app
        .get("/api/v1/referrals", &l.counselling)
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["items"].as_array().unwrap().is_empty(), "{listed}");
    assert_problem(
        l.app
            .post(
                &format!("/api/v1/referrals/{draft}/transitions"),
                &l.counselling,
                &json!({"to": "cancelled", "reason": "ikke vores"}),
            )
            .await,
        404,
    )
    .await;
    let requested = l
        .app
        .post(
            &format!("/api/v1/referrals/{draft}/transitions"),
            &l.worker,
            &json!({"to": "requested"}),
        )
        .await;
    assert_eq!(requested.status(), 201);
    assert_eq!(l.get_referral(&draft, &l.counselling).await.status(), 200);
}

/// A change of what the receiver sees changes the version and is recorded,
/// whether the consent is withdrawn or simply runs out.
async fn redaction_changes_the_version_and_says_why(backend: Backend) {
    let l = line(backend).await;
    let id = l.refer().await;
    let before = l.get_referral(&id, &l.counselling).await;
    let etag_before = before.headers()["etag"].to_str().unwrap().to_owned();
    let before: Value = before.json().await.unwrap();
    assert_eq!(before["purpose_note"], NOTE);

    l.app.sql(&format!(
        "UPDATE consents SET valid_until = '{}' WHERE id = '{}'",
        today_plus(-1),
        l.consent
    ));
    let after = l.get_referral(&id, &l.counselling).await;
    let etag_after = after.headers()["etag"].to_str().unwrap().to_owned();
    let after: Value = after.json().await.unwrap();
    assert_ne!(etag_before, etag_after);
    assert_ne!(before["updated_at"], after["updated_at"]);
    assert_eq!(after["shared_data"], Value::Null);
    assert_eq!(
        after["purpose_note"],
        Value::Null,
        "the sender's free text goes too"
    );
    assert_eq!(after["redaction_reason"], "consent_expired");
    let polled: Value = l
        .app
        .get(
            &format!(
                "/api/v1/referrals?updated_since={}",
                before["updated_at"].as_str().unwrap().replace('+', "%2B")
            ),
            &l.counselling,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(polled["items"][0]["id"], json!(id), "a poller learns of it");
    let events: Value = l
        .app
        .get(&format!("/api/v1/referrals/{id}/events"), &l.counselling)
        .await
        .json()
        .await
        .unwrap();
    let events = events["items"].clone();
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "shared_data_redacted");
    assert_eq!(last["reason"], "consent_expired");
    let again = l.get_referral(&id, &l.counselling).await;
    assert_eq!(
        again.headers()["etag"].to_str().unwrap(),
        etag_after,
        "redacted once"
    );
    let sender: Value = l.get_referral(&id, &l.worker).await.json().await.unwrap();
    assert_eq!(
        sender["purpose_note"], NOTE,
        "the sender keeps its own text"
    );
}

async fn the_audit_trail_holds_only_what_the_service_vouches_for(backend: Backend) {
    let l = line(backend).await;
    for _ in 0..30 {
        let flood = l
            .app
            .client
            .get(l.app.url("/api/v1/families/Jens%20Hansen%20010190-1234"))
            .header("X-Request-Id", "req-010190-1234")
            .send()
            .await
            .unwrap();
        assert_eq!(flood.status(), 401);
        let echoed = flood.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(
            echoed, "req-010190-1234",
            "a request id holding a CPR number is replaced"
        );
    }
    assert_eq!(
        l.app.rows_containing("audit_events", "resource_id", "Jens"),
        0
    );
    assert_eq!(
        l.app.rows_containing("audit_events", "family_id", "0101"),
        0
    );
    assert_eq!(
        l.app
            .rows_containing("audit_events", "request_id", "010190"),
        0
    );
    let denied: Vec<Value> = l
        .audit_events()
        .await
        .into_iter()
        .filter(|event| event["outcome"] == "denied")
        .collect();
    // The thirty attempts may straddle a minute boundary: then two events.
    let minutes: std::collections::BTreeSet<String> = denied
        .iter()
        .map(|event| event["occurred_at"].as_str().unwrap()[..16].to_owned())
        .collect();
    assert_eq!(
        minutes.len(),
        denied.len(),
        "one event per caller, route and minute: {denied:?}"
    );
    assert!(denied.len() <= 2, "{denied:?}");
    let attempts: i64 = denied
        .iter()
        .map(|event| event["attempts"].as_i64().unwrap())
        .sum();
    assert_eq!(attempts, 30, "every attempt is counted once: {denied:?}");

    let export: Value = l
        .app
        .get(&format!("/api/v1/families/{}/export", l.family), &l.worker)
        .await
        .json()
        .await
        .unwrap();
    assert!(export["audit_events_total"].as_i64().unwrap() >= 2);
    assert_eq!(export["audit_events_truncated"], false);
}

async fn erasure_leaves_no_bytes_and_no_dated_links(backend: Backend) {
    let l = line(backend).await;
    let course = l
        .app
        .create(
            "/api/v1/initiatives",
            &l.worker,
            &new_initiative(&l.area, "exercise_activity", "open"),
        )
        .await;
    l.app
        .patch(
            &format!("/api/v1/initiatives/{course}"),
            &l.worker,
            None,
            &json!({"status": "active"}),
        )
        .await;
    let enrolled = l
        .app
        .post(
            &format!("/api/v1/initiatives/{course}/enrolments"),
            &l.worker,
            &json!({"family_id": l.family, "heavily_burdened": false}),
        )
        .await;
    assert_eq!(enrolled.status(), 201);
    l.app
        .post(
            &format!("/api/v1/families/{}/contacts", l.family),
            &l.worker,
            &json!({"occurred_on": today_plus(0), "kind": "home_visit", "note": "Særlig-hjemmebesøgs-note"}),
        )
        .await;
    l.refer().await;
    let erased = l
        .app
        .client
        .delete(l.app.url(&format!("/api/v1/families/{}", l.family)))
        .bearer_auth(&l.worker)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 204);
    if let Some(bytes) = l.app.sqlite_bytes() {
        for needle in [NAME, "Særlig-hjemmebesøgs-note", "+45 12 34 56 78", NOTE] {
            let found = bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes());
            assert!(!found, "{needle} is still in the database file or its WAL");
        }
    }
    let kept = l.app.column_values("erased_enrolments", "enrolled_at");
    assert_eq!(kept.len(), 1);
    assert!(
        kept[0].ends_with("00:00:00"),
        "no time finer than the day: {kept:?}"
    );
    let ids = l.app.column_values("erased_enrolments", "id");
    let id = uuid::Uuid::parse_str(&ids[0]).unwrap();
    assert_eq!(
        id.get_version_num(),
        4,
        "a random id that does not date the row"
    );
}

async fn a_data_protection_officer_reaches_its_own_housing_organisation_only(backend: Backend) {
    let l = line(backend).await;
    let other_org = token(TokenRequest {
        role: "data_protection_officer".into(),
        subject: "dpo-b".into(),
        org: Some("org-b".into()),
        ..TokenRequest::default()
    });
    assert_problem(
        l.app
            .get(&format!("/api/v1/families/{}/export", l.family), &other_org)
            .await,
        404,
    )
    .await;
    assert_problem(
        l.app
            .delete(&format!("/api/v1/families/{}", l.family), &other_org)
            .await,
        404,
    )
    .await;
    let trail: Value = l
        .app
        .get("/api/v1/audit-events?limit=200", &other_org)
        .await
        .json()
        .await
        .unwrap();
    let about_family = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["family_id"] == json!(l.family))
        .count();
    assert_eq!(about_family, 0, "{trail}");
    let own = l
        .app
        .get(
            &format!("/api/v1/families/{}/export", l.family),
            &data_protection_officer(),
        )
        .await;
    assert_eq!(own.status(), 200);
}

async fn input_no_database_could_store_is_a_clear_400(backend: Backend) {
    let l = line(backend).await;
    let mut nul_name = new_family(&l.area, "Familien\u{0}Nul");
    assert_problem(
        l.app.post("/api/v1/families", &l.worker, &nul_name).await,
        400,
    )
    .await;
    nul_name["display_name"] = json!("Familien Fin");
    nul_name["notes"] = json!("cpr 010190 1234");
    let problem = assert_problem(
        l.app.post("/api/v1/families", &l.worker, &nul_name).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "notes");
    for path in [
        "/api/v1/areas?q=a%00b",
        "/api/v1/families?cursor=%00",
        "/api/v1/audit-events?actor=x%00y",
        "/api/v1/areas?updated_since=%2B262142-01-01T00:00:00Z",
    ] {
        let token = if path.contains("audit") {
            data_protection_officer()
        } else {
            l.worker.clone()
        };
        assert_problem(l.app.get(path, &token).await, 400).await;
    }
    let consent = json!({
        "receiving_unit": "school", "purpose": "bridge_building",
        "data_categories": ["contact_details"], "valid_from": today_plus(0),
        "valid_until": "+262142-12-31", "given_as": "oral",
        "given_by": {"name": "Amina", "relation": "mother"}
    });
    assert_problem(
        l.app
            .post(
                &format!("/api/v1/families/{}/consents", l.family),
                &l.worker,
                &consent,
            )
            .await,
        400,
    )
    .await;

    let nul_subject = token(TokenRequest {
        role: "housing_social_worker".into(),
        subject: "worker\u{0}".into(),
        areas: Some(vec![l.area.clone()]),
        ..TokenRequest::default()
    });
    assert_problem(
        l.app
            .get(&format!("/api/v1/families/{}", l.family), &nul_subject)
            .await,
        400,
    )
    .await;
    let refused = l
        .audit_events()
        .await
        .into_iter()
        .filter(|event| event["outcome"] == "denied" && event["resource_id"] == json!(l.family))
        .count();
    assert_eq!(refused, 1, "the refused attempt is audited");

    let phantom_area = uuid::Uuid::now_v7().to_string();
    let phantom = worker(&[&phantom_area]);
    assert_problem(
        l.app
            .post(
                "/api/v1/families",
                &phantom,
                &new_family(&phantom_area, "Familien X"),
            )
            .await,
        422,
    )
    .await;
    assert_problem(
        l.app
            .post(
                "/api/v1/initiatives",
                &phantom,
                &new_initiative(&phantom_area, "exercise_activity", "open"),
            )
            .await,
        422,
    )
    .await;
}

async fn every_response_refuses_sniffing_framing_and_caching(backend: Backend) {
    let l = line(backend).await;
    for path in ["/api/v1/areas", "/api/v1/nowhere", "/docs/", "/livez"] {
        let response = l.app.get(path, &l.worker).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
    }
    let analyst = analyst(None);
    let mut admitted = 0;
    let limited = loop {
        let response = l.app.get("/api/v1/areas", &analyst).await;
        if response.status() == 429 {
            break response;
        }
        admitted += 1;
        assert!(admitted <= 10 * RATE_LIMIT, "the limit never applied");
    };
    assert_eq!(limited.headers()["cache-control"], "no-store");
}

crate::on_both_backends!(
    a_replayed_response_is_rendered_through_the_policy_at_the_time_of_the_replay,
    a_retried_creation_creates_nothing_twice,
    accepting_into_a_family_record_needs_a_consent_that_still_holds,
    a_draft_exists_only_for_its_sender,
    redaction_changes_the_version_and_says_why,
    the_audit_trail_holds_only_what_the_service_vouches_for,
    erasure_leaves_no_bytes_and_no_dated_links,
    a_data_protection_officer_reaches_its_own_housing_organisation_only,
    input_no_database_could_store_is_a_clear_400,
    every_response_refuses_sniffing_framing_and_caching,
);

/// An audited read commits its audit event with the data it reads: when the
/// event cannot be written (the audit trail locked by another transaction
/// past the lock timeout), the read is 503 and shows nothing.
async fn a_read_whose_audit_event_cannot_be_committed_is_503_without_data(backend: Backend) {
    let l = line(backend).await;
    let app = &l.app;
    let path = format!("/api/v1/families/{}", l.family);
    assert_eq!(app.get(&path, &l.worker).await.status(), 200);
    let before = app.rows_containing("audit_events", "resource_id", &l.family);
    let response = match backend {
        Backend::Sqlite => {
            let holder = app.hold_sqlite_write_lock();
            let response = app.get(&path, &l.worker).await;
            drop(holder);
            response
        }
        Backend::Postgres => {
            use diesel::connection::SimpleConnection;
            let mut holder = app.connect();
            holder
                .batch_execute("BEGIN; LOCK TABLE audit_events IN EXCLUSIVE MODE")
                .unwrap();
            let response = app.get(&path, &l.worker).await;
            holder.batch_execute("ROLLBACK").unwrap();
            response
        }
    };
    assert!(response.headers().contains_key("retry-after"));
    let body = response.text().await.unwrap();
    assert!(
        !body.contains(NAME),
        "no data without its audit event: {body}"
    );
    assert!(body.contains("\"status\":503"), "{body}");
    assert_eq!(
        app.rows_containing("audit_events", "resource_id", &l.family),
        before,
        "the refused read left no event"
    );
}

crate::on_both_backends!(a_read_whose_audit_event_cannot_be_committed_is_503_without_data);

/// Reads at the same time have their events committed together; each read
/// still leaves exactly one event of its own, under its own request id.
async fn reads_at_the_same_time_each_leave_their_own_event(backend: Backend) {
    let l = line(backend).await;
    let app = &l.app;
    let path = format!("/api/v1/families/{}", l.family);
    let before = app.rows_containing("audit_events", "resource_id", &l.family);
    let reads = (0..24).map(|_| app.get(&path, &l.worker));
    let mut request_ids = Vec::new();
    for response in futures_util::future::join_all(reads).await {
        assert_eq!(response.status(), 200);
        request_ids.push(
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        app.rows_containing("audit_events", "resource_id", &l.family),
        before + 24
    );
    for request_id in request_ids {
        assert_eq!(
            app.rows_containing("audit_events", "request_id", &request_id),
            1,
            "one event for request {request_id}"
        );
    }
}

crate::on_both_backends!(reads_at_the_same_time_each_leave_their_own_event);

/// A busy SQLite database (another writer holding its lock past the busy
/// timeout) is 503 with Retry-After, not 500.
#[tokio::test]
async fn a_locked_sqlite_database_is_503_with_retry_after() {
    let l = line(Backend::Sqlite).await;
    let app = &l.app;
    let holder = app.hold_sqlite_write_lock();
    let response = app
        .post(
            "/api/v1/families",
            &l.worker,
            &new_family(&l.area, "Familien Venter"),
        )
        .await;
    drop(holder);
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, 503).await;
}

/// Writers queued behind a database held from outside the service give up
/// after the busy timeout each, not one after another.
#[tokio::test]
async fn writers_queued_behind_a_locked_sqlite_database_each_give_up_after_the_timeout() {
    let l = line(Backend::Sqlite).await;
    let app = &l.app;
    let holder = app.hold_sqlite_write_lock();
    let started = std::time::Instant::now();
    let bodies: Vec<Value> = (0..3)
        .map(|n| new_family(&l.area, &format!("Familien Kø {n}")))
        .collect();
    let writes = bodies
        .iter()
        .map(|body| app.post("/api/v1/families", &l.worker, body));
    let responses = futures_util::future::join_all(writes).await;
    let waited = started.elapsed();
    drop(holder);
    for response in responses {
        assert_eq!(response.status(), 503);
    }
    assert!(
        waited < std::time::Duration::from_secs(12),
        "three queued writers took {waited:?}; one after another they would take 15 s"
    );
}
