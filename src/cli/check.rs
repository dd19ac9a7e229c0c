//! `familiebro check`: the configuration `serve` would use, checked as a
//! whole, every problem named (not only the first), and a non-zero exit when
//! there is one.

use crate::config::{self, ConfigError, StorageArgs};
use crate::db::{self, calendar_links, concern_reports, webhooks, Database};

use super::ServeArgs;

/// The outcome of one check: what is fine, or what is wrong.
type Checked = Result<String, String>;

fn named<T>(result: Result<T, ConfigError>, ok: impl FnOnce(T) -> String) -> Checked {
    result.map(ok).map_err(|error| error.to_string())
}

pub fn check(storage: &StorageArgs, args: &ServeArgs) -> Result<(), ConfigError> {
    let data_dir = storage.data_dir();
    let mut results: Vec<Checked> = vec![
        named(config::bind_address(args.bind.as_deref()), |bind| {
            format!("listens on {bind}")
        }),
        named(config::token_settings(&args.jwt, args.dev), |settings| {
            format!(
                "tokens from issuer '{}' for audience '{}'",
                settings.issuer, settings.audience
            )
        }),
        named(
            config::key_set(args.jwt_public_keys.as_deref(), &data_dir, args.dev),
            |(keys, _)| format!("{} verification key(s) load", keys.keys.len()),
        ),
        named(
            config::cors_origins(args.cors_origins.as_deref()),
            |origins| format!("{} CORS origin(s)", origins.len()),
        ),
        named(
            config::suppression_threshold(args.suppression_threshold.as_deref()),
            |threshold| format!("suppression threshold {threshold}"),
        ),
        named(config::rate_limit(args.rate_limit.as_deref()), |limit| {
            format!("rate limit {limit} per minute")
        }),
        named(config::metrics_token(), |token| {
            if token.is_some() {
                "metrics on".into()
            } else {
                "metrics off".into()
            }
        }),
        named(
            config::consent_max_months(args.consent_max_months.as_deref()),
            |months| format!("consents last at most {months} months"),
        ),
        named(
            config::webhook_allowed_hosts(args.webhook_allowed_hosts.as_deref(), args.dev),
            |hosts| format!("webhooks may go to {} host pattern(s)", hosts.hosts.len()),
        ),
        named(
            config::drain_seconds(args.drain_seconds.as_deref()),
            |seconds| format!("drains for {seconds} s before stopping"),
        ),
        named(
            config::default_language(args.default_language.as_deref()),
            |language| {
                format!(
                    "problems in '{}' unless Accept-Language asks otherwise",
                    language.code()
                )
            },
        ),
        named(
            config::change_retention_days(args.change_retention_days.as_deref()),
            |days| format!("change-feed entries kept {days} days"),
        ),
    ];
    let data_keys = config::data_keys(&data_dir, args.dev).map_err(|error| error.to_string());
    results.push(data_keys.as_ref().map_err(Clone::clone).map(|keys| {
        format!(
            "data key '{}' seals, {} key(s) open",
            keys.current_id(),
            keys.ids().len()
        )
    }));
    match storage.database_url() {
        Err(error) => results.push(Err(error.to_string())),
        Ok(url) => match Database::connect_directly(&url) {
            Err(problem) => results.push(Err(format!(
                "database ({}) unreachable: {problem}",
                url.backend_name()
            ))),
            Ok(mut connection) => {
                results.push(Ok(format!("database ({}) reachable", url.backend_name())));
                results.push(match db::unknown_migrations(&mut connection) {
                    Ok(unknown) if unknown.is_empty() => Ok("no migration newer than this build".into()),
                    Ok(unknown) => Err(format!(
                        "the database has migrations this build does not know ({}): it was migrated by a newer familiebro",
                        unknown.join(", ")
                    )),
                    Err(problem) => Err(problem),
                });
                let pending = db::pending_migrations(&mut connection);
                results.push(match &pending {
                    Ok(0) => Ok("migrations current".into()),
                    Ok(pending) => Ok(format!(
                        "{pending} migration(s) pending: `serve` (or `familiebro migrate`) applies them"
                    )),
                    Err(problem) => Err(problem.clone()),
                });
                // A database not yet migrated holds no sealed values to open.
                if let (Ok(keys), Ok(0)) = (&data_keys, &pending) {
                    results.push(unopenable(&mut connection, &keys.ids()));
                }
            }
        },
    }
    let mut problems = 0;
    for result in &results {
        match result {
            Ok(fine) => println!("ok: {fine}"),
            Err(problem) => {
                problems += 1;
                println!("problem: {problem}");
            }
        }
    }
    if problems > 0 {
        return Err(ConfigError::from(format!("{problems} problem(s) found")));
    }
    Ok(())
}

/// Values sealed with a key that is not configured cannot be read.
fn unopenable(connection: &mut db::DbConnection, keys: &[&str]) -> Checked {
    let failed = |error: diesel::result::Error| error.to_string();
    let reports = concern_reports::count_sealed_outside(connection, keys).map_err(failed)?;
    let secrets = webhooks::count_sealed_outside(connection, keys).map_err(failed)?;
    let tokens = calendar_links::count_sealed_outside(connection, keys).map_err(failed)?;
    if reports + secrets + tokens > 0 {
        return Err(format!(
            "{reports} concern report(s), {secrets} webhook secret(s) and {tokens} calendar link token(s) are sealed with a key FAMILIEBRO_DATA_KEY does not hold"
        ));
    }
    Ok("every sealed value opens with the configured data keys".into())
}
