//! `areas/{id}/statistics`: aggregate figures for an area and a period, with
//! small counts suppressed for everyone but the area's own team.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::problems::{
    BadRequest, Forbidden, InternalError, NotFound, ServiceUnavailable, Unauthorized,
};
use crate::auth::policy::{reaches_area_work, reaches_families_of};
use crate::auth::{op, Allowed};
use crate::db::areas as area_store;
use crate::db::statistics::{self as store, Period};
use crate::db::{self, Database};
use crate::domain::catalog::{InitiativeType, MunicipalUnit, INITIATIVE_TYPES, MUNICIPAL_UNITS};
use crate::domain::referral::ReferralStatus;
use crate::domain::statistics::{median, suppress_table, Count, Disclosure};
use crate::error::ApiError;

/// Counts below this are suppressed outside the owning team (so 1 to threshold-1).
#[derive(Debug, Clone, Copy)]
pub struct SuppressionThreshold(pub i64);

/// How long computed figures are reused when nothing was written through this
/// instance meanwhile (writes through other instances show within this time).
const CACHE_SECONDS: u64 = 30;
const CACHE_ENTRIES: usize = 1_000;

type CacheKey = (String, NaiveDate, NaiveDate);
/// The generation and time figures were computed at, and the figures.
type CacheEntry = (u64, Instant, Arc<Figures>);

/// Recently computed figures per area and period. Any write request through this
/// instance starts a new generation, so its own writes show at once.
#[derive(Default)]
pub struct StatisticsCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<CacheKey, CacheEntry>>,
}

impl StatisticsCache {
    fn get(&self, key: &CacheKey) -> Option<Arc<Figures>> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        let (stored, at, figures) = entries.get(key)?;
        (*stored == generation && at.elapsed() < Duration::from_secs(CACHE_SECONDS))
            .then(|| figures.clone())
    }

    fn put(&self, key: CacheKey, generation: u64, figures: Arc<Figures>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CACHE_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (generation, Instant::now(), figures));
        }
    }
}

/// Middleware: a request that may write starts a new cache generation.
pub async fn invalidate_on_write(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let cache = req.app_data::<web::Data<StatisticsCache>>().cloned();
    let response = next.call(req).await?;
    if let (true, Some(cache)) = (writes, cache) {
        cache.generation.fetch_add(1, Ordering::AcqRel);
    }
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// First day of the period (default: one year before `to`).
    pub from: Option<NaiveDate>,
    /// Last day of the period (default: today).
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TypeCount {
    pub initiative_type: InitiativeType,
    pub participants: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: ReferralStatus,
    pub referrals: Count,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitReferrals {
    pub unit: MunicipalUnit,
    pub by_status: Vec<StatusCount>,
    pub total: Count,
}

/// Aggregate figures for an area and a period. Every count is `{value, suppressed}`:
/// for callers other than the area's housing-social workers, counts from 1 to
/// threshold-1 are suppressed (`value: null, suppressed: true`), and so are the
/// other cells needed to keep them from being recovered from row or column totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct Statistics {
    pub area_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Whether small counts are suppressed in this response.
    pub suppression_applied: bool,
    /// Counts from 1 up to this value minus one are suppressed.
    pub suppression_threshold: i64,
    /// Distinct families with a recorded contact in the period.
    pub families_reached: Count,
    /// Distinct enrolled families per initiative type, with their total.
    pub participants_by_initiative_type: Vec<TypeCount>,
    pub participants_total: Count,
    pub sessions_held: Count,
    pub session_attendances: Count,
    /// Referrals made in the period, by municipal unit (rows) and status (columns).
    pub referrals_by_unit: Vec<UnitReferrals>,
    /// Column totals of `referrals_by_unit`, per status.
    pub referrals_by_status: Vec<StatusCount>,
    pub referrals_total: Count,
    /// Median days from `requested` to `accepted` for referrals accepted in the
    /// period; null when suppressed or when there are none.
    pub median_days_requested_to_accepted: Option<f64>,
    pub median_suppressed: bool,
    pub concern_reports: Count,
}

/// Statistics of an area: exact for its housing-social workers, with small
/// counts suppressed for municipal staff and analysts.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id"), StatisticsQuery),
    responses(
        (status = 200, body = Statistics),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
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

/// The raw counts of an area for a period.
pub struct Figures {
    families_reached: i64,
    participants: std::collections::HashMap<String, i64>,
    sessions: (i64, i64),
    referrals: Vec<(String, String, i64)>,
    acceptance: Vec<(chrono::NaiveDateTime, chrono::NaiveDateTime)>,
    concern_reports: i64,
}

impl Figures {
    fn disclose(
        &self,
        area_id: Uuid,
        period: Period,
        disclosure: Disclosure,
        threshold: i64,
    ) -> Statistics {
        let types: Vec<InitiativeType> = INITIATIVE_TYPES.iter().map(|entry| entry.code).collect();
        let participants = suppress_table(
            &[types
                .iter()
                .map(|t| self.participants.get(t.code()).copied().unwrap_or(0))
                .collect()],
            disclosure,
        );
        let units: Vec<MunicipalUnit> = MUNICIPAL_UNITS.iter().map(|entry| entry.code).collect();
        let statuses = ReferralStatus::ALL;
        let cells: Vec<Vec<i64>> = units
            .iter()
            .map(|unit| {
                statuses
                    .iter()
                    .map(|status| {
                        self.referrals
                            .iter()
                            .filter(|(u, s, _)| u == unit.code() && s == status.code())
                            .map(|(_, _, count)| *count)
                            .sum()
                    })
                    .collect()
            })
            .collect();
        let referrals = suppress_table(&cells, disclosure);
        let mut days: Vec<f64> = self
            .acceptance
            .iter()
            .map(|(requested, accepted)| (*accepted - *requested).num_seconds() as f64 / 86_400.0)
            .collect();
        let median_suppressed = disclosure.single(days.len() as i64).suppressed;
        let median_days = if median_suppressed {
            None
        } else {
            median(&mut days).map(|days| (days * 10.0).round() / 10.0)
        };
        Statistics {
            area_id,
            from: period.from,
            to: period.to,
            suppression_applied: disclosure != Disclosure::Exact,
            suppression_threshold: threshold,
            families_reached: disclosure.single(self.families_reached),
            participants_by_initiative_type: types
                .iter()
                .zip(&participants.cells[0])
                .map(|(initiative_type, participants)| TypeCount {
                    initiative_type: *initiative_type,
                    participants: *participants,
                })
                .collect(),
            participants_total: participants.total,
            sessions_held: disclosure.single(self.sessions.0),
            session_attendances: disclosure.single(self.sessions.1),
            referrals_by_unit: units
                .iter()
                .enumerate()
                .map(|(i, unit)| UnitReferrals {
                    unit: *unit,
                    by_status: statuses
                        .iter()
                        .zip(&referrals.cells[i])
                        .map(|(status, count)| StatusCount {
                            status: *status,
                            referrals: *count,
                        })
                        .collect(),
                    total: referrals.row_totals[i],
                })
                .collect(),
            referrals_by_status: statuses
                .iter()
                .zip(&referrals.column_totals)
                .map(|(status, count)| StatusCount {
                    status: *status,
                    referrals: *count,
                })
                .collect(),
            referrals_total: referrals.total,
            median_days_requested_to_accepted: median_days,
            median_suppressed,
            concern_reports: disclosure.single(self.concern_reports),
        }
    }
}
