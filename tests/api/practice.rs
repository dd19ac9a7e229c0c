//! The rest of the handbook: planned sessions and calendar feeds, the partner
//! register, reaching families, and the cooperation agreement.

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::*;

struct Team {
    app: TestApp,
    area: String,
    worker: String,
}

async fn team(backend: Backend) -> Team {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    Team {
        worker: worker(&[&area]),
        app,
        area,
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn etag_of(app: &TestApp, path: &str, token: &str) -> String {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    response.headers()["etag"].to_str().unwrap().to_owned()
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let actual = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(actual, status, "{body}");
    body
}

async fn sessions_are_planned_ahead_held_with_attendance_and_shown_in_calendars(backend: Backend) {
    let t = team(backend).await;
    let app = &t.app;
    let course = app
        .create(
            "/api/v1/initiatives",
            &t.worker,
            &new_initiative(&t.area, "exercise_activity", "open"),
        )
        .await;
    let family = app
        .create(
            "/api/v1/families",
            &t.worker,
            &new_family(&t.area, "Familien A"),
        )
        .await;
    let sessions = format!("/api/v1/initiatives/{course}/sessions");
    let held_in_a_planned_initiative = assert_problem(
        app.post(
            &sessions,
            &t.worker,
            &json!({"held_on": today().to_string(), "theme": "X"}),
        )
        .await,
        409,
    )
    .await;
    assert!(held_in_a_planned_initiative["detail"]
        .as_str()
        .unwrap()
        .contains("aktive eller afsluttede"));
    let next_week = (today() + Duration::days(7)).to_string();
    let planned = json_of(
        app.post(&sessions, &t.worker, &json!({
            "status": "planned", "held_on": next_week, "starts_at": "17:00", "ends_at": "19:00",
            "place": "Beboerhuset, Nørrebakken 12", "theme": "Gåtur; og \"kaffe\"", "languages": ["dansk", "arabisk"],
            "interpreter_present": true
        }))
        .await,
        201,
    )
    .await;
    assert_eq!(planned["status"], "planned");
    assert_eq!(planned["starts_at"], "17:00:00");
    let planned_id = planned["id"].as_str().unwrap().to_owned();
    let with_attendance = assert_problem(
        app.post(&sessions, &t.worker, &json!({"status": "planned", "held_on": next_week, "theme": "X", "attendee_family_ids": [family]})).await,
        422,
    )
    .await;
    assert_eq!(with_attendance["errors"][0]["field"], "attendee_family_ids");
    let in_the_past = assert_problem(
        app.post(
            &sessions,
            &t.worker,
            &json!({"status": "planned", "held_on": "2026-01-05", "theme": "X"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(in_the_past["errors"][0]["field"], "held_on");
    let one = format!("{sessions}/{planned_id}");
    let too_early = assert_problem(
        app.patch(
            &one,
            &t.worker,
            None,
            &json!({"status": "held", "attendee_family_ids": [family]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(too_early["errors"][0]["field"], "held_on");

    // Planned for today, held today with its attendance, once the initiative runs.
    let etag = etag_of(app, &format!("/api/v1/initiatives/{course}"), &t.worker).await;
    json_of(
        app.patch(
            &format!("/api/v1/initiatives/{course}"),
            &t.worker,
            Some(&etag),
            &json!({"status": "active"}),
        )
        .await,
        200,
    )
    .await;
    let today_session = json_of(
        app.post(
            &sessions,
            &t.worker,
            &json!({"status": "planned", "held_on": today().to_string(), "theme": "Motion"}),
        )
        .await,
        201,
    )
    .await;
    let held = json_of(
        app.patch(
            &format!("{sessions}/{}", today_session["id"].as_str().unwrap()),
            &t.worker,
            None,
            &json!({"status": "held", "attendee_family_ids": [family], "headcount": 6}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(held["attendance"]["value"], 7);
    assert_problem(
        app.patch(
            &format!("{sessions}/{}", today_session["id"].as_str().unwrap()),
            &t.worker,
            None,
            &json!({"status": "cancelled"}),
        )
        .await,
        409,
    )
    .await;
    let statistics: Value = app
        .get(&format!("/api/v1/areas/{}/statistics", t.area), &t.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        statistics["sessions_held"]["value"], 1,
        "a planned session is not held"
    );

    let calendar = app
        .get(
            &format!("/api/v1/initiatives/{course}/calendar.ics"),
            &t.worker,
        )
        .await;
    assert_eq!(calendar.status(), 200);
    assert!(calendar.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = calendar.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.trim_end().ends_with("END:VCALENDAR"));
    assert!(ics.contains(&format!("UID:{planned_id}@familiebro")));
    assert!(ics.contains("SEQUENCE:0"));
    let start_utc = (today() + Duration::days(7)).and_hms_opt(17, 0, 0).unwrap();
    assert!(
        ics.contains("DTSTART:") && ics.contains(&start_utc.format("%Y%m%d").to_string()),
        "{ics}"
    );
    assert!(
        ics.contains("Gåtur\\; og \"kaffe\""),
        "text is escaped as RFC 5545 says: {ics}"
    );
    assert!(!ics.contains("Familien A") && !ics.contains(&family));

    // Moved, then cancelled: the calendar says so with a higher SEQUENCE. A
    // move based on a version that has changed since is refused.
    let moved = app
        .patch(
            &one,
            &t.worker,
            Some("\"1\""),
            &json!({"held_on": (today() + Duration::days(8)).to_string()}),
        )
        .await;
    assert_eq!(moved.headers()["etag"], "\"2\"");
    json_of(moved, 200).await;
    assert_problem(
        app.patch(
            &one,
            &t.worker,
            Some("\"1\""),
            &json!({"held_on": (today() + Duration::days(9)).to_string()}),
        )
        .await,
        412,
    )
    .await;
    json_of(
        app.patch(&one, &t.worker, None, &json!({"status": "cancelled"}))
            .await,
        200,
    )
    .await;
    let area_ics = app
        .get(
            &format!("/api/v1/areas/{}/calendar.ics", t.area),
            &caseworker("101", "social_services"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        area_ics.contains("STATUS:CANCELLED") && area_ics.contains("SEQUENCE:2"),
        "{area_ics}"
    );
    assert_problem(
        app.get(
            &format!("/api/v1/areas/{}/calendar.ics", t.area),
            &caseworker("751", "social_services"),
        )
        .await,
        404,
    )
    .await;
}

async fn initiatives_name_partners_from_the_areas_register(backend: Backend) {
    let t = team(backend).await;
    let app = &t.app;
    let partners = format!("/api/v1/areas/{}/partners", t.area);
    let school = app
        .create(
            &partners,
            &t.worker,
            &json!({"name": "Nørrebakkens Skole", "kind": "school", "role": "Oplæg om skolestart"}),
        )
        .await;
    let listed: Value = app
        .get(&partners, &caseworker("101", "social_services"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["name"], "Nørrebakkens Skole");
    assert_problem(
        app.post(
            &partners,
            &caseworker("101", "social_services"),
            &json!({"name": "X", "kind": "club"}),
        )
        .await,
        403,
    )
    .await;
    let other_area = app.create_area("Åparken", "101").await;
    let elsewhere = app
        .create(
            &format!("/api/v1/areas/{other_area}/partners"),
            &worker(&[&other_area]),
            &json!({"name": "Klubben", "kind": "club"}),
        )
        .await;
    let mut body = new_initiative(&t.area, "information_event", "open");
    body["partner_ids"] = json!([school]);
    let initiative = json_of(app.post("/api/v1/initiatives", &t.worker, &body).await, 201).await;
    assert_eq!(initiative["partner_ids"], json!([school]));
    body["partner_ids"] = json!([school, elsewhere]);
    let problem =
        assert_problem(app.post("/api/v1/initiatives", &t.worker, &body).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "partner_ids[1]");
    let etag = etag_of(app, &format!("/api/v1/partners/{school}"), &t.worker).await;
    let changed = json_of(
        app.patch(
            &format!("/api/v1/partners/{school}"),
            &t.worker,
            Some(&etag),
            &json!({"role": null}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["role"], Value::Null);
    assert_problem(
        app.patch(
            &format!("/api/v1/partners/{school}"),
            &t.worker,
            Some(&etag),
            &json!({"name": "Y"}),
        )
        .await,
        412,
    )
    .await;
}

async fn a_prospect_is_reached_step_by_step_and_becomes_a_family(backend: Backend) {
    let t = team(backend).await;
    let app = &t.app;
    let identified_on = (today() - Duration::days(30)).to_string();
    let prospect = json_of(
        app.post("/api/v1/prospects", &t.worker, &json!({"area_id": t.area, "display_name": "Familien H.", "source_kind": "kindergarten", "fathers_targeted": true, "identified_on": identified_on})).await,
        201,
    )
    .await;
    assert_eq!(prospect["status"], "identified");
    let id = prospect["id"].as_str().unwrap().to_owned();
    let steps = format!("/api/v1/prospects/{id}/steps");
    let step = |on: i64, kind: &str, status: &str| json!({"occurred_on": (today() - Duration::days(on)).to_string(), "kind": kind, "status": status});
    json_of(
        app.post(&steps, &t.worker, &step(20, "letter_help", "first_contact"))
            .await,
        201,
    )
    .await;
    json_of(
        app.post(&steps, &t.worker, &step(10, "exercise", "trust_building"))
            .await,
        201,
    )
    .await;
    let back = assert_problem(
        app.post(&steps, &t.worker, &step(9, "event", "identified"))
            .await,
        409,
    )
    .await;
    assert!(back["detail"].as_str().unwrap().contains("trust_building"));
    let without_family = assert_problem(
        app.post(&steps, &t.worker, &step(5, "home_visit", "engaged"))
            .await,
        422,
    )
    .await;
    assert_eq!(without_family["errors"][0]["field"], "family");
    let mut engage = step(5, "home_visit", "engaged");
    engage["family"] = new_family(&t.area, "Familien H.");
    let engaged = json_of(app.post(&steps, &t.worker, &engage).await, 201).await;
    assert_eq!(engaged["status"], "engaged");
    assert_eq!(engaged["steps"].as_array().unwrap().len(), 3);
    let family = engaged["family_id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/families/{family}"), &t.worker)
            .await
            .status(),
        200
    );
    assert_problem(
        app.post(&steps, &t.worker, &step(1, "event", "lost")).await,
        409,
    )
    .await;

    for token in [caseworker("101", "social_services"), analyst(None), admin()] {
        assert_problem(
            app.get(&format!("/api/v1/prospects/{id}"), &token).await,
            403,
        )
        .await;
    }
    let stranger = worker(&[&app.create_area("Åparken", "101").await]);
    assert_problem(
        app.get(&format!("/api/v1/prospects/{id}"), &stranger).await,
        404,
    )
    .await;

    let other = json_of(
        app.post("/api/v1/prospects", &t.worker, &json!({"area_id": t.area, "display_name": "Familien Q.", "source_kind": "self", "identified_on": identified_on})).await,
        201,
    )
    .await;
    let funnel_path = format!("/api/v1/areas/{}/prospect-funnel", t.area);
    let funnel: Value = app.get(&funnel_path, &t.worker).await.json().await.unwrap();
    assert_eq!(funnel["identified"]["value"], 2);
    assert_eq!(funnel["median_days_to_engaged"], 25.0);
    let kinds = funnel["by_source_kind"].as_array().unwrap();
    assert!(kinds
        .iter()
        .any(|kind| kind["source_kind"] == "self" && kind["prospects"]["value"] == 1));
    let outside: Value = app
        .get(&funnel_path, &caseworker("101", "social_services"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outside["suppression_applied"], true);
    assert!(outside["median_days_to_engaged"].is_null());

    // Access: the data protection officer exports everything held, the
    // export itself audited.
    let other_id = other["id"].as_str().unwrap();
    let export_path = format!("/api/v1/prospects/{other_id}/export");
    let export = json_of(app.get(&export_path, &data_protection_officer()).await, 200).await;
    assert_eq!(export["prospect"]["display_name"], "Familien Q.");
    assert!(export["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|event| event["resource_id"] == other_id));
    assert_problem(
        app.get(
            &export_path,
            &crate::helpers::caseworker("101", "social_services"),
        )
        .await,
        403,
    )
    .await;

    // Erasure: the name goes, the funnel keeps counting.
    let etag = etag_of(app, &format!("/api/v1/prospects/{other_id}"), &t.worker).await;
    let erased = app
        .client
        .delete(app.url(&format!("/api/v1/prospects/{other_id}")))
        .bearer_auth(data_protection_officer())
        .header("If-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 204);
    assert_problem(
        app.get(&format!("/api/v1/prospects/{other_id}"), &t.worker)
            .await,
        404,
    )
    .await;
    assert_eq!(
        app.rows_containing("prospects", "display_name", "Familien Q."),
        0
    );
    let after: Value = app.get(&funnel_path, &t.worker).await.json().await.unwrap();
    assert_eq!(after["identified"]["value"], 2);
}

fn terms(valid_from: &str) -> Value {
    json!({
        "niche": "Tidlig kontakt med familier, der ikke selv søger hjælp",
        "housing_social_role": "Opsøgende kontakt og forældrekurser",
        "unit_roles": [{"unit": "family_counselling", "responsibilities": "Fremskudt rådgivning i beboerhuset",
                        "referral_purposes": ["family_counselling", "bridge_building"]}],
        "contacts": [{"unit": "family_counselling", "role": "Teamleder"}],
        "co_located_services": [{"unit": "family_counselling", "description": "Åben rådgivning tirsdage 13-15"}],
        "meeting_cadence": "Hver 6. uge",
        "valid_from": valid_from,
        "valid_until": "2028-12-31"
    })
}

async fn both_sides_sign_the_cooperation_agreement_and_a_revision_supersedes_it(backend: Backend) {
    let t = team(backend).await;
    let app = &t.app;
    let caseworker = caseworker("101", "social_services");
    let list = format!("/api/v1/areas/{}/cooperation-agreements", t.area);
    let draft = json_of(
        app.post(&list, &caseworker, &terms("2027-01-01")).await,
        201,
    )
    .await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(
        draft["terms"]["unit_roles"][0]["unit"],
        "family_counselling"
    );
    assert_eq!(
        draft["terms"]["unit_roles"][0]["referral_purposes"],
        json!(["family_counselling", "bridge_building"]),
        "the agreement names the referrals each unit receives"
    );
    let id = draft["id"].as_str().unwrap().to_owned();
    let one = format!("/api/v1/cooperation-agreements/{id}");
    assert_problem(app.get(&one, &analyst(None)).await, 404).await;
    let mut bad = terms("2029-01-01");
    bad["unit_roles"] = json!([]);
    let problem = assert_problem(app.post(&list, &t.worker, &bad).await, 422).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["unit_roles", "valid_until"]);
    let mut twice = terms("2029-01-01");
    twice["unit_roles"][0]["referral_purposes"] = json!(["bridge_building", "bridge_building"]);
    let problem = assert_problem(app.post(&list, &t.worker, &twice).await, 422).await;
    assert_eq!(
        problem["errors"][0]["field"],
        "unit_roles[0].referral_purposes"
    );

    // Initiatives name the agreement they are part of; only their own area's.
    let mut course = new_initiative(&t.area, "family_course", "closed");
    course["cooperation_agreement_id"] = json!(id);
    let initiative = json_of(
        app.post("/api/v1/initiatives", &t.worker, &course).await,
        201,
    )
    .await;
    assert_eq!(initiative["cooperation_agreement_id"], id.as_str());
    let elsewhere = app.create_area("Skovhusene", "101").await;
    let mut foreign = new_initiative(&elsewhere, "family_course", "closed");
    foreign["cooperation_agreement_id"] = json!(id);
    let problem = assert_problem(
        app.post("/api/v1/initiatives", &worker(&[&elsewhere]), &foreign)
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "cooperation_agreement_id");
    let initiative_path = format!("/api/v1/initiatives/{}", initiative["id"].as_str().unwrap());
    let etag = etag_of(app, &initiative_path, &t.worker).await;
    let cleared = json_of(
        app.patch(
            &initiative_path,
            &t.worker,
            Some(&etag),
            &json!({"cooperation_agreement_id": null}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cleared["cooperation_agreement_id"], Value::Null);

    let approvals = format!("{one}/approvals");
    let signed = json_of(app.post(&approvals, &t.worker, &json!(null)).await, 201).await;
    assert_eq!(signed["status"], "in_review");
    let not_signatory = crate::helpers::caseworker("101", "children_families");
    assert_problem(
        app.post(&approvals, &not_signatory, &json!(null)).await,
        403,
    )
    .await;
    // An edit in review withdraws the signatures given.
    let etag = etag_of(app, &one, &t.worker).await;
    let edited = json_of(
        app.patch(
            &one,
            &t.worker,
            Some(&etag),
            &json!({"terms": terms("2027-02-01")}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(edited["status"], "draft");
    assert_eq!(edited["signatures"], json!([]));
    json_of(app.post(&approvals, &t.worker, &json!(null)).await, 201).await;
    let agreed = json_of(app.post(&approvals, &caseworker, &json!(null)).await, 201).await;
    assert_eq!(agreed["status"], "agreed");
    assert_eq!(agreed["signatures"][1]["unit"], "social_services");
    assert_eq!(
        json_of(app.post(&approvals, &caseworker, &json!(null)).await, 200).await["status"],
        "agreed"
    );
    let etag = etag_of(app, &one, &t.worker).await;
    assert_problem(
        app.patch(
            &one,
            &t.worker,
            Some(&etag),
            &json!({"status": "withdrawn"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(app.get(&one, &analyst(None)).await.status(), 200);

    let revision = json_of(
        app.post(&format!("{one}/revisions"), &t.worker, &terms("2028-01-01"))
            .await,
        201,
    )
    .await;
    assert_eq!(revision["supersedes"], id.as_str());
    assert_problem(
        app.post(&format!("{one}/revisions"), &t.worker, &terms("2028-01-01"))
            .await,
        409,
    )
    .await;
    let original: Value = app.get(&one, &t.worker).await.json().await.unwrap();
    assert_eq!(original["superseded_by"], revision["id"]);
    assert_problem(
        app.get(&one, &crate::helpers::caseworker("751", "social_services"))
            .await,
        404,
    )
    .await;
}

crate::on_both_backends!(
    sessions_are_planned_ahead_held_with_attendance_and_shown_in_calendars,
    initiatives_name_partners_from_the_areas_register,
    a_prospect_is_reached_step_by_step_and_becomes_a_family,
    both_sides_sign_the_cooperation_agreement_and_a_revision_supersedes_it,
);

async fn problems_speak_danish_unless_the_caller_asks_for_english(backend: Backend) {
    let t = team(backend).await;
    let missing = format!("/api/v1/areas/{}", uuid::Uuid::now_v7());
    let ask = |language: Option<&'static str>| {
        let mut request = t.app.client.get(t.app.url(&missing)).bearer_auth(&t.worker);
        if let Some(language) = language {
            request = request.header("Accept-Language", language);
        }
        request.send()
    };
    for (asked, language, title, detail) in [
        (None, "da", "Findes ikke", "ressourcen findes ikke"),
        (
            Some("en-GB,en;q=0.9"),
            "en",
            "Not found",
            "no such resource",
        ),
        (Some("de, en;q=0.5"), "en", "Not found", "no such resource"),
        (Some("fr"), "da", "Findes ikke", "ressourcen findes ikke"),
        (Some("da-DK"), "da", "Findes ikke", "ressourcen findes ikke"),
    ] {
        let response = ask(asked).await.unwrap();
        assert_eq!(
            response.headers()["content-language"],
            language,
            "{asked:?}"
        );
        let problem = assert_problem(response, 404).await;
        assert_eq!(
            (
                problem["title"].as_str().unwrap(),
                problem["detail"].as_str().unwrap()
            ),
            (title, detail),
            "{asked:?}"
        );
    }
    // Field messages and details that quote a value speak the same language.
    let invalid = |language: &'static str| {
        t.app
            .client
            .post(t.app.url("/api/v1/prospects"))
            .bearer_auth(&t.worker)
            .header("Accept-Language", language)
            .json(&json!({"area_id": t.area, "display_name": "", "source_kind": "school"}))
            .send()
    };
    let problem = assert_problem(invalid("en").await.unwrap(), 422).await;
    assert_eq!(problem["title"], "Validation failed");
    assert_eq!(problem["errors"][0]["message"], "must not be empty");
    let problem = assert_problem(invalid("da").await.unwrap(), 422).await;
    assert_eq!(problem["title"], "Ugyldige felter");
    assert_eq!(problem["errors"][0]["message"], "må ikke være tom");
    let full = t
        .app
        .client
        .get(t.app.url("/api/v1/areas?limit=500"))
        .bearer_auth(&t.worker)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(full, 400).await;
    assert_eq!(problem["errors"][0]["message"], "skal være fra 1 til 200");
    let ok = t
        .app
        .get(&format!("/api/v1/areas/{}", t.area), &t.worker)
        .await;
    assert_eq!(ok.headers()["content-language"], "da");
    assert!(ok
        .headers()
        .get_all("vary")
        .iter()
        .any(|value| value.to_str().unwrap().contains("Accept-Language")));
}

crate::on_both_backends!(problems_speak_danish_unless_the_caller_asks_for_english);
