//! `GET /referrals/{id}` and `GET /referrals/{id}/events`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Referral, ReferralEvent};
use super::view::{current, events_out, hidden_reasons, referral_in_scope, render};
use crate::api::audit::{Access, AuditContext};
use crate::api::pagination::{page_response, Page, PageQuery};
use crate::api::query;
use crate::api::responses::{RateFailure, ReadFailures};
use crate::auth::{op, Allowed};
use crate::db::referrals as store;
use crate::db::{self, Database};
use crate::error::ApiError;

/// One referral, as the caller's end sees it.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "Referral id")),
    responses(
        (status = 200, body = Referral, headers(("ETag" = String, description = "Current version"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_referral(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rendered = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                render(connection, &principal, &audit, &id, StatusCode::OK)
            })
        })
        .await?;
    Ok(rendered.into_response())
}

/// Every change of the referral, in order: who, which side, when, from, to,
/// why — and when its receiver's view was redacted.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "Referral id"), PageQuery),
    responses(
        (status = 200, body = Page<ReferralEvent>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/events")]
pub async fn referral_events(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let page = query.into_inner().page()?;
    let (after, limit) = (page.after.clone(), page.fetch_limit());
    let (rows, hidden) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let (row, side) = referral_in_scope(connection, &principal, &id)?;
                let family = row.family_id.as_deref();
                let access = Access::new("referral", &row.id, &row.area_id).of_family(family);
                audit.allowed(connection, access)?;
                let row = current(connection, row)?;
                let hidden = hidden_reasons(&row, side)?;
                Ok((store::events_page(connection, &id, after, limit)?, hidden))
            })
        })
        .await?;
    let page = page.into_page(rows, |row| row.id.clone(), |row| row);
    let items = events_out(page.items, hidden)?;
    Ok(page_response(
        &req,
        Page {
            items,
            next_cursor: page.next_cursor,
        },
    ))
}
