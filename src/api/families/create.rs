//! `POST /families`.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Family, NewFamily};
use super::view::{current_year, family_response};
use crate::api::audit::AuditContext;
use crate::api::json;
use crate::api::responses::CreateFailures;
use crate::auth::policy::reaches_families_of;
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, FamilyRow};
use crate::db::{self, Database};
use crate::domain::family::FamilyRecord;
use crate::error::ApiError;

/// Records a new family in an area the caller works in.
#[utoipa::path(
    tag = "families",
    request_body = NewFamily,
    responses(
        (status = 201, body = Family, headers(
            ("Location" = String, description = "URL of the new family"),
            ("ETag" = String, description = "Current version, for If-Match"),
        )),
        CreateFailures,
    ),
    security(("bearer" = []))
)]
#[post("/families")]
pub async fn create_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    body: json::Json<NewFamily>,
) -> Result<HttpResponse, ApiError> {
    let audit = AuditContext::new(&caller.principal, &req);
    let body = body.into_inner();
    let area_id = body.area_id.to_string();
    if !reaches_families_of(&caller.principal, &area_id) {
        return Err(ApiError::validation(
            "area_id",
            "is not an area you work in",
        ));
    }
    let record = FamilyRecord {
        display_name: body.display_name,
        contact: body.contact,
        household: body.household,
        languages: body.languages,
        interpreter_needed: body.interpreter_needed,
        notes: body.notes,
    }
    .validate(current_year())
    .map_err(ApiError::Validation)?;
    let now = db::now();
    let row = FamilyRow::from_record(Uuid::now_v7().to_string(), area_id, &record, 1, now);
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                store::insert(connection, &row)?;
                audit.allowed(connection, "family", Some(&row.id), Some(&row.id))?;
                Ok(row)
            })
        })
        .await?;
    family_response(StatusCode::CREATED, &row)
}
