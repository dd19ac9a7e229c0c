//! The verified caller: role and the scope its token grants.

use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::policy::{authorize, is_individual_data, OperationMarker};
use super::token::TokenVerifier;
use crate::domain::catalog::MunicipalUnit;
use crate::domain::municipality::MunicipalityCode;
use crate::error::ApiError;

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// A caller whose role the policy admits to operation `O`. As an extractor it runs
/// before the body is read, so a role that may never use an operation gets 403
/// whatever it sends.
pub struct Allowed<O> {
    pub principal: Principal,
    operation: PhantomData<O>,
}

/// Marks a request to an individual-data operation (with the caller, when
/// known), so that a denied attempt is recorded in the audit trail.
#[derive(Debug, Clone)]
pub struct IndividualDataRoute {
    pub principal: Option<Principal>,
}

impl<O: OperationMarker> FromRequest for Allowed<O> {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let principal = authenticate(req);
        if is_individual_data(O::OPERATION) {
            req.extensions_mut().insert(IndividualDataRoute {
                principal: principal.as_ref().ok().cloned(),
            });
        }
        ready(principal.and_then(|principal| {
            authorize(&principal, O::OPERATION)?;
            Ok(Allowed {
                principal,
                operation: PhantomData,
            })
        }))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    let verifier = req
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or_else(|| ApiError::internal("token verifier is not configured"))?;
    let header_value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthenticated("a bearer token is required".into()))?;
    let token = header_value
        .to_str()
        .ok()
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthenticated("the Authorization header must be 'Bearer <token>'".into())
        })?;
    verifier
        .verify(token)
        .map_err(|error| ApiError::Unauthenticated(error.to_string()))
}
