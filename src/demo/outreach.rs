//! Demo outreach and cooperation: the first area's partner register (named by
//! its family course), planned sessions ahead, families being reached in
//! different states, and an agreed cooperation agreement with the municipality.

use chrono::{Duration, NaiveTime, Weekday};
use uuid::Uuid;

use super::initiatives::{last, DemoInitiatives};
use crate::db::agreements::{self, AgreementRow, SignatureRow};
use crate::db::initiatives::{self, SessionRow};
use crate::db::partners::{self, PartnerRow};
use crate::db::prospects::{self, ProspectRow, StepRow};
use crate::db::{self, to_json, DbConnection};
use crate::domain::agreement::{
    AgreementStatus, AgreementTerms, CoLocatedService, ContactRole, UnitRole,
};
use crate::domain::assessment::Side;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::ConsentPurpose;
use crate::domain::initiative::PartnerKind;
use crate::domain::prospect::{ProspectStatus, SourceKind, StepKind};
use crate::domain::session::SessionStatus;

const PARTNERS: &[(&str, PartnerKind, &str)] = &[
    (
        "Nørrebakkens Skole",
        PartnerKind::School,
        "Lærere holder oplæg om skolestart og forældresamarbejde",
    ),
    (
        "SSP København",
        PartnerKind::Ssp,
        "SSP-konsulent fortæller om fritidsliv og kriminalitetsforebyggelse",
    ),
    (
        "Familierådgivningen Nørrebro",
        PartnerKind::FamilyCounselling,
        "Familierådgiver deltager i forløbet og er kendt ansigt bagefter",
    ),
    (
        "Boldklubben Nørrebakken",
        PartnerKind::Club,
        "Træner fædre og børn om lørdagen",
    ),
    (
        "Børnehuset Solsikken",
        PartnerKind::Kindergarten,
        "Pædagoger fortæller forældre om tilbuddene",
    ),
];

/// (name, source, status, fathers targeted, steps as (weeks ago, kind, status after))
type DemoProspect = (
    &'static str,
    SourceKind,
    bool,
    &'static [(i64, StepKind, ProspectStatus)],
);

const PROSPECTS: &[DemoProspect] = &[
    ("Familien Y.", SourceKind::Kindergarten, false, &[]),
    (
        "Familien K.",
        SourceKind::School,
        true,
        &[(6, StepKind::LetterHelp, ProspectStatus::FirstContact)],
    ),
    (
        "Familien D.",
        SourceKind::Club,
        true,
        &[
            (10, StepKind::Event, ProspectStatus::FirstContact),
            (6, StepKind::Exercise, ProspectStatus::TrustBuilding),
            (2, StepKind::HomeVisit, ProspectStatus::TrustBuilding),
        ],
    ),
    (
        "Familien S.",
        SourceKind::HealthVisitor,
        false,
        &[(8, StepKind::PhoneCall, ProspectStatus::Declined)],
    ),
    (
        "Familien M.",
        SourceKind::OwnOutreach,
        false,
        &[(12, StepKind::Event, ProspectStatus::Lost)],
    ),
];

fn failed(error: diesel::result::Error) -> String {
    error.to_string()
}

