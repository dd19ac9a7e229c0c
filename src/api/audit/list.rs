//! `GET /audit-events`: the trail, for data protection officers.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::types::{event_out, AuditEvent, AuditQuery};
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::responses::ListFailures;
use crate::auth::{op, Allowed};
use crate::db::audit::{self as store, AuditFilter};
use crate::db::Database;
use crate::error::ApiError;

/// The audit trail of individual data (data protection officers only).
#[utoipa::path(
    tag = "privacy",
    params(AuditQuery),
    responses(
        (status = 200, body = Page<AuditEvent>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ListFailures,
    ),
    security(("bearer" = []))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    _: Allowed<op::ReadAuditTrail>,
    db: web::Data<Database>,
    query: web::Query<AuditQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = AuditFilter {
        family_id: query.family_id.map(|id| id.to_string()),
        actor: query.actor,
        resource_type: query.resource_type,
        resource_id: query.resource_id,
        from: query.from.map(|at| at.naive_utc()),
        to: query.to.map(|at| at.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let rows = db
        .run(move |connection| Ok(store::list(connection, &filter)?))
        .await?;
    let page = page.into_page(rows, |row| row.id.clone(), |row| row);
    let items = page
        .items
        .into_iter()
        .map(event_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_response(
        &req,
        Page {
            items,
            next_cursor: page.next_cursor,
        },
    ))
}
