//! The handbook's vocabulary, read-only: problem areas, initiative types, municipal units.

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::problems::{InternalError, Unauthorized};
use crate::auth::{op, Allowed};
use crate::domain::catalog::{
    problem_areas_answered_by, InitiativeType, Label, MunicipalUnit, ProblemArea, INITIATIVE_TYPES,
    MUNICIPAL_UNITS, PROBLEM_AREAS,
};

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
    /// Whether concern reports about children (underretninger) go to this unit.
    pub receives_concern_reports: bool,
}

/// A complete, unpaginated list.
#[derive(Serialize, ToSchema)]
pub struct Catalog<T> {
    pub items: Vec<T>,
}

/// The five problem areas of the handbook and the initiative types that answer each.
#[utoipa::path(
    tag = "catalog",
    responses(
        (status = 200, body = Catalog<ProblemAreaItem>),
        (status = 401, response = Unauthorized),
        (status = 500, response = InternalError),
    ),
    security(("bearer" = []))
)]
#[get("/catalog/problem-areas")]
pub async fn problem_areas(_: Allowed<op::ReadCatalog>) -> HttpResponse {
    let items = PROBLEM_AREAS
        .iter()
        .map(|entry| ProblemAreaItem {
            code: entry.code,
            label: entry.label.into(),
            signs: entry.signs.into(),
            answered_by: entry.answered_by.to_vec(),
        })
        .collect();
    HttpResponse::Ok().json(Catalog { items })
}

/// The initiative types of the handbook and the problem areas each answers.
#[utoipa::path(
    tag = "catalog",
    responses(
        (status = 200, body = Catalog<InitiativeTypeItem>),
        (status = 401, response = Unauthorized),
        (status = 500, response = InternalError),
    ),
    security(("bearer" = []))
)]
#[get("/catalog/initiative-types")]
pub async fn initiative_types(_: Allowed<op::ReadCatalog>) -> HttpResponse {
    let items = INITIATIVE_TYPES
        .iter()
        .map(|entry| InitiativeTypeItem {
            code: entry.code,
            label: entry.label.into(),
            description: entry.description.into(),
            answers: problem_areas_answered_by(entry.code),
        })
        .collect();
    HttpResponse::Ok().json(Catalog { items })
}

/// The municipal units families can be referred to; the codes are the `unit` token claim.
#[utoipa::path(
    tag = "catalog",
    responses(
        (status = 200, body = Catalog<MunicipalUnitItem>),
        (status = 401, response = Unauthorized),
        (status = 500, response = InternalError),
    ),
    security(("bearer" = []))
)]
#[get("/catalog/municipal-units")]
pub async fn municipal_units(_: Allowed<op::ReadCatalog>) -> HttpResponse {
    let items = MUNICIPAL_UNITS
        .iter()
        .map(|entry| MunicipalUnitItem {
            code: entry.code,
            label: entry.label.into(),
            receives_concern_reports: entry.receives_concern_reports,
        })
        .collect();
    HttpResponse::Ok().json(Catalog { items })
}
