//! Referrals across the line: consent-gated, field-limited, a closed loop.

use familiebro::db;
use serde_json::{json, Value};

use crate::helpers::*;

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

struct Scenario {
    app: TestApp,
    area: String,
    worker: String,
    counselling: String,
    family: String,
    consent: String,
}

fn consent(unit: &str, purpose: &str, categories: Value) -> Value {
    json!({
        "receiving_unit": unit,
        "purpose": purpose,
        "data_categories": categories,
        "valid_from": today_plus(0),
        "valid_until": today_plus(60),
        "given_as": "written",
        "given_by": {"name": "Amina", "relation": "mother"},
        "document_reference": "Samtykkeerklæring 2026-1"
    })
}

fn referral(s: &Scenario, categories: Value) -> Value {
    json!({
        "direction": "to_municipality",
        "family_id": s.family,
        "consent_id": s.consent,
        "unit": "family_counselling",
        "purpose": "bridge_building",
        "purpose_note": "Følges til møde om bolig og økonomi",
        "shared_categories": categories,
    })
}

async fn scenario(backend: Backend) -> Scenario {
    let app = spawn_app(backend).await;
    let WorkersFamily {
        area,
        worker,
        family,
    } = app.workers_family("Familien A").await;
    app.post(
        &format!("/api/v1/families/{family}/contacts"),
        &worker,
        &json!({"occurred_on": today_plus(0), "kind": "home_visit", "note": "Privat note"}),
    )
    .await;
    let consent = app
        .create(
            &format!("/api/v1/families/{family}/consents"),
            &worker,
            &consent(
                "family_counselling",
                "bridge_building",
                json!(["contact_details", "household_composition"]),
            ),
        )
        .await;
    Scenario {
        app,
        area,
        worker,
        counselling: caseworker("101", "family_counselling"),
        family,
        consent,
    }
}

impl Scenario {
    async fn refer(&self) -> Value {
        let response = self
            .app
            .post(
                "/api/v1/referrals",
                &self.worker,
                &referral(self, json!(["contact_details", "household_composition"])),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    async fn transition(&self, id: &str, token: &str, body: Value) -> reqwest::Response {
        self.app
            .post(&format!("/api/v1/referrals/{id}/transitions"), token, &body)
            .await
    }
}

async fn a_referral_runs_the_closed_loop_and_the_receiver_sees_only_consented_data(
    backend: Backend,
) {
    let s = scenario(backend).await;
    let created = s.refer().await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "requested");
    assert_eq!(
        created["family_id"],
        json!(s.family),
        "the sender sees its own family id"
    );

    let incoming: Value = s
        .app
        .get(
            "/api/v1/referrals?direction=incoming&status=requested",
            &s.counselling,
        )
        .await
        .json()
        .await
        .unwrap();
    let seen = &incoming["items"][0];
    assert_eq!(seen["id"], json!(id));
    assert_eq!(
        seen["shared_data"]["contact_details"]["display_name"],
        "Familien A"
    );
    assert_eq!(seen["shared_data"]["household_composition"]["children"], 3);
    let shared_keys: Vec<_> = seen["shared_data"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        shared_keys,
        ["contact_details", "household_composition"],
        "only the consented categories"
    );
    assert!(seen.get("family_id").is_none() && seen.get("consent_id").is_none());
    assert!(
        !seen.to_string().contains("Privat note"),
        "never the contact log"
    );
    assert_eq!(
        seen["allowed_transitions"],
        json!(["accepted", "rejected", "cancelled"])
    );
    let outgoing: Value = s
        .app
        .get("/api/v1/referrals?direction=outgoing", &s.counselling)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outgoing["items"], json!([]));

    for (to, extra) in [("accepted", json!({})), ("in_progress", json!({}))] {
        let mut body = extra;
        body["to"] = json!(to);
        assert_eq!(
            s.transition(&id, &s.counselling, body).await.status(),
            201,
            "{to}"
        );
    }
    let completed = s
        .transition(&id, &s.counselling, json!({"to": "completed", "outcome": "contact_established", "outcome_note": "Fast kontaktperson i familierådgivningen"}))
        .await;
    assert_eq!(completed.status(), 201);
    let sender_view: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sender_view["status"], "completed");
    assert_eq!(sender_view["outcome"], "contact_established");
    assert!(sender_view["closed_at"].is_string());

    let events: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}/events"), &s.worker)
        .await
        .json()
        .await
        .unwrap();

    let events = events["items"].clone();
    let steps: Vec<_> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["from"].clone(), e["to"].clone(), e["side"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (Value::Null, json!("requested"), json!("housing_social")),
            (json!("requested"), json!("accepted"), json!("municipal")),
            (json!("accepted"), json!("in_progress"), json!("municipal")),
            (json!("in_progress"), json!("completed"), json!("municipal")),
        ]
    );
}

