//! `GET /webhook-subscriptions/{id}/deliveries` and retrying one.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{DeliveriesQuery, Delivery};
use super::view::{delivery_out, subscription_in_scope};
use crate::api::idempotency::Rendered;
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::{RateFailure, ReadFailures};
use crate::auth::{op, Allowed};
use crate::db::webhooks as store;
use crate::db::{self, Database};
use crate::error::ApiError;

/// The subscription's delivery log, newest first: each delivery's status, its
/// attempts, the last status code and time. Response bodies are not kept.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Subscription id"), DeliveriesQuery),
    responses(
        (status = 200, body = Page<Delivery>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/deliveries")]
pub async fn list_deliveries(
    caller: Allowed<op::ManageWebhooks>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let (before, limit) = (page.after.clone(), page.fetch_limit());
    let id = id.into_inner().to_string();
    let principal = caller.principal;
    let rows = db
        .run(move |connection| {
            subscription_in_scope(connection, &principal, &id)?;
            Ok(store::deliveries_page(connection, &id, before, limit)?)
        })
        .await?;
    let page = page.try_into_page(rows, |row| row.id.clone(), delivery_out)?;
    Ok(page_response(&req, page))
}

/// Sends a delivery again now (e.g. one that failed after 24 hours of tries);
/// its attempts start over.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "Subscription id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id"),
    ),
    responses((status = 200, body = Delivery), ReadFailures),
    security(("bearer" = []))
)]
#[post("/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    caller: Allowed<op::ManageWebhooks>,
    db: web::Data<Database>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let (id, delivery_id) = (id.to_string(), delivery_id.to_string());
    let principal = caller.principal;
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                subscription_in_scope(connection, &principal, &id)?;
                store::find_delivery(connection, &id, &delivery_id)?.ok_or(ApiError::NotFound)?;
                store::retry_now(connection, &delivery_id, db::now())?;
                store::find_delivery(connection, &id, &delivery_id)?.ok_or(ApiError::NotFound)
            })
        })
        .await?;
    Ok(Rendered::new(StatusCode::OK, &delivery_out(row)?)?.into_response())
}
