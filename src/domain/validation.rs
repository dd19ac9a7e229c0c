//! Field-level validation errors, collected so a client sees every problem at
//! once; and what no text of the service may hold (it could not be stored).

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field of a request and why it was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `figures.households`.
    pub field: String,
    pub message: String,
}

/// Collects field errors while a request body is parsed into domain values.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records the error of `result` under `field` and returns its value, if any.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.to_string());
                None
            }
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok` when nothing was found wrong, else every error.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// True for text written as a date or date-time (`2026-11-26`, `2026-11-26T09:30:00Z`)
/// whose year is outside 0001–9999: PostgreSQL cannot store it, and no rule of
/// this service needs it, so it is refused at the edge on both backends.
pub fn is_unstorable_date(text: &str) -> bool {
    let unsigned = text.trim_start_matches(['+', '-']);
    let year_digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &unsigned[year_digits..];
    let date_like = year_digits >= 1
        && rest.len() >= 6
        && rest.as_bytes()[0] == b'-'
        && rest.as_bytes()[1..3].iter().all(u8::is_ascii_digit)
        && rest.as_bytes()[3] == b'-'
        && rest.as_bytes()[4..6].iter().all(u8::is_ascii_digit);
    date_like && (unsigned.len() != text.len() || year_digits != 4 || unsigned.starts_with("0000"))
}

/// True for characters no text of this service may hold (tab and line breaks are fine).
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Why a text of a request cannot be stored, if it cannot.
pub fn unstorable(text: &str) -> Option<&'static str> {
    if text.chars().any(is_forbidden_control) {
        Some("must not contain NUL or other control characters")
    } else if is_unstorable_date(text) {
        Some("dates must have a four-digit year from 0001 to 9999")
    } else {
        None
    }
}

/// A trimmed, non-empty text of bounded length that holds no CPR number.
/// Free text in aggregate resources must not carry personal identifiers.
pub fn guarded_text(value: &str, max_chars: usize) -> Result<String, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".into());
    }
    optional_guarded_text(trimmed, max_chars)
}

/// Like [`guarded_text`], but an empty text is allowed.
pub fn optional_guarded_text(value: &str, max_chars: usize) -> Result<String, String> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if crate::domain::cpr::contains_cpr_number(trimmed) {
        return Err(
            "looks like it contains a CPR number; personal identifiers are not allowed here".into(),
        );
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_impossible_dates_cannot_be_stored() {
        assert!(unstorable("Nørrebakken\nnæste linje").is_none());
        assert!(unstorable("a\u{0}b").is_some());
        assert!(unstorable("-262143-01-01").is_some());
    }

    #[test]
    fn dates_must_have_a_four_digit_year_after_year_zero() {
        assert!(!is_unstorable_date("2026-11-26"));
        assert!(!is_unstorable_date("2026-11-26T09:30:00Z"));
        assert!(is_unstorable_date("-262143-01-01"));
        assert!(is_unstorable_date("+262142-12-31"));
        assert!(is_unstorable_date("12026-01-01"));
        assert!(is_unstorable_date("0000-01-01"));
        assert!(!is_unstorable_date("Familien Hansen"));
        assert!(!is_unstorable_date("12-34"));
    }

    #[test]
    fn guarded_text_trims_and_rejects_empty_text() {
        assert_eq!(guarded_text("  Nørrebakken ", 50), Ok("Nørrebakken".into()));
        assert!(guarded_text("   ", 50).is_err());
    }

    #[test]
    fn guarded_text_counts_characters_not_bytes() {
        assert!(guarded_text("ææææ", 4).is_ok());
        assert!(guarded_text("æææææ", 4).is_err());
    }

    #[test]
    fn guarded_text_rejects_a_cpr_number() {
        assert!(guarded_text("Familien 010190-1234", 100).is_err());
    }

    #[test]
    fn violations_report_every_field() {
        let mut violations = Violations::new();
        violations.add("name", "must not be empty");
        violations.add("municipality_code", "unknown");
        let errors = violations.into_errors();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1].field, "municipality_code");
    }
}
