//! What an initiative aims to change, how families answer before and after,
//! and the results as a steering group may see them.
//!
//! The catalogue holds the handbook's outcomes per problem area, each with an
//! indicator question and the same 1–5 agreement scale. An initiative's goals
//! are catalogue outcomes or its own questions. Results pair a family's answers
//! at `start` with its later ones; outside the area's team every count goes
//! through small-count suppression, and a result resting on fewer families
//! than the threshold is withheld with its reason.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::ProblemArea;
use super::statistics::{median, suppress_table, Count, Disclosure};
use super::validation::{guarded_text, optional_guarded_text, Violations};

/// The most goals an initiative carries.
pub const MAX_GOALS: usize = 10;
const QUESTION_MAX_CHARS: usize = 300;
const LABEL_MAX_CHARS: usize = 60;

/// When a family answered: at the start, at the end, or at the follow-up the
/// plan sets (`follow_up_months` after the initiative's end).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Start,
    End,
    FollowUp,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Start, Phase::End, Phase::FollowUp];

    pub fn code(self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::End => "end",
            Phase::FollowUp => "follow_up",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|phase| phase.code() == code)
    }

    pub fn danish(self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::End => "slut",
            Phase::FollowUp => "opfølgning",
        }
    }
}

/// A text in Danish, and in English where given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub da: String,
    #[serde(default)]
    pub en: Option<String>,
}

/// The label of one point of a scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleLabel {
    pub value: i32,
    pub da: String,
    #[serde(default)]
    pub en: Option<String>,
}

/// Whole-number answers from `min` to `max`; higher is better.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    #[schema(minimum = 0, maximum = 1)]
    pub min: i32,
    #[schema(minimum = 2, maximum = 10)]
    pub max: i32,
    #[serde(default)]
    pub labels: Vec<ScaleLabel>,
}

impl Scale {
    pub fn admits(&self, value: i32) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

/// The scale of every catalogue outcome: how much the parent agrees.
pub fn agreement_scale() -> Scale {
    let labels = [
        ("Slet ikke enig", "Strongly disagree"),
        ("Lidt enig", "Slightly agree"),
        ("Delvist enig", "Partly agree"),
        ("Meget enig", "Mostly agree"),
        ("Helt enig", "Fully agree"),
    ];
    Scale {
        min: 1,
        max: 5,
        labels: labels
            .iter()
            .zip(1..)
            .map(|((da, en), value)| ScaleLabel {
                value,
                da: (*da).into(),
                en: Some((*en).into()),
            })
            .collect(),
    }
}

/// An outcome the handbook names, with its indicator question.
pub struct CatalogOutcome {
    pub code: &'static str,
    pub problem_area: ProblemArea,
    pub question_da: &'static str,
    pub question_en: &'static str,
}

/// The handbook's outcomes per problem area. Codes are stable: clients use them.
pub const OUTCOMES: &[CatalogOutcome] = &[
    CatalogOutcome {
        code: "knows_the_actors",
        problem_area: ProblemArea::Knowledge,
        question_da:
            "Jeg ved, hvem de voksne omkring mit barn er (skole, klub, SSP), og hvad de gør.",
        question_en: "I know the adults around my child (school, club, SSP) and what they do.",
    },
    CatalogOutcome {
        code: "knows_what_is_expected",
        problem_area: ProblemArea::Knowledge,
        question_da: "Jeg ved, hvad der forventes af mig som forælder.",
        question_en: "I know what is expected of me as a parent.",
    },
    CatalogOutcome {
        code: "talks_with_children",
        problem_area: ProblemArea::Knowledge,
        question_da: "Jeg taler med mine børn om det, der sker i deres hverdag.",
        question_en: "I talk with my children about what happens in their daily lives.",
    },
    CatalogOutcome {
        code: "equipped_to_prevent_crime",
        problem_area: ProblemArea::Knowledge,
        question_da:
            "Jeg føler mig rustet til at forhindre, at mit barn bliver trukket ind i kriminalitet.",
        question_en: "I feel equipped to prevent my child from being drawn into crime.",
    },
    CatalogOutcome {
        code: "network_across_families",
        problem_area: ProblemArea::Isolation,
        question_da:
            "Jeg kender andre familier i området, som jeg kan tale med eller få hjælp fra.",
        question_en: "I know other families in the area I can talk with or get help from.",
    },
    CatalogOutcome {
        code: "shared_positive_experiences",
        problem_area: ProblemArea::Isolation,
        question_da: "Vi har haft gode oplevelser sammen med andre familier.",
        question_en: "We have had good experiences together with other families.",
    },
    CatalogOutcome {
        code: "physical_wellbeing",
        problem_area: ProblemArea::Health,
        question_da: "Jeg har det godt fysisk.",
        question_en: "I feel well physically.",
    },
    CatalogOutcome {
        code: "mental_wellbeing",
        problem_area: ProblemArea::Health,
        question_da: "Jeg har det godt psykisk.",
        question_en: "I feel well mentally.",
    },
    CatalogOutcome {
        code: "own_situation_in_hand",
        problem_area: ProblemArea::Navigation,
        question_da: "Jeg har overblik over min egen situation (breve, økonomi, aftaler).",
        question_en: "I am on top of my own situation (letters, finances, appointments).",
    },
    CatalogOutcome {
        code: "knows_where_to_go",
        problem_area: ProblemArea::Navigation,
        question_da: "Jeg ved, hvor jeg skal henvende mig, når jeg har brug for hjælp.",
        question_en: "I know where to go when I need help.",
    },
    CatalogOutcome {
        code: "self_esteem",
        problem_area: ProblemArea::Unemployment,
        question_da: "Jeg tror på mig selv.",
        question_en: "I believe in myself.",
    },
    CatalogOutcome {
        code: "masters_everyday_life",
        problem_area: ProblemArea::Unemployment,
        question_da: "Jeg får min hverdag til at hænge sammen.",
        question_en: "I master my everyday life.",
    },
    CatalogOutcome {
        code: "sees_self_as_resource",
        problem_area: ProblemArea::Unemployment,
        question_da: "Jeg ser mig selv som en ressource for andre.",
        question_en: "I see myself as a resource for others.",
    },
];

pub fn catalog_outcome(code: &str) -> Option<&'static CatalogOutcome> {
    OUTCOMES.iter().find(|outcome| outcome.code == code)
}

