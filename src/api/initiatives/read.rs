//! `GET /initiatives/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::types::Initiative;
use super::view::render;
use crate::api::responses::ReadFailures;
use crate::api::statistics::SuppressionThreshold;
use crate::auth::{op, Allowed};
use crate::db::Database;
use crate::error::ApiError;

/// One initiative (the plan and its enrolment count).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = Initiative, headers(("ETag" = String, description = "Current version, for If-Match"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_initiative(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let threshold = threshold.0;
    let id = id.into_inner().to_string();
    let rendered = db
        .run(move |connection| render(connection, &principal, threshold, &id, StatusCode::OK))
        .await?;
    Ok(rendered.into_response())
}
