//! Initiatives (indsatser): the aggregate plan of what the housing-social team
//! does for families, with the handbook's rules for when one may start.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::area::count;
use super::catalog::{problem_areas_answered_by, InitiativeType, ProblemArea};
use super::outcomes::Goal;
use super::validation::{guarded_text, optional_guarded_text, FieldError, Violations};

pub const TITLE_MAX_CHARS: usize = 200;
pub const TEXT_MAX_CHARS: usize = 4000;
pub const MAX_ITEMS: usize = 30;
/// Most anonymous participants one session of an open event records.
pub const MAX_HEADCOUNT: i32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeFormat {
    /// For all residents.
    Open,
    /// A fixed group of families.
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitiativeStatus {
    Planned,
    Active,
    Completed,
    Cancelled,
}

/// Kinds of partners in the professional and voluntary network around families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    School,
    Club,
    Kindergarten,
    FamilyCounselling,
    SocialServices,
    JobCentre,
    HealthVisitor,
    Ssp,
    Association,
    Ngo,
    Other,
}

macro_rules! codes {
    ($type:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: &'static [$type] = &[$($type::$variant),+];

            pub fn code(self) -> &'static str {
                match self {
                    $($type::$variant => $code),+
                }
            }

            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.code() == code)
            }
        }
    };
}
pub(crate) use codes;

codes!(InitiativeFormat { Open => "open", Closed => "closed" });
codes!(PartnerKind {
    School => "school",
    Club => "club",
    Kindergarten => "kindergarten",
    FamilyCounselling => "family_counselling",
    SocialServices => "social_services",
    JobCentre => "job_centre",
    HealthVisitor => "health_visitor",
    Ssp => "ssp",
    Association => "association",
    Ngo => "ngo",
    Other => "other",
});
codes!(InitiativeStatus {
    Planned => "planned",
    Active => "active",
    Completed => "completed",
    Cancelled => "cancelled",
});

impl InitiativeStatus {
    /// planned → active → completed | cancelled; a planned one can be cancelled too.
    pub fn next(self) -> &'static [InitiativeStatus] {
        use InitiativeStatus::*;
        match self {
            Planned => &[Active, Cancelled],
            Active => &[Completed, Cancelled],
            Completed | Cancelled => &[],
        }
    }
}

/// Why a status change is refused (409), naming what is allowed now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an initiative that is {from} cannot become {to}; allowed now: {allowed}")]
pub struct IllegalTransition {
    pub from: &'static str,
    pub to: &'static str,
    pub allowed: String,
}

pub fn ensure_transition(
    from: InitiativeStatus,
    to: InitiativeStatus,
) -> Result<(), IllegalTransition> {
    if from == to || from.next().contains(&to) {
        return Ok(());
    }
    let allowed: Vec<_> = from.next().iter().map(|status| status.code()).collect();
    Err(IllegalTransition {
        from: from.code(),
        to: to.code(),
        allowed: if allowed.is_empty() {
            "none".into()
        } else {
            allowed.join(", ")
        },
    })
}

/// Whether an initiative in `status` may still change: not once completed or cancelled.
pub fn ensure_changeable(status: InitiativeStatus) -> Result<(), String> {
    match status {
        InitiativeStatus::Completed | InitiativeStatus::Cancelled => Err(format!(
            "the initiative is {} and can no longer change",
            status.code()
        )),
        InitiativeStatus::Planned | InitiativeStatus::Active => Ok(()),
    }
}

/// Families are enrolled while an initiative is planned or running.
pub fn ensure_enrollable(status: InitiativeStatus) -> Result<(), String> {
    match status {
        InitiativeStatus::Planned | InitiativeStatus::Active => Ok(()),
        InitiativeStatus::Completed | InitiativeStatus::Cancelled => {
            Err(format!("the initiative is {}", status.code()))
        }
    }
}

/// A capacity below the number of families already enrolled is refused.
pub fn check_capacity(capacity: Option<i32>, enrolled: i64) -> Result<(), Vec<FieldError>> {
    match capacity {
        Some(capacity) if i64::from(capacity) < enrolled => Err(vec![FieldError {
            field: "capacity".into(),
            message: format!("{enrolled} families are enrolled already"),
        }]),
        _ => Ok(()),
    }
}

