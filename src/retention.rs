//! Retention: erasing what is no longer needed (`familiebro purge`). Idempotent:
//! a second run with the same settings finds nothing more to erase.

use chrono::{Months, NaiveDateTime};
use serde::Serialize;
use uuid::Uuid;

use crate::db::audit::{self, AuditRow};
use crate::db::erasure::{self, Erased};
use crate::db::{referrals, DbConnection};
use crate::progress::Progress;

/// How long data is kept.
#[derive(Debug, Clone, Copy)]
pub struct RetentionPolicy {
    /// Families with no activity for this many months are erased.
    pub family_months: u32,
    /// Referral snapshots are erased this many months after the referral closed.
    pub snapshot_months: u32,
}

/// The actor of erasures made by retention.
const PURGE_ACTOR: &str = "familiebro purge";

/// Idempotency records are kept this long (at least the promised 24 hours).
const IDEMPOTENCY_KEEP_HOURS: i64 = 48;

#[derive(Debug, Clone, Default, Serialize)]
pub struct PurgeReport {
    pub families_erased: Vec<String>,
    pub erased: Erased,
    pub referral_snapshots_erased: usize,
    /// Referrals whose receiver lost the shared data because the consent ran out.
    pub referral_views_redacted: usize,
    pub idempotency_records_removed: usize,
}

fn months_before(now: NaiveDateTime, months: u32) -> NaiveDateTime {
    now.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDateTime::MIN)
}

pub fn purge(
    connection: &mut DbConnection,
    policy: RetentionPolicy,
    now: NaiveDateTime,
    progress: &Progress,
) -> Result<PurgeReport, diesel::result::Error> {
    let mut report = PurgeReport::default();
    let inactive =
        erasure::inactive_families(connection, months_before(now, policy.family_months))?;
    progress.set_length(inactive.len() as u64);
    for family_id in inactive {
        let erased = crate::db::write_transaction(connection, |connection| {
            let erased = erasure::erase_family(connection, &family_id, PURGE_ACTOR)?;
            let area_id = erased.area_id.clone();
            audit::insert(
                connection,
                &AuditRow {
                    id: Uuid::now_v7().to_string(),
                    occurred_at: now,
                    actor: PURGE_ACTOR.into(),
                    role: "system".into(),
                    organisation: None,
                    action: "purge (retention)".into(),
                    resource_type: "family".into(),
                    resource_id: Some(family_id.clone()),
                    family_id: Some(family_id.clone()),
                    outcome: "allowed".into(),
                    request_id: None,
                    area_id,
                },
            )?;
            Ok::<_, diesel::result::Error>(erased)
        })?;
        report.erased.add(&erased);
        report.families_erased.push(family_id);
        progress.inc(1);
    }
    report.referral_snapshots_erased =
        erasure::erase_closed_snapshots(connection, months_before(now, policy.snapshot_months))?;
    report.referral_views_redacted = crate::db::write_transaction(connection, |connection| {
        referrals::redact_lapsed(connection, now)
    })?;
    report.idempotency_records_removed = erasure::remove_idempotency_keys(
        connection,
        now - chrono::Duration::hours(IDEMPOTENCY_KEEP_HOURS),
    )?;
    if !report.families_erased.is_empty() || report.referral_snapshots_erased > 0 {
        erasure::remove_leftovers_now(connection)?;
    }
    Ok(report)
}
