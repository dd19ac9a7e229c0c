//! Families, contacts and consents in scope and as responses.

use actix_web::http::StatusCode;

use super::types::{Consent, Contact, Family};
use crate::api::audit::record::Access;
use crate::api::audit::AuditContext;
use crate::api::idempotency::Rendered;
use crate::api::stored_uuid;
use crate::auth::policy::{guards_family_of, reaches_families_of};
use crate::auth::Principal;
use crate::db::areas as area_store;
use crate::db::families::{self as store, ConsentRow, ContactRow, FamilyRow};
use crate::db::{self, from_json, DbConnection};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::{
    consent_state, ConsentForm, ConsentGiver, ConsentPurpose, ContactKind, DataCategory,
    GiverRelation,
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
        given_by: match (row.given_by_name, row.given_by_relation) {
            (Some(name), Some(relation)) => Some(ConsentGiver {
                name,
                relation: GiverRelation::parse(&relation).ok_or_else(|| corrupt("relation"))?,
            }),
            _ => None,
        },
        document_reference: row.document_reference,
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
    in_scope(store::find(connection, id)?, principal)
}

/// The family found, if the caller works in its area; 404 otherwise.
pub fn in_scope(found: Option<FamilyRow>, principal: &Principal) -> Result<FamilyRow, ApiError> {
    found
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

/// The family if the caller guards it (its area's workers, and the data
/// protection officer of the area's housing organisation); 404 otherwise.
pub(super) fn guarded_family(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<FamilyRow, ApiError> {
    let family = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    let area = area_store::find(connection, &family.area_id)?.ok_or(ApiError::NotFound)?;
    if guards_family_of(principal, &area.id, &area.organisation_code) {
        Ok(family)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The consent and its family, if the caller works in the family's area.
pub(super) fn consent_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(ConsentRow, FamilyRow), ApiError> {
    let consent = store::find_consent(connection, id)?.ok_or(ApiError::NotFound)?;
    let family = family_in_scope(connection, principal, &consent.family_id)?;
    Ok((consent, family))
}

/// The family `id` as a response to the caller (404 outside its scope),
/// recorded in the audit trail as read.
pub fn render_family(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let row = family_in_scope(connection, principal, id)?;
    audit.allowed(connection, family_read(&row))?;
    rendered_family(&row, status)
}

/// What reading the family `row` is in the audit trail.
pub fn family_read(row: &FamilyRow) -> Access<'_> {
    Access::new("family", &row.id, &row.area_id).of_family(Some(&row.id))
}

/// The family `row` as a response, with its ETag and location.
pub fn rendered_family(row: &FamilyRow, status: StatusCode) -> Result<Rendered, ApiError> {
    Ok(Rendered::new(status, &family_out(row)?)?
        .with_etag(row.version)
        .located_at(|| format!("/api/v1/families/{}", row.id)))
}

/// The family `id` in the caller's scope, its `resource_type` records (its
/// contact log, its consents) audited as read as a whole.
pub(super) fn read_family(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    resource_type: &str,
) -> Result<FamilyRow, ApiError> {
    let family = family_in_scope(connection, principal, id)?;
    let access = Access {
        resource_type,
        resource_id: None,
        family_id: Some(&family.id),
        area_id: Some(&family.area_id),
    };
    audit.allowed(connection, access)?;
    Ok(family)
}

/// The contact-log entry `id` as a response to the caller, audited.
pub(super) fn render_contact(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let contact = store::find_contact(connection, id)?.ok_or(ApiError::NotFound)?;
    let family = family_in_scope(connection, principal, &contact.family_id)?;
    audit.allowed(
        connection,
        Access::new("contact", &contact.id, &family.area_id).of_family(Some(&family.id)),
    )?;
    let location = format!("/api/v1/families/{}/contacts", family.id);
    Ok(Rendered::new(status, &contact_out(contact)?)?.located_at(|| location))
}

/// The consent `id` as a response to the caller, audited.
pub(super) fn render_consent(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let (consent, family) = consent_in_scope(connection, principal, id)?;
    audit.allowed(
        connection,
        Access::new("consent", &consent.id, &family.area_id).of_family(Some(&family.id)),
    )?;
    let location = format!("/api/v1/consents/{}", consent.id);
    Ok(Rendered::new(status, &consent_out(consent)?)?.located_at(|| location))
}

pub(crate) fn current_year() -> i32 {
    use chrono::Datelike;
    db::today().year()
}
