//! The route template a request matched (`/api/v1/families/{id}`), found once
//! per request: the rate limit, the audit trail, the metrics and the access log
//! all name the route, and each lookup walks every route's pattern.

use std::rc::Rc;

use actix_web::{HttpMessage, HttpRequest};

#[derive(Clone)]
struct MatchedRoute(Option<Rc<str>>);

/// The template of the route `req` matches; `None` when it matches none.
pub fn pattern(req: &HttpRequest) -> Option<Rc<str>> {
    if let Some(MatchedRoute(known)) = req.extensions().get::<MatchedRoute>() {
        return known.clone();
    }
    let found: Option<Rc<str>> = req.match_pattern().map(Rc::from);
    req.extensions_mut().insert(MatchedRoute(found.clone()));
    found
}
