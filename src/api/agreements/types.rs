//! Request and response types of cooperation agreements.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::agreement::{AgreementStatus, AgreementTerms};
use crate::domain::assessment::Side;
use crate::domain::catalog::MunicipalUnit;

#[derive(Debug, Serialize, ToSchema)]
pub struct Signature {
    pub side: Side,
    /// The municipal unit that signed (municipal side).
    #[schema(required = true)]
    pub unit: Option<MunicipalUnit>,
    pub signed_at: DateTime<Utc>,
}

/// The agreement between an area's housing-social effort and the
/// municipality: its niche, who does what, whom to contact, services held in
/// the area, how often they meet, for how long. Aggregate: roles, never persons.
#[derive(Debug, Serialize, ToSchema)]
pub struct CooperationAgreement {
    pub id: Uuid,
    pub area_id: Uuid,
    pub status: AgreementStatus,
    /// What both sides sign.
    pub terms: AgreementTerms,
    pub signatures: Vec<Signature>,
    #[schema(required = true)]
    pub supersedes: Option<Uuid>,
    /// The live revision that supersedes this one, if any.
    #[schema(required = true)]
    pub superseded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// New terms for a draft or an agreement in review (signatures given so far are
/// withdrawn), or `status: withdrawn`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "withdrawn"}))]
pub struct AgreementChanges {
    /// The whole terms, replacing the current ones.
    #[serde(default)]
    pub terms: Option<AgreementTerms>,
    #[serde(default)]
    pub status: Option<AgreementStatus>,
}
