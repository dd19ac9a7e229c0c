//! `concern-reports`: a housing-social worker's report of concern about a child
//! (underretning) to the municipality's children-and-families unit. No consent
//! is needed; it is one-way: the reporter later sees only the report's status.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit::AuditContext;
use super::families::referenced_family;
use super::idempotency::{fingerprint, key_of, run_once, StoredResponse};
use super::json;
use super::pagination::{page_response, Page, PageRequest};
use super::problems::{
    BadRequest, Conflict, Forbidden, InternalError, NotFound, PayloadTooLarge, ServiceUnavailable,
    TooManyRequests, Unauthorized, UnprocessableEntity, UnsupportedMediaType,
};
use super::stored_uuid;
use crate::auth::policy::{
    concern_report_view, reaches_families_of, receives_concern_reports_of, ConcernReportView,
};
use crate::auth::{op, Allowed, Principal};
use crate::db::referrals::{self as store, ConcernFilter, ConcernRow, ConcernScope};
use crate::db::{self, Database, DbConnection};
use crate::domain::referral::{
    acknowledge_due_at, child_birth_year, urgency_assessment_due_at, ConcernStatus,
};
use crate::domain::validation::{guarded_text, optional_guarded_text, Violations};
use crate::error::ApiError;
use crate::strict_json::object;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Child {
    pub birth_year: i64,
    /// E.g. "the eldest boy"; never a CPR number.
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConcernReport {
    /// A family of an area the reporter works in.
    pub family_id: Uuid,
    #[serde(deserialize_with = "object")]
    pub child: Child,
    /// What was observed.
    pub observation: String,
    pub observed_on: NaiveDate,
    /// The reporter considers the situation urgent.
    pub urgent: bool,
}

/// A concern report. The receiving unit sees all of it; the reporter sees only
/// `id`, `family_id`, `status`, `received_at`, `acknowledge_due_at` and `acknowledged_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernReport {
    pub id: Uuid,
    /// The family on the reporter's side (shown to the reporter only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_id: Option<Uuid>,
    pub status: ConcernStatus,
    pub received_at: DateTime<Utc>,
    /// End of the 6th working day after receipt (Danish holidays excluded).
    pub acknowledge_due_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<Child>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
    /// 24 hours after receipt: when urgency must have been assessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency_assessment_due_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// Not acknowledged by its due time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConcernListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only reports not acknowledged by their due time.
    pub overdue: Option<bool>,
    pub status: Option<ConcernStatus>,
    /// Only reports changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

/// Which end of a report the caller holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Reporter,
    Receiver,
}

fn end_of(principal: &Principal, row: &ConcernRow) -> Option<End> {
    if receives_concern_reports_of(principal, &row.municipality_code) {
        Some(End::Receiver)
    } else if reaches_families_of(principal, &row.area_id) {
        Some(End::Reporter)
    } else {
        None
    }
}

fn report_out(row: ConcernRow, end: End) -> Result<ConcernReport, ApiError> {
    let status = if row.acknowledged_at.is_some() {
        ConcernStatus::Acknowledged
    } else {
        ConcernStatus::Received
    };
    let receiver = end == End::Receiver;
    let overdue = row.acknowledged_at.is_none() && row.acknowledge_due_at < db::now();
    Ok(ConcernReport {
        id: stored_uuid(&row.id)?,
        family_id: if receiver {
            None
        } else {
            row.family_id.as_deref().map(stored_uuid).transpose()?
        },
        status,
        received_at: row.received_at.and_utc(),
        acknowledge_due_at: row.acknowledge_due_at.and_utc(),
        acknowledged_at: row.acknowledged_at.map(|at| at.and_utc()),
        area_id: if receiver {
            Some(stored_uuid(&row.area_id)?)
        } else {
            None
        },
        municipality_code: receiver.then(|| row.municipality_code.clone()),
        child: receiver.then(|| Child {
            birth_year: i64::from(row.child_birth_year),
            description: row.child_description.clone(),
        }),
        observation: receiver.then(|| row.observation.clone()),
        observed_on: receiver.then_some(row.observed_on),
        urgent: receiver.then_some(row.urgent != 0),
        reported_by: receiver.then(|| row.reported_by.clone()),
        urgency_assessment_due_at: receiver.then(|| row.urgency_assessment_due_at.and_utc()),
        acknowledged_by: if receiver {
            row.acknowledged_by.clone()
        } else {
            None
        },
        overdue: receiver.then_some(overdue),
    })
}

