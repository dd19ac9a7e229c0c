//! `POST /concern-reports/{id}/acknowledgement`: the receiving unit confirms receipt.

use actix_web::http::{header, StatusCode};
use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::ConcernReport;
use super::view::{report_in_scope, report_out, End};
use crate::api::audit::AuditContext;
use crate::api::responses::ReadFailures;
use crate::auth::{op, Allowed};
use crate::db::referrals::{self as store};
use crate::db::{self, Database};
use crate::error::ApiError;

/// Acknowledges receipt (the receiving unit). Acknowledging again changes nothing (200).
#[utoipa::path(
    tag = "concern-reports",
    params(("id" = Uuid, Path, description = "Concern report id")),
    responses(
        (status = 200, body = ConcernReport, description = "It was acknowledged already"),
        (status = 201, body = ConcernReport, headers(("Location" = String, description = "URL of the report"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[post("/concern-reports/{id}/acknowledgement")]
pub async fn acknowledge_concern_report(
    caller: Allowed<op::AcknowledgeConcernReports>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let (row, first) = db
        .run(move |connection| {
            let (mut row, end) = report_in_scope(connection, &principal, &id)?;
            if end != End::Receiver {
                return Err(ApiError::NotFound);
            }
            audit.allowed(
                connection,
                "concern_report",
                Some(&id),
                row.family_id.as_deref(),
            )?;
            if row.acknowledged_at.is_some() {
                return Ok((row, false));
            }
            let now = db::now();
            row.acknowledged_at = Some(now);
            row.acknowledged_by = Some(principal.subject.clone());
            row.updated_at = now;
            store::replace_concern(connection, &row)?;
            Ok((row, true))
        })
        .await?;
    let report = report_out(row, End::Receiver)?;
    let mut response = HttpResponse::build(if first {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    });
    if first {
        response.insert_header((
            header::LOCATION,
            format!("/api/v1/concern-reports/{}", report.id),
        ));
    }
    Ok(response.json(report))
}
