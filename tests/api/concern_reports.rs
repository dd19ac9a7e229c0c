//! Concern reports (underretninger): what the municipality needs to act, sent
//! one way to the unit the municipality chose, the CPR number sealed at rest,
//! the unit's handling with its two deadlines, and what the reporter may see.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::*;

const CPR: &str = CHILD_CPR;
const CPR_DIGITS: &str = "0101164123";

fn report(family: &str) -> Value {
    new_concern_report(
        family,
        "Omar kommer ofte sulten i klubben og har blå mærker på armene",
    )
}

struct Reporting {
    app: TestApp,
    worker: String,
    family: String,
}

async fn reporting(backend: Backend) -> Reporting {
    let app = spawn_app(backend).await;
    let WorkersFamily { worker, family, .. } = app.workers_family("Familien A").await;
    Reporting {
        app,
        worker,
        family,
    }
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

async fn a_report_identifies_the_child_and_only_the_receiving_unit_sees_it(backend: Backend) {
    let r = reporting(backend).await;
    let created = r
        .app
        .post("/api/v1/concern-reports", &r.worker, &report(&r.family))
        .await;
    assert_eq!(created.status(), 201);
    let seen_by_reporter: Value = created.json().await.unwrap();
    let id = seen_by_reporter["id"].as_str().unwrap().to_owned();
    let reporter_fields: BTreeSet<String> = [
        "id",
        "family_id",
        "status",
        "received_at",
        "acknowledge_due_at",
        "urgency_assessment_due_at",
        "acknowledged_at",
        "feedback",
    ]
    .map(String::from)
    .into();
    assert_eq!(
        keys(&seen_by_reporter),
        reporter_fields,
        "{seen_by_reporter}"
    );

    let children = caseworker("101", "children_families");
    let received: Value = r
        .app
        .get(&format!("/api/v1/concern-reports/{id}"), &children)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received["child"]["cpr"], CPR);
    assert_eq!(received["child"]["birth_date"], "2016-01-01");
    assert_eq!(received["child"]["name"], "Omar");
    assert_eq!(received["parents"][1]["relation"], "father");
    assert_eq!(received["child_statement"], "Far bliver så vred");
    assert_eq!(received["parents_informed"], false);
    assert_eq!(received["reporter"]["phone"], "+45 43 21 00 00");
    assert_eq!(received["receiving_unit"], "children_families");
    assert_eq!(received["overdue"], false);
    assert!(received.get("family_id").is_none());

    let listed: Value = r
        .app
        .get("/api/v1/concern-reports", &r.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        keys(&listed["items"][0]),
        reporter_fields,
        "the list shows no more"
    );

    for outsider in [
        caseworker("101", "social_services"),
        caseworker("751", "children_families"),
        worker(&[&r.app.create_area("Skovhusene", "751").await]),
    ] {
        assert_problem(
            r.app
                .get(&format!("/api/v1/concern-reports/{id}"), &outsider)
                .await,
            404,
        )
        .await;
        let list: Value = r
            .app
            .get("/api/v1/concern-reports", &outsider)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([]));
    }
    for token in [analyst(None), admin(), data_protection_officer()] {
        assert_problem(
            r.app
                .get(&format!("/api/v1/concern-reports/{id}"), &token)
                .await,
            403,
        )
        .await;
    }
    assert_problem(
        r.app
            .post("/api/v1/concern-reports", &children, &report(&r.family))
            .await,
        403,
    )
    .await;

    // The CPR number is sealed at rest and reaches no audit event.
    if let Some(bytes) = r.app.sqlite_bytes() {
        for needle in [CPR, CPR_DIGITS] {
            assert!(
                !bytes
                    .windows(needle.len())
                    .any(|window| window == needle.as_bytes()),
                "{needle} is in the SQLite file in clear text"
            );
        }
    }
    assert_eq!(
        r.app
            .rows_containing("concern_reports", "child_cpr_encrypted", CPR_DIGITS),
        0
    );
    assert_eq!(
        r.app
            .rows_containing("concern_reports", "child_cpr_encrypted", CPR),
        0
    );
    let trail = r
        .app
        .get(
            &format!("/api/v1/audit-events?family_id={}", r.family),
            &data_protection_officer(),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        trail.contains(&id),
        "the report's reading is audited: {trail}"
    );
    assert!(!trail.contains(CPR) && !trail.contains(CPR_DIGITS));
}

