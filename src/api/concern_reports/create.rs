//! `POST /concern-reports`: a housing-social worker reports a concern about a child.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use uuid::Uuid;

use super::types::{ConcernReport, NewConcernReport};
use super::view::render;
use crate::api::audit::AuditContext;
use crate::api::families::referenced_family;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::municipalities::view::settings_of;
use crate::api::responses::{ConflictFailure, CreateFailures};
use crate::auth::{op, Allowed};
use crate::db::concern_reports::{self as store, ConcernRow};
use crate::db::referrals::municipality_of_area;
use crate::db::sealed::DataKeys;
use crate::db::{self, to_json, Database, DbConnection};
use crate::domain::concern::{
    acknowledge_due_at, check_report, urgency_assessment_due_at, CheckedReport, Parent,
    ParentRelation, ReportFields,
};
use crate::error::ApiError;

/// Reports a concern about a child of a family in the reporter's area to the
/// unit its municipality receives concern reports in (`children_families`
/// unless the municipality's settings name another). No consent is needed.
/// The child's CPR number is stored encrypted and shown only to that unit.
#[utoipa::path(
    tag = "concern-reports",
    params(IdempotencyKeyHeader),
    request_body = NewConcernReport,
    responses(
        (status = 201, body = ConcernReport, headers(("Location" = String, description = "URL of the report"))),
        CreateFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn report_concern(
    caller: Allowed<op::ReportConcerns>,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    req: HttpRequest,
    body: json::Json<NewConcernReport>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let report = check_report(
        &ReportFields {
            child_name: &new.child.name,
            cpr: new.child.cpr.as_deref(),
            birth_date: new.child.birth_date,
            address: new.child.address.as_deref(),
            parents: &new.parents,
            observation: &new.observation,
            observed_on: new.observed_on,
            child_statement: new.child_statement.as_deref(),
            parents_informed: new.parents_informed,
            parents_not_informed_reason: new.parents_not_informed_reason.as_deref(),
            reporter: &new.reporter,
        },
        db::today(),
    )
    .map_err(ApiError::Validation)?;
    let reported = Reported {
        family_id: new.family_id.to_string(),
        urgent: new.urgent,
        report,
    };
    let reporter = principal.clone();
    let sealing_keys = keys.clone();
    let work = move |connection: &mut DbConnection| {
        let family = referenced_family(connection, &reporter, &reported.family_id)?;
        let municipality =
            municipality_of_area(connection, &family.area_id)?.ok_or(ApiError::NotFound)?;
        let (settings, _) = settings_of(connection, &municipality)?;
        let id = Uuid::now_v7().to_string();
        let received_at = db::now();
        let report = reported.report;
        let child_cpr_encrypted = report
            .cpr
            .as_deref()
            .map(|cpr| sealing_keys.seal(cpr, &id).map_err(ApiError::internal))
            .transpose()?;
        let parents = if report.parents.is_empty() {
            vec![Parent {
                name: family.display_name.clone(),
                relation: ParentRelation::Other,
            }]
        } else {
            report.parents
        };
        let row = ConcernRow {
            id,
            family_id: Some(family.id),
            area_id: family.area_id,
            municipality_code: municipality,
            child_birth_year: report.birth_date.year(),
            child_description: None,
            observation: report.observation,
            observed_on: report.observed_on,
            urgent: i32::from(reported.urgent),
            reported_by: reporter.subject.clone(),
            received_at,
            acknowledge_due_at: acknowledge_due_at(received_at),
            urgency_assessment_due_at: urgency_assessment_due_at(received_at),
            acknowledged_at: None,
            acknowledged_by: None,
            updated_at: received_at,
            child_name: Some(report.child_name),
            child_cpr_encrypted,
            child_birth_date: Some(report.birth_date),
            child_address: report.address.or(family.address),
            parents: to_json(&parents),
            child_statement: report.child_statement,
            parents_informed: i32::from(report.parents_informed),
            parents_not_informed_reason: report.parents_not_informed_reason,
            reporter: to_json(&report.reporter),
            receiving_unit: settings.concern_report_unit.code().to_owned(),
            urgency_assessed_at: None,
            urgency_assessed_by: None,
            assessed_urgent: None,
            urgency_note: None,
            feedback: None,
        };
        store::insert(connection, &row)?;
        Ok(Outcome::created(row.id))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(
                connection,
                &principal,
                &audit,
                &keys,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}

/// A checked report and what the reporter said about it beyond the child.
struct Reported {
    family_id: String,
    urgent: bool,
    report: CheckedReport,
}
