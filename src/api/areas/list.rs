//! `GET /areas`: the areas the caller may see.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::types::{Area, AreaListQuery};
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::PublicListFailures;
use crate::auth::policy::area_visibility;
use crate::auth::{op, Allowed};
use crate::db::areas::{self as store, AreaFilter};
use crate::db::Database;
use crate::domain::municipality::MunicipalityCode;
use crate::error::ApiError;

/// The areas the caller may see, filtered and paginated by id (creation order).
#[utoipa::path(
    tag = "areas",
    params(AreaListQuery),
    responses(
        (status = 200, body = Page<Area>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        PublicListFailures,
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_areas(
    caller: Allowed<op::ReadAreas>,
    db: web::Data<Database>,
    query: query::Query<AreaListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let requested = query
        .municipality
        .as_deref()
        .map(|code| {
            MunicipalityCode::parse(code)
                .map_err(|message| ApiError::parameter("municipality", message))
        })
        .transpose()?;
    let Some(municipality_code) = area_visibility(&principal).narrowed(requested) else {
        return Ok(page_response(&req, Page::<Area>::empty()));
    };
    let filter = AreaFilter {
        municipality_code: municipality_code.map(|code| code.as_str().to_owned()),
        text: query
            .q
            .map(|text| text.trim().to_lowercase())
            .filter(|text| !text.is_empty()),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let rows = db
        .run(move |connection| Ok(store::list(connection, &filter)?))
        .await?;
    let page = page.into_page(rows, |row| row.id.clone(), Area::from);
    Ok(page_response(&req, page))
}
