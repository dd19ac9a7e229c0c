//! Recording access to individual data, and `audit-events` for the data
//! protection officer. Allowed accesses are recorded by the handler in the
//! same transaction as the work (a read returns nothing unless its event was
//! stored); denied attempts (401, 403, 404) are recorded by [`record_denied`].

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{get, web, Error, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::pagination::{page_response, Page, PageRequest};
use super::problems::{
    BadRequest, Forbidden, InternalError, ServiceUnavailable, TooManyRequests, Unauthorized,
};
use crate::auth::principal::IndividualDataRoute;
use crate::auth::{op, Actor, Allowed, Principal};
use crate::db::audit::{self as store, AuditFilter, AuditRow};
use crate::db::{self, Database, DbConnection};
use crate::error::ApiError;
use crate::telemetry;

/// Who is acting, on which route, in which request.
#[derive(Debug, Clone)]
pub struct AuditContext {
    actor: String,
    role: String,
    organisation: Option<String>,
    action: String,
    request_id: Option<String>,
}

/// The caller's organisation, municipality and unit. A housing-social worker's
/// team is known from the family's area, so its (possibly long) list of areas
/// is not repeated in every event.
fn organisation_of(principal: &Principal) -> Option<String> {
    match &principal.actor {
        Actor::MunicipalCaseworker { municipality, unit } => {
            Some(format!("municipality:{municipality}/unit:{}", unit.code()))
        }
        Actor::Analyst { municipality } => municipality.map(|code| format!("municipality:{code}")),
        Actor::DataProtectionOfficer { org } => Some(format!("org:{org}")),
        Actor::HousingSocialWorker { .. } | Actor::Admin => None,
    }
}

fn action_of(req: &HttpRequest) -> String {
    format!(
        "{} {}",
        req.method(),
        req.match_pattern().unwrap_or_else(|| req.path().to_owned())
    )
}

impl AuditContext {
    pub fn new(principal: &Principal, req: &HttpRequest) -> Self {
        Self {
            actor: principal.subject.clone(),
            role: principal.role().code().to_owned(),
            organisation: organisation_of(principal),
            action: action_of(req),
            request_id: telemetry::current_request_id(),
        }
    }

    fn row(
        &self,
        resource_type: &str,
        resource_id: Option<&str>,
        family_id: Option<&str>,
        outcome: &str,
    ) -> AuditRow {
        AuditRow {
            id: Uuid::now_v7().to_string(),
            occurred_at: db::now(),
            actor: self.actor.clone(),
            role: self.role.clone(),
            organisation: self.organisation.clone(),
            action: self.action.clone(),
            resource_type: resource_type.to_owned(),
            resource_id: resource_id.map(str::to_owned),
            family_id: family_id.map(str::to_owned),
            outcome: outcome.to_owned(),
            request_id: self.request_id.clone(),
        }
    }

    /// Records an allowed access to individual data.
    pub fn allowed(
        &self,
        connection: &mut DbConnection,
        resource_type: &str,
        resource_id: Option<&str>,
        family_id: Option<&str>,
    ) -> Result<(), ApiError> {
        store::insert(
            connection,
            &self.row(resource_type, resource_id, family_id, "allowed"),
        )?;
        Ok(())
    }

    /// Records allowed access to several records at once, e.g. the families of a list.
    pub fn allowed_each<'a>(
        &self,
        connection: &mut DbConnection,
        resource_type: &str,
        records: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Result<(), ApiError> {
        let rows: Vec<AuditRow> = records
            .into_iter()
            .map(|(resource_id, family_id)| {
                self.row(resource_type, Some(resource_id), family_id, "allowed")
            })
            .collect();
        store::insert_all(connection, &rows)?;
        Ok(())
    }
}

/// The resource a route is about, named after its last fixed path segment.
fn resource_type_of(pattern: &str) -> &'static str {
    let segment = pattern
        .rsplit('/')
        .find(|segment| !segment.is_empty() && !segment.starts_with('{'))
        .unwrap_or_default();
    match segment {
        "contacts" => "contact",
        "consents" | "withdrawal" => "consent",
        "enrolments" | "composition" => "enrolment",
        "sessions" => "attendance",
        "referrals" | "transitions" | "events" => "referral",
        "concern-reports" | "acknowledgement" => "concern_report",
        _ => "family",
    }
}

