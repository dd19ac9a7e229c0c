//! `initiatives/{id}/enrolments`: the families enrolled in an initiative.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Enrolment, NewEnrolment};
use super::view::{enrolled_count, enrolment_out, find_with_families_in_scope, status_of};
use crate::api::audit::AuditContext;
use crate::api::json;
use crate::api::responses::{AddFailures, ConflictFailure, ReadFailures};
use crate::auth::{op, Allowed};
use crate::db::families as family_store;
use crate::db::initiatives::{self as store, EnrolmentRow};
use crate::db::{self, Database};
use crate::domain::initiative::InitiativeStatus;
use crate::domain::validation::Violations;
use crate::error::ApiError;

/// The families enrolled (individual data: the area's housing-social workers only).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = Vec<Enrolment>),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/initiatives/{id}/enrolments")]
pub async fn list_enrolments(
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
            find_with_families_in_scope(connection, &principal, &id)?;
            let rows = store::enrolments_with_families(connection, &id)?;
            for (enrolment, _) in &rows {
                audit.allowed(
                    connection,
                    "enrolment",
                    Some(&id),
                    Some(&enrolment.family_id),
                )?;
            }
            Ok(rows)
        })
        .await?;
    let enrolments = rows
        .into_iter()
        .map(|(enrolment, family)| enrolment_out(enrolment, family.display_name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(enrolments))
}

/// Enrols a family of the initiative's area.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    request_body = NewEnrolment,
    responses(
        (status = 201, body = Enrolment, headers(("Location" = String, description = "URL of the initiative's enrolments"))),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/initiatives/{id}/enrolments")]
pub async fn enrol_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewEnrolment>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let initiative_id = id.into_inner().to_string();
    let body = body.into_inner();
    let mut violations = Violations::new();
    for (field, value) in [("mothers", body.mothers), ("fathers", body.fathers)] {
        if !(0..=10).contains(&value) {
            violations.add(field, "must be from 0 to 10");
        }
    }
    let errors = violations.into_errors();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let family_id = body.family_id.to_string();
    let (row, display_name) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let initiative =
                    find_with_families_in_scope(connection, &principal, &initiative_id)?;
                let family = family_store::find(connection, &family_id)?
                    .filter(|family| family.area_id == initiative.area_id)
                    .ok_or_else(|| {
                        ApiError::validation(
                            "family_id",
                            "is not a family of the initiative's area",
                        )
                    })?;
                let status = status_of(&initiative)?;
                if matches!(
                    status,
                    InitiativeStatus::Completed | InitiativeStatus::Cancelled
                ) {
                    return Err(ApiError::Conflict(format!(
                        "the initiative is {}",
                        status.code()
                    )));
                }
                if store::find_enrolment(connection, &initiative_id, &family_id)?.is_some() {
                    return Err(ApiError::Conflict("the family is enrolled already".into()));
                }
                if let Some(capacity) = initiative.capacity {
                    if enrolled_count(connection, &initiative_id)? >= i64::from(capacity) {
                        return Err(ApiError::Conflict(format!(
                            "the initiative is full ({capacity} families)"
                        )));
                    }
                }
                let row = EnrolmentRow {
                    initiative_id,
                    family_id,
                    heavily_burdened: i32::from(body.heavily_burdened),
                    mothers: body.mothers,
                    fathers: body.fathers,
                    enrolled_by: principal.subject.clone(),
                    enrolled_at: db::now(),
                };
                store::insert_enrolment(connection, &row)?;
                audit.allowed(
                    connection,
                    "enrolment",
                    Some(&row.initiative_id),
                    Some(&row.family_id),
                )?;
                family_store::touch(connection, &family.id, row.enrolled_at)?;
                Ok((row, family.display_name))
            })
        })
        .await?;
    let location = format!("/api/v1/initiatives/{}/enrolments", row.initiative_id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(enrolment_out(row, display_name)?))
}

/// Unenrols a family.
#[utoipa::path(
    tag = "initiatives",
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("family_id" = Uuid, Path, description = "Family id"),
    ),
    responses(
        (status = 204, description = "Unenrolled"),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[delete("/initiatives/{id}/enrolments/{family_id}")]
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
            find_with_families_in_scope(connection, &principal, &initiative_id)?;
            if !store::delete_enrolment(connection, &initiative_id, &family_id)? {
                return Err(ApiError::NotFound);
            }
            audit.allowed(
                connection,
                "enrolment",
                Some(&initiative_id),
                Some(&family_id),
            )?;
            family_store::touch(connection, &family_id, db::now())?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
