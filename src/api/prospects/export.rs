//! `GET /prospects/{id}/export`: subject access for a family the team has tried
//! to reach, everything held about it as one document.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::records::{guarded_prospect, prospect_out};
use super::types::Prospect;
use crate::api::audit::list::with_attempts;
use crate::api::audit::types::AuditEvent;
use crate::api::audit::{Access, AuditContext};
use crate::api::responses::{RateFailure, ReadFailures};
use crate::auth::{op, Allowed};
use crate::db::audit::{self as audit_store, AuditFilter};
use crate::db::prospects as store;
use crate::db::{self, Database};
use crate::error::ApiError;

/// At most this many audit events, the newest, go into an export.
const EXPORTED_AUDIT_EVENTS: i64 = 500;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProspectExport {
    pub exported_at: DateTime<Utc>,
    /// The record with every step of reaching the family.
    pub prospect: Prospect,
    /// Who read, changed or exported the record, newest first (at most 500).
    pub audit_events: Vec<AuditEvent>,
}

/// Everything held about a prospect, for a request of access (GDPR art. 15):
/// the area's workers, or the data protection officer of the area's housing
/// organisation. The export itself is audited.
#[utoipa::path(
    tag = "privacy",
    params(("id" = Uuid, Path, description = "Prospect id")),
    responses((status = 200, body = ProspectExport), ReadFailures, RateFailure),
    security(("bearer" = []))
)]
#[get("/{id}/export")]
pub async fn export_prospect(
    caller: Allowed<op::ExportFamily>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let export = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let (prospect, area) = guarded_prospect(connection, &principal, &id)?;
                let access =
                    Access::new("prospect", &id, &area.id).of_family(prospect.family_id.as_deref());
                audit.allowed(connection, access)?;
                let steps = store::steps_of(connection, &id)?;
                let newest = AuditFilter {
                    resource_type: Some("prospect".into()),
                    resource_id: Some(id.clone()),
                    limit: EXPORTED_AUDIT_EVENTS,
                    newest_first: true,
                    ..AuditFilter::default()
                };
                let rows = audit_store::list(connection, &newest)?;
                Ok(ProspectExport {
                    exported_at: Utc::now(),
                    prospect: prospect_out(prospect, steps)?,
                    audit_events: with_attempts(connection, rows)?,
                })
            })
        })
        .await?;
    let attachment = format!(
        "attachment; filename=\"prospect-{}.json\"",
        export.prospect.id
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, attachment))
        .json(export))
}
