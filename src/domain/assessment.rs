//! Needs assessments (behovsafdækning): the joint, aggregate analysis of which
//! problems characterise an area's vulnerable families, and its sign-off rules.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::area::{count, share};
use super::catalog::ProblemArea;
use super::validation::{optional_guarded_text, FieldError, Violations};
use crate::strict_json::objects;

pub const TEXT_MAX_CHARS: usize = 4000;
pub const LABEL_MAX_CHARS: usize = 200;
pub const MAX_FINDINGS: usize = 50;
pub const MAX_LIST_ITEMS: usize = 50;

/// The two sides of the line: the housing association's team and the municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    HousingSocial,
    Municipal,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::HousingSocial, Side::Municipal];

    pub fn code(self) -> &'static str {
        match self {
            Side::HousingSocial => "housing_social",
            Side::Municipal => "municipal",
        }
    }

    pub fn parse(code: &str) -> Option<Side> {
        Side::BOTH.into_iter().find(|side| side.code() == code)
    }
}

/// Where an assessment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    /// Being written; both sides may edit.
    Draft,
    /// Put forward for sign-off; still editable, but an edit withdraws given approvals.
    InReview,
    /// Approved by both sides; immutable. A revision is a new assessment.
    Agreed,
    /// Abandoned before agreement.
    Withdrawn,
}

impl AssessmentStatus {
    pub const ALL: [AssessmentStatus; 4] = [
        AssessmentStatus::Draft,
        AssessmentStatus::InReview,
        AssessmentStatus::Agreed,
        AssessmentStatus::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::InReview => "in_review",
            AssessmentStatus::Agreed => "agreed",
            AssessmentStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<AssessmentStatus> {
        AssessmentStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }

    /// The statuses a caller may set directly (agreement comes only from approvals).
    pub fn settable_from(self) -> &'static [AssessmentStatus] {
        use AssessmentStatus::*;
        match self {
            Draft => &[InReview, Withdrawn],
            InReview => &[Draft, Withdrawn],
            Agreed | Withdrawn => &[],
        }
    }

    /// Whether content (summary, period, target group, findings) may change.
    pub fn is_editable(self) -> bool {
        matches!(self, AssessmentStatus::Draft | AssessmentStatus::InReview)
    }
}

/// Why a change to an assessment's state is refused (409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateConflict {
    #[error("the assessment is {0} and can no longer change; start a revision that supersedes it")]
    Immutable(&'static str),
    #[error("status {to} cannot be set on a {from} assessment; allowed now: {allowed}")]
    IllegalTransition {
        from: &'static str,
        to: &'static str,
        allowed: String,
    },
    #[error("an assessment needs at least one finding before it can be approved")]
    NothingToApprove,
}

/// Checks that content may change in `status`.
pub fn ensure_editable(status: AssessmentStatus) -> Result<(), StateConflict> {
    if status.is_editable() {
        Ok(())
    } else {
        Err(StateConflict::Immutable(status.code()))
    }
}

/// Checks a status the caller asks for.
pub fn ensure_settable(from: AssessmentStatus, to: AssessmentStatus) -> Result<(), StateConflict> {
    if from == to && from.is_editable() {
        return Ok(());
    }
    if from.settable_from().contains(&to) {
        return Ok(());
    }
    if !from.is_editable() {
        return Err(StateConflict::Immutable(from.code()));
    }
    let allowed = from
        .settable_from()
        .iter()
        .map(|status| status.code())
        .collect::<Vec<_>>()
        .join(", ");
    Err(StateConflict::IllegalTransition {
        from: from.code(),
        to: to.code(),
        allowed,
    })
}

/// The status after `side` approves, given the sides that had approved before.
/// One approval puts a draft into review; approvals from both sides agree it.
pub fn status_after_approval(
    status: AssessmentStatus,
    approved_before: &[Side],
    side: Side,
    finding_count: usize,
) -> Result<AssessmentStatus, StateConflict> {
    if status == AssessmentStatus::Agreed && approved_before.contains(&side) {
        return Ok(AssessmentStatus::Agreed);
    }
    ensure_editable(status)?;
    if finding_count == 0 {
        return Err(StateConflict::NothingToApprove);
    }
    let both = Side::BOTH
        .iter()
        .all(|required| *required == side || approved_before.contains(required));
    Ok(if both {
        AssessmentStatus::Agreed
    } else {
        AssessmentStatus::InReview
    })
}

/// The period an assessment describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Period {
    pub fn parse(
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        violations: &mut Violations,
    ) -> Option<Self> {
        if ends_on < starts_on {
            violations.add("period.ends_on", "must not be before period.starts_on");
            return None;
        }
        Some(Period { starts_on, ends_on })
    }
}

