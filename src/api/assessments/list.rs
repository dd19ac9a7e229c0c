//! `GET /areas/{id}/assessments`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Assessment, AssessmentListQuery};
use super::view::assessment_out;
use crate::api::areas::view::area_for_work;
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::{RateFailure, ReadFailures};
use crate::auth::policy::sees_assessment;
use crate::auth::{op, Allowed};
use crate::db::assessments::{self as store, AssessmentFilter};
use crate::db::Database;
use crate::domain::assessment::AssessmentStatus;
use crate::error::ApiError;

/// The assessments of an area. Analysts see only agreed ones.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Area id"), AssessmentListQuery),
    responses(
        (status = 200, body = Page<Assessment>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/assessments")]
pub async fn list_assessments(
    caller: Allowed<op::ReadAssessments>,
    db: web::Data<Database>,
    area_id: web::Path<Uuid>,
    query: query::Query<AssessmentListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let visible: Vec<String> = AssessmentStatus::ALL
        .into_iter()
        .filter(|status| sees_assessment(&principal, *status))
        .filter(|status| query.status.is_none_or(|wanted| wanted == *status))
        .map(|status| status.code().to_owned())
        .collect();
    let filter = AssessmentFilter {
        area_id: area_id.into_inner().to_string(),
        statuses: Some(visible),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let stored = db
        .run(move |connection| {
            area_for_work(connection, &principal, &filter.area_id)?;
            let rows = store::list(connection, &filter)?;
            Ok(store::complete(connection, rows)?)
        })
        .await?;
    let page = page.try_into_page(stored, |stored| stored.row.id.clone(), assessment_out)?;
    Ok(page_response(&req, page))
}