/// A goal as a planner gives it: a catalogue outcome, or an own question with
/// a key and a scale.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGoal {
    /// A code from `GET /catalog/outcomes`; then nothing else is given.
    #[serde(default)]
    pub outcome: Option<String>,
    /// An own goal's key (lower-case letters, digits, `_`; not a catalogue code).
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub question: Option<Question>,
    #[serde(default)]
    pub scale: Option<Scale>,
}

/// A goal of an initiative, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Goal {
    /// Answers name the goal by this key (the outcome code for catalogue goals).
    pub key: String,
    /// The catalogue outcome, or null for an own goal.
    #[schema(required = true)]
    pub outcome: Option<String>,
    pub question: Question,
    pub scale: Scale,
}

fn is_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

fn checked_scale(scale: Scale, field: &str, violations: &mut Violations) -> Scale {
    if !(0..=1).contains(&scale.min) || !(2..=10).contains(&scale.max) {
        violations.add(
            format!("{field}.min"),
            "a scale runs from 0 or 1 up to 2–10",
        );
    }
    let mut labels = Vec::with_capacity(scale.labels.len());
    for (index, label) in scale.labels.into_iter().enumerate() {
        let at = format!("{field}.labels[{index}]");
        if !(scale.min..=scale.max).contains(&label.value)
            || labels
                .iter()
                .any(|seen: &ScaleLabel| seen.value == label.value)
        {
            violations.add(format!("{at}.value"), "must be a point of the scale, once");
        }
        let da = violations.check(
            &format!("{at}.da"),
            guarded_text(&label.da, LABEL_MAX_CHARS),
        );
        let en = label.en.as_deref().and_then(|en| {
            violations.check(
                &format!("{at}.en"),
                optional_guarded_text(en, LABEL_MAX_CHARS),
            )
        });
        labels.push(ScaleLabel {
            value: label.value,
            da: da.unwrap_or_default(),
            en: en.filter(|en| !en.is_empty()),
        });
    }
    Scale {
        min: scale.min,
        max: scale.max,
        labels,
    }
}

