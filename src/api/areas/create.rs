//! `POST /areas`: an admin records a new area.

use actix_web::{post, web, HttpResponse};

use super::types::{single_area_response, Area, NewArea};
use crate::api::json;
use crate::api::responses::CreateFailures;
use crate::auth::{op, Allowed};
use crate::db::areas::{self as store};
use crate::db::Database;
use crate::error::ApiError;

/// Creates an area (admin only).
#[utoipa::path(
    tag = "areas",
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
#[post("/areas")]
pub async fn create_area(
    _: Allowed<op::WriteAreas>,
    db: web::Data<Database>,
    body: json::Json<NewArea>,
) -> Result<HttpResponse, ApiError> {
    let draft = body.parse()?;
    let row = db
        .run(move |connection| Ok(store::insert_new(connection, &draft)?))
        .await?;
    Ok(single_area_response(
        actix_web::http::StatusCode::CREATED,
        row,
    ))
}
