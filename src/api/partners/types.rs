//! Request and response types of the partner register.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::present;
use crate::domain::initiative::PartnerKind;

/// An organisation the area's team works with. No personal data: the
/// organisation, its kind and its role, never a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredPartner {
    pub id: Uuid,
    pub area_id: Uuid,
    pub name: String,
    pub kind: PartnerKind,
    /// What it does in the work, e.g. "Lærer holder oplæg på forældrekurset".
    #[schema(required = true)]
    pub role: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Nørrebakkens Skole", "kind": "school", "role": "Lærere holder oplæg om skolestart"}))]
pub struct NewPartner {
    pub name: String,
    pub kind: PartnerKind,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "Lærere holder oplæg og deltager i madklubben"}))]
pub struct PartnerChanges {
    pub name: Option<String>,
    pub kind: Option<PartnerKind>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub role: Option<Option<String>>,
}
