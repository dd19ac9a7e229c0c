//! `initiatives/{id}/enrolments`: the families enrolled in an initiative.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Enrolment, NewEnrolment};
use super::view::{enrolled_count, enrolment_out, find_with_families_in_scope, status_of};
use crate::api::audit::{Access, AuditContext};
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome, Rendered};
use crate::api::json;
use crate::api::pagination::{page_response, Page, PageQuery};
use crate::api::query;
use crate::api::responses::{AddFailures, ConflictFailure, RateFailure, ReadFailures};
use crate::auth::{op, Allowed, Principal};
use crate::db::families::{self as family_store, FamilyRow};
use crate::db::initiatives::{self as store, EnrolmentRow};
use crate::db::{self, Database, DbConnection};
use crate::domain::initiative::ensure_enrollable;
use crate::domain::validation::Violations;
use crate::error::ApiError;

/// The families enrolled, in the order they were enrolled (individual data:
/// the area's housing-social workers only).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id"), PageQuery),
    responses(
        (status = 200, body = Page<Enrolment>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/enrolments")]
pub async fn list_enrolments(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let page = query.into_inner().page()?;
    let shown_page = page.clone();
    let (after, limit) = (page.after_pair()?, page.fetch_limit());
    let rows = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let initiative = find_with_families_in_scope(connection, &principal, &id)?;
                let rows = store::enrolments_page(connection, &id, after, limit)?;
                let accesses = shown_page.shown(&rows).iter().map(|(enrolment, _)| {
                    Access::new("enrolment", &id, &initiative.area_id)
                        .of_family(Some(&enrolment.family_id))
                });
                audit.allowed_each(connection, accesses)?;
                Ok(rows)
            })
        })
        .await?;
    let key = |(enrolment, _): &(EnrolmentRow, FamilyRow)| {
        let at = enrolment.enrolled_at.format("%Y-%m-%dT%H:%M:%S%.6f");
        format!("{at}|{}", enrolment.family_id)
    };
    let shown = |(enrolment, family): (EnrolmentRow, FamilyRow)| {
        enrolment_out(enrolment, family.display_name)
    };
    Ok(page_response(&req, page.try_into_page(rows, key, shown)?))
}

/// An enrolment's id, for idempotent replays: initiative and family.
fn enrolment_id(initiative_id: &str, family_id: &str) -> String {
    format!("{initiative_id}/{family_id}")
}

/// Enrolment `id` as a response to the caller, audited.
fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    status: actix_web::http::StatusCode,
) -> Result<Rendered, ApiError> {
    let (initiative_id, family_id) = id.split_once('/').ok_or(ApiError::NotFound)?;
    let initiative = find_with_families_in_scope(connection, principal, initiative_id)?;
    let enrolment =
        store::find_enrolment(connection, initiative_id, family_id)?.ok_or(ApiError::NotFound)?;
    let family = family_store::find(connection, family_id)?.ok_or(ApiError::NotFound)?;
    let access =
        Access::new("enrolment", initiative_id, &initiative.area_id).of_family(Some(family_id));
    audit.allowed(connection, access)?;
    let location = format!("/api/v1/initiatives/{initiative_id}/enrolments");
    Ok(
        Rendered::new(status, &enrolment_out(enrolment, family.display_name)?)?
            .located_at(|| location),
    )
}

/// Enrols a family of the initiative's area.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id"), IdempotencyKeyHeader),
    request_body = NewEnrolment,
    responses(
        (status = 201, body = Enrolment, headers(("Location" = String, description = "URL of the initiative's enrolments"))),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/enrolments")]
pub async fn enrol_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewEnrolment>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let mut violations = Violations::new();
    for (field, value) in [("mothers", new.mothers), ("fathers", new.fathers)] {
        if !(0..=10).contains(&value) {
            violations.add(field, "must be from 0 to 10");
        }
    }
    violations.finish().map_err(ApiError::Validation)?;
    let row = EnrolmentRow {
        initiative_id: id.into_inner().to_string(),
        family_id: new.family_id.to_string(),
        heavily_burdened: i32::from(new.heavily_burdened),
        mothers: new.mothers,
        fathers: new.fathers,
        enrolled_by: principal.subject.clone(),
        enrolled_at: db::now(),
    };
    let worker = principal.clone();
    let work = move |connection: &mut DbConnection| enrol(connection, &worker, row);
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

/// Stores the enrolment if the family is of the area and the initiative has room.
fn enrol(
    connection: &mut DbConnection,
    principal: &Principal,
    row: EnrolmentRow,
) -> Result<Outcome, ApiError> {
    let initiative = find_with_families_in_scope(connection, principal, &row.initiative_id)?;
    let family = family_store::find(connection, &row.family_id)?
        .filter(|family| family.area_id == initiative.area_id)
        .ok_or_else(|| {
            ApiError::validation("family_id", "is not a family of the initiative's area")
        })?;
    ensure_enrollable(status_of(&initiative)?).map_err(ApiError::Conflict)?;
    if store::find_enrolment(connection, &row.initiative_id, &row.family_id)?.is_some() {
        return Err(ApiError::Conflict("the family is enrolled already".into()));
    }
    if let Some(capacity) = initiative.capacity {
        if enrolled_count(connection, &row.initiative_id)? >= i64::from(capacity) {
            return Err(ApiError::Conflict(format!(
                "the initiative is full ({capacity} families)"
            )));
        }
    }
    store::insert_enrolment(connection, &row)?;
    family_store::touch(connection, &family.id, row.enrolled_at)?;
    Ok(Outcome::created(enrolment_id(
        &row.initiative_id,
        &row.family_id,
    )))
}

/// Unenrols a family.
#[utoipa::path(
    tag = "initiatives",
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("family_id" = Uuid, Path, description = "Family id"),
    ),
    responses((status = 204, description = "Unenrolled"), ReadFailures),
    security(("bearer" = []))
)]
#[delete("/{id}/enrolments/{family_id}")]
pub async fn unenrol_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let (initiative_id, family_id) = path.into_inner();
    let (initiative_id, family_id) = (initiative_id.to_string(), family_id.to_string());
    db.run(move |connection| {
        db::write_transaction(connection, |connection| {
            let initiative = find_with_families_in_scope(connection, &principal, &initiative_id)?;
            if !store::delete_enrolment(connection, &initiative_id, &family_id)? {
                return Err(ApiError::NotFound);
            }
            let access = Access::new("enrolment", &initiative_id, &initiative.area_id)
                .of_family(Some(&family_id));
            audit.allowed(connection, access)?;
            family_store::touch(connection, &family_id, db::now())?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
