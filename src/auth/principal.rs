//! The verified caller: role and the scope its token grants.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::catalog::MunicipalUnit;
use crate::domain::municipality::MunicipalityCode;

/// The roles a token can carry (claim `role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    HousingSocialWorker,
    MunicipalCaseworker,
    Analyst,
    DataProtectionOfficer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::HousingSocialWorker,
        Role::MunicipalCaseworker,
        Role::Analyst,
        Role::DataProtectionOfficer,
        Role::Admin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::HousingSocialWorker => "housing_social_worker",
            Role::MunicipalCaseworker => "municipal_caseworker",
            Role::Analyst => "analyst",
            Role::DataProtectionOfficer => "data_protection_officer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }
}

/// A role together with the scope its token grants; a role cannot exist without its scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    HousingSocialWorker {
        areas: Vec<Uuid>,
    },
    MunicipalCaseworker {
        municipality: MunicipalityCode,
        unit: MunicipalUnit,
    },
    Analyst {
        municipality: Option<MunicipalityCode>,
    },
    DataProtectionOfficer {
        org: String,
    },
    Admin,
}

/// The caller of a request, as its verified token says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    pub subject: String,
    pub actor: Actor,
}

impl Principal {
    pub fn role(&self) -> Role {
        match self.actor {
            Actor::HousingSocialWorker { .. } => Role::HousingSocialWorker,
            Actor::MunicipalCaseworker { .. } => Role::MunicipalCaseworker,
            Actor::Analyst { .. } => Role::Analyst,
            Actor::DataProtectionOfficer { .. } => Role::DataProtectionOfficer,
            Actor::Admin => Role::Admin,
        }
    }

    /// A digest of everything the token grants: subject, role and scope claims.
    /// Two tokens share it only when they may do exactly the same.
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.subject.as_bytes());
        hasher.update([0]);
        hasher.update(self.role().code());
        match &self.actor {
            Actor::HousingSocialWorker { areas } => {
                let mut areas = areas.clone();
                areas.sort();
                areas.dedup();
                for area in areas {
                    hasher.update(area.as_bytes());
                }
            }
            Actor::MunicipalCaseworker { municipality, unit } => {
                hasher.update(municipality.as_str());
                hasher.update([0]);
                hasher.update(unit.code());
            }
            Actor::Analyst { municipality } => {
                hasher.update(municipality.map(|code| code.as_str()).unwrap_or_default());
            }
            Actor::DataProtectionOfficer { org } => hasher.update(org.as_bytes()),
            Actor::Admin => {}
        }
        hasher.finalize().into()
    }
}
