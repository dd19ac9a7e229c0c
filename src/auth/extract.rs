//! From a request to an admitted caller: the bearer token is verified once per
//! request (into a [`Principal`]), then the policy decides on the operation.
//! A path or query that no database could store (a NUL, an impossible date) is
//! refused here with 400, after the caller is known, so that a refused request
//! to individual data is audited like any denied one.

use std::borrow::Cow;
use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};

use super::policy::{authorize, is_individual_data, OperationMarker};
use super::principal::Principal;
use super::token::{TokenError, TokenVerifier};
use crate::domain::validation::{unstorable, FieldError};
use crate::error::ApiError;

/// A caller whose role the policy admits to operation `O`. As an extractor it runs
/// before the body is read, so a role that may never use an operation gets 403
/// whatever it sends.
pub struct Allowed<O> {
    pub principal: Principal,
    operation: PhantomData<O>,
}

/// Marks a request to an individual-data operation (with the caller, when
/// known), so that a denied attempt is recorded in the audit trail.
#[derive(Debug, Clone)]
pub struct IndividualDataRoute {
    pub principal: Option<Principal>,
    /// The request was refused before the handler ran (its input cannot be stored).
    pub refused: bool,
}

impl<O: OperationMarker> FromRequest for Allowed<O> {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let principal = authenticate(req);
        let unstorable = principal.is_ok().then(|| first_unstorable(req)).flatten();
        if is_individual_data(O::OPERATION) {
            req.extensions_mut().insert(IndividualDataRoute {
                principal: principal.as_ref().ok().cloned(),
                refused: unstorable.is_some(),
            });
        }
        ready(principal.and_then(|principal| {
            authorize(&principal, O::OPERATION)?;
            if let Some(error) = unstorable {
                return Err(ApiError::InvalidParameters(vec![error]));
            }
            Ok(Allowed {
                principal,
                operation: PhantomData,
            })
        }))
    }
}

/// The outcome of verifying the request's token, kept for the rest of the request.
#[derive(Clone)]
struct Authentication(Result<Principal, TokenError>);

/// The caller the request's bearer token names. Verified once per request; the
/// rate limit and the handler's extractor share the result.
pub fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    if let Some(Authentication(known)) = req.extensions().get::<Authentication>().cloned() {
        return known.map_err(refusal);
    }
    let verifier = req
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or_else(|| ApiError::internal("token verifier is not configured"))?;
    let outcome = verify_header(req, verifier);
    req.extensions_mut().insert(Authentication(outcome.clone()));
    outcome.map_err(refusal)
}

fn refusal(error: TokenError) -> ApiError {
    match error {
        TokenError::Invalid(_) => ApiError::Unauthenticated(error.to_string()),
        TokenError::UnusableClaims(_) => ApiError::BadRequest(error.to_string()),
    }
}

const BEARER: &[u8] = b"bearer ";

fn verify_header(req: &HttpRequest, verifier: &TokenVerifier) -> Result<Principal, TokenError> {
    let missing = |text: &str| TokenError::Invalid(text.to_owned());
    let header_value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| missing("a bearer token is required"))?;
    // On the bytes: `HeaderValue::to_str` checks a token of a few kilobytes
    // byte by byte, and the token's own decoding refuses what is not base64url.
    let token = header_value
        .as_bytes()
        .split_at_checked(BEARER.len())
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(BEARER))
        .map(|(_, token)| token.trim_ascii())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| missing("the Authorization header must be 'Bearer <token>'"))?;
    verifier.verify(token)
}

/// The first path segment or query parameter of `req` that cannot be stored.
fn first_unstorable(req: &HttpRequest) -> Option<FieldError> {
    let path = percent_decoded(req.path());
    if let Some(message) = unstorable(&path) {
        return Some(FieldError {
            field: "path".into(),
            message: message.into(),
        });
    }
    if req.query_string().is_empty() {
        return None;
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.into_iter().find_map(|(name, value)| {
        unstorable(&name)
            .or_else(|| unstorable(&value))
            .map(|message| FieldError {
                field: if unstorable(&name).is_some() {
                    "query".into()
                } else {
                    name
                },
                message: message.into(),
            })
    })
}

/// `path` with its percent escapes decoded; most paths have none and are
/// borrowed as they are.
fn percent_decoded(path: &str) -> Cow<'_, str> {
    if !path.contains('%') {
        return Cow::Borrowed(path);
    }
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                index += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&decoded).into_owned())
}

#[cfg(test)]
mod tests {
    use super::percent_decoded;

    #[test]
    fn paths_are_read_percent_decoded() {
        assert_eq!(percent_decoded("/a%00b%C3%B8"), "/a\u{0}bø");
        assert_eq!(percent_decoded("/a%zz"), "/a%zz");
    }
}
