//! Demo cases across the boundary: Copenhagen's settings, referrals in the
//! states a receiving unit handles (requested, accepted, completed with an
//! outcome), and a concern report waiting for the unit.

use chrono::{Duration, NaiveDateTime};
use uuid::Uuid;

use super::families::SeededFamily;
use crate::db::concern_reports::{self, ConcernRow};
use crate::db::referrals::{self, EventRow, ReferralRow};
use crate::db::settings::{self, SettingsRow};
use crate::db::{self, to_json, DbConnection};
use crate::domain::assessment::Side;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::concern::{
    acknowledge_due_at, urgency_assessment_due_at, Parent, ParentRelation, Reporter,
};
use crate::domain::family::{ConsentPurpose, DataCategory};
use crate::domain::referral::{Direction, EventKind, Outcome, ReferralStatus};
use crate::domain::settings::MunicipalitySettings;
use crate::domain::sharing::{SharedContact, SharedData};

const WORKER: &str = "demo-housing-social-worker";
const CASEWORKER: &str = "demo-municipal-caseworker";

fn failed(error: diesel::result::Error) -> String {
    error.to_string()
}

/// Copenhagen receives concern reports in social services (Socialforvaltningen),
/// where the demo caseworker works; its signatories are the defaults.
fn seed_settings(connection: &mut DbConnection) -> Result<(), String> {
    let defaults = MunicipalitySettings::default();
    let units: Vec<&str> = defaults
        .signatory_units
        .iter()
        .map(|unit| unit.code())
        .collect();
    let row = SettingsRow {
        municipality_code: "101".into(),
        concern_report_unit: MunicipalUnit::SocialServices.code().into(),
        signatory_units: to_json(&units),
        version: 1,
        updated_at: db::now(),
    };
    settings::save_if_version(connection, &row, 0).map_err(failed)?;
    Ok(())
}

fn event(
    referral: &ReferralRow,
    at: NaiveDateTime,
    side: Side,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
) -> EventRow {
    let actor = if side == Side::HousingSocial {
        WORKER
    } else {
        CASEWORKER
    };
    EventRow {
        id: Uuid::now_v7().to_string(),
        referral_id: referral.id.clone(),
        occurred_at: at,
        actor: actor.into(),
        side: side.code().to_owned(),
        from_status: from.map(|status| status.code().to_owned()),
        to_status: to.code().to_owned(),
        reason: None,
        kind: EventKind::StatusChanged.code().to_owned(),
    }
}

/// A referral of `family` to social services, requested `days_ago` and moved
/// along `path` a day at a time; the last step closes it with `outcome`.
fn refer(
    connection: &mut DbConnection,
    family: &SeededFamily,
    days_ago: i64,
    path: &[ReferralStatus],
    outcome: Option<(Outcome, &str)>,
) -> Result<(), String> {
    let Some(consent) = &family.consent else {
        return Ok(());
    };
    let record = family.row.record().map_err(|error| error.to_string())?;
    let shared = SharedData {
        contact_details: Some(SharedContact {
            display_name: record.display_name,
            phone: record.contact.phone,
            email: None,
            address: None,
        }),
        ..SharedData::default()
    };
    let requested_at = db::now() - Duration::days(days_ago);
    let mut row = ReferralRow {
        id: Uuid::now_v7().to_string(),
        direction: Direction::ToMunicipality.code().to_owned(),
        status: ReferralStatus::Requested.code().to_owned(),
        resume_status: None,
        purpose: ConsentPurpose::BridgeBuilding.code().to_owned(),
        purpose_note: Some(
            "Familien ønsker hjælp til at forstå forløbet i familierådgivningen".into(),
        ),
        area_id: family.row.area_id.clone(),
        municipality_code: "101".into(),
        unit: consent.receiving_unit.clone(),
        family_id: Some(family.row.id.clone()),
        consent_id: Some(consent.id.clone()),
        initiative_id: None,
        shared_categories: to_json(&[DataCategory::ContactDetails.code()]),
        shared_data: Some(to_json(&shared)),
        consent_statement: None,
        consent_valid_until: None,
        outcome: None,
        outcome_note: None,
        created_by: WORKER.into(),
        requested_at: Some(requested_at),
        accepted_at: None,
        closed_at: None,
        version: 1,
        created_at: requested_at,
        updated_at: requested_at,
        redacted_at: None,
        redaction_reason: None,
    };
    let mut events = vec![event(
        &row,
        requested_at,
        Side::HousingSocial,
        None,
        ReferralStatus::Requested,
    )];
    let mut from = ReferralStatus::Requested;
    for (day, to) in (1..).zip(path) {
        let at = requested_at + Duration::days(day);
        events.push(event(&row, at, Side::Municipal, Some(from), *to));
        if *to == ReferralStatus::Accepted {
            row.accepted_at = Some(at);
        }
        row.updated_at = at;
        row.version += 1;
        from = *to;
    }
    row.status = from.code().to_owned();
    if let Some((outcome, note)) = outcome {
        row.outcome = Some(outcome.code().to_owned());
        row.outcome_note = Some(note.to_owned());
        row.closed_at = Some(row.updated_at);
    }
    referrals::insert(connection, &row).map_err(failed)?;
    for event in &events {
        referrals::insert_event(connection, &row, event).map_err(failed)?;
    }
    Ok(())
}

