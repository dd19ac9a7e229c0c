//! Stored initiatives, their sessions with attendance, and enrolments.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;

use super::areas::AreaRow;
use super::families::FamilyRow;
use super::schema::{
    areas, enrolments, families, initiative_sessions, initiatives, session_attendance,
};
use super::{changes, from_json, to_json, DbConnection};
use crate::domain::catalog::{InitiativeType, ProblemArea};
use crate::domain::changes::ChangeType;
use crate::domain::initiative::{InitiativeFormat, InitiativePlan, InitiativeStatus, Schedule};
use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = initiatives, treat_none_as_null = true)]
pub struct InitiativeRow {
    pub id: String,
    pub area_id: String,
    pub initiative_type: String,
    pub title: String,
    pub description: Option<String>,
    /// JSON array of problem area codes.
    pub problem_areas: String,
    pub assessment_id: Option<String>,
    pub format: String,
    /// JSON array of partners.
    pub partners: String,
    /// JSON array of languages.
    pub languages: String,
    pub interpreter_present: i32,
    pub target_group: Option<String>,
    pub capacity: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub recurrence: Option<String>,
    pub status: String,
    pub network_plan: Option<String>,
    pub job_centre_agreement: Option<String>,
    pub fathers_wanted: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// JSON array of goals.
    pub goals: String,
    pub follow_up_months: Option<i32>,
    /// JSON array of partner ids.
    pub partner_ids: String,
    pub cooperation_agreement_id: Option<String>,
}

/// Identity and bookkeeping of a stored initiative.
pub struct RowIdentity<'a> {
    pub id: &'a str,
    pub area_id: &'a str,
    pub version: i32,
    pub created_at: NaiveDateTime,
}

impl InitiativeRow {
    /// The stored form of a validated plan, changed now.
    pub fn from_plan(
        stored: RowIdentity<'_>,
        plan: &InitiativePlan,
        assessment_id: Option<String>,
        status: InitiativeStatus,
    ) -> Self {
        let problem_areas: Vec<&str> = plan.problem_areas.iter().map(|area| area.code()).collect();
        Self {
            id: stored.id.to_owned(),
            area_id: stored.area_id.to_owned(),
            initiative_type: plan.initiative_type.code().to_owned(),
            title: plan.title.clone(),
            description: plan.description.clone(),
            problem_areas: to_json(&problem_areas),
            assessment_id,
            format: plan.format.code().to_owned(),
            partners: to_json(&plan.partners),
            languages: to_json(&plan.languages),
            interpreter_present: i32::from(plan.interpreter_present),
            target_group: plan.target_group.clone(),
            capacity: plan.capacity,
            starts_on: plan.schedule.starts_on,
            ends_on: plan.schedule.ends_on,
            recurrence: plan.schedule.recurrence.clone(),
            status: status.code().to_owned(),
            network_plan: plan.network_plan.clone(),
            job_centre_agreement: plan.job_centre_agreement.clone(),
            fathers_wanted: i32::from(plan.fathers_wanted),
            version: stored.version,
            created_at: stored.created_at,
            updated_at: super::now(),
            goals: to_json(&plan.goals),
            follow_up_months: plan.follow_up_months,
            partner_ids: to_json(&plan.partner_ids),
            cooperation_agreement_id: plan.cooperation_agreement_id.clone(),
        }
    }

    /// The validated plan this row stores.
    pub fn plan(&self) -> Result<InitiativePlan, ApiError> {
        let problem_areas: Vec<String> = from_json(&self.problem_areas, "problem areas")?;
        Ok(InitiativePlan {
            initiative_type: InitiativeType::parse(&self.initiative_type)
                .ok_or_else(|| corrupt_initiative("type"))?,
            title: self.title.clone(),
            description: self.description.clone(),
            problem_areas: problem_areas
                .iter()
                .map(|code| {
                    ProblemArea::parse(code).ok_or_else(|| corrupt_initiative("problem area"))
                })
                .collect::<Result<_, _>>()?,
            format: InitiativeFormat::parse(&self.format)
                .ok_or_else(|| corrupt_initiative("format"))?,
            partners: from_json(&self.partners, "partners")?,
            languages: from_json(&self.languages, "languages")?,
            interpreter_present: self.interpreter_present != 0,
            target_group: self.target_group.clone(),
            capacity: self.capacity,
            schedule: Schedule {
                starts_on: self.starts_on,
                ends_on: self.ends_on,
                recurrence: self.recurrence.clone(),
            },
            network_plan: self.network_plan.clone(),
            job_centre_agreement: self.job_centre_agreement.clone(),
            fathers_wanted: self.fathers_wanted != 0,
            goals: from_json(&self.goals, "goals")?,
            follow_up_months: self.follow_up_months,
            partner_ids: from_json(&self.partner_ids, "partner ids")?,
            cooperation_agreement_id: self.cooperation_agreement_id.clone(),
        })
    }
}

