//! `POST /families`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Family, NewFamily};
use super::view::{current_year, render_family};
use crate::api::areas::view::working_area;
use crate::api::audit::AuditContext;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::responses::CreateFailures;
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, FamilyRow};
use crate::db::{self, Database};
use crate::error::ApiError;

/// Records a new family in an area the caller works in.
#[utoipa::path(
    tag = "families",
    params(IdempotencyKeyHeader),
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
#[post("")]
pub async fn create_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    body: json::Json<NewFamily>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let area_id = new.area_id.to_string();
    let record = new
        .record()
        .validate(current_year())
        .map_err(ApiError::Validation)?;
    let worker = principal.clone();
    let work = move |connection: &mut _| {
        working_area(connection, &worker, &area_id)?;
        let id = Uuid::now_v7().to_string();
        store::insert(
            connection,
            &FamilyRow::from_record(id.clone(), area_id, &record, 1, db::now()),
        )?;
        Ok(Outcome::created(id).at_version(1))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render_family(
                connection,
                &principal,
                &audit,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}
