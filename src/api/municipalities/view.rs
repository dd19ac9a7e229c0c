//! A municipality's settings as stored, or the defaults.

use crate::db::settings::{self as store, SettingsRow};
use crate::db::{from_json, DbConnection};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::settings::MunicipalitySettings;
use crate::error::ApiError;

fn corrupt() -> ApiError {
    ApiError::internal("stored municipality settings are invalid")
}

/// The settings of municipality `code` and their version (0: the defaults, never stored).
pub fn settings_of(
    connection: &mut DbConnection,
    code: &str,
) -> Result<(MunicipalitySettings, i32), ApiError> {
    let Some(row) = store::find(connection, code)? else {
        return Ok((MunicipalitySettings::default(), 0));
    };
    Ok((settings_out(&row)?, row.version))
}

fn settings_out(row: &SettingsRow) -> Result<MunicipalitySettings, ApiError> {
    let units: Vec<String> = from_json(&row.signatory_units, "signatory units")?;
    Ok(MunicipalitySettings {
        concern_report_unit: MunicipalUnit::parse(&row.concern_report_unit)
            .map_err(|_| corrupt())?,
        signatory_units: units
            .iter()
            .map(|code| MunicipalUnit::parse(code).map_err(|_| corrupt()))
            .collect::<Result<_, _>>()?,
    })
}
