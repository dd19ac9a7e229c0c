//! Referrals across the line (after HL7 FHIR's referral Task) and the consent
//! rules that gate them; concern reports and their statutory deadlines.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::assessment::Side;
use super::catalog::MunicipalUnit;
use super::family::{ConsentPurpose, ConsentState, DataCategory};
use super::initiative::codes;
use super::sharing::optional_text;
use super::validation::{FieldError, Violations};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the housing-social side to a municipal unit.
    ToMunicipality,
    /// From a municipal unit to an initiative of the housing-social side.
    ToInitiative,
}

codes!(Direction { ToMunicipality => "to_municipality", ToInitiative => "to_initiative" });

impl Direction {
    pub fn sender(self) -> Side {
        match self {
            Direction::ToMunicipality => Side::HousingSocial,
            Direction::ToInitiative => Side::Municipal,
        }
    }

    pub fn receiver(self) -> Side {
        match self {
            Direction::ToMunicipality => Side::Municipal,
            Direction::ToInitiative => Side::HousingSocial,
        }
    }

    /// The end of a referral in this direction that `side` holds.
    pub fn role_of(self, side: Side) -> Role {
        if side == self.sender() {
            Role::Sender
        } else {
            Role::Receiver
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Draft,
    Requested,
    Accepted,
    Rejected,
    InProgress,
    OnHold,
    Completed,
    Failed,
    Cancelled,
}

codes!(ReferralStatus {
    Draft => "draft",
    Requested => "requested",
    Accepted => "accepted",
    Rejected => "rejected",
    InProgress => "in_progress",
    OnHold => "on_hold",
    Completed => "completed",
    Failed => "failed",
    Cancelled => "cancelled",
});

/// How a completed referral ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The family received the help the referral asked for.
    HelpProvided,
    /// The family is now in contact with the unit or initiative.
    ContactEstablished,
    /// Another unit or service took over.
    ReferredOnward,
    /// The family chose not to continue.
    FamilyDeclined,
    Other,
}

codes!(Outcome {
    HelpProvided => "help_provided",
    ContactEstablished => "contact_established",
    ReferredOnward => "referred_onward",
    FamilyDeclined => "family_declined",
    Other => "other",
});

impl ReferralStatus {
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ReferralStatus::Rejected
                | ReferralStatus::Completed
                | ReferralStatus::Failed
                | ReferralStatus::Cancelled
        )
    }

    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            ReferralStatus::Rejected
                | ReferralStatus::Failed
                | ReferralStatus::Cancelled
                | ReferralStatus::OnHold
        )
    }
}

/// One allowed move: from, to, and the side that may make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub to: ReferralStatus,
    /// `None`: either side.
    pub by: Option<Role>,
}

/// Which end of the referral acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Sender,
    Receiver,
}

/// The moves allowed from `status`. `resume_to` is where an on-hold referral returns.
pub fn moves(status: ReferralStatus, resume_to: Option<ReferralStatus>) -> Vec<Move> {
    use ReferralStatus::*;
    let by = |to, role| Move { to, by: Some(role) };
    let either = |to| Move { to, by: None };
    match status {
        Draft => vec![by(Requested, Role::Sender), either(Cancelled)],
        Requested => vec![
            by(Accepted, Role::Receiver),
            by(Rejected, Role::Receiver),
            either(Cancelled),
        ],
        Accepted => vec![
            by(InProgress, Role::Receiver),
            by(OnHold, Role::Receiver),
            either(Cancelled),
        ],
        InProgress => vec![
            by(Completed, Role::Receiver),
            by(Failed, Role::Receiver),
            by(OnHold, Role::Receiver),
            either(Cancelled),
        ],
        OnHold => vec![
            by(resume_to.unwrap_or(InProgress), Role::Receiver),
            either(Cancelled),
        ],
        Rejected | Completed | Failed | Cancelled => vec![],
    }
}

/// The statuses `role` may move a referral to from `status`.
pub fn allowed_transitions(
    status: ReferralStatus,
    resume_to: Option<ReferralStatus>,
    role: Role,
) -> Vec<ReferralStatus> {
    moves(status, resume_to)
        .into_iter()
        .filter(|m| m.by.is_none() || m.by == Some(role))
        .map(|m| m.to)
        .collect()
}

/// Whether an end of a referral sees the shared data and the sender's free
/// text: the sender always (it is its own), the receiver only until the view is
/// redacted.
pub fn shows_shared_data(role: Role, redacted: bool) -> bool {
    role == Role::Sender || !redacted
}

