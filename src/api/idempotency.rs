//! `Idempotency-Key` on POSTs: a retry with the same key and body returns the
//! first response; the same key with another body is 422; while the first
//! request is still running, 409. Keys are kept in the database (at least 24 h)
//! so every instance sees them; the work and the recorded response commit in one
//! transaction, so an acknowledged write is never repeated.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use chrono::Duration;
use sha2::{Digest, Sha256};

use crate::db::idempotency::{self as store, KeyRow};
use crate::db::{self, Database, DbConnection};
use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";

/// A claim older than this whose request never finished is considered abandoned
/// (its request failed and could not release it, e.g. during a database outage).
/// Longer than any request can take: pool wait (3 s) plus SQLite's busy timeout (5 s).
const ABANDONED_AFTER_SECONDS: i64 = 15;

/// A response that can be recorded and replayed.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: StatusCode,
    pub body: serde_json::Value,
    pub location: Option<String>,
    pub etag: Option<String>,
}

impl StoredResponse {
    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(location) = self.location {
            response.insert_header((header::LOCATION, location));
        }
        if let Some(etag) = self.etag {
            response.insert_header((header::ETAG, etag));
        }
        response.json(self.body)
    }
}

/// The client's key, if it sent one: 1–255 visible ASCII characters.
pub fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|key| (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::BadRequest("Idempotency-Key must be 1-255 visible ASCII characters".into())
        })?;
    Ok(Some(key.to_owned()))
}

/// A fingerprint of the request: method, path and body (as parsed JSON, so
/// formatting does not matter).
pub fn fingerprint(req: &HttpRequest, body: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b" ");
    hasher.update(req.path());
    hasher.update(b"\n");
    hasher.update(body.to_string());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Runs `work` in a transaction, at most once per (caller, key).
pub async fn run_once<F>(
    db: &Database,
    subject: String,
    key: Option<String>,
    request_hash: String,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<StoredResponse, ApiError> + Send + 'static,
{
    let Some(key) = key else {
        let response = db
            .run(move |connection| db::write_transaction(connection, work))
            .await?;
        return Ok(response.into_response());
    };
    let claim = KeyRow {
        subject: subject.clone(),
        idempotency_key: key.clone(),
        request_hash,
        response_status: None,
        response_body: None,
        response_location: None,
        response_etag: None,
        created_at: db::now(),
    };
    if let Some(replay) = db
        .run(move |connection| claim_or_replay(connection, &claim))
        .await?
    {
        return Ok(replay.into_response());
    }
    let (held_subject, held_key) = (subject.clone(), key.clone());
    let result = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let response = work(connection)?;
                store::complete(
                    connection,
                    &subject,
                    &key,
                    i32::from(response.status.as_u16()),
                    &response.body.to_string(),
                    response.location.as_deref(),
                    response.etag.as_deref(),
                )?;
                Ok(response)
            })
        })
        .await;
    if result.is_err() {
        // The request did not take effect: let a retry run it again.
        let released = db
            .run(move |connection| Ok(store::release(connection, &held_subject, &held_key)?))
            .await;
        if let Err(error) = released {
            log::warn!("could not release an idempotency key: {error}");
        }
    }
    Ok(result?.into_response())
}

/// `None` when the key is now ours; a recorded response to replay; or the reason it is refused.
fn claim_or_replay(
    connection: &mut DbConnection,
    claim: &KeyRow,
) -> Result<Option<StoredResponse>, ApiError> {
    let existing = match store::claim(connection, claim)? {
        Ok(()) => return Ok(None),
        Err(existing) => existing,
    };
    if existing.request_hash != claim.request_hash {
        return Err(ApiError::validation(
            "Idempotency-Key",
            "this key was used with a different request; use a new key for a new request",
        ));
    }
    if let (Some(status), Some(body)) = (existing.response_status, existing.response_body) {
        let status = u16::try_from(status)
            .ok()
            .and_then(|status| StatusCode::from_u16(status).ok())
            .ok_or_else(|| {
                ApiError::internal("stored idempotent response has an invalid status")
            })?;
        let body = serde_json::from_str(&body).map_err(ApiError::internal)?;
        return Ok(Some(StoredResponse {
            status,
            body,
            location: existing.response_location,
            etag: existing.response_etag,
        }));
    }
    let stale_before = db::now() - Duration::seconds(ABANDONED_AFTER_SECONDS);
    if store::release_if_stale(
        connection,
        &claim.subject,
        &claim.idempotency_key,
        stale_before,
    )? {
        return match store::claim(connection, claim)? {
            Ok(()) => Ok(None),
            Err(_) => Err(in_progress()),
        };
    }
    Err(in_progress())
}

fn in_progress() -> ApiError {
    ApiError::Conflict(
        "a request with this Idempotency-Key is still in progress; retry later".into(),
    )
}