/// A concern report about the eldest son of the family `family`, received
/// yesterday and not yet handled. It names the child by date of birth only (no
/// CPR number in demo data).
fn report_concern(connection: &mut DbConnection, family: &SeededFamily) -> Result<(), String> {
    let received_at = db::now() - Duration::hours(20);
    let row = ConcernRow {
        id: Uuid::now_v7().to_string(),
        family_id: Some(family.row.id.clone()),
        area_id: family.row.area_id.clone(),
        municipality_code: "101".into(),
        child_birth_year: 2011,
        child_description: None,
        observation: "Den ældste dreng har flere gange været i klubben sent om aftenen og siger, at der ikke er mad derhjemme".into(),
        observed_on: received_at.date() - Duration::days(1),
        urgent: 0,
        reported_by: WORKER.into(),
        received_at,
        acknowledge_due_at: acknowledge_due_at(received_at),
        urgency_assessment_due_at: urgency_assessment_due_at(received_at),
        acknowledged_at: None,
        acknowledged_by: None,
        updated_at: received_at,
        child_name: Some("Abdi".into()),
        child_cpr_encrypted: None,
        child_birth_date: chrono::NaiveDate::from_ymd_opt(2011, 9, 14),
        child_address: Some("Nørrebakken 12, 3. tv.".into()),
        parents: to_json(&[Parent {
            name: "Fadumo".into(),
            relation: ParentRelation::Mother,
        }]),
        child_statement: Some("Mor er så træt".into()),
        parents_informed: 1,
        parents_not_informed_reason: None,
        reporter: to_json(&Reporter {
            name: "Boligsocial medarbejder, Nørrebakken".into(),
            phone: Some("+45 33 00 12 12".into()),
            email: None,
        }),
        receiving_unit: MunicipalUnit::SocialServices.code().into(),
        urgency_assessed_at: None,
        urgency_assessed_by: None,
        assessed_urgent: None,
        urgency_note: None,
        feedback: None,
    };
    concern_reports::insert(connection, &row).map_err(failed)
}

pub(super) fn seed(connection: &mut DbConnection, families: &[SeededFamily]) -> Result<(), String> {
    seed_settings(connection)?;
    use ReferralStatus::{Accepted, Completed, InProgress};
    if let [first, second, third, ..] = families {
        refer(connection, first, 2, &[], None)?;
        refer(connection, second, 12, &[Accepted], None)?;
        refer(
            connection,
            third,
            40,
            &[Accepted, InProgress, Completed],
            Some((
                Outcome::ContactEstablished,
                "Familien har en fast kontaktperson i familierådgivningen",
            )),
        )?;
        report_concern(connection, second)?;
    }
    Ok(())
}
