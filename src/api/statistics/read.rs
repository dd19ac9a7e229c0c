//! `GET /areas/{id}/statistics`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::cache::{CacheKey, StatisticsCache};
use super::figures::Figures;
use super::types::{Statistics, StatisticsQuery, SuppressionThreshold};
use crate::api::responses::ReadFailures;
use crate::auth::policy::{reaches_area_work, reaches_families_of};
use crate::auth::{op, Allowed};
use crate::db::areas as area_store;
use crate::db::statistics::{self as store, Period};
use crate::db::{self, Database};
use crate::domain::statistics::Disclosure;
use crate::error::ApiError;

/// Statistics of an area: exact for its housing-social workers, with small
/// counts suppressed for municipal staff and analysts.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id"), StatisticsQuery),
    responses(
        (status = 200, body = Statistics),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/areas/{id}/statistics")]
pub async fn area_statistics(
    caller: Allowed<op::ReadStatistics>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    cache: web::Data<StatisticsCache>,
    id: web::Path<Uuid>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let to = query.to.unwrap_or_else(db::today);
    let from = query.from.unwrap_or(to - chrono::Duration::days(365));
    if from > to {
        return Err(ApiError::InvalidParameters(vec![
            crate::domain::validation::FieldError {
                field: "from".into(),
                message: "must not be after to".into(),
            },
        ]));
    }
    let period = Period { from, to };
    let area_uuid = id.into_inner();
    let area_id = area_uuid.to_string();
    let threshold = threshold.0;
    let key: CacheKey = (area_id.clone(), from, to);
    let cached = cache.get(&key);
    let generation = cache.generation.load(Ordering::Acquire);
    let (disclosure, figures) = db
        .run(move |connection| {
            let area = area_store::find(connection, &area_id)?
                .filter(|area| reaches_area_work(&principal, &area.id, &area.municipality_code))
                .ok_or(ApiError::NotFound)?;
            let disclosure = if reaches_families_of(&principal, &area.id) {
                Disclosure::Exact
            } else {
                Disclosure::Suppressed { threshold }
            };
            if let Some(figures) = cached {
                return Ok((disclosure, figures));
            }
            let figures = Figures {
                families_reached: store::families_reached(connection, &area.id, period)?,
                participants: store::participants_by_type(connection, &area.id, period)?,
                sessions: store::sessions_held(connection, &area.id, period)?,
                referrals: store::referrals_by_unit_and_status(connection, &area.id, period)?,
                acceptance: store::acceptance_times(connection, &area.id, period)?,
                concern_reports: store::concern_reports(connection, &area.id, period)?,
            };
            Ok((disclosure, Arc::new(figures)))
        })
        .await?;
    cache.put(key, generation, figures.clone());
    let statistics = figures.disclose(area_uuid, period, disclosure, threshold);
    Ok(HttpResponse::Ok().json(statistics))
}
