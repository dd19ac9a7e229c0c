//! Configuration from flags and environment variables. The variable names are part
//! of the contract; every bad value is reported with the variable (and flag) it came from.

use crate::domain::language::Language;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::auth::keys::{KeySet, KeySource};
use crate::auth::TokenSettings;
use crate::db::sealed::DataKeys;
use crate::db::DatabaseUrl;
use crate::domain::webhooks::AllowedHosts;

pub const DEV_ISSUER: &str = "familiebro-dev";
pub const DEV_AUDIENCE: &str = "familiebro";
const DEV_SECRET_FILE: &str = "dev-jwt-hs256-secret";
const DEV_DATA_KEY_FILE: &str = "dev-data-key";
/// Longest validity a consent may have, in months, unless configured.
const DEFAULT_CONSENT_MAX_MONTHS: u32 = 12;
const DEFAULT_CHANGE_RETENTION_DAYS: u32 = 30;
const DEFAULT_MAX_TTL: &str = "12h";

/// A start-up error naming the setting at fault.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl ConfigError {
    fn invalid(variable: &str, flag: Option<&str>, problem: impl std::fmt::Display) -> Self {
        match flag {
            Some(flag) => Self(format!("{variable} (--{flag}): {problem}")),
            None => Self(format!("{variable}: {problem}")),
        }
    }
}

impl From<String> for ConfigError {
    fn from(message: String) -> Self {
        Self(message)
    }
}

/// Where data lives; shared by every command.
#[derive(Debug, Clone, Default, Args)]
pub struct StorageArgs {
    /// Directory for the SQLite database and development secrets.
    #[arg(long, env = "FAMILIEBRO_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// sqlite://<path> or postgres://… (default: sqlite://<data dir>/familiebro.db).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
}

/// Token issuer and audience; shared by `serve` and `token`.
#[derive(Debug, Clone, Default, Args)]
pub struct JwtArgs {
    /// Required `iss` of tokens.
    #[arg(long, env = "FAMILIEBRO_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required `aud` of tokens.
    #[arg(long, env = "FAMILIEBRO_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Longest accepted token lifetime, e.g. 12h, 30m, 3600s.
    #[arg(long, env = "FAMILIEBRO_JWT_MAX_TTL")]
    pub jwt_max_ttl: Option<String>,
}

impl StorageArgs {
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("data"))
    }

    pub fn database_url(&self) -> Result<DatabaseUrl, ConfigError> {
        match &self.database_url {
            Some(url) => DatabaseUrl::parse(url).map_err(|problem| {
                ConfigError::invalid("DATABASE_URL", Some("database-url"), problem)
            }),
            None => Ok(DatabaseUrl::Sqlite(self.data_dir().join("familiebro.db"))),
        }
    }
}

/// Parses durations such as `12h`, `30m`, `45s`, `1d` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration like 12h, 30m or 3600s"))?;
    let seconds_per_unit = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("'{text}' has an unknown unit (use s, m, h or d)")),
    };
    if number == 0 {
        return Err("the duration must be positive".into());
    }
    number
        .checked_mul(seconds_per_unit)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("'{text}' is too long"))
}

/// The HS256 secret from `FAMILIEBRO_JWT_HS256_SECRET`, if set.
fn configured_secret() -> Result<Option<Vec<u8>>, ConfigError> {
    match std::env::var("FAMILIEBRO_JWT_HS256_SECRET") {
        Ok(secret) if !secret.is_empty() => Ok(Some(secret.into_bytes())),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::invalid(
            "FAMILIEBRO_JWT_HS256_SECRET",
            None,
            "is not valid UTF-8",
        )),
    }
}

fn dev_secret_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DEV_SECRET_FILE)
}

