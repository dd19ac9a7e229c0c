//! Cooperation agreements: list, draft, read, change, sign, revise.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{AgreementChanges, CooperationAgreement, Signature};
use crate::api::areas::view::area_for_work;
use crate::api::etag::IfMatch;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome, Rendered};
use crate::api::municipalities::view::settings_of;
use crate::api::pagination::{page_response, Page, PageQuery};
use crate::api::responses::{
    AddFailures, ConflictFailure, KeyReuseFailure, RateFailure, ReadFailures, UpdateFailures,
};
use crate::api::{json, query, stored_uuid};
use crate::auth::policy::{sees_agreement, side_of, signs_for_its_side, unit_of};
use crate::auth::{op, Allowed, Principal};
use crate::db::agreements::{self as store, AgreementRow, SignatureRow};
use crate::db::areas::AreaRow;
use crate::db::{self, from_json, to_json, Database, DbConnection};
use crate::domain::agreement::{
    ensure_change, status_after_signing, AgreementStatus, AgreementTerms,
};
use crate::domain::assessment::Side;
use crate::domain::catalog::MunicipalUnit;
use crate::error::ApiError;

fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored agreement has an invalid {what}"))
}

fn status_of(row: &AgreementRow) -> Result<AgreementStatus, ApiError> {
    AgreementStatus::parse(&row.status).ok_or_else(|| corrupt("status"))
}

/// The agreement and its area if the caller may see it; 404 otherwise.
fn find_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(AgreementRow, AreaRow), ApiError> {
    let row = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    let area = area_for_work(connection, principal, &row.area_id)?;
    if !sees_agreement(principal, status_of(&row)?) {
        return Err(ApiError::NotFound);
    }
    Ok((row, area))
}

