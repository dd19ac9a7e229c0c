//! Webhooks as the Standard Webhooks specification describes them: which URLs
//! may receive deliveries, how a delivery is signed, and when a failed one is
//! tried again.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of a signing secret, as the specification writes it.
pub const SECRET_PREFIX: &str = "whsec_";
const SECRET_BYTES: usize = 32;
const URL_MAX_CHARS: usize = 2000;

/// Where deliveries may go: hosts named by configuration (`*.example.dk`
/// matches its subdomains); https only, plain http to a loopback host only
/// where allowed (development).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    pub hosts: Vec<String>,
    pub loopback_http: bool,
}

const LOOPBACK: &[&str] = &["127.0.0.1", "localhost", "[::1]", "::1"];

impl AllowedHosts {
    fn allows_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts
            .iter()
            .any(|allowed| match allowed.strip_prefix("*.") {
                Some(domain) => host.ends_with(&format!(".{domain}")),
                None => *allowed == host,
            })
    }

    /// The URL if deliveries may go to it; otherwise why not.
    pub fn check(&self, text: &str) -> Result<url::Url, String> {
        if text.chars().count() > URL_MAX_CHARS {
            return Err(format!("must be at most {URL_MAX_CHARS} characters"));
        }
        let url = url::Url::parse(text).map_err(|_| "is not an absolute URL".to_owned())?;
        let host = url.host_str().unwrap_or_default().to_owned();
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry credentials".into());
        }
        if url.fragment().is_some() {
            return Err("must not have a fragment".into());
        }
        let loopback = LOOPBACK.contains(&host.as_str());
        match url.scheme() {
            "https" => {}
            "http" if loopback && self.loopback_http => {}
            _ => return Err("must use https".into()),
        }
        if !(self.allows_host(&host) || loopback && self.loopback_http) {
            return Err(format!(
                "host '{host}' is not on the allowlist (FAMILIEBRO_WEBHOOK_ALLOWED_HOSTS)"
            ));
        }
        Ok(url)
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` header of a delivery: `v1,` and the base64
/// HMAC-SHA256, keyed with the secret's bytes, of `id.timestamp.body`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .map_err(|_| "a stored webhook secret is not base64".to_owned())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|error| error.to_string())?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// When failed deliveries are tried again: after `first`, doubling each time
/// up to an hour, until `give_up_after` since the delivery was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    pub first: Duration,
    pub give_up_after: Duration,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(5),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

const LONGEST_WAIT: Duration = Duration::from_secs(3600);

impl RetrySchedule {
    /// The wait before the next try after `attempts` failed ones, or none when
    /// the delivery has been tried for `give_up_after` (then it has failed).
    pub fn next_wait(&self, attempts: u32, age: Duration) -> Option<Duration> {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(20));
        let wait = self.first.saturating_mul(factor).min(LONGEST_WAIT);
        (age + wait <= self.give_up_after).then_some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> AllowedHosts {
        AllowedHosts {
            hosts: vec!["hooks.kk.dk".into(), "*.aarhus.dk".into()],
            loopback_http: false,
        }
    }

    #[test]
    fn only_https_urls_on_the_allowlist_receive_deliveries() {
        assert!(allowed().check("https://hooks.kk.dk/familiebro").is_ok());
        assert!(allowed().check("https://sag.aarhus.dk/in").is_ok());
        assert!(allowed()
            .check("https://aarhus.dk.evil.example/in")
            .is_err());
        assert!(allowed().check("http://hooks.kk.dk/familiebro").is_err());
        assert!(allowed().check("https://other.dk/").is_err());
        assert!(allowed().check("https://user:pw@hooks.kk.dk/").is_err());
        assert!(allowed().check("not a url").is_err());
        assert!(allowed().check("http://127.0.0.1:9000/").is_err());
        let development = AllowedHosts {
            loopback_http: true,
            ..allowed()
        };
        assert!(development.check("http://127.0.0.1:9000/hook").is_ok());
        assert!(development.check("http://10.0.0.1/hook").is_err());
    }

    #[test]
    fn the_signature_follows_the_standard_webhooks_reference() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn retries_back_off_and_stop_after_the_window() {
        let schedule = RetrySchedule::default();
        let minute = Duration::from_secs(60);
        assert_eq!(
            schedule.next_wait(1, Duration::ZERO),
            Some(Duration::from_secs(5))
        );
        assert_eq!(schedule.next_wait(3, minute), Some(Duration::from_secs(20)));
        assert_eq!(schedule.next_wait(30, minute), Some(LONGEST_WAIT));
        assert_eq!(
            schedule.next_wait(30, Duration::from_secs(23 * 3600 + 1)),
            None
        );
    }
}
