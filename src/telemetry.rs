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

use crate::domain::language::Language;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
    static LANGUAGE: Language;
}

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The language negotiated for the request being handled on this task
/// (Danish outside a request).
pub fn current_language() -> Language {
    LANGUAGE
        .try_with(|language| *language)
        .unwrap_or(Language::Da)
}

/// Runs `work` as a request in `language`.
pub async fn in_language<T>(language: Language, work: impl std::future::Future<Output = T>) -> T {
    LANGUAGE.scope(language, work).await
}

/// How log lines are written: text for people (the default), or one JSON object
/// per line for a log system (`FAMILIEBRO_LOG_FORMAT=json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!(
                "FAMILIEBRO_LOG_FORMAT: '{other}' is not a log format; use text or json"
            )),
        }
    }
}

/// The fields a log line carries beside its message (method, route, status,
/// duration on the access line), as JSON values.
struct Fields(serde_json::Map<String, serde_json::Value>);

impl<'kvs> log::kv::VisitSource<'kvs> for Fields {
    fn visit_pair(
        &mut self,
        key: log::kv::Key<'kvs>,
        value: log::kv::Value<'kvs>,
    ) -> Result<(), log::kv::Error> {
        let json = if let Some(number) = value.to_u64() {
            serde_json::Value::from(number)
        } else if let Some(number) = value.to_f64() {
            serde_json::Value::from(number)
        } else {
            serde_json::Value::from(value.to_string())
        };
        self.0.insert(key.to_string(), json);
        Ok(())
    }
}

fn json_line(record: &log::Record<'_>) -> String {
    let mut fields = Fields(serde_json::Map::new());
    let _ = record.key_values().visit(&mut fields);
    let mut line = serde_json::Map::new();
    line.insert(
        "time".into(),
        chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            .into(),
    );
    line.insert("level".into(), record.level().as_str().into());
    line.insert("target".into(), record.target().into());
    line.insert("message".into(), record.args().to_string().into());
    if let Some(id) = current_request_id() {
        line.insert("request_id".into(), id.into());
    }
    line.extend(fields.0);
    serde_json::Value::Object(line).to_string()
}

/// Logs to stderr, each line with the request id it was written for.
/// Headers (and so tokens), bodies and raw paths are never logged.
pub fn init_logging(format: LogFormat) {
    let env = env_logger::Env::default().default_filter_or("info");
    let _ = env_logger::Builder::from_env(env)
        .format(move |buf, record| {
            if format == LogFormat::Json {
                return writeln!(buf, "{}", json_line(record));
            }
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
            if log::log_enabled!(target: "familiebro::access", log::Level::Info) {
                // The route template, never the raw path: paths can hold ids and other text.
                let route = crate::api::route::pattern(response.request());
                let route = route.as_deref().unwrap_or("(unmatched)");
                let status = response.status().as_u16();
                let duration_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
                log::info!(
                    target: "familiebro::access",
                    method = method.as_str(),
                    route = route,
                    status = status,
                    duration_ms = duration_ms;
                    "{method} {route} {status} {duration_ms:.1}ms"
                );
            }
            Ok(response)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::{is_acceptable_request_id, json_line, LogFormat};

    #[test]
    fn a_json_line_carries_the_message_and_the_fields() {
        let args = format_args!("GET /api/v1/families/{{id}} 200 1.5ms");
        let fields = [
            ("route", log::kv::Value::from("/api/v1/families/{id}")),
            ("status", log::kv::Value::from(200u16)),
        ];
        let record = log::Record::builder()
            .args(args)
            .level(log::Level::Info)
            .target("familiebro::access")
            .key_values(&fields)
            .build();
        let line: serde_json::Value = serde_json::from_str(&json_line(&record)).unwrap();
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["route"], "/api/v1/families/{id}");
        assert_eq!(line["status"], 200);
        assert!(line["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("xml")).is_err());
    }

    #[test]
    fn request_ids_from_clients_must_be_short_and_plain() {
        assert!(is_acceptable_request_id("3f1c2a-req.7"));
        assert!(!is_acceptable_request_id(""));
        assert!(!is_acceptable_request_id("evil\nlog line"));
        assert!(!is_acceptable_request_id(&"a".repeat(65)));
        assert!(!is_acceptable_request_id("req-010190-1234"));
    }
}
