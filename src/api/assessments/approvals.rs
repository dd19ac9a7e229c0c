//! `POST /assessments/{id}/approvals`: one side signs the assessment off.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::Assessment;
use super::view::{caller_side, conflict, find_complete_in_scope, render, status_of};
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::municipalities::view::settings_of;
use crate::api::responses::{ConflictFailure, KeyReuseFailure, ReadFailures};
use crate::auth::policy::{signs_for_its_side, unit_of};
use crate::auth::{op, Allowed, Principal};
use crate::db::assessments::{self as store, ApprovalRow, StoredAssessment};
use crate::db::referrals::municipality_of_area;
use crate::db::{self, Database, DbConnection};
use crate::domain::assessment::{status_after_approval, AssessmentStatus, Side};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::changes::ChangeType;
use crate::error::ApiError;

/// Approves the assessment for the caller's side. One side's approval puts it in
/// review; both sides' make it `agreed`. Approving again is idempotent (200).
/// For the municipality only its signatory units sign (by default
/// `social_services` and `family_counselling`; see the municipality's
/// settings); a caseworker of another unit gets 403 and may add findings instead.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id"), IdempotencyKeyHeader),
    responses(
        (status = 200, body = Assessment, description = "This side had already approved; nothing changed"),
        (status = 201, body = Assessment, headers(
            ("Location" = String, description = "URL of the assessment"),
            ("ETag" = String, description = "The new version"),
        )),
        ReadFailures, ConflictFailure, KeyReuseFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/approvals")]
pub async fn approve_assessment(
    caller: Allowed<op::WriteAssessments>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = caller_side(&principal)?;
    let request = IdempotentRequest::new(&req, &principal, &serde_json::Value::Null)?;
    let id = id.into_inner().to_string();
    let approver = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let current = find_complete_in_scope(connection, &approver, &id)?;
        let municipality =
            municipality_of_area(connection, &current.row.area_id)?.ok_or(ApiError::NotFound)?;
        let (settings, _) = settings_of(connection, &municipality)?;
        if !signs_for_its_side(&approver, &settings) {
            return Err(ApiError::ForbiddenBecause(format!(
                "your unit does not sign for municipality {municipality}; its signatory units are {}",
                unit_list(&settings.signatory_units)
            )));
        }
        approve(connection, current, side, &approver)
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(connection, &principal, &outcome.resource_id, outcome.status)
        })
        .await
}

/// Records `side`'s approval of `current`, once; the status follows the approvals.
fn approve(
    connection: &mut DbConnection,
    current: StoredAssessment,
    side: Side,
    principal: &Principal,
) -> Result<Outcome, ApiError> {
    let approved: Vec<Side> = current
        .approvals
        .iter()
        .filter_map(|approval| Side::parse(&approval.side))
        .collect();
    let status = status_of(&current.row)?;
    let new_status =
        status_after_approval(status, &approved, side, current.findings.len()).map_err(conflict)?;
    let id = current.row.id.clone();
    if approved.contains(&side) {
        return Ok(Outcome::ok(id));
    }
    store::insert_approval(
        connection,
        &ApprovalRow {
            assessment_id: id.clone(),
            side: side.code().to_owned(),
            approved_by: principal.subject.clone(),
            approved_at: db::now(),
            unit: unit_of(principal).map(|unit| unit.code().to_owned()),
        },
    )?;
    let mut row = current.row.clone();
    row.status = new_status.code().to_owned();
    row.version += 1;
    row.updated_at = db::now();
    let change = if new_status == AssessmentStatus::Agreed {
        ChangeType::AssessmentAgreed
    } else {
        ChangeType::AssessmentApproved
    };
    if !store::replace_if_version(connection, &row, current.row.version, change)? {
        return Err(ApiError::PreconditionFailed);
    }
    Ok(Outcome::created(id).at_version(row.version))
}

fn unit_list(units: &[MunicipalUnit]) -> String {
    units
        .iter()
        .map(|unit| unit.code())
        .collect::<Vec<_>>()
        .join(", ")
}
