//! Prospects: list, record, read, erase, and the steps of reaching them.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{NewProspect, NewStep, Prospect, ProspectListQuery, ProspectStep};
use crate::api::areas::view::working_area;
use crate::api::audit::{Access, AuditContext};
use crate::api::etag::IfMatch;
use crate::api::families::view::current_year;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome, Rendered};
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::responses::{
    AddFailures, ConflictFailure, CreateFailures, DeleteFailures, RateFailure, ReadFailures,
};
use crate::api::{json, query, stored_uuid};
use crate::auth::policy::{family_areas, guards_family_of, reaches_families_of};
use crate::auth::{op, Allowed, Principal};
use crate::db::areas::{self as area_store, AreaRow};
use crate::db::families::{self as family_store, FamilyRow};
use crate::db::prospects::{self as store, ProspectRow, StepRow};
use crate::db::{self, Database, DbConnection};
use crate::domain::prospect::{ensure_step, ProspectStatus, SourceKind, StepKind};
use crate::domain::validation::{guarded_text, Violations};
use crate::error::ApiError;

fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored prospect has an invalid {what}"))
}

fn status_of(row: &ProspectRow) -> Result<ProspectStatus, ApiError> {
    ProspectStatus::parse(&row.status).ok_or_else(|| corrupt("status"))
}

