//! `GET /concern-reports`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::types::{ConcernListQuery, ConcernReport};
use super::view::{access_of, end_of, report_out};
use crate::api::audit::AuditContext;
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::ListFailures;
use crate::auth::policy::{concern_report_scope, ConcernEnd, ConcernReportScope};
use crate::auth::{op, Allowed};
use crate::db::concern_reports::{self as store, ConcernFilter, ConcernScope};
use crate::db::sealed::DataKeys;
use crate::db::{self, Database};
use crate::domain::concern::ConcernStatus;
use crate::error::ApiError;

/// Concern reports: the receiving unit sees those its municipality routed to
/// it, in full; a reporter sees the status of its areas' reports.
#[utoipa::path(
    tag = "concern-reports",
    params(ConcernListQuery),
    responses(
        (status = 200, body = Page<ConcernReport>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ListFailures,
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_concern_reports(
    caller: Allowed<op::ReadConcernReports>,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    query: query::Query<ConcernListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let shown_page = page.clone();
    let scope = match concern_report_scope(&principal) {
        ConcernReportScope::Received { municipality, unit } => ConcernScope::Received {
            municipality: municipality.as_str().to_owned(),
            unit: unit.code().to_owned(),
        },
        ConcernReportScope::Reported(areas) => ConcernScope::Areas(areas),
        ConcernReportScope::Nothing => ConcernScope::Areas(Vec::new()),
    };
    let filter = ConcernFilter {
        scope,
        overdue: query.overdue.map(|overdue| (overdue, db::now())),
        acknowledged: query
            .status
            .map(|status| status == ConcernStatus::Acknowledged),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let viewer = principal.clone();
    let rows = db
        .run(move |connection| {
            let rows = store::list(connection, &filter)?;
            audit.allowed_each(connection, shown_page.shown(&rows).iter().map(access_of))?;
            Ok(rows)
        })
        .await?;
    let page = page.try_into_page(
        rows,
        |row| row.id.clone(),
        |row| {
            // A report in the list is one the scope gave; its end decides the view.
            let end = end_of(&viewer, &row)?.unwrap_or(ConcernEnd::Reporter);
            report_out(row, end, &keys)
        },
    )?;
    Ok(page_response(&req, page))
}
