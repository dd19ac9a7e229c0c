//! Demo initiatives: one of each kind the handbook describes, each with the
//! partners that fit it, held on different weekdays and times.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use uuid::Uuid;

use crate::db::initiatives::{self, InitiativeRow, RowIdentity, SessionRow};
use crate::db::{self, DbConnection};
use crate::domain::catalog::InitiativeType;
use crate::domain::initiative::{
    InitiativeFormat, InitiativePlan, InitiativeStatus, Partner, PartnerKind, Schedule,
};
use crate::domain::outcomes::{catalog_outcome, catalogue_goal};
use crate::domain::session::SessionStatus;

/// The demo initiatives later steps refer to.
pub(super) struct DemoInitiatives {
    /// The family course of the first area, whose families are enrolled.
    pub family_course: InitiativeRow,
}

struct DemoInitiative {
    initiative_type: InitiativeType,
    title: &'static str,
    format: InitiativeFormat,
    status: InitiativeStatus,
    recurrence: &'static str,
    partners: &'static [(&'static str, PartnerKind)],
    languages: &'static [&'static str],
    network_plan: Option<&'static str>,
    job_centre_agreement: Option<&'static str>,
    /// Catalogue outcomes the initiative aims at.
    goals: &'static [&'static str],
}

const FAMILY_COURSE: DemoInitiative = DemoInitiative {
    initiative_type: InitiativeType::FamilyCourse,
    title: "Familiekursus: forældre mellem to kulturer",
    format: InitiativeFormat::Closed,
    status: InitiativeStatus::Active,
    recurrence: "tirsdage kl. 17-19, 8 gange",
    partners: &[
        ("SSP København", PartnerKind::Ssp),
        (
            "Familierådgivningen Nørrebro",
            PartnerKind::FamilyCounselling,
        ),
        ("Nørrebakkens Skole", PartnerKind::School),
    ],
    languages: &["arabisk", "somali"],
    network_plan: Some(
        "Forældrene fortsætter i en fast madklub efter kurset, støttet af beboerforeningen",
    ),
    job_centre_agreement: None,
    goals: &[
        "knows_the_actors",
        "talks_with_children",
        "equipped_to_prevent_crime",
    ],
};

const EXERCISE: DemoInitiative = DemoInitiative {
    initiative_type: InitiativeType::ExerciseActivity,
    title: "Gåtur og let motion for mødre",
    format: InitiativeFormat::Open,
    status: InitiativeStatus::Active,
    recurrence: "torsdage kl. 9.30-10.30",
    partners: &[
        ("Sundhedsplejen", PartnerKind::HealthVisitor),
        ("Boldklubben Nørrebakken", PartnerKind::Club),
    ],
    languages: &["dansk", "arabisk"],
    network_plan: None,
    job_centre_agreement: None,
    goals: &["physical_wellbeing", "mental_wellbeing"],
};

const OTHERS: &[(usize, DemoInitiative)] = &[
    (
        0,
        DemoInitiative {
            initiative_type: InitiativeType::InformationEvent,
            title: "Mød skolen og klubben",
            format: InitiativeFormat::Open,
            status: InitiativeStatus::Active,
            recurrence: "første onsdag i måneden kl. 18-20",
            partners: &[
                ("Nørrebakkens Skole", PartnerKind::School),
                ("Fritidsklubben Bakken", PartnerKind::Club),
                ("SSP København", PartnerKind::Ssp),
            ],
            languages: &["dansk", "arabisk", "somali"],
            network_plan: None,
            job_centre_agreement: None,
            goals: &["knows_the_actors", "knows_what_is_expected"],
        },
    ),
    (
        0,
        DemoInitiative {
            initiative_type: InitiativeType::BridgeBuilding,
            title: "Brevhjælp og følgeskab til møder i kommunen",
            format: InitiativeFormat::Open,
            status: InitiativeStatus::Planned,
            recurrence: "mandage kl. 13-15 i beboerhuset",
            partners: &[
                (
                    "Familierådgivningen Nørrebro",
                    PartnerKind::FamilyCounselling,
                ),
                ("Jobcenter København", PartnerKind::JobCentre),
            ],
            languages: &["dansk"],
            network_plan: None,
            job_centre_agreement: None,
            goals: &["own_situation_in_hand", "knows_where_to_go"],
        },
    ),
    (
        1,
        DemoInitiative {
            initiative_type: InitiativeType::Volunteering,
            title: "Praktik i beboerhusets café",
            format: InitiativeFormat::Closed,
            status: InitiativeStatus::Planned,
            recurrence: "fredage kl. 10-14",
            partners: &[
                ("Jobcenter København", PartnerKind::JobCentre),
                ("Beboerforeningen Åparken", PartnerKind::Association),
            ],
            languages: &["dansk"],
            network_plan: None,
            job_centre_agreement: Some("Jobcenter København, aftale 2026-17"),
            goals: &["self_esteem", "sees_self_as_resource"],
        },
    ),
    (
        1,
        DemoInitiative {
            initiative_type: InitiativeType::SocialActivity,
            title: "Familielejr i sommerferien",
            format: InitiativeFormat::Closed,
            status: InitiativeStatus::Planned,
            recurrence: "uge 28, fredag til søndag",
            partners: &[
                ("Beboerforeningen Åparken", PartnerKind::Association),
                ("Fritidsklubben Åen", PartnerKind::Club),
            ],
            languages: &["dansk", "kurdisk"],
            network_plan: Some(
                "Lejrens familier mødes til fællesspisning hver anden søndag bagefter",
            ),
            job_centre_agreement: None,
            goals: &["network_across_families", "shared_positive_experiences"],
        },
    ),
];

