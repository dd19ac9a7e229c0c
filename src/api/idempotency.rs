//! `Idempotency-Key` on POSTs: a retry with the same key and body gets the
//! outcome of the first request; the same key with another body is 422; while
//! the first request is still running, 409. Keys are kept in the database (at
//! least 24 h) so every instance sees them; the work and its record commit in
//! one transaction, so an acknowledged write is never repeated.
//!
//! A record keeps the identity of the outcome (status, resource id, version),
//! never a response body: a replay is a read. It is rendered from the current
//! state by the same function as the first response (and as GET), with the same
//! scope check and audit, so nothing stored bypasses the policy. Keys belong to
//! the caller's whole principal (subject, role and scope claims).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use chrono::Duration;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::etag::etag;
use crate::auth::Principal;
use crate::db::idempotency::{self as store, KeyRow};
use crate::db::{self, Database, DbConnection};
use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";

/// A claim older than this whose request never finished is considered abandoned
/// (its request failed and could not release it, e.g. during a database outage).
/// Longer than any request can take: pool wait (3 s) plus SQLite's busy timeout (5 s).
const ABANDONED_AFTER_SECONDS: i64 = 15;

/// What a write produced: enough to render its response again from the current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: StatusCode,
    /// The resource the response shows (for sub-resources, an id its renderer understands).
    pub resource_id: String,
    pub version: Option<i32>,
}

impl Outcome {
    pub fn created(resource_id: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CREATED,
            resource_id: resource_id.into(),
            version: None,
        }
    }

    pub fn ok(resource_id: impl Into<String>) -> Self {
        Self {
            status: StatusCode::OK,
            ..Self::created(resource_id)
        }
    }

    pub fn at_version(self, version: i32) -> Self {
        Self {
            version: Some(version),
            ..self
        }
    }
}

/// A response shaped from the current state, ready to send.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub status: StatusCode,
    /// The JSON body, serialized once.
    pub body: Vec<u8>,
    pub location: Option<String>,
    pub etag: Option<String>,
}

/// Room for a single resource's JSON at once: serde_json grows an empty
/// buffer by doubling, from 8 bytes to 512 for an area's 400: seven allocations.
const BODY_CAPACITY: usize = 1024;

impl Rendered {
    pub fn new(status: StatusCode, body: &impl Serialize) -> Result<Self, ApiError> {
        let mut json = Vec::with_capacity(BODY_CAPACITY);
        serde_json::to_writer(&mut json, body).map_err(ApiError::internal)?;
        Ok(Self {
            status,
            body: json,
            location: None,
            etag: None,
        })
    }

    pub fn with_etag(self, version: i32) -> Self {
        Self {
            etag: Some(etag(version)),
            ..self
        }
    }

    /// Adds `Location` when the response reports a creation; `path` is
    /// written only then, not for every read of the resource.
    pub fn located_at(self, path: impl FnOnce() -> String) -> Self {
        Self {
            location: (self.status == StatusCode::CREATED).then(path),
            ..self
        }
    }

    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(location) = self.location {
            response.insert_header((header::LOCATION, location));
        }
        if let Some(etag) = self.etag {
            response.insert_header((header::ETAG, etag));
        }
        response
            .content_type(actix_web::mime::APPLICATION_JSON)
            .body(self.body)
    }
}

/// A POST as idempotency sees it: whose, under which key, with what content.
pub struct IdempotentRequest {
    caller: String,
    key: Option<String>,
    request_hash: String,
}

