//! `GET /areas/{id}/report`: the steering group's report, as JSON, CSV or HTML.

use actix_web::http::header::{self, Accept, Header};
use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{AreaReport, ReportQuery};
use super::{csv, gather, html};
use crate::api::areas::view::area_for_work;
use crate::api::negotiation::admits;
use crate::api::query;
use crate::api::responses::ReadFailures;
use crate::api::statistics::{window, SuppressionThreshold};
use crate::auth::policy::disclosure_for;
use crate::auth::{op, Allowed};
use crate::db::{self, Database};
use crate::error::ApiError;

/// The representations, in the order they are preferred when `Accept` ranks them equally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Representation {
    Json,
    Csv,
    Html,
}

impl Representation {
    const ALL: [Representation; 3] = [Self::Json, Self::Csv, Self::Html];

    fn media_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Csv => "text/csv",
            Self::Html => "text/html",
        }
    }

    /// The representation `Accept` prefers (JSON without one). The negotiation
    /// middleware has already answered 406 when it admits none.
    fn chosen(req: &HttpRequest) -> Self {
        let Ok(accept) = Accept::parse(req) else {
            return Self::Json;
        };
        let mut ranges: Vec<_> = accept
            .iter()
            .filter(|item| item.quality > header::Quality::ZERO)
            .collect();
        ranges.sort_by_key(|range| std::cmp::Reverse(range.quality));
        ranges
            .iter()
            .find_map(|range| {
                Self::ALL
                    .into_iter()
                    .find(|representation| admits(&range.item, representation.media_type()))
            })
            .unwrap_or(Self::Json)
    }
}

/// One document per area and period for the steering group and
/// Landsbyggefonden: the plan's initiatives, reach, sessions and attendance,
/// outcomes before and after per goal, referrals by unit and outcome, concern
/// reports (counts only), consents and the agreed assessment it answers.
/// `Accept: application/json`, `text/csv` (Danish Excel: `;`, UTF-8 BOM, one
/// table per section) or `text/html` (a printable Danish page with charts).
/// Exact for the area's housing-social team; for everyone else suppressed like
/// statistics, for one whole calendar quarter that has ended.
#[utoipa::path(
    tag = "areas",
    params(("id" = Uuid, Path, description = "Area id"), ReportQuery),
    responses(
        (status = 200, description = "The report in the representation asked for", content(
            (AreaReport = "application/json"),
            (String = "text/csv", example = "\u{feff}Område og periode\nFelt;Værdi\nOmråde;Nørrebakken\n"),
            (String = "text/html"),
        ), headers(("Vary" = String, description = "Accept"))),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/report")]
pub async fn area_report(
    caller: Allowed<op::ReadStatistics>,
    db: web::Data<Database>,
    threshold: web::Data<SuppressionThreshold>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let area_id = id.into_inner().to_string();
    let threshold = threshold.0;
    let query = query.into_inner();
    let representation = Representation::chosen(&req);
    let report: AreaReport = db
        .run(move |connection| {
            let area = area_for_work(connection, &principal, &area_id)?;
            let disclosure = disclosure_for(&principal, &area.id, threshold);
            let period = window(query.from, query.to, disclosure, db::today())?;
            gather::gather(connection, &area, period, disclosure, threshold)
        })
        .await?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    Ok(match representation {
        Representation::Json => response.json(report),
        Representation::Csv => {
            let file = format!(
                "rapport-{}-{}-{}.csv",
                report.area.id, report.from, report.to
            );
            response
                .content_type("text/csv; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ))
                .body(csv::document(&report)?)
        }
        Representation::Html => response
            .content_type("text/html; charset=utf-8")
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                html::CONTENT_SECURITY_POLICY,
            ))
            .body(html::page(&report)),
    })
}
