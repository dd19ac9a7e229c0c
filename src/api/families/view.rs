//! Families, contacts and consents in scope and as responses.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

use super::types::{Consent, Contact, Family};
use crate::api::etag::etag;
use crate::api::stored_uuid;
use crate::auth::policy::reaches_families_of;
use crate::auth::Principal;
use crate::db::families::{self as store, ConsentRow, ContactRow, FamilyRow};
use crate::db::{self, from_json, DbConnection};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::{
    consent_state, ConsentForm, ConsentPurpose, ContactKind, DataCategory,
};
use crate::error::ApiError;

pub(super) fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored family data has an invalid {what}"))
}

pub fn family_out(row: &FamilyRow) -> Result<Family, ApiError> {
    let record = row.record()?;
    Ok(Family {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        display_name: record.display_name,
        contact: record.contact,
        household: record.household,
        languages: record.languages,
        interpreter_needed: record.interpreter_needed,
        notes: record.notes,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

pub fn contact_out(row: ContactRow) -> Result<Contact, ApiError> {
    Ok(Contact {
        id: stored_uuid(&row.id)?,
        family_id: stored_uuid(&row.family_id)?,
        occurred_on: row.occurred_on,
        kind: ContactKind::parse(&row.kind).ok_or_else(|| corrupt("contact kind"))?,
        note: row.note,
        recorded_by: row.recorded_by,
        created_at: row.created_at.and_utc(),
    })
}

pub fn consent_out(row: ConsentRow) -> Result<Consent, ApiError> {
    let categories: Vec<String> = from_json(&row.data_categories, "data categories")?;
    Ok(Consent {
        id: stored_uuid(&row.id)?,
        family_id: stored_uuid(&row.family_id)?,
        receiving_unit: MunicipalUnit::parse(&row.receiving_unit).map_err(|_| corrupt("unit"))?,
        purpose: ConsentPurpose::parse(&row.purpose).ok_or_else(|| corrupt("purpose"))?,
        data_categories: categories
            .iter()
            .map(|code| DataCategory::parse(code).ok_or_else(|| corrupt("data category")))
            .collect::<Result<_, _>>()?,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        given_as: ConsentForm::parse(&row.given_as).ok_or_else(|| corrupt("consent form"))?,
        recorded_by: row.recorded_by,
        recorded_at: row.recorded_at.and_utc(),
        state: consent_state(
            row.valid_from,
            row.valid_until,
            row.withdrawn_at.is_some(),
            db::today(),
        ),
        withdrawn_at: row.withdrawn_at.map(|at| at.and_utc()),
        withdrawn_by: row.withdrawn_by,
    })
}

/// The family if the caller works in its area; 404 otherwise, as if it did not exist.
pub fn family_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<FamilyRow, ApiError> {
    store::find(connection, id)?
        .filter(|family| reaches_families_of(principal, &family.area_id))
        .ok_or(ApiError::NotFound)
}

/// A family named in a request body: one of the caller's areas, else 422 on
/// `family_id`. Other failures (a database outage) stay what they are.
pub fn referenced_family(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<FamilyRow, ApiError> {
    family_in_scope(connection, principal, id).map_err(|error| match error {
        ApiError::NotFound => {
            ApiError::validation("family_id", "is not a family of an area you work in")
        }
        other => other,
    })
}

/// The consent and its family, if the caller works in the family's area.
pub(super) fn consent_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<ConsentRow, ApiError> {
    let consent = store::find_consent(connection, id)?.ok_or(ApiError::NotFound)?;
    family_in_scope(connection, principal, &consent.family_id)?;
    Ok(consent)
}

pub(super) fn family_response(
    status: StatusCode,
    row: &FamilyRow,
) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(row.version)));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/families/{}", row.id)));
    }
    Ok(response.json(family_out(row)?))
}

/// The year today, for checking children's birth years.
pub(super) fn current_year() -> i32 {
    use chrono::Datelike;
    db::today().year()
}
