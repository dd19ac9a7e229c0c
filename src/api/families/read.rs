//! `GET /families/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::Family;
use super::view::render_family;
use crate::api::audit::AuditContext;
use crate::api::responses::ReadFailures;
use crate::auth::{op, Allowed};
use crate::db::Database;
use crate::error::ApiError;

/// One family.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    responses(
        (status = 200, body = Family, headers(("ETag" = String, description = "Current version, for If-Match"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rendered = db
        .read(move |connection| render_family(connection, &principal, &audit, &id, StatusCode::OK))
        .await?;
    Ok(rendered.into_response())
}
