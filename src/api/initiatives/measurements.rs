//! `initiatives/{id}/measurements`: families' answers to the initiative's
//! goals at start, end and follow-up (individual data: the area's
//! housing-social workers only, every access audited).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Measurement, MeasurementListQuery, NewMeasurement};
use super::view::{find_with_families_in_scope, status_of};
use crate::api::audit::{Access, AuditContext};
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome, Rendered};
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::responses::{AddFailures, ConflictFailure, RateFailure, ReadFailures};
use crate::api::{json, query, stored_uuid};
use crate::auth::{op, Allowed, Principal};
use crate::db::families as family_store;
use crate::db::initiatives::{self as initiative_store, InitiativeRow};
use crate::db::measurements::{self as store, MeasurementRow};
use crate::db::{self, Database, DbConnection};
use crate::domain::initiative::{InitiativeFormat, InitiativeStatus};
use crate::domain::outcomes::{check_answers, Phase};
use crate::domain::validation::Violations;
use crate::error::ApiError;

pub(super) fn measurement_out(row: MeasurementRow) -> Result<Measurement, ApiError> {
    let family_id = row
        .family_id
        .as_deref()
        .ok_or(ApiError::NotFound)
        .and_then(stored_uuid)?;
    Ok(Measurement {
        id: stored_uuid(&row.id)?,
        initiative_id: stored_uuid(&row.initiative_id)?,
        family_id,
        phase: row.phase()?,
        measured_on: row.measured_on,
        answers: row.answers()?,
        recorded_by: row.recorded_by,
        recorded_at: row.recorded_at.and_utc(),
    })
}

/// The measurements of families still on record, oldest first.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id"), MeasurementListQuery),
    responses(
        (status = 200, body = Page<Measurement>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/measurements")]
pub async fn list_measurements(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<MeasurementListQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let shown_page = page.clone();
    let after = page.after.clone();
    let limit = page.fetch_limit();
    let family_id = query.family_id.map(|family| family.to_string());
    let rows = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let initiative = find_with_families_in_scope(connection, &principal, &id)?;
                let rows = store::list(
                    connection,
                    &id,
                    family_id.as_deref(),
                    query.phase,
                    after.as_deref(),
                    limit,
                )?;
                let accesses = shown_page.shown(&rows).iter().map(|row| {
                    Access::new("measurement", &row.id, &initiative.area_id)
                        .of_family(row.family_id.as_deref())
                });
                audit.allowed_each(connection, accesses)?;
                Ok(rows)
            })
        })
        .await?;
    let key = |row: &MeasurementRow| row.id.clone();
    Ok(page_response(
        &req,
        page.try_into_page(rows, key, measurement_out)?,
    ))
}

/// Measurement `id` as a response to the caller, audited.
fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let row = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    let initiative = find_with_families_in_scope(connection, principal, &row.initiative_id)?;
    let access = Access::new("measurement", &row.id, &initiative.area_id)
        .of_family(row.family_id.as_deref());
    audit.allowed(connection, access)?;
    let location = format!("/api/v1/initiatives/{}/measurements", row.initiative_id);
    Ok(Rendered::new(status, &measurement_out(row)?)?.located_at(|| location))
}

/// Records a family's answers to the initiative's goals at one phase.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id"), IdempotencyKeyHeader),
    request_body = NewMeasurement,
    responses(
        (status = 201, body = Measurement, headers(("Location" = String, description = "URL of the initiative's measurements"))),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/measurements")]
pub async fn record_measurement(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewMeasurement>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    if new.measured_on > db::today() {
        return Err(ApiError::validation(
            "measured_on",
            "must not be in the future",
        ));
    }
    let initiative_id = id.into_inner().to_string();
    let worker = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let initiative = find_with_families_in_scope(connection, &worker, &initiative_id)?;
        let family_id = new.family_id.to_string();
        check_measurable(connection, &initiative, &family_id, &new)?;
        let participant = store::participant_of(connection, &initiative.id, &family_id)?;
        if store::is_measured(connection, &initiative.id, &participant, new.phase)? {
            return Err(ApiError::Conflict(format!(
                "the family's answers at {} are recorded already",
                new.phase.code()
            )));
        }
        let row = MeasurementRow {
            id: Uuid::now_v7().to_string(),
            initiative_id: initiative.id,
            family_id: Some(family_id),
            participant,
            phase: new.phase.code().to_owned(),
            measured_on: new.measured_on,
            answers: db::to_json(&new.answers),
            recorded_by: worker.subject.clone(),
            recorded_at: db::now(),
        };
        store::insert(connection, &row)?;
        Ok(Outcome::created(row.id))
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

/// The family takes part in the initiative, the phase is one the plan has,
/// and the answers fit its goals.
fn check_measurable(
    connection: &mut DbConnection,
    initiative: &InitiativeRow,
    family_id: &str,
    new: &NewMeasurement,
) -> Result<(), ApiError> {
    let plan = initiative.plan()?;
    if status_of(initiative)? == InitiativeStatus::Cancelled {
        return Err(ApiError::Conflict(
            "a cancelled initiative takes no measurements".into(),
        ));
    }
    let mut violations = Violations::new();
    let in_area = family_store::find(connection, family_id)?
        .is_some_and(|family| family.area_id == initiative.area_id);
    let enrolled =
        initiative_store::find_enrolment(connection, &initiative.id, family_id)?.is_some();
    let takes_part = enrolled
        || (plan.format == InitiativeFormat::Open
            && initiative_store::attended(connection, &initiative.id, family_id)?);
    if !in_area || !takes_part {
        violations.add(
            "family_id",
            "is not a family taking part in the initiative (enrolled, or for open initiatives attending a session)",
        );
    }
    if plan.goals.is_empty() {
        violations.add("answers", "the initiative has no goals to answer yet");
    } else {
        check_answers(&plan.goals, &new.answers, &mut violations);
    }
    if new.phase == Phase::FollowUp && plan.follow_up_months.is_none() {
        violations.add(
            "phase",
            "the plan sets no follow-up (follow_up_months on the initiative)",
        );
    }
    violations.finish().map_err(ApiError::Validation)
}
