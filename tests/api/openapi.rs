//! The committed OpenAPI document is exactly what the service serves.

use serde_json::Value;

use crate::helpers::*;

const REGENERATE: &str = "cargo run -q -- openapi > openapi/openapi.json";

async fn the_served_openapi_document_matches_the_committed_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let served: Value = app.served_openapi().await;
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
    let spec: Value = app.served_openapi().await;
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

/// Every code of every string enum of the document has a Danish and an English
/// label at `catalog/labels`, and nothing else is labelled.
async fn every_code_of_the_document_has_a_danish_and_an_english_label(backend: Backend) {
    let app = spawn_app(backend).await;
    let spec: Value = app.served_openapi().await;
    let codes = |schema: &Value| -> Option<Vec<String>> {
        let values = match (&schema["enum"], &schema["oneOf"]) {
            (Value::Array(values), _) => values.clone(),
            (_, Value::Array(variants)) if variants.iter().all(|v| v["enum"].is_array()) => {
                variants
                    .iter()
                    .flat_map(|v| v["enum"].as_array().unwrap().clone())
                    .collect()
            }
            _ => return None,
        };
        Some(
            values
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
        )
    };
    let mut enums: Vec<(String, Vec<String>)> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(name, schema)| Some((name.clone(), codes(schema)?)))
        .collect();
    enums.sort();
    let labels: Value = app
        .get("/api/v1/catalog/labels", &admin())
        .await
        .json()
        .await
        .unwrap();
    let mut labelled: Vec<(String, Vec<String>)> = Vec::new();
    for vocabulary in labels["items"].as_array().unwrap() {
        let mut codes = Vec::new();
        for value in vocabulary["values"].as_array().unwrap() {
            for language in ["da", "en"] {
                let text = value["label"][language].as_str().unwrap_or_default();
                assert!(!text.is_empty(), "{vocabulary}: {language}");
            }
            codes.push(value["code"].as_str().unwrap().to_owned());
        }
        labelled.push((vocabulary["schema"].as_str().unwrap().to_owned(), codes));
    }
    labelled.sort();
    for ((schema, codes), (labelled_schema, labelled_codes)) in enums.iter().zip(&labelled) {
        assert_eq!(schema, labelled_schema);
        let (mut codes, mut labelled_codes) = (codes.clone(), labelled_codes.clone());
        codes.sort();
        labelled_codes.sort();
        assert_eq!(codes, labelled_codes, "{schema}");
    }
    assert_eq!(
        enums.len(),
        labelled.len(),
        "every enum, and only enums, labelled"
    );
}

crate::on_both_backends!(
    every_code_of_the_document_has_a_danish_and_an_english_label,
    the_served_openapi_document_matches_the_committed_one,
    every_operation_documents_its_problems_and_security,
    the_docs_are_served_at_docs_with_and_without_slash,
);
