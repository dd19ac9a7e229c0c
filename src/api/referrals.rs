//! `referrals`: individual data crossing the line, gated by the family's consent,
//! limited to the consented categories, with a closed loop of status changes.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit::AuditContext;
use super::etag::etag;
use super::families::referenced_family;
use super::idempotency::{fingerprint, key_of, run_once, StoredResponse};
use super::json;
use super::pagination::{page_response, Page, PageRequest};
use super::problems::{
    BadRequest, Conflict, Forbidden, InternalError, NotFound, PayloadTooLarge, ServiceUnavailable,
    TooManyRequests, Unauthorized, UnprocessableEntity, UnsupportedMediaType,
};
use super::stored_uuid;
use crate::auth::policy::{end_held, reaches_families_of, referral_ends, ReferralEnds};
use crate::auth::{op, Allowed, Principal};
use crate::db::families::{self as family_store, FamilyRow};
use crate::db::initiatives as initiative_store;
use crate::db::referrals::{self as store, EventRow, ReferralFilter, ReferralRow, ReferralScope};
use crate::db::{self, from_json, to_json, Database, DbConnection};
use crate::domain::assessment::Side;
use crate::domain::catalog::{InitiativeType, MunicipalUnit};
use crate::domain::family::{
    consent_state, ConsentForm, ConsentPurpose, ConsentState, ContactKind, DataCategory,
    FamilyRecord, Household,
};
use crate::domain::referral::{
    check_transition, consent_gaps, ConsentGrant, ConsentNeed, Direction, Outcome, ReferralStatus,
    Role, TransitionError,
};
use crate::domain::validation::{guarded_text, optional_guarded_text, Violations};
use crate::error::ApiError;
use crate::strict_json::{object, optional_object, optional_objects};

const TEXT_MAX_CHARS: usize = 4000;

/// Contact details as shared: the family's name as the team knows it, and how to reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedContact {
    pub display_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContactKindCount {
    pub kind: ContactKind,
    pub count: usize,
}

/// A summary of the contact log: how much contact, what kind, how recent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContactLogSummary {
    pub contacts: usize,
    pub last_contact_on: Option<NaiveDate>,
    pub kinds: Vec<ContactKindCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Participation {
    pub initiative_type: InitiativeType,
    pub title: String,
    pub enrolled_on: NaiveDate,
}

/// The family's data as shared, one field per data category; a category not
/// shared (or no longer covered by consent) is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedData {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object"
    )]
    pub contact_details: Option<SharedContact>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object"
    )]
    pub household_composition: Option<Household>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object"
    )]
    pub contact_log_summary: Option<ContactLogSummary>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_objects"
    )]
    pub initiative_participation: Option<Vec<Participation>>,
    /// The family's own statement, in its words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_statement: Option<String>,
}

impl SharedData {
    fn categories(&self) -> Vec<DataCategory> {
        [
            (self.contact_details.is_some(), DataCategory::ContactDetails),
            (
                self.household_composition.is_some(),
                DataCategory::HouseholdComposition,
            ),
            (
                self.contact_log_summary.is_some(),
                DataCategory::ContactLogSummary,
            ),
            (
                self.initiative_participation.is_some(),
                DataCategory::InitiativeParticipation,
            ),
            (
                self.family_statement.is_some(),
                DataCategory::FamilyStatement,
            ),
        ]
        .into_iter()
        .filter_map(|(present, category)| present.then_some(category))
        .collect()
    }
}

/// The consent a municipal caseworker states for a referral to an initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatedConsent {
    /// Who recorded the consent in the municipality.
    pub recorded_by: String,
    pub recorded_on: NaiveDate,
    pub given_as: ConsentForm,
    pub valid_until: NaiveDate,
    pub data_categories: Vec<DataCategory>,
}

