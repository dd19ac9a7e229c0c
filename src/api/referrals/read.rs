//! `GET /referrals/{id}` and `GET /referrals/{id}/events`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Referral, ReferralEvent};
use super::view::{events_out, referral_in_scope, stored, view};
use crate::api::audit::AuditContext;
use crate::api::responses::ReadFailures;
use crate::auth::{op, Allowed};
use crate::db::referrals as store;
use crate::db::Database;
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
#[get("/referrals/{id}")]
pub async fn get_referral(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let mut response = db
        .run(move |connection| {
            let (row, side) = referral_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "referral", Some(&id), row.family_id.as_deref())?;
            let referral = view(connection, &row, side)?;
            stored(StatusCode::OK, &referral, row.version)
        })
        .await?;
    response.location = None;
    Ok(response.into_response())
}

/// Every status change of the referral: who, which side, when, from, to, why.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "Referral id")),
    responses((status = 200, body = Vec<ReferralEvent>), ReadFailures),
    security(("bearer" = []))
)]
#[get("/referrals/{id}/events")]
pub async fn referral_events(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rows = db
        .run(move |connection| {
            let (row, _) = referral_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "referral", Some(&id), row.family_id.as_deref())?;
            Ok(store::events_of(connection, &id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(events_out(rows)?))
}
