//! Stored areas and the queries on them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use uuid::Uuid;

use super::schema::areas;
use super::{changes, DbConnection};
use crate::domain::area::AreaDraft;
use crate::domain::changes::{Audience, ChangeType};
use crate::domain::initiative::InitiativeStatus;
use crate::domain::recommendations::{ContactGroundwork, LOW_THRESHOLD};

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = areas, treat_none_as_null = true)]
pub struct AreaRow {
    pub id: String,
    pub name: String,
    pub search_text: String,
    pub municipality_code: String,
    pub housing_organisation: String,
    pub plan_name: Option<String>,
    pub plan_starts_on: Option<NaiveDate>,
    pub plan_ends_on: Option<NaiveDate>,
    pub households: Option<i32>,
    pub residents: Option<i32>,
    pub families_with_children_share: Option<f64>,
    pub single_parent_share: Option<f64>,
    pub version: i32,
    #[diesel(deserialize_as = super::timestamp::StoredTimestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = super::timestamp::StoredTimestamp)]
    pub updated_at: NaiveDateTime,
    pub organisation_code: String,
}

impl AreaRow {
    /// The stored form of a validated area.
    pub fn from_draft(
        id: String,
        draft: &AreaDraft,
        version: i32,
        created_at: NaiveDateTime,
    ) -> Self {
        Self {
            id,
            search_text: draft.search_text(),
            name: draft.name.clone(),
            municipality_code: draft.municipality.as_str().to_owned(),
            housing_organisation: draft.housing_organisation.clone(),
            plan_name: draft.plan.as_ref().map(|plan| plan.name.clone()),
            plan_starts_on: draft.plan.as_ref().map(|plan| plan.starts_on),
            plan_ends_on: draft.plan.as_ref().map(|plan| plan.ends_on),
            households: draft.figures.households,
            residents: draft.figures.residents,
            families_with_children_share: draft.figures.families_with_children_share,
            single_parent_share: draft.figures.single_parent_share,
            version,
            created_at,
            updated_at: super::now(),
            organisation_code: draft.organisation_code.clone(),
        }
    }
}

/// Filters of an area list; all present filters must hold. Ordered by id (time of creation).
#[derive(Debug, Default)]
pub struct AreaFilter {
    pub municipality_code: Option<String>,
    /// Lower-case text that must occur in the name, housing organisation or plan name.
    pub text: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
    /// Keyset cursor: only areas with a greater id.
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(connection: &mut DbConnection, filter: &AreaFilter) -> QueryResult<Vec<AreaRow>> {
    let mut query = areas::table.into_boxed();
    if let Some(code) = &filter.municipality_code {
        query = query.filter(areas::municipality_code.eq(code.clone()));
    }
    if let Some(text) = &filter.text {
        query = query.filter(
            areas::search_text
                .like(format!("%{}%", escape_like(text)))
                .escape('\\'),
        );
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(areas::updated_at.ge(since));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(areas::id.gt(after.clone()));
    }
    query
        .order(areas::id.asc())
        .limit(filter.limit)
        .load(connection)
}

/// The stored areas among `ids`, in any order: one statement, kept prepared on
/// PostgreSQL (`id = ANY($1)`).
pub fn find_all(connection: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<AreaRow>> {
    on_backend!(connection, |backend| areas::table
        .filter(areas::id.eq_any(ids))
        .load(backend))
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<AreaRow>> {
    // The key finds one row at most, so no `LIMIT` (and its bind) is sent.
    on_backend!(connection, |backend| areas::table
        .find(id)
        .get_result(backend)
        .optional())
}

/// Stores a new area with a fresh time-ordered id.
pub fn insert_new(connection: &mut DbConnection, draft: &AreaDraft) -> QueryResult<AreaRow> {
    let row = AreaRow::from_draft(Uuid::now_v7().to_string(), draft, 1, super::now());
    super::write_transaction(connection, |connection| {
        diesel::insert_into(areas::table)
            .values(&row)
            .execute(connection)?;
        changes::record(
            connection,
            ChangeType::AreaCreated,
            &row.id,
            &Audience::area_work(&row.id, &row.municipality_code),
        )
    })?;
    Ok(row)
}

/// Replaces the stored area if it still has `expected_version`; false if it moved on.
pub fn replace_if_version(
    connection: &mut DbConnection,
    row: &AreaRow,
    expected_version: i32,
) -> QueryResult<bool> {
    super::write_transaction(connection, |connection| {
        let updated = diesel::update(
            areas::table
                .filter(areas::id.eq(&row.id))
                .filter(areas::version.eq(expected_version)),
        )
        .set(row)
        .execute(connection)?;
        if updated == 1 {
            changes::record(
                connection,
                ChangeType::AreaChanged,
                &row.id,
                &Audience::area_work(&row.id, &row.municipality_code),
            )?;
        }
        Ok(updated == 1)
    })
}

/// Escapes LIKE wildcards so user text matches literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The areas of a housing organisation.
pub fn ids_of_organisation(
    connection: &mut DbConnection,
    organisation_code: &str,
) -> QueryResult<Vec<String>> {
    areas::table
        .filter(areas::organisation_code.eq(organisation_code))
        .select(areas::id)
        .load(connection)
}

/// The contact-building work an area has: contacts logged with its families,
/// and low-threshold initiatives not cancelled.
pub fn contact_groundwork(
    connection: &mut DbConnection,
    area_id: &str,
) -> QueryResult<ContactGroundwork> {
    use super::schema::{families, family_contacts, initiatives};
    let contacts_logged = diesel::select(diesel::dsl::exists(
        family_contacts::table
            .inner_join(families::table)
            .filter(families::area_id.eq(area_id)),
    ))
    .get_result(connection)?;
    let low_threshold: Vec<&str> = LOW_THRESHOLD.iter().map(|kind| kind.code()).collect();
    let low_threshold_initiative = diesel::select(diesel::dsl::exists(
        initiatives::table
            .filter(initiatives::area_id.eq(area_id))
            .filter(initiatives::initiative_type.eq_any(low_threshold))
            .filter(initiatives::status.ne(InitiativeStatus::Cancelled.code())),
    ))
    .get_result(connection)?;
    Ok(ContactGroundwork {
        contacts_logged,
        low_threshold_initiative,
    })
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_in_search_text_match_literally() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
