//! `DELETE /families/{id}`: erasure.

use actix_web::http::StatusCode;
use actix_web::{delete, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use crate::api::audit::AuditContext;
use crate::api::etag::IfMatch;
use crate::api::responses::DeleteFailures;
use crate::auth::policy::guards_family_of;
use crate::auth::{op, Allowed};
use crate::db::families::{self as store};
use crate::db::{self, erasure, Database};
use crate::error::ApiError;

/// Erases the family (its area's workers, or the data protection officer): its
/// record, contact log, consents, enrolments, attendance and the snapshots in its
/// referrals. Statistics keep anonymous counts; the audit trail keeps the family id.
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "Family id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version to delete"),
    ),
    responses(
        (status = 204, description = "Erased"),
        DeleteFailures,
    ),
    security(("bearer" = []))
)]
#[delete("/families/{id}")]
pub async fn erase_family(
    caller: Allowed<op::EraseFamily>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    db.run(move |connection| {
        db::write_transaction(connection, |connection| {
            let current = store::find(connection, &id)?
                .filter(|family| guards_family_of(&principal, &family.area_id))
                .ok_or(ApiError::NotFound)?;
            if_match.check(current.version)?;
            erasure::erase_family(connection, &id)?;
            audit.allowed(connection, "family", Some(&id), Some(&id))?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::build(StatusCode::NO_CONTENT).finish())
}
