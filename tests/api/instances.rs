//! Several instances on one PostgreSQL database: what one instance writes, the
//! others see at once, caches included.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{new_concern_report, spawn_app, Backend, WorkersFamily};

/// Statistics are cached per instance; the database announces every write, so
/// another instance's cached figures end with it.
#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "set TEST_DATABASE_URL=postgres://… to run against PostgreSQL"
)]
async fn statistics_show_a_write_made_through_another_instance_within_a_second() {
    let app = spawn_app(Backend::Postgres).await;
    let second = app.another_instance();
    let WorkersFamily {
        area,
        worker,
        family,
    } = app.workers_family("Familien Hansen").await;
    let statistics_url = format!("{second}/api/v1/areas/{area}/statistics");
    let concern_reports = || async {
        let statistics: Value = app
            .client
            .get(&statistics_url)
            .bearer_auth(&worker)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        statistics["concern_reports"]["value"].as_i64().unwrap()
    };
    // Computed once, then served from the second instance's cache.
    let before = concern_reports().await;
    assert_eq!(concern_reports().await, before);

    let created = app
        .post(
            "/api/v1/concern-reports",
            &worker,
            &new_concern_report(&family, "Omar har blå mærker"),
        )
        .await;
    assert_eq!(created.status(), 201);
    let written = Instant::now();
    while concern_reports().await != before + 1 {
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the second instance still shows the figures from before the write"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
