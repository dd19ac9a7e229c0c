//! An assessment as stored, in scope and as a response; findings from requests to rows.

use actix_web::http::StatusCode;
use uuid::Uuid;

use super::types::{Approval, Assessment, AssessmentFinding, AssessmentPeriod, FindingInput};
use crate::api::idempotency::Rendered;
use crate::api::stored_uuid;
use crate::auth::policy::{reaches_area_work, sees_assessment, side_of};
use crate::auth::Principal;
use crate::db::assessments::{self as store, AssessmentRow, FindingRow, StoredAssessment};
use crate::db::{self, DbConnection};
use crate::domain::assessment::{
    check_finding_count, AssessmentStatus, Finding, FindingFields, Period, Side, StateConflict,
    TargetGroup,
};
use crate::domain::catalog::{MunicipalUnit, ProblemArea};
use crate::domain::validation::Violations;
use crate::error::ApiError;

pub(super) fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored assessment has an invalid {what}"))
}

pub(super) fn status_of(row: &AssessmentRow) -> Result<AssessmentStatus, ApiError> {
    AssessmentStatus::parse(&row.status).ok_or_else(|| corrupt("status"))
}

pub(super) fn conflict(error: StateConflict) -> ApiError {
    ApiError::Conflict(error.to_string())
}

pub(super) fn domain_finding(row: &FindingRow) -> Result<Finding, ApiError> {
    Ok(Finding {
        problem_area: ProblemArea::parse(&row.problem_area)
            .ok_or_else(|| corrupt("problem area"))?,
        households: row.households,
        share: row.share,
        severity: row.severity,
        evidence: serde_json::from_str(&row.evidence).map_err(|_| corrupt("evidence"))?,
        notes: row.notes.clone(),
    })
}

pub(super) fn finding_out(row: FindingRow) -> Result<AssessmentFinding, ApiError> {
    let finding = domain_finding(&row)?;
    Ok(AssessmentFinding {
        id: stored_uuid(&row.id)?,
        problem_area: finding.problem_area,
        households: finding.households,
        share: finding.share,
        severity: finding.severity,
        evidence: finding.evidence,
        contributed_by: Side::parse(&row.contributed_by).ok_or_else(|| corrupt("side"))?,
        notes: finding.notes,
        created_at: row.created_at.and_utc(),
    })
}

pub(super) fn assessment_out(stored: StoredAssessment) -> Result<Assessment, ApiError> {
    let row = stored.row;
    Ok(Assessment {
        id: stored_uuid(&row.id)?,
        area_id: stored_uuid(&row.area_id)?,
        status: status_of(&row)?,
        period: AssessmentPeriod {
            starts_on: row.period_starts_on,
            ends_on: row.period_ends_on,
        },
        summary: row.summary,
        target_group: serde_json::from_str(&row.target_group)
            .map_err(|_| corrupt("target group"))?,
        findings: stored
            .findings
            .into_iter()
            .map(finding_out)
            .collect::<Result<_, _>>()?,
        approvals: stored
            .approvals
            .into_iter()
            .map(|approval| {
                Ok(Approval {
                    side: Side::parse(&approval.side).ok_or_else(|| corrupt("side"))?,
                    approved_by: approval.approved_by,
                    approved_at: approval.approved_at.and_utc(),
                    unit: approval
                        .unit
                        .as_deref()
                        .map(|unit| MunicipalUnit::parse(unit).map_err(|_| corrupt("unit")))
                        .transpose()?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        supersedes: row.supersedes_id.as_deref().map(stored_uuid).transpose()?,
        superseded_by: stored
            .superseded_by
            .as_deref()
            .map(stored_uuid)
            .transpose()?,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// Loads an assessment with everything that belongs to it.
pub(super) fn load_complete(
    connection: &mut DbConnection,
    row: AssessmentRow,
) -> Result<StoredAssessment, ApiError> {
    store::complete(connection, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// The assessment if the caller reaches it; 404 otherwise, as if it did not exist.
pub(super) fn find_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<AssessmentRow, ApiError> {
    let (row, area) = store::find_with_area(connection, id)?.ok_or(ApiError::NotFound)?;
    let visible = reaches_area_work(principal, &area.id, &area.municipality_code)
        && sees_assessment(principal, status_of(&row)?);
    if visible {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

pub(super) fn find_complete_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<StoredAssessment, ApiError> {
    let row = find_in_scope(connection, principal, id)?;
    load_complete(connection, row)
}

pub(super) fn caller_side(principal: &Principal) -> Result<Side, ApiError> {
    side_of(principal).ok_or(ApiError::Forbidden)
}

/// Parses findings into rows. An input with an `id` keeps that existing finding's
/// author side; a new one is attributed to `side`.
pub(super) fn finding_rows(
    inputs: &[FindingInput],
    existing: &[FindingRow],
    assessment_id: &str,
    side: Side,
    violations: &mut Violations,
) -> Vec<FindingRow> {
    check_finding_count(inputs.len(), violations);
    let now = db::now();
    inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| {
            let prefix = format!("findings[{index}]");
            let kept = match input.id {
                Some(id) => {
                    let found = existing.iter().find(|row| row.id == id.to_string());
                    if found.is_none() {
                        violations.add(
                            format!("{prefix}.id"),
                            "is not a finding of this assessment",
                        );
                    }
                    Some(found?)
                }
                None => None,
            };
            let finding = Finding::parse(
                FindingFields {
                    problem_area: input.problem_area,
                    households: input.households,
                    share: input.share,
                    severity: input.severity,
                    evidence: &input.evidence,
                    notes: input.notes.as_deref(),
                },
                &prefix,
                violations,
            )?;
            Some(FindingRow {
                id: kept.map_or_else(|| Uuid::now_v7().to_string(), |row| row.id.clone()),
                assessment_id: assessment_id.to_owned(),
                position: index as i32,
                problem_area: finding.problem_area.code().to_owned(),
                households: finding.households,
                share: finding.share,
                severity: finding.severity,
                evidence: serde_json::to_string(&finding.evidence).unwrap_or_else(|_| "[]".into()),
                contributed_by: kept
                    .map_or_else(|| side.code().to_owned(), |row| row.contributed_by.clone()),
                notes: finding.notes,
                created_at: kept.map_or(now, |row| row.created_at),
            })
        })
        .collect()
}

pub(super) fn period_of(period: AssessmentPeriod, violations: &mut Violations) -> Option<Period> {
    Period::parse(period.starts_on, period.ends_on, violations)
}

pub(super) fn target_group_json(group: TargetGroup, violations: &mut Violations) -> String {
    serde_json::to_string(&group.parse(violations)).unwrap_or_else(|_| "{}".into())
}

/// Assessment `id` as a response to the caller (404 outside its scope).
pub(super) fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let stored = find_complete_in_scope(connection, principal, id)?;
    let version = stored.row.version;
    let location = format!("/api/v1/assessments/{}", stored.row.id);
    Ok(Rendered::new(status, &assessment_out(stored)?)?
        .with_etag(version)
        .located_at(|| location))
}
