//! The framework's own errors (bad JSON, path, query; unknown route; wrong
//! method) as problem responses.

use std::collections::HashMap;

use actix_web::error::{JsonPayloadError, PathError};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use utoipa::openapi::OpenApi;

use super::route;

use crate::error::ApiError;

pub fn json_error(error: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api_error = match error {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => {
            ApiError::PayloadTooLarge(format!("the request body exceeds {limit} bytes"))
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(
            "the request body must be JSON (Content-Type: application/json)".into(),
        ),
        JsonPayloadError::Deserialize(error) => {
            ApiError::BadRequest(format!("invalid JSON body: {error}"))
        }
        other => ApiError::BadRequest(format!("unreadable request body: {other}")),
    };
    api_error.into()
}

pub fn path_error(error: PathError, _: &HttpRequest) -> actix_web::Error {
    let PathError::Deserialize(error) = error else {
        return ApiError::BadRequest("invalid path".into()).into();
    };
    ApiError::parameter("path", format!("invalid path parameter: {error}")).into()
}

/// One documented operation: its method and the media types of its responses.
struct KnownOperation {
    method: &'static str,
    produces: Vec<String>,
}

/// The API's path templates with their operations: to tell 405 from 404, and
/// to know what an operation can answer with (for `Accept`). Keyed by the
/// spec's path templates, which are actix's route templates (utoipa reads them
/// from the route macros): looked up by the route actix matched
/// ([`route::pattern`], remembered per path shape), at the same cost for every
/// route.
pub struct KnownRoutes(HashMap<String, Vec<KnownOperation>>);

impl KnownRoutes {
    pub fn from_openapi(api: &OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let operations = [
                    ("GET", item.get.as_ref()),
                    ("POST", item.post.as_ref()),
                    ("PUT", item.put.as_ref()),
                    ("PATCH", item.patch.as_ref()),
                    ("DELETE", item.delete.as_ref()),
                ]
                .into_iter()
                .filter_map(|(method, operation)| {
                    Some(KnownOperation {
                        method,
                        produces: produced_types(operation?),
                    })
                })
                .collect();
                (template.clone(), operations)
            })
            .collect();
        Self(routes)
    }

    /// The documented operations of the route `req` matched, if it is documented.
    fn operations_for(&self, req: &HttpRequest) -> Option<&[KnownOperation]> {
        self.0.get(&*route::pattern(req)?).map(Vec::as_slice)
    }

    /// Methods of the route `req` matched, if it is documented.
    fn methods_for(&self, req: &HttpRequest) -> Option<Vec<&'static str>> {
        self.operations_for(req).map(|operations| {
            operations
                .iter()
                .map(|operation| operation.method)
                .collect()
        })
    }

    /// The media types the operation `req` asks for answers with (besides problems).
    pub fn produces(&self, req: &HttpRequest) -> Option<&[String]> {
        self.operations_for(req)?
            .iter()
            .find(|operation| operation.method == req.method().as_str())
            .map(|operation| operation.produces.as_slice())
    }
}

/// The media types of an operation's successful responses.
fn produced_types(operation: &utoipa::openapi::path::Operation) -> Vec<String> {
    let mut types: Vec<String> = operation
        .responses
        .responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .filter_map(|(_, response)| match response {
            utoipa::openapi::RefOr::T(response) => Some(response.content.keys().cloned()),
            utoipa::openapi::RefOr::Ref(_) => None,
        })
        .flatten()
        .collect();
    types.sort();
    types.dedup();
    types
}

/// Default service: 405 with `Allow` for a known path, else 404; both as problems.
pub async fn unmatched_route(req: HttpRequest) -> HttpResponse {
    let known = req.app_data::<actix_web::web::Data<KnownRoutes>>();
    let error = match known.and_then(|routes| routes.methods_for(&req)) {
        Some(methods) => ApiError::MethodNotAllowed {
            detail: format!(
                "{} is not allowed on {}; allowed: {}",
                req.method(),
                req.path(),
                methods.join(", ")
            ),
            allow: methods.join(", "),
        },
        None => ApiError::NotFound,
    };
    error.error_response()
}
