//! What crosses the line in a referral: the family's data as shared, one field
//! per data category, and the consent a municipality states for what it shares.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::InitiativeType;
use super::family::{
    check_consent_record, check_longest_validity, ConsentForm, ConsentGiver, ConsentRules,
    ContactKind, DataCategory, Household,
};
use super::validation::{guarded_text, Violations};
use crate::strict_json::{optional_object, optional_objects};

/// Longest free text in a referral.
pub const TEXT_MAX_CHARS: usize = 4000;

/// Contact details as shared: the family's name as the team knows it, and how to reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedContact {
    pub display_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContactKindCount {
    pub kind: ContactKind,
    pub count: usize,
}

/// A summary of the contact log: how much contact, what kind, how recent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContactLogSummary {
    pub contacts: usize,
    pub last_contact_on: Option<NaiveDate>,
    pub kinds: Vec<ContactKindCount>,
}

impl ContactLogSummary {
    /// Summarises a contact log given as (kind, day) entries.
    pub fn of(contacts: &[(ContactKind, NaiveDate)]) -> Self {
        let mut kinds: Vec<ContactKindCount> = Vec::new();
        for (kind, _) in contacts {
            match kinds.iter_mut().find(|entry| entry.kind == *kind) {
                Some(entry) => entry.count += 1,
                None => kinds.push(ContactKindCount {
                    kind: *kind,
                    count: 1,
                }),
            }
        }
        Self {
            contacts: contacts.len(),
            last_contact_on: contacts.iter().map(|(_, on)| *on).max(),
            kinds,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Participation {
    pub initiative_type: InitiativeType,
    pub title: String,
    pub enrolled_on: NaiveDate,
}

/// The family's data as shared, one field per data category; a category not
/// shared (or no longer covered by consent) is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedData {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object"
    )]
    pub contact_details: Option<SharedContact>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object"
    )]
    pub household_composition: Option<Household>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object"
    )]
    pub contact_log_summary: Option<ContactLogSummary>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_objects"
    )]
    pub initiative_participation: Option<Vec<Participation>>,
    /// The family's own statement, in its words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_statement: Option<String>,
}

impl SharedData {
    /// The categories this data holds.
    pub fn categories(&self) -> Vec<DataCategory> {
        [
            (self.contact_details.is_some(), DataCategory::ContactDetails),
            (
                self.household_composition.is_some(),
                DataCategory::HouseholdComposition,
            ),
            (
                self.contact_log_summary.is_some(),
                DataCategory::ContactLogSummary,
            ),
            (
                self.initiative_participation.is_some(),
                DataCategory::InitiativeParticipation,
            ),
            (
                self.family_statement.is_some(),
                DataCategory::FamilyStatement,
            ),
        ]
        .into_iter()
        .filter_map(|(present, category)| present.then_some(category))
        .collect()
    }
}

/// The consent a municipal caseworker states for a referral to an initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatedConsent {
    /// Who recorded the consent in the municipality.
    pub recorded_by: String,
    pub recorded_on: NaiveDate,
    pub given_as: ConsentForm,
    pub valid_until: NaiveDate,
    pub data_categories: Vec<DataCategory>,
    /// Who gave the consent (required in new referrals; absent only in
    /// statements recorded before it was asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_by: Option<ConsentGiver>,
    /// Required for a written consent: the municipality's reference to the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_reference: Option<String>,
}

/// Whether a consent stated by the municipality still holds on `today`.
pub fn stated_consent_holds(valid_until: NaiveDate, today: NaiveDate) -> bool {
    today <= valid_until
}

/// An optional free text: trimmed, bounded, CPR-guarded; empty is none.
pub fn optional_text(
    value: Option<&str>,
    field: &str,
    violations: &mut Violations,
) -> Option<String> {
    value
        .and_then(|text| {
            violations.check(
                field,
                super::validation::optional_guarded_text(text, TEXT_MAX_CHARS),
            )
        })
        .filter(|text| !text.is_empty())
}

