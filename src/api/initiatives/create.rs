//! `POST /initiatives`: an initiative is planned.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Initiative, NewInitiative};
use super::view::{check_agreement, check_assessment, check_partners, render};
use crate::api::areas::view::working_area;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::CreateFailures;
use crate::api::statistics::SuppressionThreshold;
use crate::auth::{op, Allowed};
use crate::db::initiatives::{self as store, InitiativeRow, RowIdentity};
use crate::db::{self, Database, DbConnection};
use crate::domain::initiative::InitiativeStatus;
use crate::error::ApiError;

/// Plans an initiative in an area the caller works in.
#[utoipa::path(
    tag = "initiatives",
    params(IdempotencyKeyHeader),
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
#[post("")]
pub async fn create_initiative(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    req: HttpRequest,
    body: json::Json<NewInitiative>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let area_id = new.area_id.to_string();
    let assessment_id = new.assessment_id.map(|id| id.to_string());
    let plan = new.plan().map_err(ApiError::Validation)?;
    let planner = principal.clone();
    let work = move |connection: &mut DbConnection| {
        working_area(connection, &planner, &area_id)?;
        check_partners(connection, &plan.partner_ids, &area_id)?;
        check_agreement(
            connection,
            plan.cooperation_agreement_id.as_deref(),
            &area_id,
        )?;
        if let Some(assessment_id) = &assessment_id {
            check_assessment(connection, assessment_id, &area_id)?;
        }
        let id = Uuid::now_v7().to_string();
        let identity = RowIdentity {
            id: &id,
            area_id: &area_id,
            version: 1,
            created_at: db::now(),
        };
        let row =
            InitiativeRow::from_plan(identity, &plan, assessment_id, InitiativeStatus::Planned);
        store::insert(connection, &row)?;
        Ok(Outcome::created(row.id).at_version(row.version))
    };
    let threshold = threshold.0;
    request
        .run(&db, work, move |connection, outcome| {
            render(
                connection,
                &principal,
                threshold,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}
