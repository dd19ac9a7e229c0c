//! `GET /initiatives/{id}/outcomes`: before and after, per goal.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::types::{InitiativeOutcomes, OutcomesQuery};
use super::view::find_in_scope;
use crate::api::query;
use crate::api::responses::ReadFailures;
use crate::api::statistics::{window, SuppressionThreshold};
use crate::auth::policy::disclosure_for;
use crate::auth::{op, Allowed};
use crate::db::measurements as store;
use crate::db::{self, Database};
use crate::domain::outcomes::results;
use crate::domain::statistics::Disclosure;
use crate::error::ApiError;

/// Per goal: how many families answered at each phase, how the answers fall
/// on the scale, and the paired change from start to end and to follow-up.
/// Exact for the area's housing-social team; for everyone else suppressed
/// like statistics, over whole calendar quarters that have ended.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id"), OutcomesQuery),
    responses(
        (status = 200, body = InitiativeOutcomes),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/outcomes")]
pub async fn initiative_outcomes(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    id: web::Path<Uuid>,
    query: query::Query<OutcomesQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let initiative_id = id.into_inner();
    let id = initiative_id.to_string();
    let threshold = threshold.0;
    let query = query.into_inner();
    let outcomes = db
        .run(move |connection| {
            let (initiative, area) = find_in_scope(connection, &principal, &id)?;
            let disclosure = disclosure_for(&principal, &area.id, threshold);
            let period = window(query.from, query.to, disclosure, db::today())?;
            let measured = store::measured_between(connection, &id, period.from, period.to)?;
            Ok(InitiativeOutcomes {
                initiative_id,
                from: period.from,
                to: period.to,
                suppression_applied: disclosure != Disclosure::Exact,
                suppression_threshold: threshold,
                goals: results(&initiative.plan()?.goals, &measured, disclosure),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(outcomes))
}
