//! Individual data held by the housing-social side: `families`, their contact
//! log and consents. Only housing-social workers of the family's area reach it;
//! a worker of another area gets 404, every other role 403.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit::AuditContext;
use super::etag::{etag, IfMatch};
use super::json;
use super::pagination::{page_response, Page, PageRequest};
use super::present;
use super::problems::{
    BadRequest, Forbidden, InternalError, NotFound, PayloadTooLarge, PreconditionFailed,
    ServiceUnavailable, TooManyRequests, Unauthorized, UnprocessableEntity, UnsupportedMediaType,
};
use super::stored_uuid;
use crate::auth::policy::{family_areas, guards_family_of, reaches_families_of};
use crate::auth::{op, Allowed, Principal};
use crate::db::families::{self as store, ConsentRow, ContactRow, FamilyFilter, FamilyRow};
use crate::db::{self, erasure, from_json, to_json, Database, DbConnection};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::{
    consent_state, validate_consent_terms, ConsentForm, ConsentPurpose, ConsentState,
    ContactDetails, ContactKind, DataCategory, FamilyRecord, Household, TEXT_MAX_CHARS,
};
use crate::domain::validation::{optional_guarded_text, FieldError};
use crate::error::ApiError;
use crate::strict_json::{object, optional_object};

/// A family as the housing-social team records it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Family {
    pub id: Uuid,
    pub area_id: Uuid,
    /// A name the team chooses; not necessarily the family's legal name.
    pub display_name: String,
    pub contact: ContactDetails,
    pub household: Household,
    pub languages: Vec<String>,
    pub interpreter_needed: bool,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new family record. There is no field for CPR numbers, health or ethnic
/// origin, and free text containing a CPR number is rejected.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFamily {
    /// An area the caller works in.
    pub area_id: Uuid,
    pub display_name: String,
    #[serde(default, deserialize_with = "object")]
    pub contact: ContactDetails,
    #[serde(deserialize_with = "object")]
    pub household: Household,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub interpreter_needed: bool,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Changes to a family: absent fields stay; objects are replaced as a whole;
/// `notes: null` clears the notes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyChanges {
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "optional_object")]
    pub contact: Option<ContactDetails>,
    #[serde(default, deserialize_with = "optional_object")]
    pub household: Option<Household>,
    pub languages: Option<Vec<String>>,
    pub interpreter_needed: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FamilyListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only families of this area (one the caller works in).
    pub area_id: Option<Uuid>,
    /// Only families changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

/// One entry of a family's contact log.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: Uuid,
    pub family_id: Uuid,
    pub occurred_on: NaiveDate,
    pub kind: ContactKind,
    pub note: Option<String>,
    /// `sub` of the staff member who recorded it.
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    /// Not in the future.
    pub occurred_on: NaiveDate,
    pub kind: ContactKind,
    #[serde(default)]
    pub note: Option<String>,
}

/// A family's consent to share named categories of its data with one municipal
/// unit for one purpose, within a validity window.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    pub id: Uuid,
    pub family_id: Uuid,
    pub receiving_unit: MunicipalUnit,
    pub purpose: ConsentPurpose,
    pub data_categories: Vec<DataCategory>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub given_as: ConsentForm,
    /// `sub` of the staff member who recorded it.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    /// Whether it can be used today.
    pub state: ConsentState,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsent {
    pub receiving_unit: MunicipalUnit,
    pub purpose: ConsentPurpose,
    pub data_categories: Vec<DataCategory>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub given_as: ConsentForm,
}

fn corrupt(what: &str) -> ApiError {
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

fn family_response(status: StatusCode, row: &FamilyRow) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(row.version)));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/families/{}", row.id)));
    }
    Ok(response.json(family_out(row)?))
}

