//! Entity tags and `If-Match`: optimistic concurrency for updates.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::error::ApiError;

/// The strong entity tag of a resource at `version`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
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
                tags.push(tag.to_owned());
            }
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
}
