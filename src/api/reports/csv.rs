//! The report as CSV for Danish Excel: semicolon-separated, UTF-8 with a BOM,
//! one table per section (its title, its header, its rows, a blank line).

use super::tables::{tables, Table};
use super::types::AreaReport;
use crate::error::ApiError;

fn failed(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("writing CSV: {error}"))
}

fn table(table: &Table) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(Vec::new());
    writer.write_record([table.title]).map_err(failed)?;
    writer.write_record(&table.columns).map_err(failed)?;
    for row in &table.rows {
        writer.write_record(row).map_err(failed)?;
    }
    writer.into_inner().map_err(failed)
}

pub fn document(report: &AreaReport) -> Result<Vec<u8>, ApiError> {
    let mut document = "\u{feff}".as_bytes().to_vec();
    for section in tables(report) {
        document.extend(table(&section)?);
        document.push(b'\n');
    }
    Ok(document)
}
