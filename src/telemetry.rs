//! Logging and request ids: every request gets an id (the client's `X-Request-Id`
//! when it is sane, else a new one); it is echoed, and it is in every log line
//! written while the request is handled and in every problem body.

use std::io::Write;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::Error;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Logs to stderr with the request id appended. Headers (and so tokens) are never logged.
pub fn init_logging() {
    let env = env_logger::Env::default().default_filter_or("info");
    let _ = env_logger::Builder::from_env(env)
        .format(|buf, record| {
            let timestamp = buf.timestamp_micros();
            match current_request_id() {
                Some(id) => writeln!(
                    buf,
                    "{timestamp} {} {} {} request_id={id}",
                    record.level(),
                    record.target(),
                    record.args()
                ),
                None => writeln!(
                    buf,
                    "{timestamp} {} {} {}",
                    record.level(),
                    record.target(),
                    record.args()
                ),
            }
        })
        .try_init();
}

/// A client's request id is kept (echoed, logged, stored in audit events) only
/// when it is a short plain token that cannot carry a CPR number; otherwise the
/// service makes its own.
fn is_acceptable_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        && !crate::domain::cpr::contains_cpr_number(id)
}

/// Middleware: assigns the request id, runs the request inside its scope, echoes
/// the id and writes one access log line.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_acceptable_request_id(value))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = req.method().clone();
    let started = Instant::now();
    REQUEST_ID
        .scope(id.clone(), async move {
            let mut response = next.call(req).await?;
            if let Ok(value) = HeaderValue::from_str(&id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
            }
            // The route template, never the raw path: paths can hold ids and other text.
            let route = response
                .request()
                .match_pattern()
                .unwrap_or_else(|| "(unmatched)".to_owned());
            log::info!(
                "{method} {route} {} {:.1}ms",
                response.status().as_u16(),
                started.elapsed().as_secs_f64() * 1000.0
            );
            Ok(response)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::is_acceptable_request_id;

    #[test]
    fn request_ids_from_clients_must_be_short_and_plain() {
        assert!(is_acceptable_request_id("3f1c2a-req.7"));
        assert!(!is_acceptable_request_id(""));
        assert!(!is_acceptable_request_id("evil\nlog line"));
        assert!(!is_acceptable_request_id(&"a".repeat(65)));
        assert!(!is_acceptable_request_id("req-010190-1234"));
    }
}