async fn withdrawing_consent_redacts_the_receivers_view_from_that_moment(backend: Backend) {
    let s = scenario(backend).await;
    let id = s.refer().await["id"].as_str().unwrap().to_owned();
    s.transition(&id, &s.counselling, json!({"to": "accepted"}))
        .await;
    let withdrawn = s
        .app
        .post(
            &format!("/api/v1/consents/{}/withdrawal", s.consent),
            &s.worker,
            &json!(null),
        )
        .await;
    assert_eq!(withdrawn.status(), 201);

    let receiver: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}"), &s.counselling)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receiver["shared_data"], Value::Null);
    assert_eq!(receiver["shared_data_redacted"], true);
    assert_eq!(receiver["status"], "accepted", "status and history stay");
    let events: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}/events"), &s.counselling)
        .await
        .json()
        .await
        .unwrap();
    let events = events["items"].clone();
    assert_eq!(events.as_array().unwrap().len(), 3);
    assert_eq!(events[2]["kind"], "shared_data_redacted");
    assert_eq!(events[2]["reason"], "consent_withdrawn");
    let sender: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        sender["shared_data"]["contact_details"]["display_name"],
        "Familien A"
    );

    let listed: Value = s
        .app
        .get("/api/v1/referrals", &s.counselling)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"][0]["shared_data"],
        Value::Null,
        "redacted in lists too"
    );
}

async fn an_expired_consent_redacts_as_well(backend: Backend) {
    let s = scenario(backend).await;
    let id = s.refer().await["id"].as_str().unwrap().to_owned();
    s.app.sql(&format!(
        "UPDATE consents SET valid_from = '2020-01-01', valid_until = '2020-12-31' WHERE id = '{}'",
        s.consent
    ));
    let receiver: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}"), &s.counselling)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receiver["shared_data_redacted"], true);
}

async fn illegal_and_wrong_side_transitions_are_refused_with_what_is_allowed(backend: Backend) {
    let s = scenario(backend).await;
    let id = s.refer().await["id"].as_str().unwrap().to_owned();
    let wrong_side = s
        .transition(&id, &s.worker, json!({"to": "accepted"}))
        .await;
    let problem = assert_problem(wrong_side, 403).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("you may now: cancelled"),
        "{problem}"
    );
    let illegal = s
        .transition(
            &id,
            &s.counselling,
            json!({"to": "completed", "outcome": "help_provided"}),
        )
        .await;
    let problem = assert_problem(illegal, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("tilladt nu: accepted, rejected, cancelled"),
        "{problem}"
    );

    let no_reason = s
        .transition(&id, &s.counselling, json!({"to": "rejected"}))
        .await;
    assert_eq!(
        assert_problem(no_reason, 422).await["errors"][0]["field"],
        "reason"
    );
    s.transition(&id, &s.counselling, json!({"to": "accepted"}))
        .await;
    s.transition(&id, &s.counselling, json!({"to": "in_progress"}))
        .await;
    let no_outcome = s
        .transition(&id, &s.counselling, json!({"to": "completed"}))
        .await;
    assert_eq!(
        assert_problem(no_outcome, 422).await["errors"][0]["field"],
        "outcome"
    );
    for (to, status) in [("on_hold", 422), ("failed", 422)] {
        assert_problem(
            s.transition(&id, &s.counselling, json!({"to": to})).await,
            status,
        )
        .await;
    }
    let hold = s
        .transition(
            &id,
            &s.counselling,
            json!({"to": "on_hold", "reason": "Familien er på ferie"}),
        )
        .await;
    assert_eq!(hold.status(), 201);
    let held: Value = hold.json().await.unwrap();
    assert_eq!(
        held["allowed_transitions"],
        json!(["in_progress", "cancelled"]),
        "back to where it was"
    );
    assert_eq!(
        s.transition(&id, &s.counselling, json!({"to": "in_progress"}))
            .await
            .status(),
        201
    );
    let cancel = s
        .transition(
            &id,
            &s.worker,
            json!({"to": "cancelled", "reason": "Familien er flyttet"}),
        )
        .await;
    assert_eq!(
        cancel.status(),
        201,
        "either side cancels before completion"
    );
    let after = s
        .transition(&id, &s.counselling, json!({"to": "in_progress"}))
        .await;
    assert!(assert_problem(after, 409).await["detail"]
        .as_str()
        .unwrap()
        .ends_with("tilladt nu: none"));
}

