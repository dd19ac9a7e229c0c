//! `GET /concern-reports/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::ConcernReport;
use super::view::render;
use crate::api::audit::AuditContext;
use crate::api::responses::ReadFailures;
use crate::auth::{op, Allowed};
use crate::db::sealed::DataKeys;
use crate::db::Database;
use crate::error::ApiError;

/// One concern report, as the caller's end may see it.
#[utoipa::path(
    tag = "concern-reports",
    params(("id" = Uuid, Path, description = "Concern report id")),
    responses(
        (status = 200, body = ConcernReport),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_concern_report(
    caller: Allowed<op::ReadConcernReports>,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let mut rendered = db
        .run(move |connection| render(connection, &principal, &audit, &keys, &id, StatusCode::OK))
        .await?;
    rendered.location = None;
    Ok(rendered.into_response())
}
