//! A secret string: redacted when printed, compared in constant time, never derived-equal.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A secret value (client secret, password, the fallback signing secret).
///
/// `Debug` prints a placeholder, there is no `PartialEq`, and [`Secret::matches`] compares in
/// constant time.
#[derive(Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret's text, for the few places that must use it (key derivation, hashing).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares with a presented value in constant time.
    ///
    /// Both sides are hashed first, so the comparison does not leak the length either.
    pub fn matches(&self, presented: &str) -> bool {
        let ours = Sha256::digest(self.0.as_bytes());
        let theirs = Sha256::digest(presented.as_bytes());
        ours.ct_eq(&theirs).into()
    }

    /// SHA-256 of the secret's UTF-8 bytes: the HS256 key for id_tokens (spec §4.3).
    pub fn sha256_key(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn matches_only_the_same_value() {
        let secret = Secret::new("test-secret");
        assert!(secret.matches("test-secret"));
        assert!(!secret.matches("test-secre"));
        assert!(!secret.matches(""));
    }
}
