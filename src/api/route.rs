//! The route template a request matched (`/api/v1/families/{id}`), found once
//! per request: the rate limit, the audit trail, the metrics and the access log
//! all name the route.
//!
//! actix finds a template by trying every route's regular expression with
//! captures (7 % of an audited read). Paths differ mostly in the ids they carry,
//! so the template actix found is remembered by the path's shape: the path with
//! each UUID segment replaced by a placeholder. No route has a UUID as a literal
//! segment, so paths of one shape match the same route; the answer still always
//! comes from actix's own router, never from a second copy of the routes.

use std::sync::Arc;

use actix_web::{web, HttpMessage, HttpRequest};
use uuid::Uuid;

#[derive(Clone)]
struct MatchedRoute(Option<Arc<str>>);

/// Route templates by path shape, shared by the workers of one server.
pub struct RouteShapes(quick_cache::sync::Cache<String, Option<Arc<str>>>);

/// Shapes remembered: every route's shape fits many times over; paths that
/// carry other values than UUIDs (or nonsense) take turns in the rest.
const SHAPES_KEPT: usize = 2048;

impl Default for RouteShapes {
    fn default() -> Self {
        Self(quick_cache::sync::Cache::new(SHAPES_KEPT))
    }
}

/// The template of the route `req` matches; `None` when it matches none.
pub fn pattern(req: &HttpRequest) -> Option<Arc<str>> {
    if let Some(MatchedRoute(known)) = req.extensions().get::<MatchedRoute>() {
        return known.clone();
    }
    let matched = || req.match_pattern().map(Arc::<str>::from);
    let found = match req.app_data::<web::Data<RouteShapes>>() {
        Some(shapes) => {
            let shape = shape_of(req.path());
            shapes.0.get(&shape).unwrap_or_else(|| {
                let found = matched();
                shapes.0.insert(shape, found.clone());
                found
            })
        }
        None => matched(),
    };
    req.extensions_mut().insert(MatchedRoute(found.clone()));
    found
}

/// `path` with every segment that is a UUID replaced by `{}`.
fn shape_of(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            shape.push('/');
        }
        shape.push_str(if Uuid::try_parse(segment).is_ok() {
            "{}"
        } else {
            segment
        });
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_segments_share_a_shape_and_other_segments_keep_theirs() {
        assert_eq!(
            shape_of("/api/v1/families/0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b/consents"),
            "/api/v1/families/{}/consents"
        );
        assert_eq!(
            shape_of("/api/v1/families/0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"),
            shape_of("/api/v1/families/11111111-2222-4333-8444-555555555555")
        );
        assert_eq!(
            shape_of("/api/v1/families/export"),
            "/api/v1/families/export"
        );
        assert_eq!(shape_of("/api/v1/families/"), "/api/v1/families/");
        assert_eq!(shape_of("/livez"), "/livez");
    }

    async fn named_route(req: HttpRequest) -> String {
        pattern(&req).as_deref().unwrap_or("none").to_owned()
    }

    #[actix_web::test]
    async fn remembered_shapes_give_the_route_actix_matched() {
        use actix_web::{test, App};
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(RouteShapes::default()))
                .route("/families/export", web::get().to(named_route))
                .route("/families/{id}", web::get().to(named_route))
                .route(
                    "/families/{id}/consents/{consent}",
                    web::get().to(named_route),
                )
                .default_service(web::to(named_route)),
        )
        .await;
        let cases = [
            ("/families/0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b", "/families/{id}"),
            ("/families/11111111-2222-4333-8444-555555555555", "/families/{id}"),
            ("/families/export", "/families/export"),
            ("/families/not-a-uuid", "/families/{id}"),
            (
                "/families/0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b/consents/11111111-2222-4333-8444-555555555555",
                "/families/{id}/consents/{consent}",
            ),
            ("/elsewhere/0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b", "none"),
            ("/families/export", "/families/export"),
        ];
        for (path, expected) in cases {
            let request = test::TestRequest::get().uri(path).to_request();
            let body = test::call_and_read_body(&app, request).await;
            assert_eq!(body, expected.as_bytes(), "{path}");
        }
    }
}
