//! A referral as one of its ends sees it: the one place that shapes a referral
//! for a response, whichever path emits it (read, list, creation, export).

use actix_web::http::StatusCode;
use uuid::Uuid;

use super::types::{Referral, ReferralEvent};
use crate::api::etag::etag;
use crate::api::idempotency::StoredResponse;
use crate::api::stored_uuid;
use crate::auth::policy::end_held;
use crate::auth::Principal;
use crate::db::families as family_store;
use crate::db::referrals::{self as store, EventRow, ReferralRow};
use crate::db::{self, from_json, DbConnection};
use crate::domain::assessment::Side;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::{consent_state, ConsentPurpose, ConsentState, DataCategory};
use crate::domain::referral::{
    allowed_transitions, shows_shared_data, Direction, Outcome, ReferralStatus,
};
use crate::domain::sharing::{stated_consent_holds, SharedData};
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

pub(super) fn categories_of(row: &ReferralRow) -> Result<Vec<DataCategory>, ApiError> {
    let codes: Vec<String> = from_json(&row.shared_categories, "categories")?;
    codes
        .iter()
        .map(|code| DataCategory::parse(code).ok_or_else(|| corrupt("category")))
        .collect()
}

/// The end of the referral the caller holds; 404 when it holds neither.
pub fn referral_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(ReferralRow, Side), ApiError> {
    let row = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    let side = end_held(principal, &row.area_id, &row.municipality_code, &row.unit)
        .ok_or(ApiError::NotFound)?;
    Ok((row, side))
}

/// Whether the consent behind the referral holds today.
pub(super) fn consent_holds(
    connection: &mut DbConnection,
    row: &ReferralRow,
    direction: Direction,
) -> Result<bool, ApiError> {
    let today = db::today();
    Ok(match direction {
        Direction::ToMunicipality => match &row.consent_id {
            Some(consent_id) => {
                family_store::find_consent(connection, consent_id)?.is_some_and(|consent| {
                    consent_state(
                        consent.valid_from,
                        consent.valid_until,
                        consent.withdrawn_at.is_some(),
                        today,
                    ) == ConsentState::Active
                })
            }
            None => false,
        },
        Direction::ToInitiative => row
            .consent_valid_until
            .is_some_and(|until| stated_consent_holds(until, today)),
    })
}

/// The referral as one end (`side`) sees it.
pub fn view(
    connection: &mut DbConnection,
    row: &ReferralRow,
    side: Side,
) -> Result<Referral, ApiError> {
    let direction = direction_of(row)?;
    let role = direction.role_of(side);
    let shown = shows_shared_data(role, consent_holds(connection, row, direction)?);
    let shared_data: Option<SharedData> = match (&row.shared_data, shown) {
        (Some(data), true) => Some(from_json(data, "shared data")?),
        _ => None,
    };
    let housing_side = side == Side::HousingSocial;
    let status = status_of(&row.status)?;
    let resume = row.resume_status.as_deref().map(status_of).transpose()?;
    let own = |id: &Option<String>| -> Result<Option<Uuid>, ApiError> {
        match housing_side {
            true => id.as_deref().map(stored_uuid).transpose(),
            false => Ok(None),
        }
    };
    Ok(Referral {
        id: stored_uuid(&row.id)?,
        direction,
        status,
        purpose: ConsentPurpose::parse(&row.purpose).ok_or_else(|| corrupt("purpose"))?,
        purpose_note: row.purpose_note.clone(),
        area_id: stored_uuid(&row.area_id)?,
        initiative_id: row.initiative_id.as_deref().map(stored_uuid).transpose()?,
        municipality_code: row.municipality_code.clone(),
        unit: MunicipalUnit::parse(&row.unit).map_err(|_| corrupt("unit"))?,
        shared_categories: categories_of(row)?,
        shared_data,
        shared_data_redacted: !shown,
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

/// The referral as a response that an idempotent request can record.
pub fn stored(
    status: StatusCode,
    referral: &Referral,
    version: i32,
) -> Result<StoredResponse, ApiError> {
    Ok(StoredResponse {
        status,
        body: serde_json::to_value(referral).map_err(ApiError::internal)?,
        location: Some(format!("/api/v1/referrals/{}", referral.id)),
        etag: Some(etag(version)),
    })
}

pub fn events_out(rows: Vec<EventRow>) -> Result<Vec<ReferralEvent>, ApiError> {
    rows.into_iter()
        .map(|row| {
            Ok(ReferralEvent {
                id: stored_uuid(&row.id)?,
                occurred_at: row.occurred_at.and_utc(),
                actor: row.actor,
                side: Side::parse(&row.side).ok_or_else(|| corrupt("side"))?,
                from: row.from_status.as_deref().map(status_of).transpose()?,
                to: status_of(&row.to_status)?,
                reason: row.reason,
            })
        })
        .collect()
}
