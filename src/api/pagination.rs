//! Cursor pagination: `?limit=&cursor=`, a body `{items, next_cursor}` and a
//! `Link: <…>; rel="next"` header.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A list with nothing in it.
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            next_cursor: None,
        }
    }
}

/// `?limit=&cursor=`, for lists without filters of their own.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        PageRequest::parse(self.limit, self.cursor.as_deref())
    }
}

/// A validated page request: how many items, after which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<String>,
}

impl PageRequest {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::parameter(
                "limit",
                format!("must be from 1 to {MAX_LIMIT}"),
            ));
        }
        let after = cursor
            .map(|cursor| {
                decode_cursor(cursor).ok_or_else(|| {
                    ApiError::parameter("cursor", "is not a cursor this service issued")
                })
            })
            .transpose()?;
        Ok(Self { limit, after })
    }

    /// The limit to query with: one more than asked, to learn whether a next page exists.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// The key to continue after, for lists ordered by a value and then an id
    /// (keys of the form `value|id`); a key of another form is not a cursor of
    /// this list (400).
    pub fn after_pair<T: std::str::FromStr>(&self) -> Result<Option<(T, String)>, ApiError> {
        let Some(after) = &self.after else {
            return Ok(None);
        };
        let not_ours = || ApiError::parameter("cursor", "is not a cursor of this list");
        let (value, id) = after.split_once('|').ok_or_else(not_ours)?;
        let value = value.parse().map_err(|_| not_ours())?;
        Ok(Some((value, id.to_owned())))
    }

    /// The rows the page shows, of those fetched (one more only tells that more exist).
    pub fn shown<'a, R>(&self, rows: &'a [R]) -> &'a [R] {
        &rows[..rows.len().min(self.limit as usize)]
    }

    /// Cuts the fetched rows to the page and derives the next cursor from the last key.
    pub fn into_page<R, T>(
        self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> String,
        item: impl Fn(R) -> T,
    ) -> Page<T> {
        let has_more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = has_more
            .then(|| rows.last().map(|row| encode_cursor(&key(row))))
            .flatten();
        Page {
            items: rows.into_iter().map(item).collect(),
            next_cursor,
        }
    }
}

impl PageRequest {
    /// Like [`PageRequest::into_page`], for items whose shaping can fail.
    pub fn try_into_page<R, T, E>(
        self,
        rows: Vec<R>,
        key: impl Fn(&R) -> String,
        item: impl Fn(R) -> Result<T, E>,
    ) -> Result<Page<T>, E> {
        let page = self.into_page(rows, key, item);
        Ok(Page {
            items: page.items.into_iter().collect::<Result<_, _>>()?,
            next_cursor: page.next_cursor,
        })
    }
}

const CURSOR_PREFIX: &str = "k1:";

fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{key}"))
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(CURSOR_PREFIX).map(str::to_owned)
}

/// A 200 response with the page as body and, when there is a next page, its `Link`.
pub fn page_response<T: Serialize>(req: &HttpRequest, page: Page<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &page.next_cursor {
        response.insert_header((header::LINK, next_link(req, cursor)));
    }
    response.json(page)
}

fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(name, _)| name != "cursor");
    pairs.push(("cursor".into(), cursor.into()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("<{}?{query}>; rel=\"next\"", req.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_one_to_two_hundred_are_rejected() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_LIMIT);
    }

    #[test]
    fn a_cursor_round_trips_and_foreign_cursors_are_rejected() {
        let cursor = encode_cursor("0190a1b2-key");
        let request = PageRequest::parse(Some(10), Some(&cursor)).unwrap();
        assert_eq!(request.after.as_deref(), Some("0190a1b2-key"));
        assert!(PageRequest::parse(None, Some("not-a-cursor!")).is_err());
        assert!(PageRequest::parse(None, Some(&URL_SAFE_NO_PAD.encode("x"))).is_err());
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let request = PageRequest::parse(Some(2), None).unwrap();
        let page = request
            .clone()
            .into_page(vec![1, 2, 3], |n| n.to_string(), |n| n);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            page.next_cursor
                .as_deref()
                .and_then(decode_cursor)
                .as_deref(),
            Some("2")
        );
        let last = request.into_page(vec![1, 2], |n| n.to_string(), |n| n);
        assert_eq!(last.next_cursor, None);
    }
}
