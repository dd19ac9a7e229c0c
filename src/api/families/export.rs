//! `GET /families/{id}/export`: subject access, everything held about a family as one document.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::types::{Consent, Contact, Family};
use super::view::guarded_family;
use super::view::{consent_out, contact_out, family_out};
use crate::api::audit::list::with_attempts;
use crate::api::audit::types::AuditEvent;
use crate::api::audit::{Access, AuditContext};
use crate::api::query;
use crate::api::referrals::types::{Referral, ReferralEvent};
use crate::api::referrals::view::{events_out as referral_events_out, view};
use crate::api::responses::{RateFailure, ReadFailures};
use crate::api::stored_uuid;
use crate::auth::policy::may_include_concern_report_content;
use crate::auth::{op, Allowed};
use crate::db::audit::{self as audit_store, AuditFilter};
use crate::db::concern_reports as concern_store;
use crate::db::families::{self as family_store, FamilyRow};
use crate::db::initiatives as initiative_store;
use crate::db::measurements as measurement_store;
use crate::db::referrals as referral_store;
use crate::db::{self, from_json, Database, DbConnection};
use crate::domain::assessment::Side;
use crate::domain::catalog::InitiativeType;
use crate::domain::concern::{Parent, Reporter};
use crate::domain::outcomes::Phase;
use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedEnrolment {
    pub initiative_id: Uuid,
    pub initiative_type: InitiativeType,
    pub title: String,
    pub heavily_burdened: bool,
    pub mothers: i32,
    pub fathers: i32,
    pub enrolled_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAttendance {
    pub session_id: Uuid,
    pub initiative_id: Uuid,
    pub held_on: chrono::NaiveDate,
    pub theme: String,
}

/// The family's answer to one goal, with the question it answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAnswer {
    pub goal: String,
    pub question: String,
    pub value: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedMeasurement {
    pub initiative_id: Uuid,
    pub title: String,
    pub phase: Phase,
    pub measured_on: chrono::NaiveDate,
    pub answers: Vec<ExportedAnswer>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedReferral {
    pub referral: Referral,
    pub events: Vec<ReferralEvent>,
}

/// Why an export withholds the content of concern reports.
pub const CONCERN_CONTENT_WITHHELD_BECAUSE: &str = "The content of a concern report (what was observed, the child's own words, who reported) is withheld from the family's access in the child's interest (databeskyttelsesloven § 22, which limits the right of access where the data subject's interest yields to weighty private interests, here the child's). The data protection officer may include it after an assessment of the individual case.";

/// A concern report about a child of the family, as its reporting side holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedConcernReport {
    pub id: Uuid,
    pub received_at: DateTime<Utc>,
    #[schema(required = true)]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Whether the content is left out (it is unless the data protection officer includes it).
    pub content_withheld: bool,
    /// The legal ground for leaving the content out.
    #[schema(required = true)]
    pub withheld_because: Option<String>,
    /// The content, when the data protection officer includes it. The child's
    /// CPR number is never part of it (only the receiving unit sees it).
    #[schema(required = true)]
    pub content: Option<ExportedConcernContent>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedConcernContent {
    #[schema(required = true)]
    pub child_name: Option<String>,
    #[schema(required = true)]
    pub child_birth_date: Option<chrono::NaiveDate>,
    pub parents: Vec<Parent>,
    pub observation: String,
    pub observed_on: chrono::NaiveDate,
    #[schema(required = true)]
    pub child_statement: Option<String>,
    pub parents_informed: bool,
    #[schema(required = true)]
    pub parents_not_informed_reason: Option<String>,
    pub reporter: Reporter,
    pub urgent: bool,
    pub reported_by: String,
}

/// What an export includes beyond the defaults.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Include the content of the family's concern reports (data protection
    /// officer only; audited per report). Withheld by default.
    #[serde(default)]
    pub include_concern_report_content: bool,
}

/// The newest audit events an export carries; the trail has the rest.
const EXPORTED_AUDIT_EVENTS: i64 = 500;

/// Everything held about one family.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyExport {
    pub exported_at: DateTime<Utc>,
    pub family: Family,
    pub contacts: Vec<Contact>,
    pub consents: Vec<Consent>,
    pub enrolments: Vec<ExportedEnrolment>,
    pub attendance: Vec<ExportedAttendance>,
    /// The family's answers to its initiatives' goals.
    pub measurements: Vec<ExportedMeasurement>,
    pub referrals: Vec<ExportedReferral>,
    pub concern_reports: Vec<ExportedConcernReport>,
    /// Who accessed the family's data, and when (this export included): the
    /// newest 500 events, newest first.
    pub audit_events: Vec<AuditEvent>,
    /// How many audit events concern the family in all.
    pub audit_events_total: i64,
    /// True when `audit_events` holds only the newest of them; the data
    /// protection officer reads the rest at `/api/v1/audit-events?family_id=`.
    pub audit_events_truncated: bool,
}