/// Checks what a municipality shares with an initiative against the consent it
/// states: valid today, covering every shared category, and limited to what a
/// municipality may share (contact details, household, the family's statement).
pub fn check_stated_sharing(
    consent: &StatedConsent,
    shared: &SharedData,
    rules: ConsentRules,
    today: NaiveDate,
    violations: &mut Violations,
) -> Vec<DataCategory> {
    violations.check(
        "consent.recorded_by",
        guarded_text(&consent.recorded_by, 200),
    );
    if consent.recorded_on > today {
        violations.add("consent.recorded_on", "must not be in the future");
    }
    match &consent.given_by {
        Some(giver) => {
            check_consent_record(
                giver,
                consent.given_as,
                consent.document_reference.as_deref(),
                "consent.",
                violations,
            );
        }
        None => violations.add(
            "consent.given_by",
            "say who gave the consent: name and relation (mother, father, guardian, young_person)",
        ),
    }
    check_longest_validity(
        consent.recorded_on,
        consent.valid_until,
        rules,
        "consent.valid_until",
        violations,
    );
    if consent.valid_until < today {
        violations.add("consent.valid_until", "the consent has expired");
    }
    let categories = shared.categories();
    if categories.is_empty() {
        violations.add("shared", "share at least the family's contact details");
    }
    for category in &categories {
        if !consent.data_categories.contains(category) {
            violations.add(
                format!("shared.{}", category.code()),
                "is not covered by the stated consent",
            );
        }
    }
    if shared.contact_log_summary.is_some() || shared.initiative_participation.is_some() {
        violations.add("shared", "a municipality shares contact details, household composition and the family's statement only");
    }
    if let Some(contact) = &shared.contact_details {
        violations.check(
            "shared.contact_details.display_name",
            guarded_text(&contact.display_name, 120),
        );
        for (field, value) in [
            ("phone", &contact.phone),
            ("email", &contact.email),
            ("address", &contact.address),
        ] {
            optional_text(
                value.as_deref(),
                &format!("shared.contact_details.{field}"),
                violations,
            );
        }
    }
    optional_text(
        shared.family_statement.as_deref(),
        "shared.family_statement",
        violations,
    );
    categories
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::family::GiverRelation;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_contact_log_is_summarised_by_kind_and_latest_day() {
        let summary = ContactLogSummary::of(&[
            (ContactKind::Phone, day("2026-01-02")),
            (ContactKind::HomeVisit, day("2026-03-01")),
            (ContactKind::Phone, day("2026-02-01")),
        ]);
        assert_eq!(summary.contacts, 3);
        assert_eq!(summary.last_contact_on, Some(day("2026-03-01")));
        assert_eq!(
            summary.kinds,
            vec![
                ContactKindCount {
                    kind: ContactKind::Phone,
                    count: 2
                },
                ContactKindCount {
                    kind: ContactKind::HomeVisit,
                    count: 1
                },
            ]
        );
    }

    #[test]
    fn shared_data_names_the_categories_it_holds() {
        let shared = SharedData {
            family_statement: Some("Vi vil gerne have hjælp".into()),
            ..SharedData::default()
        };
        assert_eq!(shared.categories(), vec![DataCategory::FamilyStatement]);
    }

    #[test]
    fn a_municipality_shares_only_what_its_stated_consent_covers() {
        let consent = StatedConsent {
            recorded_by: "Sagsbehandler".into(),
            recorded_on: day("2026-01-01"),
            given_as: ConsentForm::Written,
            valid_until: day("2026-12-31"),
            data_categories: vec![DataCategory::ContactDetails],
            given_by: Some(ConsentGiver {
                name: "Amina".into(),
                relation: GiverRelation::Mother,
            }),
            document_reference: Some("Samtykke j.nr. 2026-117".into()),
        };
        let shared = SharedData {
            household_composition: Some(Household::default()),
            ..SharedData::default()
        };
        let mut violations = Violations::new();
        let rules = ConsentRules { max_months: 12 };
        check_stated_sharing(&consent, &shared, rules, day("2026-06-01"), &mut violations);
        let fields: Vec<String> = violations
            .into_errors()
            .into_iter()
            .map(|error| error.field)
            .collect();
        assert_eq!(fields, vec!["shared.household_composition"]);
    }

    #[test]
    fn a_stated_consent_holds_through_its_last_day() {
        assert!(stated_consent_holds(day("2026-06-01"), day("2026-06-01")));
        assert!(!stated_consent_holds(day("2026-06-01"), day("2026-06-02")));
    }
}
