//! `GET /areas/{id}/prospect-funnel`: how the families identified in a period
//! were reached.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::types::{Funnel, FunnelQuery, ProspectSourceCount, ProspectStatusCount};
use crate::api::areas::view::area_for_work;
use crate::api::query;
use crate::api::responses::ReadFailures;
use crate::api::statistics::{window, SuppressionThreshold};
use crate::auth::policy::disclosure_for;
use crate::auth::{op, Allowed};
use crate::db::{self, prospects as store, Database};
use crate::domain::prospect::{days_to_engage, ProspectStatus, SourceKind};
use crate::domain::statistics::{median, suppress_table, Disclosure};
use crate::error::ApiError;

/// Prospects identified in the period: where they stand now, by the kind of
/// source that pointed them out, and the median days to engagement. Exact for
/// the area's team; suppressed outside it, per ended calendar quarter.
#[utoipa::path(
    tag = "prospects",
    params(("id" = Uuid, Path, description = "Area id"), FunnelQuery),
    responses((status = 200, body = Funnel), ReadFailures),
    security(("bearer" = []))
)]
#[get("/{id}/prospect-funnel")]
pub async fn prospect_funnel(
    caller: Allowed<op::ReadStatistics>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    id: web::Path<Uuid>,
    query: query::Query<FunnelQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let area_uuid = id.into_inner();
    let area_id = area_uuid.to_string();
    let threshold = threshold.0;
    let query = query.into_inner();
    let funnel = db
        .run(move |connection| {
            let area = area_for_work(connection, &principal, &area_id)?;
            let disclosure = disclosure_for(&principal, &area.id, threshold);
            let period = window(query.from, query.to, disclosure, db::today())?;
            let rows = store::funnel(connection, &area.id, period)?;
            let by_status = suppress_table(
                &[ProspectStatus::ALL
                    .iter()
                    .map(|status| rows.iter().filter(|row| row.1 == status.code()).count() as i64)
                    .collect()],
                disclosure,
            );
            let by_source = suppress_table(
                &[SourceKind::ALL
                    .iter()
                    .map(|kind| rows.iter().filter(|row| row.0 == kind.code()).count() as i64)
                    .collect()],
                disclosure,
            );
            let mut days: Vec<f64> = rows
                .iter()
                .filter_map(|(_, _, identified, engaged)| {
                    engaged.map(|engaged| days_to_engage(*identified, engaged) as f64)
                })
                .collect();
            let median_days_to_engaged = if disclosure.single(days.len() as i64).suppressed {
                None
            } else {
                median(&mut days)
            };
            Ok::<_, ApiError>(Funnel {
                area_id: area_uuid,
                from: period.from,
                to: period.to,
                suppression_applied: disclosure != Disclosure::Exact,
                identified: by_status.total,
                by_status: ProspectStatus::ALL
                    .iter()
                    .zip(&by_status.cells[0])
                    .map(|(status, prospects)| ProspectStatusCount {
                        status: *status,
                        prospects: *prospects,
                    })
                    .collect(),
                by_source_kind: SourceKind::ALL
                    .iter()
                    .zip(&by_source.cells[0])
                    .map(|(kind, prospects)| ProspectSourceCount {
                        source_kind: *kind,
                        prospects: *prospects,
                    })
                    .collect(),
                median_days_to_engaged,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(funnel))
}
