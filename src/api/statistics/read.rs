//! `GET /areas/{id}/statistics`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use actix_web::{get, web, HttpResponse};
use chrono::{Days, NaiveDate};
use uuid::Uuid;

use super::cache::{CacheKey, StatisticsCache};
use super::figures::Figures;
use super::types::{Statistics, StatisticsQuery, SuppressionThreshold};
use crate::api::areas::view::{area_for_work, reached_for_work};
use crate::api::query;
use crate::api::responses::ReadFailures;
use crate::auth::policy::disclosure_for;
use crate::auth::{op, Allowed};
use crate::db::statistics::Period;
use crate::db::{self, Database};
use crate::domain::statistics::{check_outside_window, last_completed_quarter, Disclosure};
use crate::error::ApiError;

/// Statistics of an area: exact for its housing-social workers, for any period.
/// For municipal staff and analysts small counts are suppressed, and the period
/// is one whole calendar quarter that has ended (by default the last one).
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id"), StatisticsQuery),
    responses(
        (status = 200, body = Statistics),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/statistics")]
pub async fn area_statistics(
    caller: Allowed<op::ReadStatistics>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    cache: web::Data<StatisticsCache>,
    id: web::Path<Uuid>,
    query: query::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let area_uuid = id.into_inner();
    let area_id = area_uuid.to_string();
    let threshold = threshold.0;
    let disclosure = disclosure_for(&principal, &area_id, threshold);
    let query = query.into_inner();
    let period = window(query.from, query.to, disclosure, db::today())?;
    let key: CacheKey = (area_id.clone(), period.from, period.to);
    let mut cached = cache.get(&key);
    // On a miss, wait for whoever computes these figures now, then look again.
    let _turn = match cached {
        Some(_) => None,
        None => {
            let turn = cache.turn(&key).await;
            cached = cache.get(&key);
            Some(turn)
        }
    };
    // Read before the figures: a write after this point ends what is stored below.
    let generation = cache.generation.load(Ordering::Acquire);
    let computed = cached.is_none();
    let figures = match cached {
        Some(figures) => {
            reached_for_work(db.find_area(area_id).await?, &principal)?;
            figures
        }
        None => {
            db.run(move |connection| {
                let area = area_for_work(connection, &principal, &area_id)?;
                Ok(Arc::new(Figures::of(connection, &area.id, period)?))
            })
            .await?
        }
    };
    if computed {
        cache.put(key, generation, figures.clone());
    }
    let statistics = figures.disclose(area_uuid, period, disclosure, threshold);
    Ok(HttpResponse::Ok().json(statistics))
}

/// The period asked for: any for the area's team (by default the year up to
/// today); for everyone else one whole calendar quarter that has ended (by
/// default the last one), so that no two windows can be subtracted.
pub fn window(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    disclosure: Disclosure,
    today: NaiveDate,
) -> Result<Period, ApiError> {
    let invalid = |field: &str, message: String| ApiError::parameter(field, message);
    let (from, to) = match (disclosure, from, to) {
        (Disclosure::Exact, from, to) => {
            let to = to.unwrap_or(today);
            let from = match from {
                Some(from) => from,
                None => to
                    .checked_sub_days(Days::new(365))
                    .ok_or_else(|| invalid("to", "is too early".into()))?,
            };
            (from, to)
        }
        (Disclosure::Suppressed { .. }, None, None) => {
            last_completed_quarter(today).ok_or_else(|| invalid("to", "is out of range".into()))?
        }
        (Disclosure::Suppressed { .. }, Some(from), Some(to)) => {
            check_outside_window(from, to, today).map_err(|message| invalid("from", message))?;
            (from, to)
        }
        (Disclosure::Suppressed { .. }, _, _) => {
            return Err(invalid(
                "from",
                "give both from and to (one whole calendar quarter that has ended), or neither"
                    .into(),
            ))
        }
    };
    if from > to {
        return Err(invalid("from", "must not be after to".into()));
    }
    Ok(Period { from, to })
}
