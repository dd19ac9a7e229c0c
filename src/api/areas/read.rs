//! `GET /areas/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::types::Area;
use super::view::render_found;
use crate::api::responses::PublicReadFailures;
use crate::auth::policy::area_visibility;
use crate::auth::{op, Allowed};
use crate::db::Database;
use crate::error::ApiError;

/// One area. Out-of-scope areas are 404, as if they did not exist.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id")),
    responses(
        (status = 200, body = Area, headers(("ETag" = String, description = "Current version, for If-Match"))),
        PublicReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_area(
    caller: Allowed<op::ReadAreas>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let visibility = area_visibility(&caller.principal);
    let id = id.into_inner().to_string();
    let found = db.find_area(id).await?;
    Ok(render_found(found, visibility, StatusCode::OK)?.into_response())
}
