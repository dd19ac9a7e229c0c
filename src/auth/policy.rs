//! The access policy: which role may use which operation, and which records a
//! caller's scope reaches. It is the only place such rules live; handlers ask it.
//!
//! Deny by default: an operation that has no rule here is denied to every role.
//! A role that may never use an operation gets 403; a caller that may, asking for
//! a record outside its scope, gets 404 exactly as for a record that does not exist.

use super::principal::{Actor, Principal, Role};
use crate::domain::municipality::MunicipalityCode;
use crate::error::ApiError;

/// Declares the operations, and for each a marker type of the same name in [`op`]
/// so that a handler names its operation in its signature: `Allowed<op::WriteAreas>`.
macro_rules! operations {
    ($($name:ident),+ $(,)?) => {
        /// Every operation of the API that needs a decision.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Operation {
            $($name),+
        }

        /// Marker types of the operations, for [`super::principal::Allowed`].
        pub mod op {
            $(
                pub struct $name;

                impl super::OperationMarker for $name {
                    const OPERATION: super::Operation = super::Operation::$name;
                }
            )+
        }
    };
}

pub trait OperationMarker {
    const OPERATION: Operation;
}

operations! {
    ReadCatalog,
    ReadAreas,
    WriteAreas,
}

use Role::*;

const EVERY_ROLE: &[Role] = &Role::ALL;

/// Operation → the roles admitted to it.
const RULES: &[(Operation, &[Role])] = &[
    (Operation::ReadCatalog, EVERY_ROLE),
    (Operation::ReadAreas, EVERY_ROLE),
    (Operation::WriteAreas, &[Admin]),
];

/// The roles admitted to `operation`; empty when it has no rule.
pub fn admitted_roles(operation: Operation) -> &'static [Role] {
    RULES
        .iter()
        .find(|(rule_operation, _)| *rule_operation == operation)
        .map(|(_, roles)| *roles)
        .unwrap_or(&[])
}

/// 403 unless the caller's role is admitted to `operation`.
pub fn authorize(principal: &Principal, operation: Operation) -> Result<(), ApiError> {
    if admitted_roles(operation).contains(&principal.role()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Which areas a caller sees. Areas are aggregate data, shared between the sides;
/// municipal staff (and analysts bound to a municipality) see their municipality's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaVisibility {
    All,
    Municipality(MunicipalityCode),
}

pub fn area_visibility(principal: &Principal) -> AreaVisibility {
    match &principal.actor {
        Actor::MunicipalCaseworker { municipality, .. } => {
            AreaVisibility::Municipality(*municipality)
        }
        Actor::Analyst {
            municipality: Some(municipality),
        } => AreaVisibility::Municipality(*municipality),
        Actor::HousingSocialWorker { .. }
        | Actor::Analyst { municipality: None }
        | Actor::DataProtectionOfficer { .. }
        | Actor::Admin => AreaVisibility::All,
    }
}

impl AreaVisibility {
    pub fn includes(self, municipality_code: &str) -> bool {
        match self {
            AreaVisibility::All => true,
            AreaVisibility::Municipality(code) => code.as_str() == municipality_code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::MunicipalUnit;

    fn principal(actor: Actor) -> Principal {
        Principal {
            subject: "someone".into(),
            actor,
        }
    }

    fn copenhagen() -> MunicipalityCode {
        MunicipalityCode::parse("101").unwrap()
    }

    #[test]
    fn only_admins_write_areas() {
        assert!(authorize(&principal(Actor::Admin), Operation::WriteAreas).is_ok());
        let worker = principal(Actor::HousingSocialWorker { areas: vec![] });
        assert!(matches!(
            authorize(&worker, Operation::WriteAreas),
            Err(ApiError::Forbidden)
        ));
    }

    #[test]
    fn every_role_reads_the_catalogue() {
        assert_eq!(admitted_roles(Operation::ReadCatalog), &Role::ALL);
    }

    #[test]
    fn a_caseworker_sees_only_areas_of_its_municipality() {
        let caseworker = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::SocialServices,
        });
        let visibility = area_visibility(&caseworker);
        assert!(visibility.includes("101"));
        assert!(!visibility.includes("751"));
    }

    #[test]
    fn an_analyst_without_municipality_sees_every_area() {
        let analyst = principal(Actor::Analyst { municipality: None });
        assert!(area_visibility(&analyst).includes("751"));
    }
}
