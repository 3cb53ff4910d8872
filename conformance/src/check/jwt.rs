//! JWT checks: taking a token apart, verifying its signature with a key whose algorithm is
//! pinned (never the one the token names for itself), matching header members and claims, and
//! the `exp` and `iat` time checks. Key material arrives ready; fetching a JWKS is the runner's.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use indexmap::IndexMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::Mismatch;
use super::matcher::{check, show};
use crate::case::Matcher;

/// Clock skew allowed on `exp` and `iat`, in seconds.
const LEEWAY: i64 = 60;

/// A key to verify a signature with; the key decides the algorithm.
#[derive(Clone)]
pub enum VerifyKey {
    /// HS256 with these raw bytes as the key.
    Hs256(Vec<u8>),
    /// Any key of this JWKS (`{"keys": [...]}`), chosen by `kid`.
    Jwks(Value),
}

impl VerifyKey {
    /// The key in words, for messages (never the key material).
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Hs256(_) => "the HS256 key",
            Self::Jwks(_) => "a key of the JWKS",
        }
    }
}

impl fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hs256(_) => f.write_str("Hs256([redacted])"),
            Self::Jwks(jwks) => f.debug_tuple("Jwks").field(jwks).finish(),
        }
    }
}

/// A JWT's header and claims, decoded without any check of the signature.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedJwt {
    /// The JOSE header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
}

/// What [`check_jwt`] holds a token to: the rendered parts of a case's JWT check.
#[derive(Clone, Copy, Debug)]
pub struct JwtExpectation<'a> {
    /// A key that must verify the signature.
    pub verify: Option<&'a VerifyKey>,
    /// A key that must not verify the signature.
    pub not_verify: Option<&'a VerifyKey>,
    /// Header member → matcher.
    pub header: &'a IndexMap<String, Matcher>,
    /// Claim → matcher.
    pub claims: &'a IndexMap<String, Matcher>,
    /// The token is expected to have expired.
    pub expired: bool,
    /// The current Unix time, in seconds.
    pub now: i64,
}

/// Splits a compact JWT into its header and claims: three base64url parts (no padding), the
/// first two JSON objects. The signature is not checked.
pub fn decode(token: &str) -> Result<DecodedJwt, Mismatch> {
    decode_parts(token).map_err(|problem| malformed("jwt", &problem))
}

/// The HS256 key the Belgie family derives from a secret: SHA-256 of its UTF-8 bytes.
pub fn sha256_key(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Whether `key` verifies the token's signature, with the algorithm pinned by the key: `HS256`
/// for an HS256 key; for a JWKS, the JWK's `alg`, or its curve, or for RSA the token's own
/// `RS*`/`PS*` choice. `Ok(false)` when the signature does not verify (including a token whose
/// `alg` is not the pinned one); `Err` when the key cannot be used at all.
pub fn verifies(token: &str, key: &VerifyKey) -> Result<bool, String> {
    match key {
        VerifyKey::Hs256(secret) => {
            let key = DecodingKey::from_secret(secret).map_err(|e| format!("HS256 key: {e}"))?;
            verify_with(token, &key, Algorithm::HS256)
        }
        VerifyKey::Jwks(jwks) => verifies_with_jwks(token, jwks),
    }
}

/// Decodes `token` and holds it to `expect`, in this order: the shape, `verify`, `not_verify`,
/// the header matchers, the claim matchers, then `exp` and `iat`. Checks are named after
/// `label` (`id_token signature`, `id_token claims.aud`). The decoded token on success.
pub fn check_jwt(
    label: &str,
    token: &str,
    expect: &JwtExpectation<'_>,
) -> Result<DecodedJwt, Mismatch> {
    let decoded = decode_parts(token).map_err(|problem| malformed(label, &problem))?;

    if let Some(key) = expect.verify {
        check_verifies(label, token, key)?;
    }
    if let Some(key) = expect.not_verify {
        check_does_not_verify(label, token, key)?;
    }

    check_members(&format!("{label} header"), expect.header, &decoded.header)?;
    check_members(&format!("{label} claims"), expect.claims, &decoded.claims)?;

    check_times(label, &decoded.claims, expect)?;
    Ok(decoded)
}

/// The decoding itself; the error is what is wrong with the token, in words.
fn decode_parts(token: &str) -> Result<DecodedJwt, String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else {
        return Err(format!("{} parts separated by dots", parts.len()));
    };

    let header = json_part("header", header)?;
    let claims = json_part("claims", claims)?;
    URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| format!("a signature that is not base64url: {e}"))?;

    Ok(DecodedJwt { header, claims })
}

