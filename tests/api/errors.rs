//! Malformed requests of every kind get the right 4xx problem, never a 5xx.

use serde_json::json;

use crate::helpers::*;

async fn raw_post(
    app: &TestApp,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/v1/areas"))
        .bearer_auth(admin())
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.unwrap()
}

async fn malformed_bodies_get_400_413_or_415_problems(backend: Backend) {
    let app = spawn_app(backend).await;
    let json = Some("application/json");
    let cases: Vec<(&str, reqwest::Response, u16)> = vec![
        (
            "malformed JSON",
            raw_post(&app, json, "{\"name\": ").await,
            400,
        ),
        ("empty body", raw_post(&app, json, "").await, 400),
        (
            "unknown field",
            app.post("/api/v1/areas", &admin(), &{
                let mut body = new_area("A", "101");
                body["colour"] = json!("red");
                body
            })
            .await,
            400,
        ),
        (
            "wrong type",
            app.post(
                "/api/v1/areas",
                &admin(),
                &json!({
                    "name": 7, "municipality_code": "101", "housing_organisation": "X"
                }),
            )
            .await,
            400,
        ),
        (
            "missing field",
            app.post("/api/v1/areas", &admin(), &json!({"name": "A"}))
                .await,
            400,
        ),
        (
            "fractional count",
            app.post("/api/v1/areas", &admin(), &{
                let mut body = new_area("A", "101");
                body["figures"]["households"] = json!(1.5);
                body
            })
            .await,
            400,
        ),
        (
            "deeply nested JSON",
            raw_post(
                &app,
                json,
                format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
            )
            .await,
            400,
        ),
        (
            "body over the limit",
            raw_post(
                &app,
                json,
                format!("{{\"name\": \"{}\"}}", "x".repeat(100_000)),
            )
            .await,
            413,
        ),
        ("no content type", raw_post(&app, None, "{}").await, 415),
        (
            "text/plain",
            raw_post(&app, Some("text/plain"), "{}").await,
            415,
        ),
    ];
    for (name, response, status) in cases {
        let problem = assert_problem(response, status).await;
        assert!(problem["request_id"].is_string(), "{name}");
    }
}

async fn bad_paths_queries_routes_and_methods_get_4xx_problems(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = admin();
    assert_problem(app.get("/api/v1/areas/not-a-uuid", &token).await, 400).await;
    for query in [
        "limit=abc",
        "limit=0",
        "limit=201",
        "cursor=%%%",
        "updated_since=yesterday",
        "municipality=1234",
        "unknown=1",
    ] {
        let problem = assert_problem(
            app.get(&format!("/api/v1/areas?{query}"), &token).await,
            400,
        )
        .await;
        assert!(problem["errors"][0]["field"].is_string(), "{query}");
    }
    assert_problem(app.get("/api/v1/nothing-here", &token).await, 404).await;
    assert_problem(app.get("/api/v2/areas", &token).await, 404).await;

    let wrong_method = app
        .client
        .delete(app.url("/api/v1/areas"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let allow = wrong_method.headers()["allow"].to_str().unwrap().to_owned();
    assert_eq!(allow, "GET, POST");
    assert_problem(wrong_method, 405).await;
    let put = app
        .client
        .put(app.url(&format!("/api/v1/areas/{}", uuid::Uuid::now_v7())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(put, 405).await;
}

async fn arrays_are_not_accepted_where_objects_belong(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut nested = new_area("Område", "101");
    nested["figures"] = json!([null, null]);
    assert_problem(app.post("/api/v1/areas", &admin(), &nested).await, 400).await;
    let positional = json!(["Område", "101", "Boligselskabet"]);
    assert_problem(app.post("/api/v1/areas", &admin(), &positional).await, 400).await;
    let list: serde_json::Value = app
        .get("/api/v1/areas", &admin())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]), "nothing stored");
}

crate::on_both_backends!(
    malformed_bodies_get_400_413_or_415_problems,
    bad_paths_queries_routes_and_methods_get_4xx_problems,
    arrays_are_not_accepted_where_objects_belong,
);
