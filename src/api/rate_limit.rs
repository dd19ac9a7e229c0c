//! A per-token rate limit on list and export routes (429 with `Retry-After`).
//! Counted per instance in fixed one-minute windows.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, Error, ResponseError};
use sha2::{Digest, Sha256};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

const WINDOW: Duration = Duration::from_secs(60);
/// Above this many tracked callers, expired windows are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Requests per minute per token on the limited routes; 0 turns the limit off.
pub struct RateLimit {
    per_minute: u32,
    routes: HashSet<String>,
    windows: Mutex<HashMap<[u8; 32], (Instant, u32)>>,
}

impl RateLimit {
    /// Limits the list routes (those taking a `cursor`) and exports of `api`.
    pub fn new(per_minute: u32, api: &OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .filter(|(path, item)| {
                let paginated = item.get.as_ref().is_some_and(|get| {
                    get.parameters
                        .iter()
                        .flatten()
                        .any(|parameter| parameter.name == "cursor")
                });
                paginated || path.ends_with("/export")
            })
            .map(|(path, _)| path.clone())
            .collect();
        Self {
            per_minute,
            routes,
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub fn applies_to(&self, route: &str) -> bool {
        self.per_minute > 0 && self.routes.contains(route)
    }

    /// Counts a request; `Err(seconds)` to wait when over the limit.
    fn admit(&self, caller: [u8; 32], now: Instant) -> Result<(), u64> {
        let mut windows = match self.windows.lock() {
            Ok(windows) => windows,
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, (started, _)| now.duration_since(*started) < WINDOW);
        }
        let (started, count) = windows.entry(caller).or_insert((now, 0));
        if now.duration_since(*started) >= WINDOW {
            *started = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            let wait = WINDOW.saturating_sub(now.duration_since(*started));
            return Err(wait.as_secs().max(1));
        }
        *count += 1;
        Ok(())
    }
}

/// Middleware: applies the limit to the caller's bearer token (or address).
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let limit = req.app_data::<web::Data<RateLimit>>().cloned();
    let route = req.match_pattern();
    if let (Some(limit), Some(route)) = (limit, route) {
        if req.method() == actix_web::http::Method::GET && limit.applies_to(&route) {
            let caller = req
                .headers()
                .get(header::AUTHORIZATION)
                .map(|value| value.as_bytes().to_vec())
                .or_else(|| {
                    req.peer_addr()
                        .map(|addr| addr.ip().to_string().into_bytes())
                })
                .unwrap_or_default();
            let key: [u8; 32] = Sha256::digest(&caller).into();
            if let Err(retry_after) = limit.admit(key, Instant::now()) {
                let response = ApiError::TooManyRequests { retry_after }.error_response();
                return Ok(req.into_response(response).map_into_right_body());
            }
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_over_the_limit_waits_for_the_next_window() {
        let limit = RateLimit {
            per_minute: 2,
            routes: HashSet::new(),
            windows: Mutex::new(HashMap::new()),
        };
        let start = Instant::now();
        assert!(limit.admit([1; 32], start).is_ok());
        assert!(limit.admit([1; 32], start).is_ok());
        assert_eq!(
            limit.admit([1; 32], start + Duration::from_secs(20)),
            Err(40)
        );
        assert!(
            limit.admit([2; 32], start).is_ok(),
            "another token has its own budget"
        );
        assert!(limit.admit([1; 32], start + WINDOW).is_ok(), "a new window");
    }
}
