//! The handbook's vocabulary: problem areas, the initiative types that answer them,
//! and the municipal units families are referred to. The codes are part of the
//! contract (clients and token claims use them); the labels are for people.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A problem area that characterises vulnerable families in a housing area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemArea {
    Knowledge,
    Isolation,
    Health,
    Navigation,
    Unemployment,
}

/// A kind of housing-social initiative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeType {
    InformationEvent,
    FamilyCourse,
    SocialActivity,
    ExerciseActivity,
    BridgeBuilding,
    Volunteering,
}

/// A municipal unit; the code is also the `unit` claim of a caseworker's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MunicipalUnit {
    SocialServices,
    FamilyCounselling,
    ChildrenFamilies,
    JobCentre,
    HealthVisitor,
    School,
    Ssp,
}

/// A label in Danish and English.
#[derive(Debug, Clone, Copy)]
pub struct Label {
    pub da: &'static str,
    pub en: &'static str,
}

/// Signs and labels of a problem area, as the handbook describes it.
pub struct ProblemAreaEntry {
    pub code: ProblemArea,
    pub label: Label,
    pub signs: Label,
    pub answered_by: &'static [InitiativeType],
}

pub struct InitiativeTypeEntry {
    pub code: InitiativeType,
    pub label: Label,
    pub description: Label,
}

pub struct MunicipalUnitEntry {
    pub code: MunicipalUnit,
    pub label: Label,
    /// Whether a municipality may choose it to receive concern reports about
    /// children (the units that handle child welfare).
    pub may_receive_concern_reports: bool,
}

use InitiativeType as I;

pub const PROBLEM_AREAS: &[ProblemAreaEntry] = &[
    ProblemAreaEntry {
        code: ProblemArea::Knowledge,
        label: Label {
            da: "Manglende viden om samfundet og forventningerne til forældre",
            en: "Lack of knowledge of society and of what is expected of parents",
        },
        signs: Label {
            da: "Forældre kender ikke forventningerne til dem, aktørerne omkring børnene eller hvor de kan få hjælp; generations- og kulturkonflikter",
            en: "Parents do not know what is expected of them, which actors exist or how to get help; generational and cultural conflicts",
        },
        answered_by: &[I::InformationEvent, I::FamilyCourse],
    },
    ProblemAreaEntry {
        code: ProblemArea::Isolation,
        label: Label {
            da: "Social isolation og manglende sammenhold",
            en: "Social isolation and weak cohesion",
        },
        signs: Label {
            da: "Ledighed, få venner, svagt sammenhold i familien",
            en: "Unemployment, few friends, weak family cohesion",
        },
        // Exercise is also a social platform and a bridge (the handbook's Løsning 3).
        answered_by: &[I::SocialActivity, I::FamilyCourse, I::ExerciseActivity],
    },
    ProblemAreaEntry {
        code: ProblemArea::Health,
        label: Label {
            da: "Fysiske og psykiske problemer",
            en: "Physical and mental health problems",
        },
        signs: Label {
            da: "PTSD, depression, smerter, sygdom, dårlig fysisk form",
            en: "PTSD, depression, pain, illness, poor physical shape",
        },
        answered_by: &[I::ExerciseActivity],
    },
    ProblemAreaEntry {
        code: ProblemArea::Navigation,
        label: Label {
            da: "Komplekse problemstillinger og svært ved at navigere i systemet",
            en: "Complex problems and difficulty navigating the system",
        },
        signs: Label {
            da: "Kaotisk situation, økonomi, helbred, opholdstilladelse, mange kommunale kontakter",
            en: "Chaotic situation, finances, health questions, residence permit, many municipal contacts",
        },
        answered_by: &[I::BridgeBuilding],
    },
    ProblemAreaEntry {
        code: ProblemArea::Unemployment,
        label: Label {
            da: "Langtidsledighed og lavt selvværd",
            en: "Long-term unemployment and low self-esteem",
        },
        signs: Label {
            da: "Langtidsledig, uden forbindelse til arbejdsmarkedet, lavt selvværd, få succesoplevelser",
            en: "Long-term unemployed, disconnected, low self-esteem, few successes",
        },
        answered_by: &[I::Volunteering],
    },
];

