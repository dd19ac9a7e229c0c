//! Recently computed figures, reused while nothing was written through this instance.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use chrono::NaiveDate;

use super::figures::Figures;

/// How long computed figures are reused when nothing was written through this
/// instance meanwhile (writes through other instances show within this time).
pub(super) const CACHE_SECONDS: u64 = 30;

pub(super) const CACHE_ENTRIES: usize = 1_000;

pub(super) type CacheKey = (String, NaiveDate, NaiveDate);

/// The generation and time figures were computed at, and the figures.
pub(super) type CacheEntry = (u64, Instant, Arc<Figures>);

/// Recently computed figures per area and period. Any write request through this
/// instance starts a new generation, so its own writes show at once.
#[derive(Default)]
pub struct StatisticsCache {
    pub(super) generation: AtomicU64,
    pub(super) entries: Mutex<HashMap<CacheKey, CacheEntry>>,
}

impl StatisticsCache {
    pub(super) fn get(&self, key: &CacheKey) -> Option<Arc<Figures>> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        let (stored, at, figures) = entries.get(key)?;
        (*stored == generation && at.elapsed() < Duration::from_secs(CACHE_SECONDS))
            .then(|| figures.clone())
    }

    pub(super) fn put(&self, key: CacheKey, generation: u64, figures: Arc<Figures>) {
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
