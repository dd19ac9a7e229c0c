//! A referral as one of its ends sees it: the one place that shapes a referral
//! for a response, whichever path emits it (read, list, creation, transition,
//! replay, export). Before it is shown, a referral whose consent has lapsed is
//! redacted (once, with a new version and an event), so what a receiver sees
//! and the version it polls always change together.

use actix_web::http::StatusCode;
use uuid::Uuid;

use super::types::{Referral, ReferralEvent};
use crate::api::audit::{Access, AuditContext};
use crate::api::idempotency::Rendered;
use crate::api::stored_uuid;
use crate::auth::policy::{referral_side, ReferralParties};
use crate::auth::Principal;
use crate::db::referrals::{self as store, EventRow, ReferralRow};
use crate::db::{self, from_json, DbConnection};
use crate::domain::assessment::Side;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::{ConsentPurpose, DataCategory};
use crate::domain::referral::{
    allowed_transitions, shows_shared_data, Direction, EventKind, Outcome, ReferralStatus,
};
use crate::domain::sharing::SharedData;
use crate::error::ApiError;

pub fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored referral has an invalid {what}"))
}

pub fn status_of(code: &str) -> Result<ReferralStatus, ApiError> {
    ReferralStatus::parse(code).ok_or_else(|| corrupt("status"))
}

pub fn direction_of(row: &ReferralRow) -> Result<Direction, ApiError> {
    Direction::parse(&row.direction).ok_or_else(|| corrupt("direction"))
}

fn categories_of(row: &ReferralRow) -> Result<Vec<DataCategory>, ApiError> {
    let codes: Vec<String> = from_json(&row.shared_categories, "categories")?;
    codes
        .iter()
        .map(|code| DataCategory::parse(code).ok_or_else(|| corrupt("category")))
        .collect()
}

/// The side the caller may see `row` from, if any.
pub fn side_of(principal: &Principal, row: &ReferralRow) -> Result<Option<Side>, ApiError> {
    Ok(referral_side(
        principal,
        ReferralParties {
            area_id: &row.area_id,
            municipality_code: &row.municipality_code,
            unit: &row.unit,
            direction: direction_of(row)?,
            status: status_of(&row.status)?,
        },
    ))
}

/// The referral and the side the caller sees it from; 404 when it sees it from neither.
pub fn referral_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(ReferralRow, Side), ApiError> {
    let row = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    let side = side_of(principal, &row)?.ok_or(ApiError::NotFound)?;
    Ok((row, side))
}

/// `row` as it stands now: redacted first, once, when its consent has lapsed.
pub fn current(connection: &mut DbConnection, row: ReferralRow) -> Result<ReferralRow, ApiError> {
    Ok(store::with_lapses_applied(connection, row, db::now())?)
}

/// The referral `row` (brought up to date) as one end (`side`) sees it.
pub fn view(
    connection: &mut DbConnection,
    row: ReferralRow,
    side: Side,
) -> Result<Referral, ApiError> {
    shape(&current(connection, row)?, side)
}

/// The referral as one end sees it: the receiver loses the shared data and the
/// sender's free text once the view is redacted; family and consent ids stay
/// on the housing-social side.
fn shape(row: &ReferralRow, side: Side) -> Result<Referral, ApiError> {
    let direction = direction_of(row)?;
    let role = direction.role_of(side);
    let redacted = row.redacted_at.is_some();
    let shown = shows_shared_data(role, redacted);
    let shared_data: Option<SharedData> = match (&row.shared_data, shown) {
        (Some(data), true) => Some(from_json(data, "shared data")?),
        _ => None,
    };
    let status = status_of(&row.status)?;
    let resume = row.resume_status.as_deref().map(status_of).transpose()?;
    let own = |id: &Option<String>| -> Result<Option<Uuid>, ApiError> {
        match side {
            Side::HousingSocial => id.as_deref().map(stored_uuid).transpose(),
            Side::Municipal => Ok(None),
        }
    };
    Ok(Referral {
        id: stored_uuid(&row.id)?,
        direction,
        status,
        purpose: ConsentPurpose::parse(&row.purpose).ok_or_else(|| corrupt("purpose"))?,
        purpose_note: row.purpose_note.clone().filter(|_| shown),
        area_id: stored_uuid(&row.area_id)?,
        initiative_id: row.initiative_id.as_deref().map(stored_uuid).transpose()?,
        municipality_code: row.municipality_code.clone(),
        unit: MunicipalUnit::parse(&row.unit).map_err(|_| corrupt("unit"))?,
        shared_categories: categories_of(row)?,
        shared_data,
        shared_data_redacted: !shown,
        redaction_reason: row
            .redaction_reason
            .as_deref()
            .map(|code| {
                crate::domain::referral::RedactionReason::parse(code)
                    .ok_or_else(|| corrupt("redaction reason"))
            })
            .transpose()?,
        family_id: own(&row.family_id)?,
        consent_id: own(&row.consent_id)?,
        consent_statement: row
            .consent_statement
            .as_deref()
            .map(|text| from_json(text, "consent statement"))
            .transpose()?,
        outcome: row
            .outcome
            .as_deref()
            .map(|code| Outcome::parse(code).ok_or_else(|| corrupt("outcome")))
            .transpose()?,
        outcome_note: row.outcome_note.clone(),
        allowed_transitions: allowed_transitions(status, resume, role),
        requested_at: row.requested_at.map(|at| at.and_utc()),
        accepted_at: row.accepted_at.map(|at| at.and_utc()),
        closed_at: row.closed_at.map(|at| at.and_utc()),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// Referral `id` as a response to the caller: scope-checked (404 when out of
/// it), brought up to date, shaped for the caller's end and audited as read.
pub fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let (row, side) = referral_in_scope(connection, principal, id)?;
    let access = Access::new("referral", &row.id, &row.area_id).of_family(row.family_id.as_deref());
    audit.allowed(connection, access)?;
    let row = current(connection, row)?;
    let referral = shape(&row, side)?;
    Ok(Rendered::new(status, &referral)?
        .with_etag(row.version)
        .located_at(|| format!("/api/v1/referrals/{}", row.id)))
}

/// The events of a referral; the reasons given by `hidden_side` are left out
/// (the sender's free text, once a receiver's view is redacted).
pub fn events_out(
    rows: Vec<EventRow>,
    hidden_side: Option<Side>,
) -> Result<Vec<ReferralEvent>, ApiError> {
    rows.into_iter()
        .map(|row| {
            let side = Side::parse(&row.side).ok_or_else(|| corrupt("side"))?;
            let kind = EventKind::parse(&row.kind).ok_or_else(|| corrupt("event kind"))?;
            let hide = kind == EventKind::StatusChanged && Some(side) == hidden_side;
            Ok(ReferralEvent {
                id: stored_uuid(&row.id)?,
                occurred_at: row.occurred_at.and_utc(),
                kind,
                actor: row.actor,
                side,
                from: row.from_status.as_deref().map(status_of).transpose()?,
                to: status_of(&row.to_status)?,
                reason: row.reason.filter(|_| !hide),
            })
        })
        .collect()
}

/// Whose reasons `side` may not read in the events of `row`: the sender's,
/// when `side` receives and its view is redacted.
pub fn hidden_reasons(row: &ReferralRow, side: Side) -> Result<Option<Side>, ApiError> {
    let direction = direction_of(row)?;
    let redacted = row.redacted_at.is_some();
    Ok((!shows_shared_data(direction.role_of(side), redacted)).then(|| direction.sender()))
}
