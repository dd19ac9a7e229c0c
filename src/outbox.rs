//! The background work on the change feed each instance runs: fan new entries
//! out into webhook deliveries (exactly once, under the feed state's lock),
//! send the deliveries that are due (each claimed by one instance, under a
//! lease), and prune entries older than the retention.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use uuid::Uuid;

use crate::db::changes::{self, FeedScope, FeedWindow};
use crate::db::sealed::DataKeys;
use crate::db::webhooks::{self as store, Attempt, DeliveryRow, SubscriptionRow};
use crate::db::{self, from_json, to_json, Database, DbConnection};
use crate::domain::webhooks::{signature, RetrySchedule};
use crate::error::ApiError;

/// How the outbox works; the defaults suit production.
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    pub retry: RetrySchedule,
    /// How often the outbox looks for new entries and due deliveries.
    pub poll_interval: Duration,
    /// How long change-feed entries are kept.
    pub retention_days: u32,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            retry: RetrySchedule::default(),
            poll_interval: Duration::from_secs(1),
            retention_days: 30,
        }
    }
}

/// A delivery's whole time, connecting included; the lease outlasts it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const LEASE: Duration = Duration::from_secs(60);
const FAN_OUT_BATCH: i64 = 500;
const SEND_BATCH: i64 = 20;
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Turns the entries after the fan-out position into deliveries for every
/// subscription that sees them; returns how many deliveries were made.
pub fn fan_out(connection: &mut DbConnection) -> Result<usize, ApiError> {
    // Most ticks find nothing new: look before taking the write lock.
    let seen = changes::fanned_out_through(connection, false)?;
    let next = FeedWindow {
        after: seen,
        limit: 1,
        ..FeedWindow::default()
    };
    if changes::page(connection, &FeedScope::Everything, &next)?.is_empty() {
        return Ok(0);
    }
    db::write_transaction(connection, |connection| {
        let from = changes::fanned_out_through(connection, true)?;
        let batch = changes::page(
            connection,
            &FeedScope::Everything,
            &FeedWindow {
                after: from,
                limit: FAN_OUT_BATCH,
                ..FeedWindow::default()
            },
        )?;
        let Some(until) = batch.last().map(changes::ChangeRow::position) else {
            return Ok(0);
        };
        let mut made = 0;
        for subscription in store::subscriptions_of(connection, &FeedScope::Everything)? {
            let types: Vec<String> = from_json(&subscription.change_types, "subscription types")?;
            // A subscription hears of changes made after it began.
            let window = FeedWindow {
                after: from,
                until: Some(until),
                types: Some(&types),
                since: Some(subscription.created_at),
                limit: FAN_OUT_BATCH,
            };
            for entry in changes::page(connection, &subscription.feed_scope()?, &window)? {
                let now = db::now();
                store::insert_delivery(
                    connection,
                    &DeliveryRow {
                        id: Uuid::now_v7().to_string(),
                        subscription_id: subscription.id.clone(),
                        change_type: entry.change_type.clone(),
                        payload: to_json(&entry.entry()?),
                        status: store::PENDING.into(),
                        attempts: 0,
                        next_attempt_at: now,
                        leased_until: None,
                        last_status_code: None,
                        last_error: None,
                        last_attempt_at: None,
                        created_at: now,
                    },
                )?;
                made += 1;
            }
        }
        changes::set_fanned_out_through(connection, until)?;
        Ok(made)
    })
}

fn after(at: NaiveDateTime, wait: Duration) -> NaiveDateTime {
    at + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX)
}

