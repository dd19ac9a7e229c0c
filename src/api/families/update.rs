//! `PATCH /families/{id}`.

use actix_web::http::StatusCode;
use actix_web::{patch, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Family, FamilyChanges};
use super::view::{current_year, family_in_scope, render_family};
use crate::api::audit::AuditContext;
use crate::api::etag::IfMatch;
use crate::api::json;
use crate::api::responses::UpdateFailures;
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, FamilyRow};
use crate::db::{self, Database};
use crate::error::ApiError;

/// Changes a family record.
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "Family id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = FamilyChanges,
    responses(
        (status = 200, body = Family, headers(("ETag" = String, description = "The new version"))),
        UpdateFailures,
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<FamilyChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let rendered = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = family_in_scope(connection, &principal, &id)?;
                let record = changes
                    .apply_to(current.record()?)
                    .validate(current_year())
                    .map_err(ApiError::Validation)?;
                if_match.check(current.version)?;
                let version = current.version + 1;
                let updated = FamilyRow::from_record(
                    id,
                    current.area_id,
                    &record,
                    version,
                    current.created_at,
                );
                if !store::replace_if_version(connection, &updated, current.version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                render_family(connection, &principal, &audit, &updated.id, StatusCode::OK)
            })
        })
        .await?;
    Ok(rendered.into_response())
}
