//! `GET /assessments/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::types::Assessment;
use super::view::{find_complete_in_scope, single_response};
use crate::api::responses::ReadFailures;
use crate::auth::{op, Allowed};
use crate::db::Database;
use crate::error::ApiError;

/// One assessment with its findings and approvals.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id")),
    responses(
        (status = 200, body = Assessment, headers(("ETag" = String, description = "Current version, for If-Match"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/assessments/{id}")]
pub async fn get_assessment(
    caller: Allowed<op::ReadAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let stored = db
        .run(move |connection| find_complete_in_scope(connection, &principal, &id))
        .await?;
    single_response(StatusCode::OK, stored)
}