/// The development secret in the data directory, created on first use.
fn dev_secret(data_dir: &Path) -> Result<Vec<u8>, ConfigError> {
    let path = dev_secret_path(data_dir);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    std::fs::create_dir_all(data_dir).map_err(|error| {
        ConfigError::invalid(
            "FAMILIEBRO_DATA_DIR",
            Some("data-dir"),
            format!("cannot create '{}': {error}", data_dir.display()),
        )
    })?;
    let secret: String = (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect();
    write_private_file(&path, &secret).map_err(|error| {
        ConfigError(format!(
            "cannot write the development secret '{}': {error}",
            path.display()
        ))
    })?;
    Ok(secret.into_bytes())
}

fn write_private_file(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(content.as_bytes())
}

fn max_ttl(jwt: &JwtArgs) -> Result<Duration, ConfigError> {
    parse_duration(jwt.jwt_max_ttl.as_deref().unwrap_or(DEFAULT_MAX_TTL)).map_err(|problem| {
        ConfigError::invalid("FAMILIEBRO_JWT_MAX_TTL", Some("jwt-max-ttl"), problem)
    })
}

fn required(value: &Option<String>, variable: &str, flag: &str) -> Result<String, ConfigError> {
    value
        .clone()
        .filter(|value| !value.trim().is_empty())
        .ok_or_else(|| {
            ConfigError::invalid(
                variable,
                Some(flag),
                "must be set (or use `familiebro serve --dev` for local development)",
            )
        })
}

/// Token settings for a server: development defaults only with `--dev`.
pub fn token_settings(jwt: &JwtArgs, dev: bool) -> Result<TokenSettings, ConfigError> {
    let default = |value: &Option<String>, fallback: &str| {
        value.clone().or_else(|| dev.then(|| fallback.to_owned()))
    };
    Ok(TokenSettings {
        issuer: required(
            &default(&jwt.jwt_issuer, DEV_ISSUER),
            "FAMILIEBRO_JWT_ISSUER",
            "jwt-issuer",
        )?,
        audience: required(
            &default(&jwt.jwt_audience, DEV_AUDIENCE),
            "FAMILIEBRO_JWT_AUDIENCE",
            "jwt-audience",
        )?,
        max_ttl: max_ttl(jwt)?,
    })
}

/// The verification keys of a server. With `--dev` and no key configured, the
/// development secret of the data directory is used (and created).
pub fn key_set(
    public_keys: Option<&Path>,
    data_dir: &Path,
    dev: bool,
) -> Result<(KeySet, KeySource), ConfigError> {
    let mut secret = configured_secret()?;
    if secret.is_none() && public_keys.is_none() && dev {
        secret = Some(dev_secret(data_dir)?);
    }
    if let Some(secret) = &secret {
        KeySet::default()
            .add_hs256_secret(secret)
            .map_err(|problem| {
                ConfigError::invalid("FAMILIEBRO_JWT_HS256_SECRET", None, problem)
            })?;
    }
    if secret.is_none() && public_keys.is_none() {
        return Err(ConfigError(
            "no token verification key is configured: set FAMILIEBRO_JWT_HS256_SECRET (at least 32 bytes) \
             and/or FAMILIEBRO_JWT_PUBLIC_KEYS (a PEM or JWKS file), together with FAMILIEBRO_JWT_ISSUER and \
             FAMILIEBRO_JWT_AUDIENCE; or run `familiebro serve --dev` for local development"
                .into(),
        ));
    }
    let source = KeySource {
        secret,
        file: public_keys.map(Path::to_path_buf),
    };
    let keys = source.load().map_err(|problem| {
        ConfigError::invalid(
            "FAMILIEBRO_JWT_PUBLIC_KEYS",
            Some("jwt-public-keys"),
            problem,
        )
    })?;
    Ok((keys, source))
}

/// The secret and settings `familiebro token` signs with: the configured secret, or
/// else the development secret a `serve --dev` left in the data directory.
pub fn minting_key(
    jwt: &JwtArgs,
    data_dir: &Path,
) -> Result<(Vec<u8>, TokenSettings), ConfigError> {
    if let Some(secret) = configured_secret()? {
        return Ok((secret, token_settings(jwt, false)?));
    }
    let path = dev_secret_path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(secret) => Ok((secret.trim().as_bytes().to_vec(), token_settings(jwt, true)?)),
        Err(_) => Err(ConfigError(format!(
            "no signing secret: set FAMILIEBRO_JWT_HS256_SECRET, or run `familiebro serve --dev` once \
             to create a development secret in '{}'",
            data_dir.display()
        ))),
    }
}

