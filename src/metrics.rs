//! Prometheus metrics: requests and latency per route and status, pool usage,
//! audit writes. Served at `/metrics` only when a metrics token is configured,
//! and only to callers presenting it.
//!
//! Each server has its own recorder (not the process-wide one of the `metrics`
//! macros), so several servers in one process keep separate figures.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error};
use metrics::{Counter, Histogram, Key, Label, Level, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// Audit events written since start (incremented by the audit store).
pub static AUDIT_WRITES: AtomicU64 = AtomicU64::new(0);

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

const REQUESTS: &str = "familiebro_http_requests_total";
const DURATION: &str = "familiebro_http_request_duration_seconds";
const POOL_CONNECTIONS: &str = "familiebro_db_pool_connections";
const POOL_IDLE: &str = "familiebro_db_pool_idle_connections";
const AUDIT_EVENTS: &str = "familiebro_audit_events_written_total";

static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);

/// Latency samples wait in the recorder until they are folded into the
/// histogram's buckets, which a scrape does; without scrapes (metrics off, or
/// a scraper down) they would pile up, about 15 bytes per request. Every this
/// many requests they are folded in.
const OBSERVATIONS_PER_UPKEEP: u64 = 4096;

/// Series handles kept at hand: every route's usual statuses fit many times
/// over. A series pushed out is looked up in the recorder again, where it stays.
const SERIES_KEPT: usize = 1024;

/// Method, route template and status: the labels of one series.
type SeriesLabels = (&'static str, Arc<str>, u16);

/// The counter and histogram of one method, route and status.
#[derive(Clone)]
struct Series {
    requests: Counter,
    duration: Histogram,
}

/// The server's recorder and the handle that renders it.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    observations: AtomicU64,
    /// Registering a series builds its labels and looks it up in the recorder
    /// (7 % of an area read); the handles are kept instead.
    series: quick_cache::sync::Cache<SeriesLabels, Series>,
}

/// The token that `/metrics` requires; metrics are off without one.
#[derive(Clone)]
pub struct MetricsToken(pub Option<String>);

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        for (name, unit, help) in [
            (REQUESTS, None, "HTTP requests by method, route and status."),
            (
                DURATION,
                Some(Unit::Seconds),
                "Request latency by method, route and status.",
            ),
            (POOL_CONNECTIONS, None, "Open database connections."),
            (POOL_IDLE, None, "Idle database connections."),
            (AUDIT_EVENTS, None, "Audit events written."),
        ] {
            recorder.describe_counter(name.into(), unit, help.into());
        }
        let handle = recorder.handle();
        Self {
            recorder,
            handle,
            observations: AtomicU64::new(0),
            series: quick_cache::sync::Cache::new(SERIES_KEPT),
        }
    }
}

impl Metrics {
    fn observe(&self, method: &Method, route: Arc<str>, status: u16, seconds: f64) {
        let labels = (method_label(method), route, status);
        let Ok(series) = self
            .series
            .get_or_insert_with(&labels, || Ok::<_, Infallible>(self.register(&labels)));
        series.requests.increment(1);
        series.duration.record(seconds);
        let observed = self.observations.fetch_add(1, Ordering::Relaxed) + 1;
        if observed % OBSERVATIONS_PER_UPKEEP == 0 {
            self.handle.run_upkeep();
        }
    }

    fn register(&self, (method, route, status): &SeriesLabels) -> Series {
        let labels = vec![
            Label::new("method", *method),
            Label::new("route", route.to_string()),
            Label::new("status", status.to_string()),
        ];
        Series {
            requests: self
                .recorder
                .register_counter(&Key::from_parts(REQUESTS, labels.clone()), &METADATA),
            duration: self
                .recorder
                .register_histogram(&Key::from_parts(DURATION, labels), &METADATA),
        }
    }

    /// The Prometheus text exposition of everything observed.
    pub fn render(&self, pool_connections: u32, pool_idle: u32) -> String {
        self.recorder
            .register_gauge(&Key::from_name(POOL_CONNECTIONS), &METADATA)
            .set(pool_connections);
        self.recorder
            .register_gauge(&Key::from_name(POOL_IDLE), &METADATA)
            .set(pool_idle);
        self.recorder
            .register_counter(&Key::from_name(AUDIT_EVENTS), &METADATA)
            .absolute(AUDIT_WRITES.load(Ordering::Relaxed));
        self.handle.render()
    }
}

/// The method's label: the methods of HTTP itself by name, any other as
/// `other`, so that made-up methods cannot grow the number of series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
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
        let route = crate::api::route::pattern(request).unwrap_or_else(|| Arc::from("unmatched"));
        metrics.observe(
            request.method(),
            route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_samples_folded_in_between_scrapes_are_all_counted() {
        let metrics = Metrics::default();
        let requests = OBSERVATIONS_PER_UPKEEP * 2 + 5;
        for _ in 0..requests {
            metrics.observe(&Method::GET, Arc::from("/livez"), 200, 0.002);
        }
        let text = metrics.render(1, 1);
        let count_line = text
            .lines()
            .find(|line| line.starts_with("familiebro_http_request_duration_seconds_count"))
            .expect("the histogram's count");
        assert!(
            count_line.ends_with(&format!(" {requests}")),
            "{count_line}"
        );
        let fast = text
            .lines()
            .find(|line| line.contains("_bucket{") && line.contains("le=\"0.0025\""))
            .expect("the 2.5 ms bucket");
        assert!(fast.ends_with(&format!(" {requests}")), "{fast}");
    }

    fn lines_of<'text>(text: &'text str, series: &str) -> Vec<&'text str> {
        text.lines()
            .filter(|line| line.starts_with(series))
            .collect()
    }

    #[test]
    fn each_method_route_and_status_counts_in_its_own_series() {
        let metrics = Metrics::default();
        let families: Arc<str> = Arc::from("/api/v1/families/{id}");
        for _ in 0..3 {
            metrics.observe(&Method::GET, families.clone(), 200, 0.001);
        }
        metrics.observe(&Method::GET, families.clone(), 404, 0.001);
        metrics.observe(&Method::PATCH, families, 200, 0.001);
        let text = metrics.render(1, 1);
        let mut requests = lines_of(&text, "familiebro_http_requests_total{");
        requests.sort_unstable();
        assert_eq!(
            requests,
            [
                r#"familiebro_http_requests_total{method="GET",route="/api/v1/families/{id}",status="200"} 3"#,
                r#"familiebro_http_requests_total{method="GET",route="/api/v1/families/{id}",status="404"} 1"#,
                r#"familiebro_http_requests_total{method="PATCH",route="/api/v1/families/{id}",status="200"} 1"#,
            ]
        );
    }

    #[test]
    fn made_up_methods_share_one_series() {
        let metrics = Metrics::default();
        for name in ["FROB", "FROB2", "X-ANYTHING"] {
            let method = Method::from_bytes(name.as_bytes()).expect("a token");
            metrics.observe(&method, Arc::from("unmatched"), 405, 0.001);
        }
        let text = metrics.render(1, 1);
        assert_eq!(
            lines_of(&text, "familiebro_http_requests_total{"),
            [r#"familiebro_http_requests_total{method="other",route="unmatched",status="405"} 3"#]
        );
    }
}
