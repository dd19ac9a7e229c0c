//! `GET /initiatives/{id}/composition`: the handbook's team-composition check.

use actix_web::{get, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::view::find_with_families_in_scope;
use crate::api::audit::{Access, AuditContext};
use crate::api::responses::{ConflictFailure, ReadFailures};
use crate::auth::{op, Allowed};
use crate::db::families::FamilyRow;
use crate::db::initiatives::{self as store, EnrolmentRow};
use crate::db::{self, from_json, Database};
use crate::domain::family::{composition, Composition, Participant};
use crate::domain::initiative::InitiativeFormat;
use crate::error::ApiError;

/// The handbook's team-composition check for a closed initiative: counts and warnings.
#[utoipa::path(
    tag = "initiatives",
    params(("id" = Uuid, Path, description = "Initiative id")),
    responses(
        (status = 200, body = Composition),
        ReadFailures, ConflictFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/composition")]
pub async fn team_composition(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let (initiative, rows) = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let initiative = find_with_families_in_scope(connection, &principal, &id)?;
                if initiative.format != InitiativeFormat::Closed.code() {
                    return Err(ApiError::Conflict(
                        "team composition applies to closed initiatives; this one is open".into(),
                    ));
                }
                audit.allowed(
                    connection,
                    Access::new("enrolment", &id, &initiative.area_id),
                )?;
                Ok((
                    initiative,
                    store::enrolments_with_families(connection, &id)?,
                ))
            })
        })
        .await?;
    let participants = rows
        .into_iter()
        .map(|(enrolment, family)| participant(enrolment, family))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let result = composition(
        &participants,
        initiative.fathers_wanted != 0,
        initiative.interpreter_present != 0,
        crate::telemetry::current_language(),
    );
    Ok(HttpResponse::Ok().json(result))
}

/// An enrolled family as the composition check sees it.
fn participant(enrolment: EnrolmentRow, family: FamilyRow) -> Result<Participant, ApiError> {
    Ok(Participant {
        heavily_burdened: enrolment.heavily_burdened != 0,
        mothers: enrolment.mothers,
        fathers: enrolment.fathers,
        languages: from_json(&family.languages, "languages")?,
    })
}
