//! Cooperation agreements: the housing-social effort's niche and interfaces
//! with the municipality, signed by one approval per side.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::assessment::Side;
use super::catalog::MunicipalUnit;
use super::family::ConsentPurpose;
use super::initiative::codes;
use super::validation::{guarded_text, Violations};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Being written; both sides may edit.
    Draft,
    /// One side has signed; an edit withdraws the signatures given.
    InReview,
    /// Signed by both sides; immutable. A revision supersedes it.
    Agreed,
    Withdrawn,
}

codes!(AgreementStatus {
    Draft => "draft",
    InReview => "in_review",
    Agreed => "agreed",
    Withdrawn => "withdrawn",
});

impl AgreementStatus {
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::InReview)
    }
}

/// What one municipal unit does in the cooperation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitRole {
    pub unit: MunicipalUnit,
    pub responsibilities: String,
    /// The purposes of the referrals this unit receives under the agreement
    /// (the interface, "snitfladen", for referrals).
    #[serde(default)]
    pub referral_purposes: Vec<ConsentPurpose>,
}

/// Whom to contact in a unit: a role, never a person's own number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRole {
    pub unit: MunicipalUnit,
    /// E.g. "Teamleder, familieafsnittet".
    pub role: String,
}

/// A municipal service held in the area (fremskudt), e.g. family counselling
/// in the community house.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoLocatedService {
    pub unit: MunicipalUnit,
    /// What is offered, and when, e.g. "Åben rådgivning tirsdage kl. 13-15".
    pub description: String,
}

/// The content both sides sign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "niche": "Tidlig, uformel kontakt med familier, der ikke selv søger hjælp",
    "housing_social_role": "Opsøgende kontakt, forældrekurser og brobygning til kommunens tilbud",
    "unit_roles": [{"unit": "family_counselling", "responsibilities": "Fremskudt rådgivning i beboerhuset", "referral_purposes": ["bridge_building", "family_counselling"]}],
    "contacts": [{"unit": "family_counselling", "role": "Teamleder, familierådgivningen"}],
    "co_located_services": [{"unit": "family_counselling", "description": "Åben rådgivning tirsdage kl. 13-15"}],
    "meeting_cadence": "Koordinationsmøde hver 6. uge",
    "valid_from": "2027-01-01",
    "valid_until": "2028-12-31"
}))]
pub struct AgreementTerms {
    /// What the housing-social effort does that no one else does.
    pub niche: String,
    /// What the housing-social team does.
    pub housing_social_role: String,
    /// What each municipal unit does.
    pub unit_roles: Vec<UnitRole>,
    #[serde(default)]
    pub contacts: Vec<ContactRole>,
    #[serde(default)]
    pub co_located_services: Vec<CoLocatedService>,
    /// E.g. "Koordinationsmøde hver 6. uge".
    pub meeting_cadence: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

const TEXT_MAX: usize = 2000;
const ITEMS_MAX: usize = 30;

impl AgreementTerms {
    /// Every text guarded, the lists bounded, the period in order, a unit's role once.
    pub fn validate(mut self) -> Result<Self, Vec<super::validation::FieldError>> {
        let mut violations = Violations::new();
        let text = |field: &str, value: &mut String, violations: &mut Violations| {
            if let Some(checked) = violations.check(field, guarded_text(value, TEXT_MAX)) {
                *value = checked;
            }
        };
        text("niche", &mut self.niche, &mut violations);
        text(
            "housing_social_role",
            &mut self.housing_social_role,
            &mut violations,
        );
        text(
            "meeting_cadence",
            &mut self.meeting_cadence,
            &mut violations,
        );
        if self.unit_roles.is_empty() {
            violations.add("unit_roles", "name what at least one municipal unit does");
        }
        for (field, len) in [
            ("unit_roles", self.unit_roles.len()),
            ("contacts", self.contacts.len()),
            ("co_located_services", self.co_located_services.len()),
        ] {
            if len > ITEMS_MAX {
                violations.add(field, format!("at most {ITEMS_MAX}"));
            }
        }
        for index in 0..self.unit_roles.len() {
            let unit = self.unit_roles[index].unit;
            if self.unit_roles[..index]
                .iter()
                .any(|earlier| earlier.unit == unit)
            {
                violations.add(format!("unit_roles[{index}].unit"), "is given twice");
            }
            let field = format!("unit_roles[{index}].responsibilities");
            text(
                &field,
                &mut self.unit_roles[index].responsibilities,
                &mut violations,
            );
            let purposes = &self.unit_roles[index].referral_purposes;
            if purposes
                .iter()
                .enumerate()
                .any(|(at, purpose)| purposes[..at].contains(purpose))
            {
                violations.add(
                    format!("unit_roles[{index}].referral_purposes"),
                    "names a purpose twice",
                );
            }
        }
        for (index, contact) in self.contacts.iter_mut().enumerate() {
            text(
                &format!("contacts[{index}].role"),
                &mut contact.role,
                &mut violations,
            );
        }
        for (index, service) in self.co_located_services.iter_mut().enumerate() {
            text(
                &format!("co_located_services[{index}].description"),
                &mut service.description,
                &mut violations,
            );
        }
        if self.valid_until < self.valid_from {
            violations.add("valid_until", "must not be before valid_from");
        }
        violations.finish()?;
        Ok(self)
    }
}

/// The status after `side` signs, given who signed before; signing again is a no-op.
pub fn status_after_signing(
    status: AgreementStatus,
    signed_before: &[Side],
    side: Side,
) -> Result<AgreementStatus, String> {
    if status == AgreementStatus::Agreed && signed_before.contains(&side) {
        return Ok(AgreementStatus::Agreed);
    }
    if !status.is_editable() {
        return Err(format!(
            "the agreement is {}; a revision supersedes it",
            status.code()
        ));
    }
    let both = Side::BOTH
        .iter()
        .all(|required| *required == side || signed_before.contains(required));
    Ok(if both {
        AgreementStatus::Agreed
    } else {
        AgreementStatus::InReview
    })
}

/// A change of content or status: only while editable; withdrawing is the one
/// status a caller sets.
pub fn ensure_change(from: AgreementStatus, to: AgreementStatus) -> Result<(), String> {
    if !from.is_editable() {
        return Err(format!(
            "the agreement is {} and no longer changes; a revision supersedes it",
            from.code()
        ));
    }
    match to {
        AgreementStatus::Withdrawn => Ok(()),
        _ if to == from => Ok(()),
        _ => Err(format!(
            "status {} comes from signing (POST …/approvals); a caller sets only withdrawn",
            to.code()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgreementStatus::*;

    #[test]
    fn both_sides_sign_before_it_is_agreed() {
        assert_eq!(
            status_after_signing(Draft, &[], Side::Municipal),
            Ok(InReview)
        );
        assert_eq!(
            status_after_signing(InReview, &[Side::Municipal], Side::HousingSocial),
            Ok(Agreed)
        );
        assert_eq!(
            status_after_signing(
                Agreed,
                &[Side::Municipal, Side::HousingSocial],
                Side::Municipal
            ),
            Ok(Agreed)
        );
        assert!(status_after_signing(Withdrawn, &[], Side::Municipal).is_err());
    }

    #[test]
    fn an_agreed_agreement_does_not_change_and_callers_only_withdraw() {
        assert!(ensure_change(Agreed, Agreed).is_err());
        assert!(ensure_change(Draft, Withdrawn).is_ok());
        assert!(ensure_change(Draft, Agreed).is_err());
        assert!(ensure_change(InReview, InReview).is_ok());
    }
}
