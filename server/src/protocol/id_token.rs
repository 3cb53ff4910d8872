//! The id_token issued at code exchange and refresh (spec §4.3, R.7): HS256 over the user's
//! claims plus `iss`, `sub`, `aud`, `iat`, `exp`, and `nonce` and `sid` when they apply, keyed
//! by [`signing_key::id_token_key`].

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value};

use crate::domain::{Scopes, SessionId, Timestamp};
use crate::protocol::{Services, claims, signing_key};
use crate::store::{Client, User};

/// What an id_token is about.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The client it is issued to (its audience).
    pub client: &'a Client,
    /// The signed-in user.
    pub user: &'a User,
    /// The granted scopes, which choose the user claims.
    pub scopes: &'a Scopes,
    /// The authorize request's `nonce` (code exchange only).
    pub nonce: Option<&'a str>,
    /// The host session the user signed in with, when known.
    pub session: Option<SessionId>,
}

/// Signing failed (the key was unusable); a server error, never the caller's fault.
#[derive(Debug, thiserror::Error)]
#[error("id_token signing failed")]
pub struct SigningFailed;

/// Builds and signs the id_token for `subject` at `now`.
pub fn issue(
    services: &Services,
    subject: Subject<'_>,
    now: Timestamp,
) -> Result<String, SigningFailed> {
    let claims = claims_for(services, subject, now);
    let key = signing_key::id_token_key(&services.config, subject.client);
    let key = EncodingKey::from_secret(&key).map_err(|_| SigningFailed)?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).map_err(|_| SigningFailed)
}

/// The claims, in the order of spec §4.3.
fn claims_for(services: &Services, subject: Subject<'_>, now: Timestamp) -> Map<String, Value> {
    let config = &services.config;
    let mut claims = claims::user_claims(subject.user, subject.scopes);
    claims.insert("iss".into(), Value::from(config.issuer.clone()));
    claims.insert("sub".into(), Value::from(subject.user.id.to_string()));
    claims.insert("aud".into(), Value::from(subject.client.client_id.as_str()));
    claims.insert("iat".into(), Value::from(now.0));
    claims.insert("exp".into(), Value::from(now.plus(config.ttl.id_token).0));

    if let Some(nonce) = subject.nonce.filter(|n| !n.is_empty()) {
        claims.insert("nonce".into(), Value::from(nonce));
    }
    if let Some(session) = subject.session
        && config.logout_enabled_for(subject.client)
    {
        claims.insert("sid".into(), Value::from(session.to_string()));
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, Clock, Secret, UserId};
    use crate::protocol::fixture;
    use jsonwebtoken::errors::ErrorKind;
    use jsonwebtoken::{DecodingKey, Validation};
    use sha2::{Digest, Sha256};

    fn user() -> User {
        User {
            id: UserId::generate(),
            email: "jane@example.com".into(),
            password_hash: String::new(),
            name: Some("Jane Doe".into()),
            image: None,
            email_verified_at: None,
        }
    }

    fn decode(token: &str, secret: &[u8], audience: &str) -> jsonwebtoken::errors::Result<Value> {
        let key: [u8; 32] = Sha256::digest(secret).into();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[audience]);
        validation.set_issuer(&["http://testserver/auth/oauth"]);
        validation.set_required_spec_claims(&["iss", "aud", "exp", "iat", "sub"]);
        // The fixture's clock stands in 2023; `exp` is checked against it by the tests.
        validation.validate_exp = false;
        let key = DecodingKey::from_secret(&key)?;
        jsonwebtoken::decode::<Value>(token, &key, &validation).map(|data| data.claims)
    }

    #[tokio::test]
    async fn claims_and_signature_follow_spec_4_3() {
        let (services, clock) = fixture::services().await;
        let client = fixture::static_client();
        let user = user();
        let scopes = Scopes::split_dedup("openid profile");
        let subject = Subject {
            client: &client,
            user: &user,
            scopes: &scopes,
            nonce: Some("n-1"),
            session: Some(SessionId::generate()),
        };
        let now = clock.now();
        let token = issue(&services, subject, now).unwrap();

        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::HS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.kid, None);

        let claims = decode(&token, b"test-secret", "test-client").unwrap();
        assert_eq!(claims["iss"], "http://testserver/auth/oauth");
        assert_eq!(claims["sub"], user.id.to_string());
        assert_eq!(claims["aud"], "test-client");
        assert_eq!(claims["iat"], now.0);
        assert_eq!(claims["exp"], now.0 + 36_000);
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["name"], "Jane Doe");
        assert!(claims.get("email").is_none());
        assert!(claims.get("sid").is_none(), "logout is not enabled");
        assert!(claims.get("azp").is_none());
    }

    #[tokio::test]
    async fn the_raw_secret_does_not_verify() {
        let (services, clock) = fixture::services().await;
        let client = fixture::static_client();
        let user = user();
        let scopes = Scopes::split_dedup("openid");
        let subject = Subject {
            client: &client,
            user: &user,
            scopes: &scopes,
            nonce: None,
            session: None,
        };
        let token = issue(&services, subject, clock.now()).unwrap();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&["test-client"]);
        validation.validate_exp = false;
        let raw = DecodingKey::from_secret(b"test-secret").unwrap();
        let error = jsonwebtoken::decode::<Value>(&token, &raw, &validation).unwrap_err();
        assert_eq!(error.kind(), &ErrorKind::InvalidSignature);
    }

    #[tokio::test]
    async fn public_clients_are_signed_with_the_fallback_secret() {
        let (services, clock) = fixture::services().await;
        let mut client = fixture::static_client();
        client.client_id = ClientId::new("public-openid");
        client.client_secret = None;
        let user = user();
        let scopes = Scopes::split_dedup("openid");
        let subject = Subject {
            client: &client,
            user: &user,
            scopes: &scopes,
            nonce: Some(""),
            session: Some(SessionId::generate()),
        };
        let token = issue(&services, subject, clock.now()).unwrap();
        let claims = decode(&token, b"test-secret-key", "public-openid").unwrap();
        assert!(claims.get("nonce").is_none(), "an empty nonce is left out");
        let error = decode(&token, b"test-secret", "public-openid").unwrap_err();
        assert_eq!(error.kind(), &ErrorKind::InvalidSignature);
    }

    #[tokio::test]
    async fn sid_appears_when_logout_is_enabled_and_a_session_is_known() {
        let mut config = fixture::config();
        config.enable_end_session = true;
        let (services, clock) = fixture::services_with(config).await;
        let mut client = fixture::static_client();
        client.client_secret = Some(Secret::new("test-secret"));
        let user = user();
        let scopes = Scopes::split_dedup("openid");
        let session = SessionId::generate();
        let with_session = Subject {
            client: &client,
            user: &user,
            scopes: &scopes,
            nonce: None,
            session: Some(session),
        };
        let token = issue(&services, with_session, clock.now()).unwrap();
        let claims = decode(&token, b"test-secret", "test-client").unwrap();
        assert_eq!(claims["sid"], session.to_string());

        let without = Subject {
            session: None,
            ..with_session
        };
        let token = issue(&services, without, clock.now()).unwrap();
        let claims = decode(&token, b"test-secret", "test-client").unwrap();
        assert!(claims.get("sid").is_none());
    }
}
