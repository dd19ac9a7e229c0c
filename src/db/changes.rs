//! The change feed's outbox. Every write of a resource in the feed records an
//! entry in the same transaction, through [`record`]. Readers see entries in
//! position order and only up to a horizon no later commit can fall behind:
//! on PostgreSQL entries of transactions older than the snapshot's xmin, on
//! SQLite (one writer at a time) every committed entry.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{areas, change_feed_state, changes};
use super::DbConnection;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::changes::{Audience, ChangeType, Entry, Position};
use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ChangeRow {
    pub seq: i64,
    pub txid: i64,
    pub change_type: String,
    pub resource_type: String,
    pub resource_id: String,
    pub area_id: Option<String>,
    pub housing_side: i32,
    pub municipality_code: Option<String>,
    pub unit: Option<String>,
    pub municipal_side: i32,
    pub occurred_at: NaiveDateTime,
}

impl ChangeRow {
    pub fn position(&self) -> Position {
        Position {
            txid: self.txid,
            seq: self.seq,
        }
    }

    /// The entry clients read in the feed and receive in webhooks.
    pub fn entry(&self) -> Result<Entry, ApiError> {
        let corrupt =
            |what: &str| ApiError::internal(format!("stored change has an invalid {what}"));
        Ok(Entry {
            cursor: self.position().cursor(),
            change_type: ChangeType::parse(&self.change_type).ok_or_else(|| corrupt("type"))?,
            resource_type: self.resource_type.clone(),
            resource_id: uuid::Uuid::parse_str(&self.resource_id)
                .map_err(|_| corrupt("resource id"))?,
            at: self.occurred_at.and_utc(),
        })
    }
}

#[derive(Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = changes)]
struct NewChange<'a> {
    change_type: &'a str,
    resource_type: &'a str,
    resource_id: &'a str,
    area_id: Option<&'a str>,
    housing_side: i32,
    municipality_code: Option<&'a str>,
    unit: Option<&'a str>,
    municipal_side: i32,
    occurred_at: NaiveDateTime,
}

/// Records that `resource_id` changed, for `audience`. Call it inside the
/// transaction that makes the change.
pub fn record(
    connection: &mut DbConnection,
    change_type: ChangeType,
    resource_id: &str,
    audience: &Audience,
) -> QueryResult<()> {
    let change = NewChange {
        change_type: change_type.code(),
        resource_type: change_type.resource_type(),
        resource_id,
        area_id: audience.area_id.as_deref(),
        housing_side: i32::from(audience.housing_side),
        municipality_code: audience.municipality_code.as_deref(),
        unit: audience.unit.map(MunicipalUnit::code),
        municipal_side: i32::from(audience.municipal_side),
        occurred_at: super::now(),
    };
    on_backend!(connection, |backend| diesel::insert_into(changes::table)
        .values(&change)
        .execute(backend)
        .map(|_| ()))
}

/// Records a change of an area's joint work (its plan, assessments,
/// initiatives), which both sides of the area see.
pub fn record_area_work(
    connection: &mut DbConnection,
    change_type: ChangeType,
    resource_id: &str,
    area_id: &str,
) -> QueryResult<()> {
    let municipality: String = areas::table
        .find(area_id)
        .select(areas::municipality_code)
        .first(connection)?;
    record(
        connection,
        change_type,
        resource_id,
        &Audience::area_work(area_id, &municipality),
    )
}

/// Whose entries a page holds: an area team's, a municipal unit's, or (for
/// fanning out webhook deliveries) every entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedScope {
    Areas(Vec<String>),
    Unit { municipality: String, unit: String },
    Everything,
}

