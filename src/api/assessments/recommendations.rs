//! `GET /assessments/{id}/recommendations`: the handbook's initiatives for the findings.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::types::{AnsweredFinding, DesignCondition, Recommendation, Recommendations};
use super::view::{domain_finding, find_complete_in_scope};
use crate::api::responses::ReadFailures;
use crate::api::stored_uuid;
use crate::auth::{op, Allowed};
use crate::db::areas as area_store;
use crate::db::Database;
use crate::domain::assessment::Finding;
use crate::domain::catalog::INITIATIVE_TYPES;
use crate::domain::recommendations::{self as domain, recommend};
use crate::error::ApiError;

/// The initiative types the handbook recommends for the assessment's findings,
/// ranked, with the findings each answers, the rationale and the design
/// conditions. Contact comes first: where the area has no contact-building work
/// yet (no contacts logged, no low-threshold initiative), low-threshold
/// initiatives come before a family course, and `contact_first` says why.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id")),
    responses(
        (status = 200, body = Recommendations),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/recommendations")]
pub async fn recommendations(
    caller: Allowed<op::ReadAssessments>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let id = id.into_inner().to_string();
    let (stored, groundwork) = db
        .run(move |connection| {
            let stored = find_complete_in_scope(connection, &principal, &id)?;
            let groundwork = area_store::contact_groundwork(connection, &stored.row.area_id)?;
            Ok((stored, groundwork))
        })
        .await?;
    let finding_ids = stored
        .findings
        .iter()
        .map(|row| stored_uuid(&row.id))
        .collect::<Result<Vec<_>, _>>()?;
    let findings = stored
        .findings
        .iter()
        .map(domain_finding)
        .collect::<Result<Vec<_>, _>>()?;
    let items = recommend(&findings, groundwork)
        .into_iter()
        .zip(1..)
        .map(|(recommendation, rank)| shown(recommendation, rank, &findings, &finding_ids))
        .collect();
    Ok(HttpResponse::Ok().json(Recommendations {
        assessment_id: stored_uuid(&stored.row.id)?,
        contact_groundwork: groundwork.is_laid(),
        items,
    }))
}

/// A recommendation as shown: ranked, labelled, with the findings it answers.
fn shown(
    recommendation: domain::Recommendation,
    rank: u32,
    findings: &[Finding],
    finding_ids: &[Uuid],
) -> Recommendation {
    let rule = recommendation.rule;
    let entry = INITIATIVE_TYPES
        .iter()
        .find(|entry| entry.code == rule.initiative_type);
    Recommendation {
        rank,
        initiative_type: rule.initiative_type,
        label: entry.map_or(rule.rationale, |entry| entry.label).into(),
        combined: recommendation.combined,
        answers: recommendation
            .answers
            .iter()
            .map(|index| AnsweredFinding {
                finding_id: finding_ids[*index],
                problem_area: findings[*index].problem_area,
                severity: findings[*index].severity,
            })
            .collect(),
        rationale: rule.rationale.into(),
        contact_first: recommendation.contact_first.map(Into::into),
        conditions: rule
            .conditions
            .iter()
            .map(|condition| DesignCondition {
                code: condition.code,
                text: condition.text.into(),
            })
            .collect(),
    }
}