/// Whether an end sees the referral at all: a draft exists only for its sender.
pub fn visible_to(role: Role, status: ReferralStatus) -> bool {
    role == Role::Sender || status != ReferralStatus::Draft
}

/// Why a receiver's view of a referral lost the shared data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RedactionReason {
    ConsentWithdrawn,
    ConsentExpired,
    FamilyErased,
}

codes!(RedactionReason {
    ConsentWithdrawn => "consent_withdrawn",
    ConsentExpired => "consent_expired",
    FamilyErased => "family_erased",
});

/// Why the consent behind a referral no longer holds, if it does not: from the
/// family's consent (absent once the family is erased), or from the consent a
/// municipality stated, as it stands on `today`.
pub fn lapse(
    direction: Direction,
    family_consent: Option<ConsentState>,
    stated_until: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<RedactionReason> {
    match direction {
        Direction::ToMunicipality => match family_consent {
            None => Some(RedactionReason::FamilyErased),
            Some(ConsentState::Withdrawn) => Some(RedactionReason::ConsentWithdrawn),
            Some(ConsentState::Expired) => Some(RedactionReason::ConsentExpired),
            Some(ConsentState::Active | ConsentState::Pending) => None,
        },
        Direction::ToInitiative => match stated_until {
            Some(until) if today <= until => None,
            _ => Some(RedactionReason::ConsentExpired),
        },
    }
}

/// What a referral event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The status changed (`from` → `to`).
    StatusChanged,
    /// The receiver's view lost the shared data; `reason` says why.
    SharedDataRedacted,
}

codes!(EventKind {
    StatusChanged => "status_changed",
    SharedDataRedacted => "shared_data_redacted",
});

/// The free-text and linking fields of a status change, as a client sent them.
pub struct TransitionFields<'a> {
    pub to: ReferralStatus,
    pub reason: Option<&'a str>,
    pub outcome: Option<Outcome>,
    pub outcome_note: Option<&'a str>,
    pub link_family: bool,
    pub create_family: bool,
}

/// The checked texts of a status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionTexts {
    pub reason: Option<String>,
    pub outcome_note: Option<String>,
}

/// Whether a change accepts a referral to an initiative (which links a family).
pub fn accepts_into_initiative(direction: Direction, to: ReferralStatus) -> bool {
    direction == Direction::ToInitiative && to == ReferralStatus::Accepted
}

/// Checks the fields of a status change that the state machine does not: a
/// reason where one is needed, an outcome exactly when completing, and a family
/// linked (or created) exactly when accepting a referral to an initiative.
pub fn check_transition_fields(
    direction: Direction,
    fields: &TransitionFields<'_>,
) -> Result<TransitionTexts, Vec<FieldError>> {
    let mut violations = Violations::new();
    let reason = optional_text(fields.reason, "reason", &mut violations);
    if fields.to.needs_reason() && reason.is_none() {
        violations.add(
            "reason",
            format!(
                "a reason is required to make a referral {}",
                fields.to.code()
            ),
        );
    }
    let outcome_note = optional_text(fields.outcome_note, "outcome_note", &mut violations);
    if fields.to == ReferralStatus::Completed && fields.outcome.is_none() {
        violations.add("outcome", "an outcome is required to complete a referral");
    }
    if fields.to != ReferralStatus::Completed
        && (fields.outcome.is_some() || outcome_note.is_some())
    {
        violations.add("outcome", "an outcome is given only when completing");
    }
    let links = fields.link_family || fields.create_family;
    let accepting = accepts_into_initiative(direction, fields.to);
    if accepting && fields.link_family == fields.create_family {
        violations.add("link_family_id", "accepting a referral to an initiative links it to a family of the area (link_family_id) or creates one (create_family: true)");
    } else if links && !accepting {
        violations.add(
            "link_family_id",
            "families are linked only when accepting a referral to an initiative",
        );
    }
    let errors = violations.into_errors();
    if errors.is_empty() {
        Ok(TransitionTexts {
            reason,
            outcome_note,
        })
    } else {
        Err(errors)
    }
}

/// Why a transition is refused: 409 for a move that does not exist now, 403 for
/// one the other side must make. Both name the moves allowed now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a referral that is {from} cannot become {to}; allowed now: {allowed}")]
    Illegal {
        from: &'static str,
        to: &'static str,
        allowed: String,
    },
    #[error("only the {side} side may make a referral {to}; you may now: {allowed}")]
    WrongSide {
        to: &'static str,
        side: &'static str,
        allowed: String,
    },
}

