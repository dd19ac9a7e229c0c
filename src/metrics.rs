//! Prometheus metrics: requests and latency per route and status, pool usage,
//! audit writes. Served at `/metrics` only when a metrics token is configured,
//! and only to callers presenting it.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error};

/// Audit events written since start (incremented by the audit store).
pub static AUDIT_WRITES: AtomicU64 = AtomicU64::new(0);

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct RouteStats {
    count: u64,
    seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request statistics keyed by (method, route pattern, status).
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<HashMap<(String, String, u16), RouteStats>>,
}

/// The token that `/metrics` requires; metrics are off without one.
#[derive(Clone)]
pub struct MetricsToken(pub Option<String>);

impl Metrics {
    fn observe(&self, method: String, route: String, status: u16, seconds: f64) {
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let stats = routes.entry((method, route, status)).or_default();
        stats.count += 1;
        stats.seconds += seconds;
        for (bucket, bound) in stats.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition of everything observed.
    pub fn render(&self, pool_connections: u32, pool_idle: u32) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP familiebro_http_requests_total HTTP requests by method, route and status."
        );
        let _ = writeln!(out, "# TYPE familiebro_http_requests_total counter");
        let routes = match self.routes.lock() {
            Ok(routes) => routes,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut keys: Vec<_> = routes.keys().cloned().collect();
        keys.sort();
        for key in &keys {
            let (method, route, status) = key;
            let _ = writeln!(
                out,
                "familiebro_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                routes[key].count
            );
        }
        let _ = writeln!(out, "# HELP familiebro_http_request_duration_seconds Request latency by method, route and status.");
        let _ = writeln!(
            out,
            "# TYPE familiebro_http_request_duration_seconds histogram"
        );
        for key in &keys {
            let (method, route, status) = key;
            let stats = &routes[key];
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (bound, count) in BUCKETS.iter().zip(stats.buckets) {
                let _ = writeln!(out, "familiebro_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(
                out,
                "familiebro_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                out,
                "familiebro_http_request_duration_seconds_sum{{{labels}}} {}",
                stats.seconds
            );
            let _ = writeln!(
                out,
                "familiebro_http_request_duration_seconds_count{{{labels}}} {}",
                stats.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP familiebro_db_pool_connections Open database connections."
        );
        let _ = writeln!(out, "# TYPE familiebro_db_pool_connections gauge");
        let _ = writeln!(out, "familiebro_db_pool_connections {pool_connections}");
        let _ = writeln!(
            out,
            "# HELP familiebro_db_pool_idle_connections Idle database connections."
        );
        let _ = writeln!(out, "# TYPE familiebro_db_pool_idle_connections gauge");
        let _ = writeln!(out, "familiebro_db_pool_idle_connections {pool_idle}");
        let _ = writeln!(
            out,
            "# HELP familiebro_audit_events_written_total Audit events written."
        );
        let _ = writeln!(out, "# TYPE familiebro_audit_events_written_total counter");
        let _ = writeln!(
            out,
            "familiebro_audit_events_written_total {}",
            AUDIT_WRITES.load(Ordering::Relaxed)
        );
        out
    }
}

/// Middleware: records every request's route, status and latency.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let request = response.request();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        metrics.observe(
            request.method().to_string(),
            route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}