/// One problem area found to characterise the area's vulnerable families.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub problem_area: ProblemArea,
    /// Estimated number of households affected.
    pub households: Option<i32>,
    /// Estimated share of the target group affected, 0–1.
    pub share: Option<f64>,
    /// 1 (minor) to 5 (very severe).
    pub severity: i32,
    /// Sources of the knowledge: "socialforvaltningen", "school", "own contacts", …
    pub evidence: Vec<String>,
    pub notes: Option<String>,
}

/// Unvalidated finding fields as a client sent them.
pub struct FindingFields<'a> {
    pub problem_area: ProblemArea,
    pub households: Option<i64>,
    pub share: Option<f64>,
    pub severity: i64,
    pub evidence: &'a [String],
    pub notes: Option<&'a str>,
}

impl Finding {
    /// Parses a finding; errors are reported under `prefix` (e.g. `findings[2]`).
    pub fn parse(
        fields: FindingFields<'_>,
        prefix: &str,
        violations: &mut Violations,
    ) -> Option<Self> {
        let before = violations.len();
        let households = fields
            .households
            .and_then(|n| violations.check(&format!("{prefix}.households"), count(n)));
        let share = fields
            .share
            .and_then(|s| violations.check(&format!("{prefix}.share"), share(s)));
        if fields.households.is_none() && fields.share.is_none() {
            violations.add(
                format!("{prefix}.households"),
                "give the prevalence as households and/or share",
            );
        }
        if !(1..=5).contains(&fields.severity) {
            violations.add(format!("{prefix}.severity"), "must be from 1 to 5");
        }
        let evidence = texts(fields.evidence, &format!("{prefix}.evidence"), violations);
        if evidence.is_empty() && violations.len() == before {
            violations.add(format!("{prefix}.evidence"), "name at least one source");
        }
        let notes = optional_text(fields.notes, &format!("{prefix}.notes"), violations);
        (violations.len() == before).then_some(Finding {
            problem_area: fields.problem_area,
            households,
            share,
            severity: fields.severity as i32,
            evidence,
            notes,
        })
    }
}

/// Aggregate characteristics of the target group: counts, never persons.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    /// Households in the target group.
    #[serde(default)]
    pub households: Option<i64>,
    /// Children in those households.
    #[serde(default)]
    pub children: Option<i64>,
    #[serde(default)]
    pub single_parent_households: Option<i64>,
    /// Households with three or more children.
    #[serde(default)]
    pub large_families: Option<i64>,
    /// Languages spoken at home, with the number of households.
    #[serde(default, deserialize_with = "objects")]
    pub language_groups: Vec<CountedGroup>,
    /// Other characteristics with counts, e.g. "nyankomne familier".
    #[serde(default, deserialize_with = "objects")]
    pub other: Vec<CountedGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountedGroup {
    #[schema(example = "somali")]
    pub label: String,
    pub households: i64,
}

impl TargetGroup {
    /// Checks counts and labels; returns the group with trimmed labels.
    pub fn parse(mut self, violations: &mut Violations) -> TargetGroup {
        let counts = [
            ("target_group.households", self.households),
            ("target_group.children", self.children),
            (
                "target_group.single_parent_households",
                self.single_parent_households,
            ),
            ("target_group.large_families", self.large_families),
        ];
        for (field, value) in counts {
            if let Some(value) = value {
                violations.check(field, count(value));
            }
        }
        for (list, name) in [
            (&mut self.language_groups, "target_group.language_groups"),
            (&mut self.other, "target_group.other"),
        ] {
            if list.len() > MAX_LIST_ITEMS {
                violations.add(name, format!("at most {MAX_LIST_ITEMS} entries"));
            }
            for (index, group) in list.iter_mut().enumerate() {
                let prefix = format!("{name}[{index}]");
                if let Some(label) = violations.check(
                    &format!("{prefix}.label"),
                    super::validation::guarded_text(&group.label, LABEL_MAX_CHARS),
                ) {
                    group.label = label;
                }
                violations.check(&format!("{prefix}.households"), count(group.households));
            }
        }
        self
    }
}

fn texts(values: &[String], field: &str, violations: &mut Violations) -> Vec<String> {
    if values.len() > MAX_LIST_ITEMS {
        violations.add(field, format!("at most {MAX_LIST_ITEMS} entries"));
        return Vec::new();
    }
    values
        .iter()
        .enumerate()
        .filter_map(|(index, value)| {
            violations.check(
                &format!("{field}[{index}]"),
                super::validation::guarded_text(value, LABEL_MAX_CHARS),
            )
        })
        .collect()
}

