//! `POST /concern-reports`: a housing-social worker reports a concern about a child.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{ConcernReport, NewConcernReport};
use super::view::render;
use crate::api::audit::AuditContext;
use crate::api::families::referenced_family;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::{ConflictFailure, CreateFailures};
use crate::auth::{op, Allowed};
use crate::db::referrals::{self as store, ConcernRow};
use crate::db::{self, Database, DbConnection};
use crate::domain::referral::{acknowledge_due_at, child_birth_year, urgency_assessment_due_at};
use crate::domain::validation::{guarded_text, optional_guarded_text, Violations};
use crate::error::ApiError;

/// Reports a concern about a child of a family in the reporter's area to the
/// municipality's children-and-families unit.
#[utoipa::path(
    tag = "concern-reports",
    params(IdempotencyKeyHeader),
    request_body = NewConcernReport,
    responses(
        (status = 201, body = ConcernReport, headers(("Location" = String, description = "URL of the report"))),
        CreateFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/concern-reports")]
pub async fn report_concern(
    caller: Allowed<op::ReportConcerns>,
    db: web::Data<Database>,
    req: HttpRequest,
    body: json::Json<NewConcernReport>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let today = db::today();
    let mut violations = Violations::new();
    let birth_year = violations.check(
        "child.birth_year",
        child_birth_year(new.child.birth_year, today),
    );
    let description = new
        .child
        .description
        .as_deref()
        .and_then(|text| violations.check("child.description", optional_guarded_text(text, 200)))
        .filter(|text| !text.is_empty());
    let observation = violations.check("observation", guarded_text(&new.observation, 4000));
    if new.observed_on > today {
        violations.add("observed_on", "must not be in the future");
    }
    let errors = violations.into_errors();
    let (Some(birth_year), Some(observation), true) = (birth_year, observation, errors.is_empty())
    else {
        return Err(ApiError::Validation(errors));
    };
    let family_id = new.family_id.to_string();
    let reporter = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let family = referenced_family(connection, &reporter, &family_id)?;
        let municipality =
            store::municipality_of_area(connection, &family.area_id)?.ok_or(ApiError::NotFound)?;
        let received_at = db::now();
        let row = ConcernRow {
            id: Uuid::now_v7().to_string(),
            family_id: Some(family.id),
            area_id: family.area_id,
            municipality_code: municipality,
            child_birth_year: birth_year,
            child_description: description,
            observation,
            observed_on: new.observed_on,
            urgent: i32::from(new.urgent),
            reported_by: reporter.subject.clone(),
            received_at,
            acknowledge_due_at: acknowledge_due_at(received_at),
            urgency_assessment_due_at: urgency_assessment_due_at(received_at),
            acknowledged_at: None,
            acknowledged_by: None,
            updated_at: received_at,
        };
        store::insert_concern(connection, &row)?;
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