/// The handbook's conditions for starting an initiative (422 when unmet).
pub fn activation_requirements(plan: &InitiativePlan) -> Vec<FieldError> {
    let mut violations = Violations::new();
    let needs_network_plan = matches!(
        plan.initiative_type,
        InitiativeType::SocialActivity | InitiativeType::FamilyCourse
    );
    if needs_network_plan && plan.network_plan.is_none() {
        violations.add(
            "network_plan",
            "a social activity or family course needs a plan, made beforehand, for how networks arise and are supported afterwards before it can become active",
        );
    }
    violations.into_errors()
}

/// The handbook's advice an initiative does not follow yet; it may start all
/// the same. (Its example of agreeing volunteering with the job centre is an
/// example, "fx efter aftale med jobcentret", not a condition.)
pub fn condition_warnings(plan: &InitiativePlan) -> Vec<FieldError> {
    let mut warnings = Violations::new();
    if plan.initiative_type == InitiativeType::Volunteering && plan.job_centre_agreement.is_none() {
        warnings.add(
            "job_centre_agreement",
            "the handbook suggests agreeing volunteering and internships with the job centre, e.g. so that benefits are not affected; give the agreement's reference when there is one",
        );
    }
    warnings.into_errors()
}

/// Open events count anonymous participants; a closed group records its
/// families by id instead.
pub fn check_headcount(format: InitiativeFormat, headcount: i64) -> Result<(), String> {
    match format {
        _ if headcount < 0 => Err("must not be negative".into()),
        _ if headcount > i64::from(MAX_HEADCOUNT) => {
            Err(format!("must be at most {MAX_HEADCOUNT}"))
        }
        InitiativeFormat::Closed if headcount > 0 => Err(
            "a closed group records who attended in attendee_family_ids, not an anonymous headcount"
                .into(),
        ),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    pub name: String,
    pub kind: PartnerKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub starts_on: NaiveDate,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    /// E.g. "tirsdage kl. 17-19, 8 gange".
    #[serde(default)]
    pub recurrence: Option<String>,
}

/// The validated plan of an initiative.
#[derive(Debug, Clone, PartialEq)]
pub struct InitiativePlan {
    pub initiative_type: InitiativeType,
    pub title: String,
    pub description: Option<String>,
    pub problem_areas: Vec<ProblemArea>,
    pub format: InitiativeFormat,
    pub partners: Vec<Partner>,
    pub languages: Vec<String>,
    pub interpreter_present: bool,
    pub target_group: Option<String>,
    pub capacity: Option<i32>,
    pub schedule: Schedule,
    pub network_plan: Option<String>,
    pub job_centre_agreement: Option<String>,
    pub fathers_wanted: bool,
    /// Partners of the area's register taking part (ids).
    pub partner_ids: Vec<String>,
    /// The area's cooperation agreement the initiative is part of (id).
    pub cooperation_agreement_id: Option<String>,
    /// What the initiative aims to change, asked of its families.
    pub goals: Vec<Goal>,
    /// Families answer once more this many months after the end.
    pub follow_up_months: Option<i32>,
}

impl InitiativePlan {
    /// The day the follow-up answers are due: `follow_up_months` after the end.
    pub fn follow_up_on(&self) -> Option<NaiveDate> {
        let months = u32::try_from(self.follow_up_months?).ok()?;
        self.schedule
            .ends_on?
            .checked_add_months(chrono::Months::new(months))
    }

    /// Checks the plan's fields and the rules that hold in every status.
    pub fn validate(self) -> Result<Self, Vec<FieldError>> {
        self.validate_with(Violations::new())
    }

    /// As `validate`, adding to what was already found wrong.
    pub fn validate_with(mut self, mut violations: Violations) -> Result<Self, Vec<FieldError>> {
        if let Some(title) = violations.check("title", guarded_text(&self.title, TITLE_MAX_CHARS)) {
            self.title = title;
        }
        self.description = optional(self.description, "description", &mut violations);
        self.target_group = optional(self.target_group, "target_group", &mut violations);
        self.network_plan = optional(self.network_plan, "network_plan", &mut violations);
        self.job_centre_agreement = optional(
            self.job_centre_agreement,
            "job_centre_agreement",
            &mut violations,
        );
        let answered = problem_areas_answered_by(self.initiative_type);
        if self.problem_areas.is_empty() {
            self.problem_areas = answered;
        } else if let Some(area) = self
            .problem_areas
            .iter()
            .find(|area| !answered.contains(area))
        {
            violations.add(
                "problem_areas",
                format!(
                    "{} does not answer {}",
                    self.initiative_type.code(),
                    area.code()
                ),
            );
        }
        self.problem_areas.dedup();
        if self.partners.len() > MAX_ITEMS {
            violations.add("partners", format!("at most {MAX_ITEMS} partners"));
        }
        for (index, partner) in self.partners.iter_mut().enumerate() {
            if let Some(name) = violations.check(
                &format!("partners[{index}].name"),
                guarded_text(&partner.name, TITLE_MAX_CHARS),
            ) {
                partner.name = name;
            }
        }
        self.languages = language_list(&self.languages, "languages", &mut violations);
        if let Some(capacity) = self.capacity {
            if capacity < 1
                || violations
                    .check("capacity", count(i64::from(capacity)))
                    .is_none()
            {
                violations.add("capacity", "must be at least 1");
            }
        }
        if self.initiative_type == InitiativeType::FamilyCourse
            && self.format == InitiativeFormat::Open
        {
            violations.add(
                "format",
                "a family course is for a closed group of parents (\"en afgrænset gruppe\"): use format closed",
            );
        }
        if self.format == InitiativeFormat::Closed && self.capacity.is_none() {
            violations.add("capacity", "a closed initiative needs a capacity");
        }
        if let Some(ends_on) = self.schedule.ends_on {
            if ends_on < self.schedule.starts_on {
                violations.add("schedule.ends_on", "must not be before schedule.starts_on");
            }
        }
        self.schedule.recurrence = optional(
            self.schedule.recurrence.take(),
            "schedule.recurrence",
            &mut violations,
        );
        if let Some(months) = self.follow_up_months {
            if !(1..=24).contains(&months) {
                violations.add("follow_up_months", "must be from 1 to 24");
            } else if self.goals.is_empty() {
                violations.add("follow_up_months", "a follow-up needs goals to ask about");
            }
        }
        let errors = violations.into_errors();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

fn optional(value: Option<String>, field: &str, violations: &mut Violations) -> Option<String> {
    value
        .and_then(|text| violations.check(field, optional_guarded_text(&text, TEXT_MAX_CHARS)))
        .filter(|text| !text.is_empty())
}

/// Language names, trimmed, non-empty, without duplicates.
pub fn language_list(values: &[String], field: &str, violations: &mut Violations) -> Vec<String> {
    if values.len() > MAX_ITEMS {
        violations.add(field, format!("at most {MAX_ITEMS} languages"));
        return Vec::new();
    }
    let mut languages: Vec<String> = Vec::new();
    for (index, value) in values.iter().enumerate() {
        if let Some(language) =
            violations.check(&format!("{field}[{index}]"), guarded_text(value, 60))
        {
            let language = language.to_lowercase();
            if !languages.contains(&language) {
                languages.push(language);
            }
        }
    }
    languages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(initiative_type: InitiativeType, format: InitiativeFormat) -> InitiativePlan {
        InitiativePlan {
            initiative_type,
            title: "Familiekursus forår".into(),
            description: None,
            problem_areas: vec![],
            format,
            partners: vec![],
            languages: vec!["Arabisk".into(), "arabisk".into()],
            interpreter_present: false,
            target_group: None,
            capacity: Some(12),
            schedule: Schedule {
                starts_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                ends_on: None,
                recurrence: None,
            },
            network_plan: None,
            job_centre_agreement: None,
            fathers_wanted: false,
            goals: Vec::new(),
            follow_up_months: None,
            partner_ids: Vec::new(),
            cooperation_agreement_id: None,
        }
    }

    #[test]
    fn problem_areas_default_to_those_the_type_answers() {
        let valid = plan(InitiativeType::FamilyCourse, InitiativeFormat::Closed)
            .validate()
            .unwrap();
        assert_eq!(
            valid.problem_areas,
            [ProblemArea::Knowledge, ProblemArea::Isolation]
        );
        assert_eq!(valid.languages, ["arabisk"]);
    }

    #[test]
    fn an_initiative_cannot_claim_a_problem_area_it_does_not_answer() {
        let mut wrong = plan(InitiativeType::ExerciseActivity, InitiativeFormat::Open);
        wrong.problem_areas = vec![ProblemArea::Unemployment];
        assert_eq!(wrong.validate().unwrap_err()[0].field, "problem_areas");
    }

    #[test]
    fn a_closed_initiative_needs_a_capacity() {
        let mut closed = plan(InitiativeType::FamilyCourse, InitiativeFormat::Closed);
        closed.capacity = None;
        assert_eq!(closed.validate().unwrap_err()[0].field, "capacity");
        let mut open = plan(InitiativeType::InformationEvent, InitiativeFormat::Open);
        open.capacity = None;
        assert!(open.validate().is_ok());
    }

    #[test]
    fn social_activities_and_family_courses_need_a_network_plan_to_start() {
        for initiative_type in [InitiativeType::SocialActivity, InitiativeType::FamilyCourse] {
            let mut planned = plan(initiative_type, InitiativeFormat::Closed);
            assert_eq!(activation_requirements(&planned)[0].field, "network_plan");
            planned.network_plan = Some("Fælles madklub efter kurset".into());
            assert!(activation_requirements(&planned).is_empty());
        }
        assert!(activation_requirements(&plan(
            InitiativeType::ExerciseActivity,
            InitiativeFormat::Open
        ))
        .is_empty());
    }

    #[test]
    fn volunteering_without_a_job_centre_agreement_starts_with_a_warning() {
        let mut volunteering = plan(InitiativeType::Volunteering, InitiativeFormat::Closed);
        assert!(activation_requirements(&volunteering).is_empty());
        assert_eq!(
            condition_warnings(&volunteering)[0].field,
            "job_centre_agreement"
        );
        volunteering.job_centre_agreement = Some("JC-2026-114".into());
        assert!(condition_warnings(&volunteering).is_empty());
    }

    #[test]
    fn a_family_course_is_a_closed_group() {
        let open = plan(InitiativeType::FamilyCourse, InitiativeFormat::Open);
        assert_eq!(open.validate().unwrap_err()[0].field, "format");
    }

    #[test]
    fn an_exercise_activity_may_address_isolation() {
        let mut exercise = plan(InitiativeType::ExerciseActivity, InitiativeFormat::Open);
        exercise.problem_areas = vec![ProblemArea::Health, ProblemArea::Isolation];
        assert!(exercise.validate().is_ok());
    }

    #[test]
    fn only_open_events_count_anonymous_participants() {
        assert!(check_headcount(InitiativeFormat::Open, 40).is_ok());
        assert!(check_headcount(InitiativeFormat::Closed, 0).is_ok());
        assert!(check_headcount(InitiativeFormat::Closed, 3).is_err());
        assert!(check_headcount(InitiativeFormat::Open, -1).is_err());
    }

    #[test]
    fn status_follows_planned_active_completed_or_cancelled() {
        use InitiativeStatus::*;
        assert!(ensure_transition(Planned, Active).is_ok());
        assert!(ensure_transition(Active, Completed).is_ok());
        assert!(ensure_transition(Planned, Cancelled).is_ok());
        let error = ensure_transition(Planned, Completed).unwrap_err();
        assert_eq!(error.allowed, "active, cancelled");
        assert_eq!(
            ensure_transition(Completed, Active).unwrap_err().allowed,
            "none"
        );
    }
}