/// A new referral. `to_municipality`: a housing-social worker refers a family of
/// its area to a municipal unit, citing the family's consent. `to_initiative`: a
/// municipal caseworker refers a family to an initiative, stating the consent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "direction", rename_all = "snake_case", deny_unknown_fields)]
pub enum NewReferral {
    ToMunicipality {
        family_id: Uuid,
        consent_id: Uuid,
        unit: MunicipalUnit,
        purpose: ConsentPurpose,
        #[serde(default)]
        purpose_note: Option<String>,
        /// Categories of the family's data to share; the consent must cover each.
        shared_categories: Vec<DataCategory>,
        /// Required when sharing `family_statement`.
        #[serde(default)]
        family_statement: Option<String>,
        /// Keep it as a draft instead of requesting at once.
        #[serde(default)]
        draft: bool,
    },
    ToInitiative {
        initiative_id: Uuid,
        purpose: ConsentPurpose,
        #[serde(default)]
        purpose_note: Option<String>,
        #[serde(deserialize_with = "object")]
        consent: StatedConsent,
        /// The family's data the consent lets the municipality share.
        #[serde(deserialize_with = "object")]
        shared: Box<SharedData>,
        #[serde(default)]
        draft: bool,
    },
}

/// A referral as one of its two ends sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Referral {
    pub id: Uuid,
    pub direction: Direction,
    pub status: ReferralStatus,
    pub purpose: ConsentPurpose,
    pub purpose_note: Option<String>,
    /// The housing-social end.
    pub area_id: Uuid,
    pub initiative_id: Option<Uuid>,
    /// The municipal end.
    pub municipality_code: String,
    pub unit: MunicipalUnit,
    pub shared_categories: Vec<DataCategory>,
    /// The shared data as it was when the referral was made; null when redacted.
    pub shared_data: Option<SharedData>,
    /// True when the receiver's view is redacted because the consent no longer holds.
    pub shared_data_redacted: bool,
    /// The family record on the housing-social side (shown to that side only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<Uuid>,
    pub consent_statement: Option<StatedConsent>,
    pub outcome: Option<Outcome>,
    pub outcome_note: Option<String>,
    /// The status the caller may move it to now.
    pub allowed_transitions: Vec<ReferralStatus>,
    pub requested_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A status change. `rejected`, `failed`, `cancelled` and `on_hold` need a
/// `reason`; `completed` needs an `outcome`. Accepting a referral to an
/// initiative links it to a family of the area (`link_family_id`) or creates
/// one from the shared data (`create_family: true`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub to: ReferralStatus,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub outcome_note: Option<String>,
    #[serde(default)]
    pub link_family_id: Option<Uuid>,
    #[serde(default)]
    pub create_family: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// `sub` of who made the change.
    pub actor: String,
    pub side: Side,
    pub from: Option<ReferralStatus>,
    pub to: ReferralStatus,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Perspective {
    /// Referrals the caller's end receives.
    Incoming,
    /// Referrals the caller's end sent.
    Outgoing,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub direction: Option<Perspective>,
    pub status: Option<ReferralStatus>,
    /// Only referrals changed at or after this time (RFC 3339), for polling.
    pub updated_since: Option<DateTime<Utc>>,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored referral has an invalid {what}"))
}

fn status_of(code: &str) -> Result<ReferralStatus, ApiError> {
    ReferralStatus::parse(code).ok_or_else(|| corrupt("status"))
}

fn direction_of(row: &ReferralRow) -> Result<Direction, ApiError> {
    Direction::parse(&row.direction).ok_or_else(|| corrupt("direction"))
}

fn categories_of(row: &ReferralRow) -> Result<Vec<DataCategory>, ApiError> {
    let codes: Vec<String> = from_json(&row.shared_categories, "categories")?;
    codes
        .iter()
        .map(|code| DataCategory::parse(code).ok_or_else(|| corrupt("category")))
        .collect()
}

/// The end of the referral the caller holds; 404 when it holds neither.
fn referral_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(ReferralRow, Side), ApiError> {
    let row = store::find(connection, id)?.ok_or(ApiError::NotFound)?;
    let side = end_held(principal, &row.area_id, &row.municipality_code, &row.unit)
        .ok_or(ApiError::NotFound)?;
    Ok((row, side))
}

/// Whether the receiver may still see the shared data: the consent holds today.
fn consent_holds(
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
        Direction::ToInitiative => row.consent_valid_until.is_some_and(|until| today <= until),
    })
}

