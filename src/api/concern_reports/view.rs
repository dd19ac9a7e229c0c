//! A concern report as each end sees it: the receiving unit in full, the
//! reporter its status, due times and feedback.

use actix_web::http::StatusCode;

use super::types::{Child, ConcernReport, Feedback, UrgencyAssessment};
use crate::api::audit::{Access, AuditContext};
use crate::api::idempotency::Rendered;
use crate::api::stored_uuid;
use crate::auth::policy::{concern_report_end, ConcernEnd, ConcernParties};
use crate::auth::Principal;
use crate::db::concern_reports::{self as store, ConcernRow};
use crate::db::sealed::DataKeys;
use crate::db::{self, from_json, DbConnection};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::concern::{is_overdue, ConcernStatus, FeedbackOutcome, Parent, Reporter};
use crate::error::ApiError;

/// The stored feedback: the outcome and when it was given.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct StoredFeedback {
    pub outcome: FeedbackOutcome,
    pub given_at: chrono::NaiveDateTime,
}

fn receiving_unit(row: &ConcernRow) -> Result<MunicipalUnit, ApiError> {
    MunicipalUnit::parse(&row.receiving_unit)
        .map_err(|_| ApiError::internal("a stored receiving unit is unknown"))
}

pub(super) fn end_of(
    principal: &Principal,
    row: &ConcernRow,
) -> Result<Option<ConcernEnd>, ApiError> {
    Ok(concern_report_end(
        principal,
        ConcernParties {
            area_id: &row.area_id,
            municipality_code: &row.municipality_code,
            receiving_unit: receiving_unit(row)?,
        },
    ))
}

fn feedback_of(row: &ConcernRow) -> Result<Option<Feedback>, ApiError> {
    row.feedback
        .as_deref()
        .map(|text| {
            from_json::<StoredFeedback>(text, "concern report feedback").map(|stored| Feedback {
                outcome: stored.outcome,
                given_at: stored.given_at.and_utc(),
            })
        })
        .transpose()
}

/// The report as `end` may see it. Only the receiver's view opens the sealed CPR number.
pub(super) fn report_out(
    row: ConcernRow,
    end: ConcernEnd,
    keys: &DataKeys,
) -> Result<ConcernReport, ApiError> {
    let status = if row.acknowledged_at.is_some() {
        ConcernStatus::Acknowledged
    } else {
        ConcernStatus::Received
    };
    let mut report = ConcernReport {
        id: stored_uuid(&row.id)?,
        family_id: None,
        status,
        received_at: row.received_at.and_utc(),
        acknowledge_due_at: row.acknowledge_due_at.and_utc(),
        urgency_assessment_due_at: row.urgency_assessment_due_at.and_utc(),
        acknowledged_at: row.acknowledged_at.map(|at| at.and_utc()),
        feedback: feedback_of(&row)?,
        area_id: None,
        municipality_code: None,
        receiving_unit: None,
        child: None,
        parents: None,
        observation: None,
        observed_on: None,
        child_statement: None,
        parents_informed: None,
        parents_not_informed_reason: None,
        reporter: None,
        urgent: None,
        reported_by: None,
        acknowledged_by: None,
        urgency_assessment: None,
        overdue: None,
    };
    if end == ConcernEnd::Reporter {
        report.family_id = row.family_id.as_deref().map(stored_uuid).transpose()?;
        return Ok(report);
    }
    let cpr = row
        .child_cpr_encrypted
        .as_deref()
        .map(|sealed| keys.open(sealed, &row.id).map_err(ApiError::internal))
        .transpose()?;
    let parents: Vec<Parent> = from_json(&row.parents, "concern report parents")?;
    let reporter: Reporter = from_json(&row.reporter, "concern report reporter")?;
    report.overdue = Some(is_overdue(
        db::now(),
        row.acknowledged_at.is_some(),
        row.acknowledge_due_at,
        row.urgency_assessed_at.is_some(),
        row.urgency_assessment_due_at,
    ));
    report.area_id = Some(stored_uuid(&row.area_id)?);
    report.receiving_unit = Some(receiving_unit(&row)?);
    report.urgency_assessment = match (row.urgency_assessed_at, row.assessed_urgent) {
        (Some(assessed_at), Some(urgent)) => Some(UrgencyAssessment {
            urgent: urgent != 0,
            note: row.urgency_note,
            assessed_at: assessed_at.and_utc(),
            assessed_by: row.urgency_assessed_by.unwrap_or_default(),
        }),
        _ => None,
    };
    report.child = Some(Child {
        name: row.child_name.unwrap_or_default(),
        cpr,
        birth_date: row.child_birth_date.unwrap_or(row.observed_on),
        address: row.child_address,
    });
    report.municipality_code = Some(row.municipality_code);
    report.parents = Some(parents);
    report.observation = Some(row.observation);
    report.observed_on = Some(row.observed_on);
    report.child_statement = row.child_statement;
    report.parents_informed = Some(row.parents_informed != 0);
    report.parents_not_informed_reason = row.parents_not_informed_reason;
    report.reporter = Some(reporter);
    report.urgent = Some(row.urgent != 0);
    report.reported_by = Some(row.reported_by);
    report.acknowledged_by = row.acknowledged_by;
    Ok(report)
}

/// The report and the caller's end of it; 404 when the caller holds neither end.
pub(super) fn report_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(ConcernRow, ConcernEnd), ApiError> {
    let row = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    let end = end_of(principal, &row)?.ok_or(ApiError::NotFound)?;
    Ok((row, end))
}

/// The report, if the caller is its receiving unit; 404 otherwise.
pub(super) fn received_report(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<ConcernRow, ApiError> {
    match report_in_scope(connection, principal, id)? {
        (row, ConcernEnd::Receiver) => Ok(row),
        (_, ConcernEnd::Reporter) => Err(ApiError::NotFound),
    }
}

pub(super) fn access_of(row: &ConcernRow) -> Access<'_> {
    Access::new("concern_report", &row.id, &row.area_id).of_family(row.family_id.as_deref())
}

/// Concern report `id` as a response to the caller's end (404 outside it), audited.
pub(super) fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    keys: &DataKeys,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let (row, end) = report_in_scope(connection, principal, id)?;
    audit.allowed(connection, access_of(&row))?;
    let location = format!("/api/v1/concern-reports/{}", row.id);
    Ok(Rendered::new(status, &report_out(row, end, keys)?)?.located_at(|| location))
}
