//! `POST /assessments/{id}/findings`: one side adds a finding.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Assessment, FindingInput};
use super::view::{caller_side, conflict, find_complete_in_scope, finding_rows, render, status_of};
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::{AddFailures, ConflictFailure};
use crate::auth::{op, Allowed};
use crate::db::assessments::{self as store, StoredAssessment};
use crate::db::{self, Database, DbConnection};
use crate::domain::assessment::{check_finding_count, ensure_editable, finish, Side};
use crate::domain::changes::ChangeType;
use crate::domain::validation::{FieldError, Violations};
use crate::error::ApiError;

/// Adds one finding, attributed to the caller's side. Withdraws approvals given so far.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id"), IdempotencyKeyHeader),
    request_body = FindingInput,
    responses(
        (status = 201, body = Assessment, headers(
            ("Location" = String, description = "URL of the assessment"),
            ("ETag" = String, description = "The new version"),
        )),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/findings")]
pub async fn add_finding(
    caller: Allowed<op::WriteAssessments>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<FindingInput>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = caller_side(&principal)?;
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let id = id.into_inner().to_string();
    let input = body.into_inner();
    let author = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let current = find_complete_in_scope(connection, &author, &id)?;
        add(connection, current, &input, side)
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(connection, &principal, &outcome.resource_id, outcome.status)
        })
        .await
}

/// Adds `input` to `current` as its last finding; withdraws the approvals.
fn add(
    connection: &mut DbConnection,
    current: StoredAssessment,
    input: &FindingInput,
    side: Side,
) -> Result<Outcome, ApiError> {
    ensure_editable(status_of(&current.row)?).map_err(conflict)?;
    let mut violations = Violations::new();
    if input.id.is_some() {
        violations.add("id", "must be omitted for a new finding");
    }
    check_finding_count(current.findings.len() + 1, &mut violations);
    let id = current.row.id.clone();
    let mut rows = finding_rows(std::slice::from_ref(input), &[], &id, side, &mut violations);
    let mut finding = finish(violations, rows.pop())
        .map_err(|errors| ApiError::Validation(errors.into_iter().map(unprefixed).collect()))?;
    finding.position = current.findings.len() as i32;
    store::add_finding(connection, &finding)?;
    store::clear_approvals(connection, &id)?;
    let mut row = current.row.clone();
    row.version += 1;
    row.updated_at = db::now();
    if !store::replace_if_version(
        connection,
        &row,
        current.row.version,
        ChangeType::AssessmentChanged,
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    Ok(Outcome::created(id).at_version(row.version))
}

/// Field names of a single finding body are not prefixed with `findings[0]`.
fn unprefixed(mut error: FieldError) -> FieldError {
    if let Some(rest) = error.field.strip_prefix("findings[0].") {
        error.field = rest.to_owned();
    }
    error
}
