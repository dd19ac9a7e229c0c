//! Calendar links: a secret address Outlook or Google Calendar subscribes to
//! without a bearer token, made and deleted by the area's team.

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::*;

/// The path of an absolute URL the service returned.
fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").expect("absolute URL").1;
    after_scheme[after_scheme.find('/').expect("a path")..].to_owned()
}

async fn a_calendar_link_lets_a_calendar_subscribe_without_a_token_until_it_is_deleted(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let other_area = app.create_area("Skovhusene", "751").await;
    let worker = worker(&[&area]);
    let course = app
        .create(
            "/api/v1/initiatives",
            &worker,
            &new_initiative(&area, "exercise_activity", "open"),
        )
        .await;
    let next_week = (chrono::Utc::now().date_naive() + Duration::days(7)).to_string();
    let session: Value = app
        .post(
            &format!("/api/v1/initiatives/{course}/sessions"),
            &worker,
            &json!({"status": "planned", "held_on": next_week, "starts_at": "17:00", "theme": "Gåtur"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let uid = format!("UID:{}@familiebro", session["id"].as_str().unwrap());
    let links = format!("/api/v1/areas/{area}/calendar-links");

    let made = app
        .post_with_key(&links, &worker, "calendar-link-1", &json!({}))
        .await;
    assert_eq!(made.status(), 201);
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    let link: Value = made.json().await.unwrap();
    let url = link["url"].as_str().expect("the address, once").to_owned();
    assert!(url.starts_with("http://") && url.ends_with(".ics"), "{url}");
    assert_eq!(
        location,
        format!("/api/v1/calendar-links/{}", link["id"].as_str().unwrap())
    );
    let replay: Value = app
        .post_with_key(&links, &worker, "calendar-link-1", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["id"], link["id"]);
    assert_eq!(
        replay["url"], link["url"],
        "a retried creation shows the address again"
    );

    // No Authorization header: the address is the credential.
    let feed = app
        .client
        .get(app.url(&path_of(&url)))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);
    assert!(feed.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert!(feed.text().await.unwrap().contains(&uid));

    let own: Value = app
        .post(&links, &worker, &json!({"initiative_id": course}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["initiative_id"], course.as_str());
    let initiative_feed = app
        .client
        .get(app.url(&path_of(own["url"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(initiative_feed.contains(&uid) && initiative_feed.contains("Gåtur"));

    let elsewhere = app
        .create(
            "/api/v1/initiatives",
            &crate::helpers::worker(&[&other_area]),
            &new_initiative(&other_area, "exercise_activity", "open"),
        )
        .await;
    let problem = assert_problem(
        app.post(&links, &worker, &json!({"initiative_id": elsewhere}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "initiative_id");
    assert_problem(
        app.post(
            &links,
            &worker,
            &json!({"initiative_id": course, "token": "x"}),
        )
        .await,
        400,
    )
    .await;

    let listed: Value = app.get(&links, &worker).await.json().await.unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().all(|item| item["url"].is_null()),
        "lists never show an address"
    );

    // Only the area's team makes, lists and deletes links.
    let outsider = crate::helpers::worker(&[&other_area]);
    assert_problem(app.post(&links, &outsider, &json!({})).await, 404).await;
    assert_problem(app.get(&links, &outsider).await, 404).await;
    assert_problem(app.delete(&location, &outsider).await, 404).await;
    assert_problem(
        app.post(&links, &caseworker("101", "social_services"), &json!({}))
            .await,
        403,
    )
    .await;

    // Anything but a live link's secret is 404.
    for path in [
        "/calendar/not-a-token.ics".to_owned(),
        path_of(&url).replace(".ics", "A.ics"),
    ] {
        let response = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    assert_eq!(app.delete(&location, &worker).await.status(), 204);
    let ended = app
        .client
        .get(app.url(&path_of(&url)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ended.status(),
        404,
        "a deleted link's address stops working"
    );
}

crate::on_both_backends!(
    a_calendar_link_lets_a_calendar_subscribe_without_a_token_until_it_is_deleted
);
