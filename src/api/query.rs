//! The query-string extractor: like `web::Query`, but a refusal names the
//! parameter at fault (`errors: [{"field": "limit", …}]`), so a client can tell
//! which one to fix.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct Query<T>(T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let text = req.query_string();
        ready(
            serde_urlencoded::from_str::<T>(text)
                .map(Query)
                .map_err(|error| {
                    ApiError::parameter(culprit::<T>(text, &error.to_string()), error.to_string())
                }),
        )
    }
}

/// The parameter a parse failure is about: the one serde names, else the one
/// whose removal lets the rest parse, else the query as a whole.
fn culprit<T: DeserializeOwned>(query: &str, message: &str) -> String {
    if let Some(named) = message
        .split_once("field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name.to_owned())
    {
        return named;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs
        .iter()
        .map(|(name, _)| name)
        .find(|name| {
            let rest: Vec<&(String, String)> =
                pairs.iter().filter(|(other, _)| other != *name).collect();
            serde_urlencoded::to_string(rest)
                .is_ok_and(|rest| serde_urlencoded::from_str::<T>(&rest).is_ok())
        })
        .cloned()
        .unwrap_or_else(|| "query".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[allow(dead_code)]
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Listing {
        limit: Option<i64>,
        q: Option<String>,
    }

    #[test]
    fn a_refused_query_names_its_parameter() {
        let error = |query: &str| serde_urlencoded::from_str::<Listing>(query).err().unwrap();
        let bad_limit = "q=x&limit=many";
        assert_eq!(
            culprit::<Listing>(bad_limit, &error(bad_limit).to_string()),
            "limit"
        );
        let unknown = "q=x&colour=red";
        assert_eq!(
            culprit::<Listing>(unknown, &error(unknown).to_string()),
            "colour"
        );
    }
}
