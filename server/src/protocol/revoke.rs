//! Token revocation (spec §2.6 with R.8, RFC 7009): any client may revoke its own tokens,
//! a public one with its `client_id` alone. Revoking a refresh token revokes its whole grant.
//! Once the caller is authenticated and `token` is present the answer is always 200 `{}`.

use crate::domain::TokenDigest;
use crate::protocol::client_auth::{self, ClientAuthError, Presented, Requirement, redacted};
use crate::protocol::token_hint::{TokenHint, presented_digest};
use crate::protocol::{EndpointError, ErrorCode, OAuthError, Services};
use crate::store::{Client, StoreError};

/// A revocation request's parameters (last values sent). `Debug` hides the token.
#[derive(Clone, Copy, Default)]
pub struct RevokeRequest<'a> {
    /// Client credentials as presented.
    pub client: Presented<'a>,
    /// `token`.
    pub token: Option<&'a str>,
    /// `token_type_hint`.
    pub token_type_hint: Option<&'a str>,
}

impl std::fmt::Debug for RevokeRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevokeRequest")
            .field("client", &self.client)
            .field("token", &redacted(self.token))
            .field("token_type_hint", &self.token_type_hint)
            .finish()
    }
}

/// Why a revocation request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RevokeError {
    /// The client was not authenticated (401).
    #[error(transparent)]
    Client(#[from] ClientAuthError),
    /// `token` missing or empty.
    #[error("missing token")]
    MissingToken,
    /// Storage failed.
    #[error("storage failed")]
    Server,
}

impl EndpointError for RevokeError {
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

impl From<StoreError> for RevokeError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "revocation: storage failed");
        Self::Server
    }
}

/// Handles a revocation request (spec §2.6 steps 1–6).
pub async fn revoke(services: &Services, request: &RevokeRequest<'_>) -> Result<(), RevokeError> {
    let client =
        client_auth::authenticate_presented(services, request.client, Requirement::AnyClient)
            .await?;
    let token = request
        .token
        .filter(|t| !t.is_empty())
        .ok_or(RevokeError::MissingToken)?;
    let digest = presented_digest(token);
    let hint = TokenHint::parse(request.token_type_hint);

    if TokenHint::includes_access_tokens(hint)
        && revoke_access_token(services, &client, &digest).await?
    {
        return Ok(());
    }
    if TokenHint::includes_refresh_tokens(hint) {
        revoke_refresh_token(services, &client, &digest).await?;
    }
    Ok(())
}

/// Deletes the caller's access token; `true` if there was one.
async fn revoke_access_token(
    services: &Services,
    client: &Client,
    digest: &TokenDigest,
) -> Result<bool, RevokeError> {
    let Some(record) = services.store.access_token(digest).await? else {
        return Ok(false);
    };
    if record.client_id != client.client_id {
        return Ok(false);
    }
    services.store.delete_access_token(digest).await?;
    tracing::info!(client_id = %client.client_id, "access token revoked");
    Ok(true)
}