/// What the next attempt comes to after one that ended with `outcome`.
fn attempt_after(
    delivery: &DeliveryRow,
    outcome: Result<u16, String>,
    retry: RetrySchedule,
) -> Attempt {
    let at = db::now();
    let (status_code, error) = match &outcome {
        Ok(status) => (Some(i32::from(*status)), None),
        Err(error) => (None, Some(error.clone())),
    };
    if matches!(outcome, Ok(status) if (200..300).contains(&status)) {
        return Attempt {
            at,
            status_code,
            error,
            status: store::SUCCEEDED,
            next_attempt_at: None,
        };
    }
    let age = (at - delivery.created_at).to_std().unwrap_or_default();
    let attempts = u32::try_from(delivery.attempts).unwrap_or(0) + 1;
    let next = retry.next_wait(attempts, age).map(|wait| after(at, wait));
    Attempt {
        at,
        status_code,
        error,
        status: if next.is_some() {
            store::PENDING
        } else {
            store::FAILED
        },
        next_attempt_at: next,
    }
}

/// Sends one delivery, signed; the response body is never read.
async fn send(
    client: &reqwest::Client,
    subscription: &SubscriptionRow,
    secret: &str,
    delivery: &DeliveryRow,
) -> Result<u16, String> {
    let timestamp = Utc::now().timestamp();
    let signed = signature(secret, &delivery.id, timestamp, &delivery.payload)?;
    let response = client
        .post(&subscription.url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(|error| {
            if error.is_timeout() {
                "timed out".to_owned()
            } else if error.is_connect() {
                "could not connect".to_owned()
            } else {
                "the request failed".to_owned()
            }
        })?;
    Ok(response.status().as_u16())
}

/// Claims the due deliveries and sends them; returns how many were sent.
async fn deliver_due(
    database: &Database,
    client: &reqwest::Client,
    keys: &DataKeys,
    retry: RetrySchedule,
) -> Result<usize, ApiError> {
    let (due, subscriptions) = database
        .run(|connection| {
            let now = db::now();
            let due = store::claim_due(connection, now, after(now, LEASE), SEND_BATCH)?;
            let subscriptions: HashMap<String, SubscriptionRow> = if due.is_empty() {
                HashMap::new()
            } else {
                store::subscriptions_of(connection, &FeedScope::Everything)?
                    .into_iter()
                    .map(|row| (row.id.clone(), row))
                    .collect()
            };
            Ok((due, subscriptions))
        })
        .await?;
    let sent = due.len();
    for delivery in due {
        let Some(subscription) = subscriptions.get(&delivery.subscription_id) else {
            continue;
        };
        let outcome = match keys.open(&subscription.secret_sealed, &subscription.id) {
            Ok(secret) => send(client, subscription, &secret, &delivery).await,
            Err(problem) => Err(problem),
        };
        let attempt = attempt_after(&delivery, outcome, retry);
        let id = delivery.id.clone();
        database
            .run(move |connection| Ok(store::record_attempt(connection, &id, &attempt)?))
            .await?;
    }
    Ok(sent)
}

fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(3))
        .user_agent(concat!("familiebro/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| format!("cannot build the webhook client: {error}"))
}

/// Runs the outbox until the runtime stops.
pub async fn run(database: Database, keys: DataKeys, settings: OutboxSettings) {
    let client = match client() {
        Ok(client) => client,
        Err(problem) => {
            log::error!("{problem}; webhooks are not delivered");
            return;
        }
    };
    let mut ticks = tokio::time::interval(settings.poll_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_prune: Option<std::time::Instant> = None;
    loop {
        ticks.tick().await;
        if let Err(error) = database.run(fan_out).await {
            log::warn!("fanning out webhook deliveries failed: {error}");
        }
        if let Err(error) = deliver_due(&database, &client, &keys, settings.retry).await {
            log::warn!("delivering webhooks failed: {error}");
        }
        if last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            last_prune = Some(std::time::Instant::now());
            let before = db::now() - chrono::Duration::days(i64::from(settings.retention_days));
            match database
                .run(move |connection| Ok(changes::prune(connection, before)?))
                .await
            {
                Ok(0) => {}
                Ok(pruned) => log::info!("pruned {pruned} change-feed entries"),
                Err(error) => log::warn!("pruning the change feed failed: {error}"),
            }
        }
    }
}
