//! The command line: `serve` (default), `migrate`, `openapi`, `token`.

use std::net::TcpListener;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::auth::token::{mint_hs256, TokenRequest};
use crate::auth::{Role, TokenVerifier};
use crate::config::{self, ConfigError, JwtArgs, StorageArgs};
use crate::db::{self, Database};
use crate::outbox::OutboxSettings;
use crate::retention::{self, RetentionPolicy};
use crate::startup::{serve, ServerParts};
use crate::{api, demo};

#[derive(Debug, Parser)]
#[command(
    name = "familiebro",
    version,
    about = "Housing-social work with vulnerable families: the familiebro API service"
)]
pub struct Cli {
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server (the default command).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Mint a token with the configured HS256 secret (development and scripts); prints only the token.
    Token(TokenArgs),
    /// Erase what retention no longer allows to keep; prints a JSON report. Run it daily.
    Purge(PurgeArgs),
    /// Fill the database with synthetic data for benchmarks; prints sample ids as JSON.
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 10_000)]
    pub families: usize,
    #[arg(long, default_value_t = 50)]
    pub areas: usize,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Erase families with no activity for this many months.
    #[arg(long, env = "FAMILIEBRO_FAMILY_RETENTION_MONTHS", default_value_t = 24)]
    pub family_retention_months: u32,
    /// Erase referral snapshots this many months after the referral closed.
    #[arg(
        long,
        env = "FAMILIEBRO_SNAPSHOT_RETENTION_MONTHS",
        default_value_t = 12
    )]
    pub snapshot_retention_months: u32,
}

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
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// housing_social_worker, municipal_caseworker, analyst, data_protection_officer or admin.
    #[arg(long)]
    pub role: String,
    /// Subject: who the token is for.
    #[arg(long)]
    pub sub: String,
    /// Area ids (housing_social_worker), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub areas: Option<Vec<String>>,
    /// Municipality code (municipal_caseworker; optional for analyst).
    #[arg(long)]
    pub municipality: Option<String>,
    /// Municipal unit code (municipal_caseworker).
    #[arg(long)]
    pub unit: Option<String>,
    /// Organisation (data_protection_officer).
    #[arg(long)]
    pub org: Option<String>,
    /// Lifetime, e.g. 1h (at most FAMILIEBRO_JWT_MAX_TTL).
    #[arg(long, default_value = "1h")]
    pub ttl: String,
    #[command(flatten)]
    pub jwt: JwtArgs,
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Some(Command::Serve(args)) => run_server(&cli.storage, args),
        None => run_server(&cli.storage, ServeArgs::from_environment()),
        Some(Command::Migrate) => migrate(&cli.storage),
        Some(Command::Openapi) => print_openapi(),
        Some(Command::Token(args)) => print_token(&cli.storage, args),
        Some(Command::Purge(args)) => purge(&cli.storage, args),
        Some(Command::Seed(args)) => seed(&cli.storage, args),
    };
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("familiebro: {error}");
            1
        }
    }
}

impl ServeArgs {
    /// `familiebro` without a command serves with settings from the environment.
    fn from_environment() -> Self {
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
        }
    }
}

fn migrate_database(url: &db::DatabaseUrl) -> Result<(), ConfigError> {
    let mut connection = Database::connect_directly(url).map_err(ConfigError::from)?;
    let applied = db::run_migrations(&mut connection).map_err(ConfigError::from)?;
    log::info!(
        "database ready ({}), {applied} migration(s) applied",
        url.backend_name()
    );
    Ok(())
}

fn migrate(storage: &StorageArgs) -> Result<(), ConfigError> {
    migrate_database(&storage.database_url()?)
}

fn purge(storage: &StorageArgs, args: PurgeArgs) -> Result<(), ConfigError> {
    let url = storage.database_url()?;
    migrate_database(&url)?;
    let mut connection = Database::connect_directly(&url).map_err(ConfigError::from)?;
    let policy = RetentionPolicy {
        family_months: args.family_retention_months,
        snapshot_months: args.snapshot_retention_months,
    };
    let report = retention::purge(&mut connection, policy, db::now())
        .map_err(|error| ConfigError::from(format!("purge failed: {error}")))?;
    let json = serde_json::to_string_pretty(&report)
        .map_err(|error| ConfigError::from(error.to_string()))?;
    println!("{json}");
    Ok(())
}

fn seed(storage: &StorageArgs, args: SeedArgs) -> Result<(), ConfigError> {
    if args.areas == 0 {
        return Err(ConfigError::from("--areas must be at least 1".to_owned()));
    }
    let url = storage.database_url()?;
    migrate_database(&url)?;
    let mut connection = Database::connect_directly(&url).map_err(ConfigError::from)?;
    let report = crate::seed::seed(&mut connection, args.areas, args.families)
        .map_err(|error| ConfigError::from(format!("seeding failed: {error}")))?;
    let json =
        serde_json::to_string(&report).map_err(|error| ConfigError::from(error.to_string()))?;
    println!("{json}");
    Ok(())
}

fn print_openapi() -> Result<(), ConfigError> {
    let json = api::openapi()
        .to_pretty_json()
        .map_err(|error| ConfigError::from(error.to_string()))?;
    println!("{json}");
    Ok(())
}

fn print_token(storage: &StorageArgs, args: TokenArgs) -> Result<(), ConfigError> {
    let (secret, settings) = config::minting_key(&args.jwt, &storage.data_dir())?;
    let ttl = config::parse_duration(&args.ttl)
        .map_err(|problem| ConfigError::from(format!("--ttl: {problem}")))?;
    if ttl > settings.max_ttl {
        return Err(ConfigError::from(format!(
            "--ttl: {} s is longer than FAMILIEBRO_JWT_MAX_TTL ({} s)",
            ttl.as_secs(),
            settings.max_ttl.as_secs()
        )));
    }
    let token = mint_hs256(
        &secret,
        &settings,
        TokenRequest {
            role: args.role,
            subject: args.sub,
            areas: args.areas,
            municipality: args.municipality,
            unit: args.unit,
            org: args.org,
            ttl,
        },
    )
    .map_err(ConfigError::from)?;
    println!("{token}");
    Ok(())
}

fn run_server(storage: &StorageArgs, args: ServeArgs) -> Result<(), ConfigError> {
    let data_dir = storage.data_dir();
    let database_url = storage.database_url()?;
    let bind = config::bind_address(args.bind.as_deref())?;
    let cors_origins = config::cors_origins(args.cors_origins.as_deref())?;
    let suppression_threshold =
        config::suppression_threshold(args.suppression_threshold.as_deref())?;
    let rate_limit_per_minute = config::rate_limit(args.rate_limit.as_deref())?;
    let metrics_token = config::metrics_token()?;
    let settings = config::token_settings(&args.jwt, args.dev)?;
    let (keys, secret) = config::key_set(args.jwt_public_keys.as_deref(), &data_dir, args.dev)?;
    let data_keys = config::data_keys(&data_dir, args.dev)?;
    let consent_max_months = config::consent_max_months(args.consent_max_months.as_deref())?;
    let webhook_hosts =
        config::webhook_allowed_hosts(args.webhook_allowed_hosts.as_deref(), args.dev)?;
    let outbox = OutboxSettings {
        retention_days: config::change_retention_days(args.change_retention_days.as_deref())?,
        ..OutboxSettings::default()
    };

    migrate_database(&database_url)?;
    let database = Database::new(&database_url).map_err(ConfigError::from)?;
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
                    webhook_hosts,
                    outbox,
                    workers: None,
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
