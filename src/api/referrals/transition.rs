//! `POST /referrals/{id}/transitions`: a referral moves along its status machine.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use uuid::Uuid;

use super::events::event;
use super::types::{Referral, Transition};
use super::view::{self, direction_of, referral_in_scope, render, status_of};
use crate::api::audit::AuditContext;
use crate::api::etag::IfMatch;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::{AddFailures, ConflictFailure, StaleFailure};
use crate::auth::policy::reaches_families_of;
use crate::auth::{op, Allowed, Principal};
use crate::db::families::{self as family_store, FamilyRow};
use crate::db::referrals::{self as store, ReferralRow};
use crate::db::{self, from_json, Database, DbConnection};
use crate::domain::family::{ContactDetails, FamilyRecord};
use crate::domain::referral::{
    accepts_into_initiative, check_transition, check_transition_fields, ReferralStatus,
    TransitionError, TransitionFields,
};
use crate::domain::sharing::SharedData;
use crate::error::ApiError;

/// Moves a referral along its status machine. 409 for a move that does not
/// exist now, 403 for one the other side must make; both say what is allowed.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "Referral id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on (412 when the referral has changed since)"),
        IdempotencyKeyHeader,
    ),
    request_body = Transition,
    responses(
        (status = 201, body = Referral, headers(
            ("Location" = String, description = "URL of the referral"),
            ("ETag" = String, description = "The new version"),
        )),
        AddFailures, ConflictFailure, StaleFailure,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/transitions")]
pub async fn transition_referral(
    caller: Allowed<op::Referrals>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<Transition>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner().to_string();
    let transition = body.into_inner();
    let actor = principal.clone();
    let work =
        move |connection: &mut DbConnection| apply(connection, &actor, &id, &if_match, transition);
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

/// Makes the status change and records its event.
fn apply(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    transition: Transition,
) -> Result<Outcome, ApiError> {
    let (current, side) = referral_in_scope(connection, principal, id)?;
    let current = view::current(connection, current)?;
    if_match.check(current.version)?;
    let direction = direction_of(&current)?;
    let role = direction.role_of(side);
    let from = status_of(&current.status)?;
    let resume = current
        .resume_status
        .as_deref()
        .map(status_of)
        .transpose()?;
    check_transition(from, transition.to, role, direction, resume).map_err(
        |error| match error {
            TransitionError::Illegal { .. } => ApiError::TransitionNotAllowed(error.to_string()),
            TransitionError::WrongSide { .. } => ApiError::ForbiddenBecause(error.to_string()),
        },
    )?;
    let texts = check_transition_fields(
        direction,
        &TransitionFields {
            to: transition.to,
            reason: transition.reason.as_deref(),
            outcome: transition.outcome,
            outcome_note: transition.outcome_note.as_deref(),
            link_family: transition.link_family_id.is_some(),
            create_family: transition.create_family,
        },
    )
    .map_err(ApiError::Validation)?;
    let mut row = current.clone();
    if accepts_into_initiative(direction, transition.to) {
        let linked = linked_family(connection, principal, &current, transition.link_family_id)?;
        row.family_id = Some(linked);
    }
    row.version = current.version + 1;
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
        row.outcome_note = texts.outcome_note;
    }
    row.updated_at = now;
    if !store::replace_if_version(connection, &row, current.version)? {
        return Err(ApiError::Conflict(
            "the referral changed at the same time; read it again and retry".into(),
        ));
    }
    let change = event(id, principal, side, Some(from), transition.to, texts.reason);
    store::insert_event(connection, &row, &change)?;
    Ok(Outcome::created(row.id).at_version(row.version))
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
    if let Some(reason) = referral.redaction_reason.as_deref() {
        return Err(ApiError::ConsentGap(format!(
            "the consent behind this referral no longer holds ({reason}): its shared data cannot become a family record; link a family of the area instead (link_family_id)"
        )));
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
        contact: ContactDetails {
            phone: contact.phone,
            email: contact.email,
            address: contact.address,
        },
        household: shared.household_composition.unwrap_or_default(),
        languages: Vec::new(),
        interpreter_needed: false,
        notes: shared.family_statement,
    }
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
