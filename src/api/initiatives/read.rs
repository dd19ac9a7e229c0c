//! `GET /initiatives/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::types::Initiative;
use super::view::{enrolled_count, find_in_scope, single_response};
use crate::api::responses::ReadFailures;
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
#[get("/initiatives/{id}")]
pub async fn get_initiative(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let (row, enrolled) = db
        .run(move |connection| {
            let (row, _) = find_in_scope(connection, &principal, &id)?;
            let enrolled = enrolled_count(connection, &id)?;
            Ok((row, enrolled))
        })
        .await?;
    single_response(StatusCode::OK, &row, enrolled)
}
