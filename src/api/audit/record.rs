//! Recording allowed access (by handlers: in their transaction, or committed
//! with other reads' events before the response leaves) and denied attempts
//! (by a middleware).
//!
//! The trail holds only what the service itself vouches for: ids are stored
//! only when they are well-formed UUIDs, request ids only after validation,
//! and denied attempts once per caller, route and minute (the rest counted),
//! so a flood of attempts cannot grow the trail without bound.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpRequest};
use chrono::{NaiveDateTime, Timelike};
use uuid::Uuid;

use crate::api::route;
use crate::auth::IndividualDataRoute;
use crate::auth::{Actor, Principal};
use crate::db::audit::{self as store, AuditRow};
use crate::db::{self, group_commit, Database, DbConnection};
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

/// What an access concerned: the record, its family and its area (the area
/// decides which data protection officer sees the event).
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub resource_type: &'a str,
    pub resource_id: Option<&'a str>,
    pub family_id: Option<&'a str>,
    pub area_id: Option<&'a str>,
}

impl<'a> Access<'a> {
    pub fn new(resource_type: &'a str, resource_id: &'a str, area_id: &'a str) -> Self {
        Self {
            resource_type,
            resource_id: Some(resource_id),
            family_id: None,
            area_id: Some(area_id),
        }
    }

    pub fn of_family(self, family_id: Option<&'a str>) -> Self {
        Self { family_id, ..self }
    }
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
        route::pattern(req).as_deref().unwrap_or("(unknown route)")
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

    fn unauthenticated(req: &HttpRequest) -> Self {
        Self {
            actor: "unauthenticated".into(),
            role: "none".into(),
            organisation: None,
            action: action_of(req),
            request_id: telemetry::current_request_id(),
        }
    }

    fn row(&self, access: Access<'_>, outcome: &str, at: NaiveDateTime) -> AuditRow {
        AuditRow {
            id: Uuid::now_v7().to_string(),
            occurred_at: at,
            actor: self.actor.clone(),
            role: self.role.clone(),
            organisation: self.organisation.clone(),
            action: self.action.clone(),
            resource_type: access.resource_type.to_owned(),
            resource_id: access.resource_id.map(str::to_owned),
            family_id: access.family_id.map(str::to_owned),
            outcome: outcome.to_owned(),
            request_id: self.request_id.clone(),
            area_id: access.area_id.map(str::to_owned),
        }
    }

    /// Records an allowed access to individual data.
    pub fn allowed(
        &self,
        connection: &mut DbConnection,
        access: Access<'_>,
    ) -> Result<(), ApiError> {
        group_commit::append(connection, vec![self.row(access, "allowed", db::now())])
    }

    /// Records allowed access to one record read outside a transaction, and
    /// waits until it is committed.
    pub async fn allowed_committed(
        &self,
        db: &Database,
        access: Access<'_>,
    ) -> Result<(), ApiError> {
        db.append_audit(vec![self.row(access, "allowed", db::now())])
            .await
    }

    /// Records allowed access to several records at once, e.g. the families of a list.
    pub fn allowed_each<'a>(
        &self,
        connection: &mut DbConnection,
        accesses: impl IntoIterator<Item = Access<'a>>,
    ) -> Result<(), ApiError> {
        let now = db::now();
        let rows: Vec<AuditRow> = accesses
            .into_iter()
            .map(|access| self.row(access, "allowed", now))
            .collect();
        group_commit::append(connection, rows)
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
        "concern-reports" | "acknowledgement" | "urgency-assessment" | "feedback" => {
            "concern_report"
        }
        _ => "family",
    }
}

/// A path parameter that is a well-formed id; anything else is not stored.
fn well_formed_id(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .match_info()
        .get(name)
        .and_then(|value| Uuid::parse_str(value).ok())
        .map(|id| id.to_string())
}

/// Middleware: records denied attempts on individual-data routes: 401, 403 and
/// 404, and 400 when the caller could not be authenticated or its path or query
/// could not be stored.
pub async fn record_denied(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let response = next.call(req).await?;
    let status = response.status().as_u16();
    let Some(route) = response
        .request()
        .extensions()
        .get::<IndividualDataRoute>()
        .cloned()
    else {
        return Ok(response);
    };
    let denied = matches!(status, 401 | 403 | 404)
        || (status == 400 && (route.principal.is_none() || route.refused));
    if !denied {
        return Ok(response);
    }
    let request = response.request();
    let pattern = route::pattern(request).unwrap_or_default();
    let resource_type = resource_type_of(&pattern);
    let family_route = pattern.starts_with("/api/v1/families/{id}");
    let resource_id =
        well_formed_id(request, "family_id").or_else(|| well_formed_id(request, "id"));
    let context = match &route.principal {
        Some(principal) => AuditContext::new(principal, request),
        None => AuditContext::unauthenticated(request),
    };
    if let Some(database) = request.app_data::<web::Data<Database>>() {
        let stored = database
            .run(move |connection| {
                let now = db::now();
                let minute = now
                    .with_second(0)
                    .and_then(|at| at.with_nanosecond(0))
                    .unwrap_or(now);
                let area = match &resource_id {
                    Some(id) => store::area_of(connection, resource_type, family_route, id)?,
                    None => None,
                };
                let access = Access {
                    resource_type,
                    resource_id: resource_id.as_deref(),
                    family_id: resource_id.as_deref().filter(|_| family_route),
                    area_id: area.as_deref(),
                };
                let row = context.row(access, "denied", now);
                db::write_transaction(connection, |connection| {
                    Ok(store::record_denied(connection, &row, minute)?)
                })
            })
            .await;
        if let Err(error) = stored {
            log::error!("could not record a denied access in the audit trail: {error}");
        }
    }
    Ok(response)
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
        assert_eq!(
            resource_type_of("/api/v1/concern-reports/{id}/urgency-assessment"),
            "concern_report"
        );
    }
}
