//! Handbook-driven decision support: from an assessment's findings to the
//! initiative types the handbook recommends, ranked, with its rationale and the
//! design conditions it attaches. The rules are the table [`RULES`].

use std::cmp::Reverse;

use super::assessment::Finding;
use super::catalog::{InitiativeType, Label, ProblemArea};

/// A severity from which a problem area counts as high.
pub const HIGH_SEVERITY: i32 = 4;

/// A design condition the handbook attaches to an initiative.
#[derive(Debug, Clone, Copy)]
pub struct Condition {
    /// Stable code clients can check off.
    pub code: &'static str,
    pub text: Label,
}

/// What the handbook says about one initiative type.
pub struct Rule {
    pub initiative_type: InitiativeType,
    pub answers: &'static [ProblemArea],
    pub rationale: Label,
    pub conditions: &'static [Condition],
}

use InitiativeType as I;
use ProblemArea as P;

const LANGUAGE_LEVEL: Condition = Condition {
    code: "language_level",
    text: Label {
        da: "Indholdet skal passe til gruppens sprogniveau og viden om samfundet",
        en: "Content must fit the group's language level and knowledge of society",
    },
};

const TWO_CULTURES_GROUP: Condition = Condition {
    code: "parenting_between_two_cultures",
    text: Label {
        da: "Ved generations- og kulturkonflikter: en lukket gruppe med de samme familier hver gang, et trygt rum og en autoritativ, empatisk oplægsholder om forældreskab mellem to kulturer",
        en: "Where conflicts are generational or cultural: a closed group with the same families each time, a safe room and an authoritative, empathetic speaker on parenting between two cultures",
    },
};

pub const RULES: &[Rule] = &[
    Rule {
        initiative_type: I::FamilyCourse,
        answers: &[P::Knowledge, P::Isolation],
        rationale: Label {
            da: "Et boligsocialt familiekursus for en lukket gruppe kombinerer oplæg fra relevante aktører, erfaringsudveksling og sociale aktiviteter. Evalueringer viser, at forældrene kommunikerer på en ny måde med børnene, forstår aktørerne bedre og føler sig bedre rustet til at forebygge kriminalitet.",
            en: "A housing-social family course for a closed group combines talks by relevant actors, exchange of experience and social activities. Evaluations found parents communicate with their children in a new way, understand the actors around them better and feel better prepared to prevent crime.",
        },
        conditions: &[
            Condition {
                code: "closed_group",
                text: Label {
                    da: "En lukket gruppe med faste deltagere",
                    en: "A closed group with a fixed set of participants",
                },
            },
            Condition {
                code: "mixed_team_composition",
                text: Label {
                    da: "Deltagerne skal have et reelt behov, men holdet må ikke kun bestå af tungt belastede familier: familier med mere overskud holder holdet sammen og er positive rollemodeller",
                    en: "Participants need a real need, but the team must not consist only of heavily burdened families: families with more surplus hold it together and act as role models",
                },
            },
            Condition {
                code: "targeted_recruitment_of_fathers",
                text: Label {
                    da: "Skal fædre deltage, skal de rekrutteres målrettet",
                    en: "If fathers should take part, they must be recruited in a targeted way",
                },
            },
            Condition {
                code: "language_composition",
                text: Label {
                    da: "Blandede sproggrupper bygger bro men belaster kommunikationen; enkeltsprogede grupper (eller tolk) lader forældrene tale frit",
                    en: "Mixed language groups bridge communities but strain communication; single-language groups (or an interpreter) let parents speak freely",
                },
            },
            Condition {
                code: "local_actor_cooperation",
                text: Label {
                    da: "Bygges op i tæt samarbejde med lokale aktører",
                    en: "Built in close cooperation with local actors",
                },
            },
            TWO_CULTURES_GROUP,
        ],
    },
    Rule {
        initiative_type: I::InformationEvent,
        answers: &[P::Knowledge],
        rationale: Label {
            da: "Åbne temaarrangementer, hvor aktører som skole, socialforvaltning og SSP præsenterer sig, og besøg i klub og skole giver forældrene viden om forventningerne til dem og om, hvor de kan få hjælp.",
            en: "Open theme events where actors such as school, social services and SSP present themselves, and visits to club and school, tell parents what is expected of them and where to get help.",
        },
        conditions: &[LANGUAGE_LEVEL, TWO_CULTURES_GROUP],
    },
    Rule {
        initiative_type: I::SocialActivity,
        answers: &[P::Isolation],
        rationale: Label {
            da: "Sociale aktiviteter for en afgrænset gruppe familier (familielejre, udflugter, fællesspisning) kan skabe netværk og sammenhold.",
            en: "Social activities for a defined group of families (family camps, excursions, communal dining) can build networks and cohesion.",
        },
        conditions: &[Condition {
            code: "network_plan",
            text: Label {
                da: "En plan, lagt på forhånd, for hvordan netværk opstår af aktiviteten og støttes bagefter; ellers bliver det gode oplevelser uden netværk",
                en: "A plan, made beforehand, for how networks arise from the activity and are supported afterwards; without it activities are nice experiences that build no network",
            },
        }],
    },
    Rule {
        initiative_type: I::ExerciseActivity,
        answers: &[P::Health, P::Isolation],
        rationale: Label {
            da: "Lokal motion med lav intensitet styrker den fysiske og psykiske trivsel og er samtidig en social platform og en bro til andre indsatser.",
            en: "Low-intensity local exercise improves physical and mental well-being and is also a social platform and a bridge to other initiatives.",
        },
        conditions: &[Condition {
            code: "low_threshold",
            text: Label {
                da: "Lav intensitet og lokalt, så familier med smerter og dårlig form kan være med",
                en: "Low intensity and local, so families with pain or poor physical shape can join",
            },
        }],
    },
    Rule {
        initiative_type: I::BridgeBuilding,
        answers: &[P::Navigation],
        rationale: Label {
            da: "Medarbejderen er tovholder, går med familierne til møder i kommunen, hjælper dem med at forstå og får deres perspektiv frem.",
            en: "The worker coordinates, goes with families to municipal meetings, helps them understand and makes their perspective heard.",
        },
        conditions: &[Condition {
            code: "co_located_municipal_services",
            text: Label {
                da: "Virker bedst med fremskudte kommunale indsatser (familierådgivning, jobcenter) i samme hus som helhedsplanen",
                en: "Works best with municipal services (family counselling, job centre) co-located in the same house as the plan",
            },
        }],
    },
    Rule {
        initiative_type: I::Volunteering,
        answers: &[P::Unemployment],
        rationale: Label {
            da: "Frivilligt arbejde eller praktik i helhedsplanen giver små opgaver, der mestres, selvværd, netværk og en rollemodel for børnene.",
            en: "Volunteering or an internship inside the plan gives small tasks mastered, self-esteem, a network and a role model for the children.",
        },
        conditions: &[Condition {
            code: "job_centre_agreement",
            text: Label {
                da: "Fx efter aftale med jobcentret",
                en: "E.g. agreed with the job centre",
            },
        }],
    },
];

