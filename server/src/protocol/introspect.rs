//! Token introspection (spec §2.7 with R.8, RFC 7662): a confidential client asks whether one
//! of its own tokens is active. Other clients' tokens, unknown, expired, rotated or revoked
//! ones all read as `{"active": false}`; an expired access token is deleted when seen.

use serde_json::{Map, Value};

use crate::domain::{ClientId, Scopes, Timestamp, TokenDigest};
use crate::protocol::client_auth::{self, ClientAuthError, Presented, Requirement, redacted};
use crate::protocol::token_hint::{TokenHint, presented_digest};
use crate::protocol::{EndpointError, ErrorCode, OAuthError, Services};
use crate::store::{Audience, Client, StoreError};

/// An introspection request's parameters (last values sent). `Debug` hides the token.
#[derive(Clone, Copy, Default)]
pub struct IntrospectRequest<'a> {
    /// Client credentials as presented.
    pub client: Presented<'a>,
    /// `token`.
    pub token: Option<&'a str>,
    /// `token_type_hint`.
    pub token_type_hint: Option<&'a str>,
}

impl std::fmt::Debug for IntrospectRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectRequest")
            .field("client", &self.client)
            .field("token", &redacted(self.token))
            .field("token_type_hint", &self.token_type_hint)
            .finish()
    }
}

/// Why an introspection request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntrospectError {
    /// The client was not authenticated as a confidential client (401).
    #[error(transparent)]
    Client(#[from] ClientAuthError),
    /// `token` missing or empty: 400 `invalid_request` (R.8).
    #[error("missing token")]
    MissingToken,
    /// Storage failed.
    #[error("storage failed")]
    Server,
}

impl EndpointError for IntrospectError {
    fn to_oauth(&self) -> OAuthError {
        match self {
            Self::Client(error) => error.to_oauth(),
            Self::MissingToken => {
                OAuthError::bad_request(ErrorCode::InvalidRequest, Some(self.to_string().into()))
            }
            Self::Server => OAuthError::server_error(),
        }
    }
}

impl From<StoreError> for IntrospectError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "introspection: storage failed");
        Self::Server
    }
}

/// What introspection says about an active token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveToken {
    /// The client it was issued to (the caller).
    pub client_id: ClientId,
    /// Its scopes.
    pub scopes: Scopes,
    /// When it expires.
    pub expires_at: Timestamp,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// `Bearer` for access tokens, `refresh_token` for refresh tokens (spec §2.7).
    pub token_type: &'static str,
    /// Its audience, when a resource is bound.
    pub audience: Option<Audience>,
}

/// The answer: active with its details, or inactive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Introspection {
    /// `{"active": true, …}`.
    Active(ActiveToken),
    /// `{"active": false}`.
    Inactive,
}

impl Introspection {
    /// The JSON body; `aud` only when the token has an audience.
    pub fn to_json(&self) -> Value {
        let Self::Active(token) = self else {
            return serde_json::json!({ "active": false });
        };
        let mut body = Map::new();
        body.insert("active".into(), true.into());
        body.insert("client_id".into(), token.client_id.as_str().into());
        body.insert("scope".into(), token.scopes.joined().into());
        body.insert("exp".into(), token.expires_at.0.into());
        body.insert("iat".into(), token.issued_at.0.into());
        body.insert("token_type".into(), token.token_type.into());
        match &token.audience {
            Some(Audience::One(resource)) => {
                body.insert("aud".into(), resource.as_str().into());
            }
            Some(Audience::Many(resources)) => {
                body.insert("aud".into(), resources.clone().into());
            }
            None => {}
        }
        Value::Object(body)
    }
}