fn describe(moves: &[Move], who: Option<Role>) -> String {
    let allowed: Vec<&str> = moves
        .iter()
        .filter(|m| who.is_none() || m.by.is_none() || m.by == who)
        .map(|m| m.to.code())
        .collect();
    if allowed.is_empty() {
        "none".into()
    } else {
        allowed.join(", ")
    }
}

/// Checks that `who` may move a referral from `from` to `to`.
pub fn check_transition(
    from: ReferralStatus,
    to: ReferralStatus,
    who: Role,
    direction: Direction,
    resume_to: Option<ReferralStatus>,
) -> Result<(), TransitionError> {
    let moves = moves(from, resume_to);
    let Some(found) = moves.iter().find(|m| m.to == to) else {
        return Err(TransitionError::Illegal {
            from: from.code(),
            to: to.code(),
            allowed: describe(&moves, None),
        });
    };
    match found.by {
        Some(role) if role != who => {
            let side = match role {
                Role::Sender => direction.sender(),
                Role::Receiver => direction.receiver(),
            };
            Err(TransitionError::WrongSide {
                to: to.code(),
                side: side.code(),
                allowed: describe(&moves, Some(who)),
            })
        }
        _ => Ok(()),
    }
}

/// The terms a referral asks a consent to cover.
pub struct ConsentNeed<'a> {
    pub unit: MunicipalUnit,
    pub purpose: ConsentPurpose,
    pub categories: &'a [DataCategory],
}

/// The terms a stored consent grants.
pub struct ConsentGrant<'a> {
    pub state: ConsentState,
    pub unit: MunicipalUnit,
    pub purpose: ConsentPurpose,
    pub categories: &'a [DataCategory],
}

