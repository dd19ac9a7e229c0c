//! `POST /areas`: an admin records a new area.

use actix_web::{post, web, HttpRequest, HttpResponse};

use super::types::{Area, NewArea};
use super::view::render;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::CreateFailures;
use crate::auth::policy::area_visibility;
use crate::auth::{op, Allowed};
use crate::db::areas as store;
use crate::db::Database;
use crate::error::ApiError;

/// Creates an area (admin only).
#[utoipa::path(
    tag = "areas",
    params(IdempotencyKeyHeader),
    request_body = NewArea,
    responses(
        (status = 201, body = Area, headers(
            ("Location" = String, description = "URL of the new area"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        CreateFailures,
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_area(
    caller: Allowed<op::WriteAreas>,
    db: web::Data<Database>,
    req: HttpRequest,
    body: json::Json<NewArea>,
) -> Result<HttpResponse, ApiError> {
    let request = IdempotentRequest::new(&req, &caller.principal, body.raw())?;
    let draft = body.parse()?;
    let visibility = area_visibility(&caller.principal);
    request
        .run(
            &db,
            move |connection| {
                let row = store::insert_new(connection, &draft)?;
                Ok(Outcome::created(row.id).at_version(row.version))
            },
            move |connection, outcome| {
                render(connection, visibility, &outcome.resource_id, outcome.status)
            },
        )
        .await
}
