//! `PATCH /assessments/{id}`: content while a draft or in review, and status.

use actix_web::http::StatusCode;
use actix_web::{patch, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Assessment, AssessmentChanges};
use super::view::{
    caller_side, conflict, find_in_scope, finding_rows, load_complete, period_of, render,
    status_of, target_group_json,
};
use crate::api::etag::IfMatch;
use crate::api::json;
use crate::api::responses::{ConflictFailure, UpdateFailures};
use crate::auth::{op, Allowed};
use crate::db::assessments::{self as store, AssessmentRow, FindingRow, StoredAssessment};
use crate::db::{self, Database, DbConnection};
use crate::domain::assessment::{
    ensure_editable, ensure_settable, finish, optional_text, AssessmentStatus, Period, Side,
};
use crate::domain::changes::ChangeType;
use crate::domain::validation::Violations;
use crate::error::ApiError;

/// Edits a draft or an assessment in review, or sets its status. An agreed or
/// withdrawn assessment is immutable (409).
#[utoipa::path(
    tag = "assessments",
    params(
        ("id" = Uuid, Path, description = "Assessment id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = AssessmentChanges,
    responses(
        (status = 200, body = Assessment, headers(("ETag" = String, description = "The new version"))),
        UpdateFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_assessment(
    caller: Allowed<op::WriteAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<AssessmentChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = caller_side(&principal)?;
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let rendered = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let found = find_in_scope(connection, &principal, &id)?;
                let current = load_complete(connection, found)?;
                // An invalid change is refused as such (422) even when it is stale too.
                let updated = apply_changes(&current, changes, side)?;
                if_match.check(current.row.version)?;
                if let Some(updated) = updated {
                    store_changes(connection, &current, updated)?;
                }
                render(connection, &principal, &id, StatusCode::OK)
            })
        })
        .await?;
    Ok(rendered.into_response())
}

/// Stores a changed assessment; changed content withdraws the approvals given so far.
fn store_changes(
    connection: &mut DbConnection,
    current: &StoredAssessment,
    (row, findings, content_changed): Changed,
) -> Result<(), ApiError> {
    if !store::replace_if_version(
        connection,
        &row,
        current.row.version,
        ChangeType::AssessmentChanged,
    )? {
        return Err(ApiError::PreconditionFailed);
    }
    if let Some(findings) = findings {
        store::replace_findings(connection, &row.id, &findings)?;
    }
    if content_changed || row.status == AssessmentStatus::Draft.code() {
        store::clear_approvals(connection, &row.id)?;
    }
    Ok(())
}

type Changed = (AssessmentRow, Option<Vec<FindingRow>>, bool);

/// The new row (and findings) after `changes`, or None when nothing was asked for.
/// Returns whether the content changed, which withdraws approvals.
fn apply_changes(
    current: &StoredAssessment,
    changes: AssessmentChanges,
    side: Side,
) -> Result<Option<Changed>, ApiError> {
    let status = status_of(&current.row)?;
    let content_changed = changes.period.is_some()
        || changes.summary.is_some()
        || changes.target_group.is_some()
        || changes.findings.is_some();
    if !content_changed && changes.status.is_none() {
        return Ok(None);
    }
    if content_changed {
        ensure_editable(status).map_err(conflict)?;
    }
    let new_status = match changes.status {
        Some(to) => {
            ensure_settable(status, to).map_err(conflict)?;
            to
        }
        None => status,
    };
    let mut row = current.row.clone();
    let mut violations = Violations::new();
    let period = match changes.period {
        Some(period) => period_of(period, &mut violations),
        None => Some(Period {
            starts_on: row.period_starts_on,
            ends_on: row.period_ends_on,
        }),
    };
    if let Some(summary) = changes.summary {
        row.summary = optional_text(summary.as_deref(), "summary", &mut violations);
    }
    if let Some(group) = changes.target_group {
        row.target_group = target_group_json(group, &mut violations);
    }
    let findings = changes
        .findings
        .map(|inputs| finding_rows(&inputs, &current.findings, &row.id, side, &mut violations));
    let period = finish(violations, period).map_err(ApiError::Validation)?;
    row.period_starts_on = period.starts_on;
    row.period_ends_on = period.ends_on;
    row.status = new_status.code().to_owned();
    row.version += 1;
    row.updated_at = db::now();
    Ok(Some((row, findings, content_changed)))
}
