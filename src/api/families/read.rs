//! `GET /families/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::Family;
use super::view::{family_read, in_scope, rendered_family};
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
    let audit = AuditContext::new(&caller.principal, &req);
    let found = db.find_family(id.into_inner().to_string()).await?;
    let row = in_scope(found, &caller.principal)?;
    audit.allowed_committed(&db, family_read(&row)).await?;
    Ok(rendered_family(&row, StatusCode::OK)?.into_response())
}
