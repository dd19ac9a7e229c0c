//! Subscriptions in the caller's reach, and as responses.

use super::types::{Delivery, DeliveryStatus, Subscription, SubscriptionScope};
use crate::api::stored_uuid;
use crate::auth::policy::{manages_subscription, ChangeFeedScope};
use crate::auth::Principal;
use crate::db::changes::FeedScope;
use crate::db::webhooks::{self as store, DeliveryRow, SubscriptionRow};
use crate::db::{from_json, DbConnection};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::changes::ChangeType;
use crate::domain::municipality::MunicipalityCode;
use crate::error::ApiError;

fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored webhook data has an invalid {what}"))
}

/// Whose changes the subscription delivers, as the policy reads it.
pub(super) fn scope_of(row: &SubscriptionRow) -> Result<ChangeFeedScope, ApiError> {
    match row.feed_scope()? {
        FeedScope::Areas(areas) => Ok(ChangeFeedScope::Areas(areas)),
        FeedScope::Unit { municipality, unit } => Ok(ChangeFeedScope::Unit {
            municipality: MunicipalityCode::parse(&municipality)
                .map_err(|_| corrupt("municipality"))?,
            unit: MunicipalUnit::parse(&unit).map_err(|_| corrupt("unit"))?,
        }),
        FeedScope::Everything => Err(corrupt("scope")),
    }
}

/// The subscription if the caller manages it; 404 otherwise.
pub(super) fn subscription_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<SubscriptionRow, ApiError> {
    let row = store::find_subscription(connection, id)?.ok_or(ApiError::NotFound)?;
    if manages_subscription(principal, &scope_of(&row)?) {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

pub(super) fn subscription_out(
    row: SubscriptionRow,
    secret: Option<String>,
) -> Result<Subscription, ApiError> {
    let codes: Vec<String> = from_json(&row.change_types, "subscription types")?;
    let types = codes
        .iter()
        .map(|code| ChangeType::parse(code).ok_or_else(|| corrupt("change type")))
        .collect::<Result<_, _>>()?;
    let scope = match scope_of(&row)? {
        ChangeFeedScope::Areas(areas) => SubscriptionScope {
            area_ids: Some(
                areas
                    .iter()
                    .map(|id| stored_uuid(id))
                    .collect::<Result<_, _>>()?,
            ),
            municipality_code: None,
            unit: None,
        },
        ChangeFeedScope::Unit { municipality, unit } => SubscriptionScope {
            area_ids: None,
            municipality_code: Some(municipality.as_str().to_owned()),
            unit: Some(unit),
        },
        ChangeFeedScope::Nothing => return Err(corrupt("scope")),
    };
    Ok(Subscription {
        id: stored_uuid(&row.id)?,
        url: row.url,
        types,
        scope,
        created_by: row.created_by,
        created_at: row.created_at.and_utc(),
        secret,
    })
}

pub(super) fn delivery_out(row: DeliveryRow) -> Result<Delivery, ApiError> {
    let status = match row.status.as_str() {
        store::PENDING => DeliveryStatus::Pending,
        store::SUCCEEDED => DeliveryStatus::Succeeded,
        store::FAILED => DeliveryStatus::Failed,
        _ => return Err(corrupt("delivery status")),
    };
    Ok(Delivery {
        id: stored_uuid(&row.id)?,
        change_type: ChangeType::parse(&row.change_type).ok_or_else(|| corrupt("change type"))?,
        status,
        attempts: row.attempts,
        last_status_code: row.last_status_code,
        last_error: row.last_error,
        last_attempt_at: row.last_attempt_at.map(|at| at.and_utc()),
        next_attempt_at: (status == DeliveryStatus::Pending).then(|| row.next_attempt_at.and_utc()),
        created_at: row.created_at.and_utc(),
    })
}