pub(super) fn seed(
    connection: &mut DbConnection,
    first: &str,
    initiatives: &DemoInitiatives,
) -> Result<(), String> {
    let now = db::now();
    let today = db::today();
    let mut partner_ids = Vec::new();
    for (name, kind, role) in PARTNERS {
        let row = PartnerRow {
            id: Uuid::now_v7().to_string(),
            area_id: first.to_owned(),
            name: (*name).to_owned(),
            kind: kind.code().to_owned(),
            role: Some((*role).to_owned()),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        partners::insert(connection, &row).map_err(failed)?;
        partner_ids.push(row.id);
    }
    let course = &initiatives.family_course;
    let mut plan = course.plan().map_err(|error| error.to_string())?;
    plan.partner_ids = partner_ids[..3].to_vec();
    let mut named = crate::db::initiatives::InitiativeRow {
        version: course.version + 1,
        ..course.clone()
    };
    named.partner_ids = to_json(&plan.partner_ids);
    initiatives::replace_if_version(connection, &named, course.version).map_err(failed)?;

    for (weeks, theme, place) in [
        (
            1,
            "Ungdomsliv og sociale medier",
            "Beboerhuset, Nørrebakken 12",
        ),
        (
            2,
            "Lektiehjælp og skolens forventninger",
            "Nørrebakkens Skole, lokale 3",
        ),
    ] {
        let session = SessionRow {
            id: Uuid::now_v7().to_string(),
            initiative_id: course.id.clone(),
            held_on: last(Weekday::Tue, today) + Duration::weeks(weeks),
            theme: theme.to_owned(),
            speaker: Some("Familierådgiver".into()),
            created_at: now,
            headcount: 0,
            status: SessionStatus::Planned.code().to_owned(),
            starts_at: NaiveTime::from_hms_opt(17, 0, 0),
            ends_at: NaiveTime::from_hms_opt(19, 0, 0),
            place: Some(place.to_owned()),
            languages: to_json(&["dansk", "arabisk", "somali"]),
            interpreter_present: 1,
            sequence: 0,
        };
        initiatives::insert_session(connection, &session, &[]).map_err(failed)?;
    }

    for (name, source, fathers, steps) in PROSPECTS {
        let identified_on = today - Duration::weeks(14);
        let status = steps
            .last()
            .map_or(ProspectStatus::Identified, |step| step.2);
        let row = ProspectRow {
            id: Uuid::now_v7().to_string(),
            area_id: first.to_owned(),
            display_name: Some((*name).to_owned()),
            source_kind: source.code().to_owned(),
            status: status.code().to_owned(),
            fathers_targeted: i32::from(*fathers),
            family_id: None,
            identified_on,
            engaged_on: None,
            version: 1 + steps.len() as i32,
            created_at: now,
            updated_at: now,
            erased_at: None,
        };
        prospects::insert(connection, &row).map_err(failed)?;
        for (weeks_ago, kind, after) in *steps {
            let step = StepRow {
                id: Uuid::now_v7().to_string(),
                prospect_id: row.id.clone(),
                occurred_on: today - Duration::weeks(*weeks_ago),
                kind: kind.code().to_owned(),
                status_after: after.code().to_owned(),
                recorded_by: "demo-housing-social-worker".into(),
                recorded_at: now,
            };
            prospects::insert_step(connection, &step).map_err(failed)?;
        }
    }

    let terms = AgreementTerms {
        niche: "Tidlig, uformel kontakt med familier, der ikke selv søger hjælp, og forældrekurser i trygge rammer i området".into(),
        housing_social_role: "Opsøgende kontakt, familiekurser, motion og brevhjælp; brobygning til kommunens tilbud med familiens samtykke".into(),
        unit_roles: vec![
            UnitRole {
                unit: MunicipalUnit::FamilyCounselling,
                responsibilities: "Fremskudt rådgivning i beboerhuset og oplæg på familiekurserne".into(),
                referral_purposes: vec![ConsentPurpose::FamilyCounselling, ConsentPurpose::BridgeBuilding],
            },
            UnitRole {
                unit: MunicipalUnit::SocialServices,
                responsibilities: "Modtager henvisninger og underretninger og giver tilbagemelding".into(),
                referral_purposes: vec![ConsentPurpose::ApplicationHelp],
            },
        ],
        contacts: vec![
            ContactRole {
                unit: MunicipalUnit::FamilyCounselling,
                role: "Teamleder, Familierådgivningen Nørrebro".into(),
            },
            ContactRole {
                unit: MunicipalUnit::SocialServices,
                role: "Afsnitsleder, Børne- og familieafsnittet".into(),
            },
        ],
        co_located_services: vec![CoLocatedService {
            unit: MunicipalUnit::FamilyCounselling,
            description: "Åben, anonym rådgivning i beboerhuset tirsdage kl. 13-15".into(),
        }],
        meeting_cadence: "Koordinationsmøde hver 6. uge; fælles status med styregruppen hvert halve år".into(),
        valid_from: today - Duration::days(120),
        valid_until: today + Duration::days(610),
    }
    .validate()
    .map_err(|errors| format!("invalid demo agreement: {errors:?}"))?;
    let agreement = AgreementRow {
        id: Uuid::now_v7().to_string(),
        area_id: first.to_owned(),
        status: AgreementStatus::Agreed.code().to_owned(),
        terms: to_json(&terms),
        supersedes_id: None,
        version: 3,
        created_at: now,
        updated_at: now,
    };
    agreements::insert(connection, &agreement).map_err(failed)?;
    for (side, unit, by) in [
        (Side::HousingSocial, None, "demo-housing-social-worker"),
        (
            Side::Municipal,
            Some(MunicipalUnit::SocialServices),
            "demo-municipal-caseworker",
        ),
    ] {
        agreements::insert_signature(
            connection,
            &SignatureRow {
                agreement_id: agreement.id.clone(),
                side: side.code().to_owned(),
                unit: unit.map(|unit| unit.code().to_owned()),
                signed_by: by.to_owned(),
                signed_at: now,
            },
        )
        .map_err(failed)?;
    }
    // The family course is part of the agreement.
    let in_agreement = crate::db::initiatives::InitiativeRow {
        version: named.version + 1,
        cooperation_agreement_id: Some(agreement.id.clone()),
        ..named.clone()
    };
    initiatives::replace_if_version(connection, &in_agreement, named.version).map_err(failed)?;
    Ok(())
}