async fn the_report_goes_to_the_unit_the_municipality_chose(backend: Backend) {
    let r = reporting(backend).await;
    let before = r
        .app
        .create("/api/v1/concern-reports", &r.worker, &report(&r.family))
        .await;
    let settings = r
        .app
        .get("/api/v1/municipalities/101/settings", &r.worker)
        .await;
    assert_eq!(settings.status(), 200);
    let etag = settings.headers()["etag"].to_str().unwrap().to_owned();
    let defaults: Value = settings.json().await.unwrap();
    assert_eq!(defaults["concern_report_unit"], "children_families");
    assert_eq!(defaults["configured"], false);
    let counselling_receives = json!({
        "concern_report_unit": "family_counselling",
        "signatory_units": ["social_services", "family_counselling"]
    });
    assert_problem(
        r.app
            .put(
                "/api/v1/municipalities/101/settings",
                &caseworker("101", "social_services"),
                None,
                &counselling_receives,
            )
            .await,
        403,
    )
    .await;
    let job_centre_receives =
        json!({"concern_report_unit": "job_centre", "signatory_units": ["social_services"]});
    let problem = assert_problem(
        r.app
            .put(
                "/api/v1/municipalities/101/settings",
                &admin(),
                None,
                &job_centre_receives,
            )
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "concern_report_unit");
    let saved = r
        .app
        .put(
            "/api/v1/municipalities/101/settings",
            &admin(),
            Some(&etag),
            &counselling_receives,
        )
        .await;
    assert_eq!(saved.status(), 200);
    assert_problem(
        r.app
            .put(
                "/api/v1/municipalities/101/settings",
                &admin(),
                Some(&etag),
                &counselling_receives,
            )
            .await,
        412,
    )
    .await;

    let after = r
        .app
        .create("/api/v1/concern-reports", &r.worker, &report(&r.family))
        .await;
    let counselling = caseworker("101", "family_counselling");
    let children = caseworker("101", "children_families");
    let received: Value = r
        .app
        .get(&format!("/api/v1/concern-reports/{after}"), &counselling)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received["receiving_unit"], "family_counselling");
    assert_problem(
        r.app
            .get(&format!("/api/v1/concern-reports/{after}"), &children)
            .await,
        404,
    )
    .await;
    let earlier: Value = r
        .app
        .get(&format!("/api/v1/concern-reports/{before}"), &children)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        earlier["receiving_unit"], "children_families",
        "a report stays with the unit that received it"
    );
}

async fn the_unit_assesses_urgency_and_gives_feedback_which_is_all_the_reporter_learns(
    backend: Backend,
) {
    let r = reporting(backend).await;
    let id = r
        .app
        .create("/api/v1/concern-reports", &r.worker, &report(&r.family))
        .await;
    let children = caseworker("101", "children_families");
    let path = |step: &str| format!("/api/v1/concern-reports/{id}/{step}");
    let assessment = json!({"urgent": true, "note": "Samtale med barnet i skolen i morgen"});
    assert_problem(
        r.app
            .post(&path("urgency-assessment"), &r.worker, &assessment)
            .await,
        403,
    )
    .await;
    assert_problem(
        r.app
            .post(
                &path("urgency-assessment"),
                &caseworker("101", "job_centre"),
                &assessment,
            )
            .await,
        404,
    )
    .await;
    let assessed = r
        .app
        .post(&path("urgency-assessment"), &children, &assessment)
        .await;
    assert_eq!(assessed.status(), 201);
    let assessed: Value = assessed.json().await.unwrap();
    assert_eq!(assessed["urgency_assessment"]["urgent"], true);
    assert_eq!(
        assessed["urgency_assessment"]["assessed_by"],
        "test-municipal_caseworker"
    );
    assert_eq!(
        r.app
            .post(&path("urgency-assessment"), &children, &assessment)
            .await
            .status(),
        200
    );
    assert_problem(
        r.app
            .post(
                &path("urgency-assessment"),
                &children,
                &json!({"urgent": false}),
            )
            .await,
        409,
    )
    .await;

    let feedback = json!({"outcome": "investigation"});
    assert_problem(
        r.app.post(&path("feedback"), &children, &feedback).await,
        409,
    )
    .await;
    assert_eq!(
        r.app
            .post(&path("acknowledgement"), &children, &json!(null))
            .await
            .status(),
        201
    );
    assert_eq!(
        r.app
            .post(&path("acknowledgement"), &children, &json!(null))
            .await
            .status(),
        200
    );
    assert_eq!(
        r.app
            .post(&path("feedback"), &children, &feedback)
            .await
            .status(),
        201
    );
    assert_problem(
        r.app
            .post(
                &path("feedback"),
                &children,
                &json!({"outcome": "no_action"}),
            )
            .await,
        409,
    )
    .await;
    assert_problem(
        r.app
            .post(&path("feedback"), &children, &json!({"outcome": "maybe"}))
            .await,
        400,
    )
    .await;

    let status: Value = r
        .app
        .get(&format!("/api/v1/concern-reports/{id}"), &r.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "acknowledged");
    assert_eq!(status["feedback"]["outcome"], "investigation");
    assert!(status["acknowledged_at"].is_string());
    for case_content in [
        "urgency_assessment",
        "acknowledged_by",
        "observation",
        "child",
        "overdue",
    ] {
        assert!(
            status.get(case_content).is_none(),
            "{case_content}: {status}"
        );
    }
}

