use std::process::Command;

fn main() {
    // Migrations are embedded at compile time; rebuild when one is added or changed.
    println!("cargo:rerun-if-changed=migrations");
    // PostgreSQL integration tests run when TEST_DATABASE_URL is set, and are
    // reported as ignored (with the reason) when it is not.
    println!("cargo:rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    if std::env::var_os("TEST_DATABASE_URL").is_some() {
        println!("cargo:rustc-cfg=postgres_tests");
    }
    // `familiebro --version` names the commit it was built from: given by the
    // build (FAMILIEBRO_COMMIT, e.g. in a container build without .git), else git's.
    println!("cargo:rerun-if-env-changed=FAMILIEBRO_COMMIT");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    let commit = std::env::var("FAMILIEBRO_COMMIT")
        .ok()
        .filter(|commit| !commit.is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown commit".to_owned());
    println!("cargo:rustc-env=FAMILIEBRO_COMMIT={commit}");
}

fn git_commit() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}
