//! Demo needs assessments: an agreed one for Nørrebakken, a draft for Åparken.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::db::assessments::{self, ApprovalRow, AssessmentRow, FindingRow};
use crate::db::{self, DbConnection};
use crate::domain::assessment::{AssessmentStatus, CountedGroup, Side, TargetGroup};
use crate::domain::catalog::MunicipalUnit;

struct DemoFinding {
    problem_area: &'static str,
    households: Option<i32>,
    share: Option<f64>,
    severity: i32,
    evidence: &'static [&'static str],
    side: Side,
    notes: &'static str,
}

const AGREED_FINDINGS: &[DemoFinding] = &[
    DemoFinding {
        problem_area: "knowledge",
        households: Some(60),
        share: None,
        severity: 4,
        evidence: &["socialforvaltningen", "skolen"],
        side: Side::Municipal,
        notes: "Mange forældre kender ikke skolens og SSP's forventninger; generationskonflikter i familier med flygtningebaggrund.",
    },
    DemoFinding {
        problem_area: "isolation",
        households: Some(45),
        share: Some(0.3),
        severity: 4,
        evidence: &["egne kontakter", "fritidsklubben"],
        side: Side::HousingSocial,
        notes: "Ledige mødre med få netværk; lav deltagelse i beboeraktiviteter.",
    },
    DemoFinding {
        problem_area: "navigation",
        households: Some(25),
        share: None,
        severity: 3,
        evidence: &["familierådgivningen", "egne kontakter"],
        side: Side::Municipal,
        notes: "Familier med mange kommunale kontakter og breve, de ikke forstår.",
    },
];

fn demo_finding(assessment_id: &str, position: usize, finding: &DemoFinding) -> FindingRow {
    FindingRow {
        id: Uuid::now_v7().to_string(),
        assessment_id: assessment_id.to_owned(),
        position: position as i32,
        problem_area: finding.problem_area.to_owned(),
        households: finding.households,
        share: finding.share,
        severity: finding.severity,
        evidence: serde_json::to_string(finding.evidence).unwrap_or_else(|_| "[]".into()),
        contributed_by: finding.side.code().to_owned(),
        notes: Some(finding.notes.to_owned()),
        created_at: db::now(),
    }
}

/// An agreed assessment of the first area and a draft for the second.
pub(super) fn seed_assessments(
    connection: &mut DbConnection,
    first: &str,
    second: &str,
) -> diesel::QueryResult<()> {
    let target_group = TargetGroup {
        households: Some(140),
        children: Some(310),
        single_parent_households: Some(48),
        large_families: Some(31),
        language_groups: vec![
            CountedGroup {
                label: "arabisk".into(),
                households: 41,
            },
            CountedGroup {
                label: "somali".into(),
                households: 27,
            },
            CountedGroup {
                label: "dansk".into(),
                households: 52,
            },
        ],
        other: vec![],
    };
    let now = db::now();
    let assessment =
        |id: &str, area_id: &str, status: AssessmentStatus, summary: &str| AssessmentRow {
            id: id.to_owned(),
            area_id: area_id.to_owned(),
            status: status.code().to_owned(),
            period_starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            period_ends_on: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
            summary: Some(summary.to_owned()),
            target_group: serde_json::to_string(&target_group).unwrap_or_else(|_| "{}".into()),
            supersedes_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
    let agreed_id = Uuid::now_v7().to_string();
    let findings: Vec<_> = AGREED_FINDINGS
        .iter()
        .enumerate()
        .map(|(position, finding)| demo_finding(&agreed_id, position, finding))
        .collect();
    assessments::insert(
        connection,
        &assessment(
            &agreed_id,
            first,
            AssessmentStatus::Agreed,
            "Fælles analyse med socialforvaltningen: manglende viden om forventningerne til forældre og social isolation præger de udsatte familier.",
        ),
        &findings,
    )?;
    for (side, approver, unit) in [
        (Side::HousingSocial, "demo-housing-social-worker", None),
        (
            Side::Municipal,
            "demo-municipal-caseworker",
            Some(MunicipalUnit::SocialServices),
        ),
    ] {
        assessments::insert_approval(
            connection,
            &ApprovalRow {
                assessment_id: agreed_id.clone(),
                side: side.code().to_owned(),
                approved_by: approver.to_owned(),
                approved_at: now,
                unit: unit.map(|unit| unit.code().to_owned()),
            },
        )?;
    }
    let draft_id = Uuid::now_v7().to_string();
    let draft_findings = [demo_finding(
        &draft_id,
        0,
        &DemoFinding {
            problem_area: "health",
            households: None,
            share: Some(0.2),
            severity: 3,
            evidence: &["sundhedsplejen"],
            side: Side::HousingSocial,
            notes: "Smerter og dårlig fysisk form blandt forældre.",
        },
    )];
    assessments::insert(
        connection,
        &assessment(
            &draft_id,
            second,
            AssessmentStatus::Draft,
            "Udkast: kortlægning af helbred og beskæftigelse.",
        ),
        &draft_findings,
    )
}
