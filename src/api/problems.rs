//! The framework's own errors (bad JSON, path, query; unknown route; wrong
//! method) as problem responses.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use utoipa::openapi::OpenApi;

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

pub fn query_error(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let message = match error {
        QueryPayloadError::Deserialize(error) => error.to_string(),
        other => other.to_string(),
    };
    ApiError::parameter("query", format!("invalid query string: {message}")).into()
}

/// The API's path templates and their methods, to tell 405 from 404.
pub struct KnownRoutes(Vec<(Vec<String>, Vec<&'static str>)>);

impl KnownRoutes {
    pub fn from_openapi(api: &OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template.split('/').map(str::to_owned).collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (segments, methods)
            })
            .collect();
        Self(routes)
    }

    /// Methods of the route that matches `path`, if one does.
    fn methods_for(&self, path: &str) -> Option<&[&'static str]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(template, _)| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(expected, actual)| {
                        (expected.starts_with('{') && !actual.is_empty()) || expected == actual
                    })
            })
            .map(|(_, methods)| methods.as_slice())
    }
}

/// Default service: 405 with `Allow` for a known path, else 404; both as problems.
pub async fn unmatched_route(req: HttpRequest) -> HttpResponse {
    let known = req.app_data::<actix_web::web::Data<KnownRoutes>>();
    let error = match known.and_then(|routes| routes.methods_for(req.path())) {
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
