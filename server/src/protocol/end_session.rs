//! RP-initiated logout (spec §2.9 with R.7, OpenID RP-Initiated Logout 1.0).
//!
//! The steps of spec §2.9, in order:
//! 1. `id_token_hint` missing → 400 `invalid_request`;
//! 2. the hint is not a JWT at all → 401 `invalid_token` (the unverified claims serve only to
//!    choose the client);
//! 3. `client_id` given but not in `aud` → 400 "audience mismatch";
//! 4. the target client is `client_id`, else the first `aud`; none → 400;
//! 5. unknown client → 400 `invalid_client`;
//! 6. logout not enabled for it (R.7) → 401 `invalid_client`;
//! 7. full verification (HS256 with the client's id_token key, `iss`, `aud`, `exp`, `iat`,
//!    `sub` present, issuer and audience exact, no leeway) fails → 401 `invalid_token`;
//! 8. `sid` missing or not a UUID → 400;
//! 9. the host session `sid` is deleted;
//! 10. a `post_logout_redirect_uri` registered for the client (R.4 matching) → 302 there, with
//!     `state` when sent; otherwise 200 `{}`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::domain::{ClientId, RedirectUri, SessionId, Timestamp};
use crate::protocol::client_auth::redacted;
use crate::protocol::{EndpointError, ErrorCode, OAuthError, Services, signing_key};
use crate::store::Client;

/// The logout request's parameters (query for GET, form for POST); empty values count as
/// absent. `Debug` hides the hint: anyone holding it can end the session it names.
#[derive(Clone, Copy, Default)]
pub struct EndSessionRequest<'a> {
    /// `id_token_hint`.
    pub id_token_hint: Option<&'a str>,
    /// `client_id`.
    pub client_id: Option<&'a str>,
    /// `post_logout_redirect_uri`.
    pub post_logout_redirect_uri: Option<&'a str>,
    /// `state`.
    pub state: Option<&'a str>,
}

impl std::fmt::Debug for EndSessionRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndSessionRequest")
            .field("id_token_hint", &redacted(self.id_token_hint))
            .field("client_id", &self.client_id)
            .field("post_logout_redirect_uri", &self.post_logout_redirect_uri)
            .field("state", &self.state)
            .finish()
    }
}

/// A completed logout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoggedOut {
    /// 302 to the client's registered post-logout redirect URI.
    Redirect(url::Url),
    /// 200 `{}`.
    Done,
}

/// Why logout was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndSessionError {
    /// Step 1.
    #[error("missing id_token_hint")]
    MissingHint,
    /// Steps 2 and 7.
    #[error("invalid id token")]
    InvalidIdToken,
    /// Step 3.
    #[error("audience mismatch")]
    AudienceMismatch,
    /// Step 4.
    #[error("id token missing audience")]
    MissingAudience,
    /// Step 5.
    #[error("client doesn't exist")]
    UnknownClient,
    /// Step 6.
    #[error("client unable to logout")]
    LogoutDisabled,
    /// Step 8.
    #[error("id token missing session")]
    MissingSession,
    /// Storage failed.
    #[error("storage failed")]
    Server,
}

impl EndpointError for EndSessionError {
    fn to_oauth(&self) -> OAuthError {
        let description = Some(self.to_string().into());
        match self {
            Self::MissingHint
            | Self::AudienceMismatch
            | Self::MissingAudience
            | Self::MissingSession => {
                OAuthError::bad_request(ErrorCode::InvalidRequest, description)
            }
            Self::InvalidIdToken => {
                OAuthError::unauthorized(ErrorCode::InvalidToken, description, None)
            }
            Self::UnknownClient => OAuthError::bad_request(ErrorCode::InvalidClient, description),
            Self::LogoutDisabled => {
                OAuthError::unauthorized(ErrorCode::InvalidClient, description, None)
            }
            Self::Server => OAuthError::server_error(),
        }
    }
}

