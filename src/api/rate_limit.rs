//! A per-caller rate limit on list and export routes (429 with `Retry-After`),
//! counted per instance. The caller is the verified principal (so the spelling
//! of the Authorization header does not buy a fresh budget); requests without a
//! valid token are counted per client address.

use std::collections::HashSet;
use std::num::NonZeroU32;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use utoipa::openapi::OpenApi;

use crate::api::route;
use crate::auth::extract::authenticate;
use crate::error::ApiError;

/// Above this many tracked callers, callers with a full budget again are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// Requests per minute per caller on the limited routes; no limiter means no limit.
pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<[u8; 32]>>,
    routes: HashSet<String>,
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
        let limiter = NonZeroU32::new(per_minute)
            .map(|per_minute| RateLimiter::keyed(Quota::per_minute(per_minute)));
        Self { limiter, routes }
    }

    fn limiter_for(&self, route: &str) -> Option<&DefaultKeyedRateLimiter<[u8; 32]>> {
        self.limiter
            .as_ref()
            .filter(|_| self.routes.contains(route))
    }
}

/// Counts a request of `caller`; `Err(seconds)` to wait when over the limit.
fn admit(limiter: &DefaultKeyedRateLimiter<[u8; 32]>, caller: [u8; 32]) -> Result<(), u64> {
    if limiter.len() > PRUNE_ABOVE {
        limiter.retain_recent();
    }
    limiter.check_key(&caller).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        wait.as_secs_f64().ceil().max(1.0) as u64
    })
}

/// The key a request is counted under: its verified principal, else its address.
fn caller_of(req: &ServiceRequest) -> [u8; 32] {
    match authenticate(req.request()) {
        Ok(principal) => principal.fingerprint(),
        Err(_) => {
            let address = req
                .peer_addr()
                .map(|addr| addr.ip().to_string())
                .unwrap_or_default();
            Sha256::digest(format!("address:{address}")).into()
        }
    }
}

/// Middleware: applies the limit to the caller of a limited route.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let limit = req.app_data::<web::Data<RateLimit>>().cloned();
    let route = route::pattern(req.request());
    if let (Some(limit), Some(route)) = (limit, route) {
        if let Some(limiter) = limit.limiter_for(&route) {
            if req.method() == actix_web::http::Method::GET {
                if let Err(retry_after) = admit(limiter, caller_of(&req)) {
                    let response = ApiError::TooManyRequests { retry_after }.error_response();
                    return Ok(req.into_response(response).map_into_right_body());
                }
            }
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_over_its_budget_is_told_how_long_to_wait() {
        let limiter = RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(2).unwrap()));
        assert!(admit(&limiter, [1; 32]).is_ok());
        assert!(admit(&limiter, [1; 32]).is_ok());
        let wait = admit(&limiter, [1; 32]).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(
            admit(&limiter, [2; 32]).is_ok(),
            "another caller has its own budget"
        );
    }
}
