//! Sealing values that a database must keep but must not reveal: client secrets (the server
//! needs them back to sign id_tokens, spec §4.3) and host session ids (the `belgie_session`
//! cookie value, which codes and tokens refer to).
//!
//! A sealed value is XChaCha20-Poly1305 ciphertext under a key derived with HKDF-SHA256 from the
//! server's `secret`, bound to what it is (`purpose`) and where it belongs (`context`, e.g. the
//! client id) so a value copied into another row does not open. A copy of the database without
//! the server's `secret` reveals none of them.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

use crate::domain::Secret;

/// The first byte of every sealed value: the format and key derivation, so either can change.
const VERSION: u8 = 1;
/// XChaCha20's nonce length: long enough to pick at random for every value.
const NONCE_LEN: usize = 24;
/// HKDF salt: names this application so the key differs from any other use of the secret.
const SALT: &[u8] = b"oauth-reference-server/store";
/// HKDF info for the sealing key.
const INFO: &[u8] = b"sealing key v1";

/// What a sealed value is, bound into its authentication tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A client secret; the context is the client id.
    ClientSecret,
    /// A host session id referred to by a code or token; the context is the row's digest.
    SessionId,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::ClientSecret => b"client_secret",
            Self::SessionId => b"session_id",
        }
    }
}

/// A sealed value did not open: the server `secret` changed, or the row was tampered with.
#[derive(Debug, thiserror::Error)]
#[error("a sealed value does not open (was the server `secret` changed?)")]
pub struct Unsealable;

/// Seals and opens values with the key derived from the server's `secret`.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key redacted>)")
    }
}

impl Sealer {
    /// The sealer keyed by `server_secret`.
    pub fn new(server_secret: &Secret) -> Self {
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(SALT), server_secret.expose().as_bytes())
            .expand(INFO, &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// Seals `plaintext` as `purpose` for `context`: version, random nonce, ciphertext and tag.
    pub fn seal(&self, purpose: Purpose, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = associated_data(purpose, context);
        let payload = Payload {
            msg: plaintext,
            aad: &aad,
        };
        let ciphertext = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .expect("XChaCha20-Poly1305 encrypts any message that fits in memory");
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Opens what [`Sealer::seal`] made for the same `purpose` and `context`.
    pub fn open(
        &self,
        purpose: Purpose,
        context: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, Unsealable> {
        let Some((&VERSION, rest)) = sealed.split_first() else {
            return Err(Unsealable);
        };
        if rest.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let aad = associated_data(purpose, context);
        let payload = Payload {
            msg: ciphertext,
            aad: &aad,
        };
        self.cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| Unsealable)
    }
}

/// `purpose`, a zero byte, then `context`: no two (purpose, context) pairs give the same bytes.
fn associated_data(purpose: Purpose, context: &[u8]) -> Vec<u8> {
    let mut aad = purpose.label().to_vec();
    aad.push(0);
    aad.extend_from_slice(context);
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer(secret: &str) -> Sealer {
        Sealer::new(&Secret::new(secret))
    }

    #[test]
    fn a_sealed_value_opens_with_the_same_key_purpose_and_context() {
        let sealer = sealer("server-secret");
        let sealed = sealer.seal(Purpose::ClientSecret, b"client-a", b"s3cret");
        let opened = sealer.open(Purpose::ClientSecret, b"client-a", &sealed);
        assert_eq!(opened.expect("opens"), b"s3cret");
    }

    #[test]
    fn the_ciphertext_does_not_contain_the_value_and_differs_each_time() {
        let sealer = sealer("server-secret");
        let one = sealer.seal(Purpose::ClientSecret, b"c", b"plain-secret-value");
        let two = sealer.seal(Purpose::ClientSecret, b"c", b"plain-secret-value");
        assert_ne!(one, two, "a fresh nonce every time");
        let needle = b"plain-secret-value";
        assert!(!one.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn another_key_purpose_or_context_does_not_open_it() {
        let sealed = sealer("server-secret").seal(Purpose::ClientSecret, b"client-a", b"s");
        let other_key = sealer("another-secret").open(Purpose::ClientSecret, b"client-a", &sealed);
        assert!(other_key.is_err());
        let same = sealer("server-secret");
        assert!(same.open(Purpose::SessionId, b"client-a", &sealed).is_err());
        assert!(
            same.open(Purpose::ClientSecret, b"client-b", &sealed)
                .is_err()
        );
    }

    #[test]
    fn truncated_or_tampered_values_do_not_open() {
        let sealer = sealer("server-secret");
        let mut sealed = sealer.seal(Purpose::SessionId, b"row", b"value");
        assert!(
            sealer
                .open(Purpose::SessionId, b"row", &sealed[..10])
                .is_err()
        );
        assert!(sealer.open(Purpose::SessionId, b"row", &[]).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(sealer.open(Purpose::SessionId, b"row", &sealed).is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", sealer("k")), "Sealer(<key redacted>)");
    }
}