pub fn bind_address(bind: Option<&str>) -> Result<SocketAddr, ConfigError> {
    let bind = bind.unwrap_or("127.0.0.1:8080");
    bind.parse().map_err(|_| {
        ConfigError::invalid(
            "FAMILIEBRO_BIND",
            Some("bind"),
            format!("'{bind}' is not an address like 127.0.0.1:8080"),
        )
    })
}

/// Browser origins allowed cross-origin access: `scheme://host[:port]`, comma-separated.
pub fn cors_origins(value: Option<&str>) -> Result<Vec<String>, ConfigError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let well_formed = (origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.ends_with('/')
                && origin.matches('/').count() == 2;
            if well_formed {
                Ok(origin.to_owned())
            } else {
                Err(ConfigError::invalid(
                    "FAMILIEBRO_CORS_ORIGINS",
                    Some("cors-origins"),
                    format!(
                        "'{origin}' is not an origin like https://app.example.dk (no '*', no path)"
                    ),
                ))
            }
        })
        .collect()
}

/// The statistics suppression threshold: counts from 1 to this minus one are
/// suppressed for callers outside the owning team. Default 5.
pub fn suppression_threshold(value: Option<&str>) -> Result<i64, ConfigError> {
    let Some(value) = value else {
        return Ok(5);
    };
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|threshold| (1..=1000).contains(threshold))
        .ok_or_else(|| {
            ConfigError::invalid(
                "FAMILIEBRO_SUPPRESSION_THRESHOLD",
                Some("suppression-threshold"),
                format!("'{value}' is not a whole number from 1 to 1000"),
            )
        })
}

/// Requests per minute per token on list and export routes. Default 600; 0 = off.
pub fn rate_limit(value: Option<&str>) -> Result<u32, ConfigError> {
    let Some(value) = value else {
        return Ok(600);
    };
    value.trim().parse::<u32>().map_err(|_| {
        ConfigError::invalid(
            "FAMILIEBRO_RATE_LIMIT",
            Some("rate-limit"),
            format!(
                "'{value}' is not a whole number of requests per minute (0 turns the limit off)"
            ),
        )
    })
}

/// The keys that seal values at rest (`FAMILIEBRO_DATA_KEY`: `id:base64[,…]`,
/// the first is current). In development mode a key is generated into the data
/// directory when none is set.
pub fn data_keys(data_dir: &Path, dev: bool) -> Result<DataKeys, ConfigError> {
    let parse = |text: &str| {
        DataKeys::parse(text)
            .map_err(|problem| ConfigError::invalid("FAMILIEBRO_DATA_KEY", None, problem))
    };
    match std::env::var("FAMILIEBRO_DATA_KEY") {
        Ok(text) if !text.trim().is_empty() => return parse(&text),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(ConfigError::invalid(
                "FAMILIEBRO_DATA_KEY",
                None,
                "is not valid UTF-8",
            ))
        }
        _ => {}
    }
    if !dev {
        return Err(ConfigError(
            "FAMILIEBRO_DATA_KEY is not set: it seals CPR numbers at rest. Set it to `id:<32 random bytes, base64>` \
             (e.g. `2026-1:$(openssl rand -base64 32)`), or run `familiebro serve --dev` for local development"
                .into(),
        ));
    }
    let path = data_dir.join(DEV_DATA_KEY_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return parse(&existing);
    }
    std::fs::create_dir_all(data_dir).map_err(|error| {
        ConfigError::invalid(
            "FAMILIEBRO_DATA_DIR",
            Some("data-dir"),
            format!("cannot create '{}': {error}", data_dir.display()),
        )
    })?;
    let generated = DataKeys::generate("dev-1");
    write_private_file(&path, &generated).map_err(|error| {
        ConfigError(format!(
            "cannot write the development data key '{}': {error}",
            path.display()
        ))
    })?;
    parse(&generated)
}

