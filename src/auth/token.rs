//! Verifying bearer tokens into principals, and minting HS256 tokens for
//! development and scripts.

use std::sync::atomic::{AtomicU64, Ordering};
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

/// How many verified tokens are remembered: a client sends the same token with
/// every request until it expires, and checking its signature and claims costs
/// more than the rest of a small read. Enough for every caller of a busy hour.
const VERIFIED_TOKENS_KEPT: usize = 512;

/// A token that verified, and the time in which that result holds.
struct Verified {
    principal: Principal,
    /// The key set it verified with (see [`TokenVerifier::replace_keys`]).
    key_generation: u64,
    /// Unix seconds: from `nbf` to `exp`, each widened by the clock leeway.
    usable_from: i64,
    usable_until: i64,
}

impl Verified {
    fn holds_at(&self, now: i64, key_generation: u64) -> bool {
        self.key_generation == key_generation
            && (self.usable_from..=self.usable_until).contains(&now)
    }
}

pub struct TokenVerifier {
    /// Swapped whole when the key file is re-read; a request verifies with one set.
    keys: RwLock<Arc<KeySet>>,
    /// Counts key sets, so a result obtained with a replaced set is not used.
    key_generation: AtomicU64,
    /// Verified tokens by their exact bytes; a refused token is not kept and is
    /// checked again on every request.
    verified: quick_cache::sync::Cache<Box<[u8]>, Arc<Verified>>,
    settings: TokenSettings,
}

impl TokenVerifier {
    pub fn new(keys: KeySet, settings: TokenSettings) -> Self {
        Self {
            keys: RwLock::new(Arc::new(keys)),
            key_generation: AtomicU64::new(0),
            verified: quick_cache::sync::Cache::new(VERIFIED_TOKENS_KEPT),
            settings,
        }
    }

    /// Verifies tokens with `keys` from now on; tokens verified with the old
    /// keys are verified again.
    pub fn replace_keys(&self, keys: KeySet) {
        let mut current = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        *current = Arc::new(keys);
        self.key_generation.fetch_add(1, Ordering::SeqCst);
        self.verified.clear();
    }

    fn keys(&self) -> Arc<KeySet> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The principal `token` names, if it is one this service accepts now.
    /// Taken as bytes: a remembered token is found without checking a few
    /// kilobytes for UTF-8 on every request.
    pub fn verify(&self, token: &[u8]) -> Result<Principal, TokenError> {
        let now = chrono::Utc::now().timestamp();
        let key_generation = self.key_generation.load(Ordering::SeqCst);
        if let Some(known) = self.verified.get(token) {
            if known.holds_at(now, key_generation) {
                return Ok(known.principal.clone());
            }
        }
        let (principal, claims) = self.verify_anew(token)?;
        let leeway = CLOCK_LEEWAY_SECONDS as i64;
        self.verified.insert(
            token.into(),
            Arc::new(Verified {
                principal: principal.clone(),
                key_generation,
                usable_from: claims.nbf.map_or(i64::MIN, |nbf| nbf - leeway),
                usable_until: claims.exp.saturating_add(leeway),
            }),
        );
        Ok(principal)
    }

    /// Checks the signature, the claims and the scope of `token`.
    fn verify_anew(&self, token: &[u8]) -> Result<(Principal, TimeClaims), TokenError> {
        let malformed = || TokenError::Invalid("malformed token or header".into());
        let token = std::str::from_utf8(token).map_err(|_| malformed())?;
        let header = decode_header(token).map_err(|_| malformed())?;
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
        let times = TimeClaims {
            nbf: claims.nbf,
            exp: claims.exp,
        };
        let principal = principal_from_claims(claims).map_err(TokenError::Invalid)?;
        Ok((principal, times))
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

/// When a verified token may be used.
struct TimeClaims {
    nbf: Option<i64>,
    exp: i64,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> TokenSettings {
        TokenSettings {
            issuer: "issuer".into(),
            audience: "familiebro".into(),
            max_ttl: Duration::from_secs(3600),
        }
    }

    fn keys(secret: &[u8]) -> KeySet {
        let mut keys = KeySet::default();
        keys.add_hs256_secret(secret).expect("a long enough secret");
        keys
    }

    fn admin_token(secret: &[u8]) -> String {
        let request = TokenRequest {
            role: "admin".into(),
            subject: "someone".into(),
            ttl: Duration::from_secs(600),
            ..TokenRequest::default()
        };
        mint_hs256(secret, &settings(), request).expect("a token")
    }

    const FIRST: &[u8] = b"first-secret-first-secret-first-secret-0123";
    const SECOND: &[u8] = b"second-secret-second-secret-second-secret-01";

    #[test]
    fn a_token_verified_before_the_keys_were_replaced_is_refused_by_the_new_keys() {
        let verifier = TokenVerifier::new(keys(FIRST), settings());
        let token = admin_token(FIRST);
        assert!(verifier.verify(token.as_bytes()).is_ok());
        assert!(
            verifier.verify(token.as_bytes()).is_ok(),
            "a second use is accepted too"
        );
        verifier.replace_keys(keys(SECOND));
        assert!(matches!(
            verifier.verify(token.as_bytes()),
            Err(TokenError::Invalid(_))
        ));
        assert!(verifier.verify(admin_token(SECOND).as_bytes()).is_ok());
    }

    #[test]
    fn a_remembered_token_holds_only_within_its_validity_and_key_set() {
        let verified = Verified {
            principal: Principal {
                subject: "someone".into(),
                actor: Actor::Admin,
            },
            key_generation: 3,
            usable_from: 1_000,
            usable_until: 2_000,
        };
        assert!(verified.holds_at(1_000, 3));
        assert!(verified.holds_at(2_000, 3));
        assert!(!verified.holds_at(999, 3), "before nbf");
        assert!(!verified.holds_at(2_001, 3), "after exp");
        assert!(
            !verified.holds_at(1_500, 4),
            "verified with keys since replaced"
        );
    }
}