pub const INITIATIVE_TYPES: &[InitiativeTypeEntry] = &[
    InitiativeTypeEntry {
        code: I::InformationEvent,
        label: Label {
            da: "Informationsarrangement",
            en: "Information event",
        },
        description: Label {
            da: "Åbne temaarrangementer hvor aktører præsenterer sig, besøg i klub og skole",
            en: "Open theme events where actors present themselves; visits to club and school",
        },
    },
    InitiativeTypeEntry {
        code: I::FamilyCourse,
        label: Label {
            da: "Boligsocialt familiekursus",
            en: "Housing-social family course",
        },
        description: Label {
            da: "Kursus for en lukket gruppe forældre med oplæg, erfaringsudveksling og sociale aktiviteter",
            en: "A course for a closed group of parents mixing talks, exchange of experience and social activities",
        },
    },
    InitiativeTypeEntry {
        code: I::SocialActivity,
        label: Label {
            da: "Social aktivitet",
            en: "Social activity",
        },
        description: Label {
            da: "Familielejre, udflugter og fællesspisning for en afgrænset gruppe familier, med en plan for netværksdannelse",
            en: "Family camps, excursions and communal dining for a defined group of families, with a plan for how networks arise",
        },
    },
    InitiativeTypeEntry {
        code: I::ExerciseActivity,
        label: Label {
            da: "Motionsaktivitet",
            en: "Exercise activity",
        },
        description: Label {
            da: "Lokal motion med lav intensitet; også en social platform og bro til andre indsatser",
            en: "Low-intensity local exercise; also a social platform and a bridge to other initiatives",
        },
    },
    InitiativeTypeEntry {
        code: I::BridgeBuilding,
        label: Label {
            da: "Brobygning",
            en: "Bridge building",
        },
        description: Label {
            da: "Medarbejderen er tovholder, hjælper med at svare på breve fra kommunen, går med til møder og hjælper familien med at blive hørt",
            en: "The worker coordinates, helps answer letters from the municipality, accompanies families to meetings and helps their perspective be heard",
        },
    },
    InitiativeTypeEntry {
        code: I::Volunteering,
        label: Label {
            da: "Frivilligt arbejde og praktik",
            en: "Volunteering and internship",
        },
        description: Label {
            da: "Frivillige opgaver eller praktik i helhedsplanen, fx efter aftale med jobcentret",
            en: "Volunteering or an internship inside the plan, e.g. agreed with the job centre",
        },
    },
];

pub const MUNICIPAL_UNITS: &[MunicipalUnitEntry] = &[
    MunicipalUnitEntry {
        code: MunicipalUnit::SocialServices,
        label: Label {
            da: "Socialforvaltning",
            en: "Social services",
        },
        may_receive_concern_reports: true,
    },
    MunicipalUnitEntry {
        code: MunicipalUnit::FamilyCounselling,
        label: Label {
            da: "Familierådgivning",
            en: "Family counselling",
        },
        may_receive_concern_reports: true,
    },
    MunicipalUnitEntry {
        code: MunicipalUnit::ChildrenFamilies,
        label: Label {
            da: "Børn og familie",
            en: "Children and families",
        },
        may_receive_concern_reports: true,
    },
    MunicipalUnitEntry {
        code: MunicipalUnit::JobCentre,
        label: Label {
            da: "Jobcenter",
            en: "Job centre",
        },
        may_receive_concern_reports: false,
    },
    MunicipalUnitEntry {
        code: MunicipalUnit::HealthVisitor,
        label: Label {
            da: "Sundhedspleje",
            en: "Health visitor",
        },
        may_receive_concern_reports: false,
    },
    MunicipalUnitEntry {
        code: MunicipalUnit::School,
        label: Label {
            da: "Skole",
            en: "School",
        },
        may_receive_concern_reports: false,
    },
    MunicipalUnitEntry {
        code: MunicipalUnit::Ssp,
        label: Label {
            da: "SSP (skole, socialforvaltning og politi)",
            en: "SSP (school, social services and police)",
        },
        may_receive_concern_reports: false,
    },
];

