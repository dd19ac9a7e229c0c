//! Initiatives: the shared plan, the handbook's start conditions, sessions,
//! enrolment and the team-composition check.

use serde_json::{json, Value};

use crate::helpers::*;

struct Scenario {
    app: TestApp,
    area: String,
    other_area: String,
    worker: String,
}

async fn scenario(backend: Backend) -> Scenario {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let other_area = app.create_area("Skovhusene", "751").await;
    Scenario {
        worker: worker(&[&area]),
        app,
        area,
        other_area,
    }
}

impl Scenario {
    async fn initiative(&self, initiative_type: &str, format: &str) -> String {
        self.app
            .create(
                "/api/v1/initiatives",
                &self.worker,
                &new_initiative(&self.area, initiative_type, format),
            )
            .await
    }

    async fn family(&self, name: &str) -> String {
        self.app
            .create(
                "/api/v1/families",
                &self.worker,
                &new_family(&self.area, name),
            )
            .await
    }

    async fn set_status(&self, id: &str, status: &str) -> reqwest::Response {
        self.app
            .patch(
                &format!("/api/v1/initiatives/{id}"),
                &self.worker,
                None,
                &json!({"status": status}),
            )
            .await
    }
}

async fn both_sides_read_the_plan_but_only_the_areas_workers_write_it(backend: Backend) {
    let s = scenario(backend).await;
    let id = s.initiative("exercise_activity", "open").await;
    let path = format!("/api/v1/initiatives/{id}");
    let readers = [
        ("worker", s.worker.clone(), 200),
        (
            "caseworker of the municipality",
            caseworker("101", "job_centre"),
            200,
        ),
        ("analyst", analyst(None), 200),
        (
            "caseworker of another municipality",
            caseworker("751", "job_centre"),
            404,
        ),
        ("worker of another area", worker(&[&s.other_area]), 404),
        ("data protection officer", data_protection_officer(), 403),
        ("admin", admin(), 403),
    ];
    for (who, token, status) in &readers {
        assert_eq!(
            s.app.get(&path, token).await.status().as_u16(),
            *status,
            "{who} reads"
        );
        let list = s.app.get("/api/v1/initiatives", token).await;
        if *status == 403 {
            assert_problem(list, 403).await;
        } else {
            let list: Value = list.json().await.unwrap();
            let expected = if *status == 200 { 1 } else { 0 };
            assert_eq!(
                list["items"].as_array().unwrap().len(),
                expected,
                "{who} lists"
            );
        }
    }
    let plan: Value = s
        .app
        .get(&path, &caseworker("101", "job_centre"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        plan["problem_areas"],
        json!(["isolation", "health"]),
        "exercise answers isolation as well as health"
    );
    assert_eq!(plan["status"], "planned");
    assert_eq!(
        plan["enrolled"],
        json!({"value": 0, "suppressed": false}),
        "no families is no one"
    );

    for token in [caseworker("101", "job_centre"), analyst(None), admin()] {
        let create = s
            .app
            .post(
                "/api/v1/initiatives",
                &token,
                &new_initiative(&s.area, "exercise_activity", "open"),
            )
            .await;
        assert_problem(create, 403).await;
        assert_problem(
            s.app
                .patch(&path, &token, None, &json!({"title": "x"}))
                .await,
            403,
        )
        .await;
    }
    let other_worker = worker(&[&s.other_area]);
    assert_problem(
        s.app
            .patch(&path, &other_worker, None, &json!({"title": "x"}))
            .await,
        404,
    )
    .await;
    let elsewhere = s
        .app
        .post(
            "/api/v1/initiatives",
            &s.worker,
            &new_initiative(&s.other_area, "exercise_activity", "open"),
        )
        .await;
    assert_problem(elsewhere, 422).await;

    let filtered: Value = s
        .app
        .get("/api/v1/initiatives?type=family_course", &analyst(None))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["items"], json!([]));
    let by_status: Value = s
        .app
        .get(
            "/api/v1/initiatives?status=planned&type=exercise_activity",
            &analyst(None),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_status["items"].as_array().unwrap().len(), 1);
}

