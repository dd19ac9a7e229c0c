//! The command line: `serve` (the default), `check`, `migrate`, `backup`,
//! `restore`, `rekey`, `purge`, `seed`, `token`, `openapi`.

mod check;
mod maintenance;
mod serve;
mod token;

use clap::{Parser, Subcommand};

use crate::config::StorageArgs;
pub use maintenance::{BackupArgs, PurgeArgs, RestoreArgs, SeedArgs};
pub use serve::ServeArgs;
pub use token::TokenArgs;

/// The version and the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("FAMILIEBRO_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "familiebro",
    version = VERSION,
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
    /// Check the configuration as `serve` would use it (database, migrations, keys)
    /// and name every problem; exits non-zero when there is one.
    Check(ServeArgs),
    /// Copy the SQLite database, consistently, while the service runs.
    Backup(BackupArgs),
    /// Put a backup in place of the SQLite database (the service stopped).
    Restore(RestoreArgs),
    /// Seal again, with the current data key (the first in FAMILIEBRO_DATA_KEY),
    /// everything sealed with an older one. Resumable; a second run does nothing.
    Rekey,
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Some(Command::Serve(args)) => serve::run_server(&cli.storage, args),
        None => serve::run_server(&cli.storage, ServeArgs::from_environment()),
        Some(Command::Check(args)) => check::check(&cli.storage, &args),
        Some(Command::Migrate) => maintenance::migrate(&cli.storage),
        Some(Command::Openapi) => maintenance::print_openapi(),
        Some(Command::Token(args)) => token::print_token(&cli.storage, args),
        Some(Command::Purge(args)) => maintenance::purge(&cli.storage, args),
        Some(Command::Seed(args)) => maintenance::seed(&cli.storage, args),
        Some(Command::Backup(args)) => maintenance::backup(&cli.storage, &args),
        Some(Command::Restore(args)) => maintenance::restore(&cli.storage, &args),
        Some(Command::Rekey) => maintenance::rekey(&cli.storage),
    };
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("familiebro: {error}");
            1
        }
    }
}
