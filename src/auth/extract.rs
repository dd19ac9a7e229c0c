//! From a request to an admitted caller: the bearer token is verified once per
//! request (into a [`Principal`]), then the policy decides on the operation.

use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};

use super::policy::{authorize, is_individual_data, OperationMarker};
use super::principal::Principal;
use super::token::TokenVerifier;
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
}

impl<O: OperationMarker> FromRequest for Allowed<O> {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let principal = authenticate(req);
        if is_individual_data(O::OPERATION) {
            req.extensions_mut().insert(IndividualDataRoute {
                principal: principal.as_ref().ok().cloned(),
            });
        }
        ready(principal.and_then(|principal| {
            authorize(&principal, O::OPERATION)?;
            Ok(Allowed {
                principal,
                operation: PhantomData,
            })
        }))
    }
}

/// The outcome of verifying the request's token, kept for the rest of the request.
#[derive(Clone)]
struct Authentication(Result<Principal, String>);

/// The caller the request's bearer token names. Verified once per request; the
/// rate limit and the handler's extractor share the result.
pub fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    if let Some(Authentication(known)) = req.extensions().get::<Authentication>().cloned() {
        return known.map_err(ApiError::Unauthenticated);
    }
    let verifier = req
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or_else(|| ApiError::internal("token verifier is not configured"))?;
    let outcome = verify_header(req, verifier);
    req.extensions_mut().insert(Authentication(outcome.clone()));
    outcome.map_err(ApiError::Unauthenticated)
}

fn verify_header(req: &HttpRequest, verifier: &TokenVerifier) -> Result<Principal, String> {
    let header_value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or("a bearer token is required")?;
    let token = header_value
        .to_str()
        .ok()
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
        .ok_or("the Authorization header must be 'Bearer <token>'")?;
    verifier.verify(token).map_err(|error| error.to_string())
}
