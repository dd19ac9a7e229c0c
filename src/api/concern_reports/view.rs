//! A concern report as each end sees it: the receiver in full, the reporter its status.

use actix_web::http::StatusCode;

use super::types::{Child, ConcernReport};
use crate::api::audit::{Access, AuditContext};
use crate::api::idempotency::Rendered;
use crate::api::stored_uuid;
use crate::auth::policy::{reaches_families_of, receives_concern_reports_of};
use crate::auth::Principal;
use crate::db::referrals::{self as store, ConcernRow};
use crate::db::{self, DbConnection};
use crate::domain::referral::ConcernStatus;
use crate::error::ApiError;

/// Which end of a report the caller holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    Reporter,
    Receiver,
}

pub(super) fn end_of(principal: &Principal, row: &ConcernRow) -> Option<End> {
    if receives_concern_reports_of(principal, &row.municipality_code) {
        Some(End::Receiver)
    } else if reaches_families_of(principal, &row.area_id) {
        Some(End::Reporter)
    } else {
        None
    }
}

pub(super) fn report_out(row: ConcernRow, end: End) -> Result<ConcernReport, ApiError> {
    let status = if row.acknowledged_at.is_some() {
        ConcernStatus::Acknowledged
    } else {
        ConcernStatus::Received
    };
    let receiver = end == End::Receiver;
    let overdue = row.acknowledged_at.is_none() && row.acknowledge_due_at < db::now();
    Ok(ConcernReport {
        id: stored_uuid(&row.id)?,
        family_id: if receiver {
            None
        } else {
            row.family_id.as_deref().map(stored_uuid).transpose()?
        },
        status,
        received_at: row.received_at.and_utc(),
        acknowledge_due_at: row.acknowledge_due_at.and_utc(),
        acknowledged_at: row.acknowledged_at.map(|at| at.and_utc()),
        area_id: if receiver {
            Some(stored_uuid(&row.area_id)?)
        } else {
            None
        },
        municipality_code: receiver.then(|| row.municipality_code.clone()),
        child: receiver.then(|| Child {
            birth_year: i64::from(row.child_birth_year),
            description: row.child_description.clone(),
        }),
        observation: receiver.then(|| row.observation.clone()),
        observed_on: receiver.then_some(row.observed_on),
        urgent: receiver.then_some(row.urgent != 0),
        reported_by: receiver.then(|| row.reported_by.clone()),
        urgency_assessment_due_at: receiver.then(|| row.urgency_assessment_due_at.and_utc()),
        acknowledged_by: if receiver {
            row.acknowledged_by.clone()
        } else {
            None
        },
        overdue: receiver.then_some(overdue),
    })
}

pub(super) fn report_in_scope(
    connection: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<(ConcernRow, End), ApiError> {
    let row = store::find_concern(connection, id)?.ok_or(ApiError::NotFound)?;
    let end = end_of(principal, &row).ok_or(ApiError::NotFound)?;
    Ok((row, end))
}

/// Concern report `id` as a response to the caller's end (404 outside it), audited.
pub(super) fn render(
    connection: &mut DbConnection,
    principal: &Principal,
    audit: &AuditContext,
    id: &str,
    status: StatusCode,
) -> Result<Rendered, ApiError> {
    let (row, end) = report_in_scope(connection, principal, id)?;
    let access =
        Access::new("concern_report", &row.id, &row.area_id).of_family(row.family_id.as_deref());
    audit.allowed(connection, access)?;
    let location = format!("/api/v1/concern-reports/{}", row.id);
    Ok(Rendered::new(status, &report_out(row, end)?)?.located_at(location))
}
