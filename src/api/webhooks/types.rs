//! Request and response types of webhook subscriptions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::catalog::MunicipalUnit;
use crate::domain::changes::ChangeType;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://sag.kk.dk/familiebro/hooks", "types": ["referral.created", "referral.transitioned", "concern_report.received"]}))]
pub struct NewSubscription {
    /// Where deliveries go: https, on the service's allowlist.
    pub url: String,
    /// The change types to deliver; every type the caller's side may see when left out.
    #[serde(default)]
    pub types: Option<Vec<ChangeType>>,
    /// An area team's subscription: the areas it covers (all the caller's when left out).
    #[serde(default)]
    pub area_ids: Option<Vec<Uuid>>,
}

/// Whose changes a subscription delivers: an area team's or a municipal unit's.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionScope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_ids: Option<Vec<Uuid>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<MunicipalUnit>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Subscription {
    pub id: Uuid,
    pub url: String,
    pub types: Vec<ChangeType>,
    pub scope: SubscriptionScope,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The signing secret (`whsec_…`): only in the response that created the
    /// subscription. Keep it; it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionList {
    pub items: Vec<Subscription>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    /// Tried for 24 hours without success; retry it by hand.
    Failed,
}

/// One delivery of a change to a subscription, and how its attempts went.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    /// Also the `webhook-id` header the receiver gets.
    pub id: Uuid,
    #[serde(rename = "type")]
    pub change_type: ChangeType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    #[schema(required = true)]
    pub last_status_code: Option<i32>,
    #[schema(required = true)]
    pub last_error: Option<String>,
    #[schema(required = true)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When a pending delivery is tried next.
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
