//! `initiatives/{id}/calendar.ics` and `areas/{id}/calendar.ics`.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::ics::{calendar, feed_starts};
use crate::api::areas::view::area_for_work;
use crate::api::responses::ReadFailures;
use crate::auth::policy::reaches_area_work;
use crate::auth::{op, Allowed};
use crate::db::initiatives::{self as initiative_store, InitiativeRow};
use crate::db::reports;
use crate::db::{self, Database};
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
#[get("/initiatives/{id}/calendar.ics")]
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
            let sessions = initiative_store::calendar_sessions(
                connection,
                std::slice::from_ref(&initiative.id),
                feed_starts(db::today()),
            )?;
            let entries: Vec<(&InitiativeRow, _)> = sessions
                .into_iter()
                .map(|session| (&initiative, session))
                .collect();
            calendar(&format!("{} – {}", initiative.title, area.name), &entries)
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
#[get("/areas/{id}/calendar.ics")]
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
        })
        .await?;
    Ok(ics(body))
}
