//! `changes`: the exact change feed. A client keeps the last cursor and never
//! misses or sees twice an entry, however many instances write at once.

mod list;

use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::policy::ChangeFeedScope;
use crate::db::changes::FeedScope;

pub use list::ChangePage;

pub fn routes(config: &mut ServiceConfig) {
    config.service(list::list_changes);
}

/// The feed's scope for a policy scope; none for callers without one.
pub fn feed_scope(scope: ChangeFeedScope) -> Option<FeedScope> {
    match scope {
        ChangeFeedScope::Areas(areas) => Some(FeedScope::Areas(areas)),
        ChangeFeedScope::Unit { municipality, unit } => Some(FeedScope::Unit {
            municipality: municipality.as_str().to_owned(),
            unit: unit.code().to_owned(),
        }),
        ChangeFeedScope::Nothing => None,
    }
}