/// One base64url part that must hold a JSON object.
fn json_part(name: &str, part: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|e| format!("{name} that is not base64url: {e}"))?;

    let value: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{name} that is not JSON: {e}"))?;
    if !value.is_object() {
        return Err(format!(
            "{name} that is not a JSON object: {}",
            show(&value)
        ));
    }
    Ok(value)
}

/// The mismatch for a token that is not a JWT. The token itself is never shown: it may be live.
fn malformed(label: &str, problem: &str) -> Mismatch {
    Mismatch {
        check: label.to_owned(),
        expected: "a JWT: three base64url parts, a JSON header and JSON claims".to_owned(),
        actual: problem.to_owned(),
    }
}

/// Verifies with one key and one pinned algorithm. jsonwebtoken checks only the signature
/// here: [`check_jwt`] does every claim check itself.
fn verify_with(token: &str, key: &DecodingKey, algorithm: Algorithm) -> Result<bool, String> {
    let mut validation = Validation::new(algorithm);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();

    match jsonwebtoken::decode::<Value>(token, key, &validation) {
        Ok(_) => Ok(true),
        Err(error) => match error.kind() {
            ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat
            | ErrorKind::UnsupportedAlgorithm
            | ErrorKind::Provider(_) => Err(format!("{algorithm:?} key: {error}")),
            _ => Ok(false),
        },
    }
}

/// Verifies with the JWKS key the token's `kid` names, or, without a `kid`, with any key.
fn verifies_with_jwks(token: &str, jwks: &Value) -> Result<bool, String> {
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        return Err("not a JWKS: no `keys` array".to_owned());
    };
    let header = decode_parts(token).ok().map(|decoded| decoded.header);
    let member = |name: &str| header.as_ref().and_then(|h| h.get(name)?.as_str());

    let candidates: Vec<&Value> = match member("kid") {
        Some(kid) => keys
            .iter()
            .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
            .collect(),
        None => keys.iter().collect(),
    };
    if candidates.is_empty() {
        return Err(match member("kid") {
            Some(kid) => format!("the JWKS has no key with kid {kid:?}"),
            None => "the JWKS has no keys".to_owned(),
        });
    }

    let mut usable = false;
    let mut problems = Vec::new();
    for jwk in candidates {
        match verify_with_jwk(token, jwk, member("alg")) {
            Ok(true) => return Ok(true),
            Ok(false) => usable = true,
            Err(problem) => problems.push(problem),
        }
    }

    if usable {
        return Ok(false);
    }
    Err(problems.join("; "))
}

/// One JWK: its algorithm pinned, then the signature checked.
fn verify_with_jwk(token: &str, jwk: &Value, token_alg: Option<&str>) -> Result<bool, String> {
    let algorithm = pinned_algorithm(jwk, token_alg)?;

    let parsed: Jwk =
        serde_json::from_value(jwk.clone()).map_err(|e| format!("an unreadable JWK: {e}"))?;
    let key = DecodingKey::from_jwk(&parsed).map_err(|e| format!("an unusable JWK: {e}"))?;

    verify_with(token, &key, algorithm)
}