/// The newest position a reader may pass: later positions may still be filled
/// by transactions in progress.
fn horizon(connection: &DbConnection) -> diesel::expression::SqlLiteral<BigInt> {
    match connection {
        DbConnection::Postgresql(_) => {
            sql::<BigInt>("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        }
        DbConnection::Sqlite(_) => sql::<BigInt>("9223372036854775807"),
    }
}

// Positions are compared as `txid >= a AND (txid > a OR seq > b)`, not as the
// equivalent `txid > a OR (txid = a AND seq > b)`: PostgreSQL starts an index
// scan at a bound only when every row must meet it, never from the branches of
// an `OR`. With the latter, a page after an entry in the middle of a million
// read the position index from its start (226 ms against 0.14 ms,
// bench/PROFILE-ROUNDS.md), and with some statistics so did the outbox's check
// for new entries, every second.

/// The entries after the position (`txid`, `seq`).
#[diesel::dsl::auto_type]
fn after(txid: i64, seq: i64) -> _ {
    changes::txid
        .ge(txid)
        .and(changes::txid.gt(txid).or(changes::seq.gt(seq)))
}

/// The entries up to the position (`txid`, `seq`), inclusive.
#[diesel::dsl::auto_type]
fn up_to(txid: i64, seq: i64) -> _ {
    changes::txid
        .le(txid)
        .and(changes::txid.lt(txid).or(changes::seq.le(seq)))
}

/// Which entries a page holds.
#[derive(Debug, Clone, Default)]
pub struct FeedWindow<'a> {
    pub after: Position,
    /// Up to this position, inclusive.
    pub until: Option<Position>,
    /// Only these change types.
    pub types: Option<&'a [String]>,
    /// Only entries recorded at or after this time.
    pub since: Option<NaiveDateTime>,
    pub limit: i64,
}

/// Entries in `window` that `scope` sees, oldest first.
pub fn page(
    connection: &mut DbConnection,
    scope: &FeedScope,
    window: &FeedWindow<'_>,
) -> QueryResult<Vec<ChangeRow>> {
    let mut query = changes::table
        .filter(changes::txid.lt(horizon(connection)))
        .filter(after(window.after.txid, window.after.seq))
        .into_boxed();
    match scope {
        FeedScope::Areas(ids) => {
            query = query
                .filter(changes::housing_side.eq(1))
                .filter(changes::area_id.eq_any(ids.clone()));
        }
        FeedScope::Unit { municipality, unit } => {
            query = query
                .filter(changes::municipal_side.eq(1))
                .filter(changes::municipality_code.eq(municipality.clone()))
                .filter(changes::unit.is_null().or(changes::unit.eq(unit.clone())));
        }
        FeedScope::Everything => {}
    }
    if let Some(until) = window.until {
        query = query.filter(up_to(until.txid, until.seq));
    }
    if let Some(types) = window.types {
        query = query.filter(changes::change_type.eq_any(types.to_vec()));
    }
    if let Some(since) = window.since {
        query = query.filter(changes::occurred_at.ge(since));
    }
    query
        .order((changes::txid.asc(), changes::seq.asc()))
        .limit(window.limit)
        .load(connection)
}

/// The newest position any reader may have been given now: the last entry
/// below the horizon (or the start).
pub fn newest_stable(connection: &mut DbConnection) -> QueryResult<Position> {
    let newest: Option<(i64, i64)> = changes::table
        .filter(changes::txid.lt(horizon(connection)))
        .order((changes::txid.desc(), changes::seq.desc()))
        .select((changes::txid, changes::seq))
        .first(connection)
        .optional()?;
    Ok(newest.map_or(Position::default(), |(txid, seq)| Position { txid, seq }))
}

/// The position up to which entries were pruned: an older cursor may have missed some.
pub fn pruned_through(connection: &mut DbConnection) -> QueryResult<Position> {
    let (txid, seq) = change_feed_state::table
        .find(1)
        .select((
            change_feed_state::pruned_txid,
            change_feed_state::pruned_seq,
        ))
        .first(connection)?;
    Ok(Position { txid, seq })
}

/// Deletes the entries recorded before `before`, up to the newest such
/// position below the horizon that webhooks were fanned out for (so the
/// pruned range has no holes and no delivery is lost); returns how many.
pub fn prune(connection: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    super::write_transaction(connection, |connection| {
        let fanned_out = fanned_out_through(connection, false)?;
        let cut: Option<(i64, i64)> = changes::table
            .filter(changes::txid.lt(horizon(connection)))
            .filter(changes::occurred_at.lt(before))
            .filter(up_to(fanned_out.txid, fanned_out.seq))
            .order((changes::txid.desc(), changes::seq.desc()))
            .select((changes::txid, changes::seq))
            .first(connection)
            .optional()?;
        let Some((txid, seq)) = cut else {
            return Ok(0);
        };
        let deleted =
            diesel::delete(changes::table.filter(up_to(txid, seq))).execute(connection)?;
        let pruned = pruned_through(connection)?.max(Position { txid, seq });
        diesel::update(change_feed_state::table.find(1))
            .set((
                change_feed_state::pruned_txid.eq(pruned.txid),
                change_feed_state::pruned_seq.eq(pruned.seq),
            ))
            .execute(connection)?;
        Ok(deleted)
    })
}

/// How far webhook deliveries were fanned out. `lock`: read for update, so
/// one fan-out runs at a time (inside a transaction).
pub fn fanned_out_through(connection: &mut DbConnection, lock: bool) -> QueryResult<Position> {
    let query = change_feed_state::table.find(1).select((
        change_feed_state::fanout_txid,
        change_feed_state::fanout_seq,
    ));
    let (txid, seq) = match connection {
        DbConnection::Postgresql(pg) if lock => query.for_update().first(pg)?,
        _ => query.first(connection)?,
    };
    Ok(Position { txid, seq })
}

pub fn set_fanned_out_through(
    connection: &mut DbConnection,
    position: Position,
) -> QueryResult<()> {
    diesel::update(change_feed_state::table.find(1))
        .set((
            change_feed_state::fanout_txid.eq(position.txid),
            change_feed_state::fanout_seq.eq(position.seq),
        ))
        .execute(connection)
        .map(|_| ())
}
