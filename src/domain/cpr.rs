//! Detection of Danish CPR numbers (personnummer) in free text.
//!
//! A CPR number is DDMMYY-SSSS or DDMMYYSSSS where DDMMYY is a valid calendar date.
//! The century follows from the 7th digit and the year (the CPR office's table), which
//! matters for 29 February.
//!
//! People write them in many ways: `010190 1234`, `010190/1234`, `01 01 90 12 34`,
//! with an en dash, a non-breaking or soft hyphen, a zero-width space, full-width
//! or Arabic-Indic digits. The text is normalised first (NFKC, invisible format
//! characters dropped, every decimal digit read as its value); digits are then
//! read in groups split by short runs of separators. A CPR number is ten digits
//! that start and end at group boundaries, so a longer number (an account or a
//! phone number written as one run) is not mistaken for one.

use unicode_normalization::UnicodeNormalization;

/// Separator runs longer than this end a number.
const MAX_SEPARATOR_RUN: usize = 3;

/// True when `text` contains something that looks like a CPR number.
pub fn contains_cpr_number(text: &str) -> bool {
    digit_runs(text).iter().any(|groups| run_has_cpr(groups))
}

/// The value of a decimal digit of any common script.
fn decimal_value(c: char) -> Option<u8> {
    // First code point of each block of ten decimal digits (Unicode category Nd).
    const ZEROS: [u32; 20] = [
        0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
        0xE50, 0xED0, 0xF20, 0x1040, 0x17E0, 0x1810, 0xFF10,
    ];
    let code = c as u32;
    ZEROS
        .iter()
        .find(|zero| (**zero..**zero + 10).contains(&code))
        .map(|zero| (code - zero) as u8)
}

/// Characters that render as nothing (soft hyphen, zero-width and direction marks).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Characters people put between the groups of a number.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '/' | '.' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}'
        )
}

/// Runs of digit groups: digits split by short separator runs; anything else ends a run.
fn digit_runs(text: &str) -> Vec<Vec<Vec<u8>>> {
    let mut runs = Vec::new();
    let mut groups: Vec<Vec<u8>> = Vec::new();
    let mut separators = 0;
    let mut finish = |groups: &mut Vec<Vec<u8>>| {
        if !groups.is_empty() {
            runs.push(std::mem::take(groups));
        }
    };
    for c in text.nfkc().filter(|c| !is_invisible(*c)) {
        if let Some(digit) = decimal_value(c) {
            match groups.last_mut() {
                Some(group) if separators == 0 => group.push(digit),
                _ => groups.push(vec![digit]),
            }
            separators = 0;
        } else if is_separator(c) && !groups.is_empty() && separators < MAX_SEPARATOR_RUN {
            separators += 1;
        } else {
            finish(&mut groups);
            separators = 0;
        }
    }
    finish(&mut groups);
    runs
}

/// Whether ten consecutive digits from one group boundary to another form a CPR number.
fn run_has_cpr(groups: &[Vec<u8>]) -> bool {
    (0..groups.len()).any(|start| {
        let mut digits = Vec::with_capacity(10);
        for group in &groups[start..] {
            digits.extend_from_slice(group);
            if digits.len() >= 10 {
                return digits.len() == 10 && is_valid_birth_date(&digits);
            }
        }
        false
    })
}

fn is_valid_birth_date(digits: &[u8]) -> bool {
    birth_date(digits).is_some()
}

fn birth_date(digits: &[u8]) -> Option<chrono::NaiveDate> {
    let number = |a: usize, b: usize| u32::from(digits[a]) * 10 + u32::from(digits[b]);
    let (day, month, year_in_century) = (number(0, 1), number(2, 3), number(4, 5));
    let year = full_year(digits[6], year_in_century);
    chrono::NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// A CPR number as given where one belongs (a concern report about a child):
/// ten digits, written with or without a separator after the sixth, whose first
/// six are a real date in the century the seventh names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpr {
    digits: String,
    birth_date: chrono::NaiveDate,
}

