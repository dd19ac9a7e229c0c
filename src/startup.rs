//! Assembles the HTTP application and server from its parts.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::middleware::{from_fn, Condition, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::api::health::Draining;
use crate::api::language::{self, DefaultLanguage};
use crate::api::negotiation;
use crate::api::problems::{self, KnownRoutes};
use crate::api::rate_limit::{self, RateLimit};
use crate::api::route::RouteShapes;
use crate::api::statistics::{self, StatisticsCache, SuppressionThreshold};
use crate::api::{self, ServedOpenApi, OPENAPI_PATH};
use crate::auth::keys::KeySource;
use crate::auth::TokenVerifier;
use crate::db::sealed::DataKeys;
use crate::db::{self, Database, DatabaseUrl};
use crate::domain::family::ConsentRules;
use crate::domain::language::Language;
use crate::domain::webhooks::AllowedHosts;
use crate::metrics::{self, Metrics, MetricsToken};
use crate::outbox::{self, OutboxSettings};
use crate::telemetry;

/// Largest JSON request body accepted; larger bodies get 413.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

pub struct ServerParts {
    pub database: Database,
    pub verifier: TokenVerifier,
    pub cors_origins: Vec<String>,
    /// Counts below this are suppressed in statistics outside the owning team.
    pub suppression_threshold: i64,
    /// Requests per minute per token on list and export routes; 0 = no limit.
    pub rate_limit_per_minute: u32,
    /// Token for `/metrics`; metrics are off without one.
    pub metrics_token: Option<String>,
    /// Keys that seal values at rest (CPR numbers of concern reports).
    pub data_keys: DataKeys,
    /// The longest validity of a consent, in months.
    pub consent_max_months: u32,
    /// Where the verification keys come from; the key file is re-read while serving.
    pub key_source: KeySource,
    /// Where webhook deliveries may go.
    pub webhook_hosts: AllowedHosts,
    /// The change feed's retention and the webhook outbox's pace.
    pub outbox: OutboxSettings,
    /// The language of problems when Accept-Language names none of ours.
    pub default_language: Language,
    /// Worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// On SIGTERM, how long to keep serving while `/readyz` reports draining.
    pub drain: Duration,
}

