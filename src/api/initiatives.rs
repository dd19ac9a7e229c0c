//! `initiatives`: the aggregate plan (both sides and analysts read it), its
//! sessions with attendance, and the enrolment and composition of its families
//! (individual data: housing-social workers of the area only).

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit::AuditContext;
use super::etag::{etag, IfMatch};
use super::json;
use super::pagination::{page_response, Page, PageRequest};
use super::present;
use super::problems::{
    BadRequest, Conflict, Forbidden, InternalError, NotFound, PayloadTooLarge, PreconditionFailed,
    ServiceUnavailable, TooManyRequests, Unauthorized, UnprocessableEntity, UnsupportedMediaType,
};
use super::stored_uuid;
use crate::auth::policy::{area_work_scope, reaches_area_work, reaches_families_of, AreaWorkScope};
use crate::auth::{op, Allowed, Principal};
use crate::db::areas::AreaRow;
use crate::db::assessments as assessment_store;
use crate::db::families as family_store;
use crate::db::initiatives::{
    self as store, AreaScope, EnrolmentRow, InitiativeFilter, InitiativeRow, RowIdentity,
    SessionRow,
};
use crate::db::{self, from_json, Database, DbConnection};
use crate::domain::catalog::{InitiativeType, ProblemArea};
use crate::domain::family::{composition, Composition, Participant};
use crate::domain::initiative::{
    activation_requirements, ensure_transition, InitiativeFormat, InitiativePlan, InitiativeStatus,
    Partner, Schedule,
};
use crate::domain::validation::{guarded_text, optional_guarded_text, FieldError, Violations};
use crate::error::ApiError;
use crate::strict_json::{object, objects, optional_object, optional_objects};

/// An initiative: aggregate plan data, no personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct Initiative {
    pub id: Uuid,
    pub area_id: Uuid,
    #[serde(rename = "type")]
    pub initiative_type: InitiativeType,
    pub title: String,
    pub description: Option<String>,
    pub problem_areas: Vec<ProblemArea>,
    /// The needs assessment the initiative answers.
    pub assessment_id: Option<Uuid>,
    pub format: InitiativeFormat,
    pub partners: Vec<Partner>,
    pub languages: Vec<String>,
    pub interpreter_present: bool,
    pub target_group: Option<String>,
    pub capacity: Option<i32>,
    pub schedule: Schedule,
    pub status: InitiativeStatus,
    /// How networks arise and are supported afterwards (required to start social activities and family courses).
    pub network_plan: Option<String>,
    /// Reference of the agreement with the job centre (required to start volunteering).
    pub job_centre_agreement: Option<String>,
    /// Whether fathers are to take part (the composition check warns when none do).
    pub fathers_wanted: bool,
    /// Number of enrolled families.
    pub enrolled: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new initiative; it starts as `planned`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInitiative {
    pub area_id: Uuid,
    #[serde(rename = "type")]
    pub initiative_type: InitiativeType,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to every problem area the type answers.
    #[serde(default)]
    pub problem_areas: Vec<ProblemArea>,
    #[serde(default)]
    pub assessment_id: Option<Uuid>,
    pub format: InitiativeFormat,
    #[serde(default, deserialize_with = "objects")]
    pub partners: Vec<Partner>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub interpreter_present: bool,
    #[serde(default)]
    pub target_group: Option<String>,
    /// Required for closed initiatives.
    #[serde(default)]
    pub capacity: Option<i32>,
    #[serde(deserialize_with = "object")]
    pub schedule: Schedule,
    #[serde(default)]
    pub network_plan: Option<String>,
    #[serde(default)]
    pub job_centre_agreement: Option<String>,
    #[serde(default)]
    pub fathers_wanted: bool,
}

/// Changes to an initiative. The type and area do not change. `null` clears an
/// optional field. Status: planned → active → completed | cancelled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InitiativeChanges {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub problem_areas: Option<Vec<ProblemArea>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub assessment_id: Option<Option<Uuid>>,
    pub format: Option<InitiativeFormat>,
    #[serde(default, deserialize_with = "optional_objects")]
    pub partners: Option<Vec<Partner>>,
    pub languages: Option<Vec<String>>,
    pub interpreter_present: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub target_group: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>)]
    pub capacity: Option<Option<i32>>,
    #[serde(default, deserialize_with = "optional_object")]
    pub schedule: Option<Schedule>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub network_plan: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub job_centre_agreement: Option<Option<String>>,
    pub fathers_wanted: Option<bool>,
    pub status: Option<InitiativeStatus>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub area_id: Option<Uuid>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub initiative_type: Option<InitiativeType>,
    pub status: Option<InitiativeStatus>,
    /// Only initiatives changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