/// Ends the host session an id_token hint names.
pub async fn end_session(
    services: &Services,
    request: EndSessionRequest<'_>,
) -> Result<LoggedOut, EndSessionError> {
    let hint = present(request.id_token_hint).ok_or(EndSessionError::MissingHint)?;
    let unverified = unverified_claims(hint).ok_or(EndSessionError::InvalidIdToken)?;
    let client_id = target_client(&unverified, present(request.client_id))?;

    let client = services
        .store
        .client(&client_id)
        .await
        .map_err(|_| EndSessionError::Server)?
        .ok_or(EndSessionError::UnknownClient)?;
    if !services.config.logout_enabled_for(&client) {
        return Err(EndSessionError::LogoutDisabled);
    }

    let claims = verify(services, &client, hint)?;
    let session = claims
        .get("sid")
        .and_then(Value::as_str)
        .and_then(SessionId::parse)
        .ok_or(EndSessionError::MissingSession)?;
    services
        .store
        .delete_session(session)
        .await
        .map_err(|_| EndSessionError::Server)?;
    tracing::info!(client_id = %client.client_id, "ended a host session by RP-initiated logout");

    Ok(
        match registered_redirect(&client, request.post_logout_redirect_uri) {
            Some(uri) => LoggedOut::Redirect(with_state(&uri, present(request.state))),
            None => LoggedOut::Done,
        },
    )
}

fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// Step 2: the claims of anything shaped like a JWS (three base64url segments, a JSON-object
/// header and payload), without checking the signature or any claim. Used only to pick the
/// client whose key then verifies the token properly.
fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return None;
    };
    decode_segment(signature)?;
    let header: Value = serde_json::from_slice(&decode_segment(header)?).ok()?;
    if !header.is_object() {
        return None;
    }
    match serde_json::from_slice(&decode_segment(payload)?).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// Base64url, with or without padding.
fn decode_segment(segment: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).ok()
}

/// Steps 3 and 4: the client the hint is checked against.
fn target_client(
    claims: &Map<String, Value>,
    requested: Option<&str>,
) -> Result<ClientId, EndSessionError> {
    let audience: Vec<&str> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if let Some(requested) = requested {
        if !audience.contains(&requested) {
            return Err(EndSessionError::AudienceMismatch);
        }
        return Ok(ClientId::new(requested));
    }
    audience
        .first()
        .map(|first| ClientId::new(*first))
        .ok_or(EndSessionError::MissingAudience)
}

/// Step 7: the signature, algorithm, issuer, audience and times, with the claims returned.
fn verify(
    services: &Services,
    client: &Client,
    token: &str,
) -> Result<Map<String, Value>, EndSessionError> {
    let invalid = |_| EndSessionError::InvalidIdToken;
    let config = &services.config;
    let key = signing_key::id_token_key(config, client);
    let key = DecodingKey::from_secret(&key).map_err(invalid)?;

    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["iss", "aud", "exp", "sub"]);
    validation.set_issuer(&[config.issuer.as_str()]);
    validation.set_audience(&[client.client_id.as_str()]);
    // The library reads the system clock; times are checked below against the server's own.
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map_err(invalid)?
        .claims;

    let issuer_exact = claims.get("iss").and_then(Value::as_str) == Some(config.issuer.as_str());
    if !issuer_exact || !times_hold(&claims, services.clock.now()) {
        return Err(EndSessionError::InvalidIdToken);
    }
    Ok(claims)
}

/// `exp` is a number that has not passed (no leeway), `iat` is a number, and `nbf`, when
/// present, has been reached.
fn times_hold(claims: &Map<String, Value>, now: Timestamp) -> bool {
    let time = |name: &str| claims.get(name).and_then(Value::as_i64).map(Timestamp);
    let Some(expires) = time("exp") else {
        return false;
    };
    if expires.has_passed(now) || time("iat").is_none() {
        return false;
    }
    match claims.get("nbf") {
        None => true,
        Some(_) => time("nbf").is_some_and(|not_before| not_before <= now),
    }
}

/// Step 10: the requested post-logout redirect URI when the client registered it.
fn registered_redirect(client: &Client, requested: Option<&str>) -> Option<RedirectUri> {
    let requested = RedirectUri::parse(present(requested)?).ok()?;
    let registered = client.post_logout_redirect_uris.as_deref()?;
    registered
        .iter()
        .any(|uri| requested.matches_registered(uri))
        .then_some(requested)
}

