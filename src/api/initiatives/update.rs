//! `PATCH /initiatives/{id}`: the plan and its status.

use actix_web::http::StatusCode;
use actix_web::{patch, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Initiative, InitiativeChanges};
use super::view::{
    check_agreement, check_assessment, check_partners, enrolled_count, find_with_families_in_scope,
    render, status_of,
};
use crate::api::etag::IfMatch;
use crate::api::json;
use crate::api::responses::{ConflictFailure, UpdateFailures};
use crate::api::statistics::SuppressionThreshold;
use crate::auth::{op, Allowed};
use crate::db::initiatives::{self as store, InitiativeRow, RowIdentity};
use crate::db::measurements as measurement_store;
use crate::db::{self, Database, DbConnection};
use crate::domain::initiative::{
    activation_requirements, check_capacity, ensure_changeable, ensure_transition, InitiativeStatus,
};
use crate::domain::outcomes::measured_goals_changed;
use crate::error::ApiError;

/// Changes an initiative's plan or status. Starting it (`active`) requires what
/// the handbook requires; a completed or cancelled initiative no longer changes.
#[utoipa::path(
    tag = "initiatives",
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = InitiativeChanges,
    responses(
        (status = 200, body = Initiative, headers(("ETag" = String, description = "The new version"))),
        UpdateFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_initiative(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<InitiativeChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let threshold = threshold.0;
    let rendered = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = find_with_families_in_scope(connection, &principal, &id)?;
                let changed = change(connection, current, changes, &if_match)?;
                render(
                    connection,
                    &principal,
                    threshold,
                    &changed.id,
                    StatusCode::OK,
                )
            })
        })
        .await?;
    Ok(rendered.into_response())
}

/// Stores `current` with `changes` made, if the status machine, the handbook's
/// conditions for starting and the enrolled families allow them.
fn change(
    connection: &mut DbConnection,
    current: InitiativeRow,
    changes: InitiativeChanges,
    if_match: &IfMatch,
) -> Result<InitiativeRow, ApiError> {
    let status = status_of(&current)?;
    let new_status = changes.status.unwrap_or(status);
    let new_assessment = changes.assessment_id;
    let before = current.plan()?;
    let plan = changes
        .apply_to(before.clone())
        .map_err(ApiError::Validation)?;
    // An invalid change is refused as such (422) even when it is stale too.
    if_match.check(current.version)?;
    check_partners(connection, &plan.partner_ids, &current.area_id)?;
    check_agreement(
        connection,
        plan.cooperation_agreement_id.as_deref(),
        &current.area_id,
    )?;
    let answered = measurement_store::answered_goals(connection, &current.id)?;
    let fixed = measured_goals_changed(&before.goals, &plan.goals, &answered);
    if !fixed.is_empty() {
        return Err(ApiError::Conflict(format!(
            "goals with answers keep their place and scale: {}",
            fixed.join(", ")
        )));
    }
    ensure_transition(status, new_status)
        .map_err(|error| ApiError::TransitionNotAllowed(error.to_string()))?;
    ensure_changeable(status).map_err(ApiError::Conflict)?;
    let mut assessment_id = current.assessment_id.clone();
    if let Some(new_assessment) = new_assessment {
        assessment_id = new_assessment.map(|id| id.to_string());
        if let Some(assessment) = &assessment_id {
            check_assessment(connection, assessment, &current.area_id)?;
        }
    }
    if new_status == InitiativeStatus::Active {
        let unmet = activation_requirements(&plan);
        if !unmet.is_empty() {
            return Err(ApiError::Validation(unmet));
        }
    }
    check_capacity(plan.capacity, enrolled_count(connection, &current.id)?)
        .map_err(ApiError::Validation)?;
    let identity = RowIdentity {
        id: &current.id,
        area_id: &current.area_id,
        version: current.version + 1,
        created_at: current.created_at,
    };
    let row = InitiativeRow::from_plan(identity, &plan, assessment_id, new_status);
    if !store::replace_if_version(connection, &row, current.version)? {
        return Err(ApiError::PreconditionFailed);
    }
    Ok(row)
}
