//! `GET /audit-events`: the trail, for data protection officers.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::types::{event_out, AuditEvent, AuditQuery};
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::ListFailures;
use crate::auth::policy::guarded_organisation;
use crate::auth::{op, Allowed};
use crate::db::areas as area_store;
use crate::db::audit::{self as store, AuditFilter};
use crate::db::{Database, DbConnection};
use crate::error::ApiError;

/// The audit trail of individual data (data protection officers only): the
/// events of the areas of the caller's housing organisation, and those that
/// concern no area (they name no family).
#[utoipa::path(
    tag = "privacy",
    params(AuditQuery),
    responses(
        (status = 200, body = Page<AuditEvent>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ListFailures,
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_audit_events(
    caller: Allowed<op::ReadAuditTrail>,
    db: web::Data<Database>,
    query: query::Query<AuditQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let organisation = guarded_organisation(&caller.principal).ok_or(ApiError::Forbidden)?;
    let mut filter = AuditFilter {
        family_id: query.family_id.map(|id| id.to_string()),
        actor: query.actor,
        resource_type: query.resource_type,
        resource_id: query.resource_id,
        from: query.from.map(|at| at.naive_utc()),
        to: query.to.map(|at| at.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
        ..AuditFilter::default()
    };
    let events = db
        .run(move |connection| {
            filter.areas = Some(area_store::ids_of_organisation(connection, &organisation)?);
            let rows = store::list(connection, &filter)?;
            with_attempts(connection, rows)
        })
        .await?;
    let page = page.into_page(events, |event| event.id.to_string(), |event| event);
    Ok(page_response(&req, page))
}

/// The events of `rows`, each with the number of attempts it stands for.
pub fn with_attempts(
    connection: &mut DbConnection,
    rows: Vec<crate::db::audit::AuditRow>,
) -> Result<Vec<AuditEvent>, ApiError> {
    rows.into_iter()
        .map(|row| {
            let attempts = store::attempts_of(connection, &row)?;
            event_out(row, attempts)
        })
        .collect()
}
