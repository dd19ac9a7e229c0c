//! Liveness and readiness probes for orchestrators and load balancers.

use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::responses::{NotFound, Unauthorized};
use crate::db::{Database, Readiness};
use crate::error::ApiError;
use crate::metrics::{Metrics, MetricsToken};

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`; `read_only` when only a standby database is reachable (reads work,
    /// writes get 503 `read-only`); `draining` while the instance stops;
    /// `unavailable` when the database is unreachable or not migrated.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Set when the instance has been told to stop and is draining.
#[derive(Default)]
pub struct Draining(AtomicBool);

impl Draining {
    pub fn begin(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn is_draining(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// The process is up. Does not touch the database, so it stays 200 during a database outage.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/livez")]
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The service can serve requests: the database answers and every migration is
/// applied. A load balancer sends traffic only to instances that answer 200.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Health, description = "`ok`, or `read_only` when only a standby database is reachable"),
        (status = 503, body = Health, description = "`unavailable`: the database is unreachable or not migrated; `draining`: the instance is stopping"),
    )
)]
#[get("/readyz")]
pub async fn readyz(db: web::Data<Database>, draining: web::Data<Draining>) -> HttpResponse {
    if draining.is_draining() {
        return HttpResponse::ServiceUnavailable().json(Health { status: "draining" });
    }
    match db.readiness().await {
        Readiness::Ready => HttpResponse::Ok().json(Health { status: "ok" }),
        Readiness::ReadOnly => HttpResponse::Ok().json(Health {
            status: "read_only",
        }),
        Readiness::Unavailable => HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable",
        }),
    }
}

/// Prometheus metrics: requests and latency per route and status, database pool
/// usage, audit writes. Off (404) unless a metrics token is configured; requires
/// `Authorization: Bearer <metrics token>`.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("metrics_token" = []))
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    metrics: web::Data<Metrics>,
    token: web::Data<MetricsToken>,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let Some(expected) = &token.0 else {
        return Err(ApiError::NotFound);
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if presented != Some(expected.as_str()) {
        return Err(ApiError::Unauthenticated(
            "the metrics token is required".into(),
        ));
    }
    let (connections, idle) = db.pool_state();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(connections, idle)))
}
