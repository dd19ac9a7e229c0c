//! Timestamps of the rows every read request loads (areas, families), read
//! without chrono's format interpreter. diesel reads a SQLite timestamp by
//! trying `NaiveDateTime::parse_from_str` with one format after another: 2 600
//! instructions per timestamp, 5 % of a `GET areas/{id}` and 6 % of a page of
//! families (bench/PROFILE-ROUNDS.md, ninth round). The service writes every
//! timestamp as `YYYY-MM-DD HH:MM:SS[.fraction]`; that form is read directly,
//! anything else as diesel reads it.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::Timestamp;
use diesel::sqlite::Sqlite;

use super::DbConnection;

/// A stored timestamp, for `#[diesel(deserialize_as = StoredTimestamp)]`.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct StoredTimestamp(NaiveDateTime);

impl From<StoredTimestamp> for NaiveDateTime {
    fn from(timestamp: StoredTimestamp) -> Self {
        timestamp.0
    }
}

impl FromSql<Timestamp, Sqlite> for StoredTimestamp {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        if let Some(timestamp) = parse_written_form(value.read_text()) {
            return Ok(Self(timestamp));
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Self)
    }
}

impl FromSql<Timestamp, Pg> for StoredTimestamp {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Self)
    }
}

type MultiBackend = <DbConnection as diesel::Connection>::Backend;

impl FromSql<Timestamp, MultiBackend> for StoredTimestamp {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional fraction of up to nine digits, as
/// diesel writes a `NaiveDateTime` to SQLite; `None` for any other text.
fn parse_written_form(text: &str) -> Option<NaiveDateTime> {
    let (whole, fraction) = text.as_bytes().split_at_checked(19)?;
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| whole[at] != byte) {
        return None;
    }
    let nanos = match fraction {
        [] => 0,
        [b'.', decimals @ ..] if (1..=9).contains(&decimals.len()) => {
            decimal(decimals)? * 10u32.pow(9 - decimals.len() as u32)
        }
        _ => return None,
    };
    let field = |range: std::ops::Range<usize>| decimal(&whole[range]);
    let date = NaiveDate::from_ymd_opt(field(0..4)? as i32, field(5..7)?, field(8..10)?)?;
    let time = NaiveTime::from_hms_nano_opt(field(11..13)?, field(14..16)?, field(17..19)?, nanos)?;
    Some(date.and_time(time))
}

/// The number the ASCII digits spell (at most nine of them); `None` for any other byte.
fn decimal(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |number, byte| {
        byte.is_ascii_digit()
            .then(|| number * 10 + u32::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::parse_written_form;
    use chrono::NaiveDateTime;

    fn chrono_reads(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, "%F %T%.f").ok()
    }

    #[test]
    fn the_written_form_reads_as_chrono_reads_it() {
        for text in [
            "2026-11-28 03:00:09",
            "2026-11-28 03:00:09.093532",
            "2026-11-28 03:00:09.5",
            "2026-11-28 03:00:09.000000001",
            "0001-01-01 00:00:00",
            "9999-12-31 23:59:59.999999999",
            "2024-02-29 12:00:00.120",
        ] {
            assert_eq!(parse_written_form(text), chrono_reads(text), "{text}");
            assert!(parse_written_form(text).is_some(), "{text}");
        }
    }

    #[test]
    fn other_forms_are_left_to_diesel() {
        for text in [
            "",
            "2026-11-28",
            "2026-11-28T03:00:09",
            "2026-11-28 03:00:09.",
            "2026-11-28 03:00:09.1234567890",
            "2026-11-28 03:00:09Z",
            "2026-02-30 03:00:09",
            "2026-11-28 24:00:00",
            "2026-1a-28 03:00:09",
            "2460000.5",
        ] {
            assert_eq!(parse_written_form(text), None, "{text}");
        }
    }
}
