//! The JSON body extractor: like `web::Json`, but the body must be an object
//! (serde would also build a struct from an array), no text in it may carry a
//! NUL or another control character (PostgreSQL cannot store NUL), and the
//! parsed JSON stays available for fingerprinting idempotent requests. Nested
//! objects use the helpers of [`crate::strict_json`].

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::validation::FieldError;
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
            if let Some(field) = control_character_in(&raw, "") {
                return Err(ApiError::InvalidParameters(vec![FieldError {
                    field: if field.is_empty() {
                        "body".into()
                    } else {
                        field
                    },
                    message: "must not contain NUL or other control characters".into(),
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

/// True for characters no text of this service may hold (tab and line breaks are fine).
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The path of the first string (or key) in `value` holding a forbidden control character.
fn control_character_in(value: &Value, path: &str) -> Option<String> {
    let bad = |text: &str| text.chars().any(is_forbidden_control);
    match value {
        Value::String(text) if bad(text) => Some(path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| control_character_in(item, &format!("{path}[{index}]"))),
        Value::Object(fields) => fields.iter().find_map(|(name, field)| {
            let field_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            if bad(name) {
                Some(path.to_owned())
            } else {
                control_character_in(field, &field_path)
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
    fn control_characters_are_found_with_their_path() {
        assert_eq!(control_character_in(&json!({"a": "ok\nfine"}), ""), None);
        assert_eq!(
            control_character_in(&json!({"a": {"b": ["x", "y\u{0}"]}}), ""),
            Some("a.b[1]".into())
        );
    }
}
