//! `POST /concern-reports/{id}/acknowledgement`: the receiving unit confirms receipt.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::ConcernReport;
use super::view::{render, report_in_scope, End};
use crate::api::audit::AuditContext;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::responses::ReadFailures;
use crate::auth::{op, Allowed, Principal};
use crate::db::referrals::{self as store};
use crate::db::{self, Database, DbConnection};
use crate::error::ApiError;

/// Acknowledges receipt (the receiving unit). Acknowledging again changes nothing (200).
#[utoipa::path(
    tag = "concern-reports",
    params(("id" = Uuid, Path, description = "Concern report id"), IdempotencyKeyHeader),
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
    let request = IdempotentRequest::new(&req, &principal, &serde_json::Value::Null)?;
    let id = id.into_inner().to_string();
    let receiver = principal.clone();
    let work = move |connection: &mut DbConnection| acknowledge(connection, &receiver, &id);
    request
        .run(&db, work, move |connection, outcome| {
            render(
                connection,
                &principal,
                &audit,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}

/// Records receipt by the caller's unit, once.
fn acknowledge(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<Outcome, ApiError> {
    let (mut row, end) = report_in_scope(connection, principal, id)?;
    if end != End::Receiver {
        return Err(ApiError::NotFound);
    }
    if row.acknowledged_at.is_some() {
        return Ok(Outcome::ok(row.id));
    }
    let now = db::now();
    row.acknowledged_at = Some(now);
    row.acknowledged_by = Some(principal.subject.clone());
    row.updated_at = now;
    store::replace_concern(connection, &row)?;
    Ok(Outcome::created(row.id))
}
