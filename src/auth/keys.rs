//! Verification keys: an HS256 secret and public keys (RS256, ES256, EdDSA) from a
//! PEM file or a JWKS file. Each key verifies exactly one algorithm.

use std::path::{Path, PathBuf};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};

/// Shortest HS256 secret accepted: 256 bits, the size of the hash.
pub const HS256_MIN_SECRET_BYTES: usize = 32;

pub struct VerificationKey {
    /// `kid` of the key; keys from a PEM file have none.
    pub kid: Option<String>,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// Where the verification keys come from: the HS256 secret (fixed while the
/// process runs) and the public-key file, which is re-read when it changes.
#[derive(Debug, Clone, Default)]
pub struct KeySource {
    pub secret: Option<Vec<u8>>,
    pub file: Option<PathBuf>,
}

impl KeySource {
    /// The keys as the source holds them now; an error names what is wrong.
    pub fn load(&self) -> Result<KeySet, String> {
        let mut keys = KeySet::default();
        if let Some(secret) = &self.secret {
            keys.add_hs256_secret(secret)?;
        }
        if let Some(file) = &self.file {
            keys.add_public_keys_file(file)?;
        }
        if keys.is_empty() {
            return Err("no verification key".into());
        }
        Ok(keys)
    }
}

/// All keys tokens may be signed with.
#[derive(Default)]
pub struct KeySet {
    pub keys: Vec<VerificationKey>,
}

impl KeySet {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn add_hs256_secret(&mut self, secret: &[u8]) -> Result<(), String> {
        if secret.len() < HS256_MIN_SECRET_BYTES {
            return Err(format!(
                "the HS256 secret must be at least {HS256_MIN_SECRET_BYTES} bytes long (it is {})",
                secret.len()
            ));
        }
        self.keys.push(VerificationKey {
            kid: None,
            algorithm: Algorithm::HS256,
            key: DecodingKey::from_secret(secret),
        });
        Ok(())
    }

    /// Loads a PEM public key or a JWKS document; which one is decided by the content.
    pub fn add_public_keys_file(&mut self, path: &Path) -> Result<(), String> {
        let content = std::fs::read(path)
            .map_err(|error| format!("cannot read '{}': {error}", path.display()))?;
        let is_jwks = content.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if is_jwks {
            self.add_jwks(&content)
        } else {
            self.add_pem(&content)
        }
        .map_err(|error| format!("'{}': {error}", path.display()))
    }

    fn add_pem(&mut self, pem: &[u8]) -> Result<(), String> {
        let (algorithm, key) = if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            (Algorithm::RS256, key)
        } else if let Ok(key) = DecodingKey::from_ec_pem(pem) {
            (Algorithm::ES256, key)
        } else if let Ok(key) = DecodingKey::from_ed_pem(pem) {
            (Algorithm::EdDSA, key)
        } else {
            return Err(
                "not a PEM public key of type RSA, EC P-256 (PKCS#8) or Ed25519".to_owned(),
            );
        };
        self.keys.push(VerificationKey {
            kid: None,
            algorithm,
            key,
        });
        Ok(())
    }

    fn add_jwks(&mut self, json: &[u8]) -> Result<(), String> {
        let set: JwkSet = serde_json::from_slice(json)
            .map_err(|error| format!("not a JWKS document: {error}"))?;
        for jwk in &set.keys {
            let kid = jwk
                .common
                .key_id
                .clone()
                .ok_or("every key of a JWKS document needs a 'kid'")?;
            let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
                (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
                (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
                    if ec.curve == EllipticCurve::P256 =>
                {
                    Algorithm::ES256
                }
                (AlgorithmParameters::OctetKeyPair(okp), None | Some(KeyAlgorithm::EdDSA))
                    if okp.curve == EllipticCurve::Ed25519 =>
                {
                    Algorithm::EdDSA
                }
                _ => {
                    return Err(format!(
                        "key '{kid}' is not an RS256, ES256 (P-256) or EdDSA (Ed25519) key"
                    ))
                }
            };
            let key =
                DecodingKey::from_jwk(jwk).map_err(|error| format!("key '{kid}': {error}"))?;
            self.keys.push(VerificationKey {
                kid: Some(kid),
                algorithm,
                key,
            });
        }
        Ok(())
    }

    /// The key a token with this header must verify against, if any.
    /// A token naming a `kid` is verified only by that key; without a `kid`, the
    /// algorithm must identify exactly one key.
    pub fn select(
        &self,
        algorithm: Algorithm,
        kid: Option<&str>,
    ) -> Result<&VerificationKey, String> {
        let candidates: Vec<&VerificationKey> = match kid {
            Some(kid) => {
                let named: Vec<_> = self
                    .keys
                    .iter()
                    .filter(|key| key.kid.as_deref() == Some(kid))
                    .collect();
                if named.is_empty() {
                    return Err(format!("unknown key id (kid) '{kid}'"));
                }
                named
            }
            None => self.keys.iter().filter(|key| key.kid.is_none()).collect(),
        };
        let matching: Vec<_> = candidates
            .into_iter()
            .filter(|key| key.algorithm == algorithm)
            .collect();
        match matching.as_slice() {
            [key] => Ok(key),
            [] => Err(format!(
                "algorithm {algorithm:?} is not accepted for this key"
            )),
            _ => Err("several keys match; the token must name its key with 'kid'".to_owned()),
        }
    }
}
