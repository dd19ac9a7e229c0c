//! `families/{id}/consents`, `consents/{id}` and a consent's withdrawal.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Consent, NewConsent};
use super::view::{consent_in_scope, consent_out, family_in_scope};
use crate::api::audit::AuditContext;
use crate::api::json;
use crate::api::responses::{AddFailures, ReadFailures};
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, ConsentRow};
use crate::db::{self, to_json, Database};
use crate::domain::family::validate_consent_terms;
use crate::error::ApiError;

/// The family's consents, with their state today.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    responses(
        (status = 200, body = Vec<Consent>),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/families/{id}/consents")]
pub async fn list_consents(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rows = db
        .run(move |connection| {
            family_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "consent", None, Some(&id))?;
            Ok(store::consents_of(connection, &id)?)
        })
        .await?;
    let consents = rows
        .into_iter()
        .map(consent_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::build(StatusCode::OK).json(consents))
}

/// Records a consent the family has given.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    request_body = NewConsent,
    responses(
        (status = 201, body = Consent, headers(("Location" = String, description = "URL of the consent"))),
        AddFailures,
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/consents")]
pub async fn add_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewConsent>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let family_id = id.into_inner().to_string();
    let body = body.into_inner();
    let categories = validate_consent_terms(
        &body.data_categories,
        body.valid_from,
        body.valid_until,
        db::today(),
    )
    .map_err(ApiError::Validation)?;
    let codes: Vec<&str> = categories.iter().map(|category| category.code()).collect();
    let row = ConsentRow {
        id: Uuid::now_v7().to_string(),
        family_id: family_id.clone(),
        receiving_unit: body.receiving_unit.code().to_owned(),
        purpose: body.purpose.code().to_owned(),
        data_categories: to_json(&codes),
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        given_as: body.given_as.code().to_owned(),
        recorded_by: principal.subject.clone(),
        recorded_at: db::now(),
        withdrawn_at: None,
        withdrawn_by: None,
    };
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                family_in_scope(connection, &principal, &family_id)?;
                store::insert_consent(connection, &row)?;
                audit.allowed(connection, "consent", Some(&row.id), Some(&family_id))?;
                store::touch(connection, &family_id, row.recorded_at)?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/consents/{}", row.id);
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, location))
        .json(consent_out(row)?))
}

/// One consent.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Consent id")),
    responses(
        (status = 200, body = Consent),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/consents/{id}")]
pub async fn get_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let row = db
        .run(move |connection| {
            let row = consent_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "consent", Some(&id), Some(&row.family_id))?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::build(StatusCode::OK).json(consent_out(row)?))
}

/// Withdraws a consent from now on: it can no longer be used. Withdrawing again
/// changes nothing (200).
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Consent id")),
    responses(
        (status = 200, body = Consent, description = "It was already withdrawn"),
        (status = 201, body = Consent, headers(("Location" = String, description = "URL of the consent"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[post("/consents/{id}/withdrawal")]
pub async fn withdraw_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let (row, withdrawn_now) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let consent = consent_in_scope(connection, &principal, &id)?;
                audit.allowed(connection, "consent", Some(&id), Some(&consent.family_id))?;
                if consent.withdrawn_at.is_some() {
                    return Ok((consent, false));
                }
                let now = db::now();
                store::withdraw_consent(connection, &id, now, &principal.subject)?;
                store::touch(connection, &consent.family_id, now)?;
                let withdrawn = store::find_consent(connection, &id)?.ok_or(ApiError::NotFound)?;
                Ok((withdrawn, true))
            })
        })
        .await?;
    let mut response = HttpResponse::build(if withdrawn_now {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    });
    if withdrawn_now {
        response.insert_header((header::LOCATION, format!("/api/v1/consents/{}", row.id)));
    }
    Ok(response.json(consent_out(row)?))
}
