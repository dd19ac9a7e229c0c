//! The privacy guarantees: audit trail, subject access, erasure, retention,
//! suppressed statistics.

use serde_json::{json, Value};

use crate::helpers::*;

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

/// An area with a family that has data of every kind, and a second family.
struct World {
    app: TestApp,
    area: String,
    worker: String,
    family: String,
    other_family: String,
    consent: String,
    referral: String,
    course: String,
}

const NAME: &str = "Familien Unikanavn";
const PHONE: &str = "+45 11 22 33 44";
const NOTE: &str = "Hjemmebesoeg med noget helt saerligt";

async fn world(backend: Backend) -> World {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let mut family_body = new_family(&area, NAME);
    family_body["contact"]["phone"] = json!(PHONE);
    let family = app.create("/api/v1/families", &worker, &family_body).await;
    let other_family = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien Anden"),
        )
        .await;
    app.post(
        &format!("/api/v1/families/{family}/contacts"),
        &worker,
        &json!({"occurred_on": today_plus(0), "kind": "home_visit", "note": NOTE}),
    )
    .await;
    app.post(
        &format!("/api/v1/families/{other_family}/contacts"),
        &worker,
        &json!({"occurred_on": today_plus(0), "kind": "phone"}),
    )
    .await;
    let consent = app
        .create(
            &format!("/api/v1/families/{family}/consents"),
            &worker,
            &json!({"receiving_unit": "job_centre", "purpose": "job_centre_internship", "data_categories": ["contact_details"], "valid_from": today_plus(0), "valid_until": today_plus(30), "given_as": "oral", "given_by": {"name": "Amina", "relation": "mother"}}),
        )
        .await;
    let mut course_body = new_initiative(&area, "family_course", "closed");
    course_body["network_plan"] = json!("Madklub");
    let course = app
        .create("/api/v1/initiatives", &worker, &course_body)
        .await;
    app.patch(
        &format!("/api/v1/initiatives/{course}"),
        &worker,
        None,
        &json!({"status": "active"}),
    )
    .await;
    for enrolled in [&family, &other_family] {
        app.post(
            &format!("/api/v1/initiatives/{course}/enrolments"),
            &worker,
            &json!({"family_id": enrolled, "heavily_burdened": true}),
        )
        .await;
    }
    app.post(
        &format!("/api/v1/initiatives/{course}/sessions"),
        &worker,
        &json!({"held_on": today_plus(0), "theme": "Skolestart", "attendee_family_ids": [family, other_family]}),
    )
    .await;
    let referral = app
        .create(
            "/api/v1/referrals",
            &worker,
            &json!({"direction": "to_municipality", "family_id": family, "consent_id": consent, "unit": "job_centre", "purpose": "job_centre_internship", "shared_categories": ["contact_details"]}),
        )
        .await;
    app.post(
        "/api/v1/concern-reports",
        &worker,
        &new_concern_report(&family, "Bekymring for trivsel"),
    )
    .await;
    World {
        app,
        area,
        worker,
        family,
        other_family,
        consent,
        referral,
        course,
    }
}