async fn overdue_covers_both_deadlines(backend: Backend) {
    let r = reporting(backend).await;
    let not_assessed = r
        .app
        .create("/api/v1/concern-reports", &r.worker, &report(&r.family))
        .await;
    let not_acknowledged = r
        .app
        .create("/api/v1/concern-reports", &r.worker, &report(&r.family))
        .await;
    let in_time = r
        .app
        .create("/api/v1/concern-reports", &r.worker, &report(&r.family))
        .await;
    let children = caseworker("101", "children_families");
    r.app
        .post(
            &format!("/api/v1/concern-reports/{not_acknowledged}/urgency-assessment"),
            &children,
            &json!({"urgent": false}),
        )
        .await;
    r.app.sql(&format!(
        "UPDATE concern_reports SET urgency_assessment_due_at = '2026-01-02 09:00:00' WHERE id = '{not_assessed}'; \
         UPDATE concern_reports SET acknowledge_due_at = '2026-01-05 23:00:00', urgency_assessment_due_at = '2026-01-02 09:00:00' WHERE id = '{not_acknowledged}'"
    ));
    let ids = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|report| report["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let overdue: Value = r
        .app
        .get("/api/v1/concern-reports?overdue=true", &children)
        .await
        .json()
        .await
        .unwrap();
    assert!(overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|report| report["overdue"] == true));
    assert_eq!(
        ids(overdue),
        [not_assessed.clone(), not_acknowledged.clone()]
    );
    let within: Value = r
        .app
        .get("/api/v1/concern-reports?overdue=false", &children)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(within), [in_time]);
    let seen_by_reporter: Value = r
        .app
        .get("/api/v1/concern-reports?overdue=true", &r.worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ids(seen_by_reporter).len(),
        2,
        "the reporter may follow up too"
    );
}

async fn a_report_the_municipality_cannot_act_on_is_refused_field_by_field(backend: Backend) {
    let r = reporting(backend).await;
    let mut invalid = report(&r.family);
    invalid["child"] = json!({"name": "Omar", "cpr": "320116-4123"});
    invalid["observation"] = json!("Barnet 010116-4123 var bange");
    invalid["observed_on"] = json!("2999-01-01");
    invalid["parents_not_informed_reason"] = json!(null);
    invalid["reporter"] = json!({"name": "Sara"});
    let problem = assert_problem(
        r.app
            .post("/api/v1/concern-reports", &r.worker, &invalid)
            .await,
        422,
    )
    .await;
    let fields: BTreeSet<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        BTreeSet::from([
            "child.cpr",
            "observation",
            "observed_on",
            "parents_not_informed_reason",
            "reporter"
        ])
    );
    let text = problem.to_string();
    assert!(
        !text.contains("4123"),
        "a problem never echoes the CPR number: {text}"
    );

    let mut unidentified = report(&r.family);
    unidentified["child"] = json!({"name": "Omar"});
    let problem = assert_problem(
        r.app
            .post("/api/v1/concern-reports", &r.worker, &unidentified)
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "child.birth_date");
    unidentified["child"]["birth_date"] = json!("2016-05-01");
    let id = r
        .app
        .create("/api/v1/concern-reports", &r.worker, &unidentified)
        .await;
    let received: Value = r
        .app
        .get(
            &format!("/api/v1/concern-reports/{id}"),
            &caseworker("101", "children_families"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received["child"]["cpr"], Value::Null);
    assert_eq!(received["child"]["birth_date"], "2016-05-01");

    let mut without_parents = report(&r.family);
    without_parents.as_object_mut().unwrap().remove("parents");
    let id = r
        .app
        .create("/api/v1/concern-reports", &r.worker, &without_parents)
        .await;
    let received: Value = r
        .app
        .get(
            &format!("/api/v1/concern-reports/{id}"),
            &caseworker("101", "children_families"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        received["parents"][0]["name"], "Familien A",
        "the family's name on record stands in for the parents: {received}"
    );
}

crate::on_both_backends!(
    a_report_identifies_the_child_and_only_the_receiving_unit_sees_it,
    the_report_goes_to_the_unit_the_municipality_chose,
    the_unit_assesses_urgency_and_gives_feedback_which_is_all_the_reporter_learns,
    overdue_covers_both_deadlines,
    a_report_the_municipality_cannot_act_on_is_refused_field_by_field,
);
