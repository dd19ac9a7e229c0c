//! `initiatives/{id}/calendar.ics` and `areas/{id}/calendar.ics`.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::ics::{calendar, feed_starts};
use crate::api::areas::view::area_for_work;
use crate::api::responses::{ReadFailures, SecretAddressFailures};
use crate::auth::policy::reaches_area_work;
use crate::auth::{op, Allowed};
use crate::db::areas::{self as area_store, AreaRow};
use crate::db::calendar_links as link_store;
use crate::db::initiatives::{self as initiative_store, InitiativeRow};
use crate::db::reports;
use crate::db::{self, Database, DbConnection};
use crate::domain::calendar_link::CalendarToken;
use crate::error::ApiError;

fn ics(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "inline; filename=\"familiebro.ics\"",
        ))
        .body(body)
}

/// The initiative's sessions (planned, held and cancelled, from 90 days back)
/// as an iCalendar feed (RFC 5545). No personal data: day, time, place,
/// theme, speaker, languages.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, description = "iCalendar feed", content_type = "text/calendar", body = String),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/calendar.ics")]
pub async fn initiative_calendar(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let body = db
        .run(move |connection| {
            let (initiative, area) = initiative_store::find_with_area(connection, &id)?
                .filter(|(_, area)| {
                    reaches_area_work(&principal, &area.id, &area.municipality_code)
                })
                .ok_or(ApiError::NotFound)?;
            initiative_feed(connection, &initiative, &area)
        })
        .await?;
    Ok(ics(body))
}

/// Every initiative's sessions in the area (from 90 days back) as one
/// iCalendar feed (RFC 5545), for the team's and partners' calendars.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id")),
    responses(
        (status = 200, description = "iCalendar feed", content_type = "text/calendar", body = String),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/calendar.ics")]
pub async fn area_calendar(
    caller: Allowed<op::ReadInitiatives>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let body = db
        .run(move |connection| {
            let area = area_for_work(connection, &principal, &id)?;
            area_feed(connection, &area)
        })
        .await?;
    Ok(ics(body))
}

/// The feed behind a calendar link's secret address, for calendars that cannot
/// send a bearer token (Outlook, Google Calendar): the link's initiative, or
/// every initiative of its area. The address is the credential; 404 when it
/// names no link (or one that was deleted).
#[utoipa::path(
    tag = "areas",
    params(("token" = String, Path, description = "The secret of the calendar link")),
    responses(
        (status = 200, description = "iCalendar feed", content_type = "text/calendar", body = String),
        SecretAddressFailures,
    ),
)]
#[get("/calendar/{token}.ics")]
pub async fn subscribed_calendar(
    db: web::Data<Database>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = CalendarToken::parse(&token.into_inner()).ok_or(ApiError::NotFound)?;
    let body = db
        .run(move |connection| {
            let link = link_store::find_by_digest(connection, &token.digest())?
                .ok_or(ApiError::NotFound)?;
            match &link.initiative_id {
                Some(initiative_id) => {
                    let (initiative, area) =
                        initiative_store::find_with_area(connection, initiative_id)?
                            .ok_or(ApiError::NotFound)?;
                    initiative_feed(connection, &initiative, &area)
                }
                None => {
                    let area =
                        area_store::find(connection, &link.area_id)?.ok_or(ApiError::NotFound)?;
                    area_feed(connection, &area)
                }
            }
        })
        .await?;
    Ok(ics(body))
}

/// One initiative's sessions from 90 days back.
fn initiative_feed(
    connection: &mut DbConnection,
    initiative: &InitiativeRow,
    area: &AreaRow,
) -> Result<String, ApiError> {
    let sessions = initiative_store::calendar_sessions(
        connection,
        std::slice::from_ref(&initiative.id),
        feed_starts(db::today()),
    )?;
    let entries: Vec<(&InitiativeRow, _)> = sessions
        .into_iter()
        .map(|session| (initiative, session))
        .collect();
    calendar(&format!("{} – {}", initiative.title, area.name), &entries)
}

/// Every initiative's sessions in the area from 90 days back.
fn area_feed(connection: &mut DbConnection, area: &AreaRow) -> Result<String, ApiError> {
    let from = feed_starts(db::today());
    let initiatives = reports::initiatives_in(
        connection,
        &area.id,
        crate::db::statistics::Period {
            from,
            to: from + chrono::Duration::days(3650),
        },
    )?;
    let ids: Vec<String> = initiatives
        .iter()
        .map(|initiative| initiative.id.clone())
        .collect();
    let sessions = initiative_store::calendar_sessions(connection, &ids, from)?;
    let entries: Vec<(&InitiativeRow, _)> = sessions
        .into_iter()
        .filter_map(|session| {
            initiatives
                .iter()
                .find(|initiative| initiative.id == session.initiative_id)
                .map(|initiative| (initiative, session))
        })
        .collect();
    calendar(
        &format!("Boligsociale aktiviteter – {}", area.name),
        &entries,
    )
}