/// The goals a planner gave, checked: catalogue codes known, own goals with a
/// key, a question and a scale, every key once.
pub fn checked_goals(goals: Vec<NewGoal>, violations: &mut Violations) -> Vec<Goal> {
    if goals.len() > MAX_GOALS {
        violations.add("goals", format!("at most {MAX_GOALS} goals"));
    }
    let mut checked: Vec<Goal> = Vec::with_capacity(goals.len());
    for (index, goal) in goals.into_iter().enumerate() {
        let at = format!("goals[{index}]");
        let goal = match goal.outcome {
            Some(code) => {
                if goal.key.is_some() || goal.question.is_some() || goal.scale.is_some() {
                    violations.add(
                        &at,
                        "a catalogue goal gives only its outcome code; its question and scale come from the catalogue",
                    );
                }
                match catalog_outcome(&code) {
                    Some(outcome) => catalogue_goal(outcome),
                    None => {
                        violations.add(
                            format!("{at}.outcome"),
                            "is not a code of GET /api/v1/catalog/outcomes",
                        );
                        continue;
                    }
                }
            }
            None => {
                let key = goal.key.unwrap_or_default();
                if !is_key(&key) || catalog_outcome(&key).is_some() {
                    violations.add(
                        format!("{at}.key"),
                        "an own goal needs a key of lower-case letters, digits and _ (at most 40), not a catalogue code",
                    );
                }
                let Some(question) = goal.question else {
                    violations.add(format!("{at}.question"), "an own goal needs a question");
                    continue;
                };
                let da = violations.check(
                    &format!("{at}.question.da"),
                    guarded_text(&question.da, QUESTION_MAX_CHARS),
                );
                let en = question.en.as_deref().and_then(|en| {
                    violations.check(
                        &format!("{at}.question.en"),
                        optional_guarded_text(en, QUESTION_MAX_CHARS),
                    )
                });
                let Some(scale) = goal.scale else {
                    violations.add(format!("{at}.scale"), "an own goal needs a scale");
                    continue;
                };
                Goal {
                    key,
                    outcome: None,
                    question: Question {
                        da: da.unwrap_or_default(),
                        en: en.filter(|en| !en.is_empty()),
                    },
                    scale: checked_scale(scale, &format!("{at}.scale"), violations),
                }
            }
        };
        if checked.iter().any(|seen| seen.key == goal.key) {
            violations.add(at.clone(), format!("goal '{}' is given twice", goal.key));
            continue;
        }
        checked.push(goal);
    }
    checked
}

pub fn catalogue_goal(outcome: &CatalogOutcome) -> Goal {
    Goal {
        key: outcome.code.into(),
        outcome: Some(outcome.code.into()),
        question: Question {
            da: outcome.question_da.into(),
            en: Some(outcome.question_en.into()),
        },
        scale: agreement_scale(),
    }
}

/// Goals that may not change any more: those with answers, whose scale or
/// presence a change would alter. Empty when the change keeps them all.
pub fn measured_goals_changed(before: &[Goal], after: &[Goal], answered: &[String]) -> Vec<String> {
    answered
        .iter()
        .filter(|key| {
            let old = before.iter().find(|goal| &goal.key == *key);
            let new = after.iter().find(|goal| &goal.key == *key);
            match (old, new) {
                (Some(old), Some(new)) => {
                    old.scale.min != new.scale.min || old.scale.max != new.scale.max
                }
                (Some(_), None) => true,
                _ => false,
            }
        })
        .cloned()
        .collect()
}

/// One answer: a goal's key and the value on its scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub goal: String,
    pub value: i32,
}

/// Answers checked against the goals: each names a goal once, on its scale.
pub fn check_answers(goals: &[Goal], answers: &[Answer], violations: &mut Violations) {
    if answers.is_empty() {
        violations.add("answers", "give at least one answer");
    }
    for (index, answer) in answers.iter().enumerate() {
        let at = format!("answers[{index}]");
        match goals.iter().find(|goal| goal.key == answer.goal) {
            None => violations.add(format!("{at}.goal"), "is not a goal of the initiative"),
            Some(goal) if !goal.scale.admits(answer.value) => violations.add(
                format!("{at}.value"),
                format!("must be from {} to {}", goal.scale.min, goal.scale.max),
            ),
            Some(_) => {}
        }
        if answers[..index]
            .iter()
            .any(|earlier| earlier.goal == answer.goal)
        {
            violations.add(format!("{at}.goal"), "is answered twice");
        }
    }
}

