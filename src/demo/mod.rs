//! Demo data for `serve --dev`: a realistic small set, loaded into an empty database.

use std::time::Duration;

use chrono::NaiveDate;

use crate::auth::token::TokenRequest;
use crate::auth::Role;
use uuid::Uuid;

use crate::db::areas::{self, AreaFilter};
use crate::db::assessments::{self, ApprovalRow, AssessmentRow, FindingRow};
use crate::db::families::{self, ConsentRow, ContactRow, FamilyRow};
use crate::db::initiatives::{self, EnrolmentRow, InitiativeRow, RowIdentity};
use crate::db::{self, DbConnection};
use crate::domain::area::{AreaDraft, AreaFields, PlanFields};
use crate::domain::assessment::{AssessmentStatus, CountedGroup, Side, TargetGroup};
use crate::domain::catalog::{InitiativeType, MunicipalUnit};
use crate::domain::family::{
    ConsentForm, ConsentPurpose, ContactDetails, ContactKind, DataCategory, FamilyRecord, Household,
};
use crate::domain::initiative::{
    InitiativeFormat, InitiativePlan, InitiativeStatus, Partner, PartnerKind, Schedule,
};

/// Year, month, day.
type Ymd = (i32, u32, u32);

struct DemoArea {
    name: &'static str,
    municipality_code: &'static str,
    housing_organisation: &'static str,
    organisation_code: &'static str,
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
        organisation_code: "fremtiden",
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
        organisation_code: "aabo",
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
        organisation_code: "oestjysk-bolig",
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
            organisation_code: area.organisation_code,
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
        seed_families_and_initiatives(connection, first, second)?;
    }
    log::info!(
        "loaded demo data: {} areas with assessments, initiatives and families",
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
            org: Some("fremtiden".into()),
            ..base
        },
        Role::Analyst | Role::Admin => base,
    }
}

struct DemoFamily {
    name: &'static str,
    adults: i64,
    birth_years: &'static [i64],
    languages: &'static [&'static str],
    heavily_burdened: bool,
    fathers: i32,
}

const FAMILIES_OF_FIRST_AREA: &[DemoFamily] = &[
    DemoFamily {
        name: "Familien fra opgang 12",
        adults: 2,
        birth_years: &[2013, 2016, 2019],
        languages: &["arabisk"],
        heavily_burdened: true,
        fathers: 1,
    },
    DemoFamily {
        name: "Mor med tre drenge",
        adults: 1,
        birth_years: &[2011, 2014, 2017],
        languages: &["somali"],
        heavily_burdened: true,
        fathers: 0,
    },
    DemoFamily {
        name: "Familien ved legepladsen",
        adults: 2,
        birth_years: &[2015, 2018],
        languages: &["arabisk", "dansk"],
        heavily_burdened: false,
        fathers: 1,
    },
    DemoFamily {
        name: "Nytilflyttet familie",
        adults: 2,
        birth_years: &[2020],
        languages: &["tigrinya"],
        heavily_burdened: false,
        fathers: 0,
    },
];

const FAMILIES_OF_SECOND_AREA: &[DemoFamily] = &[
    DemoFamily {
        name: "Familien i blok C",
        adults: 2,
        birth_years: &[2012, 2014],
        languages: &["kurdisk"],
        heavily_burdened: true,
        fathers: 1,
    },
    DemoFamily {
        name: "Far med to piger",
        adults: 1,
        birth_years: &[2016, 2019],
        languages: &["dansk"],
        heavily_burdened: false,
        fathers: 1,
    },
];

fn insert_family(
    connection: &mut DbConnection,
    area_id: &str,
    family: &DemoFamily,
) -> Result<FamilyRow, String> {
    let record = FamilyRecord {
        display_name: family.name.to_owned(),
        contact: ContactDetails::default(),
        household: Household {
            adults: family.adults,
            children: family.birth_years.len() as i64,
            children_birth_years: family.birth_years.to_vec(),
        },
        languages: family
            .languages
            .iter()
            .map(|language| language.to_string())
            .collect(),
        interpreter_needed: !family.languages.contains(&"dansk"),
        notes: None,
    }
    .validate(2026)
    .map_err(|errors| format!("invalid demo family: {errors:?}"))?;
    let row = FamilyRow::from_record(
        Uuid::now_v7().to_string(),
        area_id.to_owned(),
        &record,
        1,
        db::now(),
    );
    families::insert(connection, &row).map_err(|error| error.to_string())?;
    Ok(row)
}

fn insert_initiative(
    connection: &mut DbConnection,
    area_id: &str,
    plan: InitiativePlan,
    status: InitiativeStatus,
) -> Result<InitiativeRow, String> {
    let plan = plan
        .validate()
        .map_err(|errors| format!("invalid demo initiative: {errors:?}"))?;
    let id = Uuid::now_v7().to_string();
    let identity = RowIdentity {
        id: &id,
        area_id,
        version: 1,
        created_at: db::now(),
    };
    let row = InitiativeRow::from_plan(identity, &plan, None, status);
    initiatives::insert(connection, &row).map_err(|error| error.to_string())?;
    Ok(row)
}