/// Everything held about the family, for the family (subject access). For the
/// area's housing-social workers and the data protection officer of its
/// housing organisation. Concern reports are listed with their content
/// withheld and the legal ground stated; the data protection officer may
/// include the content (`include_concern_report_content=true`, audited).
#[utoipa::path(
    tag = "privacy",
    params(("id" = Uuid, Path, description = "Family id"), ExportQuery),
    responses((status = 200, body = FamilyExport), ReadFailures, RateFailure),
    security(("bearer" = []))
)]
#[get("/{id}/export")]
pub async fn export_family(
    caller: Allowed<op::ExportFamily>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let include_content = query.into_inner().include_concern_report_content;
    if include_content && !may_include_concern_report_content(&principal) {
        return Err(ApiError::ForbiddenBecause(
            "only the data protection officer may include the content of concern reports".into(),
        ));
    }
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let export = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let family = guarded_family(connection, &principal, &id)?;
                let access = Access::new("family", &id, &family.area_id).of_family(Some(&id));
                audit.allowed(connection, access)?;
                let concern_reports =
                    concern_reports_of(connection, &audit, &family, include_content)?;
                gather(connection, &family, concern_reports)
            })
        })
        .await?;
    let attachment = format!("attachment; filename=\"family-{}.json\"", export.family.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, attachment))
        .json(export))
}

/// Everything held about `family`, as it is now.
fn gather(
    connection: &mut DbConnection,
    family: &FamilyRow,
    concern_reports: Vec<ExportedConcernReport>,
) -> Result<FamilyExport, ApiError> {
    let id = family.id.as_str();
    let contacts = family_store::contacts_of(connection, id)?
        .into_iter()
        .map(contact_out)
        .collect::<Result<_, _>>()?;
    let consents = family_store::consents_of(connection, id)?
        .into_iter()
        .map(consent_out)
        .collect::<Result<_, _>>()?;
    let mut referrals = Vec::new();
    for row in referral_store::of_family(connection, id)? {
        let events = referral_events_out(referral_store::events_of(connection, &row.id)?, None)?;
        referrals.push(ExportedReferral {
            referral: view(connection, row, Side::HousingSocial)?,
            events,
        });
    }
    let newest = AuditFilter {
        family_id: Some(id.to_owned()),
        limit: EXPORTED_AUDIT_EVENTS,
        newest_first: true,
        ..AuditFilter::default()
    };
    let newest = audit_store::list(connection, &newest)?;
    let audit_events = with_attempts(connection, newest)?;
    let audit_events_total = audit_store::count_of_family(connection, id)?;
    Ok(FamilyExport {
        exported_at: Utc::now(),
        family: family_out(family)?,
        contacts,
        consents,
        enrolments: enrolments_of(connection, id)?,
        attendance: attendance_of(connection, id)?,
        measurements: measurements_of(connection, id)?,
        referrals,
        concern_reports,
        audit_events_truncated: audit_events_total > audit_events.len() as i64,
        audit_events,
        audit_events_total,
    })
}