fn with_state(uri: &RedirectUri, state: Option<&str>) -> url::Url {
    let mut target = uri.url().clone();
    if let Some(state) = state {
        target.query_pairs_mut().append_pair("state", state);
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;
    use crate::protocol::fixture;
    use crate::store::Session;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;
    use sha2::{Digest, Sha256};

    const ISSUER: &str = "http://testserver/auth/oauth";
    const LOGOUT: &str = "http://testserver/logout-complete";

    #[test]
    fn debug_hides_the_hint() {
        let request = EndSessionRequest {
            id_token_hint: Some("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"),
            client_id: Some("test-client"),
            ..EndSessionRequest::default()
        };
        let printed = format!("{request:?}");
        assert!(!printed.contains("eyJhbGci"), "{printed}");
        assert!(printed.contains("<redacted>") && printed.contains("test-client"));
    }

    /// Services with logout enabled by setting or not, the static client with a registered
    /// logout URI, a public client `public-client`, and one live session.
    async fn setup(enable_end_session: bool) -> (Services, SessionId) {
        let mut config = fixture::config();
        config.enable_end_session = enable_end_session;
        let (services, _) = fixture::services_with(config).await;
        let mut confidential = fixture::static_client();
        confidential.post_logout_redirect_uris =
            Some(vec![RedirectUri::parse(LOGOUT).expect("uri")]);
        let mut public = confidential.clone();
        public.client_id = ClientId::new("public-client");
        public.client_secret = None;
        for client in [confidential, public] {
            services.store.upsert_client(client).await.expect("store");
        }
        let now = services.clock.now();
        let session = Session {
            id: SessionId::generate(),
            user_id: UserId::generate(),
            created_at: now,
            expires_at: now.plus(3600),
        };
        let id = session.id;
        services.store.insert_session(session).await.expect("store");
        (services, id)
    }

    fn key_of(secret: &str) -> [u8; 32] {
        Sha256::digest(secret.as_bytes()).into()
    }

    fn sign(claims: &Value, key: &[u8]) -> String {
        let key = EncodingKey::from_secret(key).expect("key");
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).expect("sign")
    }

    fn claims(services: &Services, aud: &str, sid: SessionId) -> Value {
        let now = services.clock.now().0;
        json!({
            "iss": ISSUER, "sub": UserId::generate().to_string(), "aud": aud,
            "iat": now, "exp": now + 36_000, "sid": sid.to_string()
        })
    }

    fn hint(services: &Services, sid: SessionId) -> String {
        sign(
            &claims(services, "test-client", sid),
            &key_of("test-secret"),
        )
    }

    async fn logout(services: &Services, hint: &str) -> Result<LoggedOut, EndSessionError> {
        let request = EndSessionRequest {
            id_token_hint: Some(hint),
            ..EndSessionRequest::default()
        };
        end_session(services, request).await
    }

    async fn session_exists(services: &Services, id: SessionId) -> bool {
        services.store.session(id).await.expect("store").is_some()
    }

    #[tokio::test]
    async fn a_valid_hint_ends_the_session() {
        let (services, sid) = setup(true).await;
        let outcome = logout(&services, &hint(&services, sid)).await;
        assert_eq!(outcome, Ok(LoggedOut::Done));
        assert!(!session_exists(&services, sid).await);
    }

    #[tokio::test]
    async fn a_registered_logout_uri_is_the_redirect_with_state_when_sent() {
        let (services, sid) = setup(true).await;
        let token = hint(&services, sid);
        let request = EndSessionRequest {
            id_token_hint: Some(&token),
            client_id: Some("test-client"),
            post_logout_redirect_uri: Some(LOGOUT),
            state: Some("goodbye"),
        };
        let outcome = end_session(&services, request).await.expect("logged out");
        let LoggedOut::Redirect(target) = outcome else {
            panic!("expected a redirect, got {outcome:?}");
        };
        assert_eq!(
            target.as_str(),
            "http://testserver/logout-complete?state=goodbye"
        );
        assert!(!session_exists(&services, sid).await);

        let (services, sid) = setup(true).await;
        let token = hint(&services, sid);
        let request = EndSessionRequest {
            id_token_hint: Some(&token),
            post_logout_redirect_uri: Some(LOGOUT),
            ..EndSessionRequest::default()
        };
        let outcome = end_session(&services, request).await;
        let expected = url::Url::parse(LOGOUT).expect("url");
        assert_eq!(outcome, Ok(LoggedOut::Redirect(expected)));
    }

    #[tokio::test]
    async fn an_unregistered_logout_uri_is_ignored_but_the_session_still_ends() {
        let (services, sid) = setup(true).await;
        let token = hint(&services, sid);
        for uri in [
            "http://testserver/elsewhere",
            "http://testserver/logout-complete/",
            "x",
        ] {
            let request = EndSessionRequest {
                id_token_hint: Some(&token),
                post_logout_redirect_uri: Some(uri),
                state: Some("s"),
                ..EndSessionRequest::default()
            };
            assert_eq!(end_session(&services, request).await, Ok(LoggedOut::Done));
        }
        assert!(!session_exists(&services, sid).await);
    }

    #[tokio::test]
    async fn the_setting_enables_logout_for_public_clients_with_the_fallback_key() {
        let (services, sid) = setup(true).await;
        let token = sign(
            &claims(&services, "public-client", sid),
            &key_of("test-secret-key"),
        );
        assert_eq!(logout(&services, &token).await, Ok(LoggedOut::Done));
        assert!(!session_exists(&services, sid).await);
    }

    #[tokio::test]
    async fn a_client_flag_enables_logout_without_the_setting() {
        let (services, sid) = setup(false).await;
        let token = hint(&services, sid);
        assert_eq!(
            logout(&services, &token).await,
            Err(EndSessionError::LogoutDisabled)
        );
        assert!(session_exists(&services, sid).await);

        let mut client = fixture::static_client();
        client.enable_end_session = true;
        services.store.upsert_client(client).await.expect("store");
        assert_eq!(logout(&services, &token).await, Ok(LoggedOut::Done));
    }

    #[tokio::test]
    async fn request_errors_follow_the_step_order() {
        let (services, sid) = setup(true).await;
        assert_eq!(
            logout(&services, "").await,
            Err(EndSessionError::MissingHint)
        );
        let missing = end_session(&services, EndSessionRequest::default()).await;
        assert_eq!(missing, Err(EndSessionError::MissingHint));
        for junk in [
            "not-a-jwt",
            "a.b.c",
            "e30.e30",
            "e30.W10.sig",
            "e30.e30.e30.e30",
        ] {
            assert_eq!(
                logout(&services, junk).await,
                Err(EndSessionError::InvalidIdToken),
                "{junk}"
            );
        }

        let token = hint(&services, sid);
        let request = EndSessionRequest {
            id_token_hint: Some(&token),
            client_id: Some("other-client"),
            ..EndSessionRequest::default()
        };
        assert_eq!(
            end_session(&services, request).await,
            Err(EndSessionError::AudienceMismatch)
        );

        let mut no_aud = claims(&services, "test-client", sid);
        no_aud.as_object_mut().expect("object").remove("aud");
        let no_aud = sign(&no_aud, &key_of("test-secret"));
        assert_eq!(
            logout(&services, &no_aud).await,
            Err(EndSessionError::MissingAudience)
        );

        let unknown = sign(&claims(&services, "nobody", sid), &key_of("test-secret"));
        assert_eq!(
            logout(&services, &unknown).await,
            Err(EndSessionError::UnknownClient)
        );
        assert!(session_exists(&services, sid).await);
    }

    #[tokio::test]
    async fn client_id_may_pick_any_audience_member() {
        let (services, sid) = setup(true).await;
        let mut both = claims(&services, "x", sid);
        both["aud"] = json!(["public-client", "test-client"]);
        let token = sign(&both, &key_of("test-secret"));
        let request = EndSessionRequest {
            id_token_hint: Some(&token),
            client_id: Some("test-client"),
            ..EndSessionRequest::default()
        };
        assert_eq!(end_session(&services, request).await, Ok(LoggedOut::Done));
    }

    #[tokio::test]
    async fn tokens_that_fail_verification_are_invalid() {
        let (services, sid) = setup(true).await;
        let good = claims(&services, "test-client", sid);
        let now = services.clock.now().0;
        let mut cases: Vec<(&str, String)> = vec![
            ("wrong key", sign(&good, &key_of("other-secret"))),
            ("raw secret", sign(&good, b"test-secret")),
            (
                "public key for a confidential client",
                sign(&good, &key_of("test-secret-key")),
            ),
        ];
        let altered = |name: &str, value: Value| {
            let mut claims = good.clone();
            claims[name] = value;
            sign(&claims, &key_of("test-secret"))
        };
        cases.push(("wrong iss", altered("iss", json!("http://evil/auth/oauth"))));
        cases.push((
            "iss with slash",
            altered("iss", json!(format!("{ISSUER}/"))),
        ));
        cases.push(("iss as list", altered("iss", json!([ISSUER]))));
        cases.push(("expired", altered("exp", json!(now))));
        cases.push(("exp not a number", altered("exp", json!("soon"))));
        cases.push(("iat not a number", altered("iat", json!("then"))));
        cases.push(("not yet valid", altered("nbf", json!(now + 60))));
        for missing in ["iss", "exp", "iat", "sub"] {
            let mut claims = good.clone();
            claims.as_object_mut().expect("object").remove(missing);
            cases.push((missing, sign(&claims, &key_of("test-secret"))));
        }
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(good.to_string());
        cases.push(("alg none", format!("{header}.{payload}.")));
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &good,
            &EncodingKey::from_secret(&key_of("test-secret")).expect("key"),
        )
        .expect("sign");
        cases.push(("HS512", hs512));

        for (what, token) in cases {
            assert_eq!(
                logout(&services, &token).await,
                Err(EndSessionError::InvalidIdToken),
                "{what}"
            );
        }
        assert!(session_exists(&services, sid).await);
    }

    #[tokio::test]
    async fn a_token_without_a_usable_sid_names_no_session() {
        let (services, sid) = setup(true).await;
        for value in [None, Some(json!(42)), Some(json!("not-a-uuid"))] {
            let mut claims = claims(&services, "test-client", sid);
            match value {
                Some(value) => claims["sid"] = value,
                None => {
                    claims.as_object_mut().expect("object").remove("sid");
                }
            }
            let token = sign(&claims, &key_of("test-secret"));
            assert_eq!(
                logout(&services, &token).await,
                Err(EndSessionError::MissingSession)
            );
        }
        assert!(session_exists(&services, sid).await);
    }

    #[tokio::test]
    async fn a_session_already_gone_is_not_an_error() {
        let (services, sid) = setup(true).await;
        let token = hint(&services, sid);
        assert_eq!(logout(&services, &token).await, Ok(LoggedOut::Done));
        assert_eq!(logout(&services, &token).await, Ok(LoggedOut::Done));
    }

    #[test]
    fn errors_have_the_spec_statuses() {
        use crate::protocol::Reply;
        let cases = [
            (
                EndSessionError::MissingHint,
                ErrorCode::InvalidRequest,
                Reply::BadRequest,
            ),
            (
                EndSessionError::InvalidIdToken,
                ErrorCode::InvalidToken,
                Reply::Unauthorized(None),
            ),
            (
                EndSessionError::UnknownClient,
                ErrorCode::InvalidClient,
                Reply::BadRequest,
            ),
            (
                EndSessionError::LogoutDisabled,
                ErrorCode::InvalidClient,
                Reply::Unauthorized(None),
            ),
            (
                EndSessionError::MissingSession,
                ErrorCode::InvalidRequest,
                Reply::BadRequest,
            ),
        ];
        for (error, code, reply) in cases {
            let oauth = error.to_oauth();
            assert_eq!((oauth.code, oauth.reply), (code, reply), "{error}");
            assert_eq!(
                oauth.description.as_deref(),
                Some(error.to_string().as_str())
            );
        }
    }
}
