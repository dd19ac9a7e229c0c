//! `POST /areas/{id}/assessments`: a draft, or a revision of an agreed one.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Assessment, NewAssessment};
use super::view::{caller_side, finding_rows, period_of, render, target_group_json};
use crate::api::areas::view::area_for_work;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::{AddFailures, ConflictFailure};
use crate::auth::{op, Allowed};
use crate::db::assessments::{self as store, AssessmentRow, FindingRow};
use crate::db::{self, Database, DbConnection};
use crate::domain::assessment::{finish, optional_text, AssessmentStatus, Side};
use crate::domain::validation::{FieldError, Violations};
use crate::error::ApiError;

/// Starts an assessment of an area as a draft. A revision names the agreed
/// assessment it `supersedes`.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Area id"), IdempotencyKeyHeader),
    request_body = NewAssessment,
    responses(
        (status = 201, body = Assessment, headers(
            ("Location" = String, description = "URL of the new assessment"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/assessments")]
pub async fn create_assessment(
    caller: Allowed<op::WriteAssessments>,
    db: web::Data<Database>,
    req: HttpRequest,
    area_id: web::Path<Uuid>,
    body: json::Json<NewAssessment>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = caller_side(&principal)?;
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let (row, findings) = new_assessment(area_id.into_inner(), body.into_inner(), side)?;
    let author = principal.clone();
    let work = move |connection: &mut DbConnection| {
        area_for_work(connection, &author, &row.area_id)?;
        if let Some(previous) = &row.supersedes_id {
            check_revision(connection, previous, &row.area_id)?;
        }
        store::insert(connection, &row, &findings)?;
        Ok(Outcome::created(row.id).at_version(row.version))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(connection, &principal, &outcome.resource_id, outcome.status)
        })
        .await
}

/// The draft a request describes, with its findings attributed to `side`.
fn new_assessment(
    area_id: Uuid,
    new: NewAssessment,
    side: Side,
) -> Result<(AssessmentRow, Vec<FindingRow>), ApiError> {
    let id = Uuid::now_v7().to_string();
    let mut violations = Violations::new();
    for (index, finding) in new.findings.iter().enumerate() {
        if finding.id.is_some() {
            violations.add(
                format!("findings[{index}].id"),
                "must be omitted for a new assessment",
            );
        }
    }
    let period = period_of(new.period, &mut violations);
    let summary = optional_text(new.summary.as_deref(), "summary", &mut violations);
    let target_group = target_group_json(new.target_group.unwrap_or_default(), &mut violations);
    let findings = finding_rows(&new.findings, &[], &id, side, &mut violations);
    let period = finish(violations, period).map_err(ApiError::Validation)?;
    let now = db::now();
    let row = AssessmentRow {
        id,
        area_id: area_id.to_string(),
        status: AssessmentStatus::Draft.code().to_owned(),
        period_starts_on: period.starts_on,
        period_ends_on: period.ends_on,
        summary,
        target_group,
        supersedes_id: new.supersedes.map(|id| id.to_string()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    Ok((row, findings))
}

/// A revision must supersede an agreed assessment of the same area that has no live revision yet.
fn check_revision(
    connection: &mut DbConnection,
    previous: &str,
    area_id: &str,
) -> Result<(), ApiError> {
    let agreed_here = store::find_with_area(connection, previous)?.is_some_and(|(row, _)| {
        row.area_id == area_id && row.status == AssessmentStatus::Agreed.code()
    });
    if !agreed_here {
        return Err(ApiError::Validation(vec![FieldError {
            field: "supersedes".into(),
            message: "must be an agreed assessment of the same area".into(),
        }]));
    }
    if let Some(revision) = store::live_revision_of(connection, previous)? {
        return Err(ApiError::Conflict(format!(
            "assessment {previous} already has a revision in progress: {revision}"
        )));
    }
    Ok(())
}
