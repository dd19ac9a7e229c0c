//! `POST /initiatives`: an initiative is planned.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::types::{Initiative, NewInitiative};
use super::view::{check_assessment, single_response};
use crate::api::json;
use crate::api::responses::CreateFailures;
use crate::auth::policy::reaches_families_of;
use crate::auth::{op, Allowed};
use crate::db::initiatives::{self as store, InitiativeRow, RowIdentity};
use crate::db::{self, Database};
use crate::domain::initiative::{InitiativePlan, InitiativeStatus};
use crate::error::ApiError;

/// Plans an initiative in an area the caller works in.
#[utoipa::path(
    tag = "initiatives",
    request_body = NewInitiative,
    responses(
        (status = 201, body = Initiative, headers(
            ("Location" = String, description = "URL of the new initiative"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        CreateFailures,
    ),
    security(("bearer" = []))
)]
#[post("/initiatives")]
pub async fn create_initiative(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    body: json::Json<NewInitiative>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let body = body.into_inner();
    let area_id = body.area_id.to_string();
    if !reaches_families_of(&principal, &area_id) {
        return Err(ApiError::validation(
            "area_id",
            "is not an area you work in",
        ));
    }
    let plan = InitiativePlan {
        initiative_type: body.initiative_type,
        title: body.title,
        description: body.description,
        problem_areas: body.problem_areas,
        format: body.format,
        partners: body.partners,
        languages: body.languages,
        interpreter_present: body.interpreter_present,
        target_group: body.target_group,
        capacity: body.capacity,
        schedule: body.schedule,
        network_plan: body.network_plan,
        job_centre_agreement: body.job_centre_agreement,
        fathers_wanted: body.fathers_wanted,
    }
    .validate()
    .map_err(ApiError::Validation)?;
    let id = Uuid::now_v7().to_string();
    let stored = RowIdentity {
        id: &id,
        area_id: &area_id,
        version: 1,
        created_at: db::now(),
    };
    let assessment_id = body.assessment_id.map(|id| id.to_string());
    let row = InitiativeRow::from_plan(stored, &plan, assessment_id, InitiativeStatus::Planned);
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                if let Some(assessment_id) = &row.assessment_id {
                    check_assessment(connection, assessment_id, &row.area_id)?;
                }
                store::insert(connection, &row)?;
                Ok(row)
            })
        })
        .await?;
    single_response(StatusCode::CREATED, &row, 0)
}
