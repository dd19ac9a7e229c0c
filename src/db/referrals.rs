//! Stored referrals with their event history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{areas, consents, referral_events, referrals};
use super::{changes, DbConnection};
use crate::domain::assessment::Side;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::changes::{Audience, ChangeType};
use crate::domain::family::consent_state;
use crate::domain::referral::{
    lapse, visible_to, Direction, EventKind, RedactionReason, ReferralStatus,
};

#[derive(Debug, Clone, PartialEq, Queryable, Insertable, AsChangeset)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = referrals, treat_none_as_null = true)]
pub struct ReferralRow {
    pub id: String,
    pub direction: String,
    pub status: String,
    /// Where an on-hold referral returns to.
    pub resume_status: Option<String>,
    pub purpose: String,
    pub purpose_note: Option<String>,
    /// The housing-social end: the family's area, or the initiative's.
    pub area_id: String,
    /// The municipal end: municipality and unit.
    pub municipality_code: String,
    pub unit: String,
    pub family_id: Option<String>,
    pub consent_id: Option<String>,
    pub initiative_id: Option<String>,
    /// JSON array of the shared data categories.
    pub shared_categories: String,
    /// JSON snapshot of the shared data at the time of referral.
    pub shared_data: Option<String>,
    /// JSON of the consent the municipality states (to_initiative).
    pub consent_statement: Option<String>,
    pub consent_valid_until: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub created_by: String,
    pub requested_at: Option<NaiveDateTime>,
    pub accepted_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When the receiver's view lost the shared data, and why.
    pub redacted_at: Option<NaiveDateTime>,
    pub redaction_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(treat_none_as_default_value = false)]
#[diesel(table_name = referral_events)]
pub struct EventRow {
    pub id: String,
    pub referral_id: String,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub side: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: Option<String>,
    /// `status_changed` or `shared_data_redacted`.
    pub kind: String,
}

/// Which referrals a list may show: those with the caller at one end.
#[derive(Debug, Clone)]
pub enum ReferralScope {
    /// The municipal end: municipality and unit.
    Municipal { municipality: String, unit: String },
    /// The housing-social end: the areas the caller works in.
    Areas(Vec<String>),
}

#[derive(Debug)]
pub struct ReferralFilter {
    pub scope: ReferralScope,
    /// Directions to include, as seen from the caller.
    pub directions: Vec<String>,
    /// Directions the caller receives: their drafts are not shown.
    pub receiving: Vec<String>,
    pub status: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
    pub after_id: Option<String>,
    pub limit: i64,
}

