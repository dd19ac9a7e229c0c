//! Response types of the catalogue.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::outcomes::Scale;

use crate::domain::catalog::{InitiativeType, Label, MunicipalUnit, ProblemArea};

/// A label in Danish and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct Labels {
    pub da: &'static str,
    pub en: &'static str,
}

impl From<Label> for Labels {
    fn from(label: Label) -> Self {
        Self {
            da: label.da,
            en: label.en,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProblemAreaItem {
    pub code: ProblemArea,
    pub label: Labels,
    /// Signs that families struggle with this problem.
    pub signs: Labels,
    /// Initiative types the handbook recommends for it.
    pub answered_by: Vec<InitiativeType>,
}

#[derive(Serialize, ToSchema)]
pub struct InitiativeTypeItem {
    pub code: InitiativeType,
    pub label: Labels,
    pub description: Labels,
    /// Problem areas this initiative type answers.
    pub answers: Vec<ProblemArea>,
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalUnitItem {
    pub code: MunicipalUnit,
    pub label: Labels,
    /// Whether concern reports about children (underretninger) go to this unit
    /// when a municipality has not chosen (see `may_receive_concern_reports`
    /// and `GET /municipalities/{code}/settings` for where they go).
    #[deprecated(note = "the receiving unit is a per-municipality setting")]
    pub receives_concern_reports: bool,
    /// Whether a municipality may choose this unit to receive concern reports.
    pub may_receive_concern_reports: bool,
}

/// A complete, unpaginated list.
#[derive(Serialize, ToSchema)]
pub struct Catalog<T> {
    pub items: Vec<T>,
}

/// One code of a vocabulary with its label.
#[derive(Serialize, ToSchema)]
pub struct LabelledCode {
    pub code: &'static str,
    pub label: Labels,
}

/// The labels of one vocabulary: the codes of the schema it names.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"schema": "SessionStatus", "values": [{"code": "planned", "label": {"da": "Planlagt", "en": "Planned"}}]}))]
pub struct VocabularyLabels {
    /// The name of the schema in this OpenAPI document whose codes these are.
    pub schema: &'static str,
    pub values: Vec<LabelledCode>,
}

/// An outcome the handbook names, with its indicator question and answer scale.
#[derive(Serialize, ToSchema)]
pub struct OutcomeItem {
    /// Stable: initiatives name it in their goals.
    pub code: &'static str,
    pub problem_area: ProblemArea,
    pub question: Labels,
    pub scale: Scale,
}
