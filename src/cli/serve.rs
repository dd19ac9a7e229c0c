//! `familiebro serve`: the API server, configured from flags and the environment.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::maintenance::{migrate_database, refresh_planner_statistics};
use crate::auth::token::mint_hs256;
use crate::auth::{Role, TokenVerifier};
use crate::config::{self, ConfigError, JwtArgs, StorageArgs};
use crate::db::Database;
use crate::outbox::OutboxSettings;
use crate::startup::{serve, ServerParts};
use crate::{backup, demo};

#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// Local development: generated secret, demo data, ready tokens printed.
    #[arg(long)]
    pub dev: bool,
    /// Address to listen on.
    #[arg(long, env = "FAMILIEBRO_BIND")]
    pub bind: Option<String>,
    #[command(flatten)]
    pub jwt: JwtArgs,
    /// PEM public key or JWKS file with the identity provider's keys.
    #[arg(long, env = "FAMILIEBRO_JWT_PUBLIC_KEYS")]
    pub jwt_public_keys: Option<PathBuf>,
    /// Comma-separated browser origins allowed cross-origin access.
    #[arg(long, env = "FAMILIEBRO_CORS_ORIGINS")]
    pub cors_origins: Option<String>,
    /// Statistics outside the owning team suppress counts from 1 to this minus one.
    #[arg(long, env = "FAMILIEBRO_SUPPRESSION_THRESHOLD")]
    pub suppression_threshold: Option<String>,
    /// Requests per minute per token on list and export routes (0: no limit).
    #[arg(long, env = "FAMILIEBRO_RATE_LIMIT")]
    pub rate_limit: Option<String>,
    /// The longest validity of a consent, in months.
    #[arg(long, env = "FAMILIEBRO_CONSENT_MAX_MONTHS")]
    pub consent_max_months: Option<String>,
    /// Hosts webhook deliveries may go to, comma-separated (`*.example.dk` for subdomains).
    #[arg(long, env = "FAMILIEBRO_WEBHOOK_ALLOWED_HOSTS")]
    pub webhook_allowed_hosts: Option<String>,
    /// Days change-feed entries are kept (at least 30).
    #[arg(long, env = "FAMILIEBRO_CHANGE_RETENTION_DAYS")]
    pub change_retention_days: Option<String>,
    /// The language of problems when Accept-Language names none of ours: da or en.
    #[arg(long, env = "FAMILIEBRO_DEFAULT_LANGUAGE")]
    pub default_language: Option<String>,
    /// Seconds a stopping instance keeps serving while /readyz says `draining`.
    #[arg(long, env = "FAMILIEBRO_DRAIN_SECONDS")]
    pub drain_seconds: Option<String>,
    /// Connections to the database kept at most (default: two per CPU core).
    #[arg(long, env = "FAMILIEBRO_DB_CONNECTIONS")]
    pub db_connections: Option<String>,
}

impl ServeArgs {
    /// `familiebro` without a command serves with settings from the environment.
    pub fn from_environment() -> Self {
        let variable = |name: &str| std::env::var(name).ok();
        Self {
            dev: false,
            bind: variable("FAMILIEBRO_BIND"),
            jwt: JwtArgs {
                jwt_issuer: variable("FAMILIEBRO_JWT_ISSUER"),
                jwt_audience: variable("FAMILIEBRO_JWT_AUDIENCE"),
                jwt_max_ttl: variable("FAMILIEBRO_JWT_MAX_TTL"),
            },
            jwt_public_keys: variable("FAMILIEBRO_JWT_PUBLIC_KEYS").map(PathBuf::from),
            cors_origins: variable("FAMILIEBRO_CORS_ORIGINS"),
            suppression_threshold: variable("FAMILIEBRO_SUPPRESSION_THRESHOLD"),
            rate_limit: variable("FAMILIEBRO_RATE_LIMIT"),
            consent_max_months: variable("FAMILIEBRO_CONSENT_MAX_MONTHS"),
            webhook_allowed_hosts: variable("FAMILIEBRO_WEBHOOK_ALLOWED_HOSTS"),
            change_retention_days: variable("FAMILIEBRO_CHANGE_RETENTION_DAYS"),
            default_language: variable("FAMILIEBRO_DEFAULT_LANGUAGE"),
            drain_seconds: variable("FAMILIEBRO_DRAIN_SECONDS"),
            db_connections: variable("FAMILIEBRO_DB_CONNECTIONS"),
        }
    }
}

