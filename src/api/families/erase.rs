//! `DELETE /families/{id}`: erasure.

use actix_web::{delete, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::view::guarded_family;
use crate::api::audit::{Access, AuditContext};
use crate::api::etag::IfMatch;
use crate::api::responses::DeleteFailures;
use crate::auth::{op, Allowed};
use crate::db::{self, erasure, Database};
use crate::error::ApiError;

/// Erases the family (its area's workers, or the data protection officer of
/// its housing organisation): its record, contact log, consents, enrolments,
/// attendance, the snapshots in its referrals and their receivers' view of it.
/// Statistics keep anonymous counts; the audit trail keeps the family id. When
/// it returns, the erased content is gone from the SQLite database file and its
/// WAL; on PostgreSQL the touched tables are vacuumed right after.
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "Family id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version to delete"),
    ),
    responses((status = 204, description = "Erased"), DeleteFailures),
    security(("bearer" = []))
)]
#[delete("/{id}")]
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
            let current = guarded_family(connection, &principal, &id)?;
            if_match.check(current.version)?;
            let access = Access::new("family", &id, &current.area_id).of_family(Some(&id));
            audit.allowed(connection, access)?;
            erasure::erase_family(connection, &id, &principal.subject)?;
            Ok(())
        })
    })
    .await?;
    erasure::remove_leftovers(&db).await;
    Ok(HttpResponse::NoContent().finish())
}