impl Cpr {
    pub fn parse(text: &str) -> Result<Self, String> {
        let runs = digit_runs(text);
        let digits: Vec<u8> = match runs.as_slice() {
            [groups] => groups.concat(),
            _ => Vec::new(),
        };
        let only_digits_and_separators = text
            .nfkc()
            .filter(|c| !is_invisible(*c))
            .all(|c| decimal_value(c).is_some() || is_separator(c));
        if digits.len() != 10 || !only_digits_and_separators {
            return Err("must be a CPR number: ten digits, e.g. 010190-1234".into());
        }
        let birth_date = birth_date(&digits)
            .ok_or("is not a CPR number: its first six digits are not a date")?;
        Ok(Self {
            digits: digits
                .iter()
                .map(|digit| char::from(b'0' + digit))
                .collect(),
            birth_date,
        })
    }

    /// `DDMMYY-SSSS`.
    pub fn formatted(&self) -> String {
        format!("{}-{}", &self.digits[..6], &self.digits[6..])
    }

    pub fn birth_date(&self) -> chrono::NaiveDate {
        self.birth_date
    }
}

/// The CPR office's rule for the century of a birth year, from the serial number's first digit.
fn full_year(seventh_digit: u8, year_in_century: u32) -> u32 {
    let century = match (seventh_digit, year_in_century) {
        (0..=3, _) => 1900,
        (4 | 9, 0..=36) => 2000,
        (4 | 9, _) => 1900,
        (_, 0..=57) => 2000,
        (_, _) => 1800,
    };
    century + year_in_century
}

#[cfg(test)]
mod tests {
    use super::contains_cpr_number;

    #[test]
    fn a_cpr_number_with_a_dash_is_found() {
        assert!(contains_cpr_number("010190-1234"));
        assert!(contains_cpr_number("Mor: 010190-1234, far ukendt"));
    }

    #[test]
    fn a_cpr_number_without_a_dash_is_found() {
        assert!(contains_cpr_number("cpr 0101901234"));
    }

    #[test]
    fn the_usual_ways_of_writing_one_are_found() {
        for written in [
            "010190 1234",
            "010190/1234",
            "010190.1234",
            "01 01 90 12 34",
            "0 1 0 1 9 0 1 2 3 4",
            "010190 - 1234",
            "010190\u{2013}1234",
            "010190\u{00A0}1234",
            "010190\u{2011}1234",
            "010190\u{00AD}1234",
            "0101\u{200B}90-1234",
            "０１０１９０-１２３４",
            "٠١٠١٩٠-١٢٣٤",
            "۰۱۰۱۹۰۱۲۳۴",
            "cpr: 12 010190-1234",
        ] {
            assert!(contains_cpr_number(written), "{written:?}");
        }
    }

    #[test]
    fn a_cpr_number_given_where_one_belongs_is_read_with_its_birth_date() {
        let cpr = super::Cpr::parse("0101 90-1234").unwrap();
        assert_eq!(cpr.formatted(), "010190-1234");
        assert_eq!(cpr.birth_date().to_string(), "1990-01-01");
        assert_eq!(
            super::Cpr::parse("290200 4123")
                .unwrap()
                .birth_date()
                .to_string(),
            "2000-02-29"
        );
        assert!(super::Cpr::parse("320190-1234").is_err());
        assert!(super::Cpr::parse("010190-123").is_err());
        assert!(super::Cpr::parse("cpr 010190-1234").is_err());
    }

    #[test]
    fn an_impossible_date_is_not_a_cpr_number() {
        assert!(!contains_cpr_number("320199-1234"));
        assert!(!contains_cpr_number("011390-1234"));
        assert!(!contains_cpr_number("000190-1234"));
    }

    #[test]
    fn leap_days_follow_the_century_of_the_serial_number() {
        // 1900 was not a leap year, 2000 was: the 7th digit 4 puts 00 in 2000.
        assert!(contains_cpr_number("290200-4123"));
        assert!(!contains_cpr_number("290200-1123"));
    }

    #[test]
    fn longer_digit_runs_are_not_cpr_numbers() {
        assert!(!contains_cpr_number("Kontonummer 12340101901234"));
        assert!(!contains_cpr_number("01019012345"));
    }

    #[test]
    fn ordinary_text_and_short_numbers_pass() {
        assert!(!contains_cpr_number("45 husstande, 12 % enlige forsørgere"));
        assert!(!contains_cpr_number("tlf. 12 34 56 78"));
        assert!(!contains_cpr_number("010190-123"));
        assert!(!contains_cpr_number("Mødet 12.03.2026 kl. 17"));
        assert!(!contains_cpr_number("+45 12 34 56 78"));
    }
}
