//! Tokens for the userinfo and end-session tests, made without the token endpoint: access tokens
//! written straight into the store, and id_tokens signed here the way spec §4.3 says the server
//! signs them (HS256, key = SHA-256 of the client secret or of the fallback secret).

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oauth_reference_server::domain::{AccessToken, ClientId, Scopes, UserId};
use oauth_reference_server::store::AccessTokenRecord;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::TestApp;

/// The static client's secret in the fixture.
pub const CLIENT_SECRET: &str = "test-secret";

/// The fixture's fallback signing secret (the host `secret`).
pub const FALLBACK_SECRET: &str = "test-secret-key";

/// The id of a seeded user.
pub async fn user_id(app: &TestApp, email: &str) -> UserId {
    app.services()
        .store
        .user_by_email(email)
        .await
        .expect("store answers")
        .unwrap_or_else(|| panic!("no user {email} in the test settings"))
        .id
}

/// Stores an access token of `client_id` for `user` (`None`: a client-credentials token) with
/// `scope`, issued now and valid for `lifetime` seconds; returns the token.
pub async fn access_token_for(
    app: &TestApp,
    client_id: &str,
    user: Option<UserId>,
    scope: &str,
    lifetime: i64,
) -> String {
    let token = AccessToken::generate();
    let now = app.services().clock.now();
    let record = AccessTokenRecord {
        digest: token.digest(),
        grant_id: None,
        client_id: ClientId::new(client_id),
        scopes: Scopes::split_dedup(scope),
        audience: None,
        user_id: user,
        session_id: None,
        issued_at: now,
        expires_at: now.plus(lifetime),
    };
    app.services()
        .store
        .insert_access_token(record)
        .await
        .expect("store accepts the token");
    token.expose().to_owned()
}

/// An hour-long access token of the static client for `user` with `scope`.
pub async fn access_token(app: &TestApp, user: Option<UserId>, scope: &str) -> String {
    access_token_for(app, "test-client", user, scope, 3600).await
}

/// The HS256 key for a secret: SHA-256 of its UTF-8 bytes (spec §4.3).
pub fn key_for(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// `claims` signed with HS256 under `key`.
pub fn sign(claims: &Value, key: &[u8]) -> String {
    sign_with(Algorithm::HS256, claims, key)
}

/// `claims` signed with `algorithm` (an HMAC one) under `key`.
pub fn sign_with(algorithm: Algorithm, claims: &Value, key: &[u8]) -> String {
    let key = EncodingKey::from_secret(key).expect("an HMAC key");
    jsonwebtoken::encode(&Header::new(algorithm), claims, &key).expect("claims sign")
}

/// An unsigned token (`alg: none`) with `claims`.
pub fn unsigned(claims: &Value) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
    format!("{header}.{}.", b64.encode(claims.to_string()))
}

/// The claims the server puts in an id_token for `aud` naming host session `sid`, issued now
/// and valid for the fixture's 36000 seconds.
pub fn id_token_claims(app: &TestApp, aud: &str, sid: &str) -> Value {
    let now = app.services().clock.now().0;
    json!({
        "iss": app.issuer(),
        "sub": UserId::generate().to_string(),
        "aud": aud,
        "iat": now,
        "exp": now + 36_000,
        "sid": sid,
    })
}

/// An id_token of the static client (keyed by its secret) naming session `sid`.
pub fn static_client_id_token(app: &TestApp, sid: &str) -> String {
    sign(
        &id_token_claims(app, "test-client", sid),
        &key_for(CLIENT_SECRET),
    )
}
