//! Demo families, each with its own contacts and consents, and the family
//! course's enrolments and sessions.

use chrono::{Duration, Weekday};
use uuid::Uuid;

use super::initiatives::{last, session, DemoInitiatives};
use crate::db::families::{self, ConsentRow, ContactRow, FamilyRow};
use crate::db::initiatives::{self, EnrolmentRow};
use crate::db::measurements::{self, MeasurementRow};
use crate::db::{self, DbConnection};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::{
    ConsentForm, ConsentPurpose, ContactDetails, ContactKind, DataCategory, FamilyRecord,
    GiverRelation, Household,
};
use crate::domain::outcomes::{Answer, Phase};

struct DemoContact {
    days_ago: i64,
    kind: ContactKind,
    note: &'static str,
}

struct DemoConsent {
    unit: MunicipalUnit,
    purpose: ConsentPurpose,
    categories: &'static [DataCategory],
    form: ConsentForm,
    given_by: (&'static str, GiverRelation),
    document_reference: Option<&'static str>,
    /// Given this many days ago, valid for this many days.
    given_days_ago: i64,
    valid_days: i64,
}

struct DemoFamily {
    name: &'static str,
    phone: Option<&'static str>,
    adults: i64,
    birth_years: &'static [i64],
    languages: &'static [&'static str],
    heavily_burdened: bool,
    fathers: i32,
    contacts: &'static [DemoContact],
    consent: Option<DemoConsent>,
}

const BRIDGE: &[DataCategory] = &[
    DataCategory::ContactDetails,
    DataCategory::HouseholdComposition,
];

const FAMILIES_OF_FIRST_AREA: &[DemoFamily] = &[
    DemoFamily {
        name: "Familien fra opgang 12",
        phone: Some("+45 20 11 22 33"),
        adults: 2,
        birth_years: &[2013, 2016, 2019],
        languages: &["arabisk"],
        heavily_burdened: true,
        fathers: 1,
        contacts: &[
            DemoContact {
                days_ago: 41,
                kind: ContactKind::Outreach,
                note: "Mødt ved legepladsen, interesseret i familiekurset",
            },
            DemoContact {
                days_ago: 20,
                kind: ContactKind::LetterHelp,
                note: "Brev fra skolen om skolestart",
            },
            DemoContact {
                days_ago: 6,
                kind: ContactKind::HomeVisit,
                note: "Aftale om henvisning til familierådgivningen",
            },
        ],
        consent: Some(DemoConsent {
            unit: MunicipalUnit::SocialServices,
            purpose: ConsentPurpose::BridgeBuilding,
            categories: BRIDGE,
            form: ConsentForm::Written,
            given_by: ("Hanan", GiverRelation::Mother),
            document_reference: Some("Samtykkeerklæring NB-2026-031"),
            given_days_ago: 6,
            valid_days: 180,
        }),
    },
    DemoFamily {
        name: "Mor med tre drenge",
        phone: Some("+45 31 44 55 66"),
        adults: 1,
        birth_years: &[2011, 2014, 2017],
        languages: &["somali"],
        heavily_burdened: true,
        fathers: 0,
        contacts: &[
            DemoContact {
                days_ago: 75,
                kind: ContactKind::Phone,
                note: "Spørgsmål om boligstøtte",
            },
            DemoContact {
                days_ago: 33,
                kind: ContactKind::AccompaniedMeeting,
                note: "Fulgt til møde i jobcentret",
            },
        ],
        consent: Some(DemoConsent {
            unit: MunicipalUnit::SocialServices,
            purpose: ConsentPurpose::BridgeBuilding,
            categories: &[DataCategory::ContactDetails],
            form: ConsentForm::Oral,
            given_by: ("Fadumo", GiverRelation::Mother),
            document_reference: None,
            given_days_ago: 33,
            valid_days: 90,
        }),
    },
    DemoFamily {
        name: "Familien ved legepladsen",
        phone: None,
        adults: 2,
        birth_years: &[2015, 2018],
        languages: &["arabisk", "dansk"],
        heavily_burdened: false,
        fathers: 1,
        contacts: &[DemoContact {
            days_ago: 12,
            kind: ContactKind::Activity,
            note: "Med til fællesspisning",
        }],
        consent: Some(DemoConsent {
            unit: MunicipalUnit::SocialServices,
            purpose: ConsentPurpose::BridgeBuilding,
            categories: BRIDGE,
            form: ConsentForm::Written,
            given_by: ("Karim", GiverRelation::Father),
            document_reference: Some("Samtykkeerklæring NB-2026-019"),
            given_days_ago: 150,
            valid_days: 200,
        }),
    },
    DemoFamily {
        name: "Nytilflyttet familie",
        phone: None,
        adults: 2,
        birth_years: &[2020],
        languages: &["tigrinya"],
        heavily_burdened: false,
        fathers: 0,
        contacts: &[DemoContact {
            days_ago: 3,
            kind: ContactKind::Outreach,
            note: "Velkomstbesøg med tolk",
        }],
        consent: None,
    },
];