async fn audit_events(app: &TestApp, query: &str) -> Vec<Value> {
    let page: Value = app
        .get(
            &format!("/api/v1/audit-events?limit=200&{query}"),
            &data_protection_officer(),
        )
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn every_individual_data_route_is_audited_including_denied_attempts(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let family = &w.family;
    let probes: Vec<(&str, String, &str)> = vec![
        ("GET", format!("/api/v1/families/{family}"), "family"),
        (
            "GET",
            format!("/api/v1/families/{family}/contacts"),
            "contact",
        ),
        (
            "GET",
            format!("/api/v1/families/{family}/consents"),
            "consent",
        ),
        ("GET", format!("/api/v1/consents/{}", w.consent), "consent"),
        (
            "GET",
            format!("/api/v1/initiatives/{}/enrolments", w.course),
            "enrolment",
        ),
        (
            "GET",
            format!("/api/v1/referrals/{}", w.referral),
            "referral",
        ),
        (
            "GET",
            format!("/api/v1/referrals/{}/events", w.referral),
            "referral",
        ),
    ];
    for (_, path, resource_type) in &probes {
        let before = audit_events(app, &format!("resource_type={resource_type}"))
            .await
            .len();
        assert_eq!(app.get(path, &w.worker).await.status(), 200, "{path}");
        let after = audit_events(app, &format!("resource_type={resource_type}")).await;
        let new: Vec<_> = after[before..].iter().collect();
        assert!(!new.is_empty(), "reading {path} is audited");
        assert!(
            new.iter()
                .all(|e| e["outcome"] == "allowed" && e["actor"] == "test-housing_social_worker"),
            "{new:?}"
        );
        assert!(new
            .iter()
            .all(|e| e["request_id"].is_string() && e["role"] == "housing_social_worker"));
    }
    let read = audit_events(app, &format!("family_id={family}&resource_type=family")).await;
    assert!(
        read.iter()
            .any(|e| e["action"] == "GET /api/v1/families/{id}"),
        "{read:?}"
    );

    let stranger = worker(&[&app.create_area("Åparken", "101").await]);
    let about_family = format!("family_id={family}");
    let before = audit_events(app, &about_family).await.len();
    assert_problem(
        app.get(&format!("/api/v1/families/{family}"), &stranger)
            .await,
        404,
    )
    .await;
    assert_problem(
        app.get(
            &format!("/api/v1/families/{family}/contacts"),
            &analyst(None),
        )
        .await,
        403,
    )
    .await;
    let anonymous = app
        .client
        .get(app.url(&format!("/api/v1/families/{family}")))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;
    let denied: Vec<Value> = audit_events(app, &about_family).await[before..].to_vec();
    let summary: Vec<_> = denied
        .iter()
        .map(|e| {
            (
                e["outcome"].clone(),
                e["role"].clone(),
                e["resource_type"].clone(),
                e["family_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                json!("denied"),
                json!("housing_social_worker"),
                json!("family"),
                json!(family)
            ),
            (
                json!("denied"),
                json!("analyst"),
                json!("contact"),
                json!(family)
            ),
            (
                json!("denied"),
                json!("none"),
                json!("family"),
                json!(family)
            ),
        ]
    );
    let text = serde_json::to_string(&audit_events(app, "").await).unwrap();
    assert!(
        !text.contains(NAME) && !text.contains(PHONE) && !text.contains("eyJ"),
        "never the data, never a token"
    );

    assert_problem(app.get("/api/v1/audit-events", &w.worker).await, 403).await;
    assert_problem(app.get("/api/v1/audit-events", &admin()).await, 403).await;

    let updated = app
        .try_sql("UPDATE audit_events SET actor = 'someone else'")
        .unwrap_err();
    assert!(
        updated.contains("append-only"),
        "the database refuses UPDATE: {updated}"
    );
    let deleted = app.try_sql("DELETE FROM audit_events").unwrap_err();
    assert!(
        deleted.contains("append-only"),
        "the database refuses DELETE: {deleted}"
    );
    assert!(app.rows_containing("audit_events", "actor", "someone else") == 0);
}

async fn the_export_holds_everything_about_the_family_and_nothing_about_others(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    for token in [w.worker.clone(), data_protection_officer()] {
        let response = app
            .get(&format!("/api/v1/families/{}/export", w.family), &token)
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let export: Value = response.json().await.unwrap();
        assert_eq!(export["family"]["display_name"], NAME);
        assert_eq!(export["contacts"][0]["note"], NOTE);
        assert_eq!(export["consents"][0]["id"], json!(w.consent));
        assert_eq!(export["enrolments"][0]["initiative_id"], json!(w.course));
        assert_eq!(export["attendance"][0]["theme"], "Skolestart");
        assert_eq!(export["referrals"][0]["referral"]["id"], json!(w.referral));
        assert_eq!(export["referrals"][0]["events"][0]["to"], "requested");
        let report = &export["concern_reports"][0];
        assert_eq!(report["content_withheld"], true);
        assert_eq!(report["content"], Value::Null);
        assert!(report["withheld_because"]
            .as_str()
            .unwrap()
            .contains("databeskyttelsesloven § 22"));
        assert!(
            !export.to_string().contains("Bekymring for trivsel"),
            "the content of a concern report is withheld by default"
        );
        assert!(export["audit_events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "GET /api/v1/families/{id}/export"));
        let text = export.to_string();
        assert!(
            !text.contains("Familien Anden") && !text.contains(&w.other_family),
            "nothing about another family"
        );
    }
    for token in [analyst(None), admin(), caseworker("101", "job_centre")] {
        assert_problem(
            app.get(&format!("/api/v1/families/{}/export", w.family), &token)
                .await,
            403,
        )
        .await;
    }
    let stranger = worker(&[&app.create_area("Åparken", "101").await]);
    assert_problem(
        app.get(&format!("/api/v1/families/{}/export", w.family), &stranger)
            .await,
        404,
    )
    .await;
}

/// The places a family's personal data could be stored, checked in the tables.
fn personal_data_left(w: &World) -> Vec<String> {
    let checks = [
        ("families", "display_name", NAME),
        ("families", "phone", PHONE),
        ("family_contacts", "note", NOTE),
        ("families", "id", w.family.as_str()),
        ("family_contacts", "family_id", w.family.as_str()),
        ("consents", "family_id", w.family.as_str()),
        ("enrolments", "family_id", w.family.as_str()),
        ("session_attendance", "family_id", w.family.as_str()),
        ("referrals", "family_id", w.family.as_str()),
        ("referrals", "shared_data", NAME),
        ("concern_reports", "family_id", w.family.as_str()),
        ("idempotency_keys", "resource_id", w.family.as_str()),
        ("referrals", "purpose_note", NAME),
    ];
    checks
        .iter()
        .filter(|(table, column, needle)| w.app.rows_containing(table, column, needle) > 0)
        .map(|(table, column, _)| format!("{table}.{column}"))
        .collect()
}

async fn statistics(w: &World, token: &str) -> Value {
    w.app
        .get(&format!("/api/v1/areas/{}/statistics", w.area), token)
        .await
        .json()
        .await
        .unwrap()
}

async fn erasure_leaves_no_personal_data_and_keeps_the_statistics(backend: Backend) {
    let w = world(backend).await;
    let before = statistics(&w, &w.worker).await;
    assert_eq!(before["families_reached"]["value"], 2);
    assert!(
        personal_data_left(&w).len() > 5,
        "the check sees the data while it is there"
    );

    let erase = w
        .app
        .delete(
            &format!("/api/v1/families/{}", w.family),
            &data_protection_officer(),
        )
        .await;
    assert_eq!(erase.status(), 204);
    assert_eq!(personal_data_left(&w), Vec::<String>::new());
    let after = statistics(&w, &w.worker).await;
    for figure in [
        "families_reached",
        "participants_total",
        "session_attendances",
        "referrals_total",
        "concern_reports",
    ] {
        assert_eq!(after[figure], before[figure], "{figure} stays correct");
    }
    let trail = audit_events(&w.app, &format!("family_id={}", w.family)).await;
    assert!(trail.len() > 3, "the audit trail keeps the family id");
    let referral: Value = w
        .app
        .get(
            &format!("/api/v1/referrals/{}", w.referral),
            &caseworker("101", "job_centre"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(referral["shared_data"], Value::Null);
    assert_eq!(
        referral["status"], "requested",
        "the referral's history stays"
    );
    assert_problem(
        w.app
            .get(&format!("/api/v1/families/{}", w.family), &w.worker)
            .await,
        404,
    )
    .await;
}

async fn purge_erases_inactive_families_and_old_snapshots_once(backend: Backend) {
    let w = world(backend).await;
    let before = statistics(&w, &w.worker).await;
    assert!(
        w.app.purge(24, 12).families_erased.is_empty(),
        "active families stay"
    );
    w.app.sql(&format!(
        "UPDATE families SET updated_at = '2020-01-01 00:00:00' WHERE id = '{}'",
        w.family
    ));
    let report = w.app.purge(24, 12);
    assert_eq!(report.families_erased, std::slice::from_ref(&w.family));
    assert_eq!(personal_data_left(&w), Vec::<String>::new());
    assert!(
        w.app.purge(24, 12).families_erased.is_empty(),
        "a second run erases nothing more"
    );
    let after = statistics(&w, &w.worker).await;
    assert_eq!(after["families_reached"], before["families_reached"]);

    let second = w.app.create("/api/v1/referrals", &w.worker, &json!({
        "direction": "to_municipality", "family_id": w.other_family, "consent_id": w.app.create(
            &format!("/api/v1/families/{}/consents", w.other_family), &w.worker,
            &json!({"receiving_unit": "school", "purpose": "bridge_building", "data_categories": ["household_composition"], "valid_from": today_plus(0), "valid_until": today_plus(9), "given_as": "written", "given_by": {"name": "Amina", "relation": "mother"}, "document_reference": "Samtykkeerklæring 2026-1"})
        ).await, "unit": "school", "purpose": "bridge_building", "shared_categories": ["household_composition"]
    })).await;
    w.app
        .post(
            &format!("/api/v1/referrals/{second}/transitions"),
            &w.worker,
            &json!({"to": "cancelled", "reason": "Familien ønskede det ikke"}),
        )
        .await;
    w.app.sql(&format!(
        "UPDATE referrals SET closed_at = '2020-01-01 00:00:00' WHERE id = '{second}'"
    ));
    assert_eq!(w.app.purge(24, 12).referral_snapshots_erased, 1);
    assert_eq!(w.app.purge(24, 12).referral_snapshots_erased, 0);
}

async fn small_counts_are_suppressed_outside_the_team_and_cannot_be_recovered(backend: Backend) {
    let w = world(backend).await;
    let accepted = w
        .app
        .post(
            &format!("/api/v1/referrals/{}/transitions", w.referral),
            &caseworker("101", "job_centre"),
            &json!({"to": "accepted"}),
        )
        .await;
    assert_eq!(accepted.status(), 201);
    // Outside the team, figures are given for ended quarters: move the activity there.
    let today = chrono::Utc::now().date_naive();
    let (quarter_from, quarter_to) =
        familiebro::domain::statistics::last_completed_quarter(today).unwrap();
    let day = quarter_from + chrono::Duration::days(14);
    w.app.sql(&format!(
        "UPDATE family_contacts SET occurred_on = '{day}'; \
         UPDATE referrals SET created_at = '{day} 10:00:00', requested_at = '{day} 10:00:00', accepted_at = '{day} 12:00:00'; \
         UPDATE concern_reports SET received_at = '{day} 09:00:00'; \
         UPDATE initiative_sessions SET held_on = '{day}';"
    ));
    let own = statistics(&w, &w.worker).await;
    assert!(own["median_days_requested_to_accepted"].is_number());
    assert_eq!(own["suppression_applied"], false);
    assert_eq!(
        own["families_reached"],
        json!({"value": 2, "suppressed": false})
    );
    assert_eq!(own["referrals_total"]["value"], 1);

    for token in [caseworker("101", "social_services"), analyst(None)] {
        let seen = statistics(&w, &token).await;
        assert_eq!(
            seen["from"],
            quarter_from.to_string(),
            "the last ended quarter"
        );
        assert_eq!(seen["to"], quarter_to.to_string());
        assert_eq!(seen["suppression_applied"], true);
        assert_eq!(
            seen["families_reached"],
            json!({"value": null, "suppressed": true})
        );
        assert_eq!(seen["concern_reports"]["suppressed"], true);
        assert_eq!(seen["median_suppressed"], true);
        // Participants per type: a suppressed cell never stands alone beside a shown total.
        let cells: Vec<&Value> = seen["participants_by_initiative_type"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["participants"])
            .collect();
        let hidden = cells.iter().filter(|c| c["suppressed"] == true).count()
            + usize::from(seen["participants_total"]["suppressed"] == true);
        assert_ne!(hidden, 1, "{seen}");
        for row in seen["referrals_by_unit"].as_array().unwrap() {
            let hidden = row["by_status"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["referrals"]["suppressed"] == true)
                .count()
                + usize::from(row["total"]["suppressed"] == true);
            assert_ne!(hidden, 1, "a unit's row reveals a cell: {row}");
        }
        let columns = seen["referrals_by_status"].as_array().unwrap();
        let hidden = columns
            .iter()
            .filter(|c| c["referrals"]["suppressed"] == true)
            .count()
            + usize::from(seen["referrals_total"]["suppressed"] == true);
        assert_ne!(hidden, 1, "the status totals reveal a cell");
        assert!(
            !seen.to_string().contains("\"value\":1,"),
            "no count of one anywhere: {seen}"
        );
    }
    assert_problem(
        w.app
            .get(
                &format!("/api/v1/areas/{}/statistics", w.area),
                &caseworker("751", "social_services"),
            )
            .await,
        404,
    )
    .await;
    assert_problem(
        w.app
            .get(&format!("/api/v1/areas/{}/statistics", w.area), &admin())
            .await,
        403,
    )
    .await;
}

/// Outside the team only whole, ended quarters are windows: two overlapping
/// windows (1–11 and 1–12 October, or a running quarter read on two days)
/// cannot be subtracted into a suppressed count.
async fn outside_the_team_statistics_come_for_whole_ended_quarters_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let today = chrono::Utc::now().date_naive();
    let (current_from, current_to) = familiebro::domain::statistics::quarter_of(today).unwrap();
    let (last_from, last_to) =
        familiebro::domain::statistics::last_completed_quarter(today).unwrap();
    let path = |query: String| format!("/api/v1/areas/{area}/statistics?{query}");
    let outsiders = [caseworker("101", "social_services"), analyst(None)];
    for token in &outsiders {
        for refused in [
            format!("from={current_from}&to={current_to}"),
            format!("from={current_from}&to={today}"),
            format!("from={last_from}&to={}", last_to.pred_opt().unwrap()),
            format!("from={}&to={last_to}", last_from.succ_opt().unwrap()),
            format!("from={last_from}"),
            "to=-262143-01-01".to_owned(),
        ] {
            let problem = assert_problem(app.get(&path(refused.clone()), token).await, 400).await;
            assert!(
                problem["errors"][0]["field"].is_string(),
                "{refused}: {problem}"
            );
        }
        let allowed = app
            .get(&path(format!("from={last_from}&to={last_to}")), token)
            .await;
        assert_eq!(allowed.status(), 200);
    }
    let team = worker(&[&area]);
    let running = app
        .get(&path(format!("from={current_from}&to={today}")), &team)
        .await;
    assert_eq!(running.status(), 200, "the team sees any window");
    assert_problem(app.get(&path("to=-262143-01-01".into()), &team).await, 400).await;
}

/// Figures already computed for one caller are shown to another only if that
/// caller reaches the area: the check runs on every request, cached or not.
async fn cached_statistics_are_still_refused_outside_the_area(backend: Backend) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let path = format!("/api/v1/areas/{area}/statistics");
    let own_municipality = analyst(Some("101"));
    for _ in 0..2 {
        assert_eq!(app.get(&path, &own_municipality).await.status(), 200);
    }
    assert_problem(app.get(&path, &analyst(Some("751"))).await, 404).await;
    assert_problem(
        app.get(&path, &caseworker("751", "social_services")).await,
        404,
    )
    .await;
    let unknown = uuid::Uuid::now_v7();
    assert_problem(
        app.get(
            &format!("/api/v1/areas/{unknown}/statistics"),
            &own_municipality,
        )
        .await,
        404,
    )
    .await;
}

async fn statistics_reflect_a_write_at_once(backend: Backend) {
    let w = world(backend).await;
    let before = statistics(&w, &w.worker).await;
    let again = statistics(&w, &w.worker).await;
    assert_eq!(again, before, "a repeated read gives the same figures");
    let third = w
        .app
        .create(
            "/api/v1/families",
            &w.worker,
            &new_family(&w.area, "Familien Tre"),
        )
        .await;
    let contact = w
        .app
        .post(
            &format!("/api/v1/families/{third}/contacts"),
            &w.worker,
            &json!({"occurred_on": today_plus(0), "kind": "outreach"}),
        )
        .await;
    assert_eq!(contact.status(), 201);
    let after = statistics(&w, &w.worker).await;
    assert_eq!(
        after["families_reached"]["value"], 3,
        "the new contact counts at once"
    );
}

async fn only_the_data_protection_officer_includes_concern_report_content_and_it_is_audited(
    backend: Backend,
) {
    let w = world(backend).await;
    let path = format!(
        "/api/v1/families/{}/export?include_concern_report_content=true",
        w.family
    );
    let refused = assert_problem(w.app.get(&path, &w.worker).await, 403).await;
    assert!(refused["detail"]
        .as_str()
        .unwrap()
        .contains("databeskyttelsesrådgiveren"));
    let export: Value = w
        .app
        .get(&path, &data_protection_officer())
        .await
        .json()
        .await
        .unwrap();
    let report = &export["concern_reports"][0];
    assert_eq!(report["content_withheld"], false);
    assert_eq!(report["content"]["observation"], "Bekymring for trivsel");
    assert_eq!(
        report["content"]["reporter"]["name"],
        "Sara, boligsocial medarbejder"
    );
    assert!(
        !export.to_string().contains(CHILD_CPR),
        "the CPR number stays with the receiving unit"
    );
    let trail = audit_events(&w.app, &format!("family_id={}", w.family)).await;
    assert!(
        trail
            .iter()
            .any(|event| event["resource_type"] == "concern_report_content"
                && event["resource_id"] == report["id"]
                && event["actor"] == "test-data_protection_officer"),
        "including the content is audited: {trail:?}"
    );
}

async fn every_page_of_families_is_audited_once_for_each_family_it_shows(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let before = audit_events(app, "resource_type=family").await.len();
    // Pages read at once: the committer stores their events together.
    let pages = (0..8).map(|_| app.get("/api/v1/families?limit=10", &w.worker));
    let mut shown = Vec::new();
    for page in futures_util::future::join_all(pages).await {
        assert_eq!(page.status(), 200);
        let request_id = page.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body: Value = page.json().await.unwrap();
        let families: Vec<String> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|family| family["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(families.len(), 2, "{body}");
        shown.push((request_id, families));
    }
    let events = audit_events(app, "resource_type=family").await;
    let new = &events[before..];
    assert_eq!(new.len(), 16, "one event per family per page: {new:?}");
    for (request_id, families) in &shown {
        for family in families {
            let of_this = new
                .iter()
                .filter(|e| e["request_id"] == *request_id && e["family_id"] == *family)
                .collect::<Vec<_>>();
            assert_eq!(of_this.len(), 1, "{request_id} {family}: {new:?}");
            let event = of_this[0];
            assert_eq!(event["action"], "GET /api/v1/families");
            assert_eq!(event["outcome"], "allowed");
            assert_eq!(event["actor"], "test-housing_social_worker");
            assert_eq!(event["role"], "housing_social_worker");
            assert_eq!(event["area_id"], w.area);
            assert!(event["organisation"].is_null(), "{event}");
        }
    }
}

crate::on_both_backends!(
    only_the_data_protection_officer_includes_concern_report_content_and_it_is_audited,
    outside_the_team_statistics_come_for_whole_ended_quarters_only,
    cached_statistics_are_still_refused_outside_the_area,
    every_individual_data_route_is_audited_including_denied_attempts,
    every_page_of_families_is_audited_once_for_each_family_it_shows,
    the_export_holds_everything_about_the_family_and_nothing_about_others,
    erasure_leaves_no_personal_data_and_keeps_the_statistics,
    purge_erases_inactive_families_and_old_snapshots_once,
    small_counts_are_suppressed_outside_the_team_and_cannot_be_recovered,
    statistics_reflect_a_write_at_once,
);
