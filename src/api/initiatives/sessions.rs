//! `initiatives/{id}/sessions`: sessions held and who attended.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{NewSession, Session};
use super::view::{find_in_scope, find_with_families_in_scope, session_out, status_of};
use crate::api::audit::AuditContext;
use crate::api::json;
use crate::api::responses::{AddFailures, ConflictFailure, ReadFailures};
use crate::auth::policy::reaches_families_of;
use crate::auth::{op, Allowed};
use crate::db::families as family_store;
use crate::db::initiatives::{self as store, SessionRow};
use crate::db::{self, Database};
use crate::domain::initiative::{InitiativeFormat, InitiativeStatus};
use crate::domain::validation::{guarded_text, optional_guarded_text, FieldError, Violations};
use crate::error::ApiError;

/// Sessions held, with attendance counts; attendee ids only for the area's workers.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = Vec<Session>),
        ReadFailures,
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

/// Records a session held and who attended.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    request_body = NewSession,
    responses(
        (status = 201, body = Session, headers(("Location" = String, description = "URL of the initiative's sessions"))),
        AddFailures, ConflictFailure,
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
