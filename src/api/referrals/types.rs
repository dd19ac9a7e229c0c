//! Request and response types of referrals.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::assessment::Side;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::{ConsentPurpose, DataCategory};
use crate::domain::referral::{Direction, EventKind, Outcome, RedactionReason, ReferralStatus};
use crate::domain::sharing::{SharedData, StatedConsent};
use crate::strict_json::object;

/// A new referral. `to_municipality`: a housing-social worker refers a family of
/// its area to a municipal unit, citing the family's consent. `to_initiative`: a
/// municipal caseworker refers a family to an initiative, stating the consent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "direction", rename_all = "snake_case", deny_unknown_fields)]
pub enum NewReferral {
    ToMunicipality {
        family_id: Uuid,
        consent_id: Uuid,
        unit: MunicipalUnit,
        purpose: ConsentPurpose,
        #[serde(default)]
        purpose_note: Option<String>,
        /// Categories of the family's data to share; the consent must cover each.
        shared_categories: Vec<DataCategory>,
        /// Required when sharing `family_statement`.
        #[serde(default)]
        family_statement: Option<String>,
        /// Keep it as a draft instead of requesting at once.
        #[serde(default)]
        draft: bool,
    },
    ToInitiative {
        initiative_id: Uuid,
        purpose: ConsentPurpose,
        #[serde(default)]
        purpose_note: Option<String>,
        #[serde(deserialize_with = "object")]
        consent: StatedConsent,
        /// The family's data the consent lets the municipality share.
        #[serde(deserialize_with = "object")]
        shared: Box<SharedData>,
        #[serde(default)]
        draft: bool,
    },
}

/// A referral as one of its two ends sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Referral {
    pub id: Uuid,
    pub direction: Direction,
    pub status: ReferralStatus,
    pub purpose: ConsentPurpose,
    pub purpose_note: Option<String>,
    /// The housing-social end.
    pub area_id: Uuid,
    pub initiative_id: Option<Uuid>,
    /// The municipal end.
    pub municipality_code: String,
    pub unit: MunicipalUnit,
    pub shared_categories: Vec<DataCategory>,
    /// The shared data as it was when the referral was made; null when redacted.
    pub shared_data: Option<SharedData>,
    /// True when this view is redacted: the receiver no longer sees the shared
    /// data or the sender's free text, because the consent no longer holds or
    /// the family was erased.
    pub shared_data_redacted: bool,
    /// Why the receiver's view was redacted, once it is.
    pub redaction_reason: Option<RedactionReason>,
    /// The family record on the housing-social side (shown to that side only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<Uuid>,
    pub consent_statement: Option<StatedConsent>,
    pub outcome: Option<Outcome>,
    pub outcome_note: Option<String>,
    /// The status the caller may move it to now.
    pub allowed_transitions: Vec<ReferralStatus>,
    pub requested_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A status change. `rejected`, `failed`, `cancelled` and `on_hold` need a
/// `reason`; `completed` needs an `outcome`. Accepting a referral to an
/// initiative links it to a family of the area (`link_family_id`) or creates
/// one from the shared data (`create_family: true`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub to: ReferralStatus,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub outcome_note: Option<String>,
    #[serde(default)]
    pub link_family_id: Option<Uuid>,
    #[serde(default)]
    pub create_family: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub kind: EventKind,
    /// `sub` of who made the change.
    pub actor: String,
    pub side: Side,
    pub from: Option<ReferralStatus>,
    pub to: ReferralStatus,
    /// Why, in the words of whoever made the change; for a redaction, its
    /// category (`consent_withdrawn`, `consent_expired`, `family_erased`).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Perspective {
    /// Referrals the caller's end receives.
    Incoming,
    /// Referrals the caller's end sent.
    Outgoing,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub direction: Option<Perspective>,
    pub status: Option<ReferralStatus>,
    /// Only referrals changed at or after this time (RFC 3339), for polling.
    pub updated_since: Option<DateTime<Utc>>,
}