/// A session held. Attendee ids are shown only to housing-social workers of the area.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub id: Uuid,
    pub held_on: NaiveDate,
    pub theme: String,
    /// Speaker or actor presenting, e.g. "SSP-konsulent".
    pub speaker: Option<String>,
    pub attendance: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendee_family_ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    pub held_on: NaiveDate,
    pub theme: String,
    #[serde(default)]
    pub speaker: Option<String>,
    /// Families of the initiative's area (for closed initiatives: enrolled ones).
    #[serde(default)]
    pub attendee_family_ids: Vec<Uuid>,
}

/// A family enrolled in an initiative (individual data).
#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    pub initiative_id: Uuid,
    pub family_id: Uuid,
    pub display_name: String,
    /// The team's judgement: heavily burdened, or with more surplus.
    pub heavily_burdened: bool,
    pub mothers: i32,
    pub fathers: i32,
    pub enrolled_by: String,
    pub enrolled_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolment {
    /// A family of the initiative's area.
    pub family_id: Uuid,
    pub heavily_burdened: bool,
    /// Mothers of the family taking part.
    #[serde(default)]
    pub mothers: i32,
    /// Fathers of the family taking part.
    #[serde(default)]
    pub fathers: i32,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored initiative has an invalid {what}"))
}

fn status_of(row: &InitiativeRow) -> Result<InitiativeStatus, ApiError> {
    InitiativeStatus::parse(&row.status).ok_or_else(|| corrupt("status"))
}

fn initiative_out(row: &InitiativeRow, enrolled: i64) -> Result<Initiative, ApiError> {
    let plan = row.plan()?;
    Ok(Initiative {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        initiative_type: plan.initiative_type,
        title: plan.title,
        description: plan.description,
        problem_areas: plan.problem_areas,
        assessment_id: row.assessment_id.as_deref().map(stored_uuid).transpose()?,
        format: plan.format,
        partners: plan.partners,
        languages: plan.languages,
        interpreter_present: plan.interpreter_present,
        target_group: plan.target_group,
        capacity: plan.capacity,
        schedule: plan.schedule,
        status: status_of(row)?,
        network_plan: plan.network_plan,
        job_centre_agreement: plan.job_centre_agreement,
        fathers_wanted: plan.fathers_wanted,
        enrolled,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// The initiative if the caller reaches its area's aggregate work; 404 otherwise.
fn find_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(InitiativeRow, AreaRow), ApiError> {
    store::find_with_area(connection, id)?
        .filter(|(_, area)| reaches_area_work(principal, &area.id, &area.municipality_code))
        .ok_or(ApiError::NotFound)
}

/// The initiative if the caller may see its families (worker of the area); 404 otherwise.
fn find_with_families_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<InitiativeRow, ApiError> {
    store::find_with_area(connection, id)?
        .filter(|(_, area)| reaches_families_of(principal, &area.id))
        .map(|(row, _)| row)
        .ok_or(ApiError::NotFound)
}

fn enrolled_count(connection: &mut DbConnection, id: &str) -> Result<i64, ApiError> {
    Ok(store::enrolment_counts(connection, &[id.to_owned()])?
        .get(id)
        .copied()
        .unwrap_or(0))
}

/// An assessment an initiative may refer to: one of the same area.
fn check_assessment(
    connection: &mut DbConnection,
    assessment_id: &str,
    area_id: &str,
) -> Result<(), ApiError> {
    let same_area = assessment_store::find_with_area(connection, assessment_id)?
        .is_some_and(|(assessment, _)| assessment.area_id == area_id);
    if same_area {
        Ok(())
    } else {
        Err(ApiError::validation(
            "assessment_id",
            "must be an assessment of the initiative's area",
        ))
    }
}

fn single_response(
    status: StatusCode,
    row: &InitiativeRow,
    enrolled: i64,
) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(row.version)));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/initiatives/{}", row.id)));
    }
    Ok(response.json(initiative_out(row, enrolled)?))
}

