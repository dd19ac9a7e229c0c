//! Request and response types of initiatives, sessions and enrolments.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::present;
use crate::domain::catalog::{InitiativeType, ProblemArea};
use crate::domain::initiative::{
    InitiativeFormat, InitiativePlan, InitiativeStatus, Partner, Schedule,
};
use crate::domain::outcomes::{checked_goals, Answer, Goal, GoalResult, NewGoal, Phase};
use crate::domain::session::SessionStatus;
use crate::domain::statistics::Count;
use crate::domain::validation::{FieldError, Violations};
use crate::strict_json::{object, objects, optional_object, optional_objects};

/// An initiative: aggregate plan data, no personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct Initiative {
    pub id: Uuid,
    pub area_id: Uuid,
    #[serde(rename = "type")]
    pub initiative_type: InitiativeType,
    pub title: String,
    #[schema(required = true)]
    pub description: Option<String>,
    pub problem_areas: Vec<ProblemArea>,
    /// The needs assessment the initiative answers.
    #[schema(required = true)]
    pub assessment_id: Option<Uuid>,
    pub format: InitiativeFormat,
    pub partners: Vec<Partner>,
    pub languages: Vec<String>,
    pub interpreter_present: bool,
    #[schema(required = true)]
    pub target_group: Option<String>,
    #[schema(required = true)]
    pub capacity: Option<i32>,
    pub schedule: Schedule,
    pub status: InitiativeStatus,
    /// How networks arise and are supported afterwards (required to start social activities and family courses).
    pub network_plan: Option<String>,
    /// Reference of the agreement with the job centre (required to start volunteering).
    pub job_centre_agreement: Option<String>,
    /// Whether fathers are to take part (the composition check warns when none do).
    pub fathers_wanted: bool,
    /// Partners from the area's register (`GET /partners/{id}`).
    pub partner_ids: Vec<Uuid>,
    /// The area's cooperation agreement the initiative is part of.
    #[schema(required = true)]
    pub cooperation_agreement_id: Option<Uuid>,
    /// What the initiative aims to change; families answer each goal's question.
    pub goals: Vec<Goal>,
    /// Families answer once more this many months after the end.
    #[schema(required = true)]
    pub follow_up_months: Option<i32>,
    /// The day follow-up answers are due (the end plus `follow_up_months`).
    #[schema(required = true)]
    pub follow_up_on: Option<NaiveDate>,
    /// Number of enrolled families: exact for the area's housing-social team,
    /// suppressed when small (1 to threshold-1) for everyone else.
    pub enrolled: Count,
    /// The handbook's advice the plan does not follow yet (e.g. volunteering
    /// without a job-centre agreement). It may start all the same.
    pub condition_warnings: Vec<FieldError>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new initiative; it starts as `planned`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"area_id": "01934b6e-0000-7a3b-9f1e-2d4c6b8a0e12", "type": "family_course", "title": "Forældrekursus om skolestart", "problem_areas": ["knowledge", "isolation"], "format": "closed", "capacity": 10, "schedule": {"starts_on": "2027-01-12", "recurrence": "tirsdage 17-19"}, "partners": [{"name": "Nørrebakkens skole", "kind": "school"}], "languages": ["dansk", "arabisk"], "interpreter_present": true, "network_plan": "Fælles madklub efter kurset, som familierne selv driver"}))]
pub struct NewInitiative {
    pub area_id: Uuid,
    #[serde(rename = "type")]
    pub initiative_type: InitiativeType,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to every problem area the type answers.
    #[serde(default)]
    pub problem_areas: Vec<ProblemArea>,
    #[serde(default)]
    pub assessment_id: Option<Uuid>,
    pub format: InitiativeFormat,
    #[serde(default, deserialize_with = "objects")]
    pub partners: Vec<Partner>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub interpreter_present: bool,
    #[serde(default)]
    pub target_group: Option<String>,
    /// Required for closed initiatives.
    #[serde(default)]
    pub capacity: Option<i32>,
    #[serde(deserialize_with = "object")]
    pub schedule: Schedule,
    #[serde(default)]
    pub network_plan: Option<String>,
    #[serde(default)]
    pub job_centre_agreement: Option<String>,
    #[serde(default)]
    pub fathers_wanted: bool,
    /// Partners of the area's register taking part.
    #[serde(default)]
    pub partner_ids: Vec<Uuid>,
    /// The area's cooperation agreement the initiative is part of
    /// (`GET /areas/{id}/cooperation-agreements`).
    #[serde(default)]
    pub cooperation_agreement_id: Option<Uuid>,
    /// Catalogue outcomes (`{"outcome": "knows_the_actors"}`) and/or own goals
    /// (`{"key", "question": {"da", "en"}, "scale": {"min", "max", "labels"}}`).
    #[serde(default)]
    pub goals: Vec<NewGoal>,
    /// Families answer once more this many months after the end (1–24).
    #[serde(default)]
    pub follow_up_months: Option<i32>,
}

