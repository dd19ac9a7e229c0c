//! `GET /changes`.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::feed_scope;
use crate::api::query;
use crate::api::responses::FeedFailures;
use crate::auth::policy::change_feed_scope;
use crate::auth::{op, Allowed};
use crate::db::changes::{self as store, FeedWindow};
use crate::db::Database;
use crate::domain::changes::{Entry, Position};
use crate::error::ApiError;
use crate::outbox::OutboxSettings;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next_cursor` (or an entry's `cursor`) kept from before; leave it
    /// out to start from the oldest entry kept.
    pub after: Option<String>,
    /// Entries per page, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<Entry>,
    /// Keep it and pass it as `after` next time, also when `items` is empty.
    pub next_cursor: String,
}

/// What changed that the caller may see, oldest first: referrals and concern
/// reports at its end, its areas' (or municipality's) assessments, initiatives,
/// sessions and areas, and for an area team its families. An entry names the
/// change and the resource, never data about a person: fetch the resource to
/// see it as the policy allows. A client that keeps the last cursor never
/// misses an entry and never gets one twice. Entries are kept at least
/// `FAMILIEBRO_CHANGE_RETENTION_DAYS` (30) days; an older cursor is 410.
#[utoipa::path(
    tag = "changes",
    params(ChangesQuery),
    responses((status = 200, body = ChangePage), FeedFailures),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_changes(
    caller: Allowed<op::ReadChanges>,
    db: web::Data<Database>,
    settings: web::Data<OutboxSettings>,
    query: query::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::parameter(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let after = query
        .after
        .as_deref()
        .map(Position::parse)
        .transpose()
        .map_err(|message| ApiError::parameter("after", message))?;
    let scope = feed_scope(change_feed_scope(&caller.principal)).ok_or(ApiError::Forbidden)?;
    let retention_days = settings.retention_days;
    let rows = db
        .run(move |connection| {
            if let Some(after) = after {
                if after < store::pruned_through(connection)? {
                    return Err(ApiError::CursorExpired(retention_days));
                }
            }
            let window = FeedWindow {
                after: after.unwrap_or_default(),
                limit,
                ..FeedWindow::default()
            };
            Ok(store::page(connection, &scope, &window)?)
        })
        .await?;
    let next = rows
        .last()
        .map(|row| row.position())
        .or(after)
        .unwrap_or_default();
    let items = rows
        .iter()
        .map(|row| row.entry())
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ChangePage {
        items,
        next_cursor: next.cursor(),
    }))
}
