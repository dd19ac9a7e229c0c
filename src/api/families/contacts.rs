//! `families/{id}/contacts`: the family's contact log.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Contact, NewContact};
use super::view::{contact_out, family_in_scope};
use crate::api::audit::AuditContext;
use crate::api::json;
use crate::api::responses::{AddFailures, ReadFailures};
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, ContactRow};
use crate::db::{self, Database};
use crate::domain::family::TEXT_MAX_CHARS;
use crate::domain::validation::{optional_guarded_text, FieldError};
use crate::error::ApiError;

/// The family's contact log, newest first.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    responses(
        (status = 200, body = Vec<Contact>),
        ReadFailures,
    ),
    security(("bearer" = []))
)]
#[get("/families/{id}/contacts")]
pub async fn list_contacts(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let rows = db
        .run(move |connection| {
            family_in_scope(connection, &principal, &id)?;
            audit.allowed(connection, "contact", None, Some(&id))?;
            Ok(store::contacts_of(connection, &id)?)
        })
        .await?;
    let contacts = rows
        .into_iter()
        .map(contact_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::build(StatusCode::OK).json(contacts))
}

/// Adds an entry to the family's contact log.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id")),
    request_body = NewContact,
    responses(
        (status = 201, body = Contact, headers(("Location" = String, description = "URL of the family's contact log"))),
        AddFailures,
    ),
    security(("bearer" = []))
)]
#[post("/families/{id}/contacts")]
pub async fn add_contact(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewContact>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let family_id = id.into_inner().to_string();
    let body = body.into_inner();
    let mut errors = Vec::new();
    if body.occurred_on > db::today() {
        errors.push(FieldError {
            field: "occurred_on".into(),
            message: "must not be in the future".into(),
        });
    }
    let note = match body
        .note
        .as_deref()
        .map(|note| optional_guarded_text(note, TEXT_MAX_CHARS))
    {
        Some(Err(message)) => {
            errors.push(FieldError {
                field: "note".into(),
                message,
            });
            None
        }
        Some(Ok(note)) => Some(note).filter(|note| !note.is_empty()),
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let row = ContactRow {
        id: Uuid::now_v7().to_string(),
        family_id: family_id.clone(),
        occurred_on: body.occurred_on,
        kind: body.kind.code().to_owned(),
        note,
        recorded_by: principal.subject.clone(),
        created_at: db::now(),
    };
    let row = db
        .run(move |connection| {
            db::write_transaction(connection, |connection| {
                family_in_scope(connection, &principal, &family_id)?;
                store::insert_contact(connection, &row)?;
                audit.allowed(connection, "contact", Some(&row.id), Some(&family_id))?;
                store::touch(connection, &family_id, row.created_at)?;
                Ok(row)
            })
        })
        .await?;
    let location = format!("/api/v1/families/{}/contacts", row.family_id);
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, location))
        .json(contact_out(row)?))
}
