//! `families/{id}/contacts`: the family's contact log.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::types::{Contact, NewContact};
use super::view::{contact_out, family_in_scope, read_family, render_contact};
use crate::api::audit::AuditContext;
use crate::api::idempotency::{IdempotencyKeyHeader, IdempotentRequest, Outcome};
use crate::api::json;
use crate::api::pagination::{page_response, Page, PageQuery};
use crate::api::query;
use crate::api::responses::{AddFailures, RateFailure, ReadFailures};
use crate::auth::{op, Allowed};
use crate::db::families::{self as store, ContactRow};
use crate::db::{self, Database};
use crate::domain::family::check_contact;
use crate::error::ApiError;

/// The family's contact log, newest first.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id"), PageQuery),
    responses(
        (status = 200, body = Page<Contact>, headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadFailures, RateFailure,
    ),
    security(("bearer" = []))
)]
#[get("/{id}/contacts")]
pub async fn list_contacts(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let id = id.into_inner().to_string();
    let page = query.into_inner().page()?;
    let (after, limit) = (page.after_pair()?, page.fetch_limit());
    let rows = db
        .run(move |connection| {
            read_family(connection, &principal, &audit, &id, "contact")?;
            Ok(store::contacts_page(connection, &id, after, limit)?)
        })
        .await?;
    let key = |row: &ContactRow| format!("{}|{}", row.occurred_on, row.id);
    Ok(page_response(
        &req,
        page.try_into_page(rows, key, contact_out)?,
    ))
}

/// Adds an entry to the family's contact log.
#[utoipa::path(
    tag = "families",
    params(("id" = Uuid, Path, description = "Family id"), IdempotencyKeyHeader),
    request_body = NewContact,
    responses(
        (status = 201, body = Contact, headers(("Location" = String, description = "URL of the family's contact log"))),
        AddFailures,
    ),
    security(("bearer" = []))
)]
#[post("/{id}/contacts")]
pub async fn add_contact(
    caller: Allowed<op::ManageFamilies>,
    db: web::Data<Database>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: json::Json<NewContact>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.principal;
    let audit = AuditContext::new(&principal, &req);
    let request = IdempotentRequest::new(&req, &principal, body.raw())?;
    let new = body.into_inner();
    let note = check_contact(new.occurred_on, new.note.as_deref(), db::today())
        .map_err(ApiError::Validation)?;
    let row = ContactRow {
        id: Uuid::now_v7().to_string(),
        family_id: id.into_inner().to_string(),
        occurred_on: new.occurred_on,
        kind: new.kind.code().to_owned(),
        note,
        recorded_by: principal.subject.clone(),
        created_at: db::now(),
    };
    let worker = principal.clone();
    let work = move |connection: &mut _| {
        family_in_scope(connection, &worker, &row.family_id)?;
        store::insert_contact(connection, &row)?;
        store::touch(connection, &row.family_id, row.created_at)?;
        Ok(Outcome::created(row.id))
    };
    request
        .run(&db, work, move |connection, outcome| {
            render_contact(
                connection,
                &principal,
                &audit,
                &outcome.resource_id,
                outcome.status,
            )
        })
        .await
}