/// Every way in which a consent fails to cover a referral; empty when it does.
pub fn consent_gaps(need: &ConsentNeed<'_>, grant: &ConsentGrant<'_>) -> Vec<String> {
    let mut gaps = Vec::new();
    match grant.state {
        ConsentState::Active => {}
        ConsentState::Pending => gaps.push("the consent is not valid yet".to_owned()),
        ConsentState::Expired => gaps.push("the consent has expired".to_owned()),
        ConsentState::Withdrawn => gaps.push("the consent has been withdrawn".to_owned()),
    }
    if grant.unit != need.unit {
        gaps.push(format!(
            "the consent names {}, not {}",
            grant.unit.code(),
            need.unit.code()
        ));
    }
    if grant.purpose != need.purpose {
        gaps.push(format!(
            "the consent covers {}, not {}",
            grant.purpose.code(),
            need.purpose.code()
        ));
    }
    for category in need.categories {
        if !grant.categories.contains(category) {
            gaps.push(format!(
                "the consent does not cover sharing {}",
                category.code()
            ));
        }
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    fn fields(to: ReferralStatus) -> TransitionFields<'static> {
        TransitionFields {
            to,
            reason: None,
            outcome: None,
            outcome_note: None,
            link_family: false,
            create_family: false,
        }
    }

    #[test]
    fn each_end_is_offered_only_the_moves_it_may_make() {
        assert_eq!(
            allowed_transitions(Requested, None, Role::Receiver),
            vec![Accepted, Rejected, Cancelled]
        );
        assert_eq!(
            allowed_transitions(Requested, None, Role::Sender),
            vec![Cancelled]
        );
    }

    #[test]
    fn the_receiver_loses_the_shared_data_with_the_consent_but_the_sender_keeps_its_own() {
        assert!(shows_shared_data(Role::Sender, true));
        assert!(shows_shared_data(Role::Receiver, false));
        assert!(!shows_shared_data(Role::Receiver, true));
    }

    #[test]
    fn a_draft_exists_only_for_its_sender() {
        assert!(visible_to(Role::Sender, Draft));
        assert!(!visible_to(Role::Receiver, Draft));
        assert!(visible_to(Role::Receiver, Requested));
    }

    #[test]
    fn a_lapsed_consent_names_why() {
        let today: NaiveDate = "2026-06-01".parse().unwrap();
        let municipality = Direction::ToMunicipality;
        assert_eq!(
            lapse(municipality, Some(ConsentState::Active), None, today),
            None
        );
        assert_eq!(
            lapse(municipality, Some(ConsentState::Withdrawn), None, today),
            Some(RedactionReason::ConsentWithdrawn)
        );
        assert_eq!(
            lapse(municipality, None, None, today),
            Some(RedactionReason::FamilyErased)
        );
        let initiative = Direction::ToInitiative;
        assert_eq!(lapse(initiative, None, Some(today), today), None);
        assert_eq!(
            lapse(initiative, None, today.pred_opt(), today),
            Some(RedactionReason::ConsentExpired)
        );
    }

    #[test]
    fn a_status_change_carries_a_reason_and_an_outcome_where_needed() {
        let errors =
            check_transition_fields(Direction::ToMunicipality, &fields(Rejected)).unwrap_err();
        assert_eq!(errors[0].field, "reason");
        let errors =
            check_transition_fields(Direction::ToMunicipality, &fields(Completed)).unwrap_err();
        assert_eq!(errors[0].field, "outcome");
        let accepted = check_transition_fields(Direction::ToInitiative, &fields(Accepted));
        assert_eq!(accepted.unwrap_err()[0].field, "link_family_id");
        let linked = TransitionFields {
            create_family: true,
            ..fields(Accepted)
        };
        assert!(check_transition_fields(Direction::ToInitiative, &linked).is_ok());
        assert!(check_transition_fields(Direction::ToMunicipality, &linked).is_err());
    }

    fn check(from: ReferralStatus, to: ReferralStatus, who: Role) -> Result<(), TransitionError> {
        check_transition(from, to, who, Direction::ToMunicipality, None)
    }

    #[test]
    fn the_closed_loop_runs_from_draft_to_completed() {
        assert!(check(Draft, Requested, Role::Sender).is_ok());
        assert!(check(Requested, Accepted, Role::Receiver).is_ok());
        assert!(check(Accepted, InProgress, Role::Receiver).is_ok());
        assert!(check(InProgress, Completed, Role::Receiver).is_ok());
    }

    #[test]
    fn the_receiver_decides_and_the_sender_only_submits() {
        let error = check(Requested, Accepted, Role::Sender).unwrap_err();
        assert!(
            matches!(
                error,
                TransitionError::WrongSide {
                    side: "municipal",
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().ends_with("you may now: cancelled"),
            "{error}"
        );
        assert!(matches!(
            check(Draft, Requested, Role::Receiver),
            Err(TransitionError::WrongSide { .. })
        ));
    }

    #[test]
    fn either_side_cancels_before_completion_and_nobody_after() {
        for from in [Draft, Requested, Accepted, InProgress, OnHold] {
            assert!(check(from, Cancelled, Role::Sender).is_ok(), "{from:?}");
            assert!(check(from, Cancelled, Role::Receiver).is_ok(), "{from:?}");
        }
        for closed in [Rejected, Completed, Failed, Cancelled] {
            let error = check(closed, Cancelled, Role::Sender).unwrap_err();
            assert!(error.to_string().ends_with("allowed now: none"), "{error}");
        }
    }

    #[test]
    fn on_hold_returns_to_where_it_was() {
        assert!(check(Accepted, OnHold, Role::Receiver).is_ok());
        assert!(check_transition(
            OnHold,
            Accepted,
            Role::Receiver,
            Direction::ToMunicipality,
            Some(Accepted)
        )
        .is_ok());
        assert!(check_transition(
            OnHold,
            InProgress,
            Role::Receiver,
            Direction::ToMunicipality,
            Some(Accepted)
        )
        .is_err());
    }

    #[test]
    fn skipping_a_step_is_illegal_and_names_the_allowed_moves() {
        let error = check(Requested, Completed, Role::Receiver).unwrap_err();
        assert_eq!(
            error,
            TransitionError::Illegal {
                from: "requested",
                to: "completed",
                allowed: "accepted, rejected, cancelled".into()
            }
        );
    }

    #[test]
    fn reasons_are_needed_to_stop_or_pause() {
        let needing: Vec<_> = ReferralStatus::ALL
            .iter()
            .filter(|s| s.needs_reason())
            .collect();
        assert_eq!(needing, [&Rejected, &OnHold, &Failed, &Cancelled]);
    }

    #[test]
    fn every_consent_gap_is_named() {
        let granted = [DataCategory::ContactDetails];
        let wanted = [
            DataCategory::ContactDetails,
            DataCategory::HouseholdComposition,
        ];
        let gaps = consent_gaps(
            &ConsentNeed {
                unit: MunicipalUnit::JobCentre,
                purpose: ConsentPurpose::JobCentreInternship,
                categories: &wanted,
            },
            &ConsentGrant {
                state: ConsentState::Expired,
                unit: MunicipalUnit::FamilyCounselling,
                purpose: ConsentPurpose::BridgeBuilding,
                categories: &granted,
            },
        );
        assert_eq!(gaps.len(), 4, "{gaps:?}");
        assert!(gaps[3].contains("household_composition"));
    }
}
