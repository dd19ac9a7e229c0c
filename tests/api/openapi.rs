//! The committed OpenAPI document is exactly what the service serves.

use serde_json::Value;

use crate::helpers::*;

const REGENERATE: &str = "cargo run -q -- openapi > openapi/openapi.json";

async fn the_served_openapi_document_matches_the_committed_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let served: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or(Value::Null);
    assert!(
        served == committed,
        "openapi/openapi.json differs from the served document; regenerate it with `{REGENERATE}`"
    );
}

async fn every_operation_documents_its_problems_and_security(backend: Backend) {
    let app = spawn_app(backend).await;
    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            if path.starts_with("/api/v1/") {
                for status in ["401", "500"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} documents {status}"
                    );
                }
                assert!(
                    operation["security"].is_array(),
                    "{method} {path} requires a token"
                );
            }
            let paginated = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "cursor");
            if paginated {
                assert!(
                    responses.contains_key("429"),
                    "{method} {path} documents its rate limit"
                );
            }
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} documents {status}"
                    );
                }
            }
        }
    }
}

async fn the_docs_are_served_at_docs_with_and_without_slash(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger"));
    let redirected = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(redirected.status(), 200, "redirect is followed to the docs");
}

crate::on_both_backends!(
    the_served_openapi_document_matches_the_committed_one,
    every_operation_documents_its_problems_and_security,
    the_docs_are_served_at_docs_with_and_without_slash,
);