const FAMILIES_OF_SECOND_AREA: &[DemoFamily] = &[
    DemoFamily {
        name: "Familien i blok C",
        phone: Some("+45 42 10 20 30"),
        adults: 2,
        birth_years: &[2012, 2014],
        languages: &["kurdisk"],
        heavily_burdened: true,
        fathers: 1,
        contacts: &[
            DemoContact {
                days_ago: 60,
                kind: ContactKind::HomeVisit,
                note: "Snak om praktik i caféen",
            },
            DemoContact {
                days_ago: 14,
                kind: ContactKind::Phone,
                note: "Opfølgning efter møde i jobcentret",
            },
        ],
        consent: Some(DemoConsent {
            unit: MunicipalUnit::JobCentre,
            purpose: ConsentPurpose::JobCentreInternship,
            categories: &[DataCategory::ContactDetails],
            form: ConsentForm::Written,
            given_by: ("Rojda", GiverRelation::Mother),
            document_reference: Some("Samtykke ÅP-2026-004"),
            given_days_ago: 60,
            valid_days: 300,
        }),
    },
    DemoFamily {
        name: "Far med to piger",
        phone: Some("+45 50 60 70 80"),
        adults: 1,
        birth_years: &[2016, 2019],
        languages: &["dansk"],
        heavily_burdened: false,
        fathers: 1,
        contacts: &[DemoContact {
            days_ago: 25,
            kind: ContactKind::LetterHelp,
            note: "Ansøgning om fripladstilskud",
        }],
        consent: Some(DemoConsent {
            unit: MunicipalUnit::FamilyCounselling,
            purpose: ConsentPurpose::ApplicationHelp,
            categories: &[DataCategory::ContactDetails],
            form: ConsentForm::Oral,
            given_by: ("Mads", GiverRelation::Father),
            document_reference: None,
            given_days_ago: 25,
            valid_days: 60,
        }),
    },
];

/// A demo family with its consent, for the referrals made on it.
pub(super) struct SeededFamily {
    pub row: FamilyRow,
    pub consent: Option<ConsentRow>,
}

fn failed(error: diesel::result::Error) -> String {
    error.to_string()
}

