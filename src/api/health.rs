//! Liveness and readiness probes for orchestrators and load balancers.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Database;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when a dependency is missing.
    pub status: &'static str,
}

/// The process is up. Does not touch the database, so it stays 200 during a database outage.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/livez")]
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The service can serve requests: the database answers and every migration is applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, body = Health, description = "The database is unreachable or not migrated"),
    )
)]
#[get("/readyz")]
pub async fn readyz(db: web::Data<Database>) -> HttpResponse {
    if db.is_ready().await {
        HttpResponse::Ok().json(Health { status: "ok" })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable",
        })
    }
}
