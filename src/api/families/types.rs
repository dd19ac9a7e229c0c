//! Request and response types of families, contacts and consents.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::present;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::family::{
    ConsentForm, ConsentGiver, ConsentPurpose, ConsentState, ContactDetails, ContactKind,
    DataCategory, FamilyRecord, Household,
};
use crate::strict_json::{object, optional_object};

/// A family as the housing-social team records it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Family {
    pub id: Uuid,
    pub area_id: Uuid,
    /// A name the team chooses; not necessarily the family's legal name.
    pub display_name: String,
    pub contact: ContactDetails,
    pub household: Household,
    pub languages: Vec<String>,
    pub interpreter_needed: bool,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[serde(serialize_with = "crate::api::timestamp::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::timestamp::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// A new family record. There is no field for CPR numbers, health or ethnic
/// origin, and free text containing a CPR number is rejected.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"area_id": "01934b6e-0000-7a3b-9f1e-2d4c6b8a0e12", "display_name": "Familien A", "contact": {"phone": "+45 12 34 56 78"}, "household": {"adults": 2, "children": 3, "children_birth_years": [2012, 2016, 2019]}, "languages": ["arabisk", "dansk"], "interpreter_needed": true}))]
pub struct NewFamily {
    /// An area the caller works in.
    pub area_id: Uuid,
    pub display_name: String,
    #[serde(default, deserialize_with = "object")]
    pub contact: ContactDetails,
    #[serde(deserialize_with = "object")]
    pub household: Household,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub interpreter_needed: bool,
    #[serde(default)]
    pub notes: Option<String>,
}

impl NewFamily {
    /// The family record the body describes, not yet validated.
    pub fn record(self) -> FamilyRecord {
        FamilyRecord {
            display_name: self.display_name,
            contact: self.contact,
            household: self.household,
            languages: self.languages,
            interpreter_needed: self.interpreter_needed,
            notes: self.notes,
        }
    }
}

/// Changes to a family: absent fields stay; objects are replaced as a whole;
/// `notes: null` clears the notes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contact": {"phone": "+45 87 65 43 21"}, "notes": null}))]
pub struct FamilyChanges {
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "optional_object")]
    pub contact: Option<ContactDetails>,
    #[serde(default, deserialize_with = "optional_object")]
    pub household: Option<Household>,
    pub languages: Option<Vec<String>>,
    pub interpreter_needed: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

impl FamilyChanges {
    /// `record` with these changes made.
    pub fn apply_to(self, mut record: FamilyRecord) -> FamilyRecord {
        if let Some(name) = self.display_name {
            record.display_name = name;
        }
        if let Some(contact) = self.contact {
            record.contact = contact;
        }
        if let Some(household) = self.household {
            record.household = household;
        }
        if let Some(languages) = self.languages {
            record.languages = languages;
        }
        if let Some(interpreter_needed) = self.interpreter_needed {
            record.interpreter_needed = interpreter_needed;
        }
        if let Some(notes) = self.notes {
            record.notes = notes;
        }
        record
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FamilyListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only families of this area (one the caller works in).
    pub area_id: Option<Uuid>,
    /// Only families changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Only families with a consent in force that runs out before this day.
    pub consent_expiring_before: Option<NaiveDate>,
}

/// One entry of a family's contact log.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: Uuid,
    pub family_id: Uuid,
    pub occurred_on: NaiveDate,
    pub kind: ContactKind,
    #[schema(required = true)]
    pub note: Option<String>,
    /// `sub` of the staff member who recorded it.
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"occurred_on": "2026-11-20", "kind": "letter_help", "note": "Hjælp med brev om boligstøtte"}))]
pub struct NewContact {
    /// Not in the future.
    pub occurred_on: NaiveDate,
    pub kind: ContactKind,
    #[serde(default)]
    pub note: Option<String>,
}

/// A family's consent to share named categories of its data with one municipal
/// unit for one purpose, within a validity window.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    pub id: Uuid,
    pub family_id: Uuid,
    pub receiving_unit: MunicipalUnit,
    pub purpose: ConsentPurpose,
    pub data_categories: Vec<DataCategory>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub given_as: ConsentForm,
    /// Who gave it (absent for consents recorded before this was asked).
    #[schema(required = true)]
    pub given_by: Option<ConsentGiver>,
    /// The document a written consent is written in.
    #[schema(required = true)]
    pub document_reference: Option<String>,
    /// `sub` of the staff member who recorded it.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    /// Whether it can be used today.
    pub state: ConsentState,
    #[schema(required = true)]
    pub withdrawn_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub withdrawn_by: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"receiving_unit": "family_counselling", "purpose": "bridge_building", "data_categories": ["contact_details", "household_composition"], "valid_from": "2026-11-20", "valid_until": "2027-05-20", "given_as": "written", "given_by": {"name": "Amina Hassan", "relation": "mother"}, "document_reference": "Samtykkeerklæring 2026-17"}))]
pub struct NewConsent {
    pub receiving_unit: MunicipalUnit,
    pub purpose: ConsentPurpose,
    pub data_categories: Vec<DataCategory>,
    pub valid_from: NaiveDate,
    /// At most `FAMILIEBRO_CONSENT_MAX_MONTHS` (default 12) after `valid_from`.
    pub valid_until: NaiveDate,
    pub given_as: ConsentForm,
    /// Who gave the consent: the parent with custody, a guardian, or the young person.
    #[serde(deserialize_with = "object")]
    pub given_by: ConsentGiver,
    /// Required for a written consent: the document it is written in.
    #[serde(default)]
    pub document_reference: Option<String>,
}

/// Filters of a family's consents.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsentListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only consents in force that run out before this day (to renew them).
    pub expiring_before: Option<NaiveDate>,
}
