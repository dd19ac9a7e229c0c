//! Synthetic data at scale for benchmarks (`familiebro seed`): areas, families
//! with contacts, consents, referrals and audit events. Inserted in batches
//! straight into the tables; never used by the service itself.

use chrono::Duration;
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::db::areas::AreaRow;
use crate::db::audit::AuditRow;
use crate::db::families::{ConsentRow, ContactRow, FamilyRow};
use crate::db::referrals::ReferralRow;
use crate::db::schema::{areas, audit_events, consents, families, family_contacts, referrals};
use crate::db::{self, to_json, DbConnection};
use crate::progress::Progress;

const BATCH: usize = 1000;

/// What was seeded, with ids a load generator can use.
#[derive(Debug, Serialize)]
pub struct SeedReport {
    pub areas: Vec<String>,
    pub families: usize,
    /// A family of the first area, with a consent for referrals to family counselling.
    pub sample_family: String,
    pub sample_consent: String,
    /// The family in the middle of the id order, for paging from the middle.
    pub middle_family: String,
}

/// Inserts `rows` into `table` in batches, on whichever backend is connected.
macro_rules! insert_batches {
    ($connection:expr, $table:expr, $rows:expr) => {{
        for chunk in $rows.chunks(BATCH) {
            match $connection {
                DbConnection::Postgresql(pg) => {
                    diesel::insert_into($table).values(chunk).execute(pg)?
                }
                DbConnection::Sqlite(sqlite) => {
                    diesel::insert_into($table).values(chunk).execute(sqlite)?
                }
            };
        }
    }};
}

/// Families written per transaction.
const SEED_BATCH: usize = 10_000;