async fn a_referral_the_consent_does_not_cover_is_422_and_nothing_is_stored(backend: Backend) {
    let s = scenario(backend).await;
    let path = format!("/api/v1/families/{}/consents", s.family);
    let job_centre_consent = s
        .app
        .create(
            &path,
            &s.worker,
            &consent("job_centre", "bridge_building", json!(["contact_details"])),
        )
        .await;
    let withdrawn = s
        .app
        .create(
            &path,
            &s.worker,
            &consent(
                "family_counselling",
                "bridge_building",
                json!(["contact_details"]),
            ),
        )
        .await;
    s.app
        .post(
            &format!("/api/v1/consents/{withdrawn}/withdrawal"),
            &s.worker,
            &json!(null),
        )
        .await;
    let expired = s
        .app
        .create(
            &path,
            &s.worker,
            &consent(
                "family_counselling",
                "bridge_building",
                json!(["contact_details"]),
            ),
        )
        .await;
    s.app.sql(&format!("UPDATE consents SET valid_from = '2020-01-01', valid_until = '2020-12-31' WHERE id = '{expired}'"));

    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = referral(&s, json!(["contact_details"]));
        change(&mut body);
        body
    };
    let cases = [
        (
            "wrong unit",
            with(&|b| b["consent_id"] = json!(job_centre_consent)),
            "nævner job_centre",
        ),
        (
            "wrong purpose",
            with(&|b| b["purpose"] = json!("application_help")),
            "dækker bridge_building",
        ),
        (
            "category not covered",
            with(&|b| b["shared_categories"] = json!(["contact_details", "contact_log_summary"])),
            "deling af contact_log_summary",
        ),
        (
            "withdrawn",
            with(&|b| b["consent_id"] = json!(withdrawn)),
            "trukket tilbage",
        ),
        (
            "expired",
            with(&|b| b["consent_id"] = json!(expired)),
            "udløbet",
        ),
        (
            "another family's consent",
            with(&|b| b["consent_id"] = json!(uuid::Uuid::now_v7())),
            "ikke et samtykke fra denne familie",
        ),
    ];
    for (name, body, message) in cases {
        let problem =
            assert_problem(s.app.post("/api/v1/referrals", &s.worker, &body).await, 422).await;
        let messages = problem["errors"].to_string();
        assert!(messages.contains(message), "{name}: {messages}");
    }
    let stored: Value = s
        .app
        .get("/api/v1/referrals", &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["items"], json!([]), "nothing stored");
}

async fn only_the_two_ends_reach_a_referral(backend: Backend) {
    let s = scenario(backend).await;
    let id = s.refer().await["id"].as_str().unwrap().to_owned();
    let other_area = s.app.create_area("Åparken", "101").await;
    let outsiders = [
        (
            "another municipality",
            caseworker("751", "family_counselling"),
        ),
        ("another unit", caseworker("101", "job_centre")),
        ("another area", worker(&[&other_area])),
    ];
    for (who, token) in &outsiders {
        assert_problem(
            s.app.get(&format!("/api/v1/referrals/{id}"), token).await,
            404,
        )
        .await;
        assert_problem(
            s.app
                .get(&format!("/api/v1/referrals/{id}/events"), token)
                .await,
            404,
        )
        .await;
        assert_problem(
            s.transition(&id, token, json!({"to": "cancelled", "reason": "x"}))
                .await,
            404,
        )
        .await;
        let list: Value = s
            .app
            .get("/api/v1/referrals", token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([]), "{who}");
    }
    for token in [analyst(None), admin(), data_protection_officer()] {
        assert_problem(
            s.app.get(&format!("/api/v1/referrals/{id}"), &token).await,
            403,
        )
        .await;
        assert_problem(s.app.get("/api/v1/referrals", &token).await, 403).await;
        assert_problem(
            s.app
                .post(
                    "/api/v1/referrals",
                    &token,
                    &referral(&s, json!(["contact_details"])),
                )
                .await,
            403,
        )
        .await;
        assert_problem(
            s.transition(&id, &token, json!({"to": "cancelled", "reason": "x"}))
                .await,
            403,
        )
        .await;
    }
    let other_worker = worker(&[&other_area]);
    let foreign = s
        .app
        .post(
            "/api/v1/referrals",
            &other_worker,
            &referral(&s, json!(["contact_details"])),
        )
        .await;
    assert_eq!(
        assert_problem(foreign, 422).await["errors"][0]["field"],
        "family_id"
    );
    let view: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "requested", "nothing changed");
}