fn insert(
    connection: &mut DbConnection,
    area_id: &str,
    demo: &DemoInitiative,
) -> Result<InitiativeRow, String> {
    let plan = InitiativePlan {
        initiative_type: demo.initiative_type,
        title: demo.title.to_owned(),
        description: None,
        problem_areas: Vec::new(),
        format: demo.format,
        partners: demo
            .partners
            .iter()
            .map(|(name, kind)| Partner {
                name: (*name).to_owned(),
                kind: *kind,
            })
            .collect(),
        languages: demo
            .languages
            .iter()
            .map(|language| (*language).to_owned())
            .collect(),
        interpreter_present: demo.languages.len() > 1,
        target_group: None,
        capacity: (demo.format == InitiativeFormat::Closed).then_some(12),
        schedule: Schedule {
            starts_on: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap_or_default(),
            ends_on: None,
            recurrence: Some(demo.recurrence.into()),
        },
        network_plan: demo.network_plan.map(str::to_owned),
        job_centre_agreement: demo.job_centre_agreement.map(str::to_owned),
        fathers_wanted: demo.initiative_type == InitiativeType::FamilyCourse,
        goals: demo
            .goals
            .iter()
            .filter_map(|code| catalog_outcome(code))
            .map(catalogue_goal)
            .collect(),
        follow_up_months: (demo.initiative_type == InitiativeType::FamilyCourse).then_some(3),
        partner_ids: Vec::new(),
        cooperation_agreement_id: None,
    }
    .validate()
    .map_err(|errors| format!("invalid demo initiative {}: {errors:?}", demo.title))?;
    let id = Uuid::now_v7().to_string();
    let identity = RowIdentity {
        id: &id,
        area_id,
        version: 1,
        created_at: db::now(),
    };
    let row = InitiativeRow::from_plan(identity, &plan, None, demo.status);
    initiatives::insert(connection, &row).map_err(|error| error.to_string())?;
    Ok(row)
}

/// The most recent `weekday` on or before `day`.
pub(super) fn last(weekday: Weekday, day: NaiveDate) -> NaiveDate {
    let back = (7 + day.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    day - Duration::days(i64::from(back))
}

/// An anonymous session: counted, no families named (open events).
pub(super) fn session(
    initiative: &InitiativeRow,
    held_on: NaiveDate,
    theme: &str,
    speaker: Option<&str>,
    headcount: i32,
) -> SessionRow {
    SessionRow {
        id: Uuid::now_v7().to_string(),
        initiative_id: initiative.id.clone(),
        held_on,
        theme: theme.to_owned(),
        speaker: speaker.map(str::to_owned),
        created_at: db::now(),
        headcount,
        status: SessionStatus::Held.code().to_owned(),
        starts_at: None,
        ends_at: None,
        place: None,
        languages: "[]".into(),
        interpreter_present: 0,
        sequence: 0,
    }
}

/// The initiatives of the two Copenhagen areas, with the open events' sessions.
pub(super) fn seed(
    connection: &mut DbConnection,
    first: &str,
    second: &str,
) -> Result<DemoInitiatives, String> {
    let family_course = insert(connection, first, &FAMILY_COURSE)?;
    let exercise = insert(connection, first, &EXERCISE)?;
    let areas = [first, second];
    let mut information_event = None;
    for (area, demo) in OTHERS {
        let row = insert(connection, areas[*area], demo)?;
        if demo.initiative_type == InitiativeType::InformationEvent {
            information_event = Some(row);
        }
    }
    let today = db::today();
    let failed = |error: diesel::result::Error| error.to_string();
    for (weeks_ago, headcount) in [(3, 9), (2, 12), (1, 14)] {
        let held_on = last(Weekday::Thu, today) - Duration::weeks(weeks_ago);
        let walk = session(&exercise, held_on, "Gåtur rundt om søen", None, headcount);
        initiatives::insert_session(connection, &walk, &[]).map_err(failed)?;
    }
    if let Some(event) = information_event {
        let held_on = last(Weekday::Wed, today) - Duration::weeks(2);
        let meeting = session(
            &event,
            held_on,
            "Skolens forventninger til forældre",
            Some("Skoleleder og SSP-konsulent"),
            38,
        );
        initiatives::insert_session(connection, &meeting, &[]).map_err(failed)?;
    }
    Ok(DemoInitiatives { family_course })
}