/// Revokes the grant of the caller's current refresh token (R.8, RFC 7009 §2.1). A token that
/// was already rotated is unusable anyway, and revoking it leaves its successors alone.
async fn revoke_refresh_token(
    services: &Services,
    client: &Client,
    digest: &TokenDigest,
) -> Result<(), RevokeError> {
    let Some(entry) = services.store.refresh_token(digest).await? else {
        return Ok(());
    };
    if entry.record.client_id != client.client_id || entry.rotated {
        return Ok(());
    }
    services.store.revoke_grant(entry.record.grant_id).await?;
    tracing::info!(client_id = %client.client_id, "refresh token revoked with its grant");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Scopes;
    use crate::protocol::token::testing::{Setup, code_request, confidential, public, setup};
    use crate::protocol::token::{IssuedTokens, exchange};

    async fn tokens(setup: &Setup, client: &str) -> IssuedTokens {
        let code = setup
            .code(|g| {
                g.client_id = crate::domain::ClientId::new(client);
                g.scopes = Scopes::split_dedup("user offline_access");
            })
            .await;
        let mut request = code_request(&code);
        if client == "public-client" {
            request.client = public();
        }
        exchange(&setup.services, &request).await.unwrap()
    }

    fn request<'a>(token: &'a str, hint: Option<&'a str>) -> RevokeRequest<'a> {
        RevokeRequest {
            client: confidential(),
            token: Some(token),
            token_type_hint: hint,
        }
    }

    async fn refresh_is_current(setup: &Setup, issued: &IssuedTokens) -> bool {
        let digest = issued.refresh_token.as_ref().unwrap().digest();
        setup
            .services
            .store
            .refresh_token(&digest)
            .await
            .unwrap()
            .is_some()
    }

    #[tokio::test]
    async fn revoking_an_access_token_deletes_only_it() {
        let setup = setup().await;
        let issued = tokens(&setup, "test-client").await;
        let access = issued.access_token.expose();
        revoke(&setup.services, &request(access, Some("access_token")))
            .await
            .unwrap();
        assert!(!setup.has_access_token(issued.access_token.digest()).await);
        assert!(refresh_is_current(&setup, &issued).await);
    }

    #[tokio::test]
    async fn revoking_a_refresh_token_revokes_its_grant() {
        let setup = setup().await;
        let issued = tokens(&setup, "test-client").await;
        let refresh = issued.refresh_token.as_ref().unwrap().expose();
        revoke(&setup.services, &request(refresh, None))
            .await
            .unwrap();
        assert!(!refresh_is_current(&setup, &issued).await);
        assert!(!setup.has_access_token(issued.access_token.digest()).await);
    }

    #[tokio::test]
    async fn a_bearer_prefix_is_stripped_and_an_unknown_hint_ignored() {
        let setup = setup().await;
        let issued = tokens(&setup, "test-client").await;
        let prefixed = format!("Bearer {}", issued.access_token.expose());
        revoke(&setup.services, &request(&prefixed, Some("id_token")))
            .await
            .unwrap();
        assert!(!setup.has_access_token(issued.access_token.digest()).await);
    }

    #[tokio::test]
    async fn a_hint_limits_the_lookup_to_its_type() {
        let setup = setup().await;
        let issued = tokens(&setup, "test-client").await;
        let refresh = issued.refresh_token.as_ref().unwrap().expose();
        revoke(&setup.services, &request(refresh, Some("access_token")))
            .await
            .unwrap();
        assert!(refresh_is_current(&setup, &issued).await);
        let access = issued.access_token.expose();
        revoke(&setup.services, &request(access, Some("refresh_token")))
            .await
            .unwrap();
        assert!(setup.has_access_token(issued.access_token.digest()).await);
    }

    #[tokio::test]
    async fn another_clients_tokens_and_unknown_tokens_are_left_alone_with_success() {
        let setup = setup().await;
        let theirs = tokens(&setup, "public-client").await;
        revoke(
            &setup.services,
            &request(theirs.access_token.expose(), None),
        )
        .await
        .unwrap();
        let refresh = theirs.refresh_token.as_ref().unwrap().expose();
        revoke(&setup.services, &request(refresh, None))
            .await
            .unwrap();
        assert!(setup.has_access_token(theirs.access_token.digest()).await);
        assert!(refresh_is_current(&setup, &theirs).await);
        revoke(&setup.services, &request("belgie_unknown", None))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_public_client_revokes_its_own_token_with_its_id_alone() {
        let setup = setup().await;
        let issued = tokens(&setup, "public-client").await;
        let request = RevokeRequest {
            client: public(),
            ..request(issued.access_token.expose(), None)
        };
        revoke(&setup.services, &request).await.unwrap();
        assert!(!setup.has_access_token(issued.access_token.digest()).await);
    }

    #[tokio::test]
    async fn authentication_then_token_presence_are_required() {
        let setup = setup().await;
        let unauthenticated = RevokeError::Client(ClientAuthError::InvalidClient {
            basic_attempted: false,
        });
        let wrong = RevokeRequest {
            client: Presented {
                client_secret: Some("wrong"),
                ..confidential()
            },
            token: None,
            token_type_hint: None,
        };
        let anonymous = RevokeRequest {
            client: Presented::default(),
            ..request("belgie_x", None)
        };
        assert_eq!(revoke(&setup.services, &wrong).await, Err(unauthenticated));
        assert_eq!(
            revoke(&setup.services, &anonymous).await,
            Err(unauthenticated)
        );
        let missing = RevokeRequest {
            token: Some(""),
            ..request("", None)
        };
        let error = revoke(&setup.services, &missing).await.unwrap_err();
        assert_eq!(error, RevokeError::MissingToken);
        let oauth = error.to_oauth();
        assert_eq!(oauth.code, ErrorCode::InvalidRequest);
        assert_eq!(oauth.description.as_deref(), Some("missing token"));
    }
}