/// The setting a PostgreSQL connection commits with; SQLite has none.
fn synchronous_commit(connection: &mut db::DbConnection) -> Option<String> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let db::DbConnection::Postgresql(pg) = connection else {
        return None;
    };
    let query = diesel::sql_query("SELECT current_setting('synchronous_commit') AS value");
    Some(query.get_result::<Setting>(pg).expect("setting").value)
}

/// A claim's commit does not wait for the disk (its loss in a crash harms
/// nothing), and that relaxation ends with the claim: the connection's next
/// transaction, a request's work, commits durably again.
async fn an_idempotency_claim_commits_and_the_next_transaction_is_durable_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut connection = app.connect();
    let claim = db::idempotency::KeyRow {
        caller: "claim-test-caller".into(),
        idempotency_key: "claim-test-key".into(),
        request_hash: "hash".into(),
        outcome_status: None,
        resource_id: None,
        resource_version: None,
        created_at: db::now(),
    };
    let (claimed, during) = db::transaction_without_flush_wait(&mut connection, |connection| {
        let during = synchronous_commit(connection);
        db::idempotency::claim(connection, &claim).map(|claimed| (claimed, during))
    })
    .expect("claim");
    assert_eq!(claimed, Ok(()));
    assert_eq!(
        app.rows_containing("idempotency_keys", "idempotency_key", "claim-test-key"),
        1,
        "the claim is committed, visible to every other connection"
    );
    let after = db::write_transaction(&mut connection, |connection| {
        Ok::<_, diesel::result::Error>(synchronous_commit(connection))
    })
    .expect("transaction");
    if backend == Backend::Postgres {
        assert_eq!(during.as_deref(), Some("off"));
        assert_eq!(after.as_deref(), Some("on"));
    }
    let again = db::transaction_without_flush_wait(&mut connection, |connection| {
        db::idempotency::claim(connection, &claim)
    })
    .expect("second claim");
    assert_eq!(again, Err(claim), "a claimed key is claimed once");
}

async fn retries_with_an_idempotency_key_never_create_two_referrals(backend: Backend) {
    let s = scenario(backend).await;
    let body = referral(&s, json!(["contact_details"]));
    let first = s
        .app
        .post_with_key("/api/v1/referrals", &s.worker, "retry-1", &body)
        .await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    let second = s
        .app
        .post_with_key("/api/v1/referrals", &s.worker, "retry-1", &body)
        .await;
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers()["location"], location);
    assert_eq!(
        second.json::<Value>().await.unwrap(),
        first,
        "the first response, replayed"
    );
    let list: Value = s
        .app
        .get("/api/v1/referrals", &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "one row");

    let mut other = body.clone();
    other["purpose_note"] = json!("Noget andet");
    let reused = s
        .app
        .post_with_key("/api/v1/referrals", &s.worker, "retry-1", &other)
        .await;
    assert_problem(reused, 422).await;

    let id = first["id"].as_str().unwrap();
    let accept = json!({"to": "accepted"});
    let path = format!("/api/v1/referrals/{id}/transitions");
    let once = s
        .app
        .post_with_key(&path, &s.counselling, "accept-1", &accept)
        .await;
    assert_eq!(once.status(), 201);
    let twice = s
        .app
        .post_with_key(&path, &s.counselling, "accept-1", &accept)
        .await;
    assert_eq!(twice.status(), 201, "a retried transition is not a 409");
    let events: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}/events"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    let events = events["items"].clone();
    assert_eq!(
        events.as_array().unwrap().len(),
        2,
        "one event for the acceptance"
    );

    let failed = s
        .app
        .post_with_key(
            "/api/v1/referrals",
            &s.worker,
            "fails-first",
            &referral(&s, json!([])),
        )
        .await;
    assert_problem(failed, 422).await;
    let fixed = s
        .app
        .post_with_key(
            "/api/v1/referrals",
            &s.worker,
            "fails-first",
            &referral(&s, json!([])),
        )
        .await;
    assert_problem(fixed, 422).await;
}

