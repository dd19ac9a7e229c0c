//! Choices each municipality makes for itself: which unit receives concern
//! reports about children, and which units sign joint work (needs assessments,
//! cooperation agreements) for the municipality.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::{may_receive_concern_reports, MunicipalUnit};
use super::validation::{FieldError, Violations};

/// A municipality's settings; without any stored, [`MunicipalitySettings::default`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MunicipalitySettings {
    /// The unit that receives concern reports (many municipalities: `children_families`
    /// or `family_counselling`).
    pub concern_report_unit: MunicipalUnit,
    /// The units whose approval counts for the municipality on joint work.
    pub signatory_units: Vec<MunicipalUnit>,
}

impl Default for MunicipalitySettings {
    fn default() -> Self {
        Self {
            concern_report_unit: MunicipalUnit::ChildrenFamilies,
            signatory_units: vec![
                MunicipalUnit::SocialServices,
                MunicipalUnit::FamilyCounselling,
            ],
        }
    }
}

impl MunicipalitySettings {
    /// At least one signatory unit, each named once.
    pub fn check(mut self) -> Result<Self, Vec<FieldError>> {
        let mut violations = Violations::new();
        let mut units = Vec::new();
        for unit in self.signatory_units {
            if !units.contains(&unit) {
                units.push(unit);
            }
        }
        if !may_receive_concern_reports(self.concern_report_unit) {
            violations.add(
                "concern_report_unit",
                "concern reports go to a unit that handles child welfare: children_families, family_counselling or social_services",
            );
        }
        if units.is_empty() {
            violations.add(
                "signatory_units",
                "name at least one unit that signs for the municipality",
            );
        }
        self.signatory_units = units;
        violations.finish()?;
        Ok(self)
    }

    pub fn signs(&self, unit: MunicipalUnit) -> bool {
        self.signatory_units.contains(&unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_social_services_and_family_counselling_sign_and_children_families_receives() {
        let settings = MunicipalitySettings::default();
        assert!(settings.signs(MunicipalUnit::SocialServices));
        assert!(settings.signs(MunicipalUnit::FamilyCounselling));
        assert!(!settings.signs(MunicipalUnit::School));
        assert_eq!(
            settings.concern_report_unit,
            MunicipalUnit::ChildrenFamilies
        );
    }

    #[test]
    fn settings_need_a_signatory_unit() {
        let none = MunicipalitySettings {
            signatory_units: vec![],
            ..MunicipalitySettings::default()
        };
        assert_eq!(none.check().unwrap_err()[0].field, "signatory_units");
        let twice = MunicipalitySettings {
            signatory_units: vec![MunicipalUnit::School, MunicipalUnit::School],
            ..MunicipalitySettings::default()
        };
        assert_eq!(
            twice.check().unwrap().signatory_units,
            vec![MunicipalUnit::School]
        );
    }
}
