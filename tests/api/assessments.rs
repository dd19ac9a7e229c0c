//! Needs assessments: the joint flow, who may do what where, the CPR guard and recommendations.

use serde_json::{json, Value};

use crate::helpers::*;

fn finding(problem_area: &str, severity: u8) -> Value {
    json!({
        "problem_area": problem_area,
        "households": 40,
        "severity": severity,
        "evidence": ["socialforvaltningen", "egne kontakter"],
        "notes": "Aggregeret vurdering"
    })
}

fn new_assessment(findings: Vec<Value>) -> Value {
    json!({
        "period": {"starts_on": "2026-01-01", "ends_on": "2026-12-31"},
        "summary": "Fælles analyse",
        "target_group": {"households": 120, "single_parent_households": 40, "language_groups": [{"label": "arabisk", "households": 30}]},
        "findings": findings
    })
}

struct Scenario {
    app: TestApp,
    area: String,
    other_area: String,
    worker: String,
    caseworker: String,
}

async fn scenario(backend: Backend) -> Scenario {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let other_area = app.create_area("Skovhusene", "751").await;
    Scenario {
        worker: worker(&[&area]),
        caseworker: caseworker("101", "social_services"),
        app,
        area,
        other_area,
    }
}

impl Scenario {
    async fn create(&self, token: &str, body: &Value) -> Value {
        let response = self
            .app
            .post(
                &format!("/api/v1/areas/{}/assessments", self.area),
                token,
                body,
            )
            .await;
        assert_eq!(response.status(), 201, "create assessment");
        response.json().await.unwrap()
    }

    async fn agreed(&self) -> String {
        let draft = self
            .create(&self.worker, &new_assessment(vec![finding("knowledge", 4)]))
            .await;
        let id = draft["id"].as_str().unwrap().to_owned();
        for token in [&self.worker, &self.caseworker] {
            let response = self
                .app
                .post(
                    &format!("/api/v1/assessments/{id}/approvals"),
                    token,
                    &json!(null),
                )
                .await;
            assert_eq!(response.status(), 201);
        }
        id
    }
}

