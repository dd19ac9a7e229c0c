//! A disadvantaged housing area (boligområde): validated fields of an area.

use chrono::NaiveDate;

use super::municipality::MunicipalityCode;
use super::validation::{guarded_text, Violations};

pub const NAME_MAX_CHARS: usize = 200;
/// Upper bound for aggregate counts; larger numbers are typing errors, not estates.
pub const COUNT_MAX: i64 = 10_000_000;

/// Everything an area consists of, valid by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaDraft {
    pub name: String,
    pub municipality: MunicipalityCode,
    pub housing_organisation: String,
    /// The housing organisation's code: its data protection officer's `org` claim.
    pub organisation_code: String,
    pub plan: Option<Plan>,
    pub figures: AreaFigures,
}

/// The comprehensive housing-social plan (helhedsplan) that funds the local team.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Optional aggregate figures about the area's residents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreaFigures {
    pub households: Option<i32>,
    pub residents: Option<i32>,
    pub families_with_children_share: Option<f64>,
    pub single_parent_share: Option<f64>,
}

/// Unvalidated area fields, as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct AreaFields<'a> {
    pub name: &'a str,
    pub municipality_code: &'a str,
    pub housing_organisation: &'a str,
    pub organisation_code: &'a str,
    pub plan: Option<PlanFields<'a>>,
    pub households: Option<i64>,
    pub residents: Option<i64>,
    pub families_with_children_share: Option<f64>,
    pub single_parent_share: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct PlanFields<'a> {
    pub name: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl AreaDraft {
    /// Parses client input, reporting every invalid field (names as in the API).
    pub fn parse(fields: AreaFields<'_>) -> Result<Self, Vec<super::validation::FieldError>> {
        let mut violations = Violations::new();
        let name = violations.check("name", guarded_text(fields.name, NAME_MAX_CHARS));
        let municipality = violations.check(
            "municipality_code",
            MunicipalityCode::parse(fields.municipality_code),
        );
        let housing_organisation = violations.check(
            "housing_organisation",
            guarded_text(fields.housing_organisation, NAME_MAX_CHARS),
        );
        let organisation_code = violations.check(
            "organisation_code",
            organisation_code(fields.organisation_code),
        );
        let plan = fields.plan.map(|plan| {
            let name = violations.check("plan.name", guarded_text(plan.name, NAME_MAX_CHARS));
            if plan.ends_on < plan.starts_on {
                violations.add("plan.ends_on", "must not be before plan.starts_on");
            }
            name.map(|name| Plan {
                name,
                starts_on: plan.starts_on,
                ends_on: plan.ends_on,
            })
        });
        let figures = AreaFigures {
            households: fields
                .households
                .and_then(|n| violations.check("figures.households", count(n))),
            residents: fields
                .residents
                .and_then(|n| violations.check("figures.residents", count(n))),
            families_with_children_share: fields
                .families_with_children_share
                .and_then(|s| violations.check("figures.families_with_children_share", share(s))),
            single_parent_share: fields
                .single_parent_share
                .and_then(|s| violations.check("figures.single_parent_share", share(s))),
        };
        let errors = violations.into_errors();
        // A field that failed to parse is None and has left an error behind.
        match (name, municipality, housing_organisation, organisation_code) {
            (
                Some(name),
                Some(municipality),
                Some(housing_organisation),
                Some(organisation_code),
            ) if errors.is_empty() => Ok(AreaDraft {
                name,
                municipality,
                housing_organisation,
                organisation_code,
                plan: plan.flatten(),
                figures,
            }),
            _ => Err(errors),
        }
    }

    /// Lower-cased text that the `q` filter of area lists matches against.
    pub fn search_text(&self) -> String {
        let mut text = format!("{}\n{}", self.name, self.housing_organisation);
        if let Some(plan) = &self.plan {
            text.push('\n');
            text.push_str(&plan.name);
        }
        text.to_lowercase()
    }
}

/// A housing organisation's code, as its data protection officer's token
/// carries it in `org`: 2–64 lower-case letters, digits, `.`, `_` or `-`.
pub fn organisation_code(value: &str) -> Result<String, String> {
    let valid = (2..=64).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && value.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if valid {
        Ok(value.to_owned())
    } else {
        Err("must be 2-64 lower-case letters, digits, '.', '_' or '-' (the `org` claim of the organisation's data protection officer)".into())
    }
}

/// A count of people or households: a non-negative integer.
pub fn count(value: i64) -> Result<i32, String> {
    if !(0..=COUNT_MAX).contains(&value) {
        return Err(format!("must be a whole number from 0 to {COUNT_MAX}"));
    }
    Ok(value as i32)
}

/// A share of a population: a number from 0 to 1.
pub fn share(value: f64) -> Result<f64, String> {
    if !(0.0..=1.0).contains(&value) {
        return Err("must be a share from 0 to 1".into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> AreaFields<'static> {
        AreaFields {
            name: "Nørrebakken",
            municipality_code: "101",
            housing_organisation: "Boligselskabet Fremtiden",
            organisation_code: "fremtiden",
            ..Default::default()
        }
    }

    #[test]
    fn an_organisation_code_is_a_plain_lower_case_code() {
        assert!(organisation_code("org-a").is_ok());
        assert!(organisation_code("Boligselskabet Test").is_err());
        assert!(organisation_code("a").is_err());
        assert!(organisation_code("-x").is_err());
    }

    #[test]
    fn valid_fields_parse() {
        let draft = AreaDraft::parse(fields()).unwrap();
        assert_eq!(draft.municipality.as_str(), "101");
        assert_eq!(draft.plan, None);
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let errors = AreaDraft::parse(AreaFields {
            name: " ",
            municipality_code: "999",
            households: Some(-1),
            single_parent_share: Some(1.5),
            ..fields()
        })
        .unwrap_err();
        let names: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "municipality_code",
                "figures.households",
                "figures.single_parent_share"
            ]
        );
    }

    #[test]
    fn a_plan_must_not_end_before_it_starts() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let errors = AreaDraft::parse(AreaFields {
            plan: Some(PlanFields {
                name: "Helhedsplan 2026",
                starts_on: day(10),
                ends_on: day(9),
            }),
            ..fields()
        })
        .unwrap_err();
        assert_eq!(errors[0].field, "plan.ends_on");
    }

    #[test]
    fn a_cpr_number_in_any_text_field_is_rejected_by_name() {
        let errors = AreaDraft::parse(AreaFields {
            housing_organisation: "Kontakt 010190-1234",
            ..fields()
        })
        .unwrap_err();
        assert_eq!(errors[0].field, "housing_organisation");
        assert!(errors[0].message.contains("CPR"));
    }

    #[test]
    fn shares_outside_zero_to_one_and_nan_are_rejected() {
        assert!(share(-0.01).is_err());
        assert!(share(f64::NAN).is_err());
        assert_eq!(share(0.25), Ok(0.25));
    }

    #[test]
    fn search_text_is_lower_case_including_danish_letters() {
        let draft = AreaDraft::parse(AreaFields {
            name: "ÅPARKEN",
            ..fields()
        })
        .unwrap();
        assert!(draft.search_text().starts_with("åparken"));
    }
}
