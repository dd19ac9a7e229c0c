//! `Accept-Language`: the language of what the service writes (problem titles
//! and their fixed details), Danish unless the caller asks for English or the
//! deployment chose another default; `Content-Language` says which was used.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error};

use crate::domain::language::Language;
use crate::telemetry;

/// The language used when `Accept-Language` names none of ours.
#[derive(Debug, Clone, Copy)]
pub struct DefaultLanguage(pub Language);

/// Middleware: negotiates the language, handles the request in its scope, and
/// says which language was used.
pub async fn negotiate_language(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let default = req
        .app_data::<web::Data<DefaultLanguage>>()
        .map_or(Language::Da, |default| default.0);
    let asked = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    let language = Language::negotiate(asked, default);
    telemetry::in_language(language, async move {
        let mut response = next.call(req).await?;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(language.code()),
        );
        headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
        Ok(response)
    })
    .await
}
