//! The access matrix: every operation of the served OpenAPI document × every
//! role, in and out of scope. The test fails when an operation has no row, so
//! no new route can skip it. Writes carry a stale `If-Match` or an illegal
//! transition where possible, so that allowed probes change nothing.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::*;

/// Who probes: (label, token). Scope: records probed belong to area A (København).
fn principals(area_a: &str, area_b: &str) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("worker of A", Some(worker(&[area_a]))),
        ("worker of B", Some(worker(&[area_b]))),
        (
            "caseworker family counselling 101",
            Some(caseworker("101", "family_counselling")),
        ),
        (
            "caseworker children 101",
            Some(caseworker("101", "children_families")),
        ),
        (
            "caseworker 751",
            Some(caseworker("751", "family_counselling")),
        ),
        ("analyst", Some(analyst(None))),
        ("analyst 751", Some(analyst(Some("751")))),
        ("data protection officer", Some(data_protection_officer())),
        ("admin", Some(admin())),
        ("anonymous", None),
    ]
}

/// Expected outcome: access granted (any status but 401/403/404), or the status.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Ok,
    Status(u16),
}

use Expect::{Ok as O, Status};

/// An entity tag no resource has: allowed PATCH and DELETE probes get 412 and change nothing.
const STALE_ETAG: &str = "\"999\"";
const F: Expect = Status(403);
const N: Expect = Status(404);
const U: Expect = Status(401);

struct Row {
    method: &'static str,
    template: &'static str,
    path: String,
    body: Option<Value>,
    /// In the order of [`principals`], anonymous last.
    expect: [Expect; 10],
    /// An Idempotency-Key to send (a replay, where it was used before).
    key: Option<&'static str>,
}

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