/// Initiatives in the caller's scope, filtered.
#[utoipa::path(
    tag = "initiatives",
    params(InitiativeListQuery),
    responses(
        (status = 200, body = Page<Initiative>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/initiatives")]
pub async fn list_initiatives(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    query: web::Query<InitiativeListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let scope = match area_work_scope(&caller.principal) {
        AreaWorkScope::Every => AreaScope::All,
        AreaWorkScope::Areas(ids) => AreaScope::Areas(ids.iter().map(Uuid::to_string).collect()),
        AreaWorkScope::Municipality(code) => AreaScope::Municipality(code.as_str().to_owned()),
        AreaWorkScope::Nothing => AreaScope::Areas(Vec::new()),
    };
    let filter = InitiativeFilter {
        scope,
        area_id: query.area_id.map(|id| id.to_string()),
        initiative_type: query.initiative_type.map(|t| t.code().to_owned()),
        status: query.status.map(|s| s.code().to_owned()),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let (rows, counts) = db
        .run(move |connection| {
            let rows = store::list(connection, &filter)?;
            let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
            let counts = store::enrolment_counts(connection, &ids)?;
            Ok((rows, counts))
        })
        .await?;
    let page = page.into_page(rows, |row| row.id.clone(), |row| row);
    let items = page
        .items
        .iter()
        .map(|row| initiative_out(row, counts.get(&row.id).copied().unwrap_or(0)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_response(
        &req,
        Page {
            items,
            next_cursor: page.next_cursor,
        },
    ))
}

/// Plans an initiative in an area the caller works in.
#[utoipa::path(
    tag = "initiatives",
    request_body = NewInitiative,
    responses(
        (status = 201, body = Initiative, headers(
            ("Location" = String, description = "URL of the new initiative"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/initiatives")]
pub async fn create_initiative(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    body: json::Json<NewInitiative>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let body = body.into_inner();
    let area_id = body.area_id.to_string();
    if !reaches_families_of(&principal, &area_id) {
        return Err(ApiError::validation(
            "area_id",
            "is not an area you work in",
        ));
    }
    let plan = InitiativePlan {
        initiative_type: body.initiative_type,
        title: body.title,
        description: body.description,
        problem_areas: body.problem_areas,
        format: body.format,
        partners: body.partners,
        languages: body.languages,
        interpreter_present: body.interpreter_present,
        target_group: body.target_group,
        capacity: body.capacity,
        schedule: body.schedule,
        network_plan: body.network_plan,
        job_centre_agreement: body.job_centre_agreement,
        fathers_wanted: body.fathers_wanted,
    }
    .validate()
    .map_err(ApiError::Validation)?;
    let id = Uuid::now_v7().to_string();
    let stored = RowIdentity {
        id: &id,
        area_id: &area_id,
        version: 1,
        created_at: db::now(),
    };
    let assessment_id = body.assessment_id.map(|id| id.to_string());
    let row = InitiativeRow::from_plan(stored, &plan, assessment_id, InitiativeStatus::Planned);
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                if let Some(assessment_id) = &row.assessment_id {
                    check_assessment(connection, assessment_id, &row.area_id)?;
                }
                store::insert(connection, &row)?;
                Ok(row)
            })
        })
        .await?;
    single_response(StatusCode::CREATED, &row, 0)
}

/// One initiative (the plan and its enrolment count).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = Initiative, headers(("ETag" = String, description = "Current version, for If-Match"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/initiatives/{id}")]
pub async fn get_initiative(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let (row, enrolled) = db
        .run(move |connection| {
            let (row, _) = find_in_scope(connection, &principal, &id)?;
            let enrolled = enrolled_count(connection, &id)?;
            Ok((row, enrolled))
        })
        .await?;
    single_response(StatusCode::OK, &row, enrolled)
}

/// Changes an initiative's plan or status. Starting it (`active`) requires what
/// the handbook requires; a completed or cancelled initiative no longer changes.
#[utoipa::path(
    tag = "initiatives",
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = InitiativeChanges,
    responses(
        (status = 200, body = Initiative, headers(("ETag" = String, description = "The new version"))),
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
#[patch("/initiatives/{id}")]
pub async fn update_initiative(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<InitiativeChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let (row, enrolled) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = find_with_families_in_scope(connection, &principal, &id)?;
                if_match.check(current.version)?;
                let status = status_of(&current)?;
                let new_status = changes.status.unwrap_or(status);
                ensure_transition(status, new_status)
                    .map_err(|error| ApiError::Conflict(error.to_string()))?;
                if matches!(
                    status,
                    InitiativeStatus::Completed | InitiativeStatus::Cancelled
                ) {
                    return Err(ApiError::Conflict(format!(
                        "the initiative is {} and can no longer change",
                        status.code()
                    )));
                }
                let mut assessment_id = current.assessment_id.clone();
                if let Some(new_assessment) = changes.assessment_id {
                    assessment_id = new_assessment.map(|id| id.to_string());
                    if let Some(assessment) = &assessment_id {
                        check_assessment(connection, assessment, &current.area_id)?;
                    }
                }
                let plan = apply(current.plan()?, changes)
                    .validate()
                    .map_err(ApiError::Validation)?;
                if new_status == InitiativeStatus::Active {
                    let unmet = activation_requirements(&plan);
                    if !unmet.is_empty() {
                        return Err(ApiError::Validation(unmet));
                    }
                }
                let capacity_errors = capacity_check(connection, &plan, &id)?;
                if !capacity_errors.is_empty() {
                    return Err(ApiError::Validation(capacity_errors));
                }
                let stored = RowIdentity {
                    id: &current.id,
                    area_id: &current.area_id,
                    version: current.version + 1,
                    created_at: current.created_at,
                };
                let row = InitiativeRow::from_plan(stored, &plan, assessment_id, new_status);
                if !store::replace_if_version(connection, &row, current.version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                let enrolled = enrolled_count(connection, &id)?;
                Ok((row, enrolled))
            })
        })
        .await?;
    single_response(StatusCode::OK, &row, enrolled)
}

/// A capacity below the number already enrolled is refused.
fn capacity_check(
    connection: &mut DbConnection,
    plan: &InitiativePlan,
    id: &str,
) -> Result<Vec<FieldError>, ApiError> {
    let enrolled = enrolled_count(connection, id)?;
    Ok(match plan.capacity {
        Some(capacity) if i64::from(capacity) < enrolled => vec![FieldError {
            field: "capacity".into(),
            message: format!("{enrolled} families are enrolled already"),
        }],
        _ => Vec::new(),
    })
}

fn apply(mut plan: InitiativePlan, changes: InitiativeChanges) -> InitiativePlan {
    if let Some(title) = changes.title {
        plan.title = title;
    }
    if let Some(description) = changes.description {
        plan.description = description;
    }
    if let Some(problem_areas) = changes.problem_areas {
        plan.problem_areas = problem_areas;
    }
    if let Some(format) = changes.format {
        plan.format = format;
    }
    if let Some(partners) = changes.partners {
        plan.partners = partners;
    }
    if let Some(languages) = changes.languages {
        plan.languages = languages;
    }
    if let Some(interpreter_present) = changes.interpreter_present {
        plan.interpreter_present = interpreter_present;
    }
    if let Some(target_group) = changes.target_group {
        plan.target_group = target_group;
    }
    if let Some(capacity) = changes.capacity {
        plan.capacity = capacity;
    }
    if let Some(schedule) = changes.schedule {
        plan.schedule = schedule;
    }
    if let Some(network_plan) = changes.network_plan {
        plan.network_plan = network_plan;
    }
    if let Some(agreement) = changes.job_centre_agreement {
        plan.job_centre_agreement = agreement;
    }
    if let Some(fathers_wanted) = changes.fathers_wanted {
        plan.fathers_wanted = fathers_wanted;
    }
    plan
}

/// Sessions held, with attendance counts; attendee ids only for the area's workers.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = Vec<Session>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/initiatives/{id}/sessions")]
pub async fn list_sessions(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let (sessions, shows_attendees) = db
        .run(move |connection| {
            let (_, area) = find_in_scope(connection, &principal, &id)?;
            let shows_attendees = reaches_families_of(&principal, &area.id);
            let sessions = store::sessions_with_attendance(connection, &id)?;
            if shows_attendees {
                for (session, attendees) in &sessions {
                    for family_id in attendees {
                        audit.allowed(
                            connection,
                            "attendance",
                            Some(&session.id),
                            Some(family_id),
                        )?;
                    }
                }
            }
            Ok((sessions, shows_attendees))
        })
        .await?;
    let sessions = sessions
        .into_iter()
        .map(|(session, attendees)| session_out(session, attendees, shows_attendees))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(sessions))
}

fn session_out(
    session: SessionRow,
    attendees: Vec<String>,
    shows_attendees: bool,
) -> Result<Session, ApiError> {
    Ok(Session {
        id: stored_uuid(&session.id)?,
        held_on: session.held_on,
        theme: session.theme,
        speaker: session.speaker,
        attendance: attendees.len(),
        attendee_family_ids: if shows_attendees {
            Some(
                attendees
                    .iter()
                    .map(|id| stored_uuid(id))
                    .collect::<Result<_, _>>()?,
            )
        } else {
            None
        },
    })
}

/// Records a session held and who attended.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    request_body = NewSession,
    responses(
        (status = 201, body = Session, headers(("Location" = String, description = "URL of the initiative's sessions"))),
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
#[post("/initiatives/{id}/sessions")]
pub async fn add_session(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewSession>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let initiative_id = id.into_inner().to_string();
    let body = body.into_inner();
    let mut violations = Violations::new();
    let theme = violations.check("theme", guarded_text(&body.theme, 200));
    let speaker = body
        .speaker
        .as_deref()
        .and_then(|speaker| violations.check("speaker", optional_guarded_text(speaker, 200)))
        .filter(|speaker| !speaker.is_empty());
    if body.held_on > db::today() {
        violations.add("held_on", "must not be in the future");
    }
    let mut attendees: Vec<String> = body
        .attendee_family_ids
        .iter()
        .map(Uuid::to_string)
        .collect();
    attendees.sort();
    attendees.dedup();
    let errors = violations.into_errors();
    let theme = match theme {
        Some(theme) if errors.is_empty() => theme,
        _ => return Err(ApiError::Validation(errors)),
    };
    let (session, attendees) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let initiative =
                    find_with_families_in_scope(connection, &principal, &initiative_id)?;
                let status = status_of(&initiative)?;
                if !matches!(
                    status,
                    InitiativeStatus::Active | InitiativeStatus::Completed
                ) {
                    return Err(ApiError::Conflict(format!(
                        "sessions are recorded for active or completed initiatives; this one is {}",
                        status.code()
                    )));
                }
                let closed = initiative.format == InitiativeFormat::Closed.code();
                let mut errors = Vec::new();
                for (index, family_id) in attendees.iter().enumerate() {
                    let in_area = family_store::find(connection, family_id)?
                        .is_some_and(|family| family.area_id == initiative.area_id);
                    let allowed = in_area
                        && (!closed
                            || store::find_enrolment(connection, &initiative_id, family_id)?
                                .is_some());
                    if !allowed {
                        errors.push(FieldError {
                            field: format!("attendee_family_ids[{index}]"),
                            message: if closed {
                                "is not a family enrolled in this closed initiative".into()
                            } else {
                                "is not a family of the initiative's area".into()
                            },
                        });
                    }
                }
                if !errors.is_empty() {
                    return Err(ApiError::Validation(errors));
                }
                let session = SessionRow {
                    id: Uuid::now_v7().to_string(),
                    initiative_id,
                    held_on: body.held_on,
                    theme,
                    speaker,
                    created_at: db::now(),
                };
                store::insert_session(connection, &session, &attendees)?;
                for family_id in &attendees {
                    audit.allowed(connection, "attendance", Some(&session.id), Some(family_id))?;
                }
                Ok((session, attendees))
            })
        })
        .await?;
    let location = format!("/api/v1/initiatives/{}/sessions", session.initiative_id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(session_out(session, attendees, true)?))
}