/// The algorithm a JWK verifies with: its own `alg`; else its curve for `EC` and `OKP`; else,
/// for `RSA`, the token's `alg` when that is an RSA algorithm (RS256 otherwise, which then does
/// not verify a token of another family).
fn pinned_algorithm(jwk: &Value, token_alg: Option<&str>) -> Result<Algorithm, String> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);

    if let Some(alg) = text("alg") {
        return signing_algorithm(alg).ok_or_else(|| format!("a JWK for {alg:?}, unsupported"));
    }

    match (text("kty"), text("crv")) {
        (Some("EC"), Some("P-256")) => Ok(Algorithm::ES256),
        (Some("EC"), Some("P-384")) => Ok(Algorithm::ES384),
        (Some("OKP"), Some("Ed25519")) => Ok(Algorithm::EdDSA),
        (Some("RSA"), _) => Ok(token_alg
            .and_then(signing_algorithm)
            .filter(|alg| RSA_ALGORITHMS.contains(alg))
            .unwrap_or(Algorithm::RS256)),
        (kty, crv) => Err(format!(
            "a JWK of kty {kty:?} and crv {crv:?}, unsupported for signatures"
        )),
    }
}

/// The RSA signature algorithms.
const RSA_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// A public-key signature algorithm by its JOSE name; HMAC names are not accepted from a JWKS.
fn signing_algorithm(name: &str) -> Option<Algorithm> {
    let algorithm: Algorithm = name.parse().ok()?;
    let public = !matches!(
        algorithm,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    );
    public.then_some(algorithm)
}

fn check_verifies(label: &str, token: &str, key: &VerifyKey) -> Result<(), Mismatch> {
    let expected = format!("a signature that verifies with {}", key.describe());
    let actual = match verifies(token, key) {
        Ok(true) => return Ok(()),
        Ok(false) => format!("a {} signature that does not verify", token_alg(token)),
        Err(problem) => format!("a key that cannot verify: {problem}"),
    };
    Err(signature_mismatch(label, expected, actual))
}

fn check_does_not_verify(label: &str, token: &str, key: &VerifyKey) -> Result<(), Mismatch> {
    let expected = format!("a signature that does not verify with {}", key.describe());
    let actual = match verifies(token, key) {
        Ok(false) => return Ok(()),
        Ok(true) => format!("a {} signature that verifies", token_alg(token)),
        Err(problem) => format!("a key that cannot verify: {problem}"),
    };
    Err(signature_mismatch(label, expected, actual))
}

fn signature_mismatch(label: &str, expected: String, actual: String) -> Mismatch {
    Mismatch {
        check: format!("{label} signature"),
        expected,
        actual,
    }
}

/// The token's `alg` as shown in messages.
fn token_alg(token: &str) -> String {
    let alg = decode_parts(token)
        .ok()
        .and_then(|decoded| decoded.header.get("alg").cloned());
    alg.map_or_else(|| "alg-less".to_owned(), |alg| show(&alg))
}

/// Each member matcher against the member of `object` it names (`{what}.{name}`).
fn check_members(
    what: &str,
    matchers: &IndexMap<String, Matcher>,
    object: &Value,
) -> Result<(), Mismatch> {
    for (name, matcher) in matchers {
        check(&format!("{what}.{name}"), matcher, object.get(name))?;
    }
    Ok(())
}

/// `exp` and `iat`, when present, are integers; `exp` lies ahead (or, for an expired token,
/// behind) and `iat` is not in the future, both with [`LEEWAY`].
fn check_times(label: &str, claims: &Value, expect: &JwtExpectation<'_>) -> Result<(), Mismatch> {
    let now = expect.now;

    if let Some(exp) = integer_claim(label, claims, "exp")? {
        if expect.expired && exp > now {
            let expected = format!("an expired token: at most {now} (now)");
            return Err(time_mismatch(label, "exp", expected, exp, now));
        }
        if !expect.expired && exp <= now - LEEWAY {
            let expected = format!("after {} (now, less {LEEWAY} s leeway)", now - LEEWAY);
            return Err(time_mismatch(label, "exp", expected, exp, now));
        }
    }

    if let Some(iat) = integer_claim(label, claims, "iat")?
        && iat > now + LEEWAY
    {
        let expected = format!("at most {} (now, plus {LEEWAY} s leeway)", now + LEEWAY);
        return Err(time_mismatch(label, "iat", expected, iat, now));
    }
    Ok(())
}