fn agreement_out(
    connection: &mut DbConnection,
    row: AgreementRow,
) -> Result<CooperationAgreement, ApiError> {
    let signatures = store::signatures_of(connection, &row.id)?
        .into_iter()
        .map(|signature| {
            Ok(Signature {
                side: Side::parse(&signature.side).ok_or_else(|| corrupt("side"))?,
                unit: signature
                    .unit
                    .as_deref()
                    .map(|unit| MunicipalUnit::parse(unit).map_err(|_| corrupt("unit")))
                    .transpose()?,
                signed_at: signature.signed_at.and_utc(),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    let superseded_by = store::live_revision_of(connection, &row.id)?;
    Ok(CooperationAgreement {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        status: status_of(&row)?,
        terms: from_json(&row.terms, "agreement terms")?,
        signatures,
        supersedes: row.supersedes_id.as_deref().map(stored_uuid).transpose()?,
        superseded_by: superseded_by.as_deref().map(stored_uuid).transpose()?,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let (row, _) = find_in_scope(connection, principal, id)?;
    let version = row.version;
    let location = format!("/api/v1/cooperation-agreements/{}", row.id);
    Ok(Rendered::new(status, &agreement_out(connection, row)?)?
        .with_etag(version)
        .located_at(|| location))
}

fn new_row(area_id: String, terms: &AgreementTerms, supersedes: Option<String>) -> AgreementRow {
    let now = db::now();
    AgreementRow {
        id: Uuid::now_v7().to_string(),
        area_id,
        status: AgreementStatus::Draft.code().to_owned(),
        terms: to_json(terms),
        supersedes_id: supersedes,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// The area's cooperation agreements (analysts: agreed ones only).
#[utoipa::path(
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Area id"), PageQuery),
    responses(
        (status = 200, body = Page<CooperationAgreement>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/cooperation-agreements")]
pub async fn list_agreements(
    caller: Allowed<op::ReadAgreements>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let area_id = id.into_inner().to_string();
    let page = query.into_inner().page()?;
    let (after, limit) = (page.after.clone(), page.fetch_limit());
    let items = db
        .run(move |connection| {
            area_for_work(connection, &principal, &area_id)?;
            let agreed_only = [AgreementStatus::Agreed.code()];
            let statuses =
                (!sees_agreement(&principal, AgreementStatus::Draft)).then_some(&agreed_only[..]);
            let rows = store::of_area(connection, &area_id, statuses, after.as_deref(), limit)?;
            rows.into_iter()
                .map(|row| {
                    let key = row.id.clone();
                    agreement_out(connection, row).map(|agreement| (key, agreement))
                })
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    let key = |(key, _): &(String, CooperationAgreement)| key.clone();
    Ok(page_response(
        &req,
        page.into_page(items, key, |(_, agreement)| agreement),
    ))
}

/// Drafts an agreement for an area of the caller's (either side).
#[utoipa::path(
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Area id"), IdempotencyKeyHeader),
    request_body = AgreementTerms,
    responses(
        (status = 201, body = CooperationAgreement, headers(
            ("Location" = String, description = "URL of the agreement"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        AddFailures,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/cooperation-agreements")]
pub async fn draft_agreement(
    caller: Allowed<op::WriteAgreements>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<AgreementTerms>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let terms = body.into_inner().validate().map_err(ApiError::Validation);
    let area_id = id.into_inner().to_string();
    let drafter = principal.clone();
    let work = move |connection: &mut DbConnection| {
        area_for_work(connection, &drafter, &area_id)?;
        let terms = terms?;
        let row = new_row(area_id, &terms, None);
        store::insert(connection, &row)?;
        Ok(Outcome::created(row.id).at_version(1))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(connection, &principal, &outcome.resource_id, outcome.status)
        })
        .await
}

#[utoipa::path(
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Agreement id")),
    responses(
        (status = 200, body = CooperationAgreement, headers(("ETag" = String, description = "Current version, for If-Match"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_agreement(
    caller: Allowed<op::ReadAgreements>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let rendered = db
        .run(move |connection| render(connection, &principal, &id, StatusCode::OK))
        .await?;
    Ok(rendered.into_response())
}

/// Replaces the terms of a draft (or of one in review: the signatures given
/// are withdrawn), or withdraws it. Agreed agreements do not change (409).
#[utoipa::path(
    tag = "agreements",
    params(
        ("id" = Uuid, Path, description = "Agreement id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = AgreementChanges,
    responses(
        (status = 200, body = CooperationAgreement, headers(("ETag" = String, description = "The new version"))),
        UpdateFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_agreement(
    caller: Allowed<op::WriteAgreements>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<AgreementChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner().to_string();
    let changes = body.into_inner();

    let rendered = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let (current, _) = find_in_scope(connection, &principal, &id)?;
                let terms = changes
                    .terms
                    .clone()
                    .map(|terms| terms.validate().map_err(ApiError::Validation))
                    .transpose()?;
                let from = status_of(&current)?;
                let to = changes.status.unwrap_or(from);
                ensure_change(from, to).map_err(ApiError::Conflict)?;
                if_match.check(current.version)?;
                let edited = terms.is_some();
                let row = AgreementRow {
                    terms: terms
                        .as_ref()
                        .map_or_else(|| current.terms.clone(), to_json),
                    status: if edited && to == AgreementStatus::InReview {
                        AgreementStatus::Draft.code().to_owned()
                    } else {
                        to.code().to_owned()
                    },
                    version: current.version + 1,
                    updated_at: db::now(),
                    ..current.clone()
                };
                if !store::replace_if_version(connection, &row, current.version, edited)? {
                    return Err(ApiError::PreconditionFailed);
                }
                render(connection, &principal, &row.id, StatusCode::OK)
            })
        })
        .await?;
    Ok(rendered.into_response())
}

/// Signs for the caller's side. One side's signature puts it in review; both
/// make it agreed; signing again is idempotent (200). For the municipality only
/// its signatory units sign (the municipality's settings).
#[utoipa::path(
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Agreement id"), IdempotencyKeyHeader),
    responses(
        (status = 200, body = CooperationAgreement, description = "This side had already signed; nothing changed"),
        (status = 201, body = CooperationAgreement, headers(
            ("Location" = String, description = "URL of the agreement"),
            ("ETag" = String, description = "The new version"),
        )),
        ReadFailures, ConflictFailure, KeyReuseFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/approvals")]
pub async fn sign_agreement(
    caller: Allowed<op::WriteAgreements>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = side_of(&principal).ok_or(ApiError::Forbidden)?;
    let request = IdempotentRequest::new(&req, &principal, &serde_json::Value::Null)?;
    let id = id.into_inner().to_string();
    let signer = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let (current, area) = find_in_scope(connection, &signer, &id)?;
        let (settings, _) = settings_of(connection, &area.municipality_code)?;
        if !signs_for_its_side(&signer, &settings) {
            return Err(ApiError::ForbiddenBecause(format!(
                "your unit does not sign for municipality {}; its signatory units are {}",
                area.municipality_code,
                settings
                    .signatory_units
                    .iter()
                    .map(|unit| unit.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let signed: Vec<Side> = store::signatures_of(connection, &current.id)?
            .iter()
            .filter_map(|signature| Side::parse(&signature.side))
            .collect();
        let status = status_after_signing(status_of(&current)?, &signed, side)
            .map_err(ApiError::Conflict)?;
        if signed.contains(&side) {
            return Ok(Outcome::ok(current.id));
        }
        store::insert_signature(
            connection,
            &SignatureRow {
                agreement_id: current.id.clone(),
                side: side.code().to_owned(),
                unit: unit_of(&signer).map(|unit| unit.code().to_owned()),
                signed_by: signer.subject.clone(),
                signed_at: db::now(),
            },
        )?;
        let row = AgreementRow {
            status: status.code().to_owned(),
            version: current.version + 1,
            updated_at: db::now(),
            ..current.clone()
        };
        if !store::replace_if_version(connection, &row, current.version, false)? {
            return Err(ApiError::PreconditionFailed);
        }
        Ok(Outcome::created(row.id).at_version(row.version))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(connection, &principal, &outcome.resource_id, outcome.status)
        })
        .await
}

/// Drafts a revision of an agreed agreement; it supersedes it once agreed.
/// One live revision at a time (409).
#[utoipa::path(
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Agreement id"), IdempotencyKeyHeader),
    request_body = AgreementTerms,
    responses(
        (status = 201, body = CooperationAgreement, headers(
            ("Location" = String, description = "URL of the revision"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/revisions")]
pub async fn revise_agreement(
    caller: Allowed<op::WriteAgreements>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<AgreementTerms>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let terms = body.into_inner().validate().map_err(ApiError::Validation);
    let id = id.into_inner().to_string();
    let drafter = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let (current, _) = find_in_scope(connection, &drafter, &id)?;
        let terms = terms?;
        if status_of(&current)? != AgreementStatus::Agreed {
            return Err(ApiError::Conflict(
                "only an agreed agreement is revised; edit a draft instead".into(),
            ));
        }
        if let Some(live) = store::live_revision_of(connection, &current.id)? {
            return Err(ApiError::Conflict(format!(
                "revision {live} is under way; change that one"
            )));
        }
        let row = new_row(current.area_id.clone(), &terms, Some(current.id));
        store::insert(connection, &row)?;
        Ok(Outcome::created(row.id).at_version(1))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(connection, &principal, &outcome.resource_id, outcome.status)
        })
        .await
}
