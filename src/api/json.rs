//! The JSON body extractor: like `web::Json`, but the body must be an object
//! (serde would also build a struct from an array). Nested objects use the
//! helpers of [`crate::strict_json`].

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::strict_json::from_object;

/// A JSON request body that must be an object; otherwise like `web::Json`.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = body.await?.into_inner();
            let parsed: Result<T, serde_json::Error> = from_object(value);
            parsed
                .map(Json)
                .map_err(|error| ApiError::BadRequest(format!("invalid JSON body: {error}")).into())
        })
    }
}