/// An optional free text: trimmed, CPR-guarded, empty becomes none.
pub fn optional_text(
    value: Option<&str>,
    field: &str,
    violations: &mut Violations,
) -> Option<String> {
    value
        .and_then(|text| violations.check(field, optional_guarded_text(text, TEXT_MAX_CHARS)))
        .filter(|text| !text.is_empty())
}

/// Checks the number of findings.
pub fn check_finding_count(count: usize, violations: &mut Violations) {
    if count > MAX_FINDINGS {
        violations.add("findings", format!("at most {MAX_FINDINGS} findings"));
    }
}

/// Turns collected violations into a result.
pub fn finish<T>(violations: Violations, value: Option<T>) -> Result<T, Vec<FieldError>> {
    let errors = violations.into_errors();
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssessmentStatus::*;

    #[test]
    fn one_side_approving_puts_a_draft_in_review() {
        assert_eq!(
            status_after_approval(Draft, &[], Side::Municipal, 1),
            Ok(InReview)
        );
    }

    #[test]
    fn approvals_from_both_sides_agree_the_assessment() {
        let status = status_after_approval(InReview, &[Side::Municipal], Side::HousingSocial, 2);
        assert_eq!(status, Ok(Agreed));
    }

    #[test]
    fn the_same_side_approving_twice_does_not_agree_it() {
        let status = status_after_approval(InReview, &[Side::Municipal], Side::Municipal, 2);
        assert_eq!(status, Ok(InReview));
    }

    #[test]
    fn approving_an_agreed_assessment_again_is_idempotent() {
        let both = [Side::Municipal, Side::HousingSocial];
        assert_eq!(
            status_after_approval(Agreed, &both, Side::Municipal, 2),
            Ok(Agreed)
        );
    }

    #[test]
    fn an_assessment_without_findings_cannot_be_approved() {
        assert_eq!(
            status_after_approval(Draft, &[], Side::Municipal, 0),
            Err(StateConflict::NothingToApprove)
        );
    }

    #[test]
    fn withdrawn_and_agreed_assessments_are_immutable() {
        assert!(ensure_editable(Agreed).is_err());
        assert!(ensure_editable(Withdrawn).is_err());
        assert!(status_after_approval(Withdrawn, &[], Side::Municipal, 1).is_err());
        assert!(matches!(
            ensure_settable(Agreed, Draft),
            Err(StateConflict::Immutable("agreed"))
        ));
    }

    #[test]
    fn agreement_cannot_be_set_directly() {
        let error = ensure_settable(Draft, Agreed).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("allowed now: in_review, withdrawn"),
            "{error}"
        );
        assert!(ensure_settable(InReview, Draft).is_ok());
        assert!(ensure_settable(Draft, Draft).is_ok());
    }

    fn finding(
        severity: i64,
        households: Option<i64>,
        share: Option<f64>,
        evidence: &[String],
    ) -> Result<Finding, Vec<FieldError>> {
        let mut violations = Violations::new();
        let parsed = Finding::parse(
            FindingFields {
                problem_area: ProblemArea::Knowledge,
                households,
                share,
                severity,
                evidence,
                notes: None,
            },
            "findings[0]",
            &mut violations,
        );
        finish(violations, parsed)
    }

    #[test]
    fn a_finding_needs_prevalence_severity_and_evidence() {
        let sources = vec!["socialforvaltningen".to_owned()];
        assert!(finding(4, Some(30), None, &sources).is_ok());
        assert!(finding(4, None, Some(0.2), &sources).is_ok());
        let fields = |result: Result<Finding, Vec<FieldError>>| -> Vec<String> {
            result.unwrap_err().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(finding(4, None, None, &sources)),
            ["findings[0].households"]
        );
        assert_eq!(
            fields(finding(6, Some(3), None, &sources)),
            ["findings[0].severity"]
        );
        assert_eq!(
            fields(finding(3, Some(3), Some(1.2), &sources)),
            ["findings[0].share"]
        );
        assert_eq!(
            fields(finding(3, Some(3), None, &[])),
            ["findings[0].evidence"]
        );
        assert_eq!(
            fields(finding(
                3,
                Some(3),
                None,
                &["skolen, 010190-1234".to_owned()]
            )),
            ["findings[0].evidence[0]"]
        );
    }

    #[test]
    fn target_group_counts_must_be_non_negative_and_labels_free_of_cpr_numbers() {
        let mut violations = Violations::new();
        TargetGroup {
            households: Some(-2),
            language_groups: vec![CountedGroup {
                label: "arabisk".into(),
                households: -1,
            }],
            other: vec![CountedGroup {
                label: "010190-1234".into(),
                households: 3,
            }],
            ..TargetGroup::default()
        }
        .parse(&mut violations);
        let fields: Vec<_> = violations
            .into_errors()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "target_group.households",
                "target_group.language_groups[0].households",
                "target_group.other[0].label"
            ]
        );
    }
}