pub fn run_server(storage: &StorageArgs, args: ServeArgs) -> Result<(), ConfigError> {
    let data_dir = storage.data_dir();
    let database_url = storage.database_url()?;
    let bind = config::bind_address(args.bind.as_deref())?;
    let cors_origins = config::cors_origins(args.cors_origins.as_deref())?;
    let suppression_threshold =
        config::suppression_threshold(args.suppression_threshold.as_deref())?;
    let rate_limit_per_minute = config::rate_limit(args.rate_limit.as_deref())?;
    let metrics_token = config::metrics_token()?;
    let settings = config::token_settings(&args.jwt, args.dev)?;
    let (keys, key_source) = config::key_set(args.jwt_public_keys.as_deref(), &data_dir, args.dev)?;
    let secret = key_source.secret.clone();
    let data_keys = config::data_keys(&data_dir, args.dev)?;
    let consent_max_months = config::consent_max_months(args.consent_max_months.as_deref())?;
    let default_language = config::default_language(args.default_language.as_deref())?;
    let drain = Duration::from_secs(config::drain_seconds(args.drain_seconds.as_deref())?);
    let db_connections = config::database_connections(args.db_connections.as_deref())?;
    let webhook_hosts =
        config::webhook_allowed_hosts(args.webhook_allowed_hosts.as_deref(), args.dev)?;
    let outbox = OutboxSettings {
        retention_days: config::change_retention_days(args.change_retention_days.as_deref())?,
        ..OutboxSettings::default()
    };

    // Held while serving: `familiebro restore` refuses to run under a live service.
    let _lock = backup::lock(&database_url).map_err(ConfigError::from)?;
    migrate_database(&database_url)?;
    refresh_planner_statistics(&database_url)?;
    let database = Database::new(&database_url, db_connections).map_err(ConfigError::from)?;
    let listener = TcpListener::bind(bind).map_err(|error| {
        ConfigError::from(format!(
            "FAMILIEBRO_BIND (--bind): cannot listen on {bind}: {error}"
        ))
    })?;
    let address = listener
        .local_addr()
        .map_err(|error| ConfigError::from(error.to_string()))?;
    if args.dev {
        let mut connection =
            Database::connect_directly(&database_url).map_err(ConfigError::from)?;
        let area_ids = demo::seed_if_empty(&mut connection).map_err(ConfigError::from)?;
        if let Some(secret) = &secret {
            print_dev_banner(address, secret, &settings, &area_ids)?;
        }
    }
    log::info!(
        "familiebro listening on http://{address} ({} database)",
        database_url.backend_name()
    );
    let verifier = TokenVerifier::new(keys, settings);
    actix_web::rt::System::new()
        .block_on(async move {
            serve(
                listener,
                ServerParts {
                    database,
                    verifier,
                    cors_origins,
                    suppression_threshold,
                    rate_limit_per_minute,
                    metrics_token,
                    data_keys,
                    consent_max_months,
                    default_language,
                    key_source,
                    webhook_hosts,
                    outbox,
                    workers: None,
                    drain,
                },
            )?
            .await
        })
        .map_err(|error| ConfigError::from(format!("server error: {error}")))
}

fn print_dev_banner(
    bind: std::net::SocketAddr,
    secret: &[u8],
    settings: &crate::auth::TokenSettings,
    area_ids: &[String],
) -> Result<(), ConfigError> {
    println!(
        "familiebro development mode: demo data loaded, one token per role (valid {} s):",
        settings.max_ttl.as_secs()
    );
    for role in Role::ALL {
        let token = mint_hs256(
            secret,
            settings,
            demo::token_request(role, area_ids, settings.max_ttl),
        )
        .map_err(ConfigError::from)?;
        println!("\n{}:\n  {token}", role.code());
    }
    println!("\nAPI docs: http://{bind}/docs/");
    println!("Try:     curl -H \"Authorization: Bearer <token>\" http://{bind}/api/v1/areas\n");
    Ok(())
}