/// Initiatives with a low threshold, which build contact with families: exercise,
/// bridge building (which includes help answering letters from the
/// municipality) and open information events.
pub const LOW_THRESHOLD: &[InitiativeType] =
    &[I::ExerciseActivity, I::BridgeBuilding, I::InformationEvent];

/// Why a low-threshold initiative comes first in an area without contact yet.
pub const START_WITH_CONTACT: Label = Label {
    da: "Kontakten først: der er endnu ikke opbygget kontakt til familierne i området (ingen kontakter registreret og ingen lavtærskelindsats). Håndbogen anbefaler at lægge ud med fx motionsaktiviteter eller hjælp til at svare på breve fra kommunen for at opbygge et fundament.",
    en: "Contact first: no contact with the area's families has been built yet (no contacts logged and no low-threshold initiative). The handbook advises starting with e.g. exercise activities or help answering letters from the municipality, to build a foundation.",
};

/// Why a family course waits in an area without contact yet.
pub const COURSE_AFTER_CONTACT: Label = Label {
    da: "Kontakten først: man kan ikke fra den ene dag til den anden starte fx et forældrekursus, men må afsætte en lang periode til kontaktskabelse. Start med en lavtærskelindsats ovenfor.",
    en: "Contact first: a parents' course cannot be started from one day to the next; set aside a long period for building contact. Start with a low-threshold initiative above.",
};

/// What contact-building work an area has already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactGroundwork {
    /// Workers have logged contacts with the area's families.
    pub contacts_logged: bool,
    /// A low-threshold initiative is planned, running or done in the area.
    pub low_threshold_initiative: bool,
}

impl ContactGroundwork {
    pub fn is_laid(&self) -> bool {
        self.contacts_logged || self.low_threshold_initiative
    }
}

