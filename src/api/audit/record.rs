//! Recording allowed access (by handlers, in their transaction) and denied attempts (by a middleware).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpRequest};
use uuid::Uuid;

use crate::auth::IndividualDataRoute;
use crate::auth::{Actor, Principal};
use crate::db::audit::{self as store, AuditRow};
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
pub(super) fn organisation_of(principal: &Principal) -> Option<String> {
    match &principal.actor {
        Actor::MunicipalCaseworker { municipality, unit } => {
            Some(format!("municipality:{municipality}/unit:{}", unit.code()))
        }
        Actor::Analyst { municipality } => municipality.map(|code| format!("municipality:{code}")),
        Actor::DataProtectionOfficer { org } => Some(format!("org:{org}")),
        Actor::HousingSocialWorker { .. } | Actor::Admin => None,
    }
}

pub(super) fn action_of(req: &HttpRequest) -> String {
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

    pub(super) fn row(
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
pub(super) fn resource_type_of(pattern: &str) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::resource_type_of;

    #[test]
    pub(super) fn routes_name_the_resource_they_concern() {
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
