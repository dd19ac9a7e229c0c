//! `PATCH /families/{id}`.

use actix_web::http::StatusCode;
use actix_web::{patch, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Family, FamilyChanges};
use super::view::{current_year, family_in_scope, family_response};
use crate::api::audit::AuditContext;
use crate::api::etag::IfMatch;
use crate::api::json;
use crate::api::responses::UpdateFailures;
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, FamilyRow};
use crate::db::{self, Database};
use crate::error::ApiError;

/// Changes a family record.
#[utoipa::path(
    tag = "families",
    params(
        ("id" = Uuid, Path, description = "Family id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body = FamilyChanges,
    responses(
        (status = 200, body = Family, headers(("ETag" = String, description = "The new version"))),
        UpdateFailures,
    ),
    security(("bearer" = []))
)]
#[patch("/families/{id}")]
pub async fn update_family(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: json::Json<FamilyChanges>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let if_match = IfMatch::from_request(&req)?;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let changes = body.into_inner();
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                let current = family_in_scope(connection, &principal, &id)?;
                if_match.check(current.version)?;
                let mut record = current.record()?;
                if let Some(name) = changes.display_name {
                    record.display_name = name;
                }
                if let Some(contact) = changes.contact {
                    record.contact = contact;
                }
                if let Some(household) = changes.household {
                    record.household = household;
                }
                if let Some(languages) = changes.languages {
                    record.languages = languages;
                }
                if let Some(interpreter_needed) = changes.interpreter_needed {
                    record.interpreter_needed = interpreter_needed;
                }
                if let Some(notes) = changes.notes {
                    record.notes = notes;
                }
                let record = record
                    .validate(current_year())
                    .map_err(ApiError::Validation)?;
                let updated = FamilyRow::from_record(
                    id,
                    current.area_id.clone(),
                    &record,
                    current.version + 1,
                    current.created_at,
                );
                if !store::replace_if_version(connection, &updated, current.version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                audit.allowed(connection, "family", Some(&updated.id), Some(&updated.id))?;
                Ok(updated)
            })
        })
        .await?;
    family_response(StatusCode::OK, &row)
}