pub fn seed(
    connection: &mut DbConnection,
    area_count: usize,
    family_count: usize,
    progress: &Progress,
) -> QueryResult<SeedReport> {
    progress.set_length(family_count as u64);
    let now = db::now();
    let today = db::today();
    let area_rows: Vec<AreaRow> = (0..area_count)
        .map(|n| AreaRow {
            id: Uuid::now_v7().to_string(),
            name: format!("Bench-område {n:02}"),
            search_text: format!("bench-område {n:02}"),
            municipality_code: if n % 2 == 0 { "101" } else { "751" }.to_owned(),
            housing_organisation: "Bench Boligselskab".to_owned(),
            plan_name: None,
            plan_starts_on: None,
            plan_ends_on: None,
            households: Some(1000),
            residents: Some(2500),
            families_with_children_share: Some(0.4),
            single_parent_share: Some(0.3),
            version: 1,
            created_at: now,
            updated_at: now,
            organisation_code: "bench".to_owned(),
        })
        .collect();
    insert_batches!(connection, areas::table, area_rows);
    let area_ids: Vec<String> = area_rows.iter().map(|area| area.id.clone()).collect();
    let mut family_ids = Vec::with_capacity(family_count);
    let mut sample_consent = String::new();
    for start in (0..family_count).step_by(SEED_BATCH) {
        let end = (start + SEED_BATCH).min(family_count);
        connection.transaction::<_, diesel::result::Error, _>(|connection| {
            let mut family_rows = Vec::with_capacity(end - start);
            let mut contact_rows = Vec::with_capacity(end - start);
            let mut consent_rows = Vec::with_capacity(end - start);
            let mut referral_rows = Vec::new();
            let mut audit_rows = Vec::with_capacity(end - start);
            for n in start..end {
                let id = Uuid::now_v7().to_string();
                let area_id = area_ids[n % area_ids.len()].clone();
                family_rows.push(FamilyRow {
                    id: id.clone(),
                    area_id: area_id.clone(),
                    display_name: format!("Bench-familie {n}"),
                    phone: Some(format!("+45 {:08}", n % 100_000_000)),
                    email: None,
                    address: Some(format!("Benchvej {}", n % 500)),
                    adults: 2,
                    children: 2,
                    children_birth_years: "[2014,2018]".to_owned(),
                    languages: "[\"dansk\"]".to_owned(),
                    interpreter_needed: 0,
                    notes: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                });
                contact_rows.push(ContactRow {
                    id: Uuid::now_v7().to_string(),
                    family_id: id.clone(),
                    occurred_on: today - Duration::days((n % 300) as i64),
                    kind: "home_visit".to_owned(),
                    note: None,
                    recorded_by: "bench".to_owned(),
                    created_at: now,
                });
                let consent_id = Uuid::now_v7().to_string();
                consent_rows.push(ConsentRow {
                    id: consent_id.clone(),
                    family_id: id.clone(),
                    receiving_unit: "family_counselling".to_owned(),
                    purpose: "bridge_building".to_owned(),
                    data_categories: "[\"contact_details\",\"household_composition\"]".to_owned(),
                    valid_from: today - Duration::days(10),
                    valid_until: today + Duration::days(365),
                    given_as: "written".to_owned(),
                    recorded_by: "bench".to_owned(),
                    recorded_at: now,
                    withdrawn_at: None,
                    withdrawn_by: None,
                    given_by_name: Some("Mor".to_owned()),
                    given_by_relation: Some("mother".to_owned()),
                    document_reference: None,
                });
                if n == 0 {
                    sample_consent = consent_id.clone();
                }
                if n % 10 == 0 {
                    referral_rows.push(ReferralRow {
                        id: Uuid::now_v7().to_string(),
                        direction: "to_municipality".to_owned(),
                        status: if n % 20 == 0 { "accepted" } else { "requested" }.to_owned(),
                        resume_status: None,
                        purpose: "bridge_building".to_owned(),
                        purpose_note: None,
                        area_id: area_id.clone(),
                        municipality_code: if (n % area_ids.len()) % 2 == 0 { "101" } else { "751" }.to_owned(),
                        unit: "family_counselling".to_owned(),
                        family_id: Some(id.clone()),
                        consent_id: Some(consent_id),
                        initiative_id: None,
                        shared_categories: "[\"contact_details\"]".to_owned(),
                        shared_data: Some(to_json(&serde_json::json!({"contact_details": {"display_name": format!("Bench-familie {n}")}}))),
                        consent_statement: None,
                        consent_valid_until: None,
                        outcome: None,
                        outcome_note: None,
                        created_by: "bench".to_owned(),
                        requested_at: Some(now - Duration::days(3)),
                        accepted_at: (n % 20 == 0).then_some(now),
                        closed_at: None,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                        redacted_at: None,
                        redaction_reason: None,
                    });
                }
                audit_rows.push(AuditRow {
                    id: Uuid::now_v7().to_string(),
                    occurred_at: now,
                    actor: "bench".to_owned(),
                    role: "housing_social_worker".to_owned(),
                    organisation: None,
                    action: "POST /api/v1/families".to_owned(),
                    resource_type: "family".to_owned(),
                    resource_id: Some(id.clone()),
                    family_id: Some(id.clone()),
                    outcome: "allowed".to_owned(),
                    request_id: None,
                    area_id: Some(area_id.clone()),
                });
                family_ids.push(id);
            }
            insert_batches!(connection, families::table, family_rows);
            insert_batches!(connection, family_contacts::table, contact_rows);
            insert_batches!(connection, consents::table, consent_rows);
            insert_batches!(connection, referrals::table, referral_rows);
            insert_batches!(connection, audit_events::table, audit_rows);
            Ok(())
        })?;
        progress.inc((end - start) as u64);
    }
    let middle_family = family_ids
        .get(family_ids.len() / 2)
        .cloned()
        .unwrap_or_default();
    Ok(SeedReport {
        areas: area_ids,
        families: family_ids.len(),
        sample_family: family_ids.first().cloned().unwrap_or_default(),
        sample_consent,
        middle_family,
    })
}
