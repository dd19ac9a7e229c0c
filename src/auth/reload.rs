//! Re-reading the public-key file while the service runs, so an identity
//! provider can publish a new `kid` before it signs with it and drop an old one
//! after: on SIGHUP, and when the file's content changes (checked every two
//! seconds, which also sees a symlink swapped, as Kubernetes does with mounted
//! secrets). A file that does not parse leaves the keys as they were.

use std::time::Duration;

use actix_web::web;
use sha2::{Digest, Sha256};

use super::keys::KeySource;
use super::TokenVerifier;

const POLL_EVERY: Duration = Duration::from_secs(2);

fn content_hash(source: &KeySource) -> Option<Vec<u8>> {
    let file = source.file.as_ref()?;
    std::fs::read(file)
        .ok()
        .map(|content| Sha256::digest(content).to_vec())
}

fn reload(verifier: &TokenVerifier, source: &KeySource, reason: &str) {
    match source.load() {
        Ok(keys) => {
            let count = keys.keys.len();
            verifier.replace_keys(keys);
            log::info!("verification keys re-read ({reason}): {count} key(s)");
        }
        Err(problem) => log::warn!(
            "verification keys not re-read ({reason}), the previous ones stay in use: {problem}"
        ),
    }
}

/// Watches `source` until the runtime stops. The file's content is taken as
/// seen now, when the watch is set up before serving, not when the task first
/// runs: a change made in between would otherwise pass unnoticed.
pub fn watch(
    verifier: web::Data<TokenVerifier>,
    source: KeySource,
) -> impl std::future::Future<Output = ()> {
    let seen = content_hash(&source);
    watch_from(verifier, source, seen)
}

async fn watch_from(
    verifier: web::Data<TokenVerifier>,
    source: KeySource,
    mut seen: Option<Vec<u8>>,
) {
    let mut hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(error) => {
            log::warn!("SIGHUP will not re-read the keys: {error}");
            None
        }
    };
    loop {
        let hung_up = async {
            match hangup.as_mut() {
                Some(signal) => signal.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = hung_up => {
                if source.file.is_some() {
                    reload(&verifier, &source, "SIGHUP");
                    seen = content_hash(&source);
                } else {
                    log::info!("SIGHUP: no key file is configured (FAMILIEBRO_JWT_PUBLIC_KEYS); nothing to re-read");
                }
            }
            _ = tokio::time::sleep(POLL_EVERY), if source.file.is_some() => {
                let now = content_hash(&source);
                if now != seen {
                    seen = now;
                    reload(&verifier, &source, "the file changed");
                }
            }
        }
    }
}