async fn the_handbooks_start_conditions_are_enforced(backend: Backend) {
    let s = scenario(backend).await;
    let mut closed = new_initiative(&s.area, "family_course", "closed");
    closed.as_object_mut().unwrap().remove("capacity");
    let problem = assert_problem(
        s.app.post("/api/v1/initiatives", &s.worker, &closed).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "capacity");

    for initiative_type in ["family_course", "social_activity"] {
        let id = s.initiative(initiative_type, "closed").await;
        let problem = assert_problem(s.set_status(&id, "active").await, 422).await;
        assert_eq!(
            problem["errors"][0]["field"], "network_plan",
            "{initiative_type}"
        );
        let started = s
            .app
            .patch(
                &format!("/api/v1/initiatives/{id}"),
                &s.worker,
                None,
                &json!({"status": "active", "network_plan": "Fælles madklub efter kurset, støttet af beboerforeningen"}),
            )
            .await;
        assert_eq!(
            started.status(),
            200,
            "{initiative_type} starts with a network plan"
        );
        let removed = s
            .app
            .patch(
                &format!("/api/v1/initiatives/{id}"),
                &s.worker,
                None,
                &json!({"network_plan": null}),
            )
            .await;
        assert_problem(removed, 422).await;
    }

    let volunteering = s.initiative("volunteering", "closed").await;
    let started = s.set_status(&volunteering, "active").await;
    assert_eq!(
        started.status(),
        200,
        "the job-centre agreement is an example, not a condition"
    );
    let started: Value = started.json().await.unwrap();
    assert_eq!(started["status"], "active");
    assert_eq!(
        started["condition_warnings"][0]["field"],
        "job_centre_agreement"
    );
    let agreed: Value = s
        .app
        .patch(
            &format!("/api/v1/initiatives/{volunteering}"),
            &s.worker,
            None,
            &json!({"job_centre_agreement": "Jobcenter Albertslund, aftale 2026-17"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(agreed["condition_warnings"], json!([]));

    let exercise = s.initiative("exercise_activity", "open").await;
    let problem = assert_problem(s.set_status(&exercise, "completed").await, 409).await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("allowed now: active, cancelled"));
    assert_eq!(s.set_status(&exercise, "active").await.status(), 200);
    assert_eq!(s.set_status(&exercise, "completed").await.status(), 200);
    assert_problem(
        s.app
            .patch(
                &format!("/api/v1/initiatives/{exercise}"),
                &s.worker,
                None,
                &json!({"title": "x"}),
            )
            .await,
        409,
    )
    .await;

    let wrong_area = json!({"problem_areas": ["unemployment"]});
    assert_problem(
        s.app
            .patch(
                &format!("/api/v1/initiatives/{volunteering}"),
                &s.worker,
                None,
                &json!({"problem_areas": ["health"]}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(
        s.app
            .patch(
                &format!("/api/v1/initiatives/{volunteering}"),
                &s.worker,
                None,
                &wrong_area
            )
            .await
            .status(),
        200
    );
}

async fn enrolment_is_limited_to_the_area_and_the_capacity(backend: Backend) {
    let s = scenario(backend).await;
    let course = s.initiative("family_course", "closed").await;
    let path = format!("/api/v1/initiatives/{course}/enrolments");
    let families = [
        s.family("A").await,
        s.family("B").await,
        s.family("C").await,
        s.family("D").await,
    ];
    for family in &families[..3] {
        let response = s
            .app
            .post(
                &path,
                &s.worker,
                &json!({"family_id": family, "heavily_burdened": true, "mothers": 1}),
            )
            .await;
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    let full = s
        .app
        .post(
            &path,
            &s.worker,
            &json!({"family_id": families[3], "heavily_burdened": false}),
        )
        .await;
    assert_problem(full, 409).await;
    let again = s
        .app
        .post(
            &path,
            &s.worker,
            &json!({"family_id": families[0], "heavily_burdened": false}),
        )
        .await;
    assert_problem(again, 409).await;

    let other_worker = worker(&[&s.other_area]);
    let stranger = s
        .app
        .create(
            "/api/v1/families",
            &other_worker,
            &new_family(&s.other_area, "E"),
        )
        .await;
    assert_eq!(
        s.app
            .delete(&format!("{path}/{}", families[2]), &s.worker)
            .await
            .status(),
        204
    );
    let foreign = s
        .app
        .post(
            &path,
            &s.worker,
            &json!({"family_id": stranger, "heavily_burdened": false}),
        )
        .await;
    let problem = assert_problem(foreign, 422).await;
    assert_eq!(problem["errors"][0]["field"], "family_id");
    assert_problem(
        s.app
            .delete(&format!("{path}/{}", families[3]), &s.worker)
            .await,
        404,
    )
    .await;

    let listed: Value = s.app.get(&path, &s.worker).await.json().await.unwrap();
    let listed = listed["items"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["display_name"], "A");
    let plan: Value = s
        .app
        .get(
            &format!("/api/v1/initiatives/{course}"),
            &caseworker("101", "social_services"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        plan["enrolled"],
        json!({"value": null, "suppressed": true}),
        "others see a small count suppressed"
    );
    let own: Value = s
        .app
        .get(&format!("/api/v1/initiatives/{course}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        own["enrolled"],
        json!({"value": 2, "suppressed": false}),
        "the area's team sees the exact count"
    );
    assert_problem(
        s.app
            .patch(
                &format!("/api/v1/initiatives/{course}"),
                &s.worker,
                None,
                &json!({"capacity": 1}),
            )
            .await,
        422,
    )
    .await;

    for token in [
        caseworker("101", "social_services"),
        analyst(None),
        admin(),
        data_protection_officer(),
    ] {
        assert_problem(s.app.get(&path, &token).await, 403).await;
        assert_problem(
            s.app
                .post(
                    &path,
                    &token,
                    &json!({"family_id": families[3], "heavily_burdened": true}),
                )
                .await,
            403,
        )
        .await;
        assert_problem(
            s.app
                .delete(&format!("{path}/{}", families[0]), &token)
                .await,
            403,
        )
        .await;
        assert_problem(
            s.app
                .get(&format!("/api/v1/initiatives/{course}/composition"), &token)
                .await,
            403,
        )
        .await;
    }
    assert_problem(s.app.get(&path, &other_worker).await, 404).await;
    assert_problem(
        s.app
            .delete(&format!("{path}/{}", families[0]), &other_worker)
            .await,
        404,
    )
    .await;
    assert_problem(
        s.app
            .post(
                &path,
                &other_worker,
                &json!({"family_id": stranger, "heavily_burdened": true}),
            )
            .await,
        404,
    )
    .await;
    let still: Value = s.app.get(&path, &s.worker).await.json().await.unwrap();
    assert_eq!(
        still["items"].as_array().unwrap().len(),
        2,
        "nothing changed"
    );
}

async fn the_handbooks_rules_hold_as_written(backend: Backend) {
    let s = scenario(backend).await;
    let open_course = new_initiative(&s.area, "family_course", "open");
    let problem = assert_problem(
        s.app
            .post("/api/v1/initiatives", &s.worker, &open_course)
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "format");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("closed"));

    let mut exercise = new_initiative(&s.area, "exercise_activity", "open");
    exercise["problem_areas"] = json!(["health", "isolation"]);
    let exercise = s
        .app
        .create("/api/v1/initiatives", &s.worker, &exercise)
        .await;
    let plan: Value = s
        .app
        .get(&format!("/api/v1/initiatives/{exercise}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["problem_areas"], json!(["health", "isolation"]));

    // Open events count anonymous participants; closed groups name their families.
    let event = s.initiative("information_event", "open").await;
    assert_eq!(s.set_status(&event, "active").await.status(), 200);
    let today = chrono::Utc::now().date_naive().to_string();
    let family = s.family("A").await;
    let session: Value = s
        .app
        .post(
            &format!("/api/v1/initiatives/{event}/sessions"),
            &s.worker,
            &json!({"held_on": today, "theme": "Mød skolen", "headcount": 40, "attendee_family_ids": [family]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(session["headcount"], 40);
    assert_eq!(
        session["attendance"]["value"], 41,
        "the headcount counts with the families"
    );
    let problem = assert_problem(
        s.app
            .post(
                &format!("/api/v1/initiatives/{event}/sessions"),
                &s.worker,
                &json!({"held_on": today, "theme": "Mød skolen", "headcount": -1}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "headcount");
    let statistics: Value = s
        .app
        .get(&format!("/api/v1/areas/{}/statistics", s.area), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(statistics["session_attendances"]["value"], 41);

    let course = s.initiative("family_course", "closed").await;
    s.app
        .patch(
            &format!("/api/v1/initiatives/{course}"),
            &s.worker,
            None,
            &json!({"status": "active", "network_plan": "Madklub"}),
        )
        .await;
    let problem = assert_problem(
        s.app
            .post(
                &format!("/api/v1/initiatives/{course}/sessions"),
                &s.worker,
                &json!({"held_on": today, "theme": "Skolestart", "headcount": 6}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "headcount");
}

async fn sessions_show_attendees_only_to_the_areas_workers(backend: Backend) {
    let s = scenario(backend).await;
    let course = s.initiative("family_course", "closed").await;
    let sessions = format!("/api/v1/initiatives/{course}/sessions");
    let family = s.family("A").await;
    let not_enrolled = s.family("B").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let session = json!({"held_on": today, "theme": "Skolens forventninger", "speaker": "SSP-konsulent", "attendee_family_ids": [family]});
    assert_problem(s.app.post(&sessions, &s.worker, &session).await, 409).await;
    s.app
        .patch(
            &format!("/api/v1/initiatives/{course}"),
            &s.worker,
            None,
            &json!({"status": "active", "network_plan": "Madklub"}),
        )
        .await;
    let unenrolled = s.app.post(&sessions, &s.worker, &session).await;
    assert_problem(unenrolled, 422).await;
    s.app
        .post(
            &format!("/api/v1/initiatives/{course}/enrolments"),
            &s.worker,
            &json!({"family_id": family, "heavily_burdened": false}),
        )
        .await;
    assert_eq!(
        s.app.post(&sessions, &s.worker, &session).await.status(),
        201
    );
    let mut with_stranger = session.clone();
    with_stranger["attendee_family_ids"] = json!([not_enrolled]);
    assert_problem(s.app.post(&sessions, &s.worker, &with_stranger).await, 422).await;

    let own: Value = s.app.get(&sessions, &s.worker).await.json().await.unwrap();

    let own = own["items"].clone();
    assert_eq!(own[0]["attendee_family_ids"], json!([family]));
    for token in [caseworker("101", "social_services"), analyst(None)] {
        let seen: Value = s.app.get(&sessions, &token).await.json().await.unwrap();
        let seen = seen["items"].clone();
        assert_eq!(
            seen[0]["attendance"],
            json!({"value": null, "suppressed": true})
        );
        assert!(seen[0].get("attendee_family_ids").is_none(), "{seen}");
        assert_problem(s.app.post(&sessions, &token, &session).await, 403).await;
    }
    assert_problem(
        s.app
            .get(&sessions, &caseworker("751", "social_services"))
            .await,
        404,
    )
    .await;
}

async fn the_composition_check_warns_as_the_handbook_does(backend: Backend) {
    let s = scenario(backend).await;
    let mut body = new_initiative(&s.area, "family_course", "closed");
    body["fathers_wanted"] = json!(true);
    let course = s.app.create("/api/v1/initiatives", &s.worker, &body).await;
    for name in ["A", "B"] {
        let family = s.family(name).await;
        s.app
            .post(
                &format!("/api/v1/initiatives/{course}/enrolments"),
                &s.worker,
                &json!({"family_id": family, "heavily_burdened": true, "mothers": 1}),
            )
            .await;
    }
    let composition: Value = s
        .app
        .get(
            &format!("/api/v1/initiatives/{course}/composition"),
            &s.worker,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(composition["enrolled"], 2);
    assert_eq!(composition["heavily_burdened_share"], 1.0);
    assert_eq!(
        composition["language_groups"],
        json!([{"language": "arabisk", "families": 2}])
    );
    let codes: Vec<_> = composition["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["only_heavily_burdened", "no_fathers_recruited"]);

    let open = s.initiative("information_event", "open").await;
    assert_problem(
        s.app
            .get(
                &format!("/api/v1/initiatives/{open}/composition"),
                &s.worker,
            )
            .await,
        409,
    )
    .await;
}

crate::on_both_backends!(
    both_sides_read_the_plan_but_only_the_areas_workers_write_it,
    the_handbooks_start_conditions_are_enforced,
    the_handbooks_rules_hold_as_written,
    enrolment_is_limited_to_the_area_and_the_capacity,
    sessions_show_attendees_only_to_the_areas_workers,
    the_composition_check_warns_as_the_handbook_does,
);
