//! Opaque values the server mints (codes, tokens, handles) and the digests it stores them by.
//!
//! The store never sees a token itself, only its [`TokenDigest`], so a copy of the store does
//! not let anyone present a token.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// `bytes` random bytes from the OS-seeded generator, as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// SHA-256 of a token's text: the key under which the store keeps it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenDigest(pub [u8; 32]);

impl TokenDigest {
    /// The digest of `token`.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenDigest({}…)", hex::encode(&self.0[..4]))
    }
}

macro_rules! opaque_token {
    ($(#[$doc:meta])* $name:ident, prefix = $prefix:expr, bytes = $bytes:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Mints a fresh random value.
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, random_hex($bytes)))
            }

            /// Wraps a value presented by a client.
            pub fn from_presented(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The value, for the response that hands it out.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// The digest the store keys it by.
            pub fn digest(&self) -> TokenDigest {
                TokenDigest::of(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

opaque_token!(
    /// An authorization code: `belgie_` + 32 hex (spec §4.1).
    AuthorizationCode, prefix = "belgie_", bytes = 16
);
opaque_token!(
    /// An opaque access token: `belgie_` + 64 hex (spec §4.1).
    AccessToken, prefix = "belgie_", bytes = 32
);
opaque_token!(
    /// An opaque refresh token: `belgie_` + 64 hex (spec §4.1).
    RefreshToken, prefix = "belgie_", bytes = 32
);
opaque_token!(
    /// The server's own handle for a pending authorization (R.3), carried in `/login?state=`.
    PendingHandle, prefix = "", bytes = 16
);
opaque_token!(
    /// The value of the cookie that ties a pending authorization to the browser that began it
    /// (R.3).
    BrowserBinding, prefix = "", bytes = 16
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_spec() {
        let code = AuthorizationCode::generate();
        assert!(code.expose().starts_with("belgie_"));
        assert_eq!(code.expose().len(), 7 + 32);
        assert_eq!(AccessToken::generate().expose().len(), 7 + 64);
        assert_eq!(PendingHandle::generate().expose().len(), 32);
    }

    #[test]
    fn digest_depends_on_the_value_and_debug_hides_it() {
        let token = AccessToken::generate();
        assert_eq!(token.digest(), TokenDigest::of(token.expose()));
        assert_ne!(token.digest(), AccessToken::generate().digest());
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
