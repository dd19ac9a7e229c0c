//! The OpenAPI description of failures: one reusable problem response per
//! status, and the sets of them each kind of operation can return, so that an
//! operation names its kind instead of listing every status.

use std::collections::BTreeMap;

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, ToResponse};

use crate::error::PROBLEM_CONTENT_TYPE;

/// Declares a reusable problem response of the OpenAPI document (a unit type
/// implementing `ToResponse`), referenced by name from the sets below.
macro_rules! problem_responses {
    ($($name:ident => $description:literal,)+) => {
        $(
            pub struct $name;

            impl<'s> ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    (stringify!($name), problem_response($description).into())
                }
            }
        )+
    };
}

problem_responses! {
    BadRequest => "The request is malformed: unreadable JSON, an unknown field, a wrong type, or an invalid path or query parameter.",
    Unauthorized => "No valid bearer token: missing, malformed, expired, wrongly signed or with wrong claims.",
    Forbidden => "The caller's role may not use this operation.",
    NotFound => "No such resource, or it is outside the caller's scope.",
    Conflict => "The request conflicts with the resource's state; the detail says what is allowed now.",
    PreconditionFailed => "The If-Match header does not match the resource's current ETag.",
    Gone => "The change-feed cursor is older than the entries kept; resynchronise and start from a new cursor.",
    PayloadTooLarge => "The request body is larger than the service accepts.",
    UnsupportedMediaType => "The request body is not JSON (Content-Type: application/json).",
    UnprocessableEntity => "The JSON is well-formed but fields are invalid; `errors` names each one.",
    TooManyRequests => "Too many requests with this token; retry after Retry-After seconds.",
    InternalError => "An unexpected error; the body carries the request id to quote.",
    ServiceUnavailable => "The database is unavailable (`service-unavailable`), or only a read-only standby is reachable and the request writes (`read-only`); retry after Retry-After seconds.",
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
                .build(),
        )
        .build()
}

/// Declares a set of failures (a unit type implementing `IntoResponses`): each
/// status refers to its reusable problem response.
macro_rules! failure_sets {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal $response:ident),+],)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    BTreeMap::from([
                        $((
                            $status.to_string(),
                            RefOr::Ref(Ref::from_response_name(stringify!($response))),
                        )),+
                    ])
                }
            }
        )+
    };
}

failure_sets! {
    /// Reading one record, or acting on one without a body.
    ReadFailures => [400 BadRequest, 401 Unauthorized, 403 Forbidden, 404 NotFound, 500 InternalError, 503 ServiceUnavailable],
    /// Reading a page of a list (rate limited).
    ListFailures => [400 BadRequest, 401 Unauthorized, 403 Forbidden, 429 TooManyRequests, 500 InternalError, 503 ServiceUnavailable],
    /// Sending a JSON body that creates a record.
    CreateFailures => [400 BadRequest, 401 Unauthorized, 403 Forbidden, 413 PayloadTooLarge, 415 UnsupportedMediaType, 422 UnprocessableEntity, 500 InternalError, 503 ServiceUnavailable],
    /// Sending a JSON body to a record or a sub-collection of one.
    AddFailures => [400 BadRequest, 401 Unauthorized, 403 Forbidden, 404 NotFound, 413 PayloadTooLarge, 415 UnsupportedMediaType, 422 UnprocessableEntity, 500 InternalError, 503 ServiceUnavailable],
    /// Changing a record with a JSON body, conditional on `If-Match`.
    UpdateFailures => [400 BadRequest, 401 Unauthorized, 403 Forbidden, 404 NotFound, 412 PreconditionFailed, 413 PayloadTooLarge, 415 UnsupportedMediaType, 422 UnprocessableEntity, 500 InternalError, 503 ServiceUnavailable],
    /// Deleting a record, conditional on `If-Match`.
    DeleteFailures => [400 BadRequest, 401 Unauthorized, 403 Forbidden, 404 NotFound, 412 PreconditionFailed, 500 InternalError, 503 ServiceUnavailable],
    /// Reading one record every role may read.
    PublicReadFailures => [400 BadRequest, 401 Unauthorized, 404 NotFound, 500 InternalError, 503 ServiceUnavailable],
    /// Reading a page of a list every role may read.
    PublicListFailures => [400 BadRequest, 401 Unauthorized, 429 TooManyRequests, 500 InternalError, 503 ServiceUnavailable],
    /// Reading through a secret address, without a token.
    SecretAddressFailures => [404 NotFound, 500 InternalError, 503 ServiceUnavailable],
    /// Reading reference data held in the service itself.
    CatalogFailures => [401 Unauthorized, 500 InternalError],
    /// The request conflicts with the record's state.
    ConflictFailure => [409 Conflict],
    /// `If-Match` named a version the record has moved on from.
    StaleFailure => [412 PreconditionFailed],
    /// Reading the change feed from a cursor.
    FeedFailures => [400 BadRequest, 401 Unauthorized, 403 Forbidden, 410 Gone, 429 TooManyRequests, 500 InternalError, 503 ServiceUnavailable],
    /// The caller has used up its rate on this route.
    RateFailure => [429 TooManyRequests],
    /// An `Idempotency-Key` used before with a different request (on a request without a body).
    KeyReuseFailure => [422 UnprocessableEntity],
}