/// A recommended initiative type, with the findings it answers.
pub struct Recommendation {
    pub rule: &'static Rule,
    /// Indices into the findings that this initiative answers.
    pub answers: Vec<usize>,
    /// It answers two or more problem areas that are all high.
    pub combined: bool,
    /// Why contact-building moved it (set only where there is no contact yet).
    pub contact_first: Option<Label>,
}

/// The highest severity found for `area`, if it was found at all.
fn severity_of(findings: &[Finding], area: ProblemArea) -> Option<i32> {
    findings
        .iter()
        .filter(|finding| finding.problem_area == area)
        .map(|finding| finding.severity)
        .max()
}

/// Recommends initiative types for the findings, best first.
///
/// Ranking: initiatives that answer several high problem areas at once come first;
/// then by the summed severity of the problem areas they answer; then the one
/// fitting more precisely (fewer of its problem areas absent); then table order.
/// Where the area has no contact-building work yet, the low-threshold
/// initiatives come before a family course, and both say why.
pub fn recommend(findings: &[Finding], groundwork: ContactGroundwork) -> Vec<Recommendation> {
    let ranked = rank(findings);
    if groundwork.is_laid() {
        return ranked;
    }
    let Some(course) = ranked
        .iter()
        .position(|recommendation| recommendation.rule.initiative_type == I::FamilyCourse)
    else {
        return ranked;
    };
    let (mut before, mut after): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
    let mut course_recommendation = None;
    for (index, mut recommendation) in ranked.into_iter().enumerate() {
        let low_threshold = LOW_THRESHOLD.contains(&recommendation.rule.initiative_type);
        if index == course {
            recommendation.contact_first = Some(COURSE_AFTER_CONTACT);
            course_recommendation = Some(recommendation);
        } else if index < course || low_threshold {
            if low_threshold {
                recommendation.contact_first = Some(START_WITH_CONTACT);
            }
            before.push(recommendation);
        } else {
            after.push(recommendation);
        }
    }
    before.extend(course_recommendation);
    before.append(&mut after);
    before
}

