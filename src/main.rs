use clap::Parser;

fn main() {
    limit_malloc_arenas();
    let format = std::env::var("FAMILIEBRO_LOG_FORMAT").ok();
    let format = match familiebro::telemetry::LogFormat::parse(format.as_deref()) {
        Ok(format) => format,
        Err(problem) => {
            eprintln!("familiebro: {problem}");
            std::process::exit(1);
        }
    };
    familiebro::telemetry::init_logging(format);
    let cli = familiebro::cli::Cli::parse();
    std::process::exit(familiebro::cli::run(cli));
}

/// glibc gives each thread that allocates its own arena and rarely returns their
/// memory; with worker and blocking-pool threads that multiplies resident memory.
/// Two arenas keep it small.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator settings; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
