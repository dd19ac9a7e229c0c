//! `GET /referrals`: the referrals the caller's end sends or receives.

use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Perspective, Referral, ReferralListQuery};
use super::view::view;
use crate::api::audit::{Access, AuditContext};
use crate::api::pagination::{page_response, Page, PageRequest};
use crate::api::query;
use crate::api::responses::ListFailures;
use crate::auth::policy::{referral_ends, ReferralEnds};
use crate::auth::{op, Allowed};
use crate::db::referrals::{self as store, ReferralFilter, ReferralScope};
use crate::db::{self, Database};
use crate::domain::assessment::Side;
use crate::domain::referral::Direction;
use crate::error::ApiError;

/// Referrals the caller's end sends or receives, for polling.
#[utoipa::path(
    tag = "referrals",
    params(ReferralListQuery),
    responses(
        (status = 200, body = Page<Referral>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ListFailures,
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_referrals(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    query: query::Query<ReferralListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let shown_page = page.clone();
    let (scope, side) = scope_of(referral_ends(&principal))?;
    let filter = ReferralFilter {
        scope,
        directions: directions(side, query.direction),
        receiving: directions(side, Some(Perspective::Incoming)),
        status: query.status.map(|status| status.code().to_owned()),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let views = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let rows = store::list(connection, &filter)?;
                let shown = shown_page.shown(&rows);
                let accesses = shown.iter().map(|row| {
                    Access::new("referral", &row.id, &row.area_id)
                        .of_family(row.family_id.as_deref())
                });
                audit.allowed_each(connection, accesses)?;
                rows.into_iter()
                    .map(|row| Ok((row.id.clone(), view(connection, row, side)?)))
                    .collect::<Result<Vec<_>, ApiError>>()
            })
        })
        .await?;
    let page = page.into_page(views, |(id, _)| id.clone(), |(_, view)| view);
    Ok(page_response(&req, page))
}

/// The referrals a caller's end reaches, and which side it is on.
fn scope_of(ends: ReferralEnds) -> Result<(ReferralScope, Side), ApiError> {
    match ends {
        ReferralEnds::Municipal { municipality, unit } => Ok((
            ReferralScope::Municipal {
                municipality: municipality.as_str().to_owned(),
                unit: unit.code().to_owned(),
            },
            Side::Municipal,
        )),
        ReferralEnds::Areas(areas) => Ok((
            ReferralScope::Areas(areas.iter().map(Uuid::to_string).collect()),
            Side::HousingSocial,
        )),
        ReferralEnds::Nothing => Err(ApiError::Forbidden),
    }
}

/// The directions of the referrals that `side` sends or receives, as asked.
fn directions(side: Side, perspective: Option<Perspective>) -> Vec<String> {
    Direction::ALL
        .iter()
        .filter(|direction| match perspective {
            Some(Perspective::Incoming) => direction.receiver() == side,
            Some(Perspective::Outgoing) => direction.sender() == side,
            None => true,
        })
        .map(|direction| direction.code().to_owned())
        .collect()
}
