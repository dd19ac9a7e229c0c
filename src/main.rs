use clap::Parser;

fn main() {
    familiebro::telemetry::init_logging();
    let cli = familiebro::cli::Cli::parse();
    std::process::exit(familiebro::cli::run(cli));
}
