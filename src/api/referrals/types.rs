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

/// A new referral, told apart by `direction`. `to_municipality`: a
/// housing-social worker refers a family of its area to a municipal unit,
/// citing the family's consent. `to_initiative`: a municipal caseworker refers
/// a family to an initiative, stating the consent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "direction", rename_all = "snake_case")]
pub enum NewReferral {
    ToMunicipality(NewReferralToMunicipality),
    ToInitiative(NewReferralToInitiative),
}

/// A housing-social worker's referral of a family of its area to a municipal unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "direction": "to_municipality",
    "family_id": "01934b6e-7c8d-7a3b-9f1e-2d4c6b8a0e12",
    "consent_id": "01934b6f-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
    "unit": "family_counselling",
    "purpose": "bridge_building",
    "purpose_note": "Følges til møde om skolestart",
    "shared_categories": ["contact_details", "household_composition"]
}))]
pub struct NewReferralToMunicipality {
    pub family_id: Uuid,
    pub consent_id: Uuid,
    pub unit: MunicipalUnit,
    pub purpose: ConsentPurpose,
    #[serde(default)]
    pub purpose_note: Option<String>,
    /// Categories of the family's data to share; the consent must cover each.
    pub shared_categories: Vec<DataCategory>,
    /// Required when sharing `family_statement`.
    #[serde(default)]
    pub family_statement: Option<String>,
    /// Keep it as a draft instead of requesting at once.
    #[serde(default)]
    pub draft: bool,
}

/// A municipal caseworker's referral of a family to an initiative.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "direction": "to_initiative",
    "initiative_id": "01934b70-0a1b-7c2d-8e3f-4a5b6c7d8e9f",
    "purpose": "initiative_participation",
    "consent": {
        "recorded_by": "sagsbehandler-17",
        "given_by": {"name": "Amina B", "relation": "mother"},
        "document_reference": "Samtykke j.nr. 2026-117",
        "recorded_on": "2026-11-20",
        "given_as": "written",
        "valid_until": "2027-05-20",
        "data_categories": ["contact_details"]
    },
    "shared": {"contact_details": {"display_name": "Familien B", "phone": "+45 87 65 43 21"}}
}))]
pub struct NewReferralToInitiative {
    pub initiative_id: Uuid,
    pub purpose: ConsentPurpose,
    #[serde(default)]
    pub purpose_note: Option<String>,
    #[serde(deserialize_with = "object")]
    pub consent: StatedConsent,
    /// The family's data the consent lets the municipality share.
    #[serde(deserialize_with = "object")]
    pub shared: Box<SharedData>,
    /// Keep it as a draft instead of requesting at once.
    #[serde(default)]
    pub draft: bool,
}

/// A referral as one of its two ends sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Referral {
    pub id: Uuid,
    pub direction: Direction,
    pub status: ReferralStatus,
    pub purpose: ConsentPurpose,
    #[schema(required = true)]
    pub purpose_note: Option<String>,
    /// The housing-social end.
    pub area_id: Uuid,
    #[schema(required = true)]
    pub initiative_id: Option<Uuid>,
    /// The municipal end.
    pub municipality_code: String,
    pub unit: MunicipalUnit,
    pub shared_categories: Vec<DataCategory>,
    /// The shared data as it was when the referral was made; null when redacted.
    #[schema(required = true)]
    pub shared_data: Option<SharedData>,
    /// True when this view is redacted: the receiver no longer sees the shared
    /// data or the sender's free text, because the consent no longer holds or
    /// the family was erased.
    pub shared_data_redacted: bool,
    /// Why the receiver's view was redacted, once it is.
    #[schema(required = true)]
    pub redaction_reason: Option<RedactionReason>,
    /// The family record on the housing-social side (shown to that side only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<Uuid>,
    #[schema(required = true)]
    pub consent_statement: Option<StatedConsent>,
    #[schema(required = true)]
    pub outcome: Option<Outcome>,
    #[schema(required = true)]
    pub outcome_note: Option<String>,
    /// The status the caller may move it to now.
    pub allowed_transitions: Vec<ReferralStatus>,
    #[schema(required = true)]
    pub requested_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub accepted_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
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
#[schema(example = json!({"to": "accepted"}))]
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
    #[schema(required = true)]
    pub from: Option<ReferralStatus>,
    pub to: ReferralStatus,
    /// Why, in the words of whoever made the change; for a redaction, its
    /// category (`consent_withdrawn`, `consent_expired`, `family_erased`).
    #[schema(required = true)]
    pub reason: Option<String>,
}

/// Which referrals of the caller's end a list shows: those it receives or those
/// it sends (not a referral's own `direction`, which names the receiving side).
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
    /// `incoming`: referrals the caller's end receives; `outgoing`: those it
    /// sent. (A referral's own `direction` is `to_municipality` or `to_initiative`.)
    #[param(inline)]
    pub direction: Option<Perspective>,
    pub status: Option<ReferralStatus>,
    /// Only referrals changed at or after this time (RFC 3339), for polling.
    pub updated_since: Option<DateTime<Utc>>,
}
