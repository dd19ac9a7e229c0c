//! Listing, adding, reading and changing partners.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{NewPartner, PartnerChanges, RegisteredPartner};
use crate::api::areas::view::{area_for_team, area_for_work};
use crate::api::etag::IfMatch;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome, Rendered};
use crate::api::pagination::{page_response, Page, PageQuery};
use crate::api::responses::{AddFailures, RateFailure, ReadFailures, UpdateFailures};
use crate::api::{json, query, stored_uuid};
use crate::auth::policy::reaches_families_of;
use crate::auth::{op, Allowed, Principal};
use crate::db::partners::{self as store, PartnerRow};
use crate::db::{self, Database, DbConnection};
use crate::domain::initiative::PartnerKind;
use crate::domain::validation::{guarded_text, optional_guarded_text, Violations};
use crate::error::ApiError;

const NAME_MAX_CHARS: usize = 200;
const ROLE_MAX_CHARS: usize = 500;

fn partner_out(row: PartnerRow) -> Result<RegisteredPartner, ApiError> {
    Ok(RegisteredPartner {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        name: row.name,
        kind: PartnerKind::parse(&row.kind)
            .ok_or_else(|| ApiError::internal("stored partner has an invalid kind"))?,
        role: row.role,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// The partner if the caller reaches its area's work; 404 otherwise.
fn find_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<PartnerRow, ApiError> {
    let partner = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    area_for_work(connection, principal, &partner.area_id)?;
    Ok(partner)
}

fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let row = find_in_scope(connection, principal, id)?;
    let version = row.version;
    let location = format!("/api/v1/partners/{}", row.id);
    Ok(Rendered::new(status, &partner_out(row)?)?
        .with_etag(version)
        .located_at(|| location))
}

/// Name, kind and role, checked.
fn checked(name: &str, role: Option<&str>) -> Result<(String, Option<String>), ApiError> {
    let mut violations = Violations::new();
    let name = violations.check("name", guarded_text(name, NAME_MAX_CHARS));
    let role = role
        .and_then(|role| violations.check("role", optional_guarded_text(role, ROLE_MAX_CHARS)))
        .filter(|role| !role.is_empty());
    violations.finish().map_err(ApiError::Validation)?;
    Ok((name.unwrap_or_default(), role))
}

/// The area's partners by name: both sides and analysts read the register.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id"), PageQuery),
    responses(
        (status = 200, body = Page<RegisteredPartner>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/partners")]
pub async fn list_partners(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let area_id = id.into_inner().to_string();
    let page = query.into_inner().page()?;
    let (after, limit) = (page.after_pair()?, page.fetch_limit());
    let rows = db
        .run(move |connection| {
            area_for_work(connection, &principal, &area_id)?;
            Ok(store::list(connection, &area_id, after, limit)?)
        })
        .await?;
    let key = |row: &PartnerRow| format!("{}|{}", row.name, row.id);
    Ok(page_response(
        &req,
        page.try_into_page(rows, key, partner_out)?,
    ))
}

/// Adds an organisation to the register of an area the caller works in.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id"), IdempotencyKeyHeader),
    request_body = NewPartner,
    responses(
        (status = 201, body = RegisteredPartner, headers(
            ("Location" = String, description = "URL of the new partner"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        AddFailures,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/partners")]
pub async fn add_partner(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewPartner>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let checked = checked(&new.name, new.role.as_deref());
    let area_id = id.into_inner().to_string();
    let worker = principal.clone();
    let work = move |connection: &mut DbConnection| {
        area_for_team(connection, &worker, &area_id)?;
        let (name, role) = checked?;
        let now = db::now();
        let row = PartnerRow {
            id: Uuid::now_v7().to_string(),
            area_id,
            name,
            kind: new.kind.code().to_owned(),
            role,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert(connection, &row)?;
        Ok(Outcome::created(row.id).at_version(row.version))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(connection, &principal, &outcome.resource_id, outcome.status)
        })
        .await
}

#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Partner id")),
    responses(
        (status = 200, body = RegisteredPartner, headers(("ETag" = String, description = "Current version, for If-Match"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_partner(
    caller: Allowed<op::ReadInitiatives>,
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

/// Changes a partner's name, kind or role (the area's housing-social workers).
#[utoipa::path(
    tag = "areas",
    params(
        ("id" = Uuid, Path, description = "Partner id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = PartnerChanges,
    responses(
        (status = 200, body = RegisteredPartner, headers(("ETag" = String, description = "The new version"))),
        UpdateFailures,
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_partner(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<PartnerChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let rendered = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = find_in_scope(connection, &principal, &id)?;
                if !reaches_families_of(&principal, &current.area_id) {
                    return Err(ApiError::NotFound);
                }
                let name = changes.name.unwrap_or_else(|| current.name.clone());
                let role = changes.role.unwrap_or_else(|| current.role.clone());
                let (name, role) = checked(&name, role.as_deref())?;
                if_match.check(current.version)?;
                let row = PartnerRow {
                    name,
                    role,
                    kind: changes
                        .kind
                        .map_or_else(|| current.kind.clone(), |kind| kind.code().to_owned()),
                    version: current.version + 1,
                    updated_at: db::now(),
                    ..current.clone()
                };
                if !store::replace_if_version(connection, &row, current.version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                render(connection, &principal, &row.id, StatusCode::OK)
            })
        })
        .await?;
    Ok(rendered.into_response())
}
