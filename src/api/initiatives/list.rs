//! `GET /initiatives`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Initiative, InitiativeListQuery};
use super::view::initiative_out;
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::ListFailures;
use crate::api::statistics::SuppressionThreshold;
use crate::auth::policy::{area_work_scope, disclosure_for, AreaWorkScope};
use crate::auth::{op, Allowed};
use crate::db::initiatives::{self as store, AreaScope, InitiativeFilter, InitiativeRow};
use crate::db::Database;
use crate::error::ApiError;

/// Initiatives in the caller's scope, filtered.
#[utoipa::path(
    tag = "initiatives",
    params(InitiativeListQuery),
    responses(
        (status = 200, body = Page<Initiative>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ListFailures,
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_initiatives(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    query: query::Query<InitiativeListQuery>,
    threshold: web::Data<SuppressionThreshold>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = InitiativeFilter {
        scope: scope_of(area_work_scope(&caller.principal)),
        area_id: query.area_id.map(|id| id.to_string()),
        initiative_type: query.initiative_type.map(|t| t.code().to_owned()),
        status: query.status.map(|s| s.code().to_owned()),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let principal = caller.principal;
    let threshold = threshold.0;
    let (rows, counts) = db
        .run(move |connection| {
            let rows = store::list(connection, &filter)?;
            let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
            let counts = store::enrolment_counts(connection, &ids)?;
            Ok((rows, counts))
        })
        .await?;
    let shown = |row: InitiativeRow| {
        let enrolled = counts.get(&row.id).copied().unwrap_or(0);
        initiative_out(
            &row,
            disclosure_for(&principal, &row.area_id, threshold).single(enrolled),
        )
    };
    let page = page.try_into_page(rows, |row| row.id.clone(), shown)?;
    Ok(page_response(&req, page))
}

/// The areas whose initiatives a caller's work scope reaches.
fn scope_of(scope: AreaWorkScope) -> AreaScope {
    match scope {
        AreaWorkScope::Every => AreaScope::All,
        AreaWorkScope::Areas(ids) => AreaScope::Areas(ids.iter().map(Uuid::to_string).collect()),
        AreaWorkScope::Municipality(code) => AreaScope::Municipality(code.as_str().to_owned()),
        AreaWorkScope::Nothing => AreaScope::Areas(Vec::new()),
    }
}
