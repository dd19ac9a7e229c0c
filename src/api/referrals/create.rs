//! `POST /referrals`: a family referred across the line, with the consented
//! data as it is now.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::events::event;
use super::types::{NewReferral, NewReferralToInitiative, NewReferralToMunicipality, Referral};
use super::view::{corrupt, direction_of, render, status_of};
use crate::api::audit::AuditContext;
use crate::api::families::referenced_family;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::{AddFailures, ConflictFailure};
use crate::auth::policy::{referral_ends, ReferralEnds};
use crate::auth::{op, Allowed, Principal};
use crate::db::families::{self as family_store, FamilyRow};
use crate::db::initiatives as initiative_store;
use crate::db::referrals::{self as store, ReferralRow};
use crate::db::{self, from_json, to_json, DbConnection};
use crate::domain::catalog::{InitiativeType, MunicipalUnit};
use crate::domain::family::{
    consent_state, ConsentPurpose, ConsentRules, ContactKind, DataCategory,
};
use crate::domain::referral::{consent_gaps, ConsentGrant, ConsentNeed, Direction, ReferralStatus};
use crate::domain::sharing::{
    check_stated_sharing, optional_text, ContactLogSummary, Participation, SharedContact,
    SharedData,
};
use crate::domain::validation::Violations;
use crate::error::ApiError;

