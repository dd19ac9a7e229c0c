//! The HTTP interface: handlers, request and response types, and the OpenAPI
//! document generated from them.

pub mod agreements;
pub mod areas;
pub mod assessments;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod changes;
pub mod concern_reports;
pub mod etag;
pub mod families;
pub mod health;
pub mod idempotency;
pub mod initiatives;
pub mod json;
pub mod language;
pub mod municipalities;
pub mod negotiation;
pub mod pagination;
pub mod partners;
pub mod problems;
pub mod prospects;
pub mod query;
pub mod rate_limit;
pub mod referrals;
pub mod reports;
pub mod responses;
pub mod route;
pub mod spec;
pub mod statistics;
pub mod timestamp;
pub mod webhooks;

use serde::{Deserialize, Deserializer};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::domain::validation::FieldError;
use crate::error::Problem;

pub const API_PREFIX: &str = "/api/v1";
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "familiebro",
        description = "Housing-social teams and municipal staff working together on vulnerable families in disadvantaged housing areas, with individual data kept on the side of the line where the law puts it.\n\nEvery error is an RFC 9457 problem document (`application/problem+json`). Lists use cursor pagination (`limit`, `cursor`, `next_cursor`, `Link: rel=\"next\"`). Single resources carry an `ETag`; send it as `If-Match` on `PATCH` (412 when stale). Problem titles and fixed details are Danish unless `Accept-Language` asks for English (`Content-Language` says which); catalogue labels come in both languages as `{da, en}`.",
    ),
    modifiers(&BearerSecurity),
    components(
        schemas(Problem, FieldError, referrals::types::NewReferralToMunicipality, referrals::types::NewReferralToInitiative),
        responses(
            responses::BadRequest,
            responses::Unauthorized,
            responses::Forbidden,
            responses::NotFound,
            responses::Conflict,
            responses::PreconditionFailed,
            responses::Gone,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::UnprocessableEntity,
            responses::TooManyRequests,
            responses::InternalError,
            responses::ServiceUnavailable,
        )
    ),
    tags(
        (name = "catalog", description = "The handbook's vocabulary"),
        (name = "areas", description = "Disadvantaged housing areas (aggregate data)"),
        (name = "assessments", description = "Joint, aggregate needs assessments and the initiatives the handbook recommends for them"),
        (name = "initiatives", description = "Initiatives answering the assessed needs: the plan is aggregate data; enrolments, attendance identities and composition are individual data"),
        (name = "families", description = "Individual data held by the housing-social side: families, contact log, consents (housing-social workers of the family's area only)"),
        (name = "prospects", description = "Reaching families: families the team wants to reach, the kind of source that pointed them out, the steps of contact, and the funnel"),
        (name = "agreements", description = "Cooperation agreements between an area's housing-social effort and the municipality: niche, roles, contacts, co-located services; signed by both sides"),
        (name = "referrals", description = "Referrals across the line: consent-gated, limited to the consented data, with a closed loop of status changes"),
        (name = "concern-reports", description = "Concern reports about children (underretninger): one-way, no consent needed, with statutory deadlines"),
        (name = "privacy", description = "Audit trail, subject access and erasure"),
        (name = "municipalities", description = "Each municipality's choices: the unit receiving concern reports, the units signing joint work"),
        (name = "changes", description = "The exact change feed: what changed that the caller may see, by cursor, never missed and never twice"),
        (name = "webhooks", description = "Signed webhooks (Standard Webhooks) for the changes an area team or a municipal unit may see"),
        (name = "operations", description = "Probes for orchestrators"),
    )
)]
struct ApiDoc;

/// Adds the bearer scheme the operations refer to.
struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description = Some(
            "A JWT from the municipality's identity provider (or `familiebro token` in development), with the claims `iss`, `aud`, `exp`, `sub`, `role` and the role's scope claims.".to_owned(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
        let mut metrics = Http::new(HttpAuthScheme::Bearer);
        metrics.description =
            Some("The metrics token configured with FAMILIEBRO_METRICS_TOKEN.".to_owned());
        components.add_security_scheme("metrics_token", SecurityScheme::Http(metrics));
    }
}

/// For optional fields of a change request: tells a field sent as `null`
/// (`Some(None)`, clear it) from an absent one (`None`, keep it).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// An id read back from the database; one that is not a UUID means the stored
/// data is corrupt, an internal error.
fn stored_uuid(id: &str) -> Result<uuid::Uuid, crate::error::ApiError> {
    uuid::Uuid::parse_str(id)
        .map_err(|_| crate::error::ApiError::internal(format!("stored id '{id}' is not a UUID")))
}

/// Registers every documented route; the OpenAPI document is collected from
/// these. Routes are grouped in a scope per first path segment (handlers' paths
/// are relative to it): actix tries routes one by one, a regular expression
/// each, so without the groups a route registered late paid for every route
/// before it (a sixth of the work of `GET /families/{id}`,
/// bench/PROFILE-ROUNDS.md). The API comes first for the same reason: its scope
/// is a plain prefix, the calendar feed's path a regular expression.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(
            scope::scope(API_PREFIX)
                .service(scope::scope("/catalog").configure(catalog::routes))
                .service(
                    scope::scope("/areas")
                        .configure(areas::routes)
                        .configure(statistics::routes)
                        .configure(reports::routes)
                        .configure(calendar::area_routes)
                        .configure(partners::area_routes)
                        .configure(prospects::area_routes)
                        .configure(agreements::area_routes)
                        .configure(assessments::area_routes),
                )
                .service(scope::scope("/calendar-links").configure(calendar::routes))
                .service(scope::scope("/partners").configure(partners::routes))
                .service(scope::scope("/prospects").configure(prospects::routes))
                .service(scope::scope("/cooperation-agreements").configure(agreements::routes))
                .service(scope::scope("/assessments").configure(assessments::routes))
                .service(scope::scope("/families").configure(families::routes))
                .service(scope::scope("/consents").configure(families::consent_routes))
                .service(
                    scope::scope("/initiatives")
                        .configure(initiatives::routes)
                        .configure(calendar::initiative_routes),
                )
                .service(scope::scope("/referrals").configure(referrals::routes))
                .service(scope::scope("/concern-reports").configure(concern_reports::routes))
                .service(scope::scope("/audit-events").configure(audit::routes))
                .service(scope::scope("/municipalities").configure(municipalities::routes))
                .service(scope::scope("/changes").configure(changes::routes))
                .service(scope::scope("/webhook-subscriptions").configure(webhooks::routes)),
        )
        .service(health::livez)
        .service(health::readyz)
        .service(health::metrics)
        .service(calendar::subscribed_calendar);
}

/// The OpenAPI document as served at [`OPENAPI_PATH`]: written once, shared
/// by every worker (the document itself is several megabytes in memory).
#[derive(Clone)]
pub struct ServedOpenApi(actix_web::web::Bytes);

impl ServedOpenApi {
    pub fn new(api: &utoipa::openapi::OpenApi) -> Result<Self, serde_json::Error> {
        Ok(Self(serde_json::to_vec(api)?.into()))
    }
}

pub async fn serve_openapi(
    document: actix_web::web::Data<ServedOpenApi>,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(document.0.clone())
}

/// The OpenAPI document the service serves at [`OPENAPI_PATH`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    let mut api = api;
    spec::finish(&mut api);
    api
}
