//! The catalogue's lists.

use actix_web::{get, HttpResponse};

use super::types::{
    Catalog, InitiativeTypeItem, LabelledCode, Labels, MunicipalUnitItem, OutcomeItem,
    ProblemAreaItem, VocabularyLabels,
};
use crate::api::responses::CatalogFailures;
use crate::auth::{op, Allowed};
use crate::domain::catalog::{
    problem_areas_answered_by, INITIATIVE_TYPES, MUNICIPAL_UNITS, PROBLEM_AREAS,
};
use crate::domain::labels::vocabularies;
use crate::domain::outcomes::{agreement_scale, OUTCOMES};
use crate::domain::settings::MunicipalitySettings;

/// The Danish and English label of every code the API uses: one entry per
/// vocabulary (a string enum of this document, named by its schema). Clients
/// show the label of the language they need; the codes stay the contract.
#[utoipa::path(
    tag = "catalog",
    responses(
        (status = 200, body = Catalog<VocabularyLabels>),
        CatalogFailures,
    ),
    security(("bearer" = []))
)]
#[get("/labels")]
pub async fn labels(_: Allowed<op::ReadCatalog>) -> HttpResponse {
    let items = vocabularies()
        .into_iter()
        .map(|vocabulary| VocabularyLabels {
            schema: vocabulary.schema,
            values: vocabulary
                .labels
                .into_iter()
                .map(|(code, label)| LabelledCode {
                    code,
                    label: label.into(),
                })
                .collect(),
        })
        .collect();
    HttpResponse::Ok().json(Catalog { items })
}

/// The five problem areas of the handbook and the initiative types that answer each.
#[utoipa::path(
    tag = "catalog",
    responses(
        (status = 200, body = Catalog<ProblemAreaItem>),
        CatalogFailures,
    ),
    security(("bearer" = []))
)]
#[get("/problem-areas")]
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
        CatalogFailures,
    ),
    security(("bearer" = []))
)]
#[get("/initiative-types")]
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
        CatalogFailures,
    ),
    security(("bearer" = []))
)]
#[get("/municipal-units")]
#[allow(deprecated)]
pub async fn municipal_units(_: Allowed<op::ReadCatalog>) -> HttpResponse {
    let items = MUNICIPAL_UNITS
        .iter()
        .map(|entry| MunicipalUnitItem {
            code: entry.code,
            label: entry.label.into(),
            receives_concern_reports: entry.code
                == MunicipalitySettings::default().concern_report_unit,
            may_receive_concern_reports: entry.may_receive_concern_reports,
        })
        .collect();
    HttpResponse::Ok().json(Catalog { items })
}

/// The outcomes the handbook's initiatives aim at, per problem area, each with
/// a question families answer on a 1–5 scale before and after.
#[utoipa::path(
    tag = "catalog",
    responses(
        (status = 200, body = Catalog<OutcomeItem>),
        CatalogFailures,
    ),
    security(("bearer" = []))
)]
#[get("/outcomes")]
pub async fn outcomes(_: Allowed<op::ReadCatalog>) -> HttpResponse {
    let items = OUTCOMES
        .iter()
        .map(|outcome| OutcomeItem {
            code: outcome.code,
            problem_area: outcome.problem_area,
            question: Labels {
                da: outcome.question_da,
                en: outcome.question_en,
            },
            scale: agreement_scale(),
        })
        .collect();
    HttpResponse::Ok().json(Catalog { items })
}