fn stored(status: StatusCode, report: &ConcernReport) -> Result<StoredResponse, ApiError> {
    Ok(StoredResponse {
        status,
        body: serde_json::to_value(report).map_err(ApiError::internal)?,
        location: Some(format!("/api/v1/concern-reports/{}", report.id)),
        etag: None,
    })
}

fn report_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(ConcernRow, End), ApiError> {
    let row = store::find_concern(connection, id)?.ok_or(ApiError::NotFound)?;
    let end = end_of(principal, &row).ok_or(ApiError::NotFound)?;
    Ok((row, end))
}

/// Reports a concern about a child of a family in the reporter's area to the
/// municipality's children-and-families unit.
#[utoipa::path(
    tag = "concern-reports",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first response")),
    request_body = NewConcernReport,
    responses(
        (status = 201, body = ConcernReport, headers(("Location" = String, description = "URL of the report"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/concern-reports")]
pub async fn report_concern(
    caller: Allowed<op::ReportConcerns>,
    db: web::Data<Database>,
    req: HttpRequest,
    body: json::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let raw = body.into_inner();
    let key = key_of(&req)?;
    let request_hash = fingerprint(&req, &raw);
    let new: NewConcernReport = serde_json::from_value(raw)
        .map_err(|error| ApiError::BadRequest(format!("invalid JSON body: {error}")))?;
    let today = db::today();
    let mut violations = Violations::new();
    let birth_year = violations.check(
        "child.birth_year",
        child_birth_year(new.child.birth_year, today),
    );
    let description = new
        .child
        .description
        .as_deref()
        .and_then(|text| violations.check("child.description", optional_guarded_text(text, 200)))
        .filter(|text| !text.is_empty());
    let observation = violations.check("observation", guarded_text(&new.observation, 4000));
    if new.observed_on > today {
        violations.add("observed_on", "must not be in the future");
    }
    let errors = violations.into_errors();
    let (Some(birth_year), Some(observation), true) = (birth_year, observation, errors.is_empty())
    else {
        return Err(ApiError::Validation(errors));
    };
    let family_id = new.family_id.to_string();
    run_once(
        db.get_ref(),
        principal.subject.clone(),
        key,
        request_hash,
        move |connection| {
            let family = referenced_family(connection, &principal, &family_id)?;
            let municipality = store::municipality_of_area(connection, &family.area_id)?
                .ok_or(ApiError::NotFound)?;
            let received_at = db::now();
            let row = ConcernRow {
                id: Uuid::now_v7().to_string(),
                family_id: Some(family.id),
                area_id: family.area_id,
                municipality_code: municipality,
                child_birth_year: birth_year,
                child_description: description,
                observation,
                observed_on: new.observed_on,
                urgent: i32::from(new.urgent),
                reported_by: principal.subject.clone(),
                received_at,
                acknowledge_due_at: acknowledge_due_at(received_at),
                urgency_assessment_due_at: urgency_assessment_due_at(received_at),
                acknowledged_at: None,
                acknowledged_by: None,
                updated_at: received_at,
            };
            store::insert_concern(connection, &row)?;
            audit.allowed(
                connection,
                "concern_report",
                Some(&row.id),
                row.family_id.as_deref(),
            )?;
            stored(StatusCode::CREATED, &report_out(row, End::Reporter)?)
        },
    )
    .await
}

/// Concern reports: the children-and-families unit sees its municipality's in
/// full; a reporter sees the status of its areas' reports.
#[utoipa::path(
    tag = "concern-reports",
    params(ConcernListQuery),
    responses(
        (status = 200, body = Page<ConcernReport>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/concern-reports")]
pub async fn list_concern_reports(
    caller: Allowed<op::ReadConcernReports>,
    db: web::Data<Database>,
    query: web::Query<ConcernListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let shown = page.limit as usize;
    let (scope, end) = match concern_report_view(&principal) {
        ConcernReportView::Receiver(municipality) => (
            ConcernScope::Municipality(municipality.as_str().to_owned()),
            End::Receiver,
        ),
        ConcernReportView::Reporter(areas) => (ConcernScope::Areas(areas), End::Reporter),
        ConcernReportView::Nothing => (ConcernScope::Areas(Vec::new()), End::Receiver),
    };
    let filter = ConcernFilter {
        scope,
        overdue_at: query.overdue.filter(|overdue| *overdue).map(|_| db::now()),
        acknowledged: query
            .status
            .map(|status| status == ConcernStatus::Acknowledged),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let rows = db
        .run(move |connection| {
            let rows = store::list_concerns(connection, &filter)?;
            for row in rows.iter().take(shown) {
                audit.allowed(
                    connection,
                    "concern_report",
                    Some(&row.id),
                    row.family_id.as_deref(),
                )?;
            }
            Ok(rows)
        })
        .await?;
    let page = page.into_page(rows, |row| row.id.clone(), |row| row);
    let items = page
        .items
        .into_iter()
        .map(|row| report_out(row, end))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_response(
        &req,
        Page {
            items,
            next_cursor: page.next_cursor,
        },
    ))
}

/// One concern report, as the caller's end may see it.
#[utoipa::path(
    tag = "concern-reports",
    params(("id" = Uuid, Path, description = "Concern report id")),
    responses(
        (status = 200, body = ConcernReport),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/concern-reports/{id}")]
pub async fn get_concern_report(
    caller: Allowed<op::ReadConcernReports>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let (row, end) = db
        .run(move |connection| {
            let (row, end) = report_in_scope(connection, &principal, &id)?;
            audit.allowed(
                connection,
                "concern_report",
                Some(&id),
                row.family_id.as_deref(),
            )?;
            Ok((row, end))
        })
        .await?;
    Ok(HttpResponse::Ok().json(report_out(row, end)?))
}

/// Acknowledges receipt (the receiving unit). Acknowledging again changes nothing (200).
#[utoipa::path(
    tag = "concern-reports",
    params(("id" = Uuid, Path, description = "Concern report id")),
    responses(
        (status = 200, body = ConcernReport, description = "It was acknowledged already"),
        (status = 201, body = ConcernReport, headers(("Location" = String, description = "URL of the report"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/concern-reports/{id}/acknowledgement")]
pub async fn acknowledge_concern_report(
    caller: Allowed<op::AcknowledgeConcernReports>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let (row, first) = db
        .run(move |connection| {
            let (mut row, end) = report_in_scope(connection, &principal, &id)?;
            if end != End::Receiver {
                return Err(ApiError::NotFound);
            }
            audit.allowed(
                connection,
                "concern_report",
                Some(&id),
                row.family_id.as_deref(),
            )?;
            if row.acknowledged_at.is_some() {
                return Ok((row, false));
            }
            let now = db::now();
            row.acknowledged_at = Some(now);
            row.acknowledged_by = Some(principal.subject.clone());
            row.updated_at = now;
            store::replace_concern(connection, &row)?;
            Ok((row, true))
        })
        .await?;
    let report = report_out(row, End::Receiver)?;
    let mut response = HttpResponse::build(if first {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    });
    if first {
        response.insert_header((
            header::LOCATION,
            format!("/api/v1/concern-reports/{}", report.id),
        ));
    }
    Ok(response.json(report))
}
