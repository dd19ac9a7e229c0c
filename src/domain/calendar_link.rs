//! The secret of a calendar subscription address: 256 random bits, URL-safe.
//! Only its digest is looked up; the token itself is kept sealed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

const TOKEN_BYTES: usize = 32;

/// A token as it appears in a subscription address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarToken(String);

impl CalendarToken {
    pub fn generate() -> Self {
        let bytes: [u8; TOKEN_BYTES] = rand::random();
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token read from a path or the database; anything but 32 bytes in
    /// unpadded URL-safe base64 is none.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        (bytes.len() == TOKEN_BYTES && URL_SAFE_NO_PAD.encode(&bytes) == text)
            .then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How the database finds the link: SHA-256 of the token, hex.
    pub fn digest(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_parses_and_two_differ() {
        let token = CalendarToken::generate();
        assert_eq!(CalendarToken::parse(token.as_str()), Some(token.clone()));
        assert_ne!(token, CalendarToken::generate());
        assert_eq!(token.digest().len(), 64);
    }

    #[test]
    fn anything_but_a_whole_token_is_refused() {
        let token = CalendarToken::generate();
        assert_eq!(CalendarToken::parse(&token.as_str()[1..]), None);
        assert_eq!(CalendarToken::parse(&format!("{}=", token.as_str())), None);
        assert_eq!(CalendarToken::parse("../../etc/passwd"), None);
        assert_eq!(CalendarToken::parse(""), None);
    }
}
