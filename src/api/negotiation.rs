//! Content negotiation and conditional requests, the same for every operation:
//! `Accept` that names nothing an operation produces is 406; a GET whose `ETag`
//! matches `If-None-Match` is 304; every error response is a problem document,
//! whichever layer produced it (a refused CORS preflight included).

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, Accept, Header, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpResponse, ResponseError};

use super::problems::KnownRoutes;
use crate::error::{ApiError, PROBLEM_CONTENT_TYPE};

/// Whether a media range of `Accept` (with a non-zero quality) admits `produced`.
pub fn admits(range: &actix_web::mime::Mime, produced: &str) -> bool {
    let Ok(produced) = produced.parse::<actix_web::mime::Mime>() else {
        return false;
    };
    (range.type_() == actix_web::mime::STAR || range.type_() == produced.type_())
        && (range.subtype() == actix_web::mime::STAR || range.subtype() == produced.subtype())
}

/// Middleware: 406 when the `Accept` header admits none of the operation's media types.
pub async fn negotiate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // Without `Accept` anything is acceptable: the operation is not looked up.
    let produced = req
        .app_data::<web::Data<KnownRoutes>>()
        .filter(|_| req.headers().contains_key(header::ACCEPT))
        .and_then(|routes| routes.produces(req.request()))
        .filter(|types| !types.is_empty());
    if let Some(produced) = produced {
        let acceptable = match Accept::parse(req.request()) {
            Ok(accept) => accept.iter().any(|item| {
                item.quality > actix_web::http::header::Quality::ZERO
                    && produced.iter().any(|media| admits(&item.item, media))
            }),
            Err(_) => true,
        };
        if !acceptable {
            let detail = format!(
                "this operation answers with {}; the Accept header admits none of them",
                produced.join(", ")
            );
            let response = ApiError::NotAcceptable(detail).error_response();
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Whether `If-None-Match` names `etag` (weak comparison, RFC 9110), or is `*`.
fn none_match(if_none_match: &str, etag: &str) -> bool {
    let strip = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    if_none_match
        .split(',')
        .any(|tag| tag.trim() == "*" || strip(tag) == strip(etag))
}

/// Middleware: a GET answered with the version the client already has is 304.
pub async fn not_modified(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let conditional = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .filter(|_| matches!(*req.method(), Method::GET | Method::HEAD));
    let response = next.call(req).await?;
    let Some(if_none_match) = conditional else {
        return Ok(response.map_into_boxed_body());
    };
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    match etag {
        Some(etag) if response.status() == StatusCode::OK && none_match(&if_none_match, &etag) => {
            let (request, _) = response.into_parts();
            let mut not_modified = HttpResponse::NotModified();
            if let Ok(value) = HeaderValue::from_str(&etag) {
                not_modified.insert_header((header::ETAG, value));
            }
            Ok(ServiceResponse::new(request, not_modified.finish()))
        }
        _ => Ok(response.map_into_boxed_body()),
    }
}

/// Middleware: an error response that is not a problem document becomes one.
pub async fn problem_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let response = next.call(req).await?;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| {
            value
                .as_bytes()
                .starts_with(PROBLEM_CONTENT_TYPE.as_bytes())
        });
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return Ok(response.map_into_boxed_body());
    }
    let (request, original) = response.into_parts();
    let error = match status {
        StatusCode::BAD_REQUEST => ApiError::BadRequest(
            "the request was refused before it reached the API (e.g. a CORS preflight from an origin or with a header that is not allowed)".into(),
        ),
        StatusCode::NOT_FOUND => ApiError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge("the request is larger than the service accepts".into())
        }
        _ if status.is_server_error() => ApiError::internal(format!("a {status} without a problem body")),
        _ => ApiError::BadRequest(format!("the request was refused ({status})")),
    };
    let mut replacement = error.error_response();
    *replacement.status_mut() = status;
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replacement
                .headers_mut()
                .insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(request, replacement))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_a_star() {
        assert!(none_match("\"3\"", "\"3\""));
        assert!(none_match("W/\"3\", \"4\"", "\"3\""));
        assert!(none_match("*", "\"7\""));
        assert!(!none_match("\"2\"", "\"3\""));
    }

    #[test]
    fn media_ranges_admit_what_they_name() {
        let json: actix_web::mime::Mime = "application/json".parse().unwrap();
        let any: actix_web::mime::Mime = "*/*".parse().unwrap();
        let text: actix_web::mime::Mime = "text/*".parse().unwrap();
        assert!(admits(&json, "application/json"));
        assert!(admits(&any, "text/csv"));
        assert!(admits(&text, "text/csv"));
        assert!(!admits(&text, "application/json"));
    }
}
