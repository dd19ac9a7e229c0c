//! `POST`, `GET` and `DELETE /webhook-subscriptions`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{NewSubscription, Subscription, SubscriptionList};
use super::view::{scope_of, subscription_in_scope, subscription_out};
use crate::api::changes::feed_scope;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome, Rendered};
use crate::api::json;
use crate::api::responses::{ConflictFailure, CreateFailures, ReadFailures};
use crate::auth::policy::{
    change_feed_scope, change_types_for, manages_subscription, ChangeFeedScope,
};
use crate::auth::{op, Allowed, Principal};
use crate::db::sealed::DataKeys;
use crate::db::webhooks::{self as store, SubscriptionRow};
use crate::db::{self, to_json, Database, DbConnection};
use crate::domain::validation::Violations;
use crate::domain::webhooks::{new_secret, AllowedHosts};
use crate::error::ApiError;

/// The scope a new subscription covers: the caller's unit, or the areas it
/// names (each one the caller works in; all of them by default).
fn requested_scope(
    principal: &Principal,
    area_ids: Option<Vec<Uuid>>,
    violations: &mut Violations,
) -> ChangeFeedScope {
    match (change_feed_scope(principal), area_ids) {
        (ChangeFeedScope::Areas(own), Some(requested)) => {
            let requested: Vec<String> = requested.iter().map(Uuid::to_string).collect();
            if requested.is_empty() || requested.iter().any(|area| !own.contains(area)) {
                violations.add("area_ids", "name one or more of the areas you work in");
            }
            ChangeFeedScope::Areas(requested)
        }
        (ChangeFeedScope::Unit { .. }, Some(_)) => {
            violations.add(
                "area_ids",
                "a municipal unit subscribes for itself; leave area_ids out",
            );
            change_feed_scope(principal)
        }
        (scope, _) => scope,
    }
}

/// Subscribes a URL to the changes the caller's area team or municipal unit
/// may see. The response carries the signing secret, once. Deliveries are
/// signed per the Standard Webhooks specification (`webhook-id`,
/// `webhook-timestamp`, `webhook-signature`), sent at least once, and retried
/// with exponential backoff for 24 hours.
#[utoipa::path(
    tag = "webhooks",
    params(IdempotencyKeyHeader),
    request_body = NewSubscription,
    responses(
        (status = 201, body = Subscription, headers(("Location" = String, description = "URL of the subscription"))),
        CreateFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_subscription(
    caller: Allowed<op::ManageWebhooks>,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    allowed: web::Data<AllowedHosts>,
    req: HttpRequest,
    body: json::Json<NewSubscription>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let mut violations = Violations::new();
    let url = violations.check("url", allowed.check(new.url.trim()));
    let scope = requested_scope(&principal, new.area_ids, &mut violations);
    let visible = change_types_for(&scope);
    let types = new.types.unwrap_or_else(|| visible.clone());
    if types.is_empty() {
        violations.add("types", "name at least one change type");
    }
    for change in &types {
        if !visible.contains(change) {
            violations.add(
                "types",
                format!("your side is not told of {}", change.code()),
            );
        }
    }
    violations.finish().map_err(ApiError::Validation)?;
    let mut codes: Vec<&str> = types.iter().map(|change| change.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    let id = Uuid::now_v7().to_string();
    let secret_sealed = keys.seal(&new_secret(), &id).map_err(ApiError::internal)?;
    let (scope_areas, scope_municipality, scope_unit) = match &scope {
        ChangeFeedScope::Areas(areas) => (Some(to_json(areas)), None, None),
        ChangeFeedScope::Unit { municipality, unit } => (
            None,
            Some(municipality.as_str().to_owned()),
            Some(unit.code().to_owned()),
        ),
        ChangeFeedScope::Nothing => return Err(ApiError::Forbidden),
    };
    let row = SubscriptionRow {
        id,
        url: url.map(String::from).unwrap_or_default(),
        secret_sealed,
        change_types: to_json(&codes),
        scope_areas,
        scope_municipality,
        scope_unit,
        created_by: principal.subject.clone(),
        created_at: db::now(),
    };
    let work = move |connection: &mut DbConnection| {
        store::insert_subscription(connection, &row)?;
        Ok(Outcome::created(row.id))
    };
    request
        .run(&db, work, move |connection, outcome| {
            let row = subscription_in_scope(connection, &principal, &outcome.resource_id)?;
            let secret = keys
                .open(&row.secret_sealed, &row.id)
                .map_err(ApiError::internal)?;
            let location = format!("/api/v1/webhook-subscriptions/{}", row.id);
            Rendered::new(outcome.status, &subscription_out(row, Some(secret))?)
                .map(|rendered| rendered.located_at(|| location))
        })
        .await
}

/// The subscriptions the caller manages: its unit's, or its areas' teams'.
#[utoipa::path(
    tag = "webhooks",
    responses((status = 200, body = SubscriptionList), ReadFailures),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_subscriptions(
    caller: Allowed<op::ManageWebhooks>,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let scope = feed_scope(change_feed_scope(&principal)).ok_or(ApiError::Forbidden)?;
    let rows = db
        .run(move |connection| Ok(store::subscriptions_of(connection, &scope)?))
        .await?;
    let mut items = Vec::new();
    for row in rows {
        if manages_subscription(&principal, &scope_of(&row)?) {
            items.push(subscription_out(row, None)?);
        }
    }
    Ok(HttpResponse::Ok().json(SubscriptionList { items }))
}

/// One subscription (without its secret).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses((status = 200, body = Subscription), ReadFailures),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_subscription(
    caller: Allowed<op::ManageWebhooks>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let principal = caller.principal;
    let row = db
        .run(move |connection| subscription_in_scope(connection, &principal, &id))
        .await?;
    Ok(Rendered::new(StatusCode::OK, &subscription_out(row, None)?)?.into_response())
}

/// Ends a subscription; its pending deliveries are not sent.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses((status = 204, description = "Deleted"), ReadFailures),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_subscription(
    caller: Allowed<op::ManageWebhooks>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let principal = caller.principal;
    db.run(move |connection| {
        db::write_transaction(connection, |connection| {
            subscription_in_scope(connection, &principal, &id)?;
            store::delete_subscription(connection, &id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
