//! Values kept encrypted at rest (CPR numbers in concern reports), with an AEAD
//! cipher (XChaCha20-Poly1305). Keys have ids, so they can rotate: new values
//! are sealed with the current key, old ones stay readable with theirs until
//! they are sealed anew. A sealed value is `v1.<key id>.<base64 of nonce and
//! ciphertext>`; the record's id is bound in as associated data, so a sealed
//! value copied to another record does not open.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

const PREFIX: &str = "v1";
const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

/// The LIKE pattern of values sealed with key `key` (key ids hold no wildcards).
pub fn sealed_by(key: &str) -> String {
    format!("{PREFIX}.{key}.%")
}

/// The queries `familiebro rekey` and `familiebro check` need of a table whose
/// column `$sealed` holds one sealed value per row `$id`: `sealed_outside`
/// (a batch of (id, value) sealed with none of some keys, after an id),
/// `count_sealed_outside`, and `set_sealed` (store a value sealed anew).
macro_rules! sealed_column_queries {
    ($table:ident, $id:ident, $sealed:ident) => {
        /// Up to `limit` (id, sealed value) pairs after `after_id` sealed with none of `keys`.
        pub fn sealed_outside(
            connection: &mut $crate::db::DbConnection,
            keys: &[&str],
            after_id: Option<&str>,
            limit: i64,
        ) -> diesel::QueryResult<Vec<(String, String)>> {
            let mut query = $table::table
                .select(($table::$id, $table::$sealed))
                .into_boxed();
            for key in keys {
                query = query.filter($table::$sealed.not_like($crate::db::sealed::sealed_by(key)));
            }
            if let Some(after) = after_id {
                query = query.filter($table::$id.gt(after.to_owned()));
            }
            query.order($table::$id.asc()).limit(limit).load(connection)
        }

        /// How many values are sealed with none of `keys`.
        pub fn count_sealed_outside(
            connection: &mut $crate::db::DbConnection,
            keys: &[&str],
        ) -> diesel::QueryResult<i64> {
            let mut query = $table::table.into_boxed();
            for key in keys {
                query = query.filter($table::$sealed.not_like($crate::db::sealed::sealed_by(key)));
            }
            query.count().get_result(connection)
        }

        /// Stores the value of row `id` sealed anew.
        pub fn set_sealed(
            connection: &mut $crate::db::DbConnection,
            id: &str,
            sealed: &str,
        ) -> diesel::QueryResult<()> {
            diesel::update($table::table.find(id))
                .set($table::$sealed.eq(sealed))
                .execute(connection)
                .map(|_| ())
        }
    };
}
pub(crate) use sealed_column_queries;

/// The data keys: the current one seals, every one opens what it sealed.
#[derive(Clone)]
pub struct DataKeys {
    keys: Vec<(String, XChaCha20Poly1305)>,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        formatter
            .debug_struct("DataKeys")
            .field("ids", &ids)
            .finish()
    }
}

impl DataKeys {
    /// Parses `id:base64-key[,id:base64-key…]` (32-byte keys); the first is current.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for entry in text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
        {
            let (id, encoded) = entry
                .split_once(':')
                .ok_or("each key is written id:base64 (e.g. 2026-1:…)")?;
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(format!("key id '{id}' must be letters, digits and '-'"));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim_end_matches('='))
                .or_else(|_| STANDARD_NO_PAD.decode(encoded.trim_end_matches('=')))
                .map_err(|_| format!("key '{id}' is not base64"))?;
            if bytes.len() != KEY_BYTES {
                return Err(format!(
                    "key '{id}' must be {KEY_BYTES} bytes, not {}",
                    bytes.len()
                ));
            }
            if keys.iter().any(|(known, _)| known == id) {
                return Err(format!("key id '{id}' is given twice"));
            }
            let key: [u8; KEY_BYTES] = bytes
                .try_into()
                .map_err(|_| format!("key '{id}' must be {KEY_BYTES} bytes"))?;
            keys.push((id.to_owned(), XChaCha20Poly1305::new(&Key::from(key))));
        }
        if keys.is_empty() {
            return Err("no key is given".into());
        }
        Ok(Self { keys })
    }

    /// A new random key in the form [`DataKeys::parse`] reads.
    pub fn generate(id: &str) -> String {
        let key: [u8; KEY_BYTES] = rand::random();
        format!(
            "{id}:{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        )
    }

    /// The ids of all keys, the current one first.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// The id of the key new values are sealed with.
    pub fn current_id(&self) -> &str {
        &self.keys[0].0
    }

    /// `plain` sealed with the current key, bound to `record_id`.
    pub fn seal(&self, plain: &str, record_id: &str) -> Result<String, String> {
        let (id, cipher) = &self.keys[0];
        let nonce: [u8; NONCE_BYTES] = rand::random();
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: record_id.as_bytes(),
                },
            )
            .map_err(|_| "sealing failed".to_owned())?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}.{id}.{}", STANDARD_NO_PAD.encode(bytes)))
    }

    /// The plain value of `sealed`, which was sealed for `record_id`.
    pub fn open(&self, sealed: &str, record_id: &str) -> Result<String, String> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(PREFIX), Some(id), Some(encoded)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err("not a sealed value".into());
        };
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(known, _)| known == id)
            .ok_or_else(|| format!("sealed with key '{id}', which is not configured"))?;
        let bytes = STANDARD_NO_PAD
            .decode(encoded)
            .map_err(|_| "a sealed value is not base64".to_owned())?;
        if bytes.len() < NONCE_BYTES {
            return Err("a sealed value is too short".into());
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce
            .try_into()
            .map_err(|_| "a sealed value is too short".to_owned())?;
        let plain = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: record_id.as_bytes(),
                },
            )
            .map_err(|_| "a sealed value does not open with its key".to_owned())?;
        String::from_utf8(plain).map_err(|_| "a sealed value is not text".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_for_its_record_only() {
        let keys = DataKeys::parse(&DataKeys::generate("k1")).unwrap();
        let sealed = keys.seal("0101901234", "report-1").unwrap();
        assert!(!sealed.contains("0101901234"));
        assert_eq!(keys.open(&sealed, "report-1").unwrap(), "0101901234");
        assert!(keys.open(&sealed, "report-2").is_err());
    }

    #[test]
    fn old_keys_still_open_and_new_values_use_the_first() {
        let old = DataKeys::generate("2025");
        let new = DataKeys::generate("2026");
        let before = DataKeys::parse(&old).unwrap().seal("x", "r").unwrap();
        let rotated = DataKeys::parse(&format!("{new},{old}")).unwrap();
        assert_eq!(rotated.open(&before, "r").unwrap(), "x");
        assert!(rotated.seal("x", "r").unwrap().starts_with("v1.2026."));
        assert!(DataKeys::parse(&new).unwrap().open(&before, "r").is_err());
    }

    #[test]
    fn malformed_keys_are_named() {
        assert!(DataKeys::parse("").is_err());
        assert!(DataKeys::parse("k1:c2hvcnQ=")
            .unwrap_err()
            .contains("32 bytes"));
        assert!(DataKeys::parse("no-colon").is_err());
    }
}
