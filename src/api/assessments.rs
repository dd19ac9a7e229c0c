//! Needs assessments: `areas/{id}/assessments`, `assessments/{id}`, its findings,
//! approvals and recommendations. Aggregate data, co-owned by both sides.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::catalog::Labels;
use super::etag::{etag, IfMatch};
use super::json;
use super::pagination::{page_response, Page, PageRequest};
use super::present;
use super::problems::{
    BadRequest, Conflict, Forbidden, InternalError, NotFound, PayloadTooLarge, PreconditionFailed,
    ServiceUnavailable, TooManyRequests, Unauthorized, UnprocessableEntity, UnsupportedMediaType,
};
use super::stored_uuid;
use crate::auth::policy::{reaches_area_work, sees_assessment, side_of};
use crate::auth::{op, Allowed, Principal};
use crate::db::areas::{self as area_store, AreaRow};
use crate::db::assessments::{
    self as store, ApprovalRow, AssessmentFilter, AssessmentRow, FindingRow, StoredAssessment,
};
use crate::db::{self, Database, DbConnection};
use crate::domain::assessment::{
    check_finding_count, ensure_editable, ensure_settable, finish, optional_text,
    status_after_approval, AssessmentStatus, Finding, FindingFields, Period, Side, StateConflict,
    TargetGroup,
};
use crate::domain::catalog::{InitiativeType, ProblemArea};
use crate::domain::recommendations::recommend;
use crate::domain::validation::{FieldError, Violations};
use crate::error::ApiError;
use crate::strict_json::{object, objects, optional_object, optional_objects};

/// The period an assessment describes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentPeriod {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A finding as sent by a client.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// In a `PATCH`: the id of an existing finding to keep (it keeps the side that
    /// contributed it). Omit for a new finding.
    #[serde(default)]
    pub id: Option<Uuid>,
    pub problem_area: ProblemArea,
    /// Estimated number of households affected (give this and/or `share`).
    #[serde(default)]
    pub households: Option<i64>,
    /// Estimated share of the target group affected, 0–1.
    #[serde(default)]
    pub share: Option<f64>,
    /// 1 (minor) to 5 (very severe).
    #[schema(minimum = 1, maximum = 5)]
    pub severity: i64,
    /// Sources: "socialforvaltningen", "school", "own contacts", …
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentFinding {
    pub id: Uuid,
    pub problem_area: ProblemArea,
    pub households: Option<i32>,
    pub share: Option<f64>,
    pub severity: i32,
    pub evidence: Vec<String>,
    /// The side that contributed the finding, from its author's role.
    pub contributed_by: Side,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Approval {
    pub side: Side,
    /// `sub` of the approving staff member.
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
}

/// A needs assessment: the joint, aggregate analysis of an area's vulnerable families.
#[derive(Debug, Serialize, ToSchema)]
pub struct Assessment {
    pub id: Uuid,
    pub area_id: Uuid,
    pub status: AssessmentStatus,
    pub period: AssessmentPeriod,
    pub summary: Option<String>,
    pub target_group: TargetGroup,
    pub findings: Vec<AssessmentFinding>,
    /// At most one per side; both sides' approvals make it `agreed`.
    pub approvals: Vec<Approval>,
    /// The agreed assessment this one revises.
    pub supersedes: Option<Uuid>,
    /// The live revision of this assessment, if one was started.
    pub superseded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new assessment; it starts as a `draft`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    #[serde(deserialize_with = "object")]
    pub period: AssessmentPeriod,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "optional_object")]
    pub target_group: Option<TargetGroup>,
    /// Findings contributed by the creator's side (no `id`).
    #[serde(default, deserialize_with = "objects")]
    pub findings: Vec<FindingInput>,
    /// An agreed assessment of the same area that this one revises.
    #[serde(default)]
    pub supersedes: Option<Uuid>,
}

