//! An area as a response, for every path that emits one.

use actix_web::http::StatusCode;

use super::types::Area;
use crate::api::idempotency::Rendered;
use crate::auth::policy::{reaches_area_work, reaches_families_of, AreaVisibility};
use crate::auth::Principal;
use crate::db::areas::{self as store, AreaRow};
use crate::db::DbConnection;
use crate::error::ApiError;

/// The area `id` if the caller may see it (404 otherwise), with its ETag.
pub fn render(
    connection: &mut DbConnection,
    visibility: AreaVisibility,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    render_found(store::find(connection, id)?, visibility, status)
}

/// The area found, if the caller may see it (404 otherwise), with its ETag.
pub fn render_found(
    found: Option<AreaRow>,
    visibility: AreaVisibility,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let row = found
        .filter(|row| visibility.includes(&row.municipality_code))
        .ok_or(ApiError::NotFound)?;
    let version = row.version;
    let area = Area::from(row);
    Ok(Rendered::new(status, &area)?
        .with_etag(version)
        .located_at(|| format!("/api/v1/areas/{}", area.id)))
}

/// An area named in a request body as one the caller works in: it must exist
/// and be one of the caller's (422 on `area_id` otherwise).
pub fn working_area(
    connection: &mut DbConnection,
    principal: &Principal,
    area_id: &str,
) -> Result<AreaRow, ApiError> {
    area_for_team(connection, principal, area_id).map_err(|error| match error {
        ApiError::NotFound => ApiError::validation("area_id", "is not an area you work in"),
        other => other,
    })
}

/// The area `area_id` if the caller is on its housing-social team (works with
/// its families); 404 otherwise, as for an unknown area.
pub fn area_for_team(
    connection: &mut DbConnection,
    principal: &Principal,
    area_id: &str,
) -> Result<AreaRow, ApiError> {
    store::find(connection, area_id)?
        .filter(|area| reaches_families_of(principal, &area.id))
        .ok_or(ApiError::NotFound)
}

/// The area `area_id` if the caller reaches its aggregate work (both sides of
/// it, analysts of its municipality); 404 otherwise, as for an unknown area.
pub fn area_for_work(
    connection: &mut DbConnection,
    principal: &Principal,
    area_id: &str,
) -> Result<AreaRow, ApiError> {
    reached_for_work(store::find(connection, area_id)?, principal)
}

/// The area found, if the caller reaches its aggregate work; 404 otherwise.
pub fn reached_for_work(
    found: Option<AreaRow>,
    principal: &Principal,
) -> Result<AreaRow, ApiError> {
    found
        .filter(|area| reaches_area_work(principal, &area.id, &area.municipality_code))
        .ok_or(ApiError::NotFound)
}
