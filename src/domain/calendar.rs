//! The Danish working-day calendar used for statutory deadlines.
//!
//! Non-working days are Saturdays, Sundays, the public holidays (helligdage:
//! New Year's Day, Maundy Thursday, Good Friday, Easter Sunday and Monday,
//! General Prayer Day until its abolition from 2024, Ascension Day, Whit Sunday
//! and Monday, Christmas Day, Boxing Day) and the days municipal offices are
//! closed by agreement: Constitution Day (5 June), Christmas Eve and New Year's Eve.
//! Times of day are Danish local time (CET/CEST).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// Easter Sunday of `year` (Gregorian calendar; anonymous algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default()
}

/// Whether `date` is a public holiday or a day municipal offices are closed.
pub fn is_holiday(date: NaiveDate) -> bool {
    let easter = easter_sunday(date.year());
    let from_easter = (date - easter).num_days();
    let easter_based: &[i64] = if date.year() < 2024 {
        &[-3, -2, 0, 1, 26, 39, 49, 50]
    } else {
        &[-3, -2, 0, 1, 39, 49, 50]
    };
    let fixed = matches!(
        (date.month(), date.day()),
        (1, 1) | (6, 5) | (12, 24) | (12, 25) | (12, 26) | (12, 31)
    );
    fixed || easter_based.contains(&from_easter)
}

pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(date)
}

/// The `count`-th working day after `date` (not counting `date` itself).
pub fn add_working_days(date: NaiveDate, count: u32) -> NaiveDate {
    let mut day = date;
    let mut remaining = count;
    while remaining > 0 {
        day += Duration::days(1);
        if is_working_day(day) {
            remaining -= 1;
        }
    }
    day
}

/// Hours Denmark is ahead of UTC at `utc`: 2 in summer time (from 01:00 UTC on
/// the last Sunday of March to 01:00 UTC on the last Sunday of October), else 1.
pub fn copenhagen_offset_hours(utc: NaiveDateTime) -> i64 {
    let year = utc.year();
    let last_sunday = |month: u32| {
        let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap_or_default();
        let last = first_of_next - Duration::days(1);
        last - Duration::days(i64::from(last.weekday().num_days_from_sunday()))
    };
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or_default();
    let summer_starts = last_sunday(3).and_time(one);
    let summer_ends = last_sunday(10).and_time(one);
    if utc >= summer_starts && utc < summer_ends {
        2
    } else {
        1
    }
}

/// The Danish calendar date at the instant `utc`.
pub fn copenhagen_date(utc: NaiveDateTime) -> NaiveDate {
    (utc + Duration::hours(copenhagen_offset_hours(utc))).date()
}

/// The instant (UTC) at which Danish local day `date` ends.
pub fn end_of_copenhagen_day(date: NaiveDate) -> NaiveDateTime {
    let midnight = (date + Duration::days(1)).and_time(NaiveTime::MIN);
    let guess = midnight - Duration::hours(1);
    midnight - Duration::hours(copenhagen_offset_hours(guess))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn easter_falls_on_the_known_dates() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    #[test]
    fn easter_based_holidays_are_not_working_days() {
        for holiday in [
            date(2026, 4, 2),  // Maundy Thursday
            date(2026, 4, 3),  // Good Friday
            date(2026, 4, 6),  // Easter Monday
            date(2026, 5, 14), // Ascension Day
            date(2026, 5, 25), // Whit Monday
        ] {
            assert!(!is_working_day(holiday), "{holiday}");
        }
        assert!(
            is_working_day(date(2026, 5, 1)),
            "General Prayer Day is abolished from 2024"
        );
        assert!(!is_working_day(date(2023, 5, 5)), "General Prayer Day 2023");
    }

    #[test]
    fn six_working_days_across_easter() {
        // Friday before Easter week 2026: Thursday, Friday and Monday are holidays.
        assert_eq!(add_working_days(date(2026, 3, 27), 6), date(2026, 4, 9));
    }

    #[test]
    fn six_working_days_across_christmas_and_new_year() {
        // Monday 21 December 2026: 24, 25, 26, 31 December and 1 January are closed.
        assert_eq!(add_working_days(date(2026, 12, 21), 6), date(2027, 1, 4));
    }

    #[test]
    fn six_working_days_across_a_weekend() {
        assert_eq!(add_working_days(date(2026, 11, 26), 6), date(2026, 12, 4));
        assert_eq!(
            add_working_days(date(2026, 11, 28), 6),
            date(2026, 12, 7),
            "from a Saturday"
        );
    }

    #[test]
    fn local_days_follow_danish_summer_time() {
        let at = |y, m, d, h| date(y, m, d).and_hms_opt(h, 0, 0).unwrap();
        assert_eq!(copenhagen_offset_hours(at(2026, 1, 15, 12)), 1);
        assert_eq!(copenhagen_offset_hours(at(2026, 7, 15, 12)), 2);
        assert_eq!(copenhagen_offset_hours(at(2026, 3, 29, 0)), 1);
        assert_eq!(copenhagen_offset_hours(at(2026, 3, 29, 1)), 2);
        assert_eq!(copenhagen_date(at(2026, 6, 30, 22)), date(2026, 7, 1));
        assert_eq!(
            end_of_copenhagen_day(date(2026, 1, 10)),
            at(2026, 1, 10, 23)
        );
        assert_eq!(
            end_of_copenhagen_day(date(2026, 7, 10)),
            at(2026, 7, 10, 22)
        );
    }
}
