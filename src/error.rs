//! The crate-wide error type and its mapping to RFC 9457 problem responses.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::danish;
use crate::domain::language::Language;
use crate::domain::validation::FieldError;
use crate::telemetry;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An RFC 9457 problem document; every 4xx and 5xx response carries one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference that identifies the problem type.
    #[schema(example = "urn:familiebro:problem:validation-failed")]
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence, for a person to read.
    pub detail: String,
    /// The request id (also in the `X-Request-Id` header and the service log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Invalid fields, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a request can fail with. Each variant maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the request has invalid parameters")]
    InvalidParameters(Vec<FieldError>),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("your role may not use this operation")]
    Forbidden,
    #[error("{0}")]
    ForbiddenBecause(String),
    #[error("no such resource")]
    NotFound,
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
    #[error("{0}")]
    Conflict(String),
    /// A status change the state machine does not allow now.
    #[error("{0}")]
    TransitionNotAllowed(String),
    /// The consent does not cover what was asked (any more).
    #[error("{0}")]
    ConsentGap(String),
    /// A request with the same Idempotency-Key is still running.
    #[error(
        "a request with this Idempotency-Key is still in progress; retry after Retry-After seconds"
    )]
    IdempotencyKeyInUse,
    /// The `Accept` header names no representation the operation has.
    #[error("{0}")]
    NotAcceptable(String),
    #[error("the resource has changed since you read it (If-Match does not match its ETag); read it again and retry")]
    PreconditionFailed,
    /// A change-feed cursor older than the entries kept.
    #[error("the cursor is older than the entries the feed keeps ({0} days); resynchronise: read the resources afresh, then follow the feed from a new cursor (start without `after`)")]
    CursorExpired(u32),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request is valid JSON but some fields are invalid")]
    Validation(Vec<FieldError>),
    #[error("too many requests; retry after {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    #[error("the database is unavailable; retry later")]
    Unavailable,
    /// Connected to a standby only: reads work, writes wait for a primary.
    #[error("the database is a read-only standby: writes, and reads of individual data (which leave an audit event), are refused until a primary is reachable again; retry later")]
    ReadOnly,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// 400 naming one bad parameter (of the path, the query, or the body's shape).
    pub fn parameter(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidParameters(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest(_) | Self::InvalidParameters(_) => ("bad-request", "Bad request"),
            Self::Unauthenticated(_) => ("unauthenticated", "Authentication required"),
            Self::Forbidden | Self::ForbiddenBecause(_) => ("forbidden", "Forbidden"),
            Self::NotFound => ("not-found", "Not found"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::Conflict(_) => ("conflict", "Conflict"),
            Self::TransitionNotAllowed(_) => ("transition-not-allowed", "Transition not allowed"),
            Self::ConsentGap(_) => ("consent-gap", "The consent does not cover this"),
            Self::IdempotencyKeyInUse => ("idempotency-key-in-use", "Idempotency-Key in use"),
            Self::NotAcceptable(_) => ("not-acceptable", "Not acceptable"),
            Self::PreconditionFailed => ("stale-version", "Stale version"),
            Self::CursorExpired(_) => ("cursor-expired", "Cursor expired"),
            Self::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::Validation(_) => ("validation-failed", "Validation failed"),
            Self::TooManyRequests { .. } => ("rate-limited", "Too many requests"),
            Self::Unavailable => ("service-unavailable", "Service unavailable"),
            Self::ReadOnly => ("read-only", "Read-only database"),
            Self::Internal(_) => ("internal-error", "Internal server error"),
        }
    }

    /// The Danish title of a problem type, and the Danish detail where the
    /// detail is fixed (details that name values stay as written).
    fn danish(&self) -> (&'static str, Option<&'static str>) {
        match self {
            Self::BadRequest(_) => ("Ugyldig forespørgsel", None),
            Self::InvalidParameters(_) => (
                "Ugyldig forespørgsel",
                Some("forespørgslen har ugyldige parametre"),
            ),
            Self::Unauthenticated(_) => ("Log ind kræves", None),
            Self::Forbidden => ("Ingen adgang", Some("din rolle må ikke bruge denne handling")),
            Self::ForbiddenBecause(_) => ("Ingen adgang", None),
            Self::NotFound => ("Findes ikke", Some("ressourcen findes ikke")),
            Self::MethodNotAllowed { .. } => ("Metoden er ikke tilladt", None),
            Self::Conflict(_) => ("Konflikt", None),
            Self::TransitionNotAllowed(_) => ("Overgangen er ikke tilladt", None),
            Self::ConsentGap(_) => ("Samtykket dækker ikke dette", None),
            Self::IdempotencyKeyInUse => (
                "Idempotency-Key er i brug",
                Some("en forespørgsel med denne Idempotency-Key er stadig i gang; prøv igen efter Retry-After sekunder"),
            ),
            Self::NotAcceptable(_) => ("Formatet kan ikke leveres", None),
            Self::PreconditionFailed => (
                "Forældet version",
                Some("ressourcen er ændret, siden du læste den (If-Match passer ikke med dens ETag); læs den igen og prøv igen"),
            ),
            Self::CursorExpired(_) => ("Markøren er udløbet", None),
            Self::PayloadTooLarge(_) => ("Forespørgslen er for stor", None),
            Self::UnsupportedMediaType(_) => ("Medietypen understøttes ikke", None),
            Self::Validation(_) => (
                "Ugyldige felter",
                Some("forespørgslen er gyldig JSON, men nogle felter er ugyldige"),
            ),
            Self::TooManyRequests { .. } => ("For mange forespørgsler", None),
            Self::Unavailable => (
                "Tjenesten er midlertidigt utilgængelig",
                Some("databasen kan ikke nås; prøv igen senere"),
            ),
            Self::ReadOnly => (
                "Databasen er skrivebeskyttet",
                Some("databasen er en skrivebeskyttet standby: skrivninger og læsninger af personoplysninger (som efterlader en audit-hændelse) afvises, til en primær database kan nås igen; prøv igen senere"),
            ),
            Self::Internal(_) => (
                "Intern fejl",
                Some("der opstod en uventet fejl; oplys forespørgslens request-id, når du melder den"),
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, english_title) = self.kind();
        let status = self.status_code();
        let english_detail = match self {
            // Internals stay in the log; the client gets the request id to quote.
            Self::Internal(_) => {
                "an unexpected error occurred; quote the request id when reporting it".to_owned()
            }
            other => other.to_string(),
        };
        let language = telemetry::current_language();
        let (title, detail) = match language {
            Language::En => (english_title, english_detail),
            Language::Da => {
                let (title, detail) = self.danish();
                let detail = detail.map_or_else(
                    || danish::written_in(language, english_detail),
                    str::to_owned,
                );
                (title, detail)
            }
        };
        let mut errors = match self {
            Self::Validation(errors) | Self::InvalidParameters(errors) => errors.clone(),
            _ => Vec::new(),
        };
        for error in &mut errors {
            error.message = danish::written_in(language, std::mem::take(&mut error.message));
        }
        Problem {
            problem_type: format!("urn:familiebro:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            request_id: telemetry::current_request_id(),
            errors,
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::Unavailable,
            Error::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => Self::ReadOnly,
            // SQLite's single writer stayed busy beyond the busy timeout, or a
            // PostgreSQL lock was held beyond the lock timeout: retry later.
            Error::DatabaseError(_, info) if is_busy(info.message()) => Self::Unavailable,
            other => Self::internal(other),
        }
    }
}

/// Whether a database error says the database was locked by another writer.
fn is_busy(message: &str) -> bool {
    message.contains("canceling statement due to lock timeout")
        || message.contains("database is locked")
        || message.contains("database table is locked")
        || message.contains("database is busy")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::ForbiddenBecause(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_)
            | Self::TransitionNotAllowed(_)
            | Self::ConsentGap(_)
            | Self::IdempotencyKeyInUse => StatusCode::CONFLICT,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::CursorExpired(_) => StatusCode::GONE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::ReadOnly => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        match self {
            Self::Internal(cause) => log::error!("request failed: {cause}"),
            Self::Unavailable => log::warn!("database unavailable"),
            Self::ReadOnly => log::warn!("write refused: the database is a read-only standby"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        match self {
            Self::Unauthenticated(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#),
                ));
            }
            Self::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            Self::Unavailable | Self::ReadOnly => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::IdempotencyKeyInUse => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        response.json(problem)
    }
}