/// The longest validity of a consent (`FAMILIEBRO_CONSENT_MAX_MONTHS`, default 12).
pub fn consent_max_months(value: Option<&str>) -> Result<u32, ConfigError> {
    match value {
        None => Ok(DEFAULT_CONSENT_MAX_MONTHS),
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|months| (1..=120).contains(months))
            .ok_or_else(|| {
                ConfigError::invalid(
                    "FAMILIEBRO_CONSENT_MAX_MONTHS",
                    Some("consent-max-months"),
                    "must be a whole number of months from 1 to 120",
                )
            }),
    }
}

/// How long a stopping instance keeps serving while it reports not ready
/// (`FAMILIEBRO_DRAIN_SECONDS`), so a load balancer stops sending to it first.
pub fn drain_seconds(value: Option<&str>) -> Result<u64, ConfigError> {
    match value {
        None => Ok(0),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|seconds| *seconds <= 300)
            .ok_or_else(|| {
                ConfigError::invalid(
                    "FAMILIEBRO_DRAIN_SECONDS",
                    Some("drain-seconds"),
                    "must be a whole number of seconds from 0 to 300",
                )
            }),
    }
}

/// How many connections to the database the service keeps at most
/// (`FAMILIEBRO_DB_CONNECTIONS`). Default: two per CPU core, at least two — more
/// requests at the database than it has cores to run them only queue there, and
/// on PostgreSQL they wait in slow, rare stalls instead of in line.
pub fn database_connections(value: Option<&str>) -> Result<u32, ConfigError> {
    let Some(value) = value else {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        return Ok(connections_for_cores(cores));
    };
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|connections| (1..=MAX_DATABASE_CONNECTIONS).contains(connections))
        .ok_or_else(|| {
            ConfigError::invalid(
                "FAMILIEBRO_DB_CONNECTIONS",
                Some("db-connections"),
                format!("'{value}' is not a whole number from 1 to {MAX_DATABASE_CONNECTIONS}"),
            )
        })
}

const MAX_DATABASE_CONNECTIONS: u32 = 256;

fn connections_for_cores(cores: usize) -> u32 {
    u32::try_from(cores.saturating_mul(2))
        .unwrap_or(MAX_DATABASE_CONNECTIONS)
        .clamp(2, MAX_DATABASE_CONNECTIONS)
}

/// The language of problems when `Accept-Language` names none of ours
/// (`FAMILIEBRO_DEFAULT_LANGUAGE`): Danish unless configured otherwise.
pub fn default_language(value: Option<&str>) -> Result<Language, ConfigError> {
    match value {
        None => Ok(Language::Da),
        Some(text) => Language::parse(text).ok_or_else(|| {
            ConfigError::invalid(
                "FAMILIEBRO_DEFAULT_LANGUAGE",
                Some("default-language"),
                "must be da or en",
            )
        }),
    }
}

/// Where webhook deliveries may go (`FAMILIEBRO_WEBHOOK_ALLOWED_HOSTS`):
/// comma-separated host names, `*.example.dk` for its subdomains. In `--dev`,
/// plain http to a loopback address is allowed too.
pub fn webhook_allowed_hosts(value: Option<&str>, dev: bool) -> Result<AllowedHosts, ConfigError> {
    let mut hosts = Vec::new();
    for entry in value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
    {
        let name = entry.strip_prefix("*.").unwrap_or(entry);
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            && !name.starts_with('.')
            && !name.ends_with('.');
        if !valid {
            return Err(ConfigError::invalid(
                "FAMILIEBRO_WEBHOOK_ALLOWED_HOSTS",
                Some("webhook-allowed-hosts"),
                format!("'{entry}' is not a host name (or *.domain)"),
            ));
        }
        hosts.push(entry.to_ascii_lowercase());
    }
    Ok(AllowedHosts {
        hosts,
        loopback_http: dev,
    })
}