fn corrupt_initiative(what: &str) -> ApiError {
    ApiError::internal(format!("stored initiative has an invalid {what}"))
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = initiative_sessions)]
pub struct SessionRow {
    pub id: String,
    pub initiative_id: String,
    pub held_on: NaiveDate,
    pub theme: String,
    pub speaker: Option<String>,
    pub created_at: NaiveDateTime,
    /// Anonymous participants of an open event, beside any registered families.
    pub headcount: i32,
    pub status: String,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub place: Option<String>,
    /// JSON array of languages.
    pub languages: String,
    pub interpreter_present: i32,
    /// Bumped on every change, for calendar clients (iCalendar SEQUENCE).
    pub sequence: i32,
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = enrolments)]
pub struct EnrolmentRow {
    pub initiative_id: String,
    pub family_id: String,
    pub heavily_burdened: i32,
    pub mothers: i32,
    pub fathers: i32,
    pub enrolled_by: String,
    pub enrolled_at: NaiveDateTime,
}

/// Which areas a list may draw from: the caller's scope.
#[derive(Debug, Clone)]
pub enum AreaScope {
    All,
    Areas(Vec<String>),
    Municipality(String),
}

#[derive(Debug)]
pub struct InitiativeFilter {
    pub scope: AreaScope,
    pub area_id: Option<String>,
    pub initiative_type: Option<String>,
    pub status: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(
    connection: &mut DbConnection,
    filter: &InitiativeFilter,
) -> QueryResult<Vec<InitiativeRow>> {
    let mut query = initiatives::table.into_boxed();
    match &filter.scope {
        AreaScope::All => {}
        AreaScope::Areas(ids) => query = query.filter(initiatives::area_id.eq_any(ids.clone())),
        AreaScope::Municipality(code) => {
            query = query.filter(
                initiatives::area_id.eq_any(
                    areas::table
                        .filter(areas::municipality_code.eq(code.clone()))
                        .select(areas::id),
                ),
            )
        }
    }
    if let Some(area_id) = &filter.area_id {
        query = query.filter(initiatives::area_id.eq(area_id.clone()));
    }
    if let Some(initiative_type) = &filter.initiative_type {
        query = query.filter(initiatives::initiative_type.eq(initiative_type.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(initiatives::status.eq(status.clone()));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(initiatives::updated_at.ge(since));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(initiatives::id.gt(after.clone()));
    }
    query
        .order(initiatives::id.asc())
        .limit(filter.limit)
        .load(connection)
}

pub fn find_with_area(
    connection: &mut DbConnection,
    id: &str,
) -> QueryResult<Option<(InitiativeRow, AreaRow)>> {
    initiatives::table
        .inner_join(areas::table)
        .filter(initiatives::id.eq(id))
        .select((initiatives::all_columns, areas::all_columns))
        .first(connection)
        .optional()
}

pub fn insert(connection: &mut DbConnection, row: &InitiativeRow) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::insert_into(initiatives::table)
            .values(row)
            .execute(connection)?;
        changes::record_area_work(
            connection,
            ChangeType::InitiativeCreated,
            &row.id,
            &row.area_id,
        )
    })
}

pub fn replace_if_version(
    connection: &mut DbConnection,
    row: &InitiativeRow,
    expected_version: i32,
) -> QueryResult<bool> {
    super::write_transaction(connection, |connection| {
        let updated = diesel::update(
            initiatives::table
                .filter(initiatives::id.eq(&row.id))
                .filter(initiatives::version.eq(expected_version)),
        )
        .set(row)
        .execute(connection)?;
        if updated == 1 {
            changes::record_area_work(
                connection,
                ChangeType::InitiativeChanged,
                &row.id,
                &row.area_id,
            )?;
        }
        Ok(updated == 1)
    })
}