fn enrolments_of(
    connection: &mut DbConnection,
    family_id: &str,
) -> Result<Vec<ExportedEnrolment>, ApiError> {
    initiative_store::enrolments_of_family(connection, family_id)?
        .into_iter()
        .map(|(enrolment, initiative)| {
            Ok(ExportedEnrolment {
                initiative_id: stored_uuid(&initiative.id)?,
                initiative_type: InitiativeType::parse(&initiative.initiative_type)
                    .ok_or_else(|| ApiError::internal("stored initiative type is invalid"))?,
                title: initiative.title,
                heavily_burdened: enrolment.heavily_burdened != 0,
                mothers: enrolment.mothers,
                fathers: enrolment.fathers,
                enrolled_at: enrolment.enrolled_at.and_utc(),
            })
        })
        .collect()
}

fn measurements_of(
    connection: &mut DbConnection,
    family_id: &str,
) -> Result<Vec<ExportedMeasurement>, ApiError> {
    let mut exported = Vec::new();
    for row in measurement_store::of_family(connection, family_id)? {
        let (initiative, _) = initiative_store::find_with_area(connection, &row.initiative_id)?
            .ok_or_else(|| ApiError::internal("a measurement's initiative is missing"))?;
        let goals = initiative.plan()?.goals;
        let answers = row
            .answers()?
            .into_iter()
            .map(|answer| ExportedAnswer {
                question: goals
                    .iter()
                    .find(|goal| goal.key == answer.goal)
                    .map(|goal| goal.question.da.clone())
                    .unwrap_or_default(),
                goal: answer.goal,
                value: answer.value,
            })
            .collect();
        exported.push(ExportedMeasurement {
            initiative_id: stored_uuid(&initiative.id)?,
            title: initiative.title,
            phase: row.phase()?,
            measured_on: row.measured_on,
            answers,
            recorded_at: row.recorded_at.and_utc(),
        });
    }
    Ok(exported)
}

fn attendance_of(
    connection: &mut DbConnection,
    family_id: &str,
) -> Result<Vec<ExportedAttendance>, ApiError> {
    initiative_store::attendance_of_family(connection, family_id)?
        .into_iter()
        .map(|session| {
            Ok(ExportedAttendance {
                session_id: stored_uuid(&session.id)?,
                initiative_id: stored_uuid(&session.initiative_id)?,
                held_on: session.held_on,
                theme: session.theme,
            })
        })
        .collect()
}

/// The family's concern reports; their content only when asked for (by the
/// data protection officer), each inclusion audited.
fn concern_reports_of(
    connection: &mut DbConnection,
    audit: &AuditContext,
    family: &FamilyRow,
    include_content: bool,
) -> Result<Vec<ExportedConcernReport>, ApiError> {
    let mut reports = Vec::new();
    for row in concern_store::of_family(connection, &family.id)? {
        let content = if include_content {
            let access = Access::new("concern_report_content", &row.id, &row.area_id)
                .of_family(Some(&family.id));
            audit.allowed(connection, access)?;
            Some(ExportedConcernContent {
                child_name: row.child_name,
                child_birth_date: row.child_birth_date,
                parents: from_json(&row.parents, "concern report parents")?,
                observation: row.observation,
                observed_on: row.observed_on,
                child_statement: row.child_statement,
                parents_informed: row.parents_informed != 0,
                parents_not_informed_reason: row.parents_not_informed_reason,
                reporter: from_json(&row.reporter, "concern report reporter")?,
                urgent: row.urgent != 0,
                reported_by: row.reported_by,
            })
        } else {
            None
        };
        reports.push(ExportedConcernReport {
            id: stored_uuid(&row.id)?,
            received_at: row.received_at.and_utc(),
            acknowledged_at: row.acknowledged_at.map(|at| at.and_utc()),
            content_withheld: content.is_none(),
            withheld_because: content
                .is_none()
                .then(|| CONCERN_CONTENT_WITHHELD_BECAUSE.to_owned()),
            content,
        });
    }
    Ok(reports)
}
