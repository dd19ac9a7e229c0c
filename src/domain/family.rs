//! What the housing-social team records about a family (individual data):
//! the family record, its contact log, its consents and its team composition.
//! Special-category data (health, ethnic origin) has no field here by design.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::MunicipalUnit;
use super::initiative::{codes, language_list};
use super::language::Language;
use super::validation::{guarded_text, optional_guarded_text, FieldError, Violations};

pub const NAME_MAX_CHARS: usize = 120;
pub const TEXT_MAX_CHARS: usize = 4000;
const EARLIEST_BIRTH_YEAR: i32 = 1990;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactDetails {
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Household {
    pub adults: i64,
    pub children: i64,
    /// Birth years of the children (no dates, no CPR numbers).
    #[serde(default)]
    pub children_birth_years: Vec<i64>,
}

/// A family record, valid by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyRecord {
    /// A name the team chooses; not necessarily the family's legal name.
    pub display_name: String,
    pub contact: ContactDetails,
    pub household: Household,
    pub languages: Vec<String>,
    pub interpreter_needed: bool,
    pub notes: Option<String>,
}

impl FamilyRecord {
    pub fn validate(mut self, current_year: i32) -> Result<Self, Vec<FieldError>> {
        let mut violations = Violations::new();
        if let Some(name) = violations.check(
            "display_name",
            guarded_text(&self.display_name, NAME_MAX_CHARS),
        ) {
            self.display_name = name;
        }
        self.contact = ContactDetails {
            phone: optional(self.contact.phone, "contact.phone", 40, &mut violations),
            email: optional(self.contact.email, "contact.email", 200, &mut violations),
            address: optional(
                self.contact.address,
                "contact.address",
                300,
                &mut violations,
            ),
        };
        if let Some(phone) = &self.contact.phone {
            let plausible = phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c))
                && phone.chars().filter(char::is_ascii_digit).count() >= 8;
            if !plausible {
                violations.add(
                    "contact.phone",
                    "must be a phone number (digits, spaces, +, -)",
                );
            }
        }
        if let Some(email) = &self.contact.email {
            let plausible = email
                .split_once('@')
                .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'));
            if !plausible {
                violations.add("contact.email", "must be an e-mail address");
            }
        }
        let household = &self.household;
        if !(0..=20).contains(&household.adults) {
            violations.add("household.adults", "must be from 0 to 20");
        }
        if !(0..=30).contains(&household.children) {
            violations.add("household.children", "must be from 0 to 30");
        }
        if household.children_birth_years.len() as i64 > household.children.max(0) {
            violations.add(
                "household.children_birth_years",
                "more birth years than children",
            );
        }
        for (index, year) in household.children_birth_years.iter().enumerate() {
            if !(i64::from(EARLIEST_BIRTH_YEAR)..=i64::from(current_year)).contains(year) {
                violations.add(
                    format!("household.children_birth_years[{index}]"),
                    format!("must be a year from {EARLIEST_BIRTH_YEAR} to {current_year}"),
                );
            }
        }
        self.languages = language_list(&self.languages, "languages", &mut violations);
        self.notes = optional(self.notes, "notes", TEXT_MAX_CHARS, &mut violations);
        let errors = violations.into_errors();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

fn optional(
    value: Option<String>,
    field: &str,
    max_chars: usize,
    violations: &mut Violations,
) -> Option<String> {
    value
        .and_then(|text| violations.check(field, optional_guarded_text(&text, max_chars)))
        .filter(|text| !text.is_empty())
}

/// What happened in a contact with a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Outreach,
    HomeVisit,
    /// Help with a letter from the municipality.
    LetterHelp,
    /// Went with the family to a meeting (bridge building).
    AccompaniedMeeting,
    Activity,
    Phone,
}

codes!(ContactKind {
    Outreach => "outreach",
    HomeVisit => "home_visit",
    LetterHelp => "letter_help",
    AccompaniedMeeting => "accompanied_meeting",
    Activity => "activity",
    Phone => "phone",
});

