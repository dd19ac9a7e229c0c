//! `families/{id}/consents`, `consents/{id}` and a consent's withdrawal.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Consent, ConsentListQuery, NewConsent};
use super::view::{consent_in_scope, consent_out, family_in_scope, read_family, render_consent};
use crate::api::audit::AuditContext;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::{AddFailures, KeyReuseFailure, RateFailure, ReadFailures};
use crate::auth::{op, Allowed, Principal};
use crate::db::families::{self as store, ConsentRow};
use crate::db::referrals as referral_store;
use crate::db::{self, to_json, Database, DbConnection};
use crate::domain::family::{check_consent, ConsentRules, ConsentTerms};
use crate::domain::referral::RedactionReason;
use crate::error::ApiError;

/// The family's consents, with their state today.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id"), ConsentListQuery),
    responses(
        (status = 200, body = Page<Consent>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/consents")]
pub async fn list_consents(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<ConsentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let expiring = query.expiring_before.map(|before| (db::today(), before));
    let (after, limit) = (page.after.clone(), page.fetch_limit());
    let rows = db
        .run(move |connection| {
            read_family(connection, &principal, &audit, &id, "consent")?;
            Ok(store::consents_page(
                connection, &id, expiring, after, limit,
            )?)
        })
        .await?;
    let page = page.try_into_page(rows, |row| row.id.clone(), consent_out)?;
    Ok(page_response(&req, page))
}

/// Records a consent the family has given.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id"), IdempotencyKeyHeader),
    request_body = NewConsent,
    responses(
        (status = 201, body = Consent, headers(("Location" = String, description = "URL of the consent"))),
        AddFailures,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/consents")]
pub async fn add_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    rules: web::Data<ConsentRules>,
    body: json::Json<NewConsent>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let row = consent_row(id.into_inner(), body.into_inner(), **rules, &principal)?;
    let worker = principal.clone();
    let work = move |connection: &mut _| {
        family_in_scope(connection, &worker, &row.family_id)?;
        store::insert_consent(connection, &row)?;
        store::touch(connection, &row.family_id, row.recorded_at)?;
        Ok(Outcome::created(row.id))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render_consent(
                connection,
                &principal,
                &audit,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}

/// The stored form of a new consent of family `family_id`, its terms checked.
fn consent_row(
    family_id: Uuid,
    new: NewConsent,
    rules: ConsentRules,
    principal: &Principal,
) -> Result<ConsentRow, ApiError> {
    let terms = ConsentTerms {
        categories: &new.data_categories,
        valid_from: new.valid_from,
        valid_until: new.valid_until,
        given_as: new.given_as,
        given_by: &new.given_by,
        document_reference: new.document_reference.as_deref(),
    };
    let checked = check_consent(&terms, rules, db::today()).map_err(ApiError::Validation)?;
    let codes: Vec<&str> = checked
        .categories
        .iter()
        .map(|category| category.code())
        .collect();
    Ok(ConsentRow {
        id: Uuid::now_v7().to_string(),
        family_id: family_id.to_string(),
        receiving_unit: new.receiving_unit.code().to_owned(),
        purpose: new.purpose.code().to_owned(),
        data_categories: to_json(&codes),
        valid_from: new.valid_from,
        valid_until: new.valid_until,
        given_as: new.given_as.code().to_owned(),
        recorded_by: principal.subject.clone(),
        recorded_at: db::now(),
        withdrawn_at: None,
        withdrawn_by: None,
        given_by_name: Some(checked.given_by_name),
        given_by_relation: Some(new.given_by.relation.code().to_owned()),
        document_reference: checked.document_reference,
    })
}

/// One consent.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Consent id")),
    responses((status = 200, body = Consent), ReadFailures),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let mut rendered = db
        .run(move |connection| render_consent(connection, &principal, &audit, &id, StatusCode::OK))
        .await?;
    rendered.location = None;
    Ok(rendered.into_response())
}

/// Withdraws a consent from now on: it can no longer be used, and receivers of
/// referrals it covered lose the shared data. Withdrawing again changes nothing (200).
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Consent id"), IdempotencyKeyHeader),
    responses(
        (status = 200, body = Consent, description = "It was already withdrawn"),
        (status = 201, body = Consent, headers(("Location" = String, description = "URL of the consent"))),
        ReadFailures, KeyReuseFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/withdrawal")]
pub async fn withdraw_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, &serde_json::Value::Null)?;
    let id = id.into_inner().to_string();
    let worker = principal.clone();
    let work = move |connection: &mut _| withdraw(connection, &worker, &id);
    request
        .run(&db, work, move |connection, outcome| {
            render_consent(
                connection,
                &principal,
                &audit,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}

/// Withdraws consent `id` and redacts what receivers of referrals under it see.
fn withdraw(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<Outcome, ApiError> {
    let (consent, _) = consent_in_scope(connection, principal, id)?;
    if consent.withdrawn_at.is_some() {
        return Ok(Outcome::ok(consent.id));
    }
    let now = db::now();
    store::withdraw_consent(connection, id, now, &principal.subject)?;
    store::touch(connection, &consent.family_id, now)?;
    let reason = RedactionReason::ConsentWithdrawn;
    for referral in referral_store::covered_by_consent(connection, id)? {
        let event = referral_store::redaction_event(&referral, reason, &principal.subject, now);
        referral_store::redact(connection, &referral, reason.code(), &event)?;
    }
    Ok(Outcome::created(consent.id))
}