fn insert(
    connection: &mut DbConnection,
    area_id: &str,
    family: &DemoFamily,
) -> Result<SeededFamily, String> {
    let record = FamilyRecord {
        display_name: family.name.to_owned(),
        contact: ContactDetails {
            phone: family.phone.map(str::to_owned),
            ..ContactDetails::default()
        },
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
    families::insert(connection, &row).map_err(failed)?;
    let today = db::today();
    for contact in family.contacts {
        let occurred_on = today - Duration::days(contact.days_ago);
        families::insert_contact(
            connection,
            &ContactRow {
                id: Uuid::now_v7().to_string(),
                family_id: row.id.clone(),
                occurred_on,
                kind: contact.kind.code().to_owned(),
                note: Some(contact.note.to_owned()),
                recorded_by: "demo-housing-social-worker".into(),
                created_at: occurred_on.and_hms_opt(12, 0, 0).unwrap_or_default(),
            },
        )
        .map_err(failed)?;
    }
    let consent = family.consent.as_ref().map(|consent| {
        let valid_from = today - Duration::days(consent.given_days_ago);
        let codes: Vec<&str> = consent
            .categories
            .iter()
            .map(|category| category.code())
            .collect();
        ConsentRow {
            id: Uuid::now_v7().to_string(),
            family_id: row.id.clone(),
            receiving_unit: consent.unit.code().to_owned(),
            purpose: consent.purpose.code().to_owned(),
            data_categories: db::to_json(&codes),
            valid_from,
            valid_until: valid_from + Duration::days(consent.valid_days),
            given_as: consent.form.code().to_owned(),
            recorded_by: "demo-housing-social-worker".into(),
            recorded_at: valid_from.and_hms_opt(12, 0, 0).unwrap_or_default(),
            withdrawn_at: None,
            withdrawn_by: None,
            given_by_name: Some(consent.given_by.0.to_owned()),
            given_by_relation: Some(consent.given_by.1.code().to_owned()),
            document_reference: consent.document_reference.map(str::to_owned),
        }
    });
    if let Some(consent) = &consent {
        families::insert_consent(connection, consent).map_err(failed)?;
    }
    Ok(SeededFamily { row, consent })
}

/// The families of the two Copenhagen areas; the first area's are enrolled in
/// its family course, which has met on three Tuesdays.
pub(super) fn seed(
    connection: &mut DbConnection,
    first: &str,
    second: &str,
    initiatives: &DemoInitiatives,
) -> Result<Vec<SeededFamily>, String> {
    let course = &initiatives.family_course;
    let mut seeded = Vec::new();
    let mut enrolled = Vec::new();
    for (area_id, demo_families) in [
        (first, FAMILIES_OF_FIRST_AREA),
        (second, FAMILIES_OF_SECOND_AREA),
    ] {
        for family in demo_families {
            let added = insert(connection, area_id, family)?;
            if area_id == first {
                let enrolment = EnrolmentRow {
                    initiative_id: course.id.clone(),
                    family_id: added.row.id.clone(),
                    heavily_burdened: i32::from(family.heavily_burdened),
                    mothers: 1,
                    fathers: family.fathers,
                    enrolled_by: "demo-housing-social-worker".into(),
                    enrolled_at: db::now(),
                };
                initiatives::insert_enrolment(connection, &enrolment).map_err(failed)?;
                enrolled.push(added.row.id.clone());
            }
            seeded.push(added);
        }
    }
    let themes = [
        (
            "Skolestart og forældresamarbejde",
            Some("Lærer fra Nørrebakkens Skole"),
            4,
        ),
        ("Opdragelse mellem to kulturer", Some("Familierådgiver"), 3),
        ("Fritidsliv og SSP", Some("SSP-konsulent"), 4),
    ];
    let today = db::today();
    for (weeks_ago, (theme, speaker, attended)) in (1..=3).rev().zip(themes) {
        let held_on = last(Weekday::Tue, today) - Duration::weeks(weeks_ago);
        let meeting = session(course, held_on, theme, speaker, 0);
        let attendees: Vec<String> = enrolled.iter().take(attended).cloned().collect();
        initiatives::insert_session(connection, &meeting, &attendees).map_err(failed)?;
    }
    let first_meeting = last(Weekday::Tue, today) - Duration::weeks(3);
    let last_meeting = last(Weekday::Tue, today) - Duration::weeks(1);
    for (index, family_id) in enrolled.iter().enumerate() {
        let participant = Uuid::new_v4().to_string();
        let before = 1 + (index % 3) as i32;
        for (phase, measured_on, gain) in [
            (Phase::Start, first_meeting, 0),
            (Phase::End, last_meeting, 1 + (index % 2) as i32),
        ] {
            let answers: Vec<Answer> = [
                "knows_the_actors",
                "talks_with_children",
                "equipped_to_prevent_crime",
            ]
            .iter()
            .zip(0..)
            .map(|(goal, offset)| Answer {
                goal: (*goal).to_owned(),
                value: (before + offset % 2 + gain).min(5),
            })
            .collect();
            let row = MeasurementRow {
                id: Uuid::now_v7().to_string(),
                initiative_id: course.id.clone(),
                family_id: Some(family_id.clone()),
                participant: participant.clone(),
                phase: phase.code().to_owned(),
                measured_on,
                answers: db::to_json(&answers),
                recorded_by: "demo-housing-social-worker".into(),
                recorded_at: db::now(),
            };
            measurements::insert(connection, &row).map_err(failed)?;
        }
    }
    Ok(seeded)
}
