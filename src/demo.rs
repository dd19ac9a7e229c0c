//! Demo data for `serve --dev`: a realistic small set, loaded into an empty database.

use std::time::Duration;

use chrono::NaiveDate;

use crate::auth::token::TokenRequest;
use crate::auth::Role;
use uuid::Uuid;

use crate::db::areas::{self, AreaFilter};
use crate::db::assessments::{self, ApprovalRow, AssessmentRow, FindingRow};
use crate::db::{self, DbConnection};
use crate::domain::area::{AreaDraft, AreaFields, PlanFields};
use crate::domain::assessment::{AssessmentStatus, CountedGroup, Side, TargetGroup};

/// Year, month, day.
type Ymd = (i32, u32, u32);

struct DemoArea {
    name: &'static str,
    municipality_code: &'static str,
    housing_organisation: &'static str,
    plan: (&'static str, Ymd, Ymd),
    households: i64,
    residents: i64,
    families_with_children_share: f64,
    single_parent_share: f64,
}

const DEMO_AREAS: &[DemoArea] = &[
    DemoArea {
        name: "Nørrebakken",
        municipality_code: "101",
        housing_organisation: "Boligselskabet Fremtiden",
        plan: (
            "Helhedsplan Nørrebakken 2023-2026",
            (2023, 1, 1),
            (2026, 12, 31),
        ),
        households: 1240,
        residents: 3310,
        families_with_children_share: 0.41,
        single_parent_share: 0.33,
    },
    DemoArea {
        name: "Åparken",
        municipality_code: "101",
        housing_organisation: "Boligforeningen Åbo",
        plan: (
            "Boligsocial helhedsplan Åparken",
            (2024, 7, 1),
            (2028, 6, 30),
        ),
        households: 860,
        residents: 2150,
        families_with_children_share: 0.37,
        single_parent_share: 0.29,
    },
    DemoArea {
        name: "Skovhusene",
        municipality_code: "751",
        housing_organisation: "Østjysk Bolig Demo",
        plan: (
            "Helhedsplan Skovhusene 2025-2028",
            (2025, 1, 1),
            (2028, 12, 31),
        ),
        households: 2030,
        residents: 5480,
        families_with_children_share: 0.45,
        single_parent_share: 0.31,
    },
];

fn date((year, month, day): Ymd) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("bad demo date {year}-{month}-{day}"))
}

/// Loads the demo areas when there are no areas yet; returns the ids of all areas.
pub fn seed_if_empty(connection: &mut DbConnection) -> Result<Vec<String>, String> {
    let existing = area_ids(connection)?;
    if !existing.is_empty() {
        return Ok(existing);
    }
    for area in DEMO_AREAS {
        let draft = AreaDraft::parse(AreaFields {
            name: area.name,
            municipality_code: area.municipality_code,
            housing_organisation: area.housing_organisation,
            plan: Some(PlanFields {
                name: area.plan.0,
                starts_on: date(area.plan.1)?,
                ends_on: date(area.plan.2)?,
            }),
            households: Some(area.households),
            residents: Some(area.residents),
            families_with_children_share: Some(area.families_with_children_share),
            single_parent_share: Some(area.single_parent_share),
        })
        .map_err(|errors| format!("invalid demo area {}: {errors:?}", area.name))?;
        areas::insert_new(connection, &draft).map_err(|error| error.to_string())?;
    }
    let ids = area_ids(connection)?;
    if let [first, second, ..] = ids.as_slice() {
        seed_assessments(connection, first, second).map_err(|error| error.to_string())?;
    }
    log::info!(
        "loaded demo data: {} areas with assessments",
        DEMO_AREAS.len()
    );
    Ok(ids)
}

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
fn seed_assessments(
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
    for (side, approver) in [
        (Side::HousingSocial, "demo-housing-social-worker"),
        (Side::Municipal, "demo-municipal-caseworker"),
    ] {
        assessments::insert_approval(
            connection,
            &ApprovalRow {
                assessment_id: agreed_id.clone(),
                side: side.code().to_owned(),
                approved_by: approver.to_owned(),
                approved_at: now,
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

fn area_ids(connection: &mut DbConnection) -> Result<Vec<String>, String> {
    let filter = AreaFilter {
        limit: 10,
        ..AreaFilter::default()
    };
    Ok(areas::list(connection, &filter)
        .map_err(|error| error.to_string())?
        .into_iter()
        .map(|row| row.id)
        .collect())
}

/// The demo token of a role: the worker has the first two (Copenhagen) areas,
/// the caseworker is in Copenhagen's social services.
pub fn token_request(role: Role, area_ids: &[String], ttl: Duration) -> TokenRequest {
    let base = TokenRequest {
        role: role.code().to_owned(),
        subject: format!("demo-{}", role.code().replace('_', "-")),
        ttl,
        ..TokenRequest::default()
    };
    match role {
        Role::HousingSocialWorker => TokenRequest {
            areas: Some(area_ids.iter().take(2).cloned().collect()),
            ..base
        },
        Role::MunicipalCaseworker => TokenRequest {
            municipality: Some("101".into()),
            unit: Some("social_services".into()),
            ..base
        },
        Role::DataProtectionOfficer => TokenRequest {
            org: Some("Boligselskabet Fremtiden".into()),
            ..base
        },
        Role::Analyst | Role::Admin => base,
    }
}