/// Problem areas that an initiative type answers, derived from [`PROBLEM_AREAS`].
pub fn problem_areas_answered_by(initiative_type: InitiativeType) -> Vec<ProblemArea> {
    PROBLEM_AREAS
        .iter()
        .filter(|entry| entry.answered_by.contains(&initiative_type))
        .map(|entry| entry.code)
        .collect()
}

impl ProblemArea {
    pub fn code(self) -> &'static str {
        match self {
            Self::Knowledge => "knowledge",
            Self::Isolation => "isolation",
            Self::Health => "health",
            Self::Navigation => "navigation",
            Self::Unemployment => "unemployment",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        PROBLEM_AREAS
            .iter()
            .map(|entry| entry.code)
            .find(|area| area.code() == code)
    }
}

impl InitiativeType {
    pub fn code(self) -> &'static str {
        match self {
            Self::InformationEvent => "information_event",
            Self::FamilyCourse => "family_course",
            Self::SocialActivity => "social_activity",
            Self::ExerciseActivity => "exercise_activity",
            Self::BridgeBuilding => "bridge_building",
            Self::Volunteering => "volunteering",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        INITIATIVE_TYPES
            .iter()
            .map(|entry| entry.code)
            .find(|initiative_type| initiative_type.code() == code)
    }
}

impl MunicipalUnit {
    /// Parses a unit code as it appears in tokens and query strings.
    pub fn parse(code: &str) -> Result<Self, String> {
        MUNICIPAL_UNITS
            .iter()
            .map(|entry| entry.code)
            .find(|unit| unit.code() == code)
            .ok_or_else(|| format!("'{code}' is not a municipal unit code"))
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::SocialServices => "social_services",
            Self::FamilyCounselling => "family_counselling",
            Self::ChildrenFamilies => "children_families",
            Self::JobCentre => "job_centre",
            Self::HealthVisitor => "health_visitor",
            Self::School => "school",
            Self::Ssp => "ssp",
        }
    }
}

/// Whether a municipality may route concern reports to `unit`.
pub fn may_receive_concern_reports(unit: MunicipalUnit) -> bool {
    MUNICIPAL_UNITS
        .iter()
        .any(|entry| entry.code == unit && entry.may_receive_concern_reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_course_answers_knowledge_and_isolation_together() {
        assert_eq!(
            problem_areas_answered_by(InitiativeType::FamilyCourse),
            vec![ProblemArea::Knowledge, ProblemArea::Isolation]
        );
    }

    #[test]
    fn every_initiative_type_answers_some_problem_area() {
        for entry in INITIATIVE_TYPES {
            assert!(
                !problem_areas_answered_by(entry.code).is_empty(),
                "{:?}",
                entry.code
            );
        }
    }

    #[test]
    fn unit_codes_round_trip_through_their_serialised_form() {
        for entry in MUNICIPAL_UNITS {
            let json = serde_json::to_value(entry.code).unwrap();
            assert_eq!(json, entry.code.code());
            assert_eq!(MunicipalUnit::parse(entry.code.code()), Ok(entry.code));
        }
        assert!(MunicipalUnit::parse("police").is_err());
    }

    #[test]
    fn problem_area_codes_match_their_serialised_form() {
        for entry in PROBLEM_AREAS {
            assert_eq!(serde_json::to_value(entry.code).unwrap(), entry.code.code());
            assert_eq!(ProblemArea::parse(entry.code.code()), Some(entry.code));
        }
    }

    #[test]
    fn initiative_type_codes_match_their_serialised_form() {
        for entry in INITIATIVE_TYPES {
            assert_eq!(serde_json::to_value(entry.code).unwrap(), entry.code.code());
            assert_eq!(InitiativeType::parse(entry.code.code()), Some(entry.code));
        }
    }

    #[test]
    fn only_child_welfare_units_may_receive_concern_reports() {
        let receivers: Vec<_> = MUNICIPAL_UNITS
            .iter()
            .filter(|entry| entry.may_receive_concern_reports)
            .map(|entry| entry.code)
            .collect();
        assert_eq!(
            receivers,
            vec![
                MunicipalUnit::SocialServices,
                MunicipalUnit::FamilyCounselling,
                MunicipalUnit::ChildrenFamilies
            ]
        );
    }
}
