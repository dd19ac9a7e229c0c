//! Demo data for `serve --dev`: a realistic small set, loaded into an empty
//! database — three areas, an agreed and a draft needs assessment, families
//! with their own contacts and consents, initiatives with fitting partners and
//! sessions, referrals in the states a receiver handles, and a concern report.

mod assessments;
mod cases;
mod families;
mod initiatives;
mod outreach;

use std::time::Duration;

use chrono::NaiveDate;

use crate::auth::token::TokenRequest;
use crate::auth::Role;
use crate::db::areas::{self, AreaFilter};
use crate::db::DbConnection;
use crate::domain::area::{AreaDraft, AreaFields, PlanFields};

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
        let failed = |error: diesel::result::Error| error.to_string();
        assessments::seed_assessments(connection, first, second).map_err(failed)?;
        let demo_initiatives = initiatives::seed(connection, first, second)?;
        let demo_families = families::seed(connection, first, second, &demo_initiatives)?;
        outreach::seed(connection, first, &demo_initiatives)?;
        cases::seed(connection, &demo_families)?;
    }
    log::info!(
        "loaded demo data: {} areas with assessments, initiatives, partners, planned sessions, families, prospects, a cooperation agreement, referrals and a concern report",
        DEMO_AREAS.len()
    );
    Ok(ids)
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
