//! `familiebro token`: a token signed with the configured HS256 secret.

use clap::Args;

use crate::auth::token::{mint_hs256, TokenRequest};
use crate::config::{self, ConfigError, JwtArgs, StorageArgs};

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

pub fn print_token(storage: &StorageArgs, args: TokenArgs) -> Result<(), ConfigError> {
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