/// Categories of a family's data that a consent may allow to be shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    ContactDetails,
    HouseholdComposition,
    ContactLogSummary,
    InitiativeParticipation,
    FamilyStatement,
}

codes!(DataCategory {
    ContactDetails => "contact_details",
    HouseholdComposition => "household_composition",
    ContactLogSummary => "contact_log_summary",
    InitiativeParticipation => "initiative_participation",
    FamilyStatement => "family_statement",
});

/// What a family consents to its data being shared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// Accompanying the family to a meeting and coordinating (tovholder).
    BridgeBuilding,
    /// Help with an application.
    ApplicationHelp,
    /// An internship or volunteering agreed with the job centre.
    JobCentreInternship,
    /// Counselling by family counselling or social services.
    FamilyCounselling,
    /// Taking part in an initiative of the housing-social plan.
    InitiativeParticipation,
}

codes!(ConsentPurpose {
    BridgeBuilding => "bridge_building",
    ApplicationHelp => "application_help",
    JobCentreInternship => "job_centre_internship",
    FamilyCounselling => "family_counselling",
    InitiativeParticipation => "initiative_participation",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentForm {
    Written,
    Oral,
}

codes!(ConsentForm { Written => "written", Oral => "oral" });

/// Where a consent stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// Not valid yet.
    Pending,
    Active,
    Expired,
    Withdrawn,
}

pub fn consent_state(
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    withdrawn: bool,
    today: NaiveDate,
) -> ConsentState {
    if withdrawn {
        ConsentState::Withdrawn
    } else if today < valid_from {
        ConsentState::Pending
    } else if today > valid_until {
        ConsentState::Expired
    } else {
        ConsentState::Active
    }
}

/// Checks a new contact-log entry: not in the future, and a note (if any) that
/// holds no CPR number. Returns the note to store.
pub fn check_contact(
    occurred_on: NaiveDate,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<Option<String>, Vec<FieldError>> {
    let mut violations = Violations::new();
    if occurred_on > today {
        violations.add("occurred_on", "must not be in the future");
    }
    let note = note
        .and_then(|note| violations.check("note", optional_guarded_text(note, TEXT_MAX_CHARS)))
        .filter(|note| !note.is_empty());
    let errors = violations.into_errors();
    if errors.is_empty() {
        Ok(note)
    } else {
        Err(errors)
    }
}

/// Who gave a consent, in relation to the family (Retssikkerhedsloven § 11 a:
/// the parent with custody, a guardian, or the young person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GiverRelation {
    Mother,
    Father,
    /// A guardian with custody (værge).
    Guardian,
    /// The young person (over 15) for their own data.
    YoungPerson,
}

codes!(GiverRelation {
    Mother => "mother",
    Father => "father",
    Guardian => "guardian",
    YoungPerson => "young_person",
});

/// The person who gave a consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentGiver {
    pub name: String,
    pub relation: GiverRelation,
}

/// The service's rules for consents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentRules {
    /// The longest validity (GDPR art. 7: limited, then renewed).
    pub max_months: u32,
}

/// A new consent's terms, as a client sent them.
pub struct ConsentTerms<'a> {
    pub categories: &'a [DataCategory],
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub given_as: ConsentForm,
    pub given_by: &'a ConsentGiver,
    pub document_reference: Option<&'a str>,
}

/// Checked terms of a new consent, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedConsent {
    pub categories: Vec<DataCategory>,
    pub given_by_name: String,
    pub document_reference: Option<String>,
}