async fn every_operation_follows_the_access_matrix(backend: Backend) {
    let app = spawn_app(backend).await;
    let area_a = app.create_area("Nørrebakken", "101").await;
    let area_b = app.create_area("Skovhusene", "751").await;
    let worker_a = worker(&[&area_a]);
    let family = app
        .create(
            "/api/v1/families",
            &worker_a,
            &new_family(&area_a, "Familien A"),
        )
        .await;
    let consent = app
        .create(
            &format!("/api/v1/families/{family}/consents"),
            &worker_a,
            &json!({"receiving_unit": "family_counselling", "purpose": "bridge_building", "data_categories": ["contact_details"], "valid_from": today(), "valid_until": today_plus(300), "given_as": "written", "given_by": {"name": "Amina", "relation": "mother"}, "document_reference": "Samtykkeerklæring 2026-1"}),
        )
        .await;
    let mut course_body = new_initiative(&area_a, "family_course", "closed");
    course_body["network_plan"] = json!("Madklub");
    let initiative = app
        .create("/api/v1/initiatives", &worker_a, &course_body)
        .await;
    app.patch(
        &format!("/api/v1/initiatives/{initiative}"),
        &worker_a,
        None,
        &json!({"status": "active"}),
    )
    .await;
    app.post(
        &format!("/api/v1/initiatives/{initiative}/enrolments"),
        &worker_a,
        &json!({"family_id": family, "heavily_burdened": true}),
    )
    .await;
    let partner = app
        .create(
            &format!("/api/v1/areas/{area_a}/partners"),
            &worker_a,
            &json!({"name": "Nørrebakkens Skole", "kind": "school"}),
        )
        .await;
    let prospect = app
        .create(
            "/api/v1/prospects",
            &worker_a,
            &json!({"area_id": area_a, "display_name": "Familien P.", "source_kind": "school"}),
        )
        .await;
    let agreement = app
        .create(
            &format!("/api/v1/areas/{area_a}/cooperation-agreements"),
            &worker_a,
            &json!({"niche": "Tidlig kontakt", "housing_social_role": "Opsøgende arbejde", "unit_roles": [{"unit": "family_counselling", "responsibilities": "Fremskudt rådgivning"}], "meeting_cadence": "Hver 6. uge", "valid_from": "2027-01-01", "valid_until": "2028-12-31"}),
        )
        .await;
    let next_month = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    let planned_session = app
        .create(
            &format!("/api/v1/initiatives/{initiative}/sessions"),
            &worker_a,
            &json!({"status": "planned", "held_on": next_month, "theme": "Planlagt"}),
        )
        .await;
    let assessment = app
        .create(
            &format!("/api/v1/areas/{area_a}/assessments"),
            &worker_a,
            &json!({"period": {"starts_on": "2026-01-01", "ends_on": "2026-12-31"}, "findings": [{"problem_area": "health", "households": 10, "severity": 3, "evidence": ["skolen"]}]}),
        )
        .await;
    for token in [&worker_a, &caseworker("101", "social_services")] {
        app.post(
            &format!("/api/v1/assessments/{assessment}/approvals"),
            token,
            &json!(null),
        )
        .await;
    }
    let referral = app
        .create(
            "/api/v1/referrals",
            &worker_a,
            &json!({"direction": "to_municipality", "family_id": family, "consent_id": consent, "unit": "family_counselling", "purpose": "bridge_building", "shared_categories": ["contact_details"]}),
        )
        .await;
    let concern = app
        .create(
            "/api/v1/concern-reports",
            &worker_a,
            &new_concern_report(&family, "Bekymring"),
        )
        .await;

    // A draft exists only for its sender.
    let draft = app
        .create(
            "/api/v1/referrals",
            &worker_a,
            &json!({"direction": "to_municipality", "family_id": family, "consent_id": consent, "unit": "family_counselling", "purpose": "bridge_building", "shared_categories": ["contact_details"], "draft": true}),
        )
        .await;
    // A referral whose consent was withdrawn: its receiver's view is redacted.
    let withdrawn_consent = app
        .create(
            &format!("/api/v1/families/{family}/consents"),
            &worker_a,
            &json!({"receiving_unit": "family_counselling", "purpose": "application_help", "data_categories": ["contact_details"], "valid_from": today(), "valid_until": today_plus(300), "given_as": "written", "given_by": {"name": "Amina", "relation": "mother"}, "document_reference": "Samtykkeerklæring 2026-1"}),
        )
        .await;
    let redacted = app
        .create(
            "/api/v1/referrals",
            &worker_a,
            &json!({"direction": "to_municipality", "family_id": family, "consent_id": withdrawn_consent, "unit": "family_counselling", "purpose": "application_help", "shared_categories": ["contact_details"]}),
        )
        .await;
    let replayed = app
        .post_with_key(
            &format!("/api/v1/referrals/{redacted}/transitions"),
            &caseworker("101", "family_counselling"),
            "matrix-replay",
            &json!({"to": "accepted"}),
        )
        .await;
    assert_eq!(replayed.status(), 201);
    app.post(
        &format!("/api/v1/consents/{withdrawn_consent}/withdrawal"),
        &worker_a,
        &json!(null),
    )
    .await;

    let subscription = app
        .create(
            "/api/v1/webhook-subscriptions",
            &worker_a,
            &json!({"url": "https://hooks.kk.dk/matrix"}),
        )
        .await;
    let delivery = uuid::Uuid::now_v7().to_string();
    let now = chrono::Utc::now().naive_utc();
    familiebro::db::webhooks::insert_delivery(
        &mut app.connect(),
        &familiebro::db::webhooks::DeliveryRow {
            id: delivery.clone(),
            subscription_id: subscription.clone(),
            change_type: "family.changed".into(),
            payload: json!({"type": "family.changed"}).to_string(),
            status: "failed".into(),
            attempts: 3,
            next_attempt_at: now,
            leased_until: None,
            last_status_code: Some(500),
            last_error: None,
            last_attempt_at: Some(now),
            created_at: now,
        },
    )
    .unwrap();

    let calendar_link: Value = app
        .post(
            &format!("/api/v1/areas/{area_a}/calendar-links"),
            &worker_a,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let calendar_link_id = calendar_link["id"].as_str().unwrap().to_owned();
    let calendar_address = calendar_link["url"].as_str().unwrap();
    let calendar_address =
        calendar_address[calendar_address.find("/calendar/").unwrap()..].to_owned();

    let row = |method: &'static str,
               template: &'static str,
               path: String,
               body: Option<Value>,
               expect: [Expect; 10]| Row {
        method,
        template,
        path,
        body,
        expect,
        key: None,
    };
    #[rustfmt::skip]
    let rows = vec![
        // Reads.                                                                               wA  wB  cFC cCF c751 an an751 dpo adm anon
        row("GET", "/livez", "/livez".into(), None, [O, O, O, O, O, O, O, O, O, O]),
        row("GET", "/readyz", "/readyz".into(), None, [O, O, O, O, O, O, O, O, O, O]),
        row("GET", "/metrics", "/metrics".into(), None, [U, U, U, U, U, U, U, U, U, U]),
        row("GET", "/api/v1/catalog/labels", "/api/v1/catalog/labels".into(), None, [O, O, O, O, O, O, O, O, O, U]),
        row("GET", "/api/v1/catalog/problem-areas", "/api/v1/catalog/problem-areas".into(), None, [O, O, O, O, O, O, O, O, O, U]),
        row("GET", "/api/v1/catalog/initiative-types", "/api/v1/catalog/initiative-types".into(), None, [O, O, O, O, O, O, O, O, O, U]),
        row("GET", "/api/v1/catalog/municipal-units", "/api/v1/catalog/municipal-units".into(), None, [O, O, O, O, O, O, O, O, O, U]),
        row("GET", "/api/v1/catalog/outcomes", "/api/v1/catalog/outcomes".into(), None, [O, O, O, O, O, O, O, O, O, U]),
        row("GET", "/api/v1/areas", "/api/v1/areas".into(), None, [O, O, O, O, O, O, O, O, O, U]),
        row("GET", "/api/v1/areas/{id}", format!("/api/v1/areas/{area_a}"), None, [O, O, O, O, N, O, N, O, O, U]),
        row("GET", "/api/v1/areas/{id}/statistics", format!("/api/v1/areas/{area_a}/statistics"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/areas/{id}/report", format!("/api/v1/areas/{area_a}/report"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/areas/{id}/prospect-funnel", format!("/api/v1/areas/{area_a}/prospect-funnel"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/areas/{id}/calendar.ics", format!("/api/v1/areas/{area_a}/calendar.ics"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/areas/{id}/calendar-links", format!("/api/v1/areas/{area_a}/calendar-links"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/calendar/{token}.ics", calendar_address.clone(), None, [O, O, O, O, O, O, O, O, O, O]),
        row("GET", "/api/v1/areas/{id}/partners", format!("/api/v1/areas/{area_a}/partners"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/partners/{id}", format!("/api/v1/partners/{partner}"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/areas/{id}/cooperation-agreements", format!("/api/v1/areas/{area_a}/cooperation-agreements"), None, [O, N, O, O, N, O, N, F, F, U]),
        // A draft: analysts see agreed agreements only.
        row("GET", "/api/v1/cooperation-agreements/{id}", format!("/api/v1/cooperation-agreements/{agreement}"), None, [O, N, O, O, N, N, N, F, F, U]),
        row("GET", "/api/v1/prospects", "/api/v1/prospects".into(), None, [O, O, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/prospects/{id}", format!("/api/v1/prospects/{prospect}"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/prospects/{id}/export", format!("/api/v1/prospects/{prospect}/export"), None, [O, N, F, F, F, F, F, O, F, U]),
        row("GET", "/api/v1/initiatives/{id}/calendar.ics", format!("/api/v1/initiatives/{initiative}/calendar.ics"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/areas/{id}/assessments", format!("/api/v1/areas/{area_a}/assessments"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/assessments/{id}", format!("/api/v1/assessments/{assessment}"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/assessments/{id}/recommendations", format!("/api/v1/assessments/{assessment}/recommendations"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/initiatives", "/api/v1/initiatives".into(), None, [O, O, O, O, O, O, O, F, F, U]),
        row("GET", "/api/v1/initiatives/{id}", format!("/api/v1/initiatives/{initiative}"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/initiatives/{id}/sessions", format!("/api/v1/initiatives/{initiative}/sessions"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/initiatives/{id}/enrolments", format!("/api/v1/initiatives/{initiative}/enrolments"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/initiatives/{id}/outcomes", format!("/api/v1/initiatives/{initiative}/outcomes"), None, [O, N, O, O, N, O, N, F, F, U]),
        row("GET", "/api/v1/initiatives/{id}/measurements", format!("/api/v1/initiatives/{initiative}/measurements"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/initiatives/{id}/composition", format!("/api/v1/initiatives/{initiative}/composition"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/families", "/api/v1/families".into(), None, [O, O, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/families/{id}", format!("/api/v1/families/{family}"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/families/{id}/contacts", format!("/api/v1/families/{family}/contacts"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/families/{id}/consents", format!("/api/v1/families/{family}/consents"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/families/{id}/export", format!("/api/v1/families/{family}/export"), None, [O, N, F, F, F, F, F, O, F, U]),
        // The content of concern reports: only the data protection officer may include it.
        row("GET", "/api/v1/families/{id}/export", format!("/api/v1/families/{family}/export?include_concern_report_content=true"), None, [F, F, F, F, F, F, F, O, F, U]),
        row("GET", "/api/v1/municipalities/{code}/settings", "/api/v1/municipalities/101/settings".into(), None, [O, O, O, O, O, O, O, O, O, U]),
        row("PUT", "/api/v1/municipalities/{code}/settings", "/api/v1/municipalities/101/settings".into(), Some(json!({"concern_report_unit": "family_counselling", "signatory_units": ["social_services"]})), [F, F, F, F, F, F, F, F, O, U]),
        row("GET", "/api/v1/consents/{id}", format!("/api/v1/consents/{consent}"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("GET", "/api/v1/referrals", "/api/v1/referrals".into(), None, [O, O, O, O, O, F, F, F, F, U]),
        row("GET", "/api/v1/referrals/{id}", format!("/api/v1/referrals/{referral}"), None, [O, N, O, N, N, F, F, F, F, U]),
        row("GET", "/api/v1/referrals/{id}/events", format!("/api/v1/referrals/{referral}/events"), None, [O, N, O, N, N, F, F, F, F, U]),
        row("GET", "/api/v1/concern-reports", "/api/v1/concern-reports".into(), None, [O, O, O, O, O, F, F, F, F, U]),
        row("GET", "/api/v1/concern-reports/{id}", format!("/api/v1/concern-reports/{concern}"), None, [O, N, N, O, N, F, F, F, F, U]),
        row("GET", "/api/v1/audit-events", "/api/v1/audit-events".into(), None, [F, F, F, F, F, F, F, O, F, U]),
        row("GET", "/api/v1/changes", "/api/v1/changes".into(), None, [O, O, O, O, O, F, F, F, F, U]),
        row("GET", "/api/v1/webhook-subscriptions", "/api/v1/webhook-subscriptions".into(), None, [O, O, O, O, O, F, F, F, F, U]),
        row("GET", "/api/v1/webhook-subscriptions/{id}", format!("/api/v1/webhook-subscriptions/{subscription}"), None, [O, N, N, N, N, F, F, F, F, U]),
        row("GET", "/api/v1/webhook-subscriptions/{id}/deliveries", format!("/api/v1/webhook-subscriptions/{subscription}/deliveries"), None, [O, N, N, N, N, F, F, F, F, U]),
        // A draft: only its sender sees it. A redacted referral: both ends see it (the receiver without the data).
        row("GET", "/api/v1/referrals/{id}", format!("/api/v1/referrals/{draft}"), None, [O, N, N, N, N, F, F, F, F, U]),
        row("GET", "/api/v1/referrals/{id}/events", format!("/api/v1/referrals/{draft}/events"), None, [O, N, N, N, N, F, F, F, F, U]),
        row("GET", "/api/v1/referrals/{id}", format!("/api/v1/referrals/{redacted}"), None, [O, N, O, N, N, F, F, F, F, U]),
        // A replay: the key's owner gets the outcome as it is now; to everyone else the key is new.
        Row { key: Some("matrix-replay"), ..row("POST", "/api/v1/referrals/{id}/transitions", format!("/api/v1/referrals/{redacted}/transitions"), Some(json!({"to": "accepted"})), [O, N, O, N, N, F, F, F, F, U]) },
        // Writes that change nothing when allowed: stale If-Match, illegal moves, conflicts.
        row("PATCH", "/api/v1/areas/{id}", format!("/api/v1/areas/{area_a}"), Some(json!({"name": "X"})), [F, F, F, F, F, F, F, F, O, U]),
        row("PATCH", "/api/v1/assessments/{id}", format!("/api/v1/assessments/{assessment}"), Some(json!({"summary": "X"})), [O, N, O, O, N, F, F, F, F, U]),
        row("POST", "/api/v1/assessments/{id}/findings", format!("/api/v1/assessments/{assessment}/findings"), Some(json!({"problem_area": "health", "households": 1, "severity": 1, "evidence": ["x"]})), [O, N, O, O, N, F, F, F, F, U]),
        // For the municipality only its signatory units sign (by default not children_families).
        row("POST", "/api/v1/assessments/{id}/approvals", format!("/api/v1/assessments/{assessment}/approvals"), None, [O, N, O, F, N, F, F, F, F, U]),
        row("PATCH", "/api/v1/initiatives/{id}", format!("/api/v1/initiatives/{initiative}"), Some(json!({"title": "X"})), [O, N, F, F, F, F, F, F, F, U]),
        // Held a month early: 422 for allowed callers.
        row("PATCH", "/api/v1/initiatives/{id}/sessions/{session_id}", format!("/api/v1/initiatives/{initiative}/sessions/{planned_session}"), Some(json!({"status": "held"})), [O, N, F, F, F, F, F, F, F, U]),
        row("PATCH", "/api/v1/partners/{id}", format!("/api/v1/partners/{partner}"), Some(json!({"name": "X"})), [O, N, F, F, F, F, F, F, F, U]),
        row("PATCH", "/api/v1/cooperation-agreements/{id}", format!("/api/v1/cooperation-agreements/{agreement}"), Some(json!({"status": "withdrawn"})), [O, N, O, O, N, F, F, F, F, U]),
        // A draft is not revised: 409 for allowed callers.
        row("POST", "/api/v1/cooperation-agreements/{id}/revisions", format!("/api/v1/cooperation-agreements/{agreement}/revisions"), Some(json!({"niche": "X", "housing_social_role": "X", "unit_roles": [{"unit": "school", "responsibilities": "X"}], "meeting_cadence": "X", "valid_from": "2027-01-01", "valid_until": "2027-12-31"})), [O, N, O, O, N, F, F, F, F, U]),
        // A step in the future: 422 for allowed callers.
        row("POST", "/api/v1/prospects/{id}/steps", format!("/api/v1/prospects/{prospect}/steps"), Some(json!({"occurred_on": next_month, "kind": "event"})), [O, N, F, F, F, F, F, F, F, U]),
        row("DELETE", "/api/v1/prospects/{id}", format!("/api/v1/prospects/{prospect}"), None, [O, N, F, F, F, F, F, O, F, U]),
        row("POST", "/api/v1/initiatives/{id}/enrolments", format!("/api/v1/initiatives/{initiative}/enrolments"), Some(json!({"family_id": family, "heavily_burdened": true})), [O, N, F, F, F, F, F, F, F, U]),
        row("PATCH", "/api/v1/families/{id}", format!("/api/v1/families/{family}"), Some(json!({"display_name": "X"})), [O, N, F, F, F, F, F, F, F, U]),
        row("DELETE", "/api/v1/families/{id}", format!("/api/v1/families/{family}"), None, [O, N, F, F, F, F, F, O, F, U]),
        row("POST", "/api/v1/referrals/{id}/transitions", format!("/api/v1/referrals/{referral}/transitions"), Some(json!({"to": "draft"})), [O, N, O, N, N, F, F, F, F, U]),
        // Creations: allowed callers may create (or get 422 for a record they do not reach).
        row("POST", "/api/v1/areas", "/api/v1/areas".into(), Some(new_area("Nyt område", "101")), [F, F, F, F, F, F, F, F, O, U]),
        row("POST", "/api/v1/areas/{id}/assessments", format!("/api/v1/areas/{area_a}/assessments"), Some(json!({"period": {"starts_on": "2026-01-01", "ends_on": "2026-06-30"}})), [O, N, O, O, N, F, F, F, F, U]),
        row("POST", "/api/v1/initiatives", "/api/v1/initiatives".into(), Some(new_initiative(&area_a, "exercise_activity", "open")), [O, O, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/initiatives/{id}/sessions", format!("/api/v1/initiatives/{initiative}/sessions"), Some(json!({"held_on": today(), "theme": "Tema"})), [O, N, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/initiatives/{id}/measurements", format!("/api/v1/initiatives/{initiative}/measurements"), Some(json!({"family_id": family, "phase": "start", "measured_on": today(), "answers": [{"goal": "knows_the_actors", "value": 3}]})), [O, N, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/families", "/api/v1/families".into(), Some(new_family(&area_a, "Familien Ny")), [O, O, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/prospects", "/api/v1/prospects".into(), Some(json!({"area_id": area_a, "display_name": "Familien Ny", "source_kind": "club"})), [O, O, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/areas/{id}/calendar-links", format!("/api/v1/areas/{area_a}/calendar-links"), Some(json!({})), [O, N, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/areas/{id}/partners", format!("/api/v1/areas/{area_a}/partners"), Some(json!({"name": "Klubben", "kind": "club"})), [O, N, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/areas/{id}/cooperation-agreements", format!("/api/v1/areas/{area_a}/cooperation-agreements"), Some(json!({"niche": "X", "housing_social_role": "X", "unit_roles": [], "meeting_cadence": "X", "valid_from": "2027-01-01", "valid_until": "2027-12-31"})), [O, N, O, O, N, F, F, F, F, U]),
        row("POST", "/api/v1/families/{id}/contacts", format!("/api/v1/families/{family}/contacts"), Some(json!({"occurred_on": today(), "kind": "phone"})), [O, N, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/families/{id}/consents", format!("/api/v1/families/{family}/consents"), Some(json!({"receiving_unit": "school", "purpose": "bridge_building", "data_categories": ["contact_details"], "valid_from": today(), "valid_until": today_plus(300), "given_as": "oral", "given_by": {"name": "Amina", "relation": "mother"}})), [O, N, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/referrals", "/api/v1/referrals".into(), Some(json!({"direction": "to_municipality", "family_id": family, "consent_id": consent, "unit": "family_counselling", "purpose": "bridge_building", "shared_categories": ["contact_details"]})), [O, O, O, O, O, F, F, F, F, U]),
        row("POST", "/api/v1/concern-reports", "/api/v1/concern-reports".into(), Some(new_concern_report(&family, "Bekymring")), [O, O, F, F, F, F, F, F, F, U]),
        // State changes last, since allowed callers make them.
        row("POST", "/api/v1/concern-reports/{id}/feedback", format!("/api/v1/concern-reports/{concern}/feedback"), Some(json!({"outcome": "no_action"})), [F, F, N, O, N, F, F, F, F, U]),
        row("POST", "/api/v1/concern-reports/{id}/urgency-assessment", format!("/api/v1/concern-reports/{concern}/urgency-assessment"), Some(json!({"urgent": false})), [F, F, N, O, N, F, F, F, F, U]),
        row("POST", "/api/v1/concern-reports/{id}/acknowledgement", format!("/api/v1/concern-reports/{concern}/acknowledgement"), None, [F, F, N, O, N, F, F, F, F, U]),
        row("DELETE", "/api/v1/initiatives/{id}/enrolments/{family_id}", format!("/api/v1/initiatives/{initiative}/enrolments/{family}"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("POST", "/api/v1/consents/{id}/withdrawal", format!("/api/v1/consents/{consent}/withdrawal"), None, [O, N, F, F, F, F, F, F, F, U]),
        // Only signatory units sign for the municipality (by default not children_families).
        row("POST", "/api/v1/cooperation-agreements/{id}/approvals", format!("/api/v1/cooperation-agreements/{agreement}/approvals"), None, [O, N, O, F, N, F, F, F, F, U]),
        // A URL off the allowlist: allowed callers get 422 and nothing is stored.
        row("POST", "/api/v1/webhook-subscriptions", "/api/v1/webhook-subscriptions".into(), Some(json!({"url": "https://evil.example/hook"})), [O, O, O, O, O, F, F, F, F, U]),
        row("POST", "/api/v1/webhook-subscriptions/{id}/deliveries/{delivery_id}/retry", format!("/api/v1/webhook-subscriptions/{subscription}/deliveries/{delivery}/retry"), None, [O, N, N, N, N, F, F, F, F, U]),
        row("DELETE", "/api/v1/calendar-links/{id}", format!("/api/v1/calendar-links/{calendar_link_id}"), None, [O, N, F, F, F, F, F, F, F, U]),
        row("DELETE", "/api/v1/webhook-subscriptions/{id}", format!("/api/v1/webhook-subscriptions/{subscription}"), None, [O, N, N, N, N, F, F, F, F, U]),
    ];

    let spec: Value = app.served_openapi().await;
    let documented: BTreeSet<String> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    let covered: BTreeSet<String> = rows
        .iter()
        .map(|row| format!("{} {}", row.method, row.template))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the access matrix: {missing:?}"
    );
    let unknown: Vec<_> = covered.difference(&documented).collect();
    assert!(
        unknown.is_empty(),
        "rows for operations the service does not document: {unknown:?}"
    );

    let who = principals(&area_a, &area_b);
    for row in &rows {
        for ((label, token), expected) in who.iter().zip(row.expect) {
            let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
            let mut request = app
                .client
                .request(method, app.url(&row.path))
                .header("If-Match", STALE_ETAG);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &row.body {
                request = request.json(body);
            }
            if let Some(key) = row.key {
                request = request.header("Idempotency-Key", key);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            if status == 200 || status == 201 {
                let body: Value = response.json().await.unwrap_or_default();
                if row.path.contains(&redacted) && !label.starts_with("worker") {
                    assert_eq!(
                        body["shared_data"],
                        Value::Null,
                        "{label}: {} {} shows redacted data",
                        row.method,
                        row.path
                    );
                }
            }
            match expected {
                O => assert!(
                    !matches!(status, 401 | 403 | 404),
                    "{label}: {} {} should be allowed, got {status}",
                    row.method,
                    row.template
                ),
                Status(code) => {
                    assert_eq!(status, code, "{label}: {} {}", row.method, row.template)
                }
            }
        }
    }
    let family_now = app
        .get(&format!("/api/v1/families/{family}"), &worker_a)
        .await;
    assert_eq!(
        family_now.status(),
        200,
        "the stale If-Match kept every allowed DELETE from erasing"
    );
}

crate::on_both_backends!(every_operation_follows_the_access_matrix);
