//! Stored webhook subscriptions and their deliveries. Deliveries are claimed
//! with a lease: a crash while sending leaves the lease to run out, and the
//! delivery is sent again (at least once, never lost). On PostgreSQL claims
//! skip rows another instance has locked, so each delivery goes out from one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::changes::FeedScope;
use super::schema::{webhook_deliveries, webhook_subscriptions};
use super::sealed::sealed_column_queries;
use super::{from_json, DbConnection};
use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionRow {
    pub id: String,
    pub url: String,
    /// Sealed with the data key, bound to the subscription's id.
    pub secret_sealed: String,
    /// JSON array of change type codes.
    pub change_types: String,
    /// JSON array of area ids, for an area team's subscription.
    pub scope_areas: Option<String>,
    pub scope_municipality: Option<String>,
    pub scope_unit: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

impl SubscriptionRow {
    /// Whose changes it delivers, as the feed reads them.
    pub fn feed_scope(&self) -> Result<FeedScope, ApiError> {
        match (
            &self.scope_areas,
            &self.scope_municipality,
            &self.scope_unit,
        ) {
            (Some(areas), None, None) => {
                Ok(FeedScope::Areas(from_json(areas, "subscription areas")?))
            }
            (None, Some(municipality), Some(unit)) => Ok(FeedScope::Unit {
                municipality: municipality.clone(),
                unit: unit.clone(),
            }),
            _ => Err(ApiError::internal("a stored subscription has no scope")),
        }
    }
}

/// The status of a delivery.
pub const PENDING: &str = "pending";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub subscription_id: String,
    pub change_type: String,
    /// The body sent: the change-feed entry.
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub leased_until: Option<NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert_subscription(
    connection: &mut DbConnection,
    row: &SubscriptionRow,
) -> QueryResult<()> {
    diesel::insert_into(webhook_subscriptions::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

pub fn find_subscription(
    connection: &mut DbConnection,
    id: &str,
) -> QueryResult<Option<SubscriptionRow>> {
    webhook_subscriptions::table
        .find(id)
        .first(connection)
        .optional()
}

/// A municipal unit's subscriptions, or every area team's (the caller checks
/// each against its areas), or all.
pub fn subscriptions_of(
    connection: &mut DbConnection,
    scope: &FeedScope,
) -> QueryResult<Vec<SubscriptionRow>> {
    let query = webhook_subscriptions::table.into_boxed();
    let query = match scope {
        FeedScope::Areas(_) => query.filter(webhook_subscriptions::scope_areas.is_not_null()),
        FeedScope::Unit { municipality, unit } => query
            .filter(webhook_subscriptions::scope_municipality.eq(municipality.clone()))
            .filter(webhook_subscriptions::scope_unit.eq(unit.clone())),
        FeedScope::Everything => query,
    };
    query
        .order(webhook_subscriptions::id.asc())
        .load(connection)
}

/// Deletes a subscription and its deliveries.
pub fn delete_subscription(connection: &mut DbConnection, id: &str) -> QueryResult<bool> {
    super::write_transaction(connection, |connection| {
        diesel::delete(
            webhook_deliveries::table.filter(webhook_deliveries::subscription_id.eq(id)),
        )
        .execute(connection)?;
        let deleted = diesel::delete(webhook_subscriptions::table.find(id)).execute(connection)?;
        Ok(deleted == 1)
    })
}

pub fn insert_delivery(connection: &mut DbConnection, row: &DeliveryRow) -> QueryResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

/// A page of a subscription's deliveries, newest first.
pub fn deliveries_page(
    connection: &mut DbConnection,
    subscription_id: &str,
    before_id: Option<String>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .into_boxed();
    if let Some(before) = before_id {
        query = query.filter(webhook_deliveries::id.lt(before));
    }
    query
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .load(connection)
}

pub fn find_delivery(
    connection: &mut DbConnection,
    subscription_id: &str,
    id: &str,
) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .filter(webhook_deliveries::id.eq(id))
        .first(connection)
        .optional()
}

/// Makes a delivery due now again (a manual retry); its attempts start over.
pub fn retry_now(connection: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(PENDING),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::created_at.eq(now),
            webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
        ))
        .execute(connection)
        .map(|_| ())
}

/// Claims up to `limit` due deliveries until `lease_until`: pending, due, and
/// not leased (or their lease ran out, after a crash).
pub fn claim_due(
    connection: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    // Most ticks find nothing due: look before taking the write lock.
    let any_due: Option<String> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(PENDING))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .select(webhook_deliveries::id)
        .first(connection)
        .optional()?;
    if any_due.is_none() {
        return Ok(Vec::new());
    }
    super::write_transaction(connection, |connection| {
        let due = webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(PENDING))
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .filter(
                webhook_deliveries::leased_until
                    .is_null()
                    .or(webhook_deliveries::leased_until.lt(now)),
            )
            .order(webhook_deliveries::next_attempt_at.asc())
            .limit(limit);
        let rows: Vec<DeliveryRow> = match connection {
            DbConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
            DbConnection::Sqlite(_) => due.load(connection)?,
        };
        let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(ids)))
            .set(webhook_deliveries::leased_until.eq(Some(lease_until)))
            .execute(connection)?;
        Ok(rows)
    })
}

/// What one attempt at a delivery came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    /// `succeeded`, or `pending` with the next try, or `failed`.
    pub status: &'static str,
    pub next_attempt_at: Option<NaiveDateTime>,
}

pub fn record_attempt(
    connection: &mut DbConnection,
    id: &str,
    attempt: &Attempt,
) -> QueryResult<()> {
    let next = attempt.next_attempt_at.unwrap_or(attempt.at);
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(attempt.status),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::last_attempt_at.eq(Some(attempt.at)),
            webhook_deliveries::last_status_code.eq(attempt.status_code),
            webhook_deliveries::last_error.eq(attempt.error.as_deref()),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
        ))
        .execute(connection)
        .map(|_| ())
}

sealed_column_queries!(webhook_subscriptions, id, secret_sealed);