impl NewInitiative {
    /// The plan the body describes, checked.
    pub fn plan(self) -> Result<InitiativePlan, Vec<FieldError>> {
        let mut violations = Violations::new();
        let goals = checked_goals(self.goals, &mut violations);
        InitiativePlan {
            initiative_type: self.initiative_type,
            title: self.title,
            description: self.description,
            problem_areas: self.problem_areas,
            format: self.format,
            partners: self.partners,
            languages: self.languages,
            interpreter_present: self.interpreter_present,
            target_group: self.target_group,
            capacity: self.capacity,
            schedule: self.schedule,
            network_plan: self.network_plan,
            job_centre_agreement: self.job_centre_agreement,
            fathers_wanted: self.fathers_wanted,
            goals,
            follow_up_months: self.follow_up_months,
            partner_ids: distinct_ids(&self.partner_ids),
            cooperation_agreement_id: self.cooperation_agreement_id.map(|id| id.to_string()),
        }
        .validate_with(violations)
    }
}

/// Changes to an initiative. The type and area do not change. `null` clears an
/// optional field. Status: planned → active → completed | cancelled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "active"}))]
pub struct InitiativeChanges {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub problem_areas: Option<Vec<ProblemArea>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub assessment_id: Option<Option<Uuid>>,
    pub format: Option<InitiativeFormat>,
    #[serde(default, deserialize_with = "optional_objects")]
    pub partners: Option<Vec<Partner>>,
    pub languages: Option<Vec<String>>,
    pub interpreter_present: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub target_group: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>)]
    pub capacity: Option<Option<i32>>,
    #[serde(default, deserialize_with = "optional_object")]
    pub schedule: Option<Schedule>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub network_plan: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub job_centre_agreement: Option<Option<String>>,
    pub fathers_wanted: Option<bool>,
    /// Replaces the partners taken from the area's register.
    pub partner_ids: Option<Vec<Uuid>>,
    /// The cooperation agreement the initiative is part of; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub cooperation_agreement_id: Option<Option<Uuid>>,
    /// Replaces the goals. A goal with answers keeps its scale and cannot be dropped.
    pub goals: Option<Vec<NewGoal>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>)]
    pub follow_up_months: Option<Option<i32>>,
    pub status: Option<InitiativeStatus>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub area_id: Option<Uuid>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub initiative_type: Option<InitiativeType>,
    pub status: Option<InitiativeStatus>,
    /// Only initiatives changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

/// A session held. Attendee ids are shown only to housing-social workers of the area.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub id: Uuid,
    pub held_on: NaiveDate,
    pub theme: String,
    /// Speaker or actor presenting, e.g. "SSP-konsulent".
    #[schema(required = true)]
    pub speaker: Option<String>,
    pub status: SessionStatus,
    /// Local (Danish) time it starts.
    #[schema(required = true, value_type = Option<String>, example = "17:00:00")]
    pub starts_at: Option<NaiveTime>,
    #[schema(required = true, value_type = Option<String>, example = "19:00:00")]
    pub ends_at: Option<NaiveTime>,
    #[schema(required = true)]
    pub place: Option<String>,
    pub languages: Vec<String>,
    pub interpreter_present: bool,
    /// Anonymous participants of an open event (counted, never named).
    pub headcount: i64,
    /// Participants: the families that attended plus the headcount. Exact for
    /// the area's housing-social team, suppressed when small for everyone else.
    pub attendance: Count,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendee_family_ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-11-24", "theme": "Mød skolens ledelse", "speaker": "Skoleleder", "attendee_family_ids": ["01934b6e-7c8d-7a3b-9f1e-2d4c6b8a0e12"]}))]
pub struct NewSession {
    /// `held` (the default: attendance recorded now, the day not in the future)
    /// or `planned` (the day today or later, attendance recorded later).
    #[serde(default = "held")]
    pub status: SessionStatus,
    /// The day it is (or was) held.
    pub held_on: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "17:00")]
    pub starts_at: Option<NaiveTime>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "19:00")]
    pub ends_at: Option<NaiveTime>,
    /// Where, e.g. "Beboerhuset, Nørrebakken 12".
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub interpreter_present: bool,
    pub theme: String,
    #[serde(default)]
    pub speaker: Option<String>,
    /// Families of the initiative's area (for closed initiatives: enrolled ones).
    #[serde(default)]
    pub attendee_family_ids: Vec<Uuid>,
    /// Open events only: participants counted without registering families.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000)]
    pub headcount: i64,
}

fn held() -> SessionStatus {
    SessionStatus::Held
}

/// Changes to a planned session: moved, held (attendance recorded) or
/// cancelled. Held and cancelled sessions are final.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "held", "attendee_family_ids": ["01934b6e-7c8d-7a3b-9f1e-2d4c6b8a0e12"], "headcount": 0}))]
pub struct SessionChanges {
    pub status: Option<SessionStatus>,
    pub held_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub starts_at: Option<Option<NaiveTime>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub ends_at: Option<Option<NaiveTime>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub place: Option<Option<String>>,
    pub languages: Option<Vec<String>>,
    pub interpreter_present: Option<bool>,
    pub theme: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub speaker: Option<Option<String>>,
    /// With `status: held`: the families that attended.
    pub attendee_family_ids: Option<Vec<Uuid>>,
    /// With `status: held`, open events only: anonymous participants.
    #[schema(minimum = 0, maximum = 10000)]
    pub headcount: Option<i64>,
}