fn enrolment_out(row: EnrolmentRow, display_name: String) -> Result<Enrolment, ApiError> {
    Ok(Enrolment {
        initiative_id: stored_uuid(&row.initiative_id)?,
        family_id: stored_uuid(&row.family_id)?,
        display_name,
        heavily_burdened: row.heavily_burdened != 0,
        mothers: row.mothers,
        fathers: row.fathers,
        enrolled_by: row.enrolled_by,
        enrolled_at: row.enrolled_at.and_utc(),
    })
}

/// The families enrolled (individual data: the area's housing-social workers only).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = Vec<Enrolment>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/initiatives/{id}/enrolments")]
pub async fn list_enrolments(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rows = db
        .run(move |connection| {
            find_with_families_in_scope(connection, &principal, &id)?;
            let rows = store::enrolments_with_families(connection, &id)?;
            for (enrolment, _) in &rows {
                audit.allowed(
                    connection,
                    "enrolment",
                    Some(&id),
                    Some(&enrolment.family_id),
                )?;
            }
            Ok(rows)
        })
        .await?;
    let enrolments = rows
        .into_iter()
        .map(|(enrolment, family)| enrolment_out(enrolment, family.display_name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(enrolments))
}

/// Enrols a family of the initiative's area.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    request_body = NewEnrolment,
    responses(
        (status = 201, body = Enrolment, headers(("Location" = String, description = "URL of the initiative's enrolments"))),
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
#[post("/initiatives/{id}/enrolments")]
pub async fn enrol_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewEnrolment>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let initiative_id = id.into_inner().to_string();
    let body = body.into_inner();
    let mut violations = Violations::new();
    for (field, value) in [("mothers", body.mothers), ("fathers", body.fathers)] {
        if !(0..=10).contains(&value) {
            violations.add(field, "must be from 0 to 10");
        }
    }
    let errors = violations.into_errors();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let family_id = body.family_id.to_string();
    let (row, display_name) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let initiative =
                    find_with_families_in_scope(connection, &principal, &initiative_id)?;
                let family = family_store::find(connection, &family_id)?
                    .filter(|family| family.area_id == initiative.area_id)
                    .ok_or_else(|| {
                        ApiError::validation(
                            "family_id",
                            "is not a family of the initiative's area",
                        )
                    })?;
                let status = status_of(&initiative)?;
                if matches!(
                    status,
                    InitiativeStatus::Completed | InitiativeStatus::Cancelled
                ) {
                    return Err(ApiError::Conflict(format!(
                        "the initiative is {}",
                        status.code()
                    )));
                }
                if store::find_enrolment(connection, &initiative_id, &family_id)?.is_some() {
                    return Err(ApiError::Conflict("the family is enrolled already".into()));
                }
                if let Some(capacity) = initiative.capacity {
                    if enrolled_count(connection, &initiative_id)? >= i64::from(capacity) {
                        return Err(ApiError::Conflict(format!(
                            "the initiative is full ({capacity} families)"
                        )));
                    }
                }
                let row = EnrolmentRow {
                    initiative_id,
                    family_id,
                    heavily_burdened: i32::from(body.heavily_burdened),
                    mothers: body.mothers,
                    fathers: body.fathers,
                    enrolled_by: principal.subject.clone(),
                    enrolled_at: db::now(),
                };
                store::insert_enrolment(connection, &row)?;
                audit.allowed(
                    connection,
                    "enrolment",
                    Some(&row.initiative_id),
                    Some(&row.family_id),
                )?;
                family_store::touch(connection, &family.id, row.enrolled_at)?;
                Ok((row, family.display_name))
            })
        })
        .await?;
    let location = format!("/api/v1/initiatives/{}/enrolments", row.initiative_id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(enrolment_out(row, display_name)?))
}

