//! Calendar links: secret subscription addresses of an area's or an
//! initiative's calendar feed, for calendars that cannot send a bearer token.
//! The area's team makes and deletes them; the address is shown when the link
//! is made (and on a replay of that request), never in lists.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::areas::view::area_for_team;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome, Rendered};
use crate::api::pagination::{page_response, Page, PageQuery};
use crate::api::responses::{AddFailures, RateFailure, ReadFailures};
use crate::api::{json, query, stored_uuid};
use crate::auth::{op, Allowed, Principal};
use crate::db::calendar_links::{self as store, CalendarLinkRow};
use crate::db::initiatives as initiative_store;
use crate::db::sealed::DataKeys;
use crate::db::{self, Database, DbConnection};
use crate::domain::calendar_link::CalendarToken;
use crate::error::ApiError;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"initiative_id": "01934b6e-7c8d-7a3b-9f1e-2d4c6b8a0e12"}))]
pub struct NewCalendarLink {
    /// The initiative whose sessions the feed shows; left out, every
    /// initiative of the area.
    #[serde(default)]
    pub initiative_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarLink {
    pub id: Uuid,
    pub area_id: Uuid,
    pub initiative_id: Option<Uuid>,
    /// The address to subscribe to (`…/calendar/<secret>.ics`): only in the
    /// response that made the link. Whoever holds it reads the feed (sessions
    /// only, no personal data); share it like a password, delete the link to
    /// end it.
    pub url: Option<String>,
    /// Who made the link (the token's subject).
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn link_out(row: CalendarLinkRow, url: Option<String>) -> Result<CalendarLink, ApiError> {
    Ok(CalendarLink {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        initiative_id: row.initiative_id.as_deref().map(stored_uuid).transpose()?,
        url,
        created_by: row.created_by,
        created_at: row.created_at.and_utc(),
    })
}

/// The link if the caller is on its area's team; 404 otherwise.
fn link_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<CalendarLinkRow, ApiError> {
    let link = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    area_for_team(connection, principal, &link.area_id)?;
    Ok(link)
}

/// Makes a secret address for the area's calendar feed (or one initiative's),
/// for Outlook, Google Calendar and other calendars that subscribe by URL.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id"), IdempotencyKeyHeader),
    request_body = NewCalendarLink,
    responses(
        (status = 201, body = CalendarLink, headers(("Location" = String, description = "URL of the link"))),
        AddFailures,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/calendar-links")]
pub async fn create_link(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    keys: web::Data<DataKeys>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewCalendarLink>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let area_id = id.into_inner().to_string();
    let link_id = Uuid::now_v7().to_string();
    let token = CalendarToken::generate();
    let row = CalendarLinkRow {
        token_digest: token.digest(),
        token_sealed: keys
            .seal(token.as_str(), &link_id)
            .map_err(ApiError::internal)?,
        id: link_id,
        area_id,
        initiative_id: new.initiative_id.map(|id| id.to_string()),
        created_by: principal.subject.clone(),
        created_at: db::now(),
    };
    let maker = principal.clone();
    let work = move |connection: &mut DbConnection| {
        area_for_team(connection, &maker, &row.area_id)?;
        if let Some(initiative_id) = &row.initiative_id {
            initiative_store::find_with_area(connection, initiative_id)?
                .filter(|(_, area)| area.id == row.area_id)
                .ok_or_else(|| {
                    ApiError::validation("initiative_id", "is not an initiative of this area")
                })?;
        }
        store::insert(connection, &row)?;
        Ok(Outcome::created(row.id))
    };
    let base = {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    };
    request
        .run(&db, work, move |connection, outcome| {
            let row = link_in_scope(connection, &principal, &outcome.resource_id)?;
            let token = keys
                .open(&row.token_sealed, &row.id)
                .map_err(ApiError::internal)?;
            let url = format!("{base}/calendar/{token}.ics");
            let location = format!("/api/v1/calendar-links/{}", row.id);
            Rendered::new(outcome.status, &link_out(row, Some(url))?)
                .map(|rendered| rendered.located_at(|| location))
        })
        .await
}

/// The area's calendar links, oldest first, without their addresses.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id"), PageQuery),
    responses(
        (status = 200, body = Page<CalendarLink>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/calendar-links")]
pub async fn list_links(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let area_id = id.into_inner().to_string();
    let page = query.into_inner().page()?;
    let (after, limit) = (page.after.clone(), page.fetch_limit());
    let rows = db
        .run(move |connection| {
            area_for_team(connection, &principal, &area_id)?;
            Ok(store::list(connection, &area_id, after, limit)?)
        })
        .await?;
    let key = |row: &CalendarLinkRow| row.id.clone();
    Ok(page_response(
        &req,
        page.try_into_page(rows, key, |row| link_out(row, None))?,
    ))
}

/// Deletes a calendar link: its address stops working at once.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Calendar link id")),
    responses((status = 204, description = "Deleted"), ReadFailures),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_link(
    caller: Allowed<op::WriteInitiatives>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let principal = caller.principal;
    db.run(move |connection| {
        db::write_transaction(connection, |connection| {
            link_in_scope(connection, &principal, &id)?;
            store::delete(connection, &id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