/// A family enrolled in an initiative (individual data).
#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    pub initiative_id: Uuid,
    pub family_id: Uuid,
    pub display_name: String,
    /// The team's judgement: heavily burdened, or with more surplus.
    pub heavily_burdened: bool,
    pub mothers: i32,
    pub fathers: i32,
    pub enrolled_by: String,
    pub enrolled_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"family_id": "01934b6e-7c8d-7a3b-9f1e-2d4c6b8a0e12", "heavily_burdened": false, "mothers": 1, "fathers": 1}))]
pub struct NewEnrolment {
    /// A family of the initiative's area.
    pub family_id: Uuid,
    pub heavily_burdened: bool,
    /// Mothers of the family taking part.
    #[serde(default)]
    pub mothers: i32,
    /// Fathers of the family taking part.
    #[serde(default)]
    pub fathers: i32,
}

impl InitiativeChanges {
    /// `plan` with these changes made, checked.
    pub fn apply_to(self, mut plan: InitiativePlan) -> Result<InitiativePlan, Vec<FieldError>> {
        let changes = self;
        let mut violations = Violations::new();
        if let Some(goals) = changes.goals {
            plan.goals = checked_goals(goals, &mut violations);
        }
        if let Some(months) = changes.follow_up_months {
            plan.follow_up_months = months;
        }
        if let Some(partner_ids) = changes.partner_ids {
            plan.partner_ids = distinct_ids(&partner_ids);
        }
        if let Some(agreement) = changes.cooperation_agreement_id {
            plan.cooperation_agreement_id = agreement.map(|id| id.to_string());
        }
        if let Some(title) = changes.title {
            plan.title = title;
        }
        if let Some(description) = changes.description {
            plan.description = description;
        }
        if let Some(problem_areas) = changes.problem_areas {
            plan.problem_areas = problem_areas;
        }
        if let Some(format) = changes.format {
            plan.format = format;
        }
        if let Some(partners) = changes.partners {
            plan.partners = partners;
        }
        if let Some(languages) = changes.languages {
            plan.languages = languages;
        }
        if let Some(interpreter_present) = changes.interpreter_present {
            plan.interpreter_present = interpreter_present;
        }
        if let Some(target_group) = changes.target_group {
            plan.target_group = target_group;
        }
        if let Some(capacity) = changes.capacity {
            plan.capacity = capacity;
        }
        if let Some(schedule) = changes.schedule {
            plan.schedule = schedule;
        }
        if let Some(network_plan) = changes.network_plan {
            plan.network_plan = network_plan;
        }
        if let Some(agreement) = changes.job_centre_agreement {
            plan.job_centre_agreement = agreement;
        }
        if let Some(fathers_wanted) = changes.fathers_wanted {
            plan.fathers_wanted = fathers_wanted;
        }
        plan.validate_with(violations)
    }
}

/// A family's answers to the initiative's goals at one phase (individual data).
#[derive(Debug, Serialize, ToSchema)]
pub struct Measurement {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub family_id: Uuid,
    pub phase: Phase,
    pub measured_on: NaiveDate,
    pub answers: Vec<Answer>,
    /// The `sub` of the worker who recorded it.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"family_id": "01934b6e-7c8d-7a3b-9f1e-2d4c6b8a0e12", "phase": "start", "measured_on": "2026-09-01", "answers": [{"goal": "knows_the_actors", "value": 2}, {"goal": "talks_with_children", "value": 3}]}))]
pub struct NewMeasurement {
    /// An enrolled family (closed initiatives), or one that took part (open ones).
    pub family_id: Uuid,
    /// `follow_up` only when the plan sets `follow_up_months`. Once per family and phase.
    pub phase: Phase,
    /// The day the family answered; not in the future.
    pub measured_on: NaiveDate,
    /// One answer per goal asked, each on the goal's scale.
    pub answers: Vec<Answer>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeasurementListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub family_id: Option<Uuid>,
    pub phase: Option<Phase>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutcomesQuery {
    /// First day of the answers counted. For the area's team any day (default:
    /// one year before `to`); for everyone else the first day of a calendar
    /// quarter that has ended (default: the last one).
    pub from: Option<NaiveDate>,
    /// Last day of the answers counted (the area's team: default today; everyone
    /// else: the last day of the quarter of `from`).
    pub to: Option<NaiveDate>,
}

/// Before and after, per goal, from the answers given in the period. Outside
/// the area's team counts are suppressed like statistics, and a result resting
/// on fewer families than the threshold is withheld with its reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct InitiativeOutcomes {
    pub initiative_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub suppression_applied: bool,
    pub suppression_threshold: i64,
    pub goals: Vec<GoalResult>,
}

/// Ids as stored: each once, in the order given.
fn distinct_ids(ids: &[Uuid]) -> Vec<String> {
    let mut distinct: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        let id = id.to_string();
        if !distinct.contains(&id) {
            distinct.push(id);
        }
    }
    distinct
}