async fn both_sides_draft_approve_and_revise_an_assessment(backend: Backend) {
    let s = scenario(backend).await;
    let app = &s.app;
    let draft = s
        .create(&s.worker, &new_assessment(vec![finding("knowledge", 4)]))
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["findings"][0]["contributed_by"], "housing_social");

    let added = app
        .post(
            &format!("/api/v1/assessments/{id}/findings"),
            &s.caseworker,
            &finding("isolation", 4),
        )
        .await;
    assert_eq!(added.status(), 201);
    let added: Value = added.json().await.unwrap();
    assert_eq!(
        added["findings"][1]["contributed_by"], "municipal",
        "the side comes from the role"
    );

    let first = app
        .post(
            &format!("/api/v1/assessments/{id}/approvals"),
            &s.worker,
            &json!(null),
        )
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "in_review");
    let again = app
        .post(
            &format!("/api/v1/assessments/{id}/approvals"),
            &s.worker,
            &json!(null),
        )
        .await;
    assert_eq!(
        again.status(),
        200,
        "the same side approving twice is idempotent"
    );
    assert_eq!(
        again.json::<Value>().await.unwrap()["approvals"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A unit that does not sign for the municipality may add findings, not sign.
    let school = caseworker("101", "school");
    let refused = assert_problem(
        app.post(
            &format!("/api/v1/assessments/{id}/approvals"),
            &school,
            &json!(null),
        )
        .await,
        403,
    )
    .await;
    assert!(refused["detail"]
        .as_str()
        .unwrap()
        .contains("social_services"));
    let still: Value = app
        .get(&format!("/api/v1/assessments/{id}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        still["status"], "in_review",
        "a school caseworker's approval does not agree it"
    );

    let agreed = app
        .post(
            &format!("/api/v1/assessments/{id}/approvals"),
            &s.caseworker,
            &json!(null),
        )
        .await;
    let agreed: Value = agreed.json().await.unwrap();
    assert_eq!(agreed["status"], "agreed");
    assert_eq!(agreed["approvals"][1]["unit"], "social_services");
    assert_eq!(
        agreed["approvals"][1]["approved_by"],
        "test-municipal_caseworker"
    );
    assert!(agreed["approvals"][1]["approved_at"].is_string());
    assert_eq!(agreed["approvals"][0]["unit"], Value::Null);
    let sides: Vec<_> = agreed["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["side"].clone())
        .collect();
    assert_eq!(sides, [json!("housing_social"), json!("municipal")]);

    let edit = app
        .patch(
            &format!("/api/v1/assessments/{id}"),
            &s.worker,
            None,
            &json!({"summary": "changed"}),
        )
        .await;
    assert_problem(edit, 409).await;
    let add = app
        .post(
            &format!("/api/v1/assessments/{id}/findings"),
            &s.caseworker,
            &finding("health", 2),
        )
        .await;
    assert_problem(add, 409).await;
    let withdraw = app
        .patch(
            &format!("/api/v1/assessments/{id}"),
            &s.worker,
            None,
            &json!({"status": "withdrawn"}),
        )
        .await;
    assert_problem(withdraw, 409).await;
    let approve_again = app
        .post(
            &format!("/api/v1/assessments/{id}/approvals"),
            &s.caseworker,
            &json!(null),
        )
        .await;
    assert_eq!(approve_again.status(), 200);

    let mut revision = new_assessment(vec![finding("knowledge", 3)]);
    revision["supersedes"] = json!(id);
    let revised = s.create(&s.caseworker, &revision).await;
    assert_eq!(revised["supersedes"], json!(id));
    assert_eq!(revised["status"], "draft");
    let old: Value = app
        .get(&format!("/api/v1/assessments/{id}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old["superseded_by"], revised["id"]);
    assert_eq!(
        old["status"], "agreed",
        "the agreed original stays as it was"
    );
    let second = app
        .post(
            &format!("/api/v1/areas/{}/assessments", s.area),
            &s.worker,
            &revision,
        )
        .await;
    assert_problem(second, 409).await;
    let mut of_draft = new_assessment(vec![]);
    of_draft["supersedes"] = revised["id"].clone();
    let problem = assert_problem(
        app.post(
            &format!("/api/v1/areas/{}/assessments", s.area),
            &s.worker,
            &of_draft,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "supersedes");
}

async fn editing_an_assessment_in_review_withdraws_its_approvals(backend: Backend) {
    let s = scenario(backend).await;
    let draft = s
        .create(&s.worker, &new_assessment(vec![finding("health", 3)]))
        .await;
    let id = draft["id"].as_str().unwrap();
    let approved = s
        .app
        .post(
            &format!("/api/v1/assessments/{id}/approvals"),
            &s.caseworker,
            &json!(null),
        )
        .await;
    let etag = approved.headers()["etag"].to_str().unwrap().to_owned();
    let kept_id = draft["findings"][0]["id"].clone();
    let changed = s
        .app
        .patch(
            &format!("/api/v1/assessments/{id}"),
            &s.worker,
            Some(&etag),
            &json!({"findings": [
                {"id": kept_id, "problem_area": "health", "share": 0.2, "severity": 4, "evidence": ["sundhedsplejen"]},
                finding("unemployment", 3)
            ]}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["approvals"], json!([]));
    assert_eq!(changed["status"], "in_review");
    assert_eq!(
        changed["findings"][0]["id"], kept_id,
        "a kept finding keeps its id"
    );
    assert_eq!(changed["findings"][0]["severity"], 4);
    assert_eq!(changed["findings"][1]["contributed_by"], "housing_social");

    let stale = s
        .app
        .patch(
            &format!("/api/v1/assessments/{id}"),
            &s.worker,
            Some(&etag),
            &json!({"summary": "x"}),
        )
        .await;
    assert_problem(stale, 412).await;
    let illegal = s
        .app
        .patch(
            &format!("/api/v1/assessments/{id}"),
            &s.worker,
            None,
            &json!({"status": "agreed"}),
        )
        .await;
    let problem = assert_problem(illegal, 409).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("allowed now"),
        "{problem}"
    );
    let empty = s
        .app
        .post(
            &format!("/api/v1/areas/{}/assessments", s.area),
            &s.worker,
            &new_assessment(vec![]),
        )
        .await;
    let empty: Value = empty.json().await.unwrap();
    let nothing = s
        .app
        .post(
            &format!(
                "/api/v1/assessments/{}/approvals",
                empty["id"].as_str().unwrap()
            ),
            &s.worker,
            &json!(null),
        )
        .await;
    assert_problem(nothing, 409).await;
}

async fn the_side_of_a_finding_cannot_be_claimed_in_the_body(backend: Backend) {
    let s = scenario(backend).await;
    let mut claimed = finding("knowledge", 3);
    claimed["contributed_by"] = json!("municipal");
    let response = s
        .app
        .post(
            &format!("/api/v1/areas/{}/assessments", s.area),
            &s.worker,
            &new_assessment(vec![claimed]),
        )
        .await;
    assert_problem(response, 400).await;
}

async fn cpr_numbers_in_any_free_text_are_rejected_naming_the_field(backend: Backend) {
    let s = scenario(backend).await;
    let cases = [
        (
            "summary",
            json!({"summary": "Familien 010190-1234 er udsat"}),
        ),
        (
            "findings[0].evidence[1]",
            json!({"findings": [{"problem_area": "health", "households": 3, "severity": 2, "evidence": ["skolen", "0101901234"]}]}),
        ),
        (
            "findings[0].notes",
            json!({"findings": [{"problem_area": "health", "households": 3, "severity": 2, "evidence": ["skolen"], "notes": "se 010190-1234"}]}),
        ),
        (
            "target_group.language_groups[0].label",
            json!({"target_group": {"language_groups": [{"label": "010190-1234", "households": 1}]}}),
        ),
    ];
    for (field, extra) in cases {
        let mut body = new_assessment(vec![]);
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        let response = s
            .app
            .post(
                &format!("/api/v1/areas/{}/assessments", s.area),
                &s.worker,
                &body,
            )
            .await;
        let problem = assert_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
    let mut fine = new_assessment(vec![]);
    fine["summary"] = json!("Opgang 320199-1234 er ikke et CPR-nummer");
    let response = s
        .app
        .post(
            &format!("/api/v1/areas/{}/assessments", s.area),
            &s.worker,
            &fine,
        )
        .await;
    assert_eq!(response.status(), 201);
    let list: Value = s
        .app
        .get(&format!("/api/v1/areas/{}/assessments", s.area), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "nothing stored from rejected requests"
    );
}

async fn invalid_counts_shares_and_severities_get_422(backend: Backend) {
    let s = scenario(backend).await;
    let body = new_assessment(vec![
        json!({"problem_area": "health", "households": -1, "share": 1.5, "severity": 9, "evidence": ["skolen"]}),
    ]);
    let response = s
        .app
        .post(
            &format!("/api/v1/areas/{}/assessments", s.area),
            &s.worker,
            &body,
        )
        .await;
    let problem = assert_problem(response, 422).await;
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "findings[0].households",
            "findings[0].share",
            "findings[0].severity"
        ]
    );
    let unknown_area = s
        .app
        .post(
            &format!("/api/v1/areas/{}/assessments", s.area),
            &s.worker,
            &new_assessment(vec![finding("poverty", 3)]),
        )
        .await;
    assert_problem(unknown_area, 400).await;
}

fn ranked(recommendations: &Value) -> Vec<&str> {
    recommendations["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["initiative_type"].as_str().unwrap())
        .collect()
}

async fn recommendations_put_contact_first_then_rank_a_family_course_first_for_high_knowledge_and_isolation(
    backend: Backend,
) {
    let s = scenario(backend).await;
    let draft = s
        .create(
            &s.worker,
            &new_assessment(vec![
                finding("navigation", 5),
                finding("knowledge", 4),
                finding("isolation", 4),
            ]),
        )
        .await;
    let id = draft["id"].as_str().unwrap();
    let path = format!("/api/v1/assessments/{id}/recommendations");
    let without_contact: Value = s.app.get(&path, &s.caseworker).await.json().await.unwrap();
    assert_eq!(without_contact["contact_groundwork"], false);
    assert_eq!(
        ranked(&without_contact),
        [
            "bridge_building",
            "information_event",
            "exercise_activity",
            "family_course",
            "social_activity"
        ],
        "no contact yet: low-threshold work before a family course"
    );
    let course = &without_contact["items"][3];
    assert!(course["contact_first"]["da"]
        .as_str()
        .unwrap()
        .contains("fra den ene dag til den anden"));
    assert!(without_contact["items"][2]["contact_first"]["en"]
        .as_str()
        .unwrap()
        .contains("exercise"));
    assert_eq!(without_contact["items"][4]["contact_first"], Value::Null);

    let family = s
        .app
        .create(
            "/api/v1/families",
            &s.worker,
            &new_family(&s.area, "Familien K"),
        )
        .await;
    s.app
        .create(
            &format!("/api/v1/families/{family}/contacts"),
            &s.worker,
            &json!({"occurred_on": chrono::Utc::now().date_naive().to_string(), "kind": "letter_help"}),
        )
        .await;
    let response = s.app.get(&path, &s.caseworker).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["contact_groundwork"], true);
    assert_eq!(
        ranked(&body),
        [
            "family_course",
            "bridge_building",
            "information_event",
            "social_activity",
            "exercise_activity"
        ]
    );
    assert!(body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|item| item["contact_first"].is_null()));
    let course = &body["items"][0];
    assert_eq!(course["rank"], 1);
    assert_eq!(course["combined"], true);
    let answered: Vec<_> = course["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["finding_id"].clone())
        .collect();
    assert_eq!(
        answered,
        [
            draft["findings"][1]["id"].clone(),
            draft["findings"][2]["id"].clone()
        ]
    );
    assert!(course["rationale"]["da"]
        .as_str()
        .unwrap()
        .contains("familiekursus"));
    let conditions: Vec<_> = course["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(
        conditions.contains(&"mixed_team_composition")
            && conditions.contains(&"targeted_recruitment_of_fathers")
    );
    let social = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["initiative_type"] == "social_activity")
        .unwrap();
    assert_eq!(social["conditions"][0]["code"], "network_plan");
}

/// Every assessment operation × role × in-scope/out-of-scope.
async fn assessment_operations_follow_the_access_rules(backend: Backend) {
    let s = scenario(backend).await;
    let app = &s.app;
    let agreed = s.agreed().await;
    let draft = s
        .create(&s.worker, &new_assessment(vec![finding("health", 2)]))
        .await;
    let draft = draft["id"].as_str().unwrap().to_owned();

    let other_worker = worker(&[&s.other_area]);
    let other_caseworker = caseworker("751", "social_services");
    let analyst_here = analyst(Some("101"));
    let analyst_elsewhere = analyst(Some("751"));
    let all = analyst(None);
    let dpo = data_protection_officer();
    let admin = admin();

    // (who, token, list/get/recommendations on an agreed one, on a draft, writes)
    struct Row<'a> {
        who: &'a str,
        token: &'a str,
        read_agreed: u16,
        read_draft: u16,
        write: u16,
    }
    let rows = [
        Row {
            who: "worker of the area",
            token: &s.worker,
            read_agreed: 200,
            read_draft: 200,
            write: 2,
        },
        Row {
            who: "caseworker of the municipality",
            token: &s.caseworker,
            read_agreed: 200,
            read_draft: 200,
            write: 2,
        },
        Row {
            who: "worker of another area",
            token: &other_worker,
            read_agreed: 404,
            read_draft: 404,
            write: 404,
        },
        Row {
            who: "caseworker of another municipality",
            token: &other_caseworker,
            read_agreed: 404,
            read_draft: 404,
            write: 404,
        },
        Row {
            who: "analyst",
            token: &all,
            read_agreed: 200,
            read_draft: 404,
            write: 403,
        },
        Row {
            who: "analyst of the municipality",
            token: &analyst_here,
            read_agreed: 200,
            read_draft: 404,
            write: 403,
        },
        Row {
            who: "analyst of another municipality",
            token: &analyst_elsewhere,
            read_agreed: 404,
            read_draft: 404,
            write: 403,
        },
        Row {
            who: "data protection officer",
            token: &dpo,
            read_agreed: 403,
            read_draft: 403,
            write: 403,
        },
        Row {
            who: "admin",
            token: &admin,
            read_agreed: 403,
            read_draft: 403,
            write: 403,
        },
    ];
    for row in &rows {
        for (id, expected) in [(&agreed, row.read_agreed), (&draft, row.read_draft)] {
            for path in [
                format!("/api/v1/assessments/{id}"),
                format!("/api/v1/assessments/{id}/recommendations"),
            ] {
                let status = app.get(&path, row.token).await.status().as_u16();
                assert_eq!(status, expected, "{} GET {path}", row.who);
            }
        }
        let list = app
            .get(&format!("/api/v1/areas/{}/assessments", s.area), row.token)
            .await;
        let list_status = list.status().as_u16();
        let expected_list = match row.read_agreed {
            200 => 200,
            _ if row.read_draft == 403 => 403,
            _ => 404,
        };
        assert_eq!(list_status, expected_list, "{} lists", row.who);
        if list_status == 200 {
            let listed: Value = list.json().await.unwrap();
            let count = listed["items"].as_array().unwrap().len();
            assert_eq!(
                count,
                if row.read_draft == 200 { 2 } else { 1 },
                "{} sees drafts only if allowed",
                row.who
            );
        }
    }
    for row in &rows {
        let writes = [
            app.post(
                &format!("/api/v1/areas/{}/assessments", s.area),
                row.token,
                &new_assessment(vec![]),
            )
            .await,
            app.patch(
                &format!("/api/v1/assessments/{draft}"),
                row.token,
                None,
                &json!({"summary": "x"}),
            )
            .await,
            app.post(
                &format!("/api/v1/assessments/{draft}/findings"),
                row.token,
                &finding("health", 1),
            )
            .await,
        ];
        for response in writes {
            let status = response.status().as_u16();
            if row.write == 2 {
                assert!(
                    status == 200 || status == 201,
                    "{} may write, got {status}",
                    row.who
                );
            } else {
                assert_eq!(status, row.write, "{} writes {}", row.who, response.url());
            }
        }
        if row.write != 2 {
            let approve = app
                .post(
                    &format!("/api/v1/assessments/{draft}/approvals"),
                    row.token,
                    &json!(null),
                )
                .await;
            assert_eq!(approve.status().as_u16(), row.write, "{} approves", row.who);
        }
    }
    let unknown = uuid::Uuid::now_v7();
    assert_problem(
        app.get(&format!("/api/v1/assessments/{unknown}"), &s.worker)
            .await,
        404,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/areas/{unknown}/assessments"), &s.worker)
            .await,
        404,
    )
    .await;
    let untouched: Value = app
        .get(&format!("/api/v1/assessments/{draft}"), &s.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        untouched["approvals"],
        json!([]),
        "no out-of-scope approval was recorded"
    );
}

async fn the_municipality_chooses_the_units_that_sign_for_it(backend: Backend) {
    let s = scenario(backend).await;
    let draft = s
        .create(&s.worker, &new_assessment(vec![finding("knowledge", 3)]))
        .await;
    let id = draft["id"].as_str().unwrap();
    let approvals = format!("/api/v1/assessments/{id}/approvals");
    let school = caseworker("101", "school");
    assert_problem(s.app.post(&approvals, &school, &json!(null)).await, 403).await;
    let schools_sign =
        json!({"concern_report_unit": "children_families", "signatory_units": ["school"]});
    assert_eq!(
        s.app
            .put(
                "/api/v1/municipalities/101/settings",
                &admin(),
                None,
                &schools_sign
            )
            .await
            .status(),
        200
    );
    assert_eq!(
        s.app.post(&approvals, &school, &json!(null)).await.status(),
        201
    );
    assert_problem(
        s.app.post(&approvals, &s.caseworker, &json!(null)).await,
        403,
    )
    .await;
    let other_municipality: Value = s
        .app
        .get("/api/v1/municipalities/751/settings", &s.caseworker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        other_municipality["configured"], false,
        "each municipality chooses for itself"
    );
}

crate::on_both_backends!(
    the_municipality_chooses_the_units_that_sign_for_it,
    both_sides_draft_approve_and_revise_an_assessment,
    editing_an_assessment_in_review_withdraws_its_approvals,
    the_side_of_a_finding_cannot_be_claimed_in_the_body,
    cpr_numbers_in_any_free_text_are_rejected_naming_the_field,
    invalid_counts_shares_and_severities_get_422,
    recommendations_put_contact_first_then_rank_a_family_course_first_for_high_knowledge_and_isolation,
    assessment_operations_follow_the_access_rules,
);
