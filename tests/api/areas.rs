//! `areas`: who reads and writes, scope, pagination, filters and concurrency.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::*;

async fn every_role_reads_areas_and_unauthenticated_callers_get_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_area("Nørrebakken", "101").await;
    for (role, token) in every_role(&[&id]) {
        let list = app.get("/api/v1/areas", &token).await;
        assert_eq!(list.status(), 200, "{role} lists areas");
        let body: Value = list.json().await.unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 1, "{role}");
        let one = app.get(&format!("/api/v1/areas/{id}"), &token).await;
        assert_eq!(one.status(), 200, "{role} reads an area");
    }
    let anonymous = app
        .client
        .get(app.url("/api/v1/areas"))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;
}

async fn only_admins_create_and_change_areas(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_area("Nørrebakken", "101").await;
    for (role, token) in every_role(&[&id])
        .into_iter()
        .filter(|(role, _)| *role != "admin")
    {
        let create = app
            .post("/api/v1/areas", &token, &new_area("Other", "101"))
            .await;
        assert_problem(create, 403).await;
        let change = app
            .patch(
                &format!("/api/v1/areas/{id}"),
                &token,
                None,
                &json!({"name": "Renamed"}),
            )
            .await;
        let problem = assert_problem(change, 403).await;
        assert_eq!(
            problem["title"], "Ingen adgang",
            "{role}: Danish by default"
        );
        // A forbidden role gets 403 whatever it sends.
        let garbage = app
            .client
            .post(app.url("/api/v1/areas"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_problem(garbage, 403).await;
    }
    let body: Value = app
        .get(&format!("/api/v1/areas/{id}"), &admin())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["name"], "Nørrebakken", "nothing changed");
}

async fn a_created_area_has_location_etag_and_all_its_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .post("/api/v1/areas", &admin(), &new_area("Åparken", "751"))
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/areas/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["municipality_name"], "Aarhus");
    assert_eq!(created["plan"]["starts_on"], "2025-01-01");
    assert_eq!(created["figures"]["households"], 800);
    assert_eq!(created["figures"]["residents"], Value::Null);
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));

    let fetched = app.get(&location, &admin()).await;
    assert_eq!(fetched.headers()["etag"].to_str().unwrap(), etag);
    let fetched: Value = fetched.json().await.unwrap();
    assert_eq!(fetched, created, "reads back exactly what was created");
}

async fn caseworkers_see_only_areas_of_their_municipality(backend: Backend) {
    let app = spawn_app(backend).await;
    let copenhagen = app.create_area("Nørrebakken", "101").await;
    let aarhus = app.create_area("Skovhusene", "751").await;
    let caseworker = caseworker("101", "family_counselling");
    let list: Value = app
        .get("/api/v1/areas", &caseworker)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(copenhagen)]);
    let other = app
        .get(&format!("/api/v1/areas/{aarhus}"), &caseworker)
        .await;
    assert_problem(other, 404).await;
    let filtered: Value = app
        .get("/api/v1/areas?municipality=751", &caseworker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["items"], json!([]));

    let bound_analyst = analyst(Some("751"));
    let list: Value = app
        .get("/api/v1/areas", &bound_analyst)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["id"], json!(aarhus));
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn pagination_walks_120_areas_without_loss_or_duplicates(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut created = HashSet::new();
    for n in 0..120 {
        created.insert(app.create_area(&format!("Område {n:03}"), "101").await);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/areas?limit=25".to_owned();
    let mut pages = 0;
    loop {
        let response = app.get(&path, &admin()).await;
        assert_eq!(response.status(), 200);
        let link = response
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned());
        let page: Value = response.json().await.unwrap();
        pages += 1;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let link = link.expect("a Link header when there is a next page");
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                assert!(link.contains(cursor) && link.contains("limit=25"), "{link}");
                path = link[1..link.find('>').unwrap()].to_owned();
            }
            None => {
                assert!(link.is_none(), "no Link on the last page");
                break;
            }
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(seen.len(), 120, "no duplicates");
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        created,
        "no loss"
    );
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "ordered by id");
}

async fn filters_are_anded_and_text_search_ignores_case(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_area("Åparken", "101").await;
    app.create_area("Åparken Nord", "751").await;
    app.create_area("Skovhusene", "101").await;
    app.create_area("100% Boliger_x", "101").await;
    let names = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let both: Value = app
        .get("/api/v1/areas?q=%C3%85PARKEN", &admin())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(both), ["Åparken", "Åparken Nord"]);
    let anded: Value = app
        .get("/api/v1/areas?q=%C3%A5parken&municipality=751", &admin())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(anded), ["Åparken Nord"]);
    let literal: Value = app
        .get("/api/v1/areas?q=0%25%20b", &admin())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(literal), ["100% Boliger_x"], "% matches literally");
    let underscore: Value = app
        .get("/api/v1/areas?q=r_x", &admin())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(underscore), ["100% Boliger_x"]);
}