/// Changes to an assessment. Content (period, summary, target group, findings)
/// changes only while `draft` or `in_review`, and withdraws approvals given so far.
/// `findings` replaces the list: keep a finding by sending its `id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentChanges {
    #[serde(default, deserialize_with = "optional_object")]
    pub period: Option<AssessmentPeriod>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "optional_object")]
    pub target_group: Option<TargetGroup>,
    #[serde(default, deserialize_with = "optional_objects")]
    pub findings: Option<Vec<FindingInput>>,
    /// `in_review`, back to `draft`, or `withdrawn`; `agreed` comes only from approvals.
    pub status: Option<AssessmentStatus>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssessmentListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub status: Option<AssessmentStatus>,
    /// Only assessments changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnsweredFinding {
    pub finding_id: Uuid,
    pub problem_area: ProblemArea,
    pub severity: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DesignCondition {
    /// Stable code of the condition, e.g. `network_plan`.
    pub code: &'static str,
    pub text: Labels,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recommendation {
    /// 1 is the strongest recommendation.
    pub rank: u32,
    pub initiative_type: InitiativeType,
    pub label: Labels,
    /// True when it answers two or more problem areas that are all high (severity ≥ 4).
    pub combined: bool,
    pub answers: Vec<AnsweredFinding>,
    /// Why the handbook recommends it.
    pub rationale: Labels,
    /// Design conditions the handbook attaches.
    pub conditions: Vec<DesignCondition>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recommendations {
    pub assessment_id: Uuid,
    pub items: Vec<Recommendation>,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored assessment has an invalid {what}"))
}

fn status_of(row: &AssessmentRow) -> Result<AssessmentStatus, ApiError> {
    AssessmentStatus::parse(&row.status).ok_or_else(|| corrupt("status"))
}

fn conflict(error: StateConflict) -> ApiError {
    ApiError::Conflict(error.to_string())
}

fn domain_finding(row: &FindingRow) -> Result<Finding, ApiError> {
    Ok(Finding {
        problem_area: ProblemArea::parse(&row.problem_area)
            .ok_or_else(|| corrupt("problem area"))?,
        households: row.households,
        share: row.share,
        severity: row.severity,
        evidence: serde_json::from_str(&row.evidence).map_err(|_| corrupt("evidence"))?,
        notes: row.notes.clone(),
    })
}

fn finding_out(row: FindingRow) -> Result<AssessmentFinding, ApiError> {
    let finding = domain_finding(&row)?;
    Ok(AssessmentFinding {
        id: stored_uuid(&row.id)?,
        problem_area: finding.problem_area,
        households: finding.households,
        share: finding.share,
        severity: finding.severity,
        evidence: finding.evidence,
        contributed_by: Side::parse(&row.contributed_by).ok_or_else(|| corrupt("side"))?,
        notes: finding.notes,
        created_at: row.created_at.and_utc(),
    })
}

fn assessment_out(stored: StoredAssessment) -> Result<Assessment, ApiError> {
    let row = stored.row;
    Ok(Assessment {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        status: status_of(&row)?,
        period: AssessmentPeriod {
            starts_on: row.period_starts_on,
            ends_on: row.period_ends_on,
        },
        summary: row.summary,
        target_group: serde_json::from_str(&row.target_group)
            .map_err(|_| corrupt("target group"))?,
        findings: stored
            .findings
            .into_iter()
            .map(finding_out)
            .collect::<Result<_, _>>()?,
        approvals: stored
            .approvals
            .into_iter()
            .map(|approval| {
                Ok(Approval {
                    side: Side::parse(&approval.side).ok_or_else(|| corrupt("side"))?,
                    approved_by: approval.approved_by,
                    approved_at: approval.approved_at.and_utc(),
                })
            })
            .collect::<Result<_, ApiError>>()?,
        supersedes: row.supersedes_id.as_deref().map(stored_uuid).transpose()?,
        superseded_by: stored
            .superseded_by
            .as_deref()
            .map(stored_uuid)
            .transpose()?,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// Loads an assessment with everything that belongs to it.
fn load_complete(
    connection: &mut DbConnection,
    row: AssessmentRow,
) -> Result<StoredAssessment, ApiError> {
    store::complete(connection, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// The assessment if the caller reaches it; 404 otherwise, as if it did not exist.
fn find_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<AssessmentRow, ApiError> {
    let (row, area) = store::find_with_area(connection, id)?.ok_or(ApiError::NotFound)?;
    let visible = reaches_area_work(principal, &area.id, &area.municipality_code)
        && sees_assessment(principal, status_of(&row)?);
    if visible {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

fn find_complete_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<StoredAssessment, ApiError> {
    let row = find_in_scope(connection, principal, id)?;
    load_complete(connection, row)
}

fn area_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<AreaRow, ApiError> {
    area_store::find(connection, id)?
        .filter(|area| reaches_area_work(principal, &area.id, &area.municipality_code))
        .ok_or(ApiError::NotFound)
}

fn caller_side(principal: &Principal) -> Result<Side, ApiError> {
    side_of(principal).ok_or(ApiError::Forbidden)
}

/// Parses findings into rows. An input with an `id` keeps that existing finding's
/// author side; a new one is attributed to `side`.
fn finding_rows(
    inputs: &[FindingInput],
    existing: &[FindingRow],
    assessment_id: &str,
    side: Side,
    violations: &mut Violations,
) -> Vec<FindingRow> {
    check_finding_count(inputs.len(), violations);
    let now = db::now();
    inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| {
            let prefix = format!("findings[{index}]");
            let kept = match input.id {
                Some(id) => {
                    let found = existing.iter().find(|row| row.id == id.to_string());
                    if found.is_none() {
                        violations.add(
                            format!("{prefix}.id"),
                            "is not a finding of this assessment",
                        );
                    }
                    Some(found?)
                }
                None => None,
            };
            let finding = Finding::parse(
                FindingFields {
                    problem_area: input.problem_area,
                    households: input.households,
                    share: input.share,
                    severity: input.severity,
                    evidence: &input.evidence,
                    notes: input.notes.as_deref(),
                },
                &prefix,
                violations,
            )?;
            Some(FindingRow {
                id: kept.map_or_else(|| Uuid::now_v7().to_string(), |row| row.id.clone()),
                assessment_id: assessment_id.to_owned(),
                position: index as i32,
                problem_area: finding.problem_area.code().to_owned(),
                households: finding.households,
                share: finding.share,
                severity: finding.severity,
                evidence: serde_json::to_string(&finding.evidence).unwrap_or_else(|_| "[]".into()),
                contributed_by: kept
                    .map_or_else(|| side.code().to_owned(), |row| row.contributed_by.clone()),
                notes: finding.notes,
                created_at: kept.map_or(now, |row| row.created_at),
            })
        })
        .collect()
}

fn period_of(period: AssessmentPeriod, violations: &mut Violations) -> Option<Period> {
    Period::parse(period.starts_on, period.ends_on, violations)
}

fn target_group_json(group: TargetGroup, violations: &mut Violations) -> String {
    serde_json::to_string(&group.parse(violations)).unwrap_or_else(|_| "{}".into())
}

fn single_response(status: StatusCode, stored: StoredAssessment) -> Result<HttpResponse, ApiError> {
    let version = stored.row.version;
    let assessment = assessment_out(stored)?;
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(version)));
    if status == StatusCode::CREATED {
        response.insert_header((
            header::LOCATION,
            format!("/api/v1/assessments/{}", assessment.id),
        ));
    }
    Ok(response.json(assessment))
}

/// The assessments of an area. Analysts see only agreed ones.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Area id"), AssessmentListQuery),
    responses(
        (status = 200, body = Page<Assessment>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/areas/{id}/assessments")]
pub async fn list_assessments(
    caller: Allowed<op::ReadAssessments>,
    db: web::Data<Database>,
    area_id: web::Path<Uuid>,
    query: web::Query<AssessmentListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let visible: Vec<String> = AssessmentStatus::ALL
        .into_iter()
        .filter(|status| sees_assessment(&principal, *status))
        .filter(|status| query.status.is_none_or(|wanted| wanted == *status))
        .map(|status| status.code().to_owned())
        .collect();
    let filter = AssessmentFilter {
        area_id: area_id.into_inner().to_string(),
        statuses: Some(visible),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let stored = db
        .run(move |connection| {
            area_in_scope(connection, &principal, &filter.area_id)?;
            let rows = store::list(connection, &filter)?;
            Ok(store::complete(connection, rows)?)
        })
        .await?;
    let page = page.into_page(stored, |stored| stored.row.id.clone(), Ok::<_, ApiError>);
    let items = page
        .items
        .into_iter()
        .map(|item| item.and_then(assessment_out))
        .collect::<Result<_, _>>()?;
    Ok(page_response(
        &req,
        Page {
            items,
            next_cursor: page.next_cursor,
        },
    ))
}

/// Starts an assessment of an area as a draft. A revision names the agreed
/// assessment it `supersedes`.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Area id")),
    request_body = NewAssessment,
    responses(
        (status = 201, body = Assessment, headers(
            ("Location" = String, description = "URL of the new assessment"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/areas/{id}/assessments")]
pub async fn create_assessment(
    caller: Allowed<op::WriteAssessments>,
    db: web::Data<Database>,
    area_id: web::Path<Uuid>,
    body: json::Json<NewAssessment>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = caller_side(&principal)?;
    let body = body.into_inner();
    let id = Uuid::now_v7().to_string();
    let mut violations = Violations::new();
    for (index, finding) in body.findings.iter().enumerate() {
        if finding.id.is_some() {
            violations.add(
                format!("findings[{index}].id"),
                "must be omitted for a new assessment",
            );
        }
    }
    let period = period_of(body.period, &mut violations);
    let summary = optional_text(body.summary.as_deref(), "summary", &mut violations);
    let target_group = target_group_json(body.target_group.unwrap_or_default(), &mut violations);
    let findings = finding_rows(&body.findings, &[], &id, side, &mut violations);
    let period = finish(violations, period).map_err(ApiError::Validation)?;
    let area_id = area_id.into_inner().to_string();
    let supersedes = body.supersedes.map(|id| id.to_string());
    let now = db::now();
    let row = AssessmentRow {
        id,
        area_id,
        status: AssessmentStatus::Draft.code().to_owned(),
        period_starts_on: period.starts_on,
        period_ends_on: period.ends_on,
        summary,
        target_group,
        supersedes_id: supersedes,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let stored = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                area_in_scope(connection, &principal, &row.area_id)?;
                if let Some(previous) = &row.supersedes_id {
                    check_revision(connection, previous, &row.area_id)?;
                }
                store::insert(connection, &row, &findings)?;
                load_complete(connection, row)
            })
        })
        .await?;
    single_response(StatusCode::CREATED, stored)
}

/// A revision must supersede an agreed assessment of the same area that has no live revision yet.
fn check_revision(
    connection: &mut DbConnection,
    previous: &str,
    area_id: &str,
) -> Result<(), ApiError> {
    let agreed_here = store::find_with_area(connection, previous)?.is_some_and(|(row, _)| {
        row.area_id == area_id && row.status == AssessmentStatus::Agreed.code()
    });
    if !agreed_here {
        return Err(ApiError::Validation(vec![FieldError {
            field: "supersedes".into(),
            message: "must be an agreed assessment of the same area".into(),
        }]));
    }
    if let Some(revision) = store::live_revision_of(connection, previous)? {
        return Err(ApiError::Conflict(format!(
            "assessment {previous} already has a revision in progress: {revision}"
        )));
    }
    Ok(())
}

/// One assessment with its findings and approvals.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id")),
    responses(
        (status = 200, body = Assessment, headers(("ETag" = String, description = "Current version, for If-Match"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/assessments/{id}")]
pub async fn get_assessment(
    caller: Allowed<op::ReadAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let stored = db
        .run(move |connection| find_complete_in_scope(connection, &principal, &id))
        .await?;
    single_response(StatusCode::OK, stored)
}

/// Edits a draft or an assessment in review, or sets its status. An agreed or
/// withdrawn assessment is immutable (409).
#[utoipa::path(
    tag = "assessments",
    params(
        ("id" = Uuid, Path, description = "Assessment id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = AssessmentChanges,
    responses(
        (status = 200, body = Assessment, headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[patch("/assessments/{id}")]
pub async fn update_assessment(
    caller: Allowed<op::WriteAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<AssessmentChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = caller_side(&principal)?;
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let stored = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = find_in_scope(connection, &principal, &id)?;
                if_match.check(current.version)?;
                let current = load_complete(connection, current)?;
                let updated = apply_changes(&current, changes, side)?;
                let Some((row, findings, content_changed)) = updated else {
                    return Ok(current);
                };
                if !store::replace_if_version(connection, &row, current.row.version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                if let Some(findings) = findings {
                    store::replace_findings(connection, &id, &findings)?;
                }
                if content_changed || row.status == AssessmentStatus::Draft.code() {
                    store::clear_approvals(connection, &id)?;
                }
                load_complete(connection, row)
            })
        })
        .await?;
    single_response(StatusCode::OK, stored)
}

type Changed = (AssessmentRow, Option<Vec<FindingRow>>, bool);

/// The new row (and findings) after `changes`, or None when nothing was asked for.
/// Returns whether the content changed, which withdraws approvals.
fn apply_changes(
    current: &StoredAssessment,
    changes: AssessmentChanges,
    side: Side,
) -> Result<Option<Changed>, ApiError> {
    let status = status_of(&current.row)?;
    let content_changed = changes.period.is_some()
        || changes.summary.is_some()
        || changes.target_group.is_some()
        || changes.findings.is_some();
    if !content_changed && changes.status.is_none() {
        return Ok(None);
    }
    if content_changed {
        ensure_editable(status).map_err(conflict)?;
    }
    let new_status = match changes.status {
        Some(to) => {
            ensure_settable(status, to).map_err(conflict)?;
            to
        }
        None => status,
    };
    let mut row = current.row.clone();
    let mut violations = Violations::new();
    let period = match changes.period {
        Some(period) => period_of(period, &mut violations),
        None => Some(Period {
            starts_on: row.period_starts_on,
            ends_on: row.period_ends_on,
        }),
    };
    if let Some(summary) = changes.summary {
        row.summary = optional_text(summary.as_deref(), "summary", &mut violations);
    }
    if let Some(group) = changes.target_group {
        row.target_group = target_group_json(group, &mut violations);
    }
    let findings = changes
        .findings
        .map(|inputs| finding_rows(&inputs, &current.findings, &row.id, side, &mut violations));
    let period = finish(violations, period).map_err(ApiError::Validation)?;
    row.period_starts_on = period.starts_on;
    row.period_ends_on = period.ends_on;
    row.status = new_status.code().to_owned();
    row.version += 1;
    row.updated_at = db::now();
    Ok(Some((row, findings, content_changed)))
}

/// Adds one finding, attributed to the caller's side. Withdraws approvals given so far.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id")),
    request_body = FindingInput,
    responses(
        (status = 201, body = Assessment, headers(
            ("Location" = String, description = "URL of the assessment"),
            ("ETag" = String, description = "The new version"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/assessments/{id}/findings")]
pub async fn add_finding(
    caller: Allowed<op::WriteAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    body: json::Json<FindingInput>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = caller_side(&principal)?;
    let id = id.into_inner().to_string();
    let input = body.into_inner();
    let stored = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = find_complete_in_scope(connection, &principal, &id)?;
                ensure_editable(status_of(&current.row)?).map_err(conflict)?;
                let mut violations = Violations::new();
                if input.id.is_some() {
                    violations.add("id", "must be omitted for a new finding");
                }
                check_finding_count(current.findings.len() + 1, &mut violations);
                let mut rows = finding_rows(
                    std::slice::from_ref(&input),
                    &[],
                    &id,
                    side,
                    &mut violations,
                );
                let mut finding = finish(violations, rows.pop()).map_err(|errors| {
                    ApiError::Validation(errors.into_iter().map(unprefixed).collect())
                })?;
                finding.position = current.findings.len() as i32;
                store::add_finding(connection, &finding)?;
                store::clear_approvals(connection, &id)?;
                let mut row = current.row.clone();
                row.version += 1;
                row.updated_at = db::now();
                if !store::replace_if_version(connection, &row, current.row.version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                load_complete(connection, row)
            })
        })
        .await?;
    single_response(StatusCode::CREATED, stored)
}

/// Field names of a single finding body are not prefixed with `findings[0]`.
fn unprefixed(mut error: FieldError) -> FieldError {
    if let Some(rest) = error.field.strip_prefix("findings[0].") {
        error.field = rest.to_owned();
    }
    error
}

/// Approves the assessment for the caller's side. One side's approval puts it in
/// review; both sides' make it `agreed`. Approving again is idempotent (200).
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id")),
    responses(
        (status = 200, body = Assessment, description = "This side had already approved; nothing changed"),
        (status = 201, body = Assessment, headers(
            ("Location" = String, description = "URL of the assessment"),
            ("ETag" = String, description = "The new version"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/assessments/{id}/approvals")]
pub async fn approve_assessment(
    caller: Allowed<op::WriteAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let side = caller_side(&principal)?;
    let id = id.into_inner().to_string();
    let (stored, recorded) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = find_complete_in_scope(connection, &principal, &id)?;
                let approved: Vec<Side> = current
                    .approvals
                    .iter()
                    .filter_map(|approval| Side::parse(&approval.side))
                    .collect();
                let status = status_of(&current.row)?;
                let new_status =
                    status_after_approval(status, &approved, side, current.findings.len())
                        .map_err(conflict)?;
                if approved.contains(&side) {
                    return Ok((current, false));
                }
                store::insert_approval(
                    connection,
                    &ApprovalRow {
                        assessment_id: id.clone(),
                        side: side.code().to_owned(),
                        approved_by: principal.subject.clone(),
                        approved_at: db::now(),
                    },
                )?;
                let mut row = current.row.clone();
                row.status = new_status.code().to_owned();
                row.version += 1;
                row.updated_at = db::now();
                if !store::replace_if_version(connection, &row, current.row.version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                Ok((load_complete(connection, row)?, true))
            })
        })
        .await?;
    let status = if recorded {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    single_response(status, stored)
}

/// The initiative types the handbook recommends for the assessment's findings,
/// ranked, with the findings each answers, the rationale and the design conditions.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id")),
    responses(
        (status = 200, body = Recommendations),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/assessments/{id}/recommendations")]
pub async fn recommendations(
    caller: Allowed<op::ReadAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let stored = db
        .run(move |connection| find_complete_in_scope(connection, &principal, &id))
        .await?;
    let finding_ids = stored
        .findings
        .iter()
        .map(|row| stored_uuid(&row.id))
        .collect::<Result<Vec<_>, _>>()?;
    let findings = stored
        .findings
        .iter()
        .map(domain_finding)
        .collect::<Result<Vec<_>, _>>()?;
    let items = recommend(&findings)
        .into_iter()
        .zip(1..)
        .map(|(recommendation, rank)| {
            let entry = crate::domain::catalog::INITIATIVE_TYPES
                .iter()
                .find(|entry| entry.code == recommendation.rule.initiative_type);
            Recommendation {
                rank,
                initiative_type: recommendation.rule.initiative_type,
                label: entry
                    .map_or(recommendation.rule.rationale, |entry| entry.label)
                    .into(),
                combined: recommendation.combined,
                answers: recommendation
                    .answers
                    .iter()
                    .map(|index| AnsweredFinding {
                        finding_id: finding_ids[*index],
                        problem_area: findings[*index].problem_area,
                        severity: findings[*index].severity,
                    })
                    .collect(),
                rationale: recommendation.rule.rationale.into(),
                conditions: recommendation
                    .rule
                    .conditions
                    .iter()
                    .map(|condition| DesignCondition {
                        code: condition.code,
                        text: condition.text.into(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(Recommendations {
        assessment_id: stored_uuid(&stored.row.id)?,
        items,
    }))
}
