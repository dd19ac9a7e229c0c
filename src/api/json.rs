//! The JSON body extractor: like `web::Json`, but the body must be an object
//! (serde would also build a struct from an array), no text in it may be
//! unstorable (see [`crate::domain::validation::unstorable`]), and the parsed JSON stays available for
//! fingerprinting idempotent requests. Nested objects use the helpers of
//! [`crate::strict_json`].

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::validation::{unstorable, FieldError};
use crate::error::ApiError;
use crate::strict_json::from_object;

/// A JSON request body that must be an object; otherwise like `web::Json`.
pub struct Json<T> {
    value: T,
    raw: Value,
}

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The body as it was sent, parsed.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let raw = body.await?.into_inner();
            if let Some((field, message)) = unstorable_in(&raw, "") {
                let field = if field.is_empty() {
                    "body".into()
                } else {
                    field
                };
                return Err(ApiError::InvalidParameters(vec![FieldError {
                    field,
                    message: message.into(),
                }])
                .into());
            }
            let parsed: Result<T, serde_json::Error> = from_object(raw.clone());
            parsed
                .map(|value| Json { value, raw })
                .map_err(|error| ApiError::BadRequest(format!("invalid JSON body: {error}")).into())
        })
    }
}

/// The path of the first string (or key) in `value` that cannot be stored, and why.
fn unstorable_in(value: &Value, path: &str) -> Option<(String, &'static str)> {
    match value {
        Value::String(text) => unstorable(text).map(|why| (path.to_owned(), why)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| unstorable_in(item, &format!("{path}[{index}]"))),
        Value::Object(fields) => fields.iter().find_map(|(name, field)| {
            let field_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            match unstorable(name) {
                Some(why) => Some((path.to_owned(), why)),
                None => unstorable_in(field, &field_path),
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unstorable_text_is_found_with_its_path() {
        assert_eq!(unstorable_in(&json!({"a": "ok\nfine"}), ""), None);
        let found = unstorable_in(&json!({"a": {"b": ["x", "y\u{0}"]}}), "");
        assert_eq!(found.map(|(path, _)| path), Some("a.b[1]".into()));
        let found = unstorable_in(&json!({"valid_until": "+262142-12-31"}), "");
        assert_eq!(found.map(|(path, _)| path), Some("valid_until".into()));
    }
}
