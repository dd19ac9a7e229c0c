//! Recording access to individual data, and `audit-events` for the data
//! protection officer. Allowed accesses are recorded by the handler: in the
//! transaction of a write, or, for a read, committed together with other
//! reads' events before its response leaves (a read returns nothing unless its
//! event was stored; `db::group_commit`); denied attempts (401, 403, 404) are recorded by [`record_denied`].

pub mod list;
pub mod record;
pub mod types;

use utoipa_actix_web::service_config::ServiceConfig;

pub use record::{record_denied, Access, AuditContext};

pub fn routes(config: &mut ServiceConfig) {
    config.service(list::list_audit_events);
}