/// A time claim: `None` when absent, a mismatch when it is not an integer.
fn integer_claim(label: &str, claims: &Value, name: &str) -> Result<Option<i64>, Mismatch> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };

    value.as_i64().map(Some).ok_or_else(|| Mismatch {
        check: format!("{label} claims.{name}"),
        expected: "an integer (seconds since the epoch)".to_owned(),
        actual: show(value),
    })
}

fn time_mismatch(label: &str, name: &str, expected: String, time: i64, now: i64) -> Mismatch {
    let offset = time - now;
    let relative = if offset >= 0 {
        format!("{offset} s from now")
    } else {
        format!("{} s ago", -offset)
    };

    Mismatch {
        check: format!("{label} claims.{name}"),
        expected,
        actual: format!("{time} ({relative})"),
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    use super::*;

    const NOW: i64 = 1_700_000_000;

    /// A P-256 private key (PKCS#8 DER, base64), made once with `openssl genpkey` for these
    /// tests.
    const EC_PRIVATE_PKCS8: &str = "\
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGqSuGELyb94PYtsE\
        1FM5hsUOMSFmYzwhhiGVNYSCT/uhRANCAASk78DMJlAr7dL9B+qraQhsj4916UUI\
        ZKwhGtHoxTOahHLjdrO7yZPsYgf0rtFEgZEZwqDZLC0Yv9t3Zh4P+1sG";
    /// Its public point.
    const EC_X: &str = "pO_AzCZQK-3S_Qfqq2kIbI-PdelFCGSsIRrR6MUzmoQ";
    const EC_Y: &str = "cuN2s7vJk-xiB_Su0USBkRnCoNksLRi_23dmHg_7WwY";
    /// The public point of another P-256 key.
    const OTHER_EC_X: &str = "7KrgEF2N7dRIdxG7t8MCG0-LmCzLQe3fFJb0HwEPovE";
    const OTHER_EC_Y: &str = "FaxIG3WcVqgKkSClU_vss7FI9eGnkyqPc2OSUSwOcEw";

    fn claims() -> Value {
        json!({
            "iss": "https://issuer.example",
            "aud": "client-1",
            "sub": "user-1",
            "iat": NOW - 10,
            "exp": NOW + 3600,
        })
    }

    fn hs(alg: Algorithm, key: &[u8], claims: &Value) -> String {
        encode(
            &Header::new(alg),
            claims,
            &EncodingKey::from_secret(key).unwrap(),
        )
        .unwrap()
    }

    fn es256(kid: Option<&str>, claims: &Value) -> String {
        let der = STANDARD.decode(EC_PRIVATE_PKCS8).unwrap();
        let mut header = Header::new(Algorithm::ES256);
        header.kid = kid.map(str::to_owned);
        encode(&header, claims, &EncodingKey::from_ec_der(&der)).unwrap()
    }

    fn ec_jwk(kid: &str, x: &str, y: &str) -> Value {
        json!({ "kty": "EC", "crv": "P-256", "use": "sig", "kid": kid, "x": x, "y": y })
    }

    fn jwks(keys: Vec<Value>) -> VerifyKey {
        VerifyKey::Jwks(json!({ "keys": keys }))
    }

    fn part(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn hs256_key() -> VerifyKey {
        VerifyKey::Hs256(b"raw-secret".to_vec())
    }

    #[test]
    fn sha256_key_is_the_digest() {
        let key = sha256_key("abc");
        assert_eq!(key.len(), 32);
        assert_eq!(key[..4], [0xba, 0x78, 0x16, 0xbf]);
    }

    #[test]
    fn hs256_with_the_raw_key_verifies() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        assert_eq!(verifies(&token, &hs256_key()), Ok(true));
    }

    #[test]
    fn hs256_with_the_sha256_key_verifies() {
        let token = hs(Algorithm::HS256, &sha256_key("secret"), &claims());
        assert_eq!(
            verifies(&token, &VerifyKey::Hs256(sha256_key("secret"))),
            Ok(true)
        );
        assert_eq!(
            verifies(&token, &VerifyKey::Hs256(b"secret".to_vec())),
            Ok(false)
        );
    }

    #[test]
    fn a_wrong_key_does_not_verify() {
        let token = hs(Algorithm::HS256, b"another-secret", &claims());
        assert_eq!(verifies(&token, &hs256_key()), Ok(false));
    }

    #[test]
    fn the_algorithm_is_pinned_to_hs256() {
        let hs384 = hs(Algorithm::HS384, b"raw-secret", &claims());
        assert_eq!(verifies(&hs384, &hs256_key()), Ok(false));

        let none = format!("{}.{}.", part(&json!({"alg": "none"})), part(&claims()));
        assert_eq!(verifies(&none, &hs256_key()), Ok(false));
        assert!(decode(&none).is_ok());
    }

    #[test]
    fn a_tampered_payload_does_not_verify() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        let parts: Vec<&str> = token.split('.').collect();
        let forged = json!({ "sub": "admin", "exp": NOW + 3600 });
        let tampered = format!("{}.{}.{}", parts[0], part(&forged), parts[2]);
        assert_eq!(verifies(&tampered, &hs256_key()), Ok(false));
    }

    #[test]
    fn an_empty_hs256_key_is_unusable() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        assert!(verifies(&token, &VerifyKey::Hs256(Vec::new())).is_err());
    }

    #[test]
    fn decode_returns_header_and_claims() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        let decoded = decode(&token).unwrap();
        assert_eq!(decoded.header["alg"], "HS256");
        assert_eq!(decoded.claims, claims());
    }

    #[test]
    fn malformed_tokens_are_mismatches() {
        let header = part(&json!({"alg": "HS256"}));
        let claims = part(&claims());
        let malformed = [
            (format!("{header}.{claims}"), "2 parts"),
            (format!("{header}.{claims}.sig.extra"), "4 parts"),
            (format!("{header}.@@@.sig"), "claims that is not base64url"),
            (
                format!("{header}.{claims}.@@@"),
                "signature that is not base64url",
            ),
            (
                format!("{}.{claims}.", URL_SAFE_NO_PAD.encode("{")),
                "header that is not JSON",
            ),
            (
                format!("{header}.{}.", part(&json!([1]))),
                "not a JSON object",
            ),
            (String::new(), "1 parts"),
        ];

        for (token, problem) in malformed {
            let mismatch = decode(&token).unwrap_err();
            assert_eq!(mismatch.check, "jwt");
            assert!(
                mismatch.actual.contains(problem),
                "{token}: {}",
                mismatch.actual
            );
            assert_eq!(verifies(&token, &hs256_key()), Ok(false));
        }
    }

    #[test]
    fn a_jwks_ec_key_verifies_by_kid_and_without() {
        let keys = jwks(vec![
            ec_jwk("other", OTHER_EC_X, OTHER_EC_Y),
            ec_jwk("ec-1", EC_X, EC_Y),
        ]);
        assert_eq!(verifies(&es256(Some("ec-1"), &claims()), &keys), Ok(true));
        assert_eq!(verifies(&es256(None, &claims()), &keys), Ok(true));
    }

    #[test]
    fn another_jwks_key_does_not_verify() {
        let keys = jwks(vec![ec_jwk("ec-1", OTHER_EC_X, OTHER_EC_Y)]);
        assert_eq!(verifies(&es256(Some("ec-1"), &claims()), &keys), Ok(false));
        assert_eq!(verifies(&es256(None, &claims()), &keys), Ok(false));
    }

    #[test]
    fn a_jwks_ec_key_refuses_another_algorithm() {
        let keys = jwks(vec![ec_jwk("ec-1", EC_X, EC_Y)]);
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("ec-1".to_owned());
        let secret = URL_SAFE_NO_PAD.decode(EC_X).unwrap();
        let confused = encode(
            &header,
            &claims(),
            &EncodingKey::from_secret(&secret).unwrap(),
        );
        assert_eq!(verifies(&confused.unwrap(), &keys), Ok(false));
    }

    #[test]
    fn unusable_jwks_are_errors() {
        let token = es256(Some("ec-1"), &claims());
        let no_kid = jwks(vec![ec_jwk("ec-2", EC_X, EC_Y)]);
        assert!(
            verifies(&token, &no_kid)
                .unwrap_err()
                .contains("no key with kid")
        );

        let oct = jwks(vec![json!({"kty": "oct", "kid": "ec-1", "k": "c2VjcmV0"})]);
        assert!(verifies(&token, &oct).unwrap_err().contains("unsupported"));

        let hmac_alg = jwks(vec![json!({"kty": "oct", "alg": "HS256", "k": "c2VjcmV0"})]);
        assert!(verifies(&token, &hmac_alg).is_err());

        assert!(verifies(&token, &jwks(vec![])).is_err());
        assert!(verifies(&token, &VerifyKey::Jwks(json!({"kty": "EC"}))).is_err());
    }

    #[test]
    fn keys_are_not_printed() {
        assert_eq!(format!("{:?}", hs256_key()), "Hs256([redacted])");
    }

    fn expectation<'a>(
        header: &'a IndexMap<String, Matcher>,
        claims: &'a IndexMap<String, Matcher>,
    ) -> JwtExpectation<'a> {
        JwtExpectation {
            verify: None,
            not_verify: None,
            header,
            claims,
            expired: false,
            now: NOW,
        }
    }

    fn matchers(entries: &[(&str, Matcher)]) -> IndexMap<String, Matcher> {
        entries
            .iter()
            .map(|(name, matcher)| ((*name).to_owned(), matcher.clone()))
            .collect()
    }

    fn with_times(exp: Value, iat: Value) -> String {
        let mut claims = claims();
        claims["exp"] = exp;
        claims["iat"] = iat;
        hs(Algorithm::HS256, b"raw-secret", &claims)
    }

    #[test]
    fn check_jwt_passes_and_returns_the_token() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        let header = matchers(&[("alg", Matcher::Equals(json!("HS256")))]);
        let claim_matchers = matchers(&[
            ("aud", Matcher::Equals(json!("client-1"))),
            ("nonce", Matcher::Present(false)),
        ]);
        let wrong = VerifyKey::Hs256(b"wrong".to_vec());
        let expect = JwtExpectation {
            verify: Some(&hs256_key()),
            not_verify: Some(&wrong),
            ..expectation(&header, &claim_matchers)
        };

        let decoded = check_jwt("id_token", &token, &expect).unwrap();
        assert_eq!(decoded.claims["sub"], "user-1");
    }

    #[test]
    fn check_jwt_names_a_signature_that_does_not_verify() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        let none = IndexMap::new();
        let wrong = VerifyKey::Hs256(b"wrong".to_vec());
        let expect = JwtExpectation {
            verify: Some(&wrong),
            ..expectation(&none, &none)
        };

        let mismatch = check_jwt("id_token", &token, &expect).unwrap_err();
        assert_eq!(mismatch.check, "id_token signature");
        assert_eq!(
            mismatch.actual,
            "a \"HS256\" signature that does not verify"
        );
    }

    #[test]
    fn check_jwt_fails_when_not_verify_verifies() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        let none = IndexMap::new();
        let expect = JwtExpectation {
            not_verify: Some(&hs256_key()),
            ..expectation(&none, &none)
        };

        let mismatch = check_jwt("access_token", &token, &expect).unwrap_err();
        assert_eq!(mismatch.check, "access_token signature");
        assert!(mismatch.expected.contains("does not verify"));
    }

    #[test]
    fn check_jwt_fails_on_an_unusable_key() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        let none = IndexMap::new();
        let empty = jwks(vec![]);
        let expect = JwtExpectation {
            not_verify: Some(&empty),
            ..expectation(&none, &none)
        };

        let mismatch = check_jwt("id_token", &token, &expect).unwrap_err();
        assert!(mismatch.actual.starts_with("a key that cannot verify"));
    }

    #[test]
    fn check_jwt_names_header_and_claim_mismatches() {
        let token = hs(Algorithm::HS256, b"raw-secret", &claims());
        let none = IndexMap::new();

        let header = matchers(&[("alg", Matcher::Equals(json!("RS256")))]);
        let mismatch = check_jwt("id_token", &token, &expectation(&header, &none)).unwrap_err();
        assert_eq!(mismatch.check, "id_token header.alg");

        let claims = matchers(&[("aud", Matcher::Equals(json!("client-2")))]);
        let mismatch = check_jwt("id_token", &token, &expectation(&none, &claims)).unwrap_err();
        assert_eq!(mismatch.check, "id_token claims.aud");
        assert_eq!(mismatch.actual, "\"client-1\"");
    }

    #[test]
    fn check_jwt_reports_a_malformed_token_under_its_label() {
        let none = IndexMap::new();
        let mismatch = check_jwt("id_token", "a.b", &expectation(&none, &none)).unwrap_err();
        assert_eq!(mismatch.check, "id_token");
    }

    #[test]
    fn exp_in_the_past_fails_unless_expired() {
        let none = IndexMap::new();
        let token = with_times(json!(NOW - 61), json!(NOW - 3600));

        let mismatch = check_jwt("id_token", &token, &expectation(&none, &none)).unwrap_err();
        assert_eq!(mismatch.check, "id_token claims.exp");
        assert_eq!(mismatch.actual, format!("{} (61 s ago)", NOW - 61));

        let expired = JwtExpectation {
            expired: true,
            ..expectation(&none, &none)
        };
        assert!(check_jwt("id_token", &token, &expired).is_ok());
    }

    #[test]
    fn exp_within_the_leeway_passes() {
        let none = IndexMap::new();
        let token = with_times(json!(NOW - 30), json!(NOW - 3600));
        assert!(check_jwt("id_token", &token, &expectation(&none, &none)).is_ok());
    }

    #[test]
    fn expired_fails_on_a_live_token() {
        let none = IndexMap::new();
        let token = with_times(json!(NOW + 1), json!(NOW));
        let expired = JwtExpectation {
            expired: true,
            ..expectation(&none, &none)
        };

        let mismatch = check_jwt("id_token", &token, &expired).unwrap_err();
        assert_eq!(mismatch.check, "id_token claims.exp");
        assert_eq!(mismatch.actual, format!("{} (1 s from now)", NOW + 1));
    }

    #[test]
    fn iat_in_the_future_fails() {
        let none = IndexMap::new();
        let late = with_times(json!(NOW + 3600), json!(NOW + 61));
        let mismatch = check_jwt("id_token", &late, &expectation(&none, &none)).unwrap_err();
        assert_eq!(mismatch.check, "id_token claims.iat");

        let skewed = with_times(json!(NOW + 3600), json!(NOW + 60));
        assert!(check_jwt("id_token", &skewed, &expectation(&none, &none)).is_ok());
    }

    #[test]
    fn times_must_be_integers() {
        let none = IndexMap::new();
        for (exp, iat) in [(json!("soon"), json!(NOW)), (json!(NOW + 60), json!(1.5))] {
            let token = with_times(exp, iat);
            let mismatch = check_jwt("id_token", &token, &expectation(&none, &none)).unwrap_err();
            assert_eq!(mismatch.expected, "an integer (seconds since the epoch)");
        }
    }

    #[test]
    fn absent_times_are_not_required() {
        let none = IndexMap::new();
        let token = hs(Algorithm::HS256, b"raw-secret", &json!({"sub": "user-1"}));
        assert!(check_jwt("id_token", &token, &expectation(&none, &none)).is_ok());
    }
}