fn demo_plan(
    initiative_type: InitiativeType,
    title: &str,
    format: InitiativeFormat,
) -> InitiativePlan {
    InitiativePlan {
        initiative_type,
        title: title.to_owned(),
        description: None,
        problem_areas: Vec::new(),
        format,
        partners: vec![Partner {
            name: "Områdets skole".into(),
            kind: PartnerKind::School,
        }],
        languages: vec!["dansk".into()],
        interpreter_present: false,
        target_group: None,
        capacity: (format == InitiativeFormat::Closed).then_some(12),
        schedule: Schedule {
            starts_on: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap_or_default(),
            ends_on: None,
            recurrence: Some("tirsdage kl. 17-19".into()),
        },
        network_plan: None,
        job_centre_agreement: None,
        fathers_wanted: false,
    }
}

/// Families with contacts and consents, and initiatives of several types with
/// enrolments, in the two Copenhagen areas.
fn seed_families_and_initiatives(
    connection: &mut DbConnection,
    first: &str,
    second: &str,
) -> Result<(), String> {
    let course = insert_initiative(
        connection,
        first,
        InitiativePlan {
            network_plan: Some(
                "Forældrene fortsætter i en fast madklub efter kurset, støttet af beboerforeningen"
                    .into(),
            ),
            fathers_wanted: true,
            interpreter_present: true,
            languages: vec!["arabisk".into(), "somali".into()],
            partners: vec![
                Partner {
                    name: "SSP København".into(),
                    kind: PartnerKind::Ssp,
                },
                Partner {
                    name: "Familierådgivningen".into(),
                    kind: PartnerKind::FamilyCounselling,
                },
            ],
            ..demo_plan(
                InitiativeType::FamilyCourse,
                "Familiekursus: forældre mellem to kulturer",
                InitiativeFormat::Closed,
            )
        },
        InitiativeStatus::Active,
    )?;
    insert_initiative(
        connection,
        first,
        demo_plan(
            InitiativeType::ExerciseActivity,
            "Gåtur og let motion for mødre",
            InitiativeFormat::Open,
        ),
        InitiativeStatus::Active,
    )?;
    insert_initiative(
        connection,
        first,
        demo_plan(
            InitiativeType::BridgeBuilding,
            "Følges til møder i kommunen",
            InitiativeFormat::Open,
        ),
        InitiativeStatus::Planned,
    )?;
    insert_initiative(
        connection,
        second,
        InitiativePlan {
            job_centre_agreement: Some("Jobcenter København, aftale 2026-17".into()),
            ..demo_plan(
                InitiativeType::Volunteering,
                "Praktik i beboerhusets café",
                InitiativeFormat::Closed,
            )
        },
        InitiativeStatus::Planned,
    )?;
    insert_initiative(
        connection,
        second,
        demo_plan(
            InitiativeType::SocialActivity,
            "Familielejr i sommerferien",
            InitiativeFormat::Closed,
        ),
        InitiativeStatus::Planned,
    )?;

    let today = db::today();
    for (area_id, demo_families) in [
        (first, FAMILIES_OF_FIRST_AREA),
        (second, FAMILIES_OF_SECOND_AREA),
    ] {
        for family in demo_families {
            let row = insert_family(connection, area_id, family)?;
            let contact = ContactRow {
                id: Uuid::now_v7().to_string(),
                family_id: row.id.clone(),
                occurred_on: today,
                kind: ContactKind::LetterHelp.code().to_owned(),
                note: Some("Hjælp til at læse brev fra kommunen".into()),
                recorded_by: "demo-housing-social-worker".into(),
                created_at: db::now(),
            };
            families::insert_contact(connection, &contact).map_err(|error| error.to_string())?;
            let consent = ConsentRow {
                id: Uuid::now_v7().to_string(),
                family_id: row.id.clone(),
                receiving_unit: MunicipalUnit::FamilyCounselling.code().to_owned(),
                purpose: ConsentPurpose::BridgeBuilding.code().to_owned(),
                data_categories: db::to_json(&[
                    DataCategory::ContactDetails.code(),
                    DataCategory::HouseholdComposition.code(),
                ]),
                valid_from: today,
                valid_until: today + chrono::Duration::days(180),
                given_as: ConsentForm::Written.code().to_owned(),
                recorded_by: "demo-housing-social-worker".into(),
                recorded_at: db::now(),
                withdrawn_at: None,
                withdrawn_by: None,
            };
            families::insert_consent(connection, &consent).map_err(|error| error.to_string())?;
            if area_id == first {
                let enrolment = EnrolmentRow {
                    initiative_id: course.id.clone(),
                    family_id: row.id.clone(),
                    heavily_burdened: i32::from(family.heavily_burdened),
                    mothers: 1,
                    fathers: family.fathers,
                    enrolled_by: "demo-housing-social-worker".into(),
                    enrolled_at: db::now(),
                };
                initiatives::insert_enrolment(connection, &enrolment)
                    .map_err(|error| error.to_string())?;
            }
        }
    }
    Ok(())
}