/// Enrolled families per initiative.
pub fn enrolment_counts(
    connection: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = enrolments::table
        .filter(enrolments::initiative_id.eq_any(ids.to_vec()))
        .group_by(enrolments::initiative_id)
        .select((enrolments::initiative_id, diesel::dsl::count_star()))
        .load(connection)?;
    Ok(rows.into_iter().collect())
}

pub fn enrolments_with_families(
    connection: &mut DbConnection,
    initiative_id: &str,
) -> QueryResult<Vec<(EnrolmentRow, FamilyRow)>> {
    enrolments_page(connection, initiative_id, None, i64::MAX)
}

/// A page of an initiative's enrolments in the order they were made, after
/// the enrolment (time, family) of `after`.
pub fn enrolments_page(
    connection: &mut DbConnection,
    initiative_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<(EnrolmentRow, FamilyRow)>> {
    let mut query = enrolments::table
        .inner_join(families::table)
        .filter(enrolments::initiative_id.eq(initiative_id))
        .into_boxed();
    if let Some((at, family_id)) = after {
        query = query.filter(
            enrolments::enrolled_at.gt(at).or(enrolments::enrolled_at
                .eq(at)
                .and(enrolments::family_id.gt(family_id))),
        );
    }
    query
        .order((enrolments::enrolled_at.asc(), enrolments::family_id.asc()))
        .limit(limit)
        .select((enrolments::all_columns, families::all_columns))
        .load(connection)
}

/// The initiatives a family is enrolled in.
pub fn enrolments_of_family(
    connection: &mut DbConnection,
    family_id: &str,
) -> QueryResult<Vec<(EnrolmentRow, InitiativeRow)>> {
    enrolments::table
        .inner_join(initiatives::table)
        .filter(enrolments::family_id.eq(family_id))
        .order(enrolments::enrolled_at.asc())
        .select((enrolments::all_columns, initiatives::all_columns))
        .load(connection)
}

/// The sessions a family attended.
pub fn attendance_of_family(
    connection: &mut DbConnection,
    family_id: &str,
) -> QueryResult<Vec<SessionRow>> {
    initiative_sessions::table
        .inner_join(session_attendance::table)
        .filter(session_attendance::family_id.eq(family_id))
        .order(initiative_sessions::held_on.asc())
        .select(initiative_sessions::all_columns)
        .load(connection)
}

pub fn find_enrolment(
    connection: &mut DbConnection,
    initiative_id: &str,
    family_id: &str,
) -> QueryResult<Option<EnrolmentRow>> {
    enrolments::table
        .find((initiative_id, family_id))
        .first(connection)
        .optional()
}

pub fn insert_enrolment(connection: &mut DbConnection, row: &EnrolmentRow) -> QueryResult<()> {
    diesel::insert_into(enrolments::table)
        .values(row)
        .execute(connection)
        .map(|_| ())
}

pub fn delete_enrolment(
    connection: &mut DbConnection,
    initiative_id: &str,
    family_id: &str,
) -> QueryResult<bool> {
    let deleted =
        diesel::delete(enrolments::table.find((initiative_id, family_id))).execute(connection)?;
    Ok(deleted == 1)
}

pub fn insert_session(
    connection: &mut DbConnection,
    row: &SessionRow,
    attendees: &[String],
) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::insert_into(initiative_sessions::table)
            .values(row)
            .execute(connection)?;
        for family_id in attendees {
            diesel::insert_into(session_attendance::table)
                .values((
                    session_attendance::session_id.eq(&row.id),
                    session_attendance::family_id.eq(family_id),
                ))
                .execute(connection)?;
        }
        let area_id: String = initiatives::table
            .find(&row.initiative_id)
            .select(initiatives::area_id)
            .first(connection)?;
        changes::record_area_work(
            connection,
            ChangeType::SessionAdded,
            &row.initiative_id,
            &area_id,
        )
    })
}