/// Checks a new consent: at least one category, a validity window that ends
/// after it starts, not yet expired and no longer than the rules allow; who gave
/// it; and for a written consent, the document it is written in.
pub fn check_consent(
    terms: &ConsentTerms<'_>,
    rules: ConsentRules,
    today: NaiveDate,
) -> Result<CheckedConsent, Vec<FieldError>> {
    let mut violations = Violations::new();
    if terms.categories.is_empty() {
        violations.add(
            "data_categories",
            "name at least one category of data that may be shared",
        );
    }
    if terms.valid_until < terms.valid_from {
        violations.add("valid_until", "must not be before valid_from");
    }
    if terms.valid_until < today {
        violations.add(
            "valid_until",
            "a consent that has already expired cannot be recorded",
        );
    }
    check_longest_validity(
        terms.valid_from,
        terms.valid_until,
        rules,
        "valid_until",
        &mut violations,
    );
    let record = check_consent_record(
        terms.given_by,
        terms.given_as,
        terms.document_reference,
        "",
        &mut violations,
    );
    let mut categories: Vec<DataCategory> = Vec::new();
    for category in terms.categories {
        if !categories.contains(category) {
            categories.push(*category);
        }
    }
    violations.finish()?;
    let (given_by_name, document_reference) = record;
    Ok(CheckedConsent {
        categories,
        given_by_name,
        document_reference,
    })
}

/// A validity no longer than the rules allow (GDPR art. 7: consent is limited in time and renewed).
pub fn check_longest_validity(
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    rules: ConsentRules,
    field: &str,
    violations: &mut Violations,
) {
    let longest = valid_from.checked_add_months(chrono::Months::new(rules.max_months));
    if longest.is_some_and(|longest| valid_until > longest) {
        violations.add(
            field,
            format!(
                "a consent is valid for at most {} months; renew it when it runs out",
                rules.max_months
            ),
        );
    }
}

/// Who gave a consent (a name), and for a written consent the document it is
/// written in (Retssikkerhedsloven § 11 a). Fields are named after `prefix`.
/// Returns the checked name and document reference.
pub fn check_consent_record(
    given_by: &ConsentGiver,
    given_as: ConsentForm,
    document_reference: Option<&str>,
    prefix: &str,
    violations: &mut Violations,
) -> (String, Option<String>) {
    let name = violations.check(
        &format!("{prefix}given_by.name"),
        guarded_text(&given_by.name, NAME_MAX_CHARS),
    );
    let document_field = format!("{prefix}document_reference");
    let document = document_reference
        .and_then(|text| violations.check(&document_field, guarded_text(text, NAME_MAX_CHARS)));
    if given_as == ConsentForm::Written && document_reference.is_none() {
        violations.add(
            &document_field,
            "a written consent names the document it is written in",
        );
    }
    (name.unwrap_or_default(), document)
}

/// The unit and purpose a consent was given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentScope {
    pub unit: MunicipalUnit,
    pub purpose: ConsentPurpose,
}

