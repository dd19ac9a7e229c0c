//! Request and response types of areas, and their conversion to and from rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::areas::AreaRow;
use crate::domain::area::{AreaDraft, AreaFields, PlanFields};
use crate::domain::municipality::MunicipalityCode;
use crate::error::ApiError;
use crate::strict_json::{optional_object, present_object};

/// The comprehensive housing-social plan (helhedsplan) funding the area's team.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[schema(example = "Helhedsplan Nørrebakken 2023-2026")]
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Aggregate figures about the area's residents; every figure is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    /// Number of households (non-negative).
    #[serde(default)]
    pub households: Option<i64>,
    /// Number of residents (non-negative).
    #[serde(default)]
    pub residents: Option<i64>,
    /// Share of households that are families with children, 0–1.
    #[serde(default)]
    pub families_with_children_share: Option<f64>,
    /// Share of families with children that have a single parent, 0–1.
    #[serde(default)]
    pub single_parent_share: Option<f64>,
}

/// A disadvantaged housing area.
#[derive(Debug, Serialize, ToSchema)]
pub struct Area {
    pub id: Uuid,
    pub name: String,
    /// 3-digit municipality code (kommunekode).
    #[schema(example = "101")]
    pub municipality_code: String,
    #[schema(example = "København")]
    pub municipality_name: String,
    pub housing_organisation: String,
    /// The housing organisation's code: the `org` claim of its data protection officer.
    #[schema(example = "fremtiden")]
    pub organisation_code: String,
    #[schema(required = true)]
    pub plan: Option<Plan>,
    pub figures: Figures,
    #[serde(serialize_with = "crate::api::timestamp::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::timestamp::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// A new area.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Nørrebakken", "municipality_code": "101", "housing_organisation": "Boligselskabet Fremtiden", "organisation_code": "fremtiden", "plan": {"name": "Helhedsplan Nørrebakken 2025-2028", "starts_on": "2025-01-01", "ends_on": "2028-12-31"}, "figures": {"households": 820, "families_with_children_share": 0.41, "single_parent_share": 0.32}}))]
pub struct NewArea {
    #[schema(example = "Nørrebakken")]
    pub name: String,
    #[schema(example = "101")]
    pub municipality_code: String,
    #[schema(example = "Boligselskabet Fremtiden")]
    pub housing_organisation: String,
    /// The housing organisation's code: the `org` claim of its data protection
    /// officer, who reaches the area's families and audit events.
    #[schema(example = "fremtiden")]
    pub organisation_code: String,
    #[serde(default, deserialize_with = "optional_object")]
    pub plan: Option<Plan>,
    #[serde(default, deserialize_with = "optional_object")]
    pub figures: Option<Figures>,
}

/// Changes to an area: absent fields stay; `plan` and `figures` are replaced
/// as a whole, and `null` clears them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"figures": {"households": 835, "single_parent_share": 0.3}}))]
pub struct AreaChanges {
    pub name: Option<String>,
    pub municipality_code: Option<String>,
    pub housing_organisation: Option<String>,
    pub organisation_code: Option<String>,
    #[serde(default, deserialize_with = "present_object")]
    #[schema(value_type = Option<Plan>)]
    pub plan: Option<Option<Plan>>,
    #[serde(default, deserialize_with = "present_object")]
    #[schema(value_type = Option<Figures>)]
    pub figures: Option<Option<Figures>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AreaListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only areas of this municipality (3-digit code).
    pub municipality: Option<String>,
    /// Case-insensitive text to find in the name, housing organisation or plan name.
    pub q: Option<String>,
    /// Only areas changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

impl NewArea {
    pub(super) fn parse(&self) -> Result<AreaDraft, ApiError> {
        let figures = self.figures.clone().unwrap_or_default();
        AreaDraft::parse(AreaFields {
            name: &self.name,
            municipality_code: &self.municipality_code,
            housing_organisation: &self.housing_organisation,
            organisation_code: &self.organisation_code,
            plan: self.plan.as_ref().map(|plan| PlanFields {
                name: &plan.name,
                starts_on: plan.starts_on,
                ends_on: plan.ends_on,
            }),
            households: figures.households,
            residents: figures.residents,
            families_with_children_share: figures.families_with_children_share,
            single_parent_share: figures.single_parent_share,
        })
        .map_err(ApiError::Validation)
    }

    pub(super) fn with_changes(mut self, changes: AreaChanges) -> Self {
        if let Some(name) = changes.name {
            self.name = name;
        }
        if let Some(code) = changes.municipality_code {
            self.municipality_code = code;
        }
        if let Some(organisation) = changes.housing_organisation {
            self.housing_organisation = organisation;
        }
        if let Some(code) = changes.organisation_code {
            self.organisation_code = code;
        }
        if let Some(plan) = changes.plan {
            self.plan = plan;
        }
        if let Some(figures) = changes.figures {
            self.figures = figures;
        }
        self
    }
}

impl From<&AreaRow> for NewArea {
    fn from(row: &AreaRow) -> Self {
        Self {
            name: row.name.clone(),
            municipality_code: row.municipality_code.clone(),
            housing_organisation: row.housing_organisation.clone(),
            organisation_code: row.organisation_code.clone(),
            plan: stored_plan(row),
            figures: Some(stored_figures(row)),
        }
    }
}

/// The area's plan, when all its parts are stored.
fn stored_plan(row: &AreaRow) -> Option<Plan> {
    match (&row.plan_name, row.plan_starts_on, row.plan_ends_on) {
        (Some(name), Some(starts_on), Some(ends_on)) => Some(Plan {
            name: name.clone(),
            starts_on,
            ends_on,
        }),
        _ => None,
    }
}

fn stored_figures(row: &AreaRow) -> Figures {
    Figures {
        households: row.households.map(i64::from),
        residents: row.residents.map(i64::from),
        families_with_children_share: row.families_with_children_share,
        single_parent_share: row.single_parent_share,
    }
}

impl From<AreaRow> for Area {
    fn from(row: AreaRow) -> Self {
        let plan = stored_plan(&row);
        let figures = stored_figures(&row);
        Self {
            id: Uuid::parse_str(&row.id).unwrap_or_default(),
            municipality_name: MunicipalityCode::parse(&row.municipality_code)
                .map(|code| code.name().to_owned())
                .unwrap_or_default(),
            name: row.name,
            municipality_code: row.municipality_code,
            housing_organisation: row.housing_organisation,
            organisation_code: row.organisation_code,
            plan,
            figures,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}
