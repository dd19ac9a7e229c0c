//! `GET /families`: the families of the caller's areas.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::types::{Family, FamilyListQuery};
use super::view::family_out;
use crate::api::audit::AuditContext;
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::responses::ListFailures;
use crate::auth::policy::family_areas;
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, FamilyFilter};
use crate::db::Database;
use crate::error::ApiError;

/// The families of the areas the caller works in.
#[utoipa::path(
    tag = "families",
    params(FamilyListQuery),
    responses(
        (status = 200, body = Page<Family>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ListFailures,
    ),
    security(("bearer" = []))
)]
#[get("/families")]
pub async fn list_families(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    query: web::Query<FamilyListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let audit = AuditContext::new(&caller.principal, &req);
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut area_ids = family_areas(&caller.principal);
    if let Some(area_id) = query.area_id.map(|id| id.to_string()) {
        area_ids.retain(|own| *own == area_id);
    }
    let filter = FamilyFilter {
        area_ids,
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let shown = page.limit as usize;
    let rows = db
        .run(move |connection| {
            let rows = store::list(connection, &filter)?;
            let listed = rows
                .iter()
                .take(shown)
                .map(|row| (row.id.as_str(), Some(row.id.as_str())));
            audit.allowed_each(connection, "family", listed)?;
            Ok(rows)
        })
        .await?;
    let page = page.into_page(rows, |row| row.id.clone(), |row| row);
    let items = page
        .items
        .iter()
        .map(family_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_response(
        &req,
        Page {
            items,
            next_cursor: page.next_cursor,
        },
    ))
}
