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
}
