//! `GET` and `PUT /municipalities/{code}/settings`.

use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::view::settings_of;
use crate::api::etag::{etag, IfMatch};
use crate::api::json;
use crate::api::responses::{PublicReadFailures, UpdateFailures};
use crate::auth::{op, Allowed};
use crate::db::settings::{self as store, SettingsRow};
use crate::db::{self, to_json, Database};
use crate::domain::municipality::MunicipalityCode;
use crate::domain::settings::MunicipalitySettings;
use crate::error::ApiError;

/// A municipality's settings, and whether they are its own or the defaults.
#[derive(Debug, Serialize, ToSchema)]
pub struct Settings {
    /// 3-digit municipality code (kommunekode).
    pub municipality_code: String,
    #[serde(flatten)]
    pub settings: MunicipalitySettings,
    /// False while the municipality has not set its own (the defaults apply).
    pub configured: bool,
}

fn municipality(code: &str) -> Result<MunicipalityCode, ApiError> {
    MunicipalityCode::parse(code).map_err(|message| ApiError::parameter("code", message))
}

fn response(code: MunicipalityCode, settings: MunicipalitySettings, version: i32) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(Settings {
            municipality_code: code.as_str().to_owned(),
            settings,
            configured: version > 0,
        })
}

/// A municipality's settings: which unit receives concern reports, which units
/// sign joint work for it. Without its own, the defaults (`children_families`;
/// `social_services` and `family_counselling`).
#[utoipa::path(
    tag = "municipalities",
    params(("code" = String, Path, description = "3-digit municipality code")),
    responses(
        (status = 200, body = Settings, headers(("ETag" = String, description = "Current version, for If-Match (\"0\": the defaults)"))),
        PublicReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{code}/settings")]
pub async fn get_settings(
    _: Allowed<op::ReadMunicipalitySettings>,
    db: web::Data<Database>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = municipality(&code)?;
    let (settings, version) = db
        .run(move |connection| settings_of(connection, code.as_str()))
        .await?;
    Ok(response(code, settings, version))
}

/// Sets a municipality's settings (admin). Send the `ETag` you read as `If-Match`.
#[utoipa::path(
    tag = "municipalities",
    params(
        ("code" = String, Path, description = "3-digit municipality code"),
        ("If-Match" = Option<String>, Header, description = "ETag of the settings the change is based on"),
    ),
    request_body = MunicipalitySettings,
    responses(
        (status = 200, body = Settings, headers(("ETag" = String, description = "The new version"))),
        UpdateFailures,
    ),
    security(("bearer" = []))
)]
#[put("/{code}/settings")]
pub async fn put_settings(
    _: Allowed<op::WriteMunicipalitySettings>,
    db: web::Data<Database>,
    req: HttpRequest,
    code: web::Path<String>,
    body: json::Json<MunicipalitySettings>,
) -> Result<HttpResponse, ApiError> {
    let code = municipality(&code)?;
    let if_match = IfMatch::from_request(&req)?;
    let settings = body.into_inner().check().map_err(ApiError::Validation)?;
    let (settings, version) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let (_, version) = settings_of(connection, code.as_str())?;
                if_match.check(version)?;
                let units: Vec<&str> = settings
                    .signatory_units
                    .iter()
                    .map(|unit| unit.code())
                    .collect();
                let row = SettingsRow {
                    municipality_code: code.as_str().to_owned(),
                    concern_report_unit: settings.concern_report_unit.code().to_owned(),
                    signatory_units: to_json(&units),
                    version: version + 1,
                    updated_at: db::now(),
                };
                if !store::save_if_version(connection, &row, version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                Ok((settings, row.version))
            })
        })
        .await?;
    Ok(response(code, settings, version))
}
