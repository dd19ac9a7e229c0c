//! Detection of Danish CPR numbers (personnummer) in free text.
//!
//! A CPR number is DDMMYY-SSSS or DDMMYYSSSS where DDMMYY is a valid calendar date.
//! The century follows from the 7th digit and the year (the CPR office's table), which
//! matters for 29 February. Digit runs longer than ten are not CPR numbers (they are
//! account or phone numbers), so a match must not touch other digits.

/// True when `text` contains something that looks like a CPR number.
pub fn contains_cpr_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).any(|start| cpr_at(&chars, start))
}

fn cpr_at(chars: &[char], start: usize) -> bool {
    if start > 0 && chars[start - 1].is_ascii_digit() {
        return false;
    }
    let mut digits = Vec::with_capacity(10);
    let mut index = start;
    while digits.len() < 10 && index < chars.len() {
        let c = chars[index];
        if c.is_ascii_digit() {
            digits.push(c as u8 - b'0');
        } else if digits.len() == 6 && c == '-' {
            // the usual separator between date and serial number
        } else {
            return false;
        }
        index += 1;
    }
    if digits.len() != 10 {
        return false;
    }
    if chars.get(index).is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    is_valid_birth_date(&digits)
}

fn is_valid_birth_date(digits: &[u8]) -> bool {
    let number = |a: usize, b: usize| u32::from(digits[a]) * 10 + u32::from(digits[b]);
    let (day, month, year_in_century) = (number(0, 1), number(2, 3), number(4, 5));
    let year = full_year(digits[6], year_in_century);
    chrono::NaiveDate::from_ymd_opt(year as i32, month, day).is_some()
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
    }
}