/// One family's answers at one phase, under its pairing key (which stays when
/// the family is erased, so the anonymous answers still pair).
#[derive(Debug, Clone)]
pub struct Measured {
    pub participant: String,
    pub phase: Phase,
    pub answers: Vec<Answer>,
}

/// The answers to one goal at one phase.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PhaseResult {
    pub phase: Phase,
    /// Families that answered the goal at this phase.
    pub families: Count,
    /// Families per point of the scale (suppressed as one table with `families`).
    pub distribution: Vec<ValueCount>,
    /// Mean answer; null when withheld or when nobody answered.
    #[schema(required = true)]
    pub mean: Option<f64>,
    /// Why this phase is withheld, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ValueCount {
    pub value: i32,
    pub families: Count,
}

/// The change of the families that answered at `start` and at a later phase.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChangeResult {
    /// `end` or `follow_up`: the later phase compared with `start`.
    pub to: Phase,
    pub families: Count,
    pub improved: Count,
    pub unchanged: Count,
    pub worse: Count,
    /// Median of (later − start); null when withheld or when there are no pairs.
    #[schema(required = true)]
    pub median_change: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
}

/// The results of one goal.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GoalResult {
    pub goal: Goal,
    pub phases: Vec<PhaseResult>,
    pub changes: Vec<ChangeResult>,
}

fn withheld_reason(families: usize, disclosure: Disclosure) -> Option<String> {
    match disclosure {
        Disclosure::Suppressed { threshold } if families > 0 && (families as i64) < threshold => {
            Some(format!(
                "based on fewer than {threshold} families: withheld outside the area's team"
            ))
        }
        _ => None,
    }
}