/// Stores `row` over the session of its id (one version newer for calendars),
/// with `attendees` when the session is now held.
pub fn replace_session(
    connection: &mut DbConnection,
    row: &SessionRow,
    attendees: &[String],
) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::update(initiative_sessions::table.find(&row.id))
            .set((
                initiative_sessions::held_on.eq(row.held_on),
                initiative_sessions::theme.eq(&row.theme),
                initiative_sessions::speaker.eq(&row.speaker),
                initiative_sessions::headcount.eq(row.headcount),
                initiative_sessions::status.eq(&row.status),
                initiative_sessions::starts_at.eq(row.starts_at),
                initiative_sessions::ends_at.eq(row.ends_at),
                initiative_sessions::place.eq(&row.place),
                initiative_sessions::languages.eq(&row.languages),
                initiative_sessions::interpreter_present.eq(row.interpreter_present),
                initiative_sessions::sequence.eq(row.sequence),
            ))
            .execute(connection)?;
        for family_id in attendees {
            diesel::insert_into(session_attendance::table)
                .values((
                    session_attendance::session_id.eq(&row.id),
                    session_attendance::family_id.eq(family_id),
                ))
                .execute(connection)?;
        }
        let area_id: String = initiatives::table
            .find(&row.initiative_id)
            .select(initiatives::area_id)
            .first(connection)?;
        changes::record_area_work(
            connection,
            ChangeType::SessionChanged,
            &row.initiative_id,
            &area_id,
        )
    })
}

/// Sessions planned (or cancelled) on or after `from`, of the given
/// initiatives, by day: what calendar feeds show.
pub fn calendar_sessions(
    connection: &mut DbConnection,
    initiative_ids: &[String],
    from: NaiveDate,
) -> QueryResult<Vec<SessionRow>> {
    initiative_sessions::table
        .filter(initiative_sessions::initiative_id.eq_any(initiative_ids))
        .filter(initiative_sessions::held_on.ge(from))
        .order((
            initiative_sessions::held_on.asc(),
            initiative_sessions::id.asc(),
        ))
        .load(connection)
}

pub fn find_session(connection: &mut DbConnection, id: &str) -> QueryResult<Option<SessionRow>> {
    initiative_sessions::table
        .find(id)
        .first(connection)
        .optional()
}

/// The families that attended a session.
pub fn attendees_of(connection: &mut DbConnection, session_id: &str) -> QueryResult<Vec<String>> {
    session_attendance::table
        .filter(session_attendance::session_id.eq(session_id))
        .order(session_attendance::family_id.asc())
        .select(session_attendance::family_id)
        .load(connection)
}

/// A page of an initiative's sessions by day, after the session (day, id) of
/// `after`, each with the ids of the families that attended.
pub fn sessions_with_attendance(
    connection: &mut DbConnection,
    initiative_id: &str,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> QueryResult<Vec<(SessionRow, Vec<String>)>> {
    let mut query = initiative_sessions::table
        .filter(initiative_sessions::initiative_id.eq(initiative_id))
        .into_boxed();
    if let Some((day, id)) = after {
        query = query.filter(
            initiative_sessions::held_on
                .gt(day)
                .or(initiative_sessions::held_on
                    .eq(day)
                    .and(initiative_sessions::id.gt(id))),
        );
    }
    let sessions: Vec<SessionRow> = query
        .order((
            initiative_sessions::held_on.asc(),
            initiative_sessions::id.asc(),
        ))
        .limit(limit)
        .load(connection)?;
    let ids: Vec<String> = sessions.iter().map(|session| session.id.clone()).collect();
    let mut attendance: HashMap<String, Vec<String>> = HashMap::new();
    for (session_id, family_id) in session_attendance::table
        .filter(session_attendance::session_id.eq_any(ids))
        .order(session_attendance::family_id.asc())
        .load::<(String, String)>(connection)?
    {
        attendance.entry(session_id).or_default().push(family_id);
    }
    Ok(sessions
        .into_iter()
        .map(|session| {
            let attendees = attendance.remove(&session.id).unwrap_or_default();
            (session, attendees)
        })
        .collect())
}

/// Whether `family_id` attended a session of `initiative_id`.
pub fn attended(
    connection: &mut DbConnection,
    initiative_id: &str,
    family_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        initiative_sessions::table
            .inner_join(session_attendance::table)
            .filter(initiative_sessions::initiative_id.eq(initiative_id))
            .filter(session_attendance::family_id.eq(family_id)),
    ))
    .get_result(connection)
}