/// The referral as one end (`side`) sees it.
pub fn view(
    connection: &mut DbConnection,
    row: &ReferralRow,
    side: Side,
) -> Result<Referral, ApiError> {
    let direction = direction_of(row)?;
    let role = if side == direction.sender() {
        Role::Sender
    } else {
        Role::Receiver
    };
    let redacted = role == Role::Receiver && !consent_holds(connection, row, direction)?;
    let shared_data: Option<SharedData> = match (&row.shared_data, redacted) {
        (Some(data), false) => Some(from_json(data, "shared data")?),
        _ => None,
    };
    let housing_side = side == Side::HousingSocial;
    let status = status_of(&row.status)?;
    let resume = row.resume_status.as_deref().map(status_of).transpose()?;
    let allowed_transitions = crate::domain::referral::moves(status, resume)
        .into_iter()
        .filter(|m| m.by.is_none() || m.by == Some(role))
        .map(|m| m.to)
        .collect();
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
        shared_data_redacted: redacted,
        family_id: if housing_side {
            row.family_id.as_deref().map(stored_uuid).transpose()?
        } else {
            None
        },
        consent_id: if housing_side {
            row.consent_id.as_deref().map(stored_uuid).transpose()?
        } else {
            None
        },
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
        allowed_transitions,
        requested_at: row.requested_at.map(|at| at.and_utc()),
        accepted_at: row.accepted_at.map(|at| at.and_utc()),
        closed_at: row.closed_at.map(|at| at.and_utc()),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

fn stored(
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

fn text(value: Option<&str>, field: &str, violations: &mut Violations) -> Option<String> {
    value
        .and_then(|text| violations.check(field, optional_guarded_text(text, TEXT_MAX_CHARS)))
        .filter(|text| !text.is_empty())
}

/// The shared data of a family, for the given categories, as it is now.
fn snapshot(
    connection: &mut DbConnection,
    family: &FamilyRow,
    categories: &[DataCategory],
    family_statement: Option<String>,
) -> Result<SharedData, ApiError> {
    let record = family.record()?;
    let mut data = SharedData::default();
    for category in categories {
        match category {
            DataCategory::ContactDetails => {
                data.contact_details = Some(SharedContact {
                    display_name: record.display_name.clone(),
                    phone: record.contact.phone.clone(),
                    email: record.contact.email.clone(),
                    address: record.contact.address.clone(),
                })
            }
            DataCategory::HouseholdComposition => {
                data.household_composition = Some(record.household.clone())
            }
            DataCategory::ContactLogSummary => {
                let contacts = family_store::contacts_of(connection, &family.id)?;
                let mut kinds: Vec<ContactKindCount> = Vec::new();
                for contact in &contacts {
                    let kind =
                        ContactKind::parse(&contact.kind).ok_or_else(|| corrupt("contact kind"))?;
                    match kinds.iter_mut().find(|entry| entry.kind == kind) {
                        Some(entry) => entry.count += 1,
                        None => kinds.push(ContactKindCount { kind, count: 1 }),
                    }
                }
                data.contact_log_summary = Some(ContactLogSummary {
                    contacts: contacts.len(),
                    last_contact_on: contacts.iter().map(|contact| contact.occurred_on).max(),
                    kinds,
                });
            }
            DataCategory::InitiativeParticipation => {
                let mut participation = Vec::new();
                for (enrolment, initiative) in
                    initiative_store::enrolments_of_family(connection, &family.id)?
                {
                    participation.push(Participation {
                        initiative_type: InitiativeType::parse(&initiative.initiative_type)
                            .ok_or_else(|| corrupt("initiative type"))?,
                        title: initiative.title,
                        enrolled_on: enrolment.enrolled_at.date(),
                    });
                }
                data.initiative_participation = Some(participation);
            }
            DataCategory::FamilyStatement => data.family_statement = family_statement.clone(),
        }
    }
    Ok(data)
}

fn event(
    referral_id: &str,
    principal: &Principal,
    side: Side,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
    reason: Option<String>,
) -> EventRow {
    EventRow {
        id: Uuid::now_v7().to_string(),
        referral_id: referral_id.to_owned(),
        occurred_at: db::now(),
        actor: principal.subject.clone(),
        side: side.code().to_owned(),
        from_status: from.map(|status| status.code().to_owned()),
        to_status: to.code().to_owned(),
        reason,
    }
}

/// Referrals the caller's end sends or receives, for polling.
#[utoipa::path(
    tag = "referrals",
    params(ReferralListQuery),
    responses(
        (status = 200, body = Page<Referral>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/referrals")]
pub async fn list_referrals(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    query: web::Query<ReferralListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let (scope, side) = match referral_ends(&principal) {
        ReferralEnds::Municipal { municipality, unit } => (
            ReferralScope::Municipal {
                municipality: municipality.as_str().to_owned(),
                unit: unit.code().to_owned(),
            },
            Side::Municipal,
        ),
        ReferralEnds::Areas(areas) => (
            ReferralScope::Areas(areas.iter().map(Uuid::to_string).collect()),
            Side::HousingSocial,
        ),
        ReferralEnds::Nothing => return Err(ApiError::Forbidden),
    };
    let directions = Direction::ALL
        .iter()
        .filter(|direction| match query.direction {
            Some(Perspective::Incoming) => direction.receiver() == side,
            Some(Perspective::Outgoing) => direction.sender() == side,
            None => true,
        })
        .map(|direction| direction.code().to_owned())
        .collect();
    let filter = ReferralFilter {
        scope,
        directions,
        status: query.status.map(|status| status.code().to_owned()),
        updated_since: query.updated_since.map(|since| since.naive_utc()),
        after_id: page.after.clone(),
        limit: page.fetch_limit(),
    };
    let views = db
        .run(move |connection| {
            let rows = store::list(connection, &filter)?;
            rows.into_iter()
                .map(|row| {
                    audit.allowed(
                        connection,
                        "referral",
                        Some(&row.id),
                        row.family_id.as_deref(),
                    )?;
                    Ok((row.id.clone(), view(connection, &row, side)?))
                })
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    let page = page.into_page(views, |(id, _)| id.clone(), |(_, view)| view);
    Ok(page_response(&req, page))
}

/// Refers a family across the line. Fails with 422 (and stores nothing) unless
/// the consent covers the unit, the purpose and every shared category today.
#[utoipa::path(
    tag = "referrals",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first response")),
    request_body = NewReferral,
    responses(
        (status = 201, body = Referral, headers(
            ("Location" = String, description = "URL of the referral"),
            ("ETag" = String, description = "Current version"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/referrals")]
pub async fn create_referral(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    req: HttpRequest,
    body: json::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let raw = body.into_inner();
    let key = key_of(&req)?;
    let request_hash = fingerprint(&req, &raw);
    let new: NewReferral = serde_json::from_value(raw)
        .map_err(|error| ApiError::BadRequest(format!("invalid JSON body: {error}")))?;
    run_once(
        db.get_ref(),
        principal.subject.clone(),
        key,
        request_hash,
        move |connection| {
            let row = match new {
                NewReferral::ToMunicipality {
                    family_id,
                    consent_id,
                    unit,
                    purpose,
                    purpose_note,
                    shared_categories,
                    family_statement,
                    draft,
                } => to_municipality(
                    connection,
                    &principal,
                    ToMunicipality {
                        family_id: family_id.to_string(),
                        consent_id: consent_id.to_string(),
                        unit,
                        purpose,
                        purpose_note,
                        shared_categories,
                        family_statement,
                        draft,
                    },
                )?,
                NewReferral::ToInitiative {
                    initiative_id,
                    purpose,
                    purpose_note,
                    consent,
                    shared,
                    draft,
                } => to_initiative(
                    connection,
                    &principal,
                    ToInitiative {
                        initiative_id: initiative_id.to_string(),
                        purpose,
                        purpose_note,
                        consent,
                        shared: *shared,
                        draft,
                    },
                )?,
            };
            let direction = direction_of(&row)?;
            store::insert(connection, &row)?;
            let status = status_of(&row.status)?;
            store::insert_event(
                connection,
                &event(&row.id, &principal, direction.sender(), None, status, None),
            )?;
            audit.allowed(
                connection,
                "referral",
                Some(&row.id),
                row.family_id.as_deref(),
            )?;
            let referral = view(connection, &row, direction.sender())?;
            stored(StatusCode::CREATED, &referral, row.version)
        },
    )
    .await
}

struct ToMunicipality {
    family_id: String,
    consent_id: String,
    unit: MunicipalUnit,
    purpose: ConsentPurpose,
    purpose_note: Option<String>,
    shared_categories: Vec<DataCategory>,
    family_statement: Option<String>,
    draft: bool,
}

fn new_row(
    direction: Direction,
    draft: bool,
    purpose: ConsentPurpose,
    purpose_note: Option<String>,
    principal: &Principal,
) -> ReferralRow {
    let now = db::now();
    let status = if draft {
        ReferralStatus::Draft
    } else {
        ReferralStatus::Requested
    };
    ReferralRow {
        id: Uuid::now_v7().to_string(),
        direction: direction.code().to_owned(),
        status: status.code().to_owned(),
        resume_status: None,
        purpose: purpose.code().to_owned(),
        purpose_note,
        area_id: String::new(),
        municipality_code: String::new(),
        unit: String::new(),
        family_id: None,
        consent_id: None,
        initiative_id: None,
        shared_categories: "[]".into(),
        shared_data: None,
        consent_statement: None,
        consent_valid_until: None,
        outcome: None,
        outcome_note: None,
        created_by: principal.subject.clone(),
        requested_at: (!draft).then_some(now),
        accepted_at: None,
        closed_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

fn to_municipality(
    connection: &mut DbConnection,
    principal: &Principal,
    new: ToMunicipality,
) -> Result<ReferralRow, ApiError> {
    let family = referenced_family(connection, principal, &new.family_id)?;
    let mut violations = Violations::new();
    let purpose_note = text(new.purpose_note.as_deref(), "purpose_note", &mut violations);
    let statement = text(
        new.family_statement.as_deref(),
        "family_statement",
        &mut violations,
    );
    if new.shared_categories.is_empty() {
        violations.add("shared_categories", "name at least one category to share");
    }
    let mut categories = new.shared_categories.clone();
    categories.dedup();
    if categories.contains(&DataCategory::FamilyStatement) && statement.is_none() {
        violations.add(
            "family_statement",
            "is required when sharing family_statement",
        );
    }
    let consent = family_store::find_consent(connection, &new.consent_id)?
        .filter(|consent| consent.family_id == family.id);
    match &consent {
        None => violations.add("consent_id", "is not a consent of this family"),
        Some(consent) => {
            let granted: Vec<String> = from_json(&consent.data_categories, "consent categories")?;
            let granted: Vec<DataCategory> = granted
                .iter()
                .filter_map(|code| DataCategory::parse(code))
                .collect();
            let gaps = consent_gaps(
                &ConsentNeed {
                    unit: new.unit,
                    purpose: new.purpose,
                    categories: &categories,
                },
                &ConsentGrant {
                    state: consent_state(
                        consent.valid_from,
                        consent.valid_until,
                        consent.withdrawn_at.is_some(),
                        db::today(),
                    ),
                    unit: MunicipalUnit::parse(&consent.receiving_unit)
                        .map_err(|_| corrupt("consent unit"))?,
                    purpose: ConsentPurpose::parse(&consent.purpose)
                        .ok_or_else(|| corrupt("consent purpose"))?,
                    categories: &granted,
                },
            );
            for gap in gaps {
                violations.add("consent_id", gap);
            }
        }
    }
    let errors = violations.into_errors();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let municipality =
        store::municipality_of_area(connection, &family.area_id)?.ok_or(ApiError::NotFound)?;
    let shared = snapshot(connection, &family, &categories, statement)?;
    let codes: Vec<&str> = categories.iter().map(|category| category.code()).collect();
    Ok(ReferralRow {
        area_id: family.area_id.clone(),
        municipality_code: municipality,
        unit: new.unit.code().to_owned(),
        family_id: Some(family.id.clone()),
        consent_id: Some(new.consent_id),
        shared_categories: to_json(&codes),
        shared_data: Some(to_json(&shared)),
        ..new_row(
            Direction::ToMunicipality,
            new.draft,
            new.purpose,
            purpose_note,
            principal,
        )
    })
}

struct ToInitiative {
    initiative_id: String,
    purpose: ConsentPurpose,
    purpose_note: Option<String>,
    consent: StatedConsent,
    shared: SharedData,
    draft: bool,
}

fn to_initiative(
    connection: &mut DbConnection,
    principal: &Principal,
    new: ToInitiative,
) -> Result<ReferralRow, ApiError> {
    let ToInitiative {
        initiative_id,
        purpose,
        purpose_note,
        consent,
        shared,
        draft,
    } = new;
    let ReferralEnds::Municipal { municipality, unit } = referral_ends(principal) else {
        return Err(ApiError::Forbidden);
    };
    let (initiative, area) = initiative_store::find_with_area(connection, &initiative_id)?
        .filter(|(_, area)| area.municipality_code == municipality.as_str())
        .ok_or_else(|| {
            ApiError::validation(
                "initiative_id",
                "is not an initiative in an area of your municipality",
            )
        })?;
    let mut violations = Violations::new();
    let purpose_note = text(purpose_note.as_deref(), "purpose_note", &mut violations);
    violations.check(
        "consent.recorded_by",
        guarded_text(&consent.recorded_by, 200),
    );
    let today = db::today();
    if consent.recorded_on > today {
        violations.add("consent.recorded_on", "must not be in the future");
    }
    if consent.valid_until < today {
        violations.add("consent.valid_until", "the consent has expired");
    }
    let categories = shared.categories();
    if categories.is_empty() {
        violations.add("shared", "share at least the family's contact details");
    }
    for category in &categories {
        if !consent.data_categories.contains(category) {
            violations.add(
                format!("shared.{}", category.code()),
                "is not covered by the stated consent",
            );
        }
    }
    if shared.contact_log_summary.is_some() || shared.initiative_participation.is_some() {
        violations.add("shared", "a municipality shares contact details, household composition and the family's statement only");
    }
    if let Some(contact) = &shared.contact_details {
        violations.check(
            "shared.contact_details.display_name",
            guarded_text(&contact.display_name, 120),
        );
        for (field, value) in [
            ("phone", &contact.phone),
            ("email", &contact.email),
            ("address", &contact.address),
        ] {
            text(
                value.as_deref(),
                &format!("shared.contact_details.{field}"),
                &mut violations,
            );
        }
    }
    text(
        shared.family_statement.as_deref(),
        "shared.family_statement",
        &mut violations,
    );
    let errors = violations.into_errors();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let codes: Vec<&str> = categories.iter().map(|category| category.code()).collect();
    Ok(ReferralRow {
        area_id: area.id,
        municipality_code: municipality.as_str().to_owned(),
        unit: unit.code().to_owned(),
        initiative_id: Some(initiative.id),
        shared_categories: to_json(&codes),
        shared_data: Some(to_json(&shared)),
        consent_valid_until: Some(consent.valid_until),
        consent_statement: Some(to_json(&consent)),
        ..new_row(
            Direction::ToInitiative,
            draft,
            purpose,
            purpose_note,
            principal,
        )
    })
}

/// One referral, as the caller's end sees it.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "Referral id")),
    responses(
        (status = 200, body = Referral, headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{id}")]
pub async fn get_referral(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let response = db
        .run(move |connection| {
            let (row, side) = referral_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "referral", Some(&id), row.family_id.as_deref())?;
            let referral = view(connection, &row, side)?;
            stored(StatusCode::OK, &referral, row.version)
        })
        .await?;
    let mut response = response;
    response.location = None;
    Ok(response.into_response())
}

/// Moves a referral along its status machine. 409 for a move that does not
/// exist now, 403 for one the other side must make; both say what is allowed.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "Referral id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body return the first response"),
    ),
    request_body = Transition,
    responses(
        (status = 201, body = Referral, headers(
            ("Location" = String, description = "URL of the referral"),
            ("ETag" = String, description = "The new version"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{id}/transitions")]
pub async fn transition_referral(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<Transition>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let transition = body.into_inner();
    let key = key_of(&req)?;
    let request_hash = fingerprint(
        &req,
        &serde_json::to_value(&transition).map_err(ApiError::internal)?,
    );
    run_once(db.get_ref(), principal.subject.clone(), key, request_hash, move |connection| {
        let (current, side) = referral_in_scope(connection, &principal, &id)?;
        let direction = direction_of(&current)?;
        let role = if side == direction.sender() { Role::Sender } else { Role::Receiver };
        let from = status_of(&current.status)?;
        let resume = current.resume_status.as_deref().map(status_of).transpose()?;
        check_transition(from, transition.to, role, direction, resume).map_err(|error| match error {
            TransitionError::Illegal { .. } => ApiError::Conflict(error.to_string()),
            TransitionError::WrongSide { .. } => ApiError::ForbiddenBecause(error.to_string()),
        })?;
        let mut violations = Violations::new();
        let reason = text(transition.reason.as_deref(), "reason", &mut violations);
        if transition.to.needs_reason() && reason.is_none() {
            violations.add("reason", format!("a reason is required to make a referral {}", transition.to.code()));
        }
        let outcome_note = text(transition.outcome_note.as_deref(), "outcome_note", &mut violations);
        if transition.to == ReferralStatus::Completed && transition.outcome.is_none() {
            violations.add("outcome", "an outcome is required to complete a referral");
        }
        if transition.to != ReferralStatus::Completed && (transition.outcome.is_some() || outcome_note.is_some()) {
            violations.add("outcome", "an outcome is given only when completing");
        }
        let links = transition.link_family_id.is_some() || transition.create_family;
        let accepting_initiative = direction == Direction::ToInitiative && transition.to == ReferralStatus::Accepted;
        if accepting_initiative && transition.link_family_id.is_some() == transition.create_family {
            violations.add("link_family_id", "accepting a referral to an initiative links it to a family of the area (link_family_id) or creates one (create_family: true)");
        } else if links && !accepting_initiative {
            violations.add("link_family_id", "families are linked only when accepting a referral to an initiative");
        }
        let errors = violations.into_errors();
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let mut row = current.clone();
        if accepting_initiative {
            row.family_id = Some(linked_family(connection, &principal, &current, transition.link_family_id)?);
        }
        let now = db::now();
        row.status = transition.to.code().to_owned();
        row.resume_status = (transition.to == ReferralStatus::OnHold).then(|| from.code().to_owned());
        match transition.to {
            ReferralStatus::Requested => row.requested_at = Some(now),
            ReferralStatus::Accepted if row.accepted_at.is_none() => row.accepted_at = Some(now),
            status if status.is_closed() => row.closed_at = Some(now),
            _ => {}
        }
        if transition.to == ReferralStatus::Completed {
            row.outcome = transition.outcome.map(|outcome| outcome.code().to_owned());
            row.outcome_note = outcome_note;
        }
        row.version += 1;
        row.updated_at = now;
        if !store::replace_if_version(connection, &row, current.version)? {
            return Err(ApiError::Conflict("the referral changed at the same time; read it again and retry".into()));
        }
        store::insert_event(connection, &event(&id, &principal, side, Some(from), transition.to, reason))?;
        audit.allowed(connection, "referral", Some(&id), row.family_id.as_deref())?;
        let referral = view(connection, &row, side)?;
        stored(StatusCode::CREATED, &referral, row.version)
    })
    .await
}

/// The family an accepted referral to an initiative is linked to: one of the
/// area's, or a new record made from the shared data.
fn linked_family(
    connection: &mut DbConnection,
    principal: &Principal,
    referral: &ReferralRow,
    link: Option<Uuid>,
) -> Result<String, ApiError> {
    if let Some(family_id) = link {
        let family = family_store::find(connection, &family_id.to_string())?
            .filter(|family| {
                family.area_id == referral.area_id
                    && reaches_families_of(principal, &family.area_id)
            })
            .ok_or_else(|| {
                ApiError::validation("link_family_id", "is not a family of the initiative's area")
            })?;
        return Ok(family.id);
    }
    let shared: SharedData = from_json(
        referral.shared_data.as_deref().unwrap_or("{}"),
        "shared data",
    )?;
    let contact = shared.contact_details.ok_or_else(|| {
        ApiError::validation(
            "create_family",
            "the referral shares no contact details to create a family from",
        )
    })?;
    let record = FamilyRecord {
        display_name: contact.display_name,
        contact: crate::domain::family::ContactDetails {
            phone: contact.phone,
            email: contact.email,
            address: contact.address,
        },
        household: shared.household_composition.unwrap_or_default(),
        languages: Vec::new(),
        interpreter_needed: false,
        notes: shared.family_statement,
    };
    use chrono::Datelike;
    let record = record
        .validate(db::today().year())
        .map_err(ApiError::Validation)?;
    let row = FamilyRow::from_record(
        Uuid::now_v7().to_string(),
        referral.area_id.clone(),
        &record,
        1,
        db::now(),
    );
    family_store::insert(connection, &row)?;
    Ok(row.id)
}

/// Every status change of the referral: who, which side, when, from, to, why.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "Referral id")),
    responses(
        (status = 200, body = Vec<ReferralEvent>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{id}/events")]
pub async fn referral_events(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rows = db
        .run(move |connection| {
            let (row, _) = referral_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "referral", Some(&id), row.family_id.as_deref())?;
            Ok(store::events_of(connection, &id)?)
        })
        .await?;
    let events = referral_events_out(rows)?;
    Ok(HttpResponse::Ok().json(events))
}

pub fn referral_events_out(rows: Vec<EventRow>) -> Result<Vec<ReferralEvent>, ApiError> {
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