fn rounded(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn phase_result(goal: &Goal, values: &[i32], phase: Phase, disclosure: Disclosure) -> PhaseResult {
    let withheld = withheld_reason(values.len(), disclosure);
    let points: Vec<i32> = (goal.scale.min..=goal.scale.max).collect();
    if withheld.is_some() {
        return PhaseResult {
            phase,
            families: Count::withheld(),
            distribution: points
                .iter()
                .map(|value| ValueCount {
                    value: *value,
                    families: Count::withheld(),
                })
                .collect(),
            mean: None,
            withheld,
        };
    }
    let cells: Vec<i64> = points
        .iter()
        .map(|point| values.iter().filter(|value| *value == point).count() as i64)
        .collect();
    let table = suppress_table(&[cells], disclosure);
    let mean = (!values.is_empty()).then(|| {
        rounded(values.iter().map(|value| f64::from(*value)).sum::<f64>() / values.len() as f64)
    });
    PhaseResult {
        phase,
        families: table.total,
        distribution: points
            .iter()
            .zip(&table.cells[0])
            .map(|(value, families)| ValueCount {
                value: *value,
                families: *families,
            })
            .collect(),
        mean,
        withheld: None,
    }
}

fn change_result(pairs: &[(i32, i32)], to: Phase, disclosure: Disclosure) -> ChangeResult {
    let withheld = withheld_reason(pairs.len(), disclosure);
    if withheld.is_some() {
        return ChangeResult {
            to,
            families: Count::withheld(),
            improved: Count::withheld(),
            unchanged: Count::withheld(),
            worse: Count::withheld(),
            median_change: None,
            withheld,
        };
    }
    let count = |keep: fn(i32) -> bool| {
        pairs
            .iter()
            .filter(|(before, after)| keep(after - before))
            .count() as i64
    };
    let table = suppress_table(
        &[vec![
            count(|change| change > 0),
            count(|change| change == 0),
            count(|change| change < 0),
        ]],
        disclosure,
    );
    let mut changes: Vec<f64> = pairs
        .iter()
        .map(|(before, after)| f64::from(after - before))
        .collect();
    ChangeResult {
        to,
        families: table.total,
        improved: table.cells[0][0],
        unchanged: table.cells[0][1],
        worse: table.cells[0][2],
        median_change: median(&mut changes).map(rounded),
        withheld: None,
    }
}

/// The results of each goal over `measured`, disclosed as `disclosure` says.
pub fn results(goals: &[Goal], measured: &[Measured], disclosure: Disclosure) -> Vec<GoalResult> {
    goals
        .iter()
        .map(|goal| {
            let answer_of = |entry: &Measured| {
                entry
                    .answers
                    .iter()
                    .find(|answer| answer.goal == goal.key)
                    .map(|answer| answer.value)
            };
            let at = |phase: Phase| -> Vec<(&str, i32)> {
                measured
                    .iter()
                    .filter(|entry| entry.phase == phase)
                    .filter_map(|entry| {
                        answer_of(entry).map(|value| (entry.participant.as_str(), value))
                    })
                    .collect()
            };
            let start = at(Phase::Start);
            let phases = Phase::ALL
                .iter()
                .map(|phase| {
                    let values: Vec<i32> = at(*phase).iter().map(|(_, value)| *value).collect();
                    phase_result(goal, &values, *phase, disclosure)
                })
                .collect();
            let changes = [Phase::End, Phase::FollowUp]
                .iter()
                .map(|later| {
                    let pairs: Vec<(i32, i32)> = at(*later)
                        .iter()
                        .filter_map(|(participant, after)| {
                            start
                                .iter()
                                .find(|(earlier, _)| earlier == participant)
                                .map(|(_, before)| (*before, *after))
                        })
                        .collect();
                    change_result(&pairs, *later, disclosure)
                })
                .collect();
            GoalResult {
                goal: goal.clone(),
                phases,
                changes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(key: &str) -> NewGoal {
        NewGoal {
            outcome: None,
            key: Some(key.into()),
            question: Some(Question {
                da: "Vi laver mad sammen derhjemme.".into(),
                en: None,
            }),
            scale: Some(Scale {
                min: 0,
                max: 3,
                labels: vec![],
            }),
        }
    }

    fn catalogue(code: &str) -> NewGoal {
        NewGoal {
            outcome: Some(code.into()),
            key: None,
            question: None,
            scale: None,
        }
    }

    fn measured(participant: &str, phase: Phase, value: i32) -> Measured {
        Measured {
            participant: participant.into(),
            phase,
            answers: vec![Answer {
                goal: "knows_the_actors".into(),
                value,
            }],
        }
    }

    #[test]
    fn every_problem_area_has_outcomes_with_unique_codes() {
        for area in [
            ProblemArea::Knowledge,
            ProblemArea::Isolation,
            ProblemArea::Health,
            ProblemArea::Navigation,
            ProblemArea::Unemployment,
        ] {
            assert!(OUTCOMES.iter().any(|outcome| outcome.problem_area == area));
        }
        for (index, outcome) in OUTCOMES.iter().enumerate() {
            assert!(is_key(outcome.code));
            assert!(OUTCOMES[..index]
                .iter()
                .all(|earlier| earlier.code != outcome.code));
        }
    }

    #[test]
    fn catalogue_goals_take_question_and_scale_from_the_catalogue() {
        let mut violations = Violations::new();
        let goals = checked_goals(
            vec![catalogue("self_esteem"), own("cooks_together")],
            &mut violations,
        );
        assert!(violations.is_empty(), "{:?}", violations.into_errors());
        assert_eq!(goals[0].scale, agreement_scale());
        assert_eq!(goals[0].question.da, "Jeg tror på mig selv.");
        assert_eq!(goals[1].outcome, None);
    }

    #[test]
    fn unknown_codes_repeated_keys_and_bad_scales_are_named() {
        let mut violations = Violations::new();
        let mut bad_scale = own("weekly");
        bad_scale.scale = Some(Scale {
            min: 3,
            max: 40,
            labels: vec![],
        });
        checked_goals(
            vec![
                catalogue("happiness"),
                own("self_esteem"),
                own("a"),
                own("a"),
                bad_scale,
            ],
            &mut violations,
        );
        let fields: Vec<String> = violations
            .into_errors()
            .into_iter()
            .map(|error| error.field)
            .collect();
        assert_eq!(
            fields,
            [
                "goals[0].outcome",
                "goals[1].key",
                "goals[3]",
                "goals[4].scale.min"
            ]
        );
    }

    #[test]
    fn answers_must_name_a_goal_once_and_lie_on_its_scale() {
        let goals = vec![catalogue_goal(&OUTCOMES[0])];
        let mut violations = Violations::new();
        let answers = [
            Answer {
                goal: "knows_the_actors".into(),
                value: 6,
            },
            Answer {
                goal: "other".into(),
                value: 1,
            },
            Answer {
                goal: "knows_the_actors".into(),
                value: 2,
            },
        ];
        check_answers(&goals, &answers, &mut violations);
        let fields: Vec<String> = violations
            .into_errors()
            .into_iter()
            .map(|error| error.field)
            .collect();
        assert_eq!(
            fields,
            ["answers[0].value", "answers[1].goal", "answers[2].goal"]
        );
    }

    #[test]
    fn changes_pair_each_family_with_its_own_start() {
        let goals = vec![catalogue_goal(&OUTCOMES[0])];
        let measured = vec![
            measured("a", Phase::Start, 2),
            measured("b", Phase::Start, 3),
            measured("c", Phase::Start, 4),
            measured("a", Phase::End, 4),
            measured("b", Phase::End, 3),
            measured("c", Phase::End, 3),
            measured("d", Phase::End, 5),
        ];
        let result = &results(&goals, &measured, Disclosure::Exact)[0];
        let end = &result.changes[0];
        assert_eq!(end.families, Count::shown(3), "d has no start to pair with");
        assert_eq!(
            (end.improved, end.unchanged, end.worse),
            (Count::shown(1), Count::shown(1), Count::shown(1))
        );
        assert_eq!(end.median_change, Some(0.0));
        assert_eq!(result.phases[1].families, Count::shown(4));
        assert_eq!(result.phases[0].mean, Some(3.0));
    }

    #[test]
    fn outside_the_team_a_result_on_few_families_is_withheld_with_its_reason() {
        let goals = vec![catalogue_goal(&OUTCOMES[0])];
        let mut measured: Vec<Measured> = (0..6)
            .map(|index| measured(&format!("p{index}"), Phase::Start, 3))
            .collect();
        measured.extend((0..2).map(|index| self::measured(&format!("p{index}"), Phase::End, 5)));
        let result = &results(&goals, &measured, Disclosure::Suppressed { threshold: 5 })[0];
        let start = &result.phases[0];
        assert_eq!(start.families, Count::shown(6));
        assert_eq!(start.distribution[2].families, Count::shown(6));
        let end = &result.phases[1];
        assert_eq!(end.families, Count::withheld());
        assert!(end.withheld.as_deref().unwrap().contains("fewer than 5"));
        assert_eq!(end.mean, None);
        assert_eq!(result.changes[0].median_change, None);
        assert!(result.changes[0].withheld.is_some());
    }

    #[test]
    fn a_small_cell_is_suppressed_with_a_partner_so_the_total_does_not_give_it_away() {
        let goals = vec![catalogue_goal(&OUTCOMES[0])];
        let mut measured: Vec<Measured> = (0..8)
            .map(|index| measured(&format!("p{index}"), Phase::Start, 3))
            .collect();
        measured.push(self::measured("p8", Phase::Start, 1));
        let start =
            &results(&goals, &measured, Disclosure::Suppressed { threshold: 5 })[0].phases[0];
        assert_eq!(start.distribution[0].families, Count::withheld());
        assert!(start.families.suppressed || start.distribution[2].families.suppressed);
    }

    #[test]
    fn measured_goals_keep_their_scale() {
        let before = vec![catalogue_goal(&OUTCOMES[0]), catalogue_goal(&OUTCOMES[1])];
        let after = vec![catalogue_goal(&OUTCOMES[1])];
        let answered = vec!["knows_the_actors".to_owned()];
        assert_eq!(measured_goals_changed(&before, &after, &answered), answered);
        assert!(measured_goals_changed(&before, &before, &answered).is_empty());
    }
}
