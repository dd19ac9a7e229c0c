//! Families, contacts and consents: individual data reached only by the
//! housing-social workers of the family's area.

use serde_json::{json, Value};

use crate::helpers::*;

struct Scenario {
    app: TestApp,
    area: String,
    other_area: String,
    worker: String,
    other_worker: String,
    family: String,
    consent: String,
}

fn consent_body(unit: &str, valid_from: &str, valid_until: &str) -> Value {
    json!({
        "receiving_unit": unit,
        "purpose": "bridge_building",
        "data_categories": ["contact_details", "household_composition"],
        "valid_from": valid_from,
        "valid_until": valid_until,
        "given_as": "written",
        "given_by": {"name": "Amina", "relation": "mother"},
        "document_reference": "Samtykkeerklæring 2026-1"
    })
}

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

async fn scenario(backend: Backend) -> Scenario {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let other_area = app.create_area("Åparken", "101").await;
    let worker = worker(&[&area]);
    let other_worker = worker_token(&other_area);
    let family = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien A"),
        )
        .await;
    let consent = app
        .create(
            &format!("/api/v1/families/{family}/consents"),
            &worker,
            &consent_body("family_counselling", &today_plus(0), &today_plus(90)),
        )
        .await;
    Scenario {
        app,
        area,
        other_area,
        worker,
        other_worker,
        family,
        consent,
    }
}

fn worker_token(area: &str) -> String {
    worker(&[area])
}

async fn a_worker_records_a_family_with_contacts_and_consents(backend: Backend) {
    let s = scenario(backend).await;
    let response = s
        .app
        .get(&format!("/api/v1/families/{}", s.family), &s.worker)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.headers().contains_key("etag"));
    let family: Value = response.json().await.unwrap();
    assert_eq!(
        family["household"]["children_birth_years"],
        json!([2012, 2016])
    );
    assert_eq!(family["interpreter_needed"], true);

    let contact = s
        .app
        .post(
            &format!("/api/v1/families/{}/contacts", s.family),
            &s.worker,
            &json!({"occurred_on": today_plus(0), "kind": "letter_help", "note": "Brev fra jobcentret"}),
        )
        .await;
    assert_eq!(contact.status(), 201);
    let contacts: Value = s
        .app
        .get(
            &format!("/api/v1/families/{}/contacts", s.family),
            &s.worker,
        )
        .await
        .json()
        .await
        .unwrap();
    let contacts = contacts["items"].clone();
    assert_eq!(contacts[0]["kind"], "letter_help");
    assert_eq!(contacts[0]["recorded_by"], "test-housing_social_worker");

    let consents: Value = s
        .app
        .get(
            &format!("/api/v1/families/{}/consents", s.family),
            &s.worker,
        )
        .await
        .json()
        .await
        .unwrap();
    let consents = consents["items"].clone();
    assert_eq!(consents[0]["state"], "active");
    assert_eq!(consents[0]["receiving_unit"], "family_counselling");

    let list = s.app.get("/api/v1/families", &s.worker).await;
    assert_eq!(list.headers()["cache-control"], "no-store");
    let list: Value = list.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn consents_have_validity_windows_and_can_be_withdrawn(backend: Backend) {
    let s = scenario(backend).await;
    let path = format!("/api/v1/families/{}/consents", s.family);
    let pending = s
        .app
        .create(
            &path,
            &s.worker,
            &consent_body("job_centre", &today_plus(10), &today_plus(40)),
        )
        .await;
    let pending: Value = s
        .app
        .get(&format!("/api/v1/consents/{pending}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["state"], "pending");

    let expired = s
        .app
        .post(
            &path,
            &s.worker,
            &consent_body("job_centre", &today_plus(-40), &today_plus(-1)),
        )
        .await;
    let problem = assert_problem(expired, 422).await;
    assert_eq!(problem["errors"][0]["field"], "valid_until");
    let backwards = s
        .app
        .post(
            &path,
            &s.worker,
            &consent_body("job_centre", &today_plus(5), &today_plus(1)),
        )
        .await;
    assert_problem(backwards, 422).await;
    let mut empty = consent_body("job_centre", &today_plus(0), &today_plus(5));
    empty["data_categories"] = json!([]);
    assert_problem(s.app.post(&path, &s.worker, &empty).await, 422).await;
    let mut unknown = consent_body("job_centre", &today_plus(0), &today_plus(5));
    unknown["data_categories"] = json!(["health"]);
    assert_problem(s.app.post(&path, &s.worker, &unknown).await, 400).await;

    let withdrawal = format!("/api/v1/consents/{}/withdrawal", s.consent);
    let first = s.app.post(&withdrawal, &s.worker, &json!(null)).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["state"], "withdrawn");
    assert!(first["withdrawn_at"].is_string());
    let again = s.app.post(&withdrawal, &s.worker, &json!(null)).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        again["withdrawn_at"], first["withdrawn_at"],
        "the first withdrawal stands"
    );
}