/// One enrolled family, as the composition check sees it.
#[derive(Debug, Clone)]
pub struct Participant {
    pub heavily_burdened: bool,
    pub mothers: i32,
    pub fathers: i32,
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LanguageCount {
    pub language: String,
    pub families: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CompositionWarning {
    /// `only_heavily_burdened`, `no_fathers_recruited` or `mixed_languages_without_interpreter`.
    pub code: &'static str,
    /// The handbook's advice, in the language `Accept-Language` chose.
    pub message: &'static str,
}

/// The handbook's team-composition check for a closed initiative.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Composition {
    pub enrolled: usize,
    pub heavily_burdened: usize,
    pub with_surplus: usize,
    /// Share of enrolled families that are heavily burdened (null when none are enrolled).
    #[schema(required = true)]
    pub heavily_burdened_share: Option<f64>,
    pub mothers: i64,
    pub fathers: i64,
    pub language_groups: Vec<LanguageCount>,
    pub warnings: Vec<CompositionWarning>,
}

/// The check of a team; warnings are written in `language`.
pub fn composition(
    participants: &[Participant],
    fathers_wanted: bool,
    interpreter_present: bool,
    language: Language,
) -> Composition {
    let enrolled = participants.len();
    let heavily_burdened = participants.iter().filter(|p| p.heavily_burdened).count();
    let mothers = participants.iter().map(|p| i64::from(p.mothers)).sum();
    let fathers: i64 = participants.iter().map(|p| i64::from(p.fathers)).sum();
    let mut language_groups: Vec<LanguageCount> = Vec::new();
    for language in participants.iter().flat_map(|p| p.languages.iter()) {
        match language_groups
            .iter_mut()
            .find(|group| &group.language == language)
        {
            Some(group) => group.families += 1,
            None => language_groups.push(LanguageCount {
                language: language.clone(),
                families: 1,
            }),
        }
    }
    language_groups.sort_by(|a, b| {
        b.families
            .cmp(&a.families)
            .then(a.language.cmp(&b.language))
    });
    let mut warnings = Vec::new();
    let mut warn = |code, da, en| {
        warnings.push(CompositionWarning {
            code,
            message: match language {
                Language::Da => da,
                Language::En => en,
            },
        });
    };
    if enrolled > 0 && heavily_burdened == enrolled {
        warn(
            "only_heavily_burdened",
            "Holdet består kun af tungt belastede familier; familier med mere overskud holder et hold sammen og er rollemodeller.",
            "The team consists only of heavily burdened families; families with more surplus hold a team together and act as role models.",
        );
    }
    if fathers_wanted && enrolled > 0 && fathers == 0 {
        warn(
            "no_fathers_recruited",
            "Fædrene er ønsket, men ingen deltager; fædre skal rekrutteres målrettet.",
            "Fathers are wanted but none take part; fathers must be recruited in a targeted way.",
        );
    }
    if language_groups.len() > 1 && !interpreter_present {
        warn(
            "mixed_languages_without_interpreter",
            "Flere sproggrupper og ingen tolk: blandede hold bygger bro mellem grupper, men gør kommunikationen svær.",
            "Several language groups and no interpreter: mixed groups bridge communities but strain communication.",
        );
    }
    Composition {
        enrolled,
        heavily_burdened,
        with_surplus: enrolled - heavily_burdened,
        heavily_burdened_share: (enrolled > 0).then(|| heavily_burdened as f64 / enrolled as f64),
        mothers,
        fathers,
        language_groups,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family() -> FamilyRecord {
        FamilyRecord {
            display_name: "Familien A".into(),
            contact: ContactDetails {
                phone: Some("+45 12 34 56 78".into()),
                email: Some("a@example.dk".into()),
                address: None,
            },
            household: Household {
                adults: 2,
                children: 3,
                children_birth_years: vec![2012, 2015],
            },
            languages: vec!["Somali".into()],
            interpreter_needed: true,
            notes: None,
        }
    }

    fn date(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).unwrap()
    }

    #[test]
    fn a_valid_family_record_is_normalised() {
        let record = family().validate(2026).unwrap();
        assert_eq!(record.languages, ["somali"]);
    }

    #[test]
    fn cpr_numbers_are_rejected_in_every_text_field() {
        for field in ["display_name", "contact.address", "notes"] {
            let mut record = family();
            let cpr = "Mor 010190-1234".to_owned();
            match field {
                "display_name" => record.display_name = cpr,
                "contact.address" => record.contact.address = Some(cpr),
                _ => record.notes = Some(cpr),
            }
            let errors = record.validate(2026).unwrap_err();
            assert_eq!(errors[0].field, field);
        }
    }

    #[test]
    fn household_figures_must_be_plausible() {
        let mut record = family();
        record.household = Household {
            adults: -1,
            children: 1,
            children_birth_years: vec![2030, 2010],
        };
        let fields: Vec<_> = record
            .validate(2026)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "household.adults",
                "household.children_birth_years",
                "household.children_birth_years[0]"
            ]
        );
    }

    #[test]
    fn consents_are_pending_active_expired_or_withdrawn() {
        let (from, until) = (date(2, 1), date(3, 31));
        assert_eq!(
            consent_state(from, until, false, date(1, 31)),
            ConsentState::Pending
        );
        assert_eq!(
            consent_state(from, until, false, date(2, 1)),
            ConsentState::Active
        );
        assert_eq!(
            consent_state(from, until, false, date(3, 31)),
            ConsentState::Active
        );
        assert_eq!(
            consent_state(from, until, false, date(4, 1)),
            ConsentState::Expired
        );
        assert_eq!(
            consent_state(from, until, true, date(3, 1)),
            ConsentState::Withdrawn
        );
    }

    fn terms<'a>(
        categories: &'a [DataCategory],
        from: NaiveDate,
        until: NaiveDate,
        giver: &'a ConsentGiver,
    ) -> ConsentTerms<'a> {
        ConsentTerms {
            categories,
            valid_from: from,
            valid_until: until,
            given_as: ConsentForm::Oral,
            given_by: giver,
            document_reference: None,
        }
    }

    const TWELVE: ConsentRules = ConsentRules { max_months: 12 };

    #[test]
    fn a_consent_is_limited_in_time_names_who_gave_it_and_its_document() {
        let giver = ConsentGiver {
            name: "Amina".into(),
            relation: GiverRelation::Mother,
        };
        let categories = [DataCategory::ContactDetails];
        let today = date(1, 10);
        let long = terms(
            &categories,
            today,
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            &giver,
        );
        let errors = check_consent(&long, TWELVE, today).unwrap_err();
        assert_eq!(errors[0].field, "valid_until");
        let written = ConsentTerms {
            given_as: ConsentForm::Written,
            ..terms(&categories, today, date(6, 1), &giver)
        };
        let errors = check_consent(&written, TWELVE, today).unwrap_err();
        assert_eq!(errors[0].field, "document_reference");
        let with_document = ConsentTerms {
            document_reference: Some("Samtykkeerklæring 2026-17"),
            ..written
        };
        assert!(check_consent(&with_document, TWELVE, today).is_ok());
    }

    #[test]
    fn consent_terms_need_categories_and_a_sane_window() {
        let today = date(3, 1);
        let giver = ConsentGiver {
            name: "Amina".into(),
            relation: GiverRelation::Mother,
        };
        let errors =
            check_consent(&terms(&[], date(3, 1), date(2, 1), &giver), TWELVE, today).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["data_categories", "valid_until", "valid_until"]);
        let categories = [DataCategory::ContactDetails, DataCategory::ContactDetails];
        assert_eq!(
            check_consent(
                &terms(&categories, today, date(6, 1), &giver),
                TWELVE,
                today
            )
            .unwrap()
            .categories,
            [DataCategory::ContactDetails]
        );
    }

    fn participant(heavily_burdened: bool, fathers: i32, language: &str) -> Participant {
        Participant {
            heavily_burdened,
            mothers: 1,
            fathers,
            languages: vec![language.into()],
        }
    }

    #[test]
    fn a_team_of_only_heavily_burdened_families_is_warned_about() {
        let team = [
            participant(true, 1, "arabisk"),
            participant(true, 0, "arabisk"),
        ];
        let result = composition(&team, false, false, Language::En);
        assert_eq!(result.heavily_burdened_share, Some(1.0));
        let codes: Vec<_> = result.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["only_heavily_burdened"]);
    }

    #[test]
    fn warnings_are_written_in_the_language_asked_for() {
        let team = [participant(true, 1, "arabisk")];
        let danish = composition(&team, false, false, Language::Da);
        let english = composition(&team, false, false, Language::En);
        assert_eq!(danish.warnings[0].code, english.warnings[0].code);
        assert!(danish.warnings[0].message.starts_with("Holdet består"));
        assert!(english.warnings[0].message.starts_with("The team consists"));
    }

    #[test]
    fn wanted_fathers_missing_and_mixed_languages_are_warned_about() {
        let team = [
            participant(false, 0, "arabisk"),
            participant(true, 0, "somali"),
        ];
        let result = composition(&team, true, false, Language::En);
        let codes: Vec<_> = result.warnings.iter().map(|w| w.code).collect();
        assert_eq!(
            codes,
            [
                "no_fathers_recruited",
                "mixed_languages_without_interpreter"
            ]
        );
        assert_eq!(result.with_surplus, 1);
        assert!(composition(&team, false, true, Language::En)
            .warnings
            .is_empty());
    }

    #[test]
    fn an_empty_team_has_no_share_and_no_warnings() {
        let result = composition(&[], true, false, Language::En);
        assert_eq!(result.heavily_burdened_share, None);
        assert!(result.warnings.is_empty());
    }
}
