//! `initiatives/{id}/sessions`: sessions held and who attended.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{NewSession, Session, SessionChanges};
use super::view::{
    find_in_scope, find_with_families_in_scope, session_out, session_status_of, status_of,
};
use crate::api::audit::{Access, AuditContext};
use crate::api::etag::IfMatch;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome, Rendered};
use crate::api::json;
use crate::api::pagination::{page_response, Page, PageQuery};
use crate::api::query;
use crate::api::responses::{
    AddFailures, ConflictFailure, RateFailure, ReadFailures, UpdateFailures,
};
use crate::api::statistics::SuppressionThreshold;
use crate::auth::policy::disclosure_for;
use crate::auth::{op, Allowed, Principal};
use crate::db::families as family_store;
use crate::db::initiatives::{self as store, InitiativeRow, SessionRow};
use crate::db::{self, Database, DbConnection};
use crate::domain::initiative::{check_headcount, language_list, InitiativeFormat, MAX_HEADCOUNT};
use crate::domain::session::{
    check_new, check_timing, ensure_session_allowed, ensure_session_change, SessionStatus, Timing,
};
use crate::domain::statistics::Disclosure;
use crate::domain::validation::{guarded_text, optional_guarded_text, FieldError, Violations};
use crate::error::ApiError;

/// Sessions held, by day, with attendance counts: exact, with attendee ids,
/// for the area's workers; suppressed when small, without ids, for everyone else.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id"), PageQuery),
    responses(
        (status = 200, body = Page<Session>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/sessions")]
pub async fn list_sessions(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let threshold = threshold.0;
    let id = id.into_inner().to_string();
    let page = query.into_inner().page()?;
    let (after, limit) = (page.after_pair()?, page.fetch_limit());
    let (rows, disclosure) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let (_, area) = find_in_scope(connection, &principal, &id)?;
                let disclosure = disclosure_for(&principal, &area.id, threshold);
                let rows = store::sessions_with_attendance(connection, &id, after, limit)?;
                for (session, attendees) in &rows {
                    audit_attendance(connection, &audit, disclosure, &area.id, session, attendees)?;
                }
                Ok((rows, disclosure))
            })
        })
        .await?;
    let key =
        |(session, _): &(SessionRow, Vec<String>)| format!("{}|{}", session.held_on, session.id);
    let shown = |(session, attendees)| session_out(session, attendees, disclosure);
    Ok(page_response(&req, page.try_into_page(rows, key, shown)?))
}

/// Records that the caller saw who attended `session` (only the area's team does).
fn audit_attendance(
    connection: &mut DbConnection,
    audit: &AuditContext,
    disclosure: Disclosure,
    area_id: &str,
    session: &SessionRow,
    attendees: &[String],
) -> Result<(), ApiError> {
    if disclosure != Disclosure::Exact {
        return Ok(());
    }
    let accesses = attendees.iter().map(|family_id| {
        Access::new("attendance", &session.id, area_id).of_family(Some(family_id))
    });
    audit.allowed_each(connection, accesses)
}

/// Session `id` as a response to the caller, its attendance audited when shown.
fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    threshold: i64,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let session = store::find_session(connection, id)?.ok_or(ApiError::NotFound)?;
    let (_, area) = find_in_scope(connection, principal, &session.initiative_id)?;
    let disclosure = disclosure_for(principal, &area.id, threshold);
    let attendees = store::attendees_of(connection, id)?;
    audit_attendance(
        connection, audit, disclosure, &area.id, &session, &attendees,
    )?;
    let location = format!("/api/v1/initiatives/{}/sessions", session.initiative_id);
    let version = version_of(&session);
    Ok(
        Rendered::new(status, &session_out(session, attendees, disclosure)?)?
            .with_etag(version)
            .located_at(|| location),
    )
}

/// A session's version for ETag and If-Match: one more than its calendar
/// SEQUENCE, which every change raises.
fn version_of(session: &SessionRow) -> i32 {
    session.sequence + 1
}