/// Handles an introspection request (spec §2.7 steps 1–7).
pub async fn introspect(
    services: &Services,
    request: &IntrospectRequest<'_>,
) -> Result<Introspection, IntrospectError> {
    let client =
        client_auth::authenticate_presented(services, request.client, Requirement::Confidential)
            .await?;
    let token = request
        .token
        .filter(|t| !t.is_empty())
        .ok_or(IntrospectError::MissingToken)?;
    let digest = presented_digest(token);
    let hint = TokenHint::parse(request.token_type_hint);

    if TokenHint::includes_access_tokens(hint)
        && let Some(active) = access_token(services, &client, &digest).await?
    {
        return Ok(Introspection::Active(active));
    }
    if TokenHint::includes_refresh_tokens(hint)
        && let Some(active) = refresh_token(services, &client, &digest).await?
    {
        return Ok(Introspection::Active(active));
    }
    Ok(Introspection::Inactive)
}

/// The caller's unexpired access token; an expired one is deleted.
async fn access_token(
    services: &Services,
    client: &Client,
    digest: &TokenDigest,
) -> Result<Option<ActiveToken>, IntrospectError> {
    let Some(record) = services.store.access_token(digest).await? else {
        return Ok(None);
    };
    if record.expires_at.has_passed(services.clock.now()) {
        services.store.delete_access_token(digest).await?;
        return Ok(None);
    }
    if record.client_id != client.client_id {
        return Ok(None);
    }
    Ok(Some(ActiveToken {
        client_id: record.client_id,
        scopes: record.scopes,
        expires_at: record.expires_at,
        issued_at: record.issued_at,
        token_type: "Bearer",
        audience: record.audience,
    }))
}