/// The families of the areas the caller works in.
#[utoipa::path(
    tag = "families",
    params(FamilyListQuery),
    responses(
        (status = 200, body = Page<Family>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/families")]
pub async fn list_families(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    query: web::Query<FamilyListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let audit = AuditContext::new(&caller.principal, &req);
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut area_ids = family_areas(&caller.principal);
    if let Some(area_id) = query.area_id.map(|id| id.to_string()) {
        area_ids.retain(|own| *own == area_id);
    }
    let filter = FamilyFilter {
        area_ids,
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let shown = page.limit as usize;
    let rows = db
        .run(move |connection| {
            let rows = store::list(connection, &filter)?;
            let listed = rows
                .iter()
                .take(shown)
                .map(|row| (row.id.as_str(), Some(row.id.as_str())));
            audit.allowed_each(connection, "family", listed)?;
            Ok(rows)
        })
        .await?;
    let page = page.into_page(rows, |row| row.id.clone(), |row| row);
    let items = page
        .items
        .iter()
        .map(family_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_response(
        &req,
        Page {
            items,
            next_cursor: page.next_cursor,
        },
    ))
}

/// Records a new family in an area the caller works in.
#[utoipa::path(
    tag = "families",
    request_body = NewFamily,
    responses(
        (status = 201, body = Family, headers(
            ("Location" = String, description = "URL of the new family"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/families")]
pub async fn create_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    body: json::Json<NewFamily>,
) -> Result<HttpResponse, ApiError> {
    let audit = AuditContext::new(&caller.principal, &req);
    let body = body.into_inner();
    let area_id = body.area_id.to_string();
    if !reaches_families_of(&caller.principal, &area_id) {
        return Err(ApiError::validation(
            "area_id",
            "is not an area you work in",
        ));
    }
    let record = FamilyRecord {
        display_name: body.display_name,
        contact: body.contact,
        household: body.household,
        languages: body.languages,
        interpreter_needed: body.interpreter_needed,
        notes: body.notes,
    }
    .validate(current_year())
    .map_err(ApiError::Validation)?;
    let now = db::now();
    let row = FamilyRow::from_record(Uuid::now_v7().to_string(), area_id, &record, 1, now);
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                store::insert(connection, &row)?;
                audit.allowed(connection, "family", Some(&row.id), Some(&row.id))?;
                Ok(row)
            })
        })
        .await?;
    family_response(StatusCode::CREATED, &row)
}

fn current_year() -> i32 {
    use chrono::Datelike;
    db::today().year()
}

/// One family.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    responses(
        (status = 200, body = Family, headers(("ETag" = String, description = "Current version, for If-Match"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/families/{id}")]
pub async fn get_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let row = db
        .run(move |connection| {
            let row = family_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "family", Some(&id), Some(&id))?;
            Ok(row)
        })
        .await?;
    family_response(StatusCode::OK, &row)
}

/// Changes a family record.
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "Family id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = FamilyChanges,
    responses(
        (status = 200, body = Family, headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[patch("/families/{id}")]
pub async fn update_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<FamilyChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = family_in_scope(connection, &principal, &id)?;
                if_match.check(current.version)?;
                let mut record = current.record()?;
                if let Some(name) = changes.display_name {
                    record.display_name = name;
                }
                if let Some(contact) = changes.contact {
                    record.contact = contact;
                }
                if let Some(household) = changes.household {
                    record.household = household;
                }
                if let Some(languages) = changes.languages {
                    record.languages = languages;
                }
                if let Some(interpreter_needed) = changes.interpreter_needed {
                    record.interpreter_needed = interpreter_needed;
                }
                if let Some(notes) = changes.notes {
                    record.notes = notes;
                }
                let record = record
                    .validate(current_year())
                    .map_err(ApiError::Validation)?;
                let updated = FamilyRow::from_record(
                    id,
                    current.area_id.clone(),
                    &record,
                    current.version + 1,
                    current.created_at,
                );
                if !store::replace_if_version(connection, &updated, current.version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                audit.allowed(connection, "family", Some(&updated.id), Some(&updated.id))?;
                Ok(updated)
            })
        })
        .await?;
    family_response(StatusCode::OK, &row)
}

/// Erases the family (its area's workers, or the data protection officer): its
/// record, contact log, consents, enrolments, attendance and the snapshots in its
/// referrals. Statistics keep anonymous counts; the audit trail keeps the family id.
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "Family id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version to delete"),
    ),
    responses(
        (status = 204, description = "Erased"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[delete("/families/{id}")]
pub async fn erase_family(
    caller: Allowed<op::EraseFamily>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    db.run(move |connection| {
        db::write_transaction(connection, |connection| {
            let current = store::find(connection, &id)?
                .filter(|family| guards_family_of(&principal, &family.area_id))
                .ok_or(ApiError::NotFound)?;
            if_match.check(current.version)?;
            erasure::erase_family(connection, &id)?;
            audit.allowed(connection, "family", Some(&id), Some(&id))?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::build(StatusCode::NO_CONTENT).finish())
}

/// The family's contact log, newest first.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    responses(
        (status = 200, body = Vec<Contact>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/families/{id}/contacts")]
pub async fn list_contacts(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rows = db
        .run(move |connection| {
            family_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "contact", None, Some(&id))?;
            Ok(store::contacts_of(connection, &id)?)
        })
        .await?;
    let contacts = rows
        .into_iter()
        .map(contact_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::build(StatusCode::OK).json(contacts))
}

/// Adds an entry to the family's contact log.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    request_body = NewContact,
    responses(
        (status = 201, body = Contact, headers(("Location" = String, description = "URL of the family's contact log"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/contacts")]
pub async fn add_contact(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewContact>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let family_id = id.into_inner().to_string();
    let body = body.into_inner();
    let mut errors = Vec::new();
    if body.occurred_on > db::today() {
        errors.push(FieldError {
            field: "occurred_on".into(),
            message: "must not be in the future".into(),
        });
    }
    let note = match body
        .note
        .as_deref()
        .map(|note| optional_guarded_text(note, TEXT_MAX_CHARS))
    {
        Some(Err(message)) => {
            errors.push(FieldError {
                field: "note".into(),
                message,
            });
            None
        }
        Some(Ok(note)) => Some(note).filter(|note| !note.is_empty()),
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let row = ContactRow {
        id: Uuid::now_v7().to_string(),
        family_id: family_id.clone(),
        occurred_on: body.occurred_on,
        kind: body.kind.code().to_owned(),
        note,
        recorded_by: principal.subject.clone(),
        created_at: db::now(),
    };
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                family_in_scope(connection, &principal, &family_id)?;
                store::insert_contact(connection, &row)?;
                audit.allowed(connection, "contact", Some(&row.id), Some(&family_id))?;
                store::touch(connection, &family_id, row.created_at)?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/families/{}/contacts", row.family_id);
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, location))
        .json(contact_out(row)?))
}

/// The family's consents, with their state today.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    responses(
        (status = 200, body = Vec<Consent>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/families/{id}/consents")]
pub async fn list_consents(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rows = db
        .run(move |connection| {
            family_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "consent", None, Some(&id))?;
            Ok(store::consents_of(connection, &id)?)
        })
        .await?;
    let consents = rows
        .into_iter()
        .map(consent_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::build(StatusCode::OK).json(consents))
}

/// Records a consent the family has given.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    request_body = NewConsent,
    responses(
        (status = 201, body = Consent, headers(("Location" = String, description = "URL of the consent"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/consents")]
pub async fn add_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewConsent>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let family_id = id.into_inner().to_string();
    let body = body.into_inner();
    let categories = validate_consent_terms(
        &body.data_categories,
        body.valid_from,
        body.valid_until,
        db::today(),
    )
    .map_err(ApiError::Validation)?;
    let codes: Vec<&str> = categories.iter().map(|category| category.code()).collect();
    let row = ConsentRow {
        id: Uuid::now_v7().to_string(),
        family_id: family_id.clone(),
        receiving_unit: body.receiving_unit.code().to_owned(),
        purpose: body.purpose.code().to_owned(),
        data_categories: to_json(&codes),
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        given_as: body.given_as.code().to_owned(),
        recorded_by: principal.subject.clone(),
        recorded_at: db::now(),
        withdrawn_at: None,
        withdrawn_by: None,
    };
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                family_in_scope(connection, &principal, &family_id)?;
                store::insert_consent(connection, &row)?;
                audit.allowed(connection, "consent", Some(&row.id), Some(&family_id))?;
                store::touch(connection, &family_id, row.recorded_at)?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/consents/{}", row.id);
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, location))
        .json(consent_out(row)?))
}

/// The consent and its family, if the caller works in the family's area.
fn consent_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<ConsentRow, ApiError> {
    let consent = store::find_consent(connection, id)?.ok_or(ApiError::NotFound)?;
    family_in_scope(connection, principal, &consent.family_id)?;
    Ok(consent)
}

/// One consent.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Consent id")),
    responses(
        (status = 200, body = Consent),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/consents/{id}")]
pub async fn get_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let row = db
        .run(move |connection| {
            let row = consent_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "consent", Some(&id), Some(&row.family_id))?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::build(StatusCode::OK).json(consent_out(row)?))
}

/// Withdraws a consent from now on: it can no longer be used. Withdrawing again
/// changes nothing (200).
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Consent id")),
    responses(
        (status = 200, body = Consent, description = "It was already withdrawn"),
        (status = 201, body = Consent, headers(("Location" = String, description = "URL of the consent"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/consents/{id}/withdrawal")]
pub async fn withdraw_consent(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let (row, withdrawn_now) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let consent = consent_in_scope(connection, &principal, &id)?;
                audit.allowed(connection, "consent", Some(&id), Some(&consent.family_id))?;
                if consent.withdrawn_at.is_some() {
                    return Ok((consent, false));
                }
                let now = db::now();
                store::withdraw_consent(connection, &id, now, &principal.subject)?;
                store::touch(connection, &consent.family_id, now)?;
                let withdrawn = store::find_consent(connection, &id)?.ok_or(ApiError::NotFound)?;
                Ok((withdrawn, true))
            })
        })
        .await?;
    let mut response = HttpResponse::build(if withdrawn_now {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    });
    if withdrawn_now {
        response.insert_header((header::LOCATION, format!("/api/v1/consents/{}", row.id)));
    }
    Ok(response.json(consent_out(row)?))
}