/// Records a session held and who attended.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id"), IdempotencyKeyHeader),
    request_body = NewSession,
    responses(
        (status = 201, body = Session, headers(
            ("Location" = String, description = "URL of the initiative's sessions"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/sessions")]
pub async fn add_session(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewSession>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let (session, attendees) = checked_session(id.into_inner(), body.into_inner())?;
    let recorder = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let initiative =
            find_with_families_in_scope(connection, &recorder, &session.initiative_id)?;
        ensure_session_allowed(status_of(&initiative)?, session_status_of(&session)?)
            .map_err(ApiError::Conflict)?;
        check_headcount(initiative.plan()?.format, i64::from(session.headcount))
            .map_err(|message| ApiError::validation("headcount", message))?;
        check_attendees(connection, &initiative, &attendees)?;
        store::insert_session(connection, &session, &attendees)?;
        Ok(Outcome::created(session.id))
    };
    let threshold = threshold.0;
    request
        .run(&db, work, move |connection, outcome| {
            render(
                connection,
                &principal,
                &audit,
                threshold,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}

/// The session a request describes, and its attendees (each once).
fn checked_session(
    initiative_id: Uuid,
    new: NewSession,
) -> Result<(SessionRow, Vec<String>), ApiError> {
    let mut violations = Violations::new();
    if let Err(message) = check_new(new.status) {
        violations.add("status", message);
    }
    let theme = violations.check("theme", guarded_text(&new.theme, 200));
    let speaker = optional_text(new.speaker.as_deref(), "speaker", &mut violations);
    let place = optional_text(new.place.as_deref(), "place", &mut violations);
    let languages = language_list(&new.languages, "languages", &mut violations);
    let attendees = distinct(&new.attendee_family_ids);
    let headcount = violations.check(
        "headcount",
        i32::try_from(new.headcount).map_err(|_| format!("must be at most {MAX_HEADCOUNT}")),
    );
    let timing = Timing {
        status: new.status,
        day: new.held_on,
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        attendance: !attendees.is_empty() || new.headcount != 0,
    };
    check_timing(&timing, db::today(), &mut violations);
    let errors = violations.into_errors();
    let theme = match theme {
        Some(theme) if errors.is_empty() => theme,
        _ => return Err(ApiError::Validation(errors)),
    };
    let session = SessionRow {
        id: Uuid::now_v7().to_string(),
        initiative_id: initiative_id.to_string(),
        held_on: new.held_on,
        theme,
        speaker,
        created_at: db::now(),
        headcount: headcount.unwrap_or_default(),
        status: new.status.code().to_owned(),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        place,
        languages: db::to_json(&languages),
        interpreter_present: i32::from(new.interpreter_present),
        sequence: 0,
    };
    Ok((session, attendees))
}

fn optional_text(value: Option<&str>, field: &str, violations: &mut Violations) -> Option<String> {
    value
        .and_then(|text| violations.check(field, optional_guarded_text(text, 200)))
        .filter(|text| !text.is_empty())
}

fn distinct(ids: &[Uuid]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Moves a planned session, records it as held with its attendance, or
/// cancels it. Held and cancelled sessions are final (409).
#[utoipa::path(
    tag = "initiatives",
    params(
        ("id" = Uuid, Path, description = "Initiative id"),
        ("session_id" = Uuid, Path, description = "Session id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on (412 when the session has changed since)"),
    ),
    request_body = SessionChanges,
    responses(
        (status = 200, body = Session, headers(("ETag" = String, description = "Current version, for If-Match"))),
        UpdateFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[patch("/{id}/sessions/{session_id}")]
pub async fn update_session(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: json::Json<SessionChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let (initiative_id, session_id) = path.into_inner();
    let (initiative_id, session_id) = (initiative_id.to_string(), session_id.to_string());
    let changes = body.into_inner();
    let threshold = threshold.0;
    let if_match = IfMatch::from_request(&req)?;
    let rendered = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let initiative =
                    find_with_families_in_scope(connection, &principal, &initiative_id)?;
                let current = store::find_session(connection, &session_id)?
                    .filter(|session| session.initiative_id == initiative.id)
                    .ok_or(ApiError::NotFound)?;
                if_match.check(version_of(&current))?;
                let (changed, attendees) = changed_session(current, changes)?;
                let status = session_status_of(&changed)?;
                ensure_session_allowed(status_of(&initiative)?, status)
                    .map_err(ApiError::Conflict)?;
                check_headcount(initiative.plan()?.format, i64::from(changed.headcount))
                    .map_err(|message| ApiError::validation("headcount", message))?;
                check_attendees(connection, &initiative, &attendees)?;
                store::replace_session(connection, &changed, &attendees)?;
                render(
                    connection,
                    &principal,
                    &audit,
                    threshold,
                    &changed.id,
                    StatusCode::OK,
                )
            })
        })
        .await?;
    Ok(rendered.into_response())
}

/// `current` with `changes` made, checked; and the attendees when now held.
fn changed_session(
    current: SessionRow,
    changes: SessionChanges,
) -> Result<(SessionRow, Vec<String>), ApiError> {
    let from = session_status_of(&current)?;
    ensure_session_change(from).map_err(ApiError::Conflict)?;
    let to = changes.status.unwrap_or(from);
    let mut violations = Violations::new();
    let mut row = current;
    if let Some(theme) = changes.theme {
        if let Some(theme) = violations.check("theme", guarded_text(&theme, 200)) {
            row.theme = theme;
        }
    }
    if let Some(speaker) = changes.speaker {
        row.speaker = optional_text(speaker.as_deref(), "speaker", &mut violations);
    }
    if let Some(place) = changes.place {
        row.place = optional_text(place.as_deref(), "place", &mut violations);
    }
    if let Some(languages) = changes.languages {
        row.languages = db::to_json(&language_list(&languages, "languages", &mut violations));
    }
    if let Some(interpreter) = changes.interpreter_present {
        row.interpreter_present = i32::from(interpreter);
    }
    if let Some(day) = changes.held_on {
        row.held_on = day;
    }
    if let Some(starts_at) = changes.starts_at {
        row.starts_at = starts_at;
    }
    if let Some(ends_at) = changes.ends_at {
        row.ends_at = ends_at;
    }
    let attendees = distinct(changes.attendee_family_ids.as_deref().unwrap_or_default());
    let headcount = changes.headcount.unwrap_or(0);
    if to != SessionStatus::Held && (!attendees.is_empty() || headcount != 0) {
        violations.add(
            "attendee_family_ids",
            "attendance is recorded with status held",
        );
    }
    if let Some(headcount) = violations.check(
        "headcount",
        i32::try_from(headcount).map_err(|_| format!("must be at most {MAX_HEADCOUNT}")),
    ) {
        row.headcount = headcount;
    }
    if to != SessionStatus::Cancelled {
        let timing = Timing {
            status: to,
            day: row.held_on,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            attendance: false,
        };
        check_timing(&timing, db::today(), &mut violations);
    }
    violations.finish().map_err(ApiError::Validation)?;
    row.status = to.code().to_owned();
    row.sequence += 1;
    Ok((row, attendees))
}

/// Attendees must be families of the initiative's area; of a closed one, enrolled.
fn check_attendees(
    connection: &mut DbConnection,
    initiative: &InitiativeRow,
    attendees: &[String],
) -> Result<(), ApiError> {
    let closed = initiative.format == InitiativeFormat::Closed.code();
    let mut errors = Vec::new();
    for (index, family_id) in attendees.iter().enumerate() {
        let in_area = family_store::find(connection, family_id)?
            .is_some_and(|family| family.area_id == initiative.area_id);
        let allowed = in_area
            && (!closed || store::find_enrolment(connection, &initiative.id, family_id)?.is_some());
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
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}
