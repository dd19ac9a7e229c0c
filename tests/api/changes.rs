//! The change feed: scoped like the resources, no personal data, and exact —
//! a client keeping its cursor never misses and never repeats an entry, also
//! while many writers commit concurrently.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use familiebro::db::changes as feed;
use familiebro::domain::changes::{Audience, ChangeType};
use serde_json::{json, Value};

use crate::helpers::*;

/// Every entry after `after` (from the start without one), read in pages of
/// `page_size`, and the cursor to keep.
async fn read_all(
    app: &TestApp,
    token: &str,
    after: Option<&str>,
    page_size: usize,
) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut cursor = after.map(str::to_owned);
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/changes?limit={page_size}&after={cursor}"),
            None => format!("/api/v1/changes?limit={page_size}"),
        };
        let response = app.get(&path, token).await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        let next = page["next_cursor"].as_str().unwrap().to_owned();
        let batch = page["items"].as_array().unwrap().clone();
        assert!(batch.len() <= page_size, "a page holds at most its limit");
        let done = batch.is_empty();
        items.extend(batch);
        cursor = Some(next.clone());
        if done {
            return (items, next);
        }
    }
}

/// Reads the feed until `done` holds for what was read. On PostgreSQL an
/// entry appears once every transaction older than its own has ended, in any
/// database of the cluster; under load that can take a moment.
async fn read_until(
    app: &TestApp,
    token: &str,
    done: impl Fn(&[(String, String)]) -> bool,
) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (entries, _) = read_all(app, token, None, 50).await;
        if done(&kinds(&entries)) {
            return entries;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the feed never showed it: {entries:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A fresh service with one area, a worker of that area and the cursor after
/// the area's creation.
async fn an_area_its_worker_and_the_cursor_after_it(
    backend: Backend,
) -> (TestApp, String, String, String) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let before = read_until(&app, &worker, has("area.created", &area)).await;
    let start = before.last().unwrap()["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    (app, area, worker, start)
}

fn has(kind: &str, id: &str) -> impl Fn(&[(String, String)]) -> bool {
    let wanted = (kind.to_owned(), id.to_owned());
    move |kinds| kinds.contains(&wanted)
}

fn kinds(entries: &[Value]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|entry| {
            (
                entry["type"].as_str().unwrap().to_owned(),
                entry["resource_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn each_side_reads_only_the_changes_it_may_see_and_no_personal_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let counselling = caseworker("101", "family_counselling");
    let children = caseworker("101", "children_families");
    let elsewhere = caseworker("751", "family_counselling");
    let family = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien Hansen"),
        )
        .await;
    let consent = app
        .create(
            &format!("/api/v1/families/{family}/consents"),
            &worker,
            &json!({"receiving_unit": "family_counselling", "purpose": "bridge_building", "data_categories": ["contact_details"], "valid_from": chrono::Utc::now().date_naive().to_string(), "valid_until": (chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string(), "given_as": "oral", "given_by": {"name": "Amina", "relation": "mother"}}),
        )
        .await;
    let referral = app
        .create(
            "/api/v1/referrals",
            &worker,
            &json!({"direction": "to_municipality", "family_id": family, "consent_id": consent, "unit": "family_counselling", "purpose": "bridge_building", "shared_categories": ["contact_details"]}),
        )
        .await;
    let accepted = app
        .post(
            &format!("/api/v1/referrals/{referral}/transitions"),
            &counselling,
            &json!({"to": "accepted"}),
        )
        .await;
    assert_eq!(accepted.status(), 201);
    let report = app
        .create(
            "/api/v1/concern-reports",
            &worker,
            &new_concern_report(&family, "Bekymring"),
        )
        .await;
    app.post(
        &format!("/api/v1/concern-reports/{report}/urgency-assessment"),
        &children,
        &json!({"urgent": false}),
    )
    .await;

    let seen_by_worker = read_until(&app, &worker, has("concern_report.received", &report)).await;
    let worker_kinds = kinds(&seen_by_worker);
    for expected in [
        ("area.created", &area),
        ("family.created", &family),
        ("family.changed", &family),
        ("referral.created", &referral),
        ("referral.transitioned", &referral),
        ("concern_report.received", &report),
    ] {
        assert!(
            worker_kinds.contains(&(expected.0.to_owned(), expected.1.clone())),
            "the worker sees {expected:?}: {worker_kinds:?}"
        );
    }
    assert!(
        !worker_kinds
            .iter()
            .any(|(kind, _)| kind == "concern_report.urgency_assessed"),
        "the unit's urgency assessment is its own case work"
    );
    let entry_fields: BTreeSet<&str> = seen_by_worker[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        entry_fields,
        BTreeSet::from(["at", "cursor", "resource_id", "resource_type", "type"])
    );
    let text = Value::Array(seen_by_worker.clone()).to_string();
    assert!(
        !text.contains("Hansen") && !text.contains(CHILD_CPR),
        "no personal data"
    );

    let seen_by_counselling =
        read_until(&app, &counselling, has("referral.transitioned", &referral)).await;
    let counselling_kinds = kinds(&seen_by_counselling);
    assert!(counselling_kinds.contains(&("referral.created".into(), referral.clone())));
    assert!(counselling_kinds.contains(&("area.created".into(), area.clone())));
    assert!(
        !counselling_kinds
            .iter()
            .any(|(kind, _)| kind.starts_with("family.") || kind.starts_with("concern_report.")),
        "no family, and no report it did not receive: {counselling_kinds:?}"
    );
    let seen_by_children = read_until(
        &app,
        &children,
        has("concern_report.urgency_assessed", &report),
    )
    .await;
    let children_kinds = kinds(&seen_by_children);
    assert!(children_kinds.contains(&("concern_report.urgency_assessed".into(), report.clone())));
    assert!(!children_kinds
        .iter()
        .any(|(kind, _)| kind.starts_with("referral.")));
    let (seen_elsewhere, _) = read_all(&app, &elsewhere, None, 50).await;
    assert_eq!(seen_elsewhere, Vec::<Value>::new());
    for token in [analyst(None), admin(), data_protection_officer()] {
        assert_problem(app.get("/api/v1/changes", &token).await, 403).await;
    }
    let (_, end) = read_all(&app, &worker, None, 50).await;
    let empty: Value = app
        .get(&format!("/api/v1/changes?after={end}"), &worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["items"], json!([]));
    assert_eq!(
        empty["next_cursor"], end,
        "an empty page returns the cursor to keep"
    );
}

async fn a_reader_keeping_its_cursor_never_misses_or_repeats_an_entry_among_concurrent_writers(
    backend: Backend,
) {
    const WRITERS: usize = 6;
    const WRITES: usize = 25;
    let (app, area, worker, start) = an_area_its_worker_and_the_cursor_after_it(backend).await;
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let mut connection = app.connect();
        let area = area.clone();
        writers.push(std::thread::spawn(move || {
            let mut committed = Vec::new();
            for write in 0..WRITES {
                let id = uuid::Uuid::new_v4().to_string();
                // Transactions of different lengths commit out of the order they began in;
                // every fifth rolls back.
                let hold = Duration::from_millis(((writer * 7 + write * 13) % 23) as u64);
                let roll_back = write % 5 == 4;
                loop {
                    let outcome =
                        familiebro::db::write_transaction(&mut connection, |connection| {
                            feed::record(
                                connection,
                                ChangeType::FamilyChanged,
                                &id,
                                &Audience::housing(&area),
                            )?;
                            std::thread::sleep(hold);
                            if roll_back {
                                Err(diesel::result::Error::RollbackTransaction)
                            } else {
                                Ok(())
                            }
                        });
                    match outcome {
                        Ok(()) => {
                            committed.push(id.clone());
                            break;
                        }
                        Err(diesel::result::Error::RollbackTransaction) => break,
                        // SQLite's single writer was busy: try again.
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            }
            committed
        }));
    }
    // Set once the writers are done: how many entries committed. On PostgreSQL
    // an entry shows once every older transaction of the cluster has ended, so
    // the reader keeps polling until it has them all, or a deadline passes.
    let expected = Arc::new(AtomicUsize::new(usize::MAX));
    let reader = {
        let expected = expected.clone();
        let app_address = app.address.clone();
        let client = app.client.clone();
        let worker = worker.clone();
        tokio::spawn(async move {
            let mut cursor = start;
            let mut read: Vec<String> = Vec::new();
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            let mut quiet_reads = 0;
            while quiet_reads < 3 && std::time::Instant::now() < deadline {
                let page: Value = client
                    .get(format!(
                        "{app_address}/api/v1/changes?limit=7&after={cursor}"
                    ))
                    .bearer_auth(&worker)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                cursor = page["next_cursor"].as_str().unwrap().to_owned();
                let items = page["items"].as_array().unwrap();
                read.extend(
                    items
                        .iter()
                        .map(|entry| entry["resource_id"].as_str().unwrap().to_owned()),
                );
                let distinct: BTreeSet<&String> = read.iter().collect();
                if items.is_empty() && distinct.len() >= expected.load(Ordering::SeqCst) {
                    quiet_reads += 1;
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
            read
        })
    };
    let mut committed: Vec<String> = Vec::new();
    for writer in writers {
        committed.extend(
            tokio::task::spawn_blocking(move || writer.join().unwrap())
                .await
                .unwrap(),
        );
    }
    expected.store(committed.len(), Ordering::SeqCst);
    let read = reader.await.unwrap();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in &read {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    let repeated: Vec<_> = counts.iter().filter(|(_, count)| **count > 1).collect();
    assert!(repeated.is_empty(), "read twice: {repeated:?}");
    let read: BTreeSet<String> = read.into_iter().collect();
    let committed: BTreeSet<String> = committed.into_iter().collect();
    assert_eq!(committed.len(), WRITERS * (WRITES - WRITES / 5));
    let missed: Vec<_> = committed.difference(&read).collect();
    let phantom: Vec<_> = read.difference(&committed).collect();
    assert!(
        missed.is_empty(),
        "missed {} committed entries",
        missed.len()
    );
    assert!(
        phantom.is_empty(),
        "read entries never committed: {phantom:?}"
    );
}

async fn a_cursor_older_than_the_entries_kept_is_410_and_a_forged_one_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let entries = read_until(&app, &worker, has("area.created", &area)).await;
    let first = entries[0]["cursor"].as_str().unwrap().to_owned();
    let family = app
        .create(
            "/api/v1/families",
            &worker,
            &new_family(&area, "Familien A"),
        )
        .await;
    // Pruning stops at what has been fanned out, and fan-out at what readers can see.
    read_until(&app, &worker, has("family.created", &family)).await;
    let mut connection = app.connect();
    familiebro::outbox::fan_out(&mut connection).unwrap();
    let tomorrow = chrono::Utc::now().naive_utc() + chrono::Duration::days(1);
    assert!(feed::prune(&mut connection, tomorrow).unwrap() >= 2);
    let gone = assert_problem(
        app.get(&format!("/api/v1/changes?after={first}"), &worker)
            .await,
        410,
    )
    .await;
    assert_eq!(gone["type"], "urn:familiebro:problem:cursor-expired");
    assert!(gone["detail"].as_str().unwrap().contains("resynchronise"));
    let fresh: Value = app
        .get("/api/v1/changes", &worker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        fresh["items"],
        json!([]),
        "a fresh start needs no old cursor"
    );
    for forged in ["nonsense", "YzEuLTEuMg", "0"] {
        let problem = assert_problem(
            app.get(&format!("/api/v1/changes?after={forged}"), &worker)
                .await,
            400,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "after");
    }
    assert_problem(app.get("/api/v1/changes?limit=0", &worker).await, 400).await;
}

async fn the_entries_of_one_transaction_are_read_across_pages_each_once_in_order(backend: Backend) {
    let (app, area, worker, start) = an_area_its_worker_and_the_cursor_after_it(backend).await;
    // One transaction's entries share a position's first part (its id on
    // PostgreSQL): pages that end inside them must go on from the next one.
    let written: Vec<String> = (0..5).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let mut connection = app.connect();
    familiebro::db::write_transaction(&mut connection, |connection| {
        for id in &written {
            feed::record(
                connection,
                ChangeType::FamilyChanged,
                id,
                &Audience::housing(&area),
            )?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    read_until(
        &app,
        &worker,
        has("family.changed", written.last().unwrap()),
    )
    .await;
    let (entries, _) = read_all(&app, &worker, Some(&start), 2).await;
    let read: Vec<&str> = entries
        .iter()
        .map(|entry| entry["resource_id"].as_str().unwrap())
        .collect();
    assert_eq!(read, written);
}

crate::on_both_backends!(
    each_side_reads_only_the_changes_it_may_see_and_no_personal_data,
    a_reader_keeping_its_cursor_never_misses_or_repeats_an_entry_among_concurrent_writers,
    a_cursor_older_than_the_entries_kept_is_410_and_a_forged_one_400,
    the_entries_of_one_transaction_are_read_across_pages_each_once_in_order,
);
