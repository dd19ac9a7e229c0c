//! `GET /assessments/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::types::Assessment;
use super::view::render;
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
#[get("/{id}")]
pub async fn get_assessment(
    caller: Allowed<op::ReadAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let rendered = db
        .run(move |connection| render(connection, &principal, &id, StatusCode::OK))
        .await?;
    Ok(rendered.into_response())
}
