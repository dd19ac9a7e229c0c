//! The receiving unit's handling of a concern report: acknowledging receipt
//! (due in 6 working days), assessing urgency (due in 24 hours) and telling a
//! professional reporter what the report led to. Each is recorded once: the
//! same again changes nothing (200), a different answer is 409.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{ConcernReport, NewFeedback, NewUrgencyAssessment};
use super::view::{received_report, render, StoredFeedback};
use crate::api::audit::AuditContext;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::{AddFailures, ConflictFailure, KeyReuseFailure, ReadFailures};
use crate::auth::{op, Allowed, Principal};
use crate::db::concern_reports::{self as store, ConcernRow};
use crate::db::sealed::DataKeys;
use crate::db::{self, from_json, to_json, Database, DbConnection};
use crate::domain::changes::ChangeType;
use crate::domain::concern::SHORT_MAX_CHARS;
use crate::domain::validation::optional_guarded_text;
use crate::error::ApiError;

/// What a handling step did to a report.
enum Step {
    /// Recorded now: the change it makes.
    Recorded(ChangeType),
    /// Recorded before, with the same answer.
    AlreadyRecorded,
}

/// Runs `step` on report `id` if the caller is its receiving unit, once per
/// Idempotency-Key, and answers with the report as the receiver sees it.
async fn handle(
    principal: Principal,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    req: HttpRequest,
    raw_body: &serde_json::Value,
    id: Uuid,
    step: impl FnOnce(&mut ConcernRow, &Principal) -> Result<Step, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, raw_body)?;
    let id = id.to_string();
    let receiver = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let mut row = received_report(connection, &receiver, &id)?;
        match step(&mut row, &receiver)? {
            Step::AlreadyRecorded => Ok(Outcome::ok(row.id)),
            Step::Recorded(change) => {
                row.updated_at = db::now();
                store::replace(connection, &row, change)?;
                Ok(Outcome::created(row.id))
            }
        }
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

/// Acknowledges receipt (the receiving unit). Acknowledging again changes nothing (200).
#[utoipa::path(
    tag = "concern-reports",
    params(("id" = Uuid, Path, description = "Concern report id"), IdempotencyKeyHeader),
    responses(
        (status = 200, body = ConcernReport, description = "It was acknowledged already"),
        (status = 201, body = ConcernReport, headers(("Location" = String, description = "URL of the report"))),
        ReadFailures, KeyReuseFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/acknowledgement")]
pub async fn acknowledge_concern_report(
    caller: Allowed<op::HandleConcernReports>,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let step = |row: &mut ConcernRow, receiver: &Principal| {
        if row.acknowledged_at.is_some() {
            return Ok(Step::AlreadyRecorded);
        }
        row.acknowledged_at = Some(db::now());
        row.acknowledged_by = Some(receiver.subject.clone());
        Ok(Step::Recorded(ChangeType::ConcernReportAcknowledged))
    };
    let body = serde_json::Value::Null;
    handle(
        caller.principal,
        db,
        keys,
        req,
        &body,
        id.into_inner(),
        step,
    )
    .await
}

/// Records the unit's assessment of urgency (due 24 hours after receipt).
#[utoipa::path(
    tag = "concern-reports",
    params(("id" = Uuid, Path, description = "Concern report id"), IdempotencyKeyHeader),
    request_body = NewUrgencyAssessment,
    responses(
        (status = 200, body = ConcernReport, description = "The same assessment was recorded already"),
        (status = 201, body = ConcernReport, headers(("Location" = String, description = "URL of the report"))),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/urgency-assessment")]
pub async fn assess_concern_report_urgency(
    caller: Allowed<op::HandleConcernReports>,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewUrgencyAssessment>,
) -> Result<HttpResponse, ApiError> {
    let raw = body.raw().clone();
    let assessment = body.into_inner();
    let note = assessment
        .note
        .as_deref()
        .map(|note| optional_guarded_text(note, SHORT_MAX_CHARS * 5))
        .transpose()
        .map_err(|message| ApiError::validation("note", message))?
        .filter(|note| !note.is_empty());
    let step = move |row: &mut ConcernRow, receiver: &Principal| {
        if let Some(urgent) = row.assessed_urgent {
            return if (urgent != 0) == assessment.urgent && row.urgency_note == note {
                Ok(Step::AlreadyRecorded)
            } else {
                Err(ApiError::Conflict(
                    "the urgency of this report has been assessed already".into(),
                ))
            };
        }
        row.assessed_urgent = Some(i32::from(assessment.urgent));
        row.urgency_note = note;
        row.urgency_assessed_at = Some(db::now());
        row.urgency_assessed_by = Some(receiver.subject.clone());
        Ok(Step::Recorded(ChangeType::ConcernReportUrgencyAssessed))
    };
    handle(caller.principal, db, keys, req, &raw, id.into_inner(), step).await
}

/// Tells the reporter (a professional, Barnets lov § 135) whether the report
/// led to a child welfare investigation or to support measures. The reporter
/// sees this and nothing of the case.
#[utoipa::path(
    tag = "concern-reports",
    params(("id" = Uuid, Path, description = "Concern report id"), IdempotencyKeyHeader),
    request_body = NewFeedback,
    responses(
        (status = 200, body = ConcernReport, description = "The same feedback was given already"),
        (status = 201, body = ConcernReport, headers(("Location" = String, description = "URL of the report"))),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/feedback")]
pub async fn give_concern_report_feedback(
    caller: Allowed<op::HandleConcernReports>,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewFeedback>,
) -> Result<HttpResponse, ApiError> {
    let raw = body.raw().clone();
    let outcome = body.into_inner().outcome;
    let step = move |row: &mut ConcernRow, _: &Principal| {
        if let Some(given) = row.feedback.as_deref() {
            let given: StoredFeedback = from_json(given, "concern report feedback")?;
            return if given.outcome == outcome {
                Ok(Step::AlreadyRecorded)
            } else {
                Err(ApiError::Conflict(
                    "feedback on this report has been given already".into(),
                ))
            };
        }
        if row.acknowledged_at.is_none() {
            return Err(ApiError::Conflict(
                "acknowledge the report before giving feedback".into(),
            ));
        }
        row.feedback = Some(to_json(&StoredFeedback {
            outcome,
            given_at: db::now(),
        }));
        Ok(Step::Recorded(ChangeType::ConcernReportFeedbackGiven))
    };
    handle(caller.principal, db, keys, req, &raw, id.into_inner(), step).await
}
