//! Verifying bearer tokens into principals, and minting HS256 tokens for
//! development and scripts.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{decode, decode_header, encode, Algorithm, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::keys::KeySet;
use super::principal::{Actor, Principal, Role};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::municipality::MunicipalityCode;

/// Allowed clock difference between the identity provider and this service.
const CLOCK_LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub max_ttl: Duration,
}

/// The claims this service reads. Scope claims are optional here and required
/// per role when the principal is built.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// A string or an array of strings; checked by the validation, not read here.
    #[serde(default)]
    pub aud: serde_json::Value,
    pub sub: String,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

/// Why a token was not accepted; the text goes to the client in the problem.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// Not a token this service accepts (401).
    #[error("invalid token: {0}")]
    Invalid(String),
    /// A verified token whose claims carry text no record may hold (400).
    #[error("the token's claims cannot be used: {0}")]
    UnusableClaims(String),
}

/// Longest `sub` accepted: it is stored with every audit event.
const SUBJECT_MAX_CHARS: usize = 255;

pub struct TokenVerifier {
    /// Swapped whole when the key file is re-read; a request verifies with one set.
    keys: RwLock<Arc<KeySet>>,
    settings: TokenSettings,
}

impl TokenVerifier {
    pub fn new(keys: KeySet, settings: TokenSettings) -> Self {
        Self {
            keys: RwLock::new(Arc::new(keys)),
            settings,
        }
    }

    /// Verifies tokens with `keys` from now on.
    pub fn replace_keys(&self, keys: KeySet) {
        let mut current = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        *current = Arc::new(keys);
    }

    fn keys(&self) -> Arc<KeySet> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let header = decode_header(token)
            .map_err(|_| TokenError::Invalid("malformed token or header".into()))?;
        if !matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA
        ) {
            return Err(TokenError::Invalid(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let keys = self.keys();
        let key = keys
            .select(header.alg, header.kid.as_deref())
            .map_err(TokenError::Invalid)?;
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = CLOCK_LEEWAY_SECONDS;
        let claims = decode::<Claims>(token, &key.key, &validation)
            .map_err(|error| TokenError::Invalid(describe(error.kind())))?
            .claims;
        self.check_lifetime(&claims)?;
        check_claim_text(&claims)?;
        principal_from_claims(claims).map_err(TokenError::Invalid)
    }

    fn check_lifetime(&self, claims: &Claims) -> Result<(), TokenError> {
        let max = self.settings.max_ttl.as_secs() as i64;
        let now = chrono::Utc::now().timestamp();
        let issued = claims.iat.or(claims.nbf).unwrap_or(now);
        let lifetime = claims.exp - issued.min(now);
        if lifetime > max + CLOCK_LEEWAY_SECONDS as i64 {
            return Err(TokenError::Invalid(format!(
                "the token lives longer than the accepted maximum of {max} seconds"
            )));
        }
        Ok(())
    }
}

fn describe(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".into(),
        ErrorKind::InvalidSignature => "the signature does not verify".into(),
        ErrorKind::InvalidIssuer => "wrong issuer (iss)".into(),
        ErrorKind::InvalidAudience => "wrong audience (aud)".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the claim '{claim}' is required"),
        ErrorKind::InvalidAlgorithm => "the algorithm does not match the key".into(),
        ErrorKind::Json(error) => format!("unreadable claims: {error}"),
        _ => "the token could not be verified".into(),
    }
}

/// Claims end up in audit events and logs: no control characters, a bounded `sub`.
fn check_claim_text(claims: &Claims) -> Result<(), TokenError> {
    let texts = [
        Some(claims.sub.as_str()),
        claims.org.as_deref(),
        claims.unit.as_deref(),
        claims.municipality.as_deref(),
    ];
    let areas = claims.areas.iter().flatten().map(String::as_str);
    if texts
        .into_iter()
        .flatten()
        .chain(areas)
        .any(|text| text.chars().any(char::is_control))
    {
        return Err(TokenError::UnusableClaims(
            "a claim contains a control character".into(),
        ));
    }
    if claims.sub.chars().count() > SUBJECT_MAX_CHARS {
        return Err(TokenError::UnusableClaims(format!(
            "'sub' is longer than {SUBJECT_MAX_CHARS} characters"
        )));
    }
    Ok(())
}

fn principal_from_claims(claims: Claims) -> Result<Principal, String> {
    if claims.sub.trim().is_empty() {
        return Err("the claim 'sub' must not be empty".into());
    }
    let role =
        Role::parse(&claims.role).ok_or_else(|| format!("unknown role '{}'", claims.role))?;
    let municipality = |required: bool| -> Result<Option<MunicipalityCode>, String> {
        match (&claims.municipality, required) {
            (Some(code), _) => MunicipalityCode::parse(code)
                .map(Some)
                .map_err(|error| format!("claim 'municipality': {error}")),
            (None, true) => Err(format!(
                "role {} needs the claim 'municipality'",
                role.code()
            )),
            (None, false) => Ok(None),
        }
    };
    let actor = match role {
        Role::HousingSocialWorker => {
            let areas = claims
                .areas
                .as_ref()
                .ok_or("role housing_social_worker needs the claim 'areas'")?
                .iter()
                .map(|id| {
                    Uuid::parse_str(id)
                        .map_err(|_| format!("claim 'areas': '{id}' is not an area id"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Actor::HousingSocialWorker { areas }
        }
        Role::MunicipalCaseworker => {
            let unit = claims
                .unit
                .as_deref()
                .ok_or("role municipal_caseworker needs the claim 'unit'")?;
            Actor::MunicipalCaseworker {
                municipality: municipality(true)?.ok_or("missing municipality")?,
                unit: MunicipalUnit::parse(unit)
                    .map_err(|error| format!("claim 'unit': {error}"))?,
            }
        }
        Role::Analyst => Actor::Analyst {
            municipality: municipality(false)?,
        },
        Role::DataProtectionOfficer => Actor::DataProtectionOfficer {
            org: claims
                .org
                .clone()
                .filter(|org| !org.trim().is_empty())
                .ok_or("role data_protection_officer needs the claim 'org'")?,
        },
        Role::Admin => Actor::Admin,
    };
    Ok(Principal {
        subject: claims.sub,
        actor,
    })
}

/// What a minted token is for: role, subject and scope claims.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub role: String,
    pub subject: String,
    pub areas: Option<Vec<String>>,
    pub municipality: Option<String>,
    pub unit: Option<String>,
    pub org: Option<String>,
    pub ttl: Duration,
}

/// Signs an HS256 token with the given secret (development and scripts).
pub fn mint_hs256(
    secret: &[u8],
    settings: &TokenSettings,
    request: TokenRequest,
) -> Result<String, String> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        iss: settings.issuer.clone(),
        aud: serde_json::Value::String(settings.audience.clone()),
        sub: request.subject,
        exp: now + request.ttl.as_secs() as i64,
        iat: Some(now),
        nbf: Some(now),
        role: request.role,
        areas: request.areas,
        municipality: request.municipality,
        unit: request.unit,
        org: request.org,
    };
    // A token the service would refuse is of no use to anyone: check it like the server does.
    principal_from_claims(claims.clone())?;
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|error| format!("cannot sign the token: {error}"))
}