/// The caller's current (unexpired, not rotated) refresh token; its `aud` is the plain bound
/// resource.
async fn refresh_token(
    services: &Services,
    client: &Client,
    digest: &TokenDigest,
) -> Result<Option<ActiveToken>, IntrospectError> {
    let Some(entry) = services.store.refresh_token(digest).await? else {
        return Ok(None);
    };
    let record = entry.record;
    let expired = record.expires_at.has_passed(services.clock.now());
    if entry.rotated || expired || record.client_id != client.client_id {
        return Ok(None);
    }
    Ok(Some(ActiveToken {
        client_id: record.client_id,
        scopes: record.scopes,
        expires_at: record.expires_at,
        issued_at: record.issued_at,
        token_type: "refresh_token",
        audience: record.resource.map(Audience::One),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, Clock};
    use crate::protocol::token::testing::{
        RESOURCE, Setup, code_request, confidential, public, refresh_request, setup,
    };
    use crate::protocol::token::{IssuedTokens, exchange};

    async fn tokens(setup: &Setup, scopes: &str, resource: Option<&str>) -> IssuedTokens {
        let code = setup
            .code(|g| {
                g.scopes = Scopes::split_dedup(scopes);
                g.resource = resource.map(str::to_owned);
            })
            .await;
        exchange(&setup.services, &code_request(&code))
            .await
            .unwrap()
    }

    fn request<'a>(token: &'a str, hint: Option<&'a str>) -> IntrospectRequest<'a> {
        IntrospectRequest {
            client: confidential(),
            token: Some(token),
            token_type_hint: hint,
        }
    }

    async fn body(setup: &Setup, request: IntrospectRequest<'_>) -> Value {
        introspect(&setup.services, &request)
            .await
            .unwrap()
            .to_json()
    }

    #[tokio::test]
    async fn an_active_access_token_is_described() {
        let setup = setup().await;
        let issued = tokens(&setup, "user", Some(RESOURCE)).await;
        let now = setup.clock.now().0;
        let body = body(&setup, request(issued.access_token.expose(), None)).await;
        assert_eq!(
            body,
            serde_json::json!({
                "active": true, "client_id": "test-client", "scope": "user",
                "exp": now + 3600, "iat": now, "token_type": "Bearer", "aud": RESOURCE,
            })
        );
    }

    #[tokio::test]
    async fn aud_is_a_list_with_openid_and_absent_without_a_resource() {
        let setup = setup().await;
        let issued = tokens(&setup, "user openid", Some(RESOURCE)).await;
        let body_with = body(&setup, request(issued.access_token.expose(), None)).await;
        assert_eq!(
            body_with["aud"],
            serde_json::json!([RESOURCE, "http://testserver/auth/oauth/userinfo"])
        );
        let unbound = tokens(&setup, "user", None).await;
        let body_without = body(&setup, request(unbound.access_token.expose(), None)).await;
        assert_eq!(body_without["active"], true);
        assert!(body_without.get("aud").is_none());
    }

    #[tokio::test]
    async fn a_refresh_token_reads_as_refresh_token_unless_the_hint_says_access_token() {
        let setup = setup().await;
        let issued = tokens(&setup, "user offline_access", Some(RESOURCE)).await;
        let refresh = issued.refresh_token.as_ref().unwrap();
        let hinted = body(&setup, request(refresh.expose(), Some("refresh_token"))).await;
        assert_eq!(hinted["token_type"], "refresh_token");
        assert_eq!(hinted["scope"], "user offline_access");
        assert_eq!(hinted["aud"], RESOURCE);
        assert_eq!(hinted["iat"], setup.clock.now().0);
        let unknown_hint = body(&setup, request(refresh.expose(), Some("id_token"))).await;
        assert_eq!(unknown_hint["active"], true);
        let wrong_hint = body(&setup, request(refresh.expose(), Some("access_token"))).await;
        assert_eq!(wrong_hint, serde_json::json!({"active": false}));

        exchange(&setup.services, &refresh_request(refresh))
            .await
            .unwrap();
        let rotated = body(&setup, request(refresh.expose(), None)).await;
        assert_eq!(rotated["active"], false);
    }

    #[tokio::test]
    async fn another_clients_and_unknown_tokens_are_inactive() {
        let setup = setup().await;
        let code = setup
            .code(|g| {
                g.client_id = ClientId::new("public-client");
                g.redirect_uri_explicit = false;
            })
            .await;
        let mut theirs = code_request(&code);
        theirs.client = public();
        let issued = exchange(&setup.services, &theirs).await.unwrap();
        let body_theirs = body(&setup, request(issued.access_token.expose(), None)).await;
        assert_eq!(body_theirs, serde_json::json!({"active": false}));
        let prefixed = body(&setup, request("Bearer belgie_unknown", None)).await;
        assert_eq!(prefixed, serde_json::json!({"active": false}));
    }

    #[tokio::test]
    async fn a_bearer_prefix_is_stripped() {
        let setup = setup().await;
        let issued = tokens(&setup, "user", None).await;
        let prefixed = format!("Bearer {}", issued.access_token.expose());
        assert_eq!(body(&setup, request(&prefixed, None)).await["active"], true);
    }

    #[tokio::test]
    async fn an_expired_access_token_is_inactive_and_deleted() {
        let setup = setup().await;
        let issued = tokens(&setup, "user", None).await;
        setup.clock.advance(3600);
        let body = body(&setup, request(issued.access_token.expose(), None)).await;
        assert_eq!(body, serde_json::json!({"active": false}));
        assert!(!setup.has_access_token(issued.access_token.digest()).await);
    }

    #[tokio::test]
    async fn a_confidential_client_and_a_token_are_required() {
        let setup = setup().await;
        let unauthenticated = IntrospectError::Client(ClientAuthError::InvalidClient {
            basic_attempted: false,
        });
        let by_public = IntrospectRequest {
            client: public(),
            ..request("belgie_x", None)
        };
        let anonymous = IntrospectRequest {
            client: Presented::default(),
            ..request("belgie_x", None)
        };
        for rejected in [by_public, anonymous] {
            let error = introspect(&setup.services, &rejected).await.unwrap_err();
            assert_eq!(error, unauthenticated);
        }
        let missing = IntrospectRequest {
            token: None,
            ..request("", None)
        };
        let error = introspect(&setup.services, &missing).await.unwrap_err();
        assert_eq!(error, IntrospectError::MissingToken);
        assert_eq!(
            error.to_oauth(),
            OAuthError::bad_request(ErrorCode::InvalidRequest, Some("missing token".into()))
        );
    }
}
