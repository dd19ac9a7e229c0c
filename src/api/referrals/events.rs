//! The status changes of a referral, as recorded events.

use uuid::Uuid;

use crate::auth::Principal;
use crate::db::{self, referrals::EventRow};
use crate::domain::assessment::Side;
use crate::domain::referral::{EventKind, ReferralStatus};

/// An event of `principal` moving referral `referral_id` from `from` to `to`.
pub fn event(
    referral_id: &str,
    principal: &Principal,
    side: Side,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
    reason: Option<String>,
) -> EventRow {
    EventRow {
        id: Uuid::now_v7().to_string(),
        referral_id: referral_id.to_owned(),
        occurred_at: db::now(),
        actor: principal.subject.clone(),
        side: side.code().to_owned(),
        from_status: from.map(|status| status.code().to_owned()),
        to_status: to.code().to_owned(),
        reason,
        kind: EventKind::StatusChanged.code().to_owned(),
    }
}
