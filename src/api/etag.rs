//! Entity tags and `If-Match`: optimistic concurrency for updates.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::error::ApiError;

/// The strong entity tag of a resource at `version`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

fn malformed() -> ApiError {
    ApiError::parameter(
        "If-Match",
        "must be * or entity tags as the ETag header gives them, e.g. \"3\"",
    )
}

/// `"…"` or `W/"…"` without inner quotes (RFC 9110 entity-tag).
fn is_entity_tag(tag: &str) -> bool {
    let opaque = tag.strip_prefix("W/").unwrap_or(tag);
    opaque.len() >= 2
        && opaque.starts_with('"')
        && opaque.ends_with('"')
        && !opaque[1..opaque.len() - 1].contains('"')
}

/// What the client's `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No header: the update applies unconditionally.
    Absent,
    /// `*`: any current version.
    Any,
    /// One of these entity tags.
    Tags(Vec<String>),
}

impl IfMatch {
    pub fn from_request(req: &HttpRequest) -> Result<Self, ApiError> {
        let values: Vec<_> = req.headers().get_all(header::IF_MATCH).collect();
        if values.is_empty() {
            return Ok(Self::Absent);
        }
        let mut tags = Vec::new();
        for value in values {
            let text = value
                .to_str()
                .map_err(|_| ApiError::BadRequest("If-Match must be ASCII".into()))?;
            for tag in text.split(',').map(str::trim).filter(|tag| !tag.is_empty()) {
                if tag == "*" {
                    return Ok(Self::Any);
                }
                if !is_entity_tag(tag) {
                    return Err(malformed());
                }
                tags.push(tag.to_owned());
            }
        }
        if tags.is_empty() {
            return Err(malformed());
        }
        Ok(Self::Tags(tags))
    }

    /// 412 unless the resource's current version satisfies the condition.
    /// Weak tags never match: If-Match uses strong comparison (RFC 9110).
    pub fn check(&self, current_version: i32) -> Result<(), ApiError> {
        let satisfied = match self {
            Self::Absent | Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|tag| *tag == etag(current_version)),
        };
        if satisfied {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_strong_tag_satisfies_if_match() {
        let tags = IfMatch::Tags(vec!["\"2\"".into(), "\"3\"".into()]);
        assert!(tags.check(3).is_ok());
        assert!(tags.check(4).is_err());
        assert!(IfMatch::Tags(vec!["W/\"3\"".into()]).check(3).is_err());
        assert!(IfMatch::Any.check(9).is_ok());
        assert!(IfMatch::Absent.check(9).is_ok());
    }

    #[test]
    fn an_if_match_that_is_not_an_entity_tag_is_malformed() {
        let parsed = |value: &'static str| {
            let req = actix_web::test::TestRequest::default()
                .insert_header((header::IF_MATCH, value))
                .to_http_request();
            IfMatch::from_request(&req)
        };
        assert!(parsed("").is_err());
        assert!(parsed("3").is_err());
        assert_eq!(
            parsed("\"3\", W/\"4\"").unwrap(),
            IfMatch::Tags(vec!["\"3\"".into(), "W/\"4\"".into()])
        );
        assert_eq!(parsed("*").unwrap(), IfMatch::Any);
    }
}