/// Unenrols a family.
#[utoipa::path(
    tag = "initiatives",
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("family_id" = Uuid, Path, description = "Family id"),
    ),
    responses(
        (status = 204, description = "Unenrolled"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[delete("/initiatives/{id}/enrolments/{family_id}")]
pub async fn unenrol_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let (initiative_id, family_id) = path.into_inner();
    let (initiative_id, family_id) = (initiative_id.to_string(), family_id.to_string());
    db.run(move |connection| {
        db::write_transaction(connection, |connection| {
            find_with_families_in_scope(connection, &principal, &initiative_id)?;
            if !store::delete_enrolment(connection, &initiative_id, &family_id)? {
                return Err(ApiError::NotFound);
            }
            audit.allowed(
                connection,
                "enrolment",
                Some(&initiative_id),
                Some(&family_id),
            )?;
            family_store::touch(connection, &family_id, db::now())?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The handbook's team-composition check for a closed initiative: counts and warnings.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = Composition),
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
#[get("/initiatives/{id}/composition")]
pub async fn team_composition(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let (initiative, rows) = db
        .run(move |connection| {
            let initiative = find_with_families_in_scope(connection, &principal, &id)?;
            if initiative.format != InitiativeFormat::Closed.code() {
                return Err(ApiError::Conflict(
                    "team composition applies to closed initiatives; this one is open".into(),
                ));
            }
            audit.allowed(connection, "enrolment", Some(&id), None)?;
            Ok((
                initiative,
                store::enrolments_with_families(connection, &id)?,
            ))
        })
        .await?;
    let participants = rows
        .into_iter()
        .map(|(enrolment, family)| {
            Ok(Participant {
                heavily_burdened: enrolment.heavily_burdened != 0,
                mothers: enrolment.mothers,
                fathers: enrolment.fathers,
                languages: from_json(&family.languages, "languages")?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let result = composition(
        &participants,
        initiative.fathers_wanted != 0,
        initiative.interpreter_present != 0,
    );
    Ok(HttpResponse::Ok().json(result))
}
