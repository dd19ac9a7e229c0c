//! Concern reports: one-way, to the children-and-families unit, with deadlines.

use serde_json::{json, Value};

use crate::helpers::*;

async fn a_concern_report_goes_one_way_and_the_reporter_sees_only_its_status(backend: Backend) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let family = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien A"),
        )
        .await;
    let today = chrono::Utc::now().date_naive();
    let body = json!({
        "family_id": family,
        "child": {"birth_year": 2015, "description": "den ældste dreng"},
        "observation": "Barnet kommer ofte sultent i klubben og har blå mærker",
        "observed_on": today.to_string(),
        "urgent": true
    });
    let created = app.post("/api/v1/concern-reports", &worker, &body).await;
    assert_eq!(created.status(), 201);
    let report: Value = created.json().await.unwrap();
    let id = report["id"].as_str().unwrap().to_owned();
    assert_eq!(report["status"], "received");
    assert!(
        report.get("observation").is_none(),
        "the reporter sees only the status: {report}"
    );
    let due = chrono::DateTime::parse_from_rfc3339(report["acknowledge_due_at"].as_str().unwrap())
        .unwrap();
    assert!(
        due.date_naive() > today + chrono::Duration::days(7),
        "six working days later"
    );

    let children = caseworker("101", "children_families");
    let received: Value = app
        .get(&format!("/api/v1/concern-reports/{id}"), &children)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received["observation"], body["observation"]);
    assert_eq!(received["urgent"], true);
    assert_eq!(received["child"]["birth_year"], 2015);
    assert_eq!(received["overdue"], false);
    assert!(received.get("family_id").is_none());

    for outsider in [
        caseworker("101", "job_centre"),
        caseworker("751", "children_families"),
        self::worker_elsewhere(&app).await,
    ] {
        assert_problem(
            app.get(&format!("/api/v1/concern-reports/{id}"), &outsider)
                .await,
            404,
        )
        .await;
        let list: Value = app
            .get("/api/v1/concern-reports", &outsider)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([]));
    }
    for token in [analyst(None), admin(), data_protection_officer()] {
        assert_problem(
            app.get(&format!("/api/v1/concern-reports/{id}"), &token)
                .await,
            403,
        )
        .await;
    }
    assert_problem(
        app.post("/api/v1/concern-reports", &children, &body).await,
        403,
    )
    .await;
    assert_problem(
        app.post(
            &format!("/api/v1/concern-reports/{id}/acknowledgement"),
            &worker,
            &json!(null),
        )
        .await,
        403,
    )
    .await;
    assert_problem(
        app.post(
            &format!("/api/v1/concern-reports/{id}/acknowledgement"),
            &caseworker("101", "job_centre"),
            &json!(null),
        )
        .await,
        404,
    )
    .await;

    let acknowledged = app
        .post(
            &format!("/api/v1/concern-reports/{id}/acknowledgement"),
            &children,
            &json!(null),
        )
        .await;
    assert_eq!(acknowledged.status(), 201);
    let again = app
        .post(
            &format!("/api/v1/concern-reports/{id}/acknowledgement"),
            &children,
            &json!(null),
        )
        .await;
    assert_eq!(again.status(), 200);
    let status: Value = app
        .get(&format!("/api/v1/concern-reports/{id}"), &worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "acknowledged");
    assert!(status["acknowledged_at"].is_string());
    assert!(
        status.get("acknowledged_by").is_none(),
        "no municipal case information"
    );
}

async fn worker_elsewhere(app: &TestApp) -> String {
    let other = app.create_area("Skovhusene", "751").await;
    worker(&[&other])
}

async fn the_municipality_can_list_overdue_reports(backend: Backend) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let family = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien A"),
        )
        .await;
    let body = |year: u32| json!({"family_id": family, "child": {"birth_year": 2016}, "observation": format!("Bekymring {year}"), "observed_on": chrono::Utc::now().date_naive().to_string(), "urgent": false});
    let late = app
        .create("/api/v1/concern-reports", &worker, &body(1))
        .await;
    app.create("/api/v1/concern-reports", &worker, &body(2))
        .await;
    app.sql(&format!(
        "UPDATE concern_reports SET acknowledge_due_at = '2026-01-05 23:00:00' WHERE id = '{late}'"
    ));
    let children = caseworker("101", "children_families");
    let overdue: Value = app
        .get("/api/v1/concern-reports?overdue=true", &children)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<_> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [late.as_str()]);
    assert_eq!(overdue["items"][0]["overdue"], true);
    let all: Value = app
        .get("/api/v1/concern-reports", &children)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    let invalid = json!({"family_id": family, "child": {"birth_year": 1990, "description": "010190-1234"}, "observation": " ", "observed_on": "2999-01-01", "urgent": false});
    let problem = assert_problem(
        app.post("/api/v1/concern-reports", &worker, &invalid).await,
        422,
    )
    .await;
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "child.birth_year",
            "child.description",
            "observation",
            "observed_on"
        ]
    );
}

crate::on_both_backends!(
    a_concern_report_goes_one_way_and_the_reporter_sees_only_its_status,
    the_municipality_can_list_overdue_reports,
);