async fn a_consent_records_who_gave_it_how_and_for_how_long(backend: Backend) {
    let s = scenario(backend).await;
    let path = format!("/api/v1/families/{}/consents", s.family);
    let consent: Value = s
        .app
        .get(&format!("/api/v1/consents/{}", s.consent), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        consent["given_by"],
        json!({"name": "Amina", "relation": "mother"})
    );
    assert_eq!(consent["document_reference"], "Samtykkeerklæring 2026-1");

    let too_long = consent_body("job_centre", &today_plus(0), &today_plus(400));
    let problem = assert_problem(s.app.post(&path, &s.worker, &too_long).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "valid_until");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("12 months"));
    let mut undocumented = consent_body("job_centre", &today_plus(0), &today_plus(30));
    undocumented
        .as_object_mut()
        .unwrap()
        .remove("document_reference");
    let problem = assert_problem(s.app.post(&path, &s.worker, &undocumented).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "document_reference");
    let mut oral = undocumented.clone();
    oral["given_as"] = json!("oral");
    oral["given_by"] = json!({"name": "Omar", "relation": "young_person"});
    let oral = s.app.create(&path, &s.worker, &oral).await;
    let mut anonymous = consent_body("job_centre", &today_plus(0), &today_plus(30));
    anonymous.as_object_mut().unwrap().remove("given_by");
    assert_problem(s.app.post(&path, &s.worker, &anonymous).await, 400).await;
    let mut unknown_relation = consent_body("job_centre", &today_plus(0), &today_plus(30));
    unknown_relation["given_by"]["relation"] = json!("neighbour");
    assert_problem(s.app.post(&path, &s.worker, &unknown_relation).await, 400).await;

    // Renewal: consents running out before a day, and the families that hold them.
    let expiring: Value = s
        .app
        .get(
            &format!("{path}?expiring_before={}", today_plus(45)),
            &s.worker,
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<_> = expiring["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [oral.as_str()], "the 90-day consent runs out later");
    let other = s
        .app
        .create(
            "/api/v1/families",
            &s.worker,
            &new_family(&s.area, "Familien Uden"),
        )
        .await;
    let families: Value = s
        .app
        .get(
            &format!(
                "/api/v1/families?consent_expiring_before={}",
                today_plus(45)
            ),
            &s.worker,
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<_> = families["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [s.family.as_str()]);
    assert!(!ids.contains(&other.as_str()));
    let later: Value = s
        .app
        .get(
            &format!("{path}?expiring_before={}", today_plus(91)),
            &s.worker,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(later["items"].as_array().unwrap().len(), 2);
}

async fn family_records_refuse_cpr_numbers_and_special_category_fields(backend: Backend) {
    let s = scenario(backend).await;
    let mut cpr = new_family(&s.area, "Familien B");
    cpr["notes"] = json!("Far: 010190-1234");
    let problem = assert_problem(s.app.post("/api/v1/families", &s.worker, &cpr).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "notes");
    for field in ["ethnicity", "health", "cpr"] {
        let mut special = new_family(&s.area, "Familien C");
        special[field] = json!("x");
        assert_problem(
            s.app.post("/api/v1/families", &s.worker, &special).await,
            400,
        )
        .await;
    }
    let elsewhere = new_family(&s.other_area, "Familien D");
    let problem = assert_problem(
        s.app.post("/api/v1/families", &s.worker, &elsewhere).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "area_id");
    let list: Value = s
        .app
        .get("/api/v1/families", &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "nothing rejected was stored"
    );
}

async fn a_family_update_honours_if_match_and_delete_removes_everything(backend: Backend) {
    let s = scenario(backend).await;
    let path = format!("/api/v1/families/{}", s.family);
    let etag = s.app.get(&path, &s.worker).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let changed = s
        .app
        .patch(
            &path,
            &s.worker,
            Some(&etag),
            &json!({"display_name": "Familien Alfa"}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let stale = s
        .app
        .patch(
            &path,
            &s.worker,
            Some(&etag),
            &json!({"display_name": "Lost"}),
        )
        .await;
    assert_problem(stale, 412).await;
    let stale_delete = s
        .app
        .client
        .delete(s.app.url(&path))
        .bearer_auth(&s.worker)
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(stale_delete, 412).await;

    let deleted = s.app.delete(&path, &s.worker).await;
    assert_eq!(deleted.status(), 204);
    assert_problem(s.app.get(&path, &s.worker).await, 404).await;
    assert_problem(
        s.app
            .get(&format!("/api/v1/consents/{}", s.consent), &s.worker)
            .await,
        404,
    )
    .await;
}

async fn snapshot(s: &Scenario) -> Value {
    s.app
        .get(&format!("/api/v1/families/{}", s.family), &s.worker)
        .await
        .json()
        .await
        .unwrap()
}

/// The status of every family route for `token`.
async fn probe(s: &Scenario, token: &str) -> Vec<(&'static str, u16)> {
    let (app, family, consent_id) = (&s.app, &s.family, &s.consent);
    let contact = json!({"occurred_on": today_plus(0), "kind": "phone"});
    let consent = consent_body("job_centre", &today_plus(0), &today_plus(9));
    vec![
        (
            "GET family",
            app.get(&format!("/api/v1/families/{family}"), token)
                .await
                .status()
                .as_u16(),
        ),
        (
            "PATCH family",
            app.patch(
                &format!("/api/v1/families/{family}"),
                token,
                None,
                &json!({"display_name": "X"}),
            )
            .await
            .status()
            .as_u16(),
        ),
        (
            "GET contacts",
            app.get(&format!("/api/v1/families/{family}/contacts"), token)
                .await
                .status()
                .as_u16(),
        ),
        (
            "POST contact",
            app.post(
                &format!("/api/v1/families/{family}/contacts"),
                token,
                &contact,
            )
            .await
            .status()
            .as_u16(),
        ),
        (
            "GET consents",
            app.get(&format!("/api/v1/families/{family}/consents"), token)
                .await
                .status()
                .as_u16(),
        ),
        (
            "POST consent",
            app.post(
                &format!("/api/v1/families/{family}/consents"),
                token,
                &consent,
            )
            .await
            .status()
            .as_u16(),
        ),
        (
            "GET consent",
            app.get(&format!("/api/v1/consents/{consent_id}"), token)
                .await
                .status()
                .as_u16(),
        ),
        (
            "POST withdrawal",
            app.post(
                &format!("/api/v1/consents/{consent_id}/withdrawal"),
                token,
                &json!(null),
            )
            .await
            .status()
            .as_u16(),
        ),
    ]
}

/// Every family route × every role, in and out of scope.
async fn only_workers_of_the_familys_area_reach_its_records(backend: Backend) {
    let s = scenario(backend).await;
    let app = &s.app;
    let family = &s.family;
    let before = snapshot(&s).await;
    let mut expectations = vec![("worker of another area", s.other_worker.clone(), 404)];
    for (role, token) in every_role(&[&s.other_area]) {
        if role != "housing_social_worker" {
            expectations.push((role, token, 403));
        }
    }
    for (who, token, expected) in expectations {
        for (route, status) in probe(&s, &token).await {
            assert_eq!(status, expected, "{who}: {route}");
        }
        // Erasure is also the data protection officer's (tested with the privacy rules).
        if who != "data_protection_officer" {
            let erase = app
                .delete(&format!("/api/v1/families/{family}"), &token)
                .await;
            assert_eq!(erase.status().as_u16(), expected, "{who}: DELETE family");
        }
        let list = app.get("/api/v1/families", &token).await;
        if expected == 404 {
            let list: Value = list.json().await.unwrap();
            assert_eq!(
                list["items"],
                json!([]),
                "{who} never sees the family in lists"
            );
            let filtered: Value = app
                .get(&format!("/api/v1/families?area_id={}", s.area), &token)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(filtered["items"], json!([]));
        } else {
            assert_problem(list, 403).await;
            assert_problem(
                app.post("/api/v1/families", &token, &new_family(&s.area, "X"))
                    .await,
                403,
            )
            .await;
        }
    }
    let missing = uuid::Uuid::now_v7();
    assert_problem(
        app.get(&format!("/api/v1/families/{missing}"), &s.worker)
            .await,
        404,
    )
    .await;
    assert_eq!(snapshot(&s).await, before, "nothing changed");
    let consent: Value = app
        .get(&format!("/api/v1/consents/{}", s.consent), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        consent["state"], "active",
        "the consent was not withdrawn by anyone out of scope"
    );
    let contacts: Value = app
        .get(&format!("/api/v1/families/{family}/contacts"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    let contacts = contacts["items"].clone();
    assert_eq!(contacts, json!([]));
}

crate::on_both_backends!(
    a_worker_records_a_family_with_contacts_and_consents,
    consents_have_validity_windows_and_can_be_withdrawn,
    a_consent_records_who_gave_it_how_and_for_how_long,
    family_records_refuse_cpr_numbers_and_special_category_fields,
    a_family_update_honours_if_match_and_delete_removes_everything,
    only_workers_of_the_familys_area_reach_its_records,
);