/// Refers a family across the line. Fails with 422 (and stores nothing) unless
/// the consent covers the unit, the purpose and every shared category today.
#[utoipa::path(
    tag = "referrals",
    params(IdempotencyKeyHeader),
    request_body = NewReferral,
    responses(
        (status = 201, body = Referral, headers(
            ("Location" = String, description = "URL of the referral"),
            ("ETag" = String, description = "Current version"),
        )),
        AddFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_referral(
    caller: Allowed<op::Referrals>,
    db: web::Data<crate::db::Database>,
    rules: web::Data<ConsentRules>,
    req: HttpRequest,
    body: json::Json<NewReferral>,
) -> Result<HttpResponse, ApiError> {
    let rules = **rules;
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let sender = principal.clone();
    let work = move |connection: &mut DbConnection| {
        let row = match new {
            NewReferral::ToMunicipality(new) => to_municipality(connection, &sender, new)?,
            NewReferral::ToInitiative(new) => to_initiative(connection, &sender, new, rules)?,
        };
        record(connection, &sender, &row)?;
        Ok(Outcome::created(row.id).at_version(row.version))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render(
                connection,
                &principal,
                &audit,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}

/// Stores a new referral with its first event.
fn record(
    connection: &mut DbConnection,
    principal: &Principal,
    row: &ReferralRow,
) -> Result<(), ApiError> {
    let direction = direction_of(row)?;
    store::insert(connection, row)?;
    let status = status_of(&row.status)?;
    let first = event(&row.id, principal, direction.sender(), None, status, None);
    store::insert_event(connection, row, &first)?;
    Ok(())
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
        redacted_at: None,
        redaction_reason: None,
    }
}

/// A housing-social worker's referral of a family of its area to a municipal
/// unit, covered by the family's consent.
fn to_municipality(
    connection: &mut DbConnection,
    principal: &Principal,
    new: NewReferralToMunicipality,
) -> Result<ReferralRow, ApiError> {
    let NewReferralToMunicipality {
        family_id,
        consent_id,
        unit,
        purpose,
        purpose_note,
        shared_categories,
        family_statement,
        draft,
    } = new;
    let family = referenced_family(connection, principal, &family_id.to_string())?;
    let mut violations = Violations::new();
    let purpose_note = optional_text(purpose_note.as_deref(), "purpose_note", &mut violations);
    let statement = optional_text(
        family_statement.as_deref(),
        "family_statement",
        &mut violations,
    );
    if shared_categories.is_empty() {
        violations.add("shared_categories", "name at least one category to share");
    }
    let mut categories = shared_categories;
    categories.dedup();
    if categories.contains(&DataCategory::FamilyStatement) && statement.is_none() {
        violations.add(
            "family_statement",
            "is required when sharing family_statement",
        );
    }
    let need = ConsentNeed {
        unit,
        purpose,
        categories: &categories,
    };
    let consent_id = consent_id.to_string();
    for gap in gaps_of_consent(connection, &consent_id, &family, &need)? {
        violations.add("consent_id", gap);
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
        unit: unit.code().to_owned(),
        family_id: Some(family.id.clone()),
        consent_id: Some(consent_id),
        shared_categories: to_json(&codes),
        shared_data: Some(to_json(&shared)),
        ..new_row(
            Direction::ToMunicipality,
            draft,
            purpose,
            purpose_note,
            principal,
        )
    })
}

/// Every way the family's consent `consent_id` fails to cover `need` today.
fn gaps_of_consent(
    connection: &mut DbConnection,
    consent_id: &str,
    family: &FamilyRow,
    need: &ConsentNeed<'_>,
) -> Result<Vec<String>, ApiError> {
    let Some(consent) = family_store::find_consent(connection, consent_id)?
        .filter(|consent| consent.family_id == family.id)
    else {
        return Ok(vec!["is not a consent of this family".to_owned()]);
    };
    let granted: Vec<String> = from_json(&consent.data_categories, "consent categories")?;
    let granted: Vec<DataCategory> = granted
        .iter()
        .filter_map(|code| DataCategory::parse(code))
        .collect();
    let grant = ConsentGrant {
        state: consent_state(
            consent.valid_from,
            consent.valid_until,
            consent.withdrawn_at.is_some(),
            db::today(),
        ),
        unit: MunicipalUnit::parse(&consent.receiving_unit).map_err(|_| corrupt("consent unit"))?,
        purpose: ConsentPurpose::parse(&consent.purpose)
            .ok_or_else(|| corrupt("consent purpose"))?,
        categories: &granted,
    };
    Ok(consent_gaps(need, &grant))
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
                let contacts = family_store::contacts_of(connection, &family.id)?
                    .iter()
                    .map(|contact| {
                        let kind = ContactKind::parse(&contact.kind)
                            .ok_or_else(|| corrupt("contact kind"))?;
                        Ok((kind, contact.occurred_on))
                    })
                    .collect::<Result<Vec<_>, ApiError>>()?;
                data.contact_log_summary = Some(ContactLogSummary::of(&contacts));
            }
            DataCategory::InitiativeParticipation => {
                let participation = initiative_store::enrolments_of_family(connection, &family.id)?
                    .into_iter()
                    .map(|(enrolment, initiative)| {
                        Ok(Participation {
                            initiative_type: InitiativeType::parse(&initiative.initiative_type)
                                .ok_or_else(|| corrupt("initiative type"))?,
                            title: initiative.title,
                            enrolled_on: enrolment.enrolled_at.date(),
                        })
                    })
                    .collect::<Result<_, ApiError>>()?;
                data.initiative_participation = Some(participation);
            }
            DataCategory::FamilyStatement => data.family_statement = family_statement.clone(),
        }
    }
    Ok(data)
}

/// A municipal caseworker's referral of a family to an initiative in an area of
/// its municipality, with the data its stated consent lets it share.
fn to_initiative(
    connection: &mut DbConnection,
    principal: &Principal,
    new: NewReferralToInitiative,
    rules: ConsentRules,
) -> Result<ReferralRow, ApiError> {
    let NewReferralToInitiative {
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
    let (initiative, area) =
        initiative_store::find_with_area(connection, &initiative_id.to_string())?
            .filter(|(_, area)| area.municipality_code == municipality.as_str())
            .ok_or_else(|| {
                ApiError::validation(
                    "initiative_id",
                    "is not an initiative in an area of your municipality",
                )
            })?;
    let mut violations = Violations::new();
    let purpose_note = optional_text(purpose_note.as_deref(), "purpose_note", &mut violations);
    let categories = check_stated_sharing(&consent, &shared, rules, db::today(), &mut violations);
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
