//! Timestamps in the bodies every read request sends (areas, families).
//! chrono's own `Serialize` hands its RFC 3339 text to serde_json piece by
//! piece through `fmt` (2 500 instructions per timestamp, 5 % of a page of
//! families, bench/PROFILE-ROUNDS.md, ninth round); the same text written at
//! once costs a fifth.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// For `#[serde(serialize_with = "…")]`: the text chrono's `Serialize` writes.
pub fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::Serialize;

    #[derive(Serialize)]
    struct Both {
        #[serde(serialize_with = "super::rfc3339")]
        written: DateTime<Utc>,
        chrono: DateTime<Utc>,
    }

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
        for nanos in [0, 120_000_000, 93_532_000, 1, 999_999_999] {
            let at = day
                .and_hms_nano_opt(3, 0, 9, nanos)
                .expect("time")
                .and_utc();
            let json = serde_json::to_value(Both {
                written: at,
                chrono: at,
            })
            .expect("json");
            assert_eq!(json["written"], json["chrono"], "{nanos} ns");
        }
        let leap = day
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .expect("leap")
            .and_utc();
        let json = serde_json::to_value(Both {
            written: leap,
            chrono: leap,
        })
        .expect("json");
        assert_eq!(json["written"], json["chrono"]);
    }
}