impl IdempotentRequest {
    /// `body` is the request's JSON body (`null` for a POST without one).
    pub fn new(
        req: &HttpRequest,
        principal: &Principal,
        body: &serde_json::Value,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            caller: hex(&principal.fingerprint()),
            key: key_of(req)?,
            request_hash: fingerprint(req, body),
        })
    }

    /// Runs `work` in a transaction, at most once per (caller, key), and answers
    /// with `render` of its outcome — the first time and on every replay.
    pub async fn run<W, R>(
        self,
        db: &Database,
        work: W,
        render: R,
    ) -> Result<HttpResponse, ApiError>
    where
        W: FnOnce(&mut DbConnection) -> Result<Outcome, ApiError> + Send + 'static,
        R: FnOnce(&mut DbConnection, &Outcome) -> Result<Rendered, ApiError> + Send + 'static,
    {
        let Some(key) = self.key else {
            let rendered = db
                .run(move |connection| {
                    db::write_transaction(connection, |connection| {
                        let outcome = work(connection)?;
                        render(connection, &outcome)
                    })
                })
                .await?;
            return Ok(rendered.into_response());
        };
        let claim = KeyRow {
            caller: self.caller.clone(),
            idempotency_key: key.clone(),
            request_hash: self.request_hash,
            outcome_status: None,
            resource_id: None,
            resource_version: None,
            created_at: db::now(),
        };
        let earlier = db
            .run(move |connection| {
                db::transaction_without_flush_wait(connection, |connection| {
                    claim_or_replay(connection, &claim)
                })
            })
            .await?;
        if let Some(outcome) = earlier {
            let rendered = db
                .run(move |connection| {
                    db::write_transaction(connection, |connection| render(connection, &outcome))
                })
                .await?;
            return Ok(rendered.into_response());
        }
        let (caller, held_key) = (self.caller.clone(), key.clone());
        let caller_of_claim = self.caller;
        let result = db
            .run(move |connection| {
                db::write_transaction(connection, |connection| {
                    let outcome = work(connection)?;
                    store::complete(
                        connection,
                        &caller_of_claim,
                        &key,
                        i32::from(outcome.status.as_u16()),
                        &outcome.resource_id,
                        outcome.version,
                    )?;
                    render(connection, &outcome)
                })
            })
            .await;
        if result.is_err() {
            // The request did not take effect: let a retry run it again.
            let released = db
                .run(move |connection| {
                    db::write_transaction(connection, |connection| {
                        Ok(store::release(connection, &caller, &held_key)?)
                    })
                })
                .await;
            if let Err(error) = released {
                log::warn!("could not release an idempotency key: {error}");
            }
        }
        Ok(result?.into_response())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The client's key, if it sent one: 1–255 visible ASCII characters.
fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
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
fn fingerprint(req: &HttpRequest, body: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b" ");
    hasher.update(req.path());
    hasher.update(b"\n");
    hasher.update(body.to_string());
    hex(&hasher.finalize())
}

/// `None` when the key is now ours; the outcome to replay; or why it is refused.
fn claim_or_replay(
    connection: &mut DbConnection,
    claim: &KeyRow,
) -> Result<Option<Outcome>, ApiError> {
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
    if let (Some(status), Some(resource_id)) = (existing.outcome_status, existing.resource_id) {
        let status = u16::try_from(status)
            .ok()
            .and_then(|status| StatusCode::from_u16(status).ok())
            .ok_or_else(|| ApiError::internal("stored idempotent outcome has an invalid status"))?;
        return Ok(Some(Outcome {
            status,
            resource_id,
            version: existing.resource_version,
        }));
    }
    let stale_before = db::now() - Duration::seconds(ABANDONED_AFTER_SECONDS);
    if store::release_if_stale(
        connection,
        &claim.caller,
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
    ApiError::IdempotencyKeyInUse
}

/// The `Idempotency-Key` header, as an OpenAPI parameter of every creating POST.
pub struct IdempotencyKeyHeader;

impl utoipa::IntoParams for IdempotencyKeyHeader {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        vec![ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes a retry safe: a retry with the same key and body gets the outcome of the first request, shown as it is now; the same key with another body is 422, and 409 (`idempotency-key-in-use`, with Retry-After) while the first is still running.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255)),
            ))
            .build()]
    }
}