fn rank(findings: &[Finding]) -> Vec<Recommendation> {
    let mut scored: Vec<(usize, Recommendation, i32, usize)> = RULES
        .iter()
        .enumerate()
        .filter_map(|(order, rule)| {
            let severities: Vec<i32> = rule
                .answers
                .iter()
                .filter_map(|area| severity_of(findings, *area))
                .collect();
            if severities.is_empty() {
                return None;
            }
            let high = severities.iter().filter(|s| **s >= HIGH_SEVERITY).count();
            let combined = high >= 2;
            let answers = findings
                .iter()
                .enumerate()
                .filter(|(_, finding)| rule.answers.contains(&finding.problem_area))
                .map(|(index, _)| index)
                .collect();
            let absent = rule.answers.len() - severities.len();
            let recommendation = Recommendation {
                rule,
                answers,
                combined,
                contact_first: None,
            };
            Some((order, recommendation, severities.iter().sum(), absent))
        })
        .collect();
    scored.sort_by_key(|(order, recommendation, severity_sum, absent)| {
        (
            Reverse(recommendation.combined),
            Reverse(*severity_sum),
            *absent,
            *order,
        )
    });
    scored
        .into_iter()
        .map(|(_, recommendation, _, _)| recommendation)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(problem_area: ProblemArea, severity: i32) -> Finding {
        Finding {
            problem_area,
            households: Some(20),
            share: None,
            severity,
            evidence: vec!["socialforvaltningen".into()],
            notes: None,
        }
    }

    const CONTACT_BUILT: ContactGroundwork = ContactGroundwork {
        contacts_logged: true,
        low_threshold_initiative: false,
    };

    fn ranked(findings: &[Finding]) -> Vec<InitiativeType> {
        recommend(findings, CONTACT_BUILT)
            .iter()
            .map(|recommendation| recommendation.rule.initiative_type)
            .collect()
    }

    #[test]
    fn every_initiative_type_has_exactly_one_rule_matching_the_catalogue() {
        for entry in crate::domain::catalog::INITIATIVE_TYPES {
            let rules: Vec<_> = RULES
                .iter()
                .filter(|rule| rule.initiative_type == entry.code)
                .collect();
            assert_eq!(rules.len(), 1, "{:?}", entry.code);
            let catalogue = crate::domain::catalog::problem_areas_answered_by(entry.code);
            assert!(
                rules[0].answers.len() == catalogue.len()
                    && catalogue.iter().all(|area| rules[0].answers.contains(area)),
                "{:?} answers the same problem areas as the catalogue",
                entry.code
            );
        }
    }

    #[test]
    fn each_problem_area_alone_gets_its_own_initiatives() {
        assert_eq!(
            ranked(&[finding(P::Knowledge, 3)]),
            [I::InformationEvent, I::FamilyCourse],
            "the precise fit first when only knowledge is found"
        );
        assert_eq!(
            ranked(&[finding(P::Isolation, 3)]),
            [I::SocialActivity, I::FamilyCourse, I::ExerciseActivity]
        );
        assert_eq!(ranked(&[finding(P::Health, 2)]), [I::ExerciseActivity]);
        assert_eq!(ranked(&[finding(P::Navigation, 5)]), [I::BridgeBuilding]);
        assert_eq!(ranked(&[finding(P::Unemployment, 4)]), [I::Volunteering]);
    }

    #[test]
    fn a_family_course_ranks_first_when_knowledge_and_isolation_are_both_high() {
        let findings = [
            finding(P::Navigation, 5),
            finding(P::Knowledge, 4),
            finding(P::Isolation, 4),
        ];
        let recommendations = recommend(&findings, CONTACT_BUILT);
        assert_eq!(recommendations[0].rule.initiative_type, I::FamilyCourse);
        assert!(recommendations[0].combined);
        assert_eq!(recommendations[0].answers, vec![1, 2]);
        assert_eq!(recommendations[1].rule.initiative_type, I::BridgeBuilding);
    }

    #[test]
    fn a_combined_initiative_is_not_marked_combined_when_one_area_is_low() {
        let findings = [finding(P::Knowledge, 5), finding(P::Isolation, 2)];
        let recommendations = recommend(&findings, CONTACT_BUILT);
        assert_eq!(recommendations[0].rule.initiative_type, I::FamilyCourse);
        assert!(!recommendations[0].combined);
    }

    #[test]
    fn higher_severity_ranks_higher_among_single_initiatives() {
        let findings = [finding(P::Health, 2), finding(P::Unemployment, 5)];
        assert_eq!(ranked(&findings), [I::Volunteering, I::ExerciseActivity]);
    }

    #[test]
    fn conditions_carry_the_handbooks_design_rules() {
        let codes = |initiative: InitiativeType| -> Vec<&str> {
            RULES
                .iter()
                .find(|rule| rule.initiative_type == initiative)
                .unwrap()
                .conditions
                .iter()
                .map(|condition| condition.code)
                .collect()
        };
        assert_eq!(codes(I::SocialActivity), ["network_plan"]);
        assert_eq!(codes(I::Volunteering), ["job_centre_agreement"]);
        assert_eq!(codes(I::BridgeBuilding), ["co_located_municipal_services"]);
        let course = codes(I::FamilyCourse);
        for required in [
            "mixed_team_composition",
            "targeted_recruitment_of_fathers",
            "parenting_between_two_cultures",
        ] {
            assert!(course.contains(&required), "{required}");
        }
    }

    #[test]
    fn without_contact_yet_low_threshold_initiatives_come_before_a_family_course() {
        let findings = [finding(P::Knowledge, 4), finding(P::Isolation, 4)];
        let no_contact = ContactGroundwork {
            contacts_logged: false,
            low_threshold_initiative: false,
        };
        let recommendations = recommend(&findings, no_contact);
        let order: Vec<_> = recommendations
            .iter()
            .map(|recommendation| recommendation.rule.initiative_type)
            .collect();
        assert_eq!(
            order,
            [
                I::InformationEvent,
                I::ExerciseActivity,
                I::FamilyCourse,
                I::SocialActivity
            ]
        );
        assert_eq!(
            recommendations[2].contact_first.map(|label| label.en),
            Some(COURSE_AFTER_CONTACT.en)
        );
        assert!(recommendations[0].contact_first.is_some());
        assert!(recommendations[3].contact_first.is_none());
        let with_contact = recommend(&findings, CONTACT_BUILT);
        assert_eq!(with_contact[0].rule.initiative_type, I::FamilyCourse);
        assert!(with_contact
            .iter()
            .all(|recommendation| recommendation.contact_first.is_none()));
    }

    #[test]
    fn no_findings_no_recommendations() {
        assert!(recommend(&[], CONTACT_BUILT).is_empty());
    }
}