/// How many days change-feed entries are kept (`FAMILIEBRO_CHANGE_RETENTION_DAYS`, default 30).
pub fn change_retention_days(value: Option<&str>) -> Result<u32, ConfigError> {
    match value {
        None => Ok(DEFAULT_CHANGE_RETENTION_DAYS),
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|days| (DEFAULT_CHANGE_RETENTION_DAYS..=3650).contains(days))
            .ok_or_else(|| {
                ConfigError::invalid(
                    "FAMILIEBRO_CHANGE_RETENTION_DAYS",
                    Some("change-retention-days"),
                    "must be a whole number of days from 30 to 3650",
                )
            }),
    }
}

/// The token `/metrics` requires (`FAMILIEBRO_METRICS_TOKEN`); metrics are off without one.
pub fn metrics_token() -> Result<Option<String>, ConfigError> {
    match std::env::var("FAMILIEBRO_METRICS_TOKEN") {
        Ok(token) if token.is_empty() => Ok(None),
        Ok(token) if token.len() >= 16 => Ok(Some(token)),
        Ok(_) => Err(ConfigError::invalid(
            "FAMILIEBRO_METRICS_TOKEN",
            None,
            "must be at least 16 characters",
        )),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::invalid(
            "FAMILIEBRO_METRICS_TOKEN",
            None,
            "is not valid UTF-8",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_common_units() {
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_duration("3600"), Ok(Duration::from_secs(3_600)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        for bad in ["", "h", "12x", "-5m", "0s", "1.5h"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let error = bind_address(Some("everywhere")).unwrap_err().to_string();
        assert!(error.starts_with("FAMILIEBRO_BIND (--bind)"), "{error}");
        let error = cors_origins(Some("*")).unwrap_err().to_string();
        assert!(error.starts_with("FAMILIEBRO_CORS_ORIGINS"), "{error}");
    }

    #[test]
    fn database_connections_default_to_two_per_core_and_refuse_nonsense() {
        assert_eq!(connections_for_cores(1), 2);
        assert_eq!(connections_for_cores(2), 4);
        assert_eq!(connections_for_cores(8), 16);
        assert_eq!(connections_for_cores(1000), MAX_DATABASE_CONNECTIONS);
        assert!(database_connections(None).unwrap() >= 2);
        assert_eq!(database_connections(Some(" 12 ")).unwrap(), 12);
        for bad in ["0", "-1", "many", "257", ""] {
            let error = database_connections(Some(bad)).unwrap_err().to_string();
            assert!(error.starts_with("FAMILIEBRO_DB_CONNECTIONS"), "{error}");
        }
    }

    #[test]
    fn cors_origins_are_listed_without_wildcards_or_paths() {
        assert_eq!(
            cors_origins(Some("https://a.example.dk, http://localhost:5173")).unwrap(),
            vec!["https://a.example.dk", "http://localhost:5173"]
        );
        assert!(cors_origins(Some("https://a.example.dk/app")).is_err());
    }

    #[test]
    fn a_server_without_dev_mode_needs_issuer_and_audience() {
        let error = token_settings(&JwtArgs::default(), false)
            .unwrap_err()
            .to_string();
        assert!(error.contains("FAMILIEBRO_JWT_ISSUER"), "{error}");
        let dev = token_settings(&JwtArgs::default(), true).unwrap();
        assert_eq!(
            (dev.issuer.as_str(), dev.audience.as_str()),
            (DEV_ISSUER, DEV_AUDIENCE)
        );
    }
}
