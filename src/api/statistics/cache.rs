//! Recently computed figures, reused while nothing was written: through this
//! instance, or (on PostgreSQL) through any other, which the database announces.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use chrono::NaiveDate;

use super::figures::Figures;
use crate::db::write_signal::{self, Signal};

/// How long computed figures are reused when nothing was written meanwhile.
pub(super) const CACHE_SECONDS: u64 = 30;

pub(super) const CACHE_ENTRIES: usize = 1_000;

/// Stripes of keys that compute in turn (a few, so a busy area rarely waits
/// for another).
const TURN_STRIPES: usize = 16;

pub(super) type CacheKey = (String, NaiveDate, NaiveDate);

/// The generation and time figures were computed at, and the figures.
pub(super) type CacheEntry = (u64, Instant, Arc<Figures>);

/// Recently computed figures per area and period. Any write request through this
/// instance starts a new generation, so its own writes show at once; so does any
/// write announced by the database (PostgreSQL), so other instances' writes show
/// within the listener's poll interval. While an instance that shares its
/// database cannot listen, it caches nothing.
#[derive(Default)]
pub struct StatisticsCache {
    pub(super) generation: AtomicU64,
    pub(super) entries: Mutex<HashMap<CacheKey, CacheEntry>>,
    /// One computation at a time per stripe of keys: requests that miss the
    /// same figures wait for the one computing them instead of each computing.
    turns: [tokio::sync::Mutex<()>; TURN_STRIPES],
    /// Other instances may write: entries are trusted only while listening.
    shared: bool,
    listening: AtomicBool,
}

impl StatisticsCache {
    /// A cache for an instance that may share its database with others; start
    /// `follow_writes` for it.
    pub fn shared() -> Self {
        Self {
            shared: true,
            ..Self::default()
        }
    }

    /// Follows the writes the database announces until the cache is dropped.
    /// Blocks: run it on its own thread.
    pub fn follow_writes(cache: Weak<Self>, database_url: &str) {
        write_signal::listen(database_url, |signal| {
            let Some(cache) = cache.upgrade() else {
                return false;
            };
            match signal {
                Signal::Quiet => {}
                Signal::Listening | Signal::Wrote => {
                    cache.generation.fetch_add(1, Ordering::AcqRel);
                    cache.listening.store(true, Ordering::Release);
                }
                Signal::Lost => cache.listening.store(false, Ordering::Release),
            }
            true
        });
    }

    pub(super) fn get(&self, key: &CacheKey) -> Option<Arc<Figures>> {
        if self.shared && !self.listening.load(Ordering::Acquire) {
            return None;
        }
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        let (stored, at, figures) = entries.get(key)?;
        (*stored == generation && at.elapsed() < Duration::from_secs(CACHE_SECONDS))
            .then(|| figures.clone())
    }

    /// The turn to compute the figures of `key`, held until dropped.
    pub(super) async fn turn(&self, key: &CacheKey) -> tokio::sync::MutexGuard<'_, ()> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        self.turns[hasher.finish() as usize % TURN_STRIPES]
            .lock()
            .await
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
