//! PKCE (RFC 7636): the S256 challenge and the verifier's syntax.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A `code_challenge` as sent at authorize.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChallenge(pub String);

/// A `code_verifier` as sent at the token endpoint.
#[derive(Clone)]
pub struct CodeVerifier(String);

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier(<redacted>)")
    }
}

impl CodeVerifier {
    /// Accepts a verifier only if it is 43–128 unreserved characters (RFC 7636 §4.1).
    pub fn parse(text: &str) -> Option<Self> {
        let unreserved = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
        let ok = (43..=128).contains(&text.len()) && text.chars().all(unreserved);
        ok.then(|| Self(text.to_owned()))
    }

    /// Whether this verifier's S256 transform equals `challenge` (compared in constant time).
    pub fn satisfies(&self, challenge: &CodeChallenge) -> bool {
        use subtle::ConstantTimeEq;
        let computed = s256_challenge(&self.0);
        computed.as_bytes().ct_eq(challenge.0.as_bytes()).into()
    }
}

/// base64url(SHA-256(verifier)) without padding.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256_challenge(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let parsed = CodeVerifier::parse(verifier).expect("valid verifier");
        assert!(parsed.satisfies(&CodeChallenge(s256_challenge(verifier))));
    }

    #[test]
    fn verifier_syntax_is_enforced() {
        assert!(CodeVerifier::parse("verifier").is_none());
        assert!(CodeVerifier::parse(&"a".repeat(42)).is_none());
        assert!(CodeVerifier::parse(&"a".repeat(43)).is_some());
        assert!(CodeVerifier::parse(&"a".repeat(128)).is_some());
        assert!(CodeVerifier::parse(&"a".repeat(129)).is_none());
        assert!(CodeVerifier::parse(&format!("{}+", "a".repeat(43))).is_none());
    }
}