async fn updated_since_returns_only_areas_changed_since(backend: Backend) {
    let app = spawn_app(backend).await;
    let unchanged = app.create_area("Nørrebakken", "101").await;
    let changed = app.create_area("Åparken", "101").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let response = app
        .patch(
            &format!("/api/v1/areas/{changed}"),
            &admin(),
            None,
            &json!({"figures": {"households": 900}}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let since = since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let body: Value = app
        .get(
            &format!("/api/v1/areas?updated_since={}", since.replace('+', "%2B")),
            &admin(),
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<_> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [changed.as_str()]);
    assert_ne!(ids, [unchanged.as_str()]);
}

async fn a_stale_if_match_gets_412_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_area("Nørrebakken", "101").await;
    let path = format!("/api/v1/areas/{id}");
    let first = app.get(&path, &admin()).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();

    let update = app
        .patch(
            &path,
            &admin(),
            Some(&etag),
            &json!({"name": "Nørrebakken Syd"}),
        )
        .await;
    assert_eq!(update.status(), 200);
    let new_etag = update.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);

    let stale = app
        .patch(
            &path,
            &admin(),
            Some(&etag),
            &json!({"name": "Lost update"}),
        )
        .await;
    assert_problem(stale, 412).await;
    let current: Value = app.get(&path, &admin()).await.json().await.unwrap();
    assert_eq!(current["name"], "Nørrebakken Syd");

    let clear = app
        .patch(&path, &admin(), Some(&new_etag), &json!({"plan": null}))
        .await;
    assert_eq!(clear.status(), 200);
    let cleared: Value = clear.json().await.unwrap();
    assert_eq!(cleared["plan"], Value::Null, "null clears the plan");
    assert_eq!(cleared["name"], "Nørrebakken Syd", "absent fields stay");
}

async fn invalid_area_fields_get_422_naming_each_field_and_nothing_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = new_area("Familien 010190-1234", "999");
    body["figures"] = json!({"households": -1, "single_parent_share": 1.5});
    body["plan"]["ends_on"] = json!("2020-01-01");
    let problem = assert_problem(app.post("/api/v1/areas", &admin(), &body).await, 422).await;
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "municipality_code",
            "plan.name",
            "plan.ends_on",
            "figures.households",
            "figures.single_parent_share"
        ]
    );
    let list: Value = app
        .get("/api/v1/areas", &admin())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]));

    // An invalid date is not a CPR number.
    let fine = app
        .post(
            "/api/v1/areas",
            &admin(),
            &new_area("Blok 320199-1234", "101"),
        )
        .await;
    assert_eq!(fine.status(), 201);
    let id = fine.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let patch = app
        .patch(
            &format!("/api/v1/areas/{id}"),
            &admin(),
            None,
            &json!({"housing_organisation": "0101901234"}),
        )
        .await;
    let problem = assert_problem(patch, 422).await;
    assert_eq!(problem["errors"][0]["field"], "housing_organisation");
}

async fn unknown_and_out_of_scope_areas_are_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let missing = uuid::Uuid::now_v7();
    assert_problem(
        app.get(&format!("/api/v1/areas/{missing}"), &admin()).await,
        404,
    )
    .await;
    let patch = app
        .patch(
            &format!("/api/v1/areas/{missing}"),
            &admin(),
            None,
            &json!({"name": "x"}),
        )
        .await;
    assert_problem(patch, 404).await;
}

/// Reads arriving together are answered together on PostgreSQL; each still
/// gets its own area, a 404 for an unknown one, and only what its caller may see.
async fn many_area_reads_at_once_each_get_their_own_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut areas = Vec::new();
    for n in 0..8 {
        let municipality = if n % 2 == 0 { "101" } else { "751" };
        let id = app.create_area(&format!("Område {n}"), municipality).await;
        areas.push((id, municipality));
    }
    let caseworker = caseworker("101", "family_counselling");
    let missing = uuid::Uuid::now_v7().to_string();
    let mut reads = Vec::new();
    for round in 0..5 {
        for (id, municipality) in &areas {
            let (token, expected) = if round % 2 == 0 {
                (admin(), 200)
            } else {
                (
                    caseworker.clone(),
                    if *municipality == "101" { 200 } else { 404 },
                )
            };
            reads.push((id.clone(), token, expected));
        }
        reads.push((missing.clone(), admin(), 404));
    }
    let app = &app;
    let responses =
        futures_util::future::join_all(reads.iter().map(|(id, token, _)| async move {
            app.get(&format!("/api/v1/areas/{id}"), token).await
        }))
        .await;
    for ((id, _, expected), response) in reads.iter().zip(responses) {
        assert_eq!(response.status(), *expected, "area {id}");
        if *expected == 200 {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["id"], json!(id));
        }
    }
}

/// An area read right after a change shows the change, however many other
/// reads are under way.
async fn an_area_read_after_its_change_shows_the_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_area("Nørrebakken", "101").await;
    let path = format!("/api/v1/areas/{id}");
    for n in 0..5 {
        let name = format!("Nørrebakken {n}");
        let update = app
            .patch(&path, &admin(), None, &json!({ "name": name }))
            .await;
        assert_eq!(update.status(), 200);
        let token = admin();
        let reads = futures_util::future::join_all((0..10).map(|_| app.get(&path, &token))).await;
        for read in reads {
            let body: Value = read.json().await.unwrap();
            assert_eq!(body["name"], json!(name));
        }
    }
}

crate::on_both_backends!(
    every_role_reads_areas_and_unauthenticated_callers_get_401,
    only_admins_create_and_change_areas,
    a_created_area_has_location_etag_and_all_its_fields,
    caseworkers_see_only_areas_of_their_municipality,
    pagination_walks_120_areas_without_loss_or_duplicates,
    filters_are_anded_and_text_search_ignores_case,
    updated_since_returns_only_areas_changed_since,
    a_stale_if_match_gets_412_and_changes_nothing,
    invalid_area_fields_get_422_naming_each_field_and_nothing_is_stored,
    unknown_and_out_of_scope_areas_are_404,
    many_area_reads_at_once_each_get_their_own_answer,
    an_area_read_after_its_change_shows_the_change,
);
