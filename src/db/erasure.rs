//! Erasure of a family's personal data, keeping only counts under a random
//! pseudonym that nothing links to, so statistics stay correct.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use super::schema::{
    concern_reports, enrolments, erased_attendance, erased_contacts, erased_enrolments, families,
    family_contacts, idempotency_keys, referrals, session_attendance,
};
use super::DbConnection;

/// What an erasure removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub families: usize,
    pub contacts: usize,
    pub enrolments: usize,
    pub attendance: usize,
    pub referral_snapshots: usize,
    pub concern_report_links: usize,
    pub stored_responses: usize,
}

impl Erased {
    pub fn add(&mut self, other: &Erased) {
        self.families += other.families;
        self.contacts += other.contacts;
        self.enrolments += other.enrolments;
        self.attendance += other.attendance;
        self.referral_snapshots += other.referral_snapshots;
        self.concern_report_links += other.concern_report_links;
        self.stored_responses += other.stored_responses;
    }
}

/// Erases one family; run it inside a transaction.
pub fn erase_family(connection: &mut DbConnection, family_id: &str) -> QueryResult<Erased> {
    let pseudonym = Uuid::new_v4().to_string();
    let area_id: String = families::table
        .find(family_id)
        .select(families::area_id)
        .first(connection)?;
    let contact_dates: Vec<chrono::NaiveDate> = family_contacts::table
        .filter(family_contacts::family_id.eq(family_id))
        .select(family_contacts::occurred_on)
        .load(connection)?;
    for occurred_on in &contact_dates {
        diesel::insert_into(erased_contacts::table)
            .values((
                erased_contacts::id.eq(Uuid::now_v7().to_string()),
                erased_contacts::pseudonym.eq(&pseudonym),
                erased_contacts::area_id.eq(&area_id),
                erased_contacts::occurred_on.eq(occurred_on),
            ))
            .execute(connection)?;
    }
    let enrolled: Vec<(String, NaiveDateTime)> = enrolments::table
        .filter(enrolments::family_id.eq(family_id))
        .select((enrolments::initiative_id, enrolments::enrolled_at))
        .load(connection)?;
    for (initiative_id, enrolled_at) in &enrolled {
        diesel::insert_into(erased_enrolments::table)
            .values((
                erased_enrolments::id.eq(Uuid::now_v7().to_string()),
                erased_enrolments::pseudonym.eq(&pseudonym),
                erased_enrolments::initiative_id.eq(initiative_id),
                erased_enrolments::enrolled_at.eq(enrolled_at),
            ))
            .execute(connection)?;
    }
    let sessions: Vec<String> = session_attendance::table
        .filter(session_attendance::family_id.eq(family_id))
        .select(session_attendance::session_id)
        .load(connection)?;
    for session_id in &sessions {
        diesel::insert_into(erased_attendance::table)
            .values((
                erased_attendance::id.eq(Uuid::now_v7().to_string()),
                erased_attendance::pseudonym.eq(&pseudonym),
                erased_attendance::session_id.eq(session_id),
            ))
            .execute(connection)?;
    }
    let referral_snapshots =
        diesel::update(referrals::table.filter(referrals::family_id.eq(family_id)))
            .set((
                referrals::shared_data.eq(None::<String>),
                referrals::family_id.eq(None::<String>),
                referrals::consent_id.eq(None::<String>),
            ))
            .execute(connection)?;
    let concern_report_links =
        diesel::update(concern_reports::table.filter(concern_reports::family_id.eq(family_id)))
            .set(concern_reports::family_id.eq(None::<String>))
            .execute(connection)?;
    // Recorded responses of idempotent requests may carry the family's data.
    let stored_responses = diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::response_body.like(format!("%{family_id}%"))),
    )
    .execute(connection)?;
    // Contacts, consents, enrolments and attendance go with the family (ON DELETE CASCADE).
    let families = diesel::delete(families::table.find(family_id)).execute(connection)?;
    Ok(Erased {
        families,
        contacts: contact_dates.len(),
        enrolments: enrolled.len(),
        attendance: sessions.len(),
        referral_snapshots,
        concern_report_links,
        stored_responses,
    })
}

/// Families whose record has not changed since `before` (no contact, consent,
/// enrolment or edit).
pub fn inactive_families(
    connection: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    families::table
        .filter(families::updated_at.lt(before))
        .select(families::id)
        .load(connection)
}

/// Clears the shared-data snapshots of referrals closed before `before`.
pub fn erase_closed_snapshots(
    connection: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        referrals::table
            .filter(referrals::closed_at.lt(before))
            .filter(referrals::shared_data.is_not_null()),
    )
    .set(referrals::shared_data.eq(None::<String>))
    .execute(connection)
}

/// Removes idempotency records older than `before`.
pub fn remove_idempotency_keys(
    connection: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(connection)
}
