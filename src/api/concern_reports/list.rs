//! `GET /concern-reports`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::types::{ConcernListQuery, ConcernReport};
use super::view::{report_out, End};
use crate::api::audit::{Access, AuditContext};
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::ListFailures;
use crate::auth::policy::{concern_report_view, ConcernReportView};
use crate::auth::{op, Allowed};
use crate::db::referrals::{self as store, ConcernFilter, ConcernScope};
use crate::db::{self, Database};
use crate::domain::referral::ConcernStatus;
use crate::error::ApiError;

/// Concern reports: the children-and-families unit sees its municipality's in
/// full; a reporter sees the status of its areas' reports.
#[utoipa::path(
    tag = "concern-reports",
    params(ConcernListQuery),
    responses(
        (status = 200, body = Page<ConcernReport>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ListFailures,
    ),
    security(("bearer" = []))
)]
#[get("/concern-reports")]
pub async fn list_concern_reports(
    caller: Allowed<op::ReadConcernReports>,
    db: web::Data<Database>,
    query: query::Query<ConcernListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let shown_page = page.clone();
    let (scope, end) = match concern_report_view(&principal) {
        ConcernReportView::Receiver(municipality) => (
            ConcernScope::Municipality(municipality.as_str().to_owned()),
            End::Receiver,
        ),
        ConcernReportView::Reporter(areas) => (ConcernScope::Areas(areas), End::Reporter),
        ConcernReportView::Nothing => (ConcernScope::Areas(Vec::new()), End::Receiver),
    };
    let filter = ConcernFilter {
        scope,
        overdue_at: query.overdue.filter(|overdue| *overdue).map(|_| db::now()),
        acknowledged: query
            .status
            .map(|status| status == ConcernStatus::Acknowledged),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let rows = db
        .run(move |connection| {
            let rows = store::list_concerns(connection, &filter)?;
            let accesses = shown_page.shown(&rows).iter().map(|row| {
                Access::new("concern_report", &row.id, &row.area_id)
                    .of_family(row.family_id.as_deref())
            });
            audit.allowed_each(connection, accesses)?;
            Ok(rows)
        })
        .await?;
    let page = page.try_into_page(rows, |row| row.id.clone(), |row| report_out(row, end))?;
    Ok(page_response(&req, page))
}
