//! Initiatives in scope and as responses.

use actix_web::http::StatusCode;

use super::types::{Enrolment, Initiative, Session};
use crate::api::idempotency::Rendered;
use crate::api::stored_uuid;
use crate::auth::policy::{disclosure_for, reaches_area_work, reaches_families_of};
use crate::auth::Principal;
use crate::db::agreements as agreement_store;
use crate::db::areas::AreaRow;
use crate::db::assessments as assessment_store;
use crate::db::initiatives::{self as store, EnrolmentRow, InitiativeRow, SessionRow};
use crate::db::partners as partner_store;
use crate::db::{from_json, DbConnection};
use crate::domain::danish;
use crate::domain::initiative::{condition_warnings, InitiativeStatus};
use crate::domain::session::SessionStatus;
use crate::domain::statistics::{Count, Disclosure};
use crate::domain::validation::FieldError;
use crate::error::ApiError;

pub(super) fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored initiative has an invalid {what}"))
}

pub(super) fn status_of(row: &InitiativeRow) -> Result<InitiativeStatus, ApiError> {
    InitiativeStatus::parse(&row.status).ok_or_else(|| corrupt("status"))
}

pub(super) fn session_status_of(row: &SessionRow) -> Result<SessionStatus, ApiError> {
    SessionStatus::parse(&row.status)
        .ok_or_else(|| ApiError::internal("stored session has an invalid status"))
}

