//! `GET /families`: the families of the caller's areas.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::types::{Family, FamilyListQuery};
use super::view::family_out;
use crate::api::audit::{Access, AuditContext};
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::ListFailures;
use crate::auth::policy::family_areas;
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, FamilyFilter};
use crate::db::{self, Database};
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
#[get("")]
pub async fn list_families(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    query: query::Query<FamilyListQuery>,
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
        consent_expiring: query
            .consent_expiring_before
            .map(|before| (db::today(), before)),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let shown_page = page.clone();
    let rows = db
        .run(move |connection| {
            let rows = store::list(connection, &filter)?;
            let accesses = shown_page
                .shown(&rows)
                .iter()
                .map(|row| Access::new("family", &row.id, &row.area_id).of_family(Some(&row.id)));
            audit.allowed_each(connection, accesses)?;
            Ok(rows)
        })
        .await?;
    let page = page.try_into_page(rows, |row| row.id.clone(), |row| family_out(&row))?;
    Ok(page_response(&req, page))
}