pub(super) fn prospect_out(row: ProspectRow, steps: Vec<StepRow>) -> Result<Prospect, ApiError> {
    let status = status_of(&row)?;
    Ok(Prospect {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        display_name: row.display_name.unwrap_or_default(),
        source_kind: SourceKind::parse(&row.source_kind).ok_or_else(|| corrupt("source"))?,
        status,
        next: status.next(),
        fathers_targeted: row.fathers_targeted != 0,
        identified_on: row.identified_on,
        engaged_on: row.engaged_on,
        family_id: row.family_id.as_deref().map(stored_uuid).transpose()?,
        steps: steps
            .into_iter()
            .map(|step| {
                Ok(ProspectStep {
                    occurred_on: step.occurred_on,
                    kind: StepKind::parse(&step.kind).ok_or_else(|| corrupt("step kind"))?,
                    status: ProspectStatus::parse(&step.status_after)
                        .ok_or_else(|| corrupt("step status"))?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// The prospect if the caller works in its area; 404 otherwise.
fn find_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<ProspectRow, ApiError> {
    store::find(connection, id)?
        .filter(|prospect| reaches_families_of(principal, &prospect.area_id))
        .ok_or(ApiError::NotFound)
}

/// The prospect and its area if the caller guards its data: a worker of the
/// area, or the data protection officer of the area's housing organisation;
/// 404 otherwise.
pub(super) fn guarded_prospect(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(ProspectRow, AreaRow), ApiError> {
    let prospect = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    let area = area_store::find(connection, &prospect.area_id)?.ok_or(ApiError::NotFound)?;
    if !guards_family_of(principal, &area.id, &area.organisation_code) {
        return Err(ApiError::NotFound);
    }
    Ok((prospect, area))
}

/// Prospect `id` as a response, its reading audited.
fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let row = find_in_scope(connection, principal, id)?;
    let access = Access::new("prospect", &row.id, &row.area_id).of_family(row.family_id.as_deref());
    audit.allowed(connection, access)?;
    let steps = store::steps_of(connection, &row.id)?;
    let (version, location) = (row.version, format!("/api/v1/prospects/{}", row.id));
    Ok(Rendered::new(status, &prospect_out(row, steps)?)?
        .with_etag(version)
        .located_at(|| location))
}

/// The prospects of the caller's areas (individual data: the areas'
/// housing-social workers only).
#[utoipa::path(
    tag = "prospects",
    params(ProspectListQuery),
    responses(
        (status = 200, body = Page<Prospect>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_prospects(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    query: query::Query<ProspectListQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let shown_page = page.clone();
    let (after, limit) = (page.after.clone(), page.fetch_limit());
    let mut areas = family_areas(&principal);
    if let Some(area) = query.area_id {
        areas.retain(|id| *id == area.to_string());
    }
    let rows = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let rows = store::list(
                    connection,
                    &areas,
                    query.status.map(ProspectStatus::code),
                    after.as_deref(),
                    limit,
                )?;
                let mut listed = Vec::with_capacity(rows.len());
                for row in rows {
                    let steps = store::steps_of(connection, &row.id)?;
                    listed.push((row, steps));
                }
                let accesses = shown_page.shown(&listed).iter().map(|(row, _)| {
                    Access::new("prospect", &row.id, &row.area_id)
                        .of_family(row.family_id.as_deref())
                });
                audit.allowed_each(connection, accesses)?;
                Ok(listed)
            })
        })
        .await?;
    let key = |(row, _): &(ProspectRow, Vec<StepRow>)| row.id.clone();
    let shown = |(row, steps)| prospect_out(row, steps);
    Ok(page_response(&req, page.try_into_page(rows, key, shown)?))
}

/// Records a family the team wants to reach, with the kind of source that
/// pointed it out.
#[utoipa::path(
    tag = "prospects",
    params(IdempotencyKeyHeader),
    request_body = NewProspect,
    responses(
        (status = 201, body = Prospect, headers(
            ("Location" = String, description = "URL of the new prospect"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        CreateFailures,
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_prospect(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    body: json::Json<NewProspect>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let mut violations = Violations::new();
    let name = violations.check("display_name", guarded_text(&new.display_name, 200));
    let identified_on = new.identified_on.unwrap_or_else(db::today);
    if identified_on > db::today() {
        violations.add("identified_on", "must not be in the future");
    }
    violations.finish().map_err(ApiError::Validation)?;
    let area_id = new.area_id.to_string();
    let worker = principal.clone();
    let work = move |connection: &mut DbConnection| {
        working_area(connection, &worker, &area_id)?;
        let now = db::now();
        let row = ProspectRow {
            id: Uuid::now_v7().to_string(),
            area_id,
            display_name: name,
            source_kind: new.source_kind.code().to_owned(),
            status: ProspectStatus::Identified.code().to_owned(),
            fathers_targeted: i32::from(new.fathers_targeted),
            family_id: None,
            identified_on,
            engaged_on: None,
            version: 1,
            created_at: now,
            updated_at: now,
            erased_at: None,
        };
        store::insert(connection, &row)?;
        Ok(Outcome::created(row.id).at_version(row.version))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(
                connection,
                &principal,
                &audit,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}

#[utoipa::path(
    tag = "prospects",
    params(("id" = Uuid, Path, description = "Prospect id")),
    responses(
        (status = 200, body = Prospect, headers(("ETag" = String, description = "Current version, for If-Match"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_prospect(
    caller: Allowed<op::ManageFamilies>,
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

/// Records a contact made, and where it leaves the prospect. Moving to
/// `engaged` creates the family record from `family` (only what the family
/// agreed to) and links it.
#[utoipa::path(
    tag = "prospects",
    params(("id" = Uuid, Path, description = "Prospect id"), IdempotencyKeyHeader),
    request_body = NewStep,
    responses(
        (status = 201, body = Prospect, headers(("Location" = String, description = "URL of the prospect"))),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/steps")]
pub async fn add_step(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewStep>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let family = new
        .family
        .map(|family| {
            let area_id = family.area_id.to_string();
            family
                .record()
                .validate(current_year())
                .map(|record| (area_id, record))
                .map_err(|errors| {
                    ApiError::Validation(
                        errors
                            .into_iter()
                            .map(|mut error| {
                                error.field = format!("family.{}", error.field);
                                error
                            })
                            .collect(),
                    )
                })
        })
        .transpose();
    let id = id.into_inner().to_string();
    let worker = principal.clone();
    let work = move |connection: &mut DbConnection| {
        // Out of scope is 404 before anything about the body is said.
        let current = find_in_scope(connection, &worker, &id)?;
        if new.occurred_on > db::today() {
            return Err(ApiError::validation(
                "occurred_on",
                "must not be in the future",
            ));
        }
        let family = family?;
        let from = status_of(&current)?;
        let to = new.status.unwrap_or(from);
        ensure_step(from, to).map_err(ApiError::TransitionNotAllowed)?;
        let mut row = ProspectRow {
            status: to.code().to_owned(),
            version: current.version + 1,
            updated_at: db::now(),
            ..current.clone()
        };
        match (to, family) {
            (ProspectStatus::Engaged, Some((area_id, record))) => {
                if area_id != current.area_id {
                    return Err(ApiError::validation(
                        "family.area_id",
                        "must be the prospect's area",
                    ));
                }
                let family_id = Uuid::now_v7().to_string();
                family_store::insert(
                    connection,
                    &FamilyRow::from_record(family_id.clone(), area_id, &record, 1, db::now()),
                )?;
                row.family_id = Some(family_id);
                row.engaged_on = Some(new.occurred_on);
            }
            (ProspectStatus::Engaged, None) => {
                return Err(ApiError::validation(
                    "family",
                    "an engaged prospect becomes a family record: give what the family agreed to be recorded",
                ))
            }
            (_, Some(_)) => {
                return Err(ApiError::validation(
                    "family",
                    "a family record is made only when the prospect becomes engaged",
                ))
            }
            (_, None) => {}
        }
        let step = StepRow {
            id: Uuid::now_v7().to_string(),
            prospect_id: current.id.clone(),
            occurred_on: new.occurred_on,
            kind: new.kind.code().to_owned(),
            status_after: to.code().to_owned(),
            recorded_by: worker.subject.clone(),
            recorded_at: db::now(),
        };
        if !store::add_step(connection, &row, &step, current.version)? {
            return Err(ApiError::PreconditionFailed);
        }
        Ok(Outcome::created(row.id).at_version(row.version))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(
                connection,
                &principal,
                &audit,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}

/// Erases the prospect (its area's workers, or the data protection officer of
/// the area's housing organisation): the name goes; the kind of source, the
/// status and the dates stay, anonymous, for the funnel.
#[utoipa::path(
    tag = "prospects",
    params(
        ("id" = Uuid, Path, description = "Prospect id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version to erase"),
    ),
    responses((status = 204, description = "Erased"), DeleteFailures),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn erase_prospect(
    caller: Allowed<op::EraseFamily>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    db.run(move |connection| {
        db::write_transaction(connection, |connection| {
            let (current, area) = guarded_prospect(connection, &principal, &id)?;
            if_match.check(current.version)?;
            let access =
                Access::new("prospect", &id, &area.id).of_family(current.family_id.as_deref());
            audit.allowed(connection, access)?;
            store::erase(connection, &id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