pub(super) fn initiative_out(row: &InitiativeRow, enrolled: Count) -> Result<Initiative, ApiError> {
    let plan = row.plan()?;
    let language = crate::telemetry::current_language();
    let condition_warnings = condition_warnings(&plan)
        .into_iter()
        .map(|warning| FieldError {
            message: danish::written_in(language, warning.message),
            ..warning
        })
        .collect();
    let follow_up_on = plan.follow_up_on();
    Ok(Initiative {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        initiative_type: plan.initiative_type,
        title: plan.title,
        description: plan.description,
        problem_areas: plan.problem_areas,
        assessment_id: row.assessment_id.as_deref().map(stored_uuid).transpose()?,
        format: plan.format,
        partners: plan.partners,
        languages: plan.languages,
        interpreter_present: plan.interpreter_present,
        target_group: plan.target_group,
        capacity: plan.capacity,
        schedule: plan.schedule,
        status: status_of(row)?,
        network_plan: plan.network_plan,
        job_centre_agreement: plan.job_centre_agreement,
        fathers_wanted: plan.fathers_wanted,
        follow_up_on,
        partner_ids: plan
            .partner_ids
            .iter()
            .map(|id| stored_uuid(id))
            .collect::<Result<_, _>>()?,
        cooperation_agreement_id: plan
            .cooperation_agreement_id
            .as_deref()
            .map(stored_uuid)
            .transpose()?,
        goals: plan.goals,
        follow_up_months: plan.follow_up_months,
        enrolled,
        condition_warnings,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// The initiative if the caller reaches its area's aggregate work; 404 otherwise.
pub(super) fn find_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(InitiativeRow, AreaRow), ApiError> {
    store::find_with_area(connection, id)?
        .filter(|(_, area)| reaches_area_work(principal, &area.id, &area.municipality_code))
        .ok_or(ApiError::NotFound)
}

/// The initiative if the caller may see its families (worker of the area); 404 otherwise.
pub(super) fn find_with_families_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<InitiativeRow, ApiError> {
    store::find_with_area(connection, id)?
        .filter(|(_, area)| reaches_families_of(principal, &area.id))
        .map(|(row, _)| row)
        .ok_or(ApiError::NotFound)
}

pub(super) fn enrolled_count(connection: &mut DbConnection, id: &str) -> Result<i64, ApiError> {
    Ok(store::enrolment_counts(connection, &[id.to_owned()])?
        .get(id)
        .copied()
        .unwrap_or(0))
}

/// The cooperation agreement an initiative may be part of: one of its area's.
pub(super) fn check_agreement(
    connection: &mut DbConnection,
    agreement_id: Option<&str>,
    area_id: &str,
) -> Result<(), ApiError> {
    let Some(agreement_id) = agreement_id else {
        return Ok(());
    };
    agreement_store::find(connection, agreement_id)?
        .filter(|agreement| agreement.area_id == area_id)
        .map(|_| ())
        .ok_or_else(|| {
            ApiError::validation(
                "cooperation_agreement_id",
                "is not a cooperation agreement of the initiative's area",
            )
        })
}

/// Partners an initiative may name: those in its area's register.
pub(super) fn check_partners(
    connection: &mut DbConnection,
    partner_ids: &[String],
    area_id: &str,
) -> Result<(), ApiError> {
    let registered = partner_store::of_area(connection, area_id, partner_ids)?;
    let errors: Vec<FieldError> = partner_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !registered.iter().any(|partner| &partner.id == *id))
        .map(|(index, _)| FieldError {
            field: format!("partner_ids[{index}]"),
            message: "is not a partner in the register of the initiative's area".into(),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// An assessment an initiative may refer to: one of the same area.
pub(super) fn check_assessment(
    connection: &mut DbConnection,
    assessment_id: &str,
    area_id: &str,
) -> Result<(), ApiError> {
    let same_area = assessment_store::find_with_area(connection, assessment_id)?
        .is_some_and(|(assessment, _)| assessment.area_id == area_id);
    if same_area {
        Ok(())
    } else {
        Err(ApiError::validation(
            "assessment_id",
            "must be an assessment of the initiative's area",
        ))
    }
}

/// Initiative `id` as a response to the caller (404 outside its scope); the
/// enrolment count is exact for the area's team and suppressed when small for
/// everyone else.
pub(super) fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    threshold: i64,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let (row, area) = find_in_scope(connection, principal, id)?;
    let enrolled =
        disclosure_for(principal, &area.id, threshold).single(enrolled_count(connection, id)?);
    Ok(Rendered::new(status, &initiative_out(&row, enrolled)?)?
        .with_etag(row.version)
        .located_at(|| format!("/api/v1/initiatives/{}", row.id)))
}

/// A session as shown to a caller whose counts are shown by `disclosure`:
/// attendee ids only to the area's team (who see exact counts).
pub(super) fn session_out(
    session: SessionRow,
    attendees: Vec<String>,
    disclosure: Disclosure,
) -> Result<Session, ApiError> {
    let shows_attendees = disclosure == Disclosure::Exact;
    Ok(Session {
        id: stored_uuid(&session.id)?,
        held_on: session.held_on,
        status: session_status_of(&session)?,
        starts_at: session.starts_at,
        ends_at: session.ends_at,
        place: session.place,
        languages: from_json(&session.languages, "session languages")?,
        interpreter_present: session.interpreter_present != 0,
        theme: session.theme,
        speaker: session.speaker,
        headcount: i64::from(session.headcount),
        attendance: disclosure.single(attendees.len() as i64 + i64::from(session.headcount)),
        attendee_family_ids: if shows_attendees {
            Some(
                attendees
                    .iter()
                    .map(|id| stored_uuid(id))
                    .collect::<Result<_, _>>()?,
            )
        } else {
            None
        },
    })
}

pub(super) fn enrolment_out(
    row: EnrolmentRow,
    display_name: String,
) -> Result<Enrolment, ApiError> {
    Ok(Enrolment {
        initiative_id: stored_uuid(&row.initiative_id)?,
        family_id: stored_uuid(&row.family_id)?,
        display_name,
        heavily_burdened: row.heavily_burdened != 0,
        mothers: row.mothers,
        fathers: row.fathers,
        enrolled_by: row.enrolled_by,
        enrolled_at: row.enrolled_at.and_utc(),
    })
}