/// Starts serving on `listener`; the returned server runs until stopped or SIGTERM
/// (which reports not ready for `drain`, then finishes in-flight requests).
pub fn serve(listener: TcpListener, parts: ServerParts) -> std::io::Result<Server> {
    // Every instance runs the outbox; the database decides which one sends a delivery.
    tokio::spawn(outbox::run(
        parts.database.clone(),
        parts.data_keys.clone(),
        parts.outbox.clone(),
    ));
    tokio::spawn(db::keep_planner_statistics_fresh(parts.database.clone()));
    let max_connections = parts.database.max_connections();
    let database = web::Data::new(parts.database);
    let verifier = web::Data::new(parts.verifier);
    tokio::spawn(crate::auth::reload::watch(
        verifier.clone(),
        parts.key_source,
    ));
    let threshold = web::Data::new(SuppressionThreshold(parts.suppression_threshold));
    let spec = api::openapi();
    let known_routes = web::Data::new(KnownRoutes::from_openapi(&spec));
    let route_shapes = web::Data::new(RouteShapes::default());
    let rate_limit = web::Data::new(RateLimit::new(parts.rate_limit_per_minute, &spec));
    let served_openapi = web::Data::new(ServedOpenApi::new(&spec)?);
    drop(spec);
    let metrics = web::Data::new(Metrics::default());
    let statistics_cache = match database.url() {
        DatabaseUrl::Postgres(url) => {
            let cache = Arc::new(StatisticsCache::shared());
            let (following, url) = (Arc::downgrade(&cache), url.clone());
            std::thread::Builder::new()
                .name("write-signal".into())
                .spawn(move || StatisticsCache::follow_writes(following, &url))?;
            web::Data::from(cache)
        }
        DatabaseUrl::Sqlite(_) => web::Data::new(StatisticsCache::default()),
    };
    let metrics_token = web::Data::new(MetricsToken(parts.metrics_token));
    let webhook_hosts = web::Data::new(parts.webhook_hosts);
    let outbox_settings = web::Data::new(parts.outbox);
    let data_keys = web::Data::new(parts.data_keys);
    let consent_rules = web::Data::new(ConsentRules {
        max_months: parts.consent_max_months,
    });
    let default_language = web::Data::new(DefaultLanguage(parts.default_language));
    let draining = web::Data::new(Draining::default());
    let draining_on_signal = draining.clone();
    let cors_origins = parts.cors_origins;
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(database.clone())
            .app_data(verifier.clone())
            .app_data(known_routes.clone())
            .app_data(route_shapes.clone())
            .app_data(threshold.clone())
            .app_data(rate_limit.clone())
            .app_data(metrics.clone())
            .app_data(statistics_cache.clone())
            .app_data(metrics_token.clone())
            .app_data(data_keys.clone())
            .app_data(webhook_hosts.clone())
            .app_data(outbox_settings.clone())
            .app_data(consent_rules.clone())
            .app_data(default_language.clone())
            .app_data(draining.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(MAX_JSON_BODY_BYTES)
                    .content_type(|mime| {
                        mime.type_() == actix_web::mime::APPLICATION
                            && (mime.subtype() == actix_web::mime::JSON
                                || mime.suffix() == Some(actix_web::mime::JSON))
                    })
                    .error_handler(problems::json_error),
            )
            .app_data(web::PathConfig::default().error_handler(problems::path_error))
            // Before the API scope, which would otherwise claim the spec's path.
            .service(
                web::resource(OPENAPI_PATH)
                    .app_data(served_openapi.clone())
                    .route(web::get().to(api::serve_openapi)),
            )
            .into_utoipa_app()
            .configure(api::routes)
            .into_app()
            // After the routes: actix tries services in order, and the UI's
            // pattern is a regular expression every API request would pay for.
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    // Never call out: no online validator, everything from this service.
                    .config(
                        Config::new([OPENAPI_PATH])
                            .validator_url("none")
                            .persist_authorization(true),
                    ),
            )
            .service(web::redirect("/docs", "/docs/"))
            .default_service(web::to(problems::unmatched_route))
            .wrap(from_fn(negotiation::not_modified))
            .wrap(from_fn(negotiation::negotiate))
            .wrap(from_fn(statistics::invalidate_on_write))
            .wrap(from_fn(rate_limit::limit))
            .wrap(from_fn(api::audit::record_denied))
            .wrap(Condition::new(
                !cors_origins.is_empty(),
                cors(&cors_origins),
            ))
            .wrap(from_fn(negotiation::problem_bodies))
            .wrap(from_fn(metrics::track))
            .wrap(security_headers())
            .wrap(from_fn(language::negotiate_language))
            .wrap(from_fn(telemetry::request_id))
    })
    .disable_signals()
    .listen(listener)?;
    // Blocking work waits for one of the pool's connections anyway; more threads
    // would only cost memory.
    server = server.worker_max_blocking_threads(max_connections as usize);
    if let Some(workers) = parts.workers {
        server = server.workers(workers);
    }
    let server = server.run();
    tokio::spawn(release_startup_memory());
    tokio::spawn(stop_on_signal(
        server.handle(),
        draining_on_signal,
        parts.drain,
    ));
    Ok(server)
}

/// Each worker builds its routes and their OpenAPI description at start; the
/// allocator keeps the memory they freed. Give it back once the workers are up.
async fn release_startup_memory() {
    tokio::time::sleep(Duration::from_secs(1)).await;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// SIGTERM or SIGINT: report not ready (a load balancer stops sending), keep
/// serving for `drain`, then finish in-flight requests and stop. SIGQUIT stops
/// at once.
async fn stop_on_signal(server: ServerHandle, draining: web::Data<Draining>, drain: Duration) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut terminate), Ok(mut interrupt), Ok(mut quit)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::quit()),
    ) else {
        log::error!("cannot listen for signals; stop the service with SIGKILL");
        return;
    };
    let graceful = tokio::select! {
        _ = terminate.recv() => true,
        _ = interrupt.recv() => true,
        _ = quit.recv() => false,
    };
    if graceful && !drain.is_zero() {
        draining.begin();
        log::info!(
            "draining: /readyz reports 503 for {} s before stopping",
            drain.as_secs()
        );
        actix_web::rt::time::sleep(drain).await;
    }
    server.stop(graceful).await;
}

/// Headers on every response: responses depend on the caller and may carry
/// individual data, so no cache stores them; content types are not sniffed; no
/// page of the service (the docs included) may be framed.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CACHE_CONTROL, "no-store"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"))
        .add((header::REFERRER_POLICY, "no-referrer"))
}

/// Cross-origin access for the configured browser origins only; never a wildcard.
fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static(telemetry::REQUEST_ID_HEADER),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            header::HeaderName::from_static(telemetry::REQUEST_ID_HEADER),
        ])
        .max_age(3600)
}