async fn a_municipality_refers_a_family_to_an_initiative_and_the_team_takes_it_in(
    backend: Backend,
) {
    let s = scenario(backend).await;
    let course = s
        .app
        .create(
            "/api/v1/initiatives",
            &s.worker,
            &new_initiative(&s.area, "family_course", "closed"),
        )
        .await;
    let social_services = caseworker("101", "social_services");
    let body = json!({
        "direction": "to_initiative",
        "initiative_id": course,
        "purpose": "initiative_participation",
        "consent": {
            "recorded_by": "sagsbehandler-17",
            "given_by": {"name": "Amina", "relation": "mother"},
            "document_reference": "Samtykke j.nr. 2026-117",
            "recorded_on": today_plus(0),
            "given_as": "written",
            "valid_until": today_plus(90),
            "data_categories": ["contact_details", "family_statement"]
        },
        "shared": {
            "contact_details": {"display_name": "Familien B", "phone": "+45 87 65 43 21"},
            "family_statement": "Vi vil gerne lære om skolen"
        }
    });
    let mut uncovered = body.clone();
    uncovered["shared"]["household_composition"] = json!({"adults": 1, "children": 2});
    let problem = assert_problem(
        s.app
            .post("/api/v1/referrals", &social_services, &uncovered)
            .await,
        422,
    )
    .await;
    assert_eq!(
        problem["errors"][0]["field"],
        "shared.household_composition"
    );
    let mut unrecorded = body.clone();
    unrecorded["consent"]
        .as_object_mut()
        .unwrap()
        .remove("given_by");
    unrecorded["consent"]
        .as_object_mut()
        .unwrap()
        .remove("document_reference");
    unrecorded["consent"]["valid_until"] = json!(today_plus(500));
    let problem = assert_problem(
        s.app
            .post("/api/v1/referrals", &social_services, &unrecorded)
            .await,
        422,
    )
    .await;
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["consent.given_by", "consent.valid_until"],
        "who gave the consent, and for at most 12 months"
    );

    let created = s
        .app
        .post("/api/v1/referrals", &social_services, &body)
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let incoming: Value = s
        .app
        .get("/api/v1/referrals?direction=incoming", &s.worker)
        .await
        .json()
        .await
        .unwrap();
    let seen = &incoming["items"][0];
    assert_eq!(seen["consent_statement"]["recorded_by"], "sagsbehandler-17");
    assert_eq!(
        seen["shared_data"]["family_statement"],
        "Vi vil gerne lære om skolen"
    );

    let unlinked = s
        .transition(&id, &s.worker, json!({"to": "accepted"}))
        .await;
    assert_eq!(
        assert_problem(unlinked, 422).await["errors"][0]["field"],
        "link_family_id"
    );
    let accepted = s
        .transition(
            &id,
            &s.worker,
            json!({"to": "accepted", "create_family": true}),
        )
        .await;
    assert_eq!(accepted.status(), 201);
    let accepted: Value = accepted.json().await.unwrap();
    let family_id = accepted["family_id"].as_str().unwrap().to_owned();
    let family: Value = s
        .app
        .get(&format!("/api/v1/families/{family_id}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(family["display_name"], "Familien B");
    assert_eq!(family["area_id"], json!(s.area));
    let sender: Value = s
        .app
        .get(&format!("/api/v1/referrals/{id}"), &social_services)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        sender.get("family_id").is_none(),
        "the municipality never sees the housing side's record id"
    );
    assert_eq!(sender["status"], "accepted");
}

crate::on_both_backends!(
    a_referral_runs_the_closed_loop_and_the_receiver_sees_only_consented_data,
    withdrawing_consent_redacts_the_receivers_view_from_that_moment,
    an_expired_consent_redacts_as_well,
    illegal_and_wrong_side_transitions_are_refused_with_what_is_allowed,
    a_referral_the_consent_does_not_cover_is_422_and_nothing_is_stored,
    only_the_two_ends_reach_a_referral,
    retries_with_an_idempotency_key_never_create_two_referrals,
    an_idempotency_claim_commits_and_the_next_transaction_is_durable_again,
    a_municipality_refers_a_family_to_an_initiative_and_the_team_takes_it_in,
);