pub fn list(
    connection: &mut DbConnection,
    filter: &ReferralFilter,
) -> QueryResult<Vec<ReferralRow>> {
    let mut query = referrals::table
        .filter(referrals::direction.eq_any(filter.directions.clone()))
        .filter(
            referrals::status
                .ne("draft")
                .or(referrals::direction.ne_all(filter.receiving.clone())),
        )
        .into_boxed();
    match &filter.scope {
        ReferralScope::Municipal { municipality, unit } => {
            query = query
                .filter(referrals::municipality_code.eq(municipality.clone()))
                .filter(referrals::unit.eq(unit.clone()));
        }
        ReferralScope::Areas(ids) => query = query.filter(referrals::area_id.eq_any(ids.clone())),
    }
    if let Some(status) = &filter.status {
        query = query.filter(referrals::status.eq(status.clone()));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(referrals::updated_at.ge(since));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(referrals::id.gt(after.clone()));
    }
    query
        .order(referrals::id.asc())
        .limit(filter.limit)
        .load(connection)
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Option<ReferralRow>> {
    on_backend!(connection, |backend| referrals::table
        .find(id)
        .first(backend)
        .optional())
}

pub fn insert(connection: &mut DbConnection, row: &ReferralRow) -> QueryResult<()> {
    on_backend!(connection, |backend| diesel::insert_into(referrals::table)
        .values(row)
        .execute(backend)
        .map(|_| ()))
}

pub fn replace_if_version(
    connection: &mut DbConnection,
    row: &ReferralRow,
    expected_version: i32,
) -> QueryResult<bool> {
    let updated = diesel::update(
        referrals::table
            .filter(referrals::id.eq(&row.id))
            .filter(referrals::version.eq(expected_version)),
    )
    .set(row)
    .execute(connection)?;
    Ok(updated == 1)
}

/// Marks the receiver's view of a referral as redacted (once): the version and
/// `updated_at` change so that pollers learn it, the sender's free text goes
/// with the shared data, and an event says why. Returns whether it changed.
pub fn redact(
    connection: &mut DbConnection,
    row: &ReferralRow,
    reason: &str,
    event: &EventRow,
) -> QueryResult<bool> {
    let now = event.occurred_at;
    super::write_transaction(connection, |connection| {
        let changed = diesel::update(
            referrals::table
                .filter(referrals::id.eq(&row.id))
                .filter(referrals::redacted_at.is_null()),
        )
        .set((
            referrals::redacted_at.eq(Some(now)),
            referrals::redaction_reason.eq(Some(reason)),
            referrals::version.eq(referrals::version + 1),
            referrals::updated_at.eq(now),
        ))
        .execute(connection)?;
        if changed == 1 {
            insert_event(connection, row, event)?;
        }
        Ok(changed == 1)
    })
}

/// Referrals whose receiver sees data covered by consent `consent_id`.
pub fn covered_by_consent(
    connection: &mut DbConnection,
    consent_id: &str,
) -> QueryResult<Vec<ReferralRow>> {
    referrals::table
        .filter(referrals::consent_id.eq(consent_id))
        .filter(referrals::redacted_at.is_null())
        .load(connection)
}

/// Referrals whose consent ended before `today` (the family's consent, or the
/// one a municipality stated) and whose receiver's view is not redacted yet.
pub fn consent_lapsed(
    connection: &mut DbConnection,
    today: NaiveDate,
) -> QueryResult<Vec<ReferralRow>> {
    let expired = consents::table
        .filter(consents::valid_until.lt(today))
        .select(consents::id.nullable());
    referrals::table
        .filter(referrals::redacted_at.is_null())
        .filter(
            referrals::consent_valid_until
                .lt(today)
                .or(referrals::consent_id.eq_any(expired)),
        )
        .load(connection)
}

/// Why the consent behind `row` no longer holds on `today`, if it does not.
pub fn lapse_of(
    connection: &mut DbConnection,
    row: &ReferralRow,
    today: NaiveDate,
) -> QueryResult<Option<RedactionReason>> {
    let Some(direction) = Direction::parse(&row.direction) else {
        return Ok(None);
    };
    let family_consent = match &row.consent_id {
        Some(id) => on_backend!(connection, |backend| consents::table
            .find(id)
            .select((
                consents::valid_from,
                consents::valid_until,
                consents::withdrawn_at,
            ))
            .first::<(NaiveDate, NaiveDate, Option<NaiveDateTime>)>(backend)
            .optional())?
        .map(|(from, until, withdrawn)| consent_state(from, until, withdrawn.is_some(), today)),
        None => None,
    };
    Ok(lapse(
        direction,
        family_consent,
        row.consent_valid_until,
        today,
    ))
}

/// The event that records a redaction of `row`, made by `actor` (a person, or
/// the service itself when a consent simply ran out).
pub fn redaction_event(
    row: &ReferralRow,
    reason: RedactionReason,
    actor: &str,
    now: NaiveDateTime,
) -> EventRow {
    let side = Direction::parse(&row.direction)
        .map(|direction| direction.sender().code())
        .unwrap_or_default();
    EventRow {
        id: uuid::Uuid::now_v7().to_string(),
        referral_id: row.id.clone(),
        occurred_at: now,
        actor: actor.to_owned(),
        side: side.to_owned(),
        from_status: Some(row.status.clone()),
        to_status: row.status.clone(),
        reason: Some(reason.code().to_owned()),
        kind: EventKind::SharedDataRedacted.code().to_owned(),
    }
}

/// The service itself, as the actor of changes nobody made (a consent ran out).
pub const SERVICE_ACTOR: &str = "familiebro";

/// `row` as it stands now: when its consent lapsed since it was last redacted,
/// the receiver's view is redacted first (once), and the changed row returned.
pub fn with_lapses_applied(
    connection: &mut DbConnection,
    row: ReferralRow,
    now: NaiveDateTime,
) -> QueryResult<ReferralRow> {
    if row.redacted_at.is_some() {
        return Ok(row);
    }
    let Some(reason) = lapse_of(connection, &row, now.date())? else {
        return Ok(row);
    };
    let event = redaction_event(&row, reason, SERVICE_ACTOR, now);
    redact(connection, &row, reason.code(), &event)?;
    Ok(find(connection, &row.id)?.unwrap_or(row))
}

/// Redacts the receiver's view of every referral whose consent lapsed by
/// `now`; returns how many changed. Run by the retention job and periodically.
pub fn redact_lapsed(connection: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let mut redacted = 0;
    for row in consent_lapsed(connection, now.date())? {
        let Some(reason) = lapse_of(connection, &row, now.date())? else {
            continue;
        };
        let event = redaction_event(&row, reason, SERVICE_ACTOR, now);
        if redact(connection, &row, reason.code(), &event)? {
            redacted += 1;
        }
    }
    Ok(redacted)
}

pub fn of_family(connection: &mut DbConnection, family_id: &str) -> QueryResult<Vec<ReferralRow>> {
    referrals::table
        .filter(referrals::family_id.eq(family_id))
        .order(referrals::id.asc())
        .load(connection)
}

/// Records an event of `referral` (as it is after the event), and the change
/// in the feed for the ends that see the referral now.
pub fn insert_event(
    connection: &mut DbConnection,
    referral: &ReferralRow,
    row: &EventRow,
) -> QueryResult<()> {
    super::write_transaction(connection, |connection| {
        diesel::insert_into(referral_events::table)
            .values(row)
            .execute(connection)?;
        let change = if row.kind == EventKind::SharedDataRedacted.code() {
            ChangeType::ReferralRedacted
        } else if row.from_status.is_none() {
            ChangeType::ReferralCreated
        } else {
            ChangeType::ReferralTransitioned
        };
        changes::record(connection, change, &referral.id, &audience_of(referral)?)
    })
}

/// The ends that see `referral` as it is: the sender always, the receiver once
/// it is no longer a draft.
fn audience_of(referral: &ReferralRow) -> QueryResult<Audience> {
    let corrupt = |what: &str| {
        diesel::result::Error::DeserializationError(
            format!("stored referral has an invalid {what}").into(),
        )
    };
    let direction = Direction::parse(&referral.direction).ok_or_else(|| corrupt("direction"))?;
    let status = ReferralStatus::parse(&referral.status).ok_or_else(|| corrupt("status"))?;
    let unit = MunicipalUnit::parse(&referral.unit).map_err(|_| corrupt("unit"))?;
    let sees = |side| visible_to(direction.role_of(side), status);
    Ok(Audience::ends(
        &referral.area_id,
        sees(Side::HousingSocial),
        &referral.municipality_code,
        unit,
        sees(Side::Municipal),
    ))
}

pub fn events_of(connection: &mut DbConnection, referral_id: &str) -> QueryResult<Vec<EventRow>> {
    events_page(connection, referral_id, None, i64::MAX)
}

/// A page of a referral's events in the order they happened.
pub fn events_page(
    connection: &mut DbConnection,
    referral_id: &str,
    after_id: Option<String>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    let mut query = referral_events::table
        .filter(referral_events::referral_id.eq(referral_id))
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(referral_events::id.gt(after));
    }
    query
        .order(referral_events::id.asc())
        .limit(limit)
        .load(connection)
}

/// The municipality of an area.
pub fn municipality_of_area(
    connection: &mut DbConnection,
    area_id: &str,
) -> QueryResult<Option<String>> {
    areas::table
        .find(area_id)
        .select(areas::municipality_code)
        .first(connection)
        .optional()
}
