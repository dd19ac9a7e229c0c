//! Stored needs assessments with their findings and approvals.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::areas::AreaRow;
use super::schema::{areas, assessment_approvals, assessment_findings, assessments};
use super::{changes, DbConnection};
use crate::domain::changes::ChangeType;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = assessments, treat_none_as_null = true)]
pub struct AssessmentRow {
    pub id: String,
    pub area_id: String,
    pub status: String,
    pub period_starts_on: NaiveDate,
    pub period_ends_on: NaiveDate,
    pub summary: Option<String>,
    /// JSON of the target group's aggregate counts.
    pub target_group: String,
    pub supersedes_id: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = assessment_findings)]
pub struct FindingRow {
    pub id: String,
    pub assessment_id: String,
    pub position: i32,
    pub problem_area: String,
    pub households: Option<i32>,
    pub share: Option<f64>,
    pub severity: i32,
    /// JSON array of source descriptions.
    pub evidence: String,
    pub contributed_by: String,
    pub notes: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = assessment_approvals)]
pub struct ApprovalRow {
    pub assessment_id: String,
    pub side: String,
    pub approved_by: String,
    pub approved_at: NaiveDateTime,
    /// The municipal unit that approved (none for the housing-social side).
    pub unit: Option<String>,
}

/// An assessment with everything that belongs to it.
#[derive(Debug, Clone)]
pub struct StoredAssessment {
    pub row: AssessmentRow,
    pub findings: Vec<FindingRow>,
    pub approvals: Vec<ApprovalRow>,
    /// The live (not withdrawn) revision that supersedes this one, if any.
    pub superseded_by: Option<String>,
}

#[derive(Debug, Default)]
pub struct AssessmentFilter {
    pub area_id: String,
    pub statuses: Option<Vec<String>>,
    pub updated_since: Option<NaiveDateTime>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// The assessment and the area it belongs to.
pub fn find_with_area(
    connection: &mut DbConnection,
    id: &str,
) -> QueryResult<Option<(AssessmentRow, AreaRow)>> {
    assessments::table
        .inner_join(areas::table)
        .filter(assessments::id.eq(id))
        .select((assessments::all_columns, areas::all_columns))
        .first(connection)
        .optional()
}

pub fn list(
    connection: &mut DbConnection,
    filter: &AssessmentFilter,
) -> QueryResult<Vec<AssessmentRow>> {
    let mut query = assessments::table
        .filter(assessments::area_id.eq(filter.area_id.clone()))
        .into_boxed();
    if let Some(statuses) = &filter.statuses {
        query = query.filter(assessments::status.eq_any(statuses.clone()));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(assessments::updated_at.ge(since));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(assessments::id.gt(after.clone()));
    }
    query
        .order(assessments::id.asc())
        .limit(filter.limit)
        .load(connection)
}

/// Loads findings, approvals and revisions of the given assessments.
pub fn complete(
    connection: &mut DbConnection,
    rows: Vec<AssessmentRow>,
) -> QueryResult<Vec<StoredAssessment>> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let mut findings: HashMap<String, Vec<FindingRow>> = HashMap::new();
    for finding in assessment_findings::table
        .filter(assessment_findings::assessment_id.eq_any(ids.clone()))
        .order((
            assessment_findings::assessment_id,
            assessment_findings::position,
        ))
        .load::<FindingRow>(connection)?
    {
        findings
            .entry(finding.assessment_id.clone())
            .or_default()
            .push(finding);
    }
    let mut approvals: HashMap<String, Vec<ApprovalRow>> = HashMap::new();
    for approval in assessment_approvals::table
        .filter(assessment_approvals::assessment_id.eq_any(ids.clone()))
        .order((
            assessment_approvals::assessment_id,
            assessment_approvals::approved_at,
        ))
        .load::<ApprovalRow>(connection)?
    {
        approvals
            .entry(approval.assessment_id.clone())
            .or_default()
            .push(approval);
    }
    let revisions: HashMap<String, String> = assessments::table
        .filter(assessments::supersedes_id.eq_any(ids))
        .filter(assessments::status.ne("withdrawn"))
        .select((
            assessments::supersedes_id.assume_not_null(),
            assessments::id,
        ))
        .load::<(String, String)>(connection)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| StoredAssessment {
            findings: findings.remove(&row.id).unwrap_or_default(),
            approvals: approvals.remove(&row.id).unwrap_or_default(),
            superseded_by: revisions.get(&row.id).cloned(),
            row,
        })
        .collect())
}

pub fn insert(
    connection: &mut DbConnection,
    row: &AssessmentRow,
    findings: &[FindingRow],
) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::insert_into(assessments::table)
            .values(row)
            .execute(connection)?;
        insert_findings(connection, findings)?;
        changes::record_area_work(
            connection,
            ChangeType::AssessmentCreated,
            &row.id,
            &row.area_id,
        )
    })
}

fn insert_findings(connection: &mut DbConnection, findings: &[FindingRow]) -> QueryResult<()> {
    for finding in findings {
        diesel::insert_into(assessment_findings::table)
            .values(finding)
            .execute(connection)?;
    }
    Ok(())
}

/// Replaces the assessment row if it still has `expected_version`, recording
/// `change` in the feed; false if it moved on.
pub fn replace_if_version(
    connection: &mut DbConnection,
    row: &AssessmentRow,
    expected_version: i32,
    change: ChangeType,
) -> QueryResult<bool> {
    super::write_transaction(connection, |connection| {
        let updated = diesel::update(
            assessments::table
                .filter(assessments::id.eq(&row.id))
                .filter(assessments::version.eq(expected_version)),
        )
        .set(row)
        .execute(connection)?;
        if updated == 1 {
            changes::record_area_work(connection, change, &row.id, &row.area_id)?;
        }
        Ok(updated == 1)
    })
}

pub fn replace_findings(
    connection: &mut DbConnection,
    assessment_id: &str,
    findings: &[FindingRow],
) -> QueryResult<()> {
    diesel::delete(
        assessment_findings::table.filter(assessment_findings::assessment_id.eq(assessment_id)),
    )
    .execute(connection)?;
    insert_findings(connection, findings)
}

pub fn add_finding(connection: &mut DbConnection, finding: &FindingRow) -> QueryResult<()> {
    insert_findings(connection, std::slice::from_ref(finding))
}

pub fn clear_approvals(connection: &mut DbConnection, assessment_id: &str) -> QueryResult<()> {
    diesel::delete(
        assessment_approvals::table.filter(assessment_approvals::assessment_id.eq(assessment_id)),
    )
    .execute(connection)
    .map(|_| ())
}

pub fn insert_approval(connection: &mut DbConnection, approval: &ApprovalRow) -> QueryResult<()> {
    diesel::insert_into(assessment_approvals::table)
        .values(approval)
        .execute(connection)
        .map(|_| ())
}

/// The id of a live revision of `id`, if one exists.
pub fn live_revision_of(connection: &mut DbConnection, id: &str) -> QueryResult<Option<String>> {
    assessments::table
        .filter(assessments::supersedes_id.eq(id))
        .filter(assessments::status.ne("withdrawn"))
        .select(assessments::id)
        .first(connection)
        .optional()
}
