//! `familiebro rekey`: seals anew, with the current data key, every value
//! sealed with an older one (CPR numbers in concern reports, webhook secrets,
//! calendar subscription tokens).
//! In batches, each in its own transaction: it can stop at any point and be
//! run again, and a second run finds nothing to do.

use serde::Serialize;

use crate::db::sealed::DataKeys;
use crate::db::{self, calendar_links, concern_reports, webhooks, DbConnection};
use crate::error::ApiError;
use crate::progress::Progress;

const BATCH: i64 = 200;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct RekeyReport {
    pub concern_reports: usize,
    pub webhook_secrets: usize,
    pub calendar_links: usize,
    pub current_key: String,
}

/// Up to `limit` (id, sealed value) pairs sealed outside the given keys, after an id.
type FindSealed =
    fn(&mut DbConnection, &[&str], Option<&str>, i64) -> diesel::QueryResult<Vec<(String, String)>>;

/// A column of sealed values: how to find values sealed outside some keys, and
/// how to store one anew.
struct SealedColumn {
    name: &'static str,
    count: fn(&mut DbConnection, &[&str]) -> diesel::QueryResult<i64>,
    find: FindSealed,
    store: fn(&mut DbConnection, &str, &str) -> diesel::QueryResult<()>,
}

const COLUMNS: [SealedColumn; 3] = [
    SealedColumn {
        name: "concern report CPR numbers",
        count: concern_reports::count_sealed_outside,
        find: concern_reports::sealed_outside,
        store: concern_reports::set_sealed_cpr,
    },
    SealedColumn {
        name: "webhook secrets",
        count: webhooks::count_sealed_outside,
        find: webhooks::sealed_outside,
        store: webhooks::set_sealed,
    },
    SealedColumn {
        name: "calendar subscription tokens",
        count: calendar_links::count_sealed_outside,
        find: calendar_links::sealed_outside,
        store: calendar_links::set_sealed,
    },
];

fn failed(error: diesel::result::Error) -> String {
    format!("database error: {error}")
}

/// Seals every value of `column` anew with the current key; returns how many.
fn rekey_column(
    connection: &mut DbConnection,
    keys: &DataKeys,
    column: &SealedColumn,
    progress: &Progress,
) -> Result<usize, String> {
    let current = [keys.current_id()];
    let mut after: Option<String> = None;
    let mut done = 0;
    loop {
        let batch = (column.find)(connection, &current, after.as_deref(), BATCH).map_err(failed)?;
        let Some((last, _)) = batch.last() else {
            return Ok(done);
        };
        after = Some(last.clone());
        db::write_transaction(connection, |connection| {
            for (id, sealed) in &batch {
                let plain = keys.open(sealed, id).map_err(|problem| {
                    ApiError::internal(format!("{} of record {id}: {problem}", column.name))
                })?;
                let resealed = keys.seal(&plain, id).map_err(ApiError::internal)?;
                (column.store)(connection, id, &resealed)?;
            }
            Ok::<_, ApiError>(())
        })
        .map_err(|error| match error {
            ApiError::Internal(problem) => problem,
            other => other.to_string(),
        })?;
        done += batch.len();
        progress.inc(batch.len() as u64);
    }
}

pub fn rekey(connection: &mut DbConnection, keys: &DataKeys) -> Result<RekeyReport, String> {
    let current = [keys.current_id()];
    let mut total = 0;
    for column in &COLUMNS {
        total += (column.count)(connection, &current).map_err(failed)?;
    }
    let progress = Progress::new("sealing anew", Some(u64::try_from(total).unwrap_or(0)));
    let mut counts = Vec::new();
    for column in &COLUMNS {
        counts.push(rekey_column(connection, keys, column, &progress)?);
    }
    progress.finish();
    Ok(RekeyReport {
        concern_reports: counts[0],
        webhook_secrets: counts[1],
        calendar_links: counts[2],
        current_key: keys.current_id().to_owned(),
    })
}