/// Middleware: records every denied attempt (401, 403, 404) on an individual-data route.
pub async fn record_denied(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let response = next.call(req).await?;
    let status = response.status().as_u16();
    if !matches!(status, 401 | 403 | 404) {
        return Ok(response);
    }
    let Some(route) = response
        .request()
        .extensions()
        .get::<IndividualDataRoute>()
        .cloned()
    else {
        return Ok(response);
    };
    let request = response.request();
    let pattern = request.match_pattern().unwrap_or_default();
    let resource_id = request
        .match_info()
        .get("family_id")
        .or_else(|| request.match_info().get("id"))
        .map(str::to_owned);
    let family_id = pattern
        .starts_with("/api/v1/families/{id}")
        .then(|| resource_id.clone())
        .flatten();
    let context = match &route.principal {
        Some(principal) => AuditContext::new(principal, request),
        None => AuditContext {
            actor: "unauthenticated".into(),
            role: "none".into(),
            organisation: None,
            action: action_of(request),
            request_id: telemetry::current_request_id(),
        },
    };
    let row = context.row(
        resource_type_of(&pattern),
        resource_id.as_deref(),
        family_id.as_deref(),
        "denied",
    );
    if let Some(database) = request.app_data::<web::Data<Database>>() {
        let stored = database
            .run(move |connection| Ok(store::insert(connection, &row)?))
            .await;
        if let Err(error) = stored {
            log::error!("could not record a denied access in the audit trail: {error}");
        }
    }
    Ok(response)
}

/// One recorded access. Never the data itself, never the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// `sub` of the caller.
    pub actor: String,
    pub role: String,
    /// The caller's municipality and unit, or organisation (none for housing-social workers: the family's area tells their team).
    pub organisation: Option<String>,
    /// Method and route, e.g. `GET /api/v1/families/{id}`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub family_id: Option<String>,
    /// `allowed` or `denied`.
    pub outcome: String,
    pub request_id: Option<String>,
}

pub fn event_out(row: AuditRow) -> Result<AuditEvent, ApiError> {
    Ok(AuditEvent {
        id: Uuid::parse_str(&row.id)
            .map_err(|_| ApiError::internal("stored audit event has an invalid id"))?,
        occurred_at: row.occurred_at.and_utc(),
        actor: row.actor,
        role: row.role,
        organisation: row.organisation,
        action: row.action,
        resource_type: row.resource_type,
        resource_id: row.resource_id,
        family_id: row.family_id,
        outcome: row.outcome,
        request_id: row.request_id,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub family_id: Option<Uuid>,
    pub actor: Option<String>,
    /// `family`, `contact`, `consent`, `enrolment`, `attendance`, `referral` or `concern_report`.
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// From this time (inclusive, RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive, RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// The audit trail of individual data (data protection officers only).
#[utoipa::path(
    tag = "privacy",
    params(AuditQuery),
    responses(
        (status = 200, body = Page<AuditEvent>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    _: Allowed<op::ReadAuditTrail>,
    db: web::Data<Database>,
    query: web::Query<AuditQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = AuditFilter {
        family_id: query.family_id.map(|id| id.to_string()),
        actor: query.actor,
        resource_type: query.resource_type,
        resource_id: query.resource_id,
        from: query.from.map(|at| at.naive_utc()),
        to: query.to.map(|at| at.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let rows = db
        .run(move |connection| Ok(store::list(connection, &filter)?))
        .await?;
    let page = page.into_page(rows, |row| row.id.clone(), |row| row);
    let items = page
        .items
        .into_iter()
        .map(event_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_response(
        &req,
        Page {
            items,
            next_cursor: page.next_cursor,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::resource_type_of;

    #[test]
    fn routes_name_the_resource_they_concern() {
        assert_eq!(resource_type_of("/api/v1/families/{id}"), "family");
        assert_eq!(
            resource_type_of("/api/v1/families/{id}/contacts"),
            "contact"
        );
        assert_eq!(
            resource_type_of("/api/v1/consents/{id}/withdrawal"),
            "consent"
        );
        assert_eq!(
            resource_type_of("/api/v1/initiatives/{id}/enrolments/{family_id}"),
            "enrolment"
        );
        assert_eq!(
            resource_type_of("/api/v1/referrals/{id}/transitions"),
            "referral"
        );
        assert_eq!(
            resource_type_of("/api/v1/concern-reports"),
            "concern_report"
        );
    }
}
