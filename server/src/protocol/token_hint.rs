//! What revocation and introspection share about the presented token: the `token_type_hint`
//! (an unknown value is ignored, R.8) and the digest of the value after a `Bearer ` prefix.

use crate::domain::TokenDigest;

/// A `token_type_hint` this server understands; any other value is ignored (R.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenHint {
    /// `access_token`: only access tokens are looked up.
    AccessToken,
    /// `refresh_token`: only refresh tokens are looked up.
    RefreshToken,
}

impl TokenHint {
    /// The hint, or `None` for an absent or unknown value.
    pub fn parse(value: Option<&str>) -> Option<Self> {
        match value {
            Some("access_token") => Some(Self::AccessToken),
            Some("refresh_token") => Some(Self::RefreshToken),
            _ => None,
        }
    }

    /// Whether access tokens are looked up under this hint.
    pub fn includes_access_tokens(hint: Option<Self>) -> bool {
        hint != Some(Self::RefreshToken)
    }

    /// Whether refresh tokens are looked up under this hint.
    pub fn includes_refresh_tokens(hint: Option<Self>) -> bool {
        hint != Some(Self::AccessToken)
    }
}

/// The presented token's digest, after stripping a leading `Bearer ` (any case).
pub fn presented_digest(token: &str) -> TokenDigest {
    let token = match token.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => &token[7..],
        _ => token,
    };
    TokenDigest::of(token)
}
