//! `PATCH /areas/{id}`: an admin changes an area.

use actix_web::{patch, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Area, AreaChanges, NewArea};
use super::view::render;
use crate::api::etag::IfMatch;
use crate::api::json;
use crate::api::responses::UpdateFailures;
use crate::auth::policy::area_visibility;
use crate::auth::{op, Allowed};
use crate::db::areas::{self as store, AreaRow};
use crate::db::Database;
use crate::error::ApiError;
use actix_web::http::StatusCode;

/// Changes an area (admin only). Send the `ETag` you read as `If-Match` to avoid
/// overwriting someone else's change (412 if it moved on).
#[utoipa::path(
    tag = "areas",
    params(
        ("id" = Uuid, Path, description = "Area id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = AreaChanges,
    responses(
        (status = 200, body = Area, headers(("ETag" = String, description = "The new version"))),
        UpdateFailures,
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_area(
    caller: Allowed<op::WriteAreas>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<AreaChanges>,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let visibility = area_visibility(&caller.principal);
    let rendered = db
        .run(move |connection| {
            let current = store::find(connection, &id)?.ok_or(ApiError::NotFound)?;
            let draft = NewArea::from(&current).with_changes(changes).parse()?;
            if_match.check(current.version)?;
            let updated = AreaRow::from_draft(id, &draft, current.version + 1, current.created_at);
            if !store::replace_if_version(connection, &updated, current.version)? {
                return Err(ApiError::PreconditionFailed);
            }
            render(connection, visibility, &updated.id, StatusCode::OK)
        })
        .await?;
    Ok(rendered.into_response())
}
