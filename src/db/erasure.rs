//! Erasure of a family's personal data, keeping only counts under a random
//! pseudonym that nothing links to, so statistics stay correct. The pseudonymous
//! rows keep nothing finer than the day, and their ids are random (not
//! time-ordered), so they cannot be matched to audit events by time.
//!
//! Erasure is physical: SQLite connections run with `secure_delete`, so freed
//! content is overwritten, and [`remove_leftovers`] checkpoints the WAL into the
//! database file and truncates it; on PostgreSQL it vacuums the tables erasure
//! touched, so no dead tuple of the family stays reachable.

use chrono::{NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use super::referrals as referral_store;
use super::schema::{
    concern_reports, enrolments, erased_attendance, erased_contacts, erased_enrolments, families,
    family_contacts, idempotency_keys, prospects, referrals, session_attendance,
};
use super::{changes, Database, DbConnection};
use crate::domain::changes::{Audience, ChangeType};
use crate::domain::referral::RedactionReason;

/// What an erasure removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    /// The area of the erased family (for the audit trail); none for sums.
    #[serde(skip)]
    pub area_id: Option<String>,
    pub families: usize,
    pub contacts: usize,
    pub enrolments: usize,
    pub attendance: usize,
    pub referral_snapshots: usize,
    pub concern_report_links: usize,
    pub idempotency_records: usize,
}

impl Erased {
    pub fn add(&mut self, other: &Erased) {
        self.families += other.families;
        self.contacts += other.contacts;
        self.enrolments += other.enrolments;
        self.attendance += other.attendance;
        self.referral_snapshots += other.referral_snapshots;
        self.concern_report_links += other.concern_report_links;
        self.idempotency_records += other.idempotency_records;
    }
}

/// Erases one family on behalf of `actor`; run it inside a transaction.
pub fn erase_family(
    connection: &mut DbConnection,
    family_id: &str,
    actor: &str,
) -> QueryResult<Erased> {
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
                erased_contacts::id.eq(Uuid::new_v4().to_string()),
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
                erased_enrolments::id.eq(Uuid::new_v4().to_string()),
                erased_enrolments::pseudonym.eq(&pseudonym),
                erased_enrolments::initiative_id.eq(initiative_id),
                erased_enrolments::enrolled_at.eq(enrolled_at.date().and_time(NaiveTime::MIN)),
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
                erased_attendance::id.eq(Uuid::new_v4().to_string()),
                erased_attendance::pseudonym.eq(&pseudonym),
                erased_attendance::session_id.eq(session_id),
            ))
            .execute(connection)?;
    }
    super::measurements::anonymise_family(connection, family_id)?;
    let prospects: Vec<String> = prospects::table
        .filter(prospects::family_id.eq(family_id))
        .select(prospects::id)
        .load(connection)?;
    for prospect in &prospects {
        super::prospects::erase(connection, prospect)?;
    }
    let now = super::now();
    let reason = RedactionReason::FamilyErased;
    for referral in referral_store::of_family(connection, family_id)? {
        let event = referral_store::redaction_event(&referral, reason, actor, now);
        referral_store::redact(connection, &referral, reason.code(), &event)?;
    }
    // The sender's free text may name the family too.
    let referral_snapshots =
        diesel::update(referrals::table.filter(referrals::family_id.eq(family_id)))
            .set((
                referrals::shared_data.eq(None::<String>),
                referrals::purpose_note.eq(None::<String>),
                referrals::family_id.eq(None::<String>),
                referrals::consent_id.eq(None::<String>),
            ))
            .execute(connection)?;
    let concern_report_links =
        diesel::update(concern_reports::table.filter(concern_reports::family_id.eq(family_id)))
            .set(concern_reports::family_id.eq(None::<String>))
            .execute(connection)?;
    // Idempotency records hold no data, but nothing should point to the family any more.
    let idempotency_records =
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::resource_id.eq(family_id)))
            .execute(connection)?;
    // Contacts, consents, enrolments and attendance go with the family (ON DELETE CASCADE).
    let families = diesel::delete(families::table.find(family_id)).execute(connection)?;
    if families == 1 {
        changes::record(
            connection,
            ChangeType::FamilyErased,
            family_id,
            &Audience::housing(&area_id),
        )?;
    }
    Ok(Erased {
        area_id: Some(area_id),
        families,
        contacts: contact_dates.len(),
        enrolments: enrolled.len(),
        attendance: sessions.len(),
        referral_snapshots,
        concern_report_links,
        idempotency_records,
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

/// Tables whose rows erasure deletes or rewrites.
const TOUCHED_TABLES: &str = "families, family_contacts, consents, enrolments, session_attendance, referrals, concern_reports, idempotency_keys";

/// After erasures have committed, removes what stays of the erased content at
/// the file level: on SQLite the WAL is checkpointed into the database file
/// (whose freed pages `secure_delete` has overwritten) and truncated before this
/// returns; on PostgreSQL the touched tables are vacuumed in the background.
pub async fn remove_leftovers(database: &Database) {
    let checkpointed = database
        .run(|connection| match connection {
            DbConnection::Sqlite(_) => Ok(remove_leftovers_now(connection).map(|_| true)?),
            DbConnection::Postgresql(_) => Ok(false),
        })
        .await;
    match checkpointed {
        Ok(true) => {}
        Ok(false) => {
            let database = database.clone();
            actix_web::rt::spawn(async move {
                let vacuumed = database
                    .run(|connection| Ok(remove_leftovers_now(connection)?))
                    .await;
                if let Err(error) = vacuumed {
                    log::warn!("after an erasure, vacuuming failed: {error}");
                }
            });
        }
        Err(error) => {
            log::warn!("after an erasure, the WAL could not be checkpointed yet: {error}")
        }
    }
}

/// [`remove_leftovers`] on one connection, waiting for it (the retention job).
pub fn remove_leftovers_now(connection: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match connection {
        DbConnection::Sqlite(sqlite) => truncate_sqlite_log(sqlite),
        DbConnection::Postgresql(pg) => pg.batch_execute(&format!("VACUUM {TOUCHED_TABLES}")),
    }
}

/// Copies SQLite's log into the database file and empties it. A truncating
/// checkpoint does not wait while another checkpoint runs (the checkpointer's,
/// every 50 ms): SQLite then answers "busy" in the result, not with an error,
/// and the log keeps the erased content. So the result is read, and the
/// checkpoint tried again for as long as writers wait for a lock.
fn truncate_sqlite_log(sqlite: &mut diesel::SqliteConnection) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Checkpoint {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        busy: i32,
    }
    let give_up_at = std::time::Instant::now() + super::LOCK_WAIT;
    loop {
        let checkpoint: Checkpoint =
            diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(sqlite)?;
        if checkpoint.busy == 0 {
            return Ok(());
        }
        if std::time::Instant::now() >= give_up_at {
            return Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::Unknown,
                Box::new(
                    "the log could not be emptied: a checkpoint or a reader held it".to_owned(),
                ),
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
