//! The token endpoint (spec §2.4, R.5, R.6): credentials are extracted, the grant type is
//! dispatched on, and then the grant's own checks run in the order of §2.4.3–§2.4.5.

mod client_credentials;
mod code;
mod issue;
mod refresh;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod yielding_store;

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use crate::domain::{AccessToken, RefreshToken, Scopes};
use crate::protocol::client_auth::{self, ClientAuthError, Presented, redacted};
use crate::protocol::id_token::SigningFailed;
use crate::protocol::resource::InvalidTarget;
use crate::protocol::{EndpointError, ErrorCode, OAuthError, Services};
use crate::store::StoreError;

/// A token request's parameters, each the last value sent (possibly empty), except `resource`,
/// which lists every value. `Debug` hides the code, verifier and refresh token.
#[derive(Clone, Default)]
pub struct TokenRequest<'a> {
    /// Client credentials as presented.
    pub client: Presented<'a>,
    /// `grant_type`.
    pub grant_type: Option<&'a str>,
    /// `code`.
    pub code: Option<&'a str>,
    /// `redirect_uri`.
    pub redirect_uri: Option<&'a str>,
    /// `code_verifier`.
    pub code_verifier: Option<&'a str>,
    /// `refresh_token`.
    pub refresh_token: Option<&'a str>,
    /// `scope`.
    pub scope: Option<&'a str>,
    /// Every `resource` value.
    pub resource: Vec<&'a str>,
}

impl fmt::Debug for TokenRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("client", &self.client)
            .field("grant_type", &self.grant_type)
            .field("code", &redacted(self.code))
            .field("redirect_uri", &self.redirect_uri)
            .field("code_verifier", &redacted(self.code_verifier))
            .field("refresh_token", &redacted(self.refresh_token))
            .field("scope", &self.scope)
            .field("resource", &self.resource)
            .finish()
    }
}

/// A successful token response (RFC 6749 §5.1).
pub struct IssuedTokens {
    /// The access token.
    pub access_token: AccessToken,
    /// Its lifetime in seconds (`access_token_ttl_seconds`).
    pub expires_in: i64,
    /// The granted scopes.
    pub scopes: Scopes,
    /// A refresh token, when one was issued.
    pub refresh_token: Option<RefreshToken>,
    /// An id_token, when one was issued.
    pub id_token: Option<String>,
}

impl IssuedTokens {
    /// The JSON body; members without a value are omitted (R.5).
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        body.insert("access_token".into(), self.access_token.expose().into());
        body.insert("token_type".into(), "Bearer".into());
        body.insert("expires_in".into(), self.expires_in.into());
        body.insert("scope".into(), self.scopes.joined().into());
        if let Some(refresh) = &self.refresh_token {
            body.insert("refresh_token".into(), refresh.expose().into());
        }
        if let Some(id_token) = &self.id_token {
            body.insert("id_token".into(), id_token.as_str().into());
        }
        Value::Object(body)
    }
}

impl fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedTokens")
            .field("access_token", &self.access_token)
            .field("expires_in", &self.expires_in)
            .field("scopes", &self.scopes)
            .field("refresh_token", &self.refresh_token)
            .field("id_token", &redacted(self.id_token.as_ref()))
            .finish()
    }
}

/// Why a token request failed; each variant is one row of spec §2.4's tables.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The client was not authenticated (401).
    #[error(transparent)]
    Client(#[from] ClientAuthError),
    /// `grant_type` missing or not supported.
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    /// `code` missing or empty.
    #[error("missing code")]
    MissingCode,
    /// The code was never issued.
    #[error("unknown code")]
    UnknownCode,
    /// The code was redeemed before: its grant has been revoked (R.5).
    #[error("code already redeemed")]
    CodeReplayed,
    /// The code's lifetime has passed.
    #[error("code expired")]
    CodeExpired,
    /// The code or refresh token belongs to another client.
    #[error("client_id mismatch")]
    ClientMismatch,
    /// Authorize had an explicit `redirect_uri` and the token request has none.
    #[error("missing redirect_uri")]
    MissingRedirectUri,
    /// `redirect_uri` differs from the one used at authorize.
    #[error("redirect_uri mismatch")]
    RedirectUriMismatch,
    /// `code_verifier` missing or empty.
    #[error("missing code_verifier")]
    MissingCodeVerifier,
    /// The verifier is malformed (R.5) or does not match the challenge.
    #[error("invalid code_verifier")]
    InvalidCodeVerifier,
    /// `refresh_token` missing or empty.
    #[error("missing refresh_token")]
    MissingRefreshToken,
    /// The refresh token is unknown or expired.
    #[error("unknown refresh token")]
    UnknownRefreshToken,
    /// The refresh token was rotated before: its grant has been revoked (R.5).
    #[error("refresh token reused")]
    RefreshTokenReused,
    /// `scope` sent but empty.
    #[error("missing scope")]
    MissingScope,
    /// A refresh asked for a scope the grant does not have.
    #[error("unable to issue scope {0}")]
    ScopeNotGranted(String),
    /// A scope outside the client's registration.
    #[error("Client was not registered with scope {0}")]
    ScopeNotRegistered(String),
    /// A `resource` the server will not accept (spec §3.2, R.6).
    #[error("invalid_target")]
    InvalidTarget,
    /// Storage or signing failed.
    #[error("server error")]
    Server,
}

impl EndpointError for TokenError {
    fn to_oauth(&self) -> OAuthError {
        let described = |code| OAuthError::bad_request(code, Some(Cow::Owned(self.to_string())));
        let bare = |code| OAuthError::bad_request(code, None);
        match self {
            Self::Client(error) => error.to_oauth(),
            Self::UnsupportedGrantType => bare(ErrorCode::UnsupportedGrantType),
            Self::MissingCode
            | Self::MissingRedirectUri
            | Self::MissingCodeVerifier
            | Self::MissingRefreshToken => described(ErrorCode::InvalidRequest),
            Self::UnknownCode
            | Self::CodeReplayed
            | Self::UnknownRefreshToken
            | Self::RefreshTokenReused => bare(ErrorCode::InvalidGrant),
            Self::CodeExpired
            | Self::ClientMismatch
            | Self::RedirectUriMismatch
            | Self::InvalidCodeVerifier => described(ErrorCode::InvalidGrant),
            Self::MissingScope | Self::ScopeNotGranted(_) | Self::ScopeNotRegistered(_) => {
                described(ErrorCode::InvalidScope)
            }
            Self::InvalidTarget => bare(ErrorCode::InvalidTarget),
            Self::Server => OAuthError::server_error(),
        }
    }
}

impl From<StoreError> for TokenError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "token endpoint: storage failed");
        Self::Server
    }
}

impl From<InvalidTarget> for TokenError {
    fn from(_: InvalidTarget) -> Self {
        Self::InvalidTarget
    }
}

impl From<SigningFailed> for TokenError {
    fn from(error: SigningFailed) -> Self {
        tracing::error!(%error, "token endpoint: id_token signing failed");
        Self::Server
    }
}

/// The grants the endpoint supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    fn parse(value: Option<&str>) -> Result<Self, TokenError> {
        match value {
            Some("authorization_code") => Ok(Self::AuthorizationCode),
            Some("refresh_token") => Ok(Self::RefreshToken),
            Some("client_credentials") => Ok(Self::ClientCredentials),
            _ => Err(TokenError::UnsupportedGrantType),
        }
    }
}

/// Handles a token request (spec §2.4.1): credentials are decoded first (a malformed Basic
/// header fails here), then the grant type is checked, then the grant authenticates the client
/// and runs its own checks.
pub async fn exchange(
    services: &Services,
    request: &TokenRequest<'_>,
) -> Result<IssuedTokens, TokenError> {
    let credentials = client_auth::extract(request.client)?;
    let grant_type = GrantType::parse(request.grant_type)?;
    match grant_type {
        GrantType::AuthorizationCode => code::exchange(services, &credentials, request).await,
        GrantType::RefreshToken => refresh::exchange(services, &credentials, request).await,
        GrantType::ClientCredentials => {
            client_credentials::exchange(services, &credentials, request).await
        }
    }
}

/// The value of an optional parameter, treating an empty value as absent.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::testing::{confidential, setup};
    use super::*;
    use crate::protocol::{Challenge, Reply};

    #[tokio::test]
    async fn an_unsupported_grant_type_is_reported_before_authentication() {
        let setup = setup().await;
        let bad_client = Presented {
            client_id: Some("wrong"),
            ..confidential()
        };
        for grant_type in [None, Some(""), Some("urn:custom"), Some("password")] {
            let request = TokenRequest {
                client: bad_client,
                grant_type,
                ..TokenRequest::default()
            };
            let error = exchange(&setup.services, &request).await.unwrap_err();
            assert_eq!(error, TokenError::UnsupportedGrantType);
            let oauth = error.to_oauth();
            assert_eq!(oauth.code, ErrorCode::UnsupportedGrantType);
            assert_eq!(oauth.description, None);
        }
    }

    #[tokio::test]
    async fn a_malformed_basic_header_fails_before_anything_else() {
        let setup = setup().await;
        let request = TokenRequest {
            client: Presented {
                authorization: Some(b"Basic not-base64!"),
                ..confidential()
            },
            grant_type: Some("urn:custom"),
            ..TokenRequest::default()
        };
        let error = exchange(&setup.services, &request).await.unwrap_err();
        assert_eq!(
            error.to_oauth().reply,
            Reply::Unauthorized(Some(Challenge::Basic))
        );
    }

    #[test]
    fn a_requests_debug_output_hides_its_secrets() {
        let request = TokenRequest {
            client: Presented {
                authorization: Some(b"Basic c2VjcmV0LWhlYWRlcg=="),
                client_id: Some("test-client"),
                client_secret: Some("form-secret"),
            },
            grant_type: Some("authorization_code"),
            code: Some("belgie_code-value"),
            code_verifier: Some("verifier-value"),
            refresh_token: Some("belgie_refresh-value"),
            ..TokenRequest::default()
        };
        let printed = format!("{request:?}");
        for secret in [
            "c2VjcmV0",
            "form-secret",
            "code-value",
            "verifier-value",
            "refresh-value",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("test-client"));
    }

    #[test]
    fn debug_output_hides_every_token() {
        let issued = IssuedTokens {
            access_token: AccessToken::generate(),
            expires_in: 3600,
            scopes: Scopes::split_dedup("openid"),
            refresh_token: Some(RefreshToken::generate()),
            id_token: Some("header.payload.signature".into()),
        };
        let printed = format!("{issued:?}");
        assert!(!printed.contains(issued.access_token.expose()));
        assert!(!printed.contains("payload"));
        let body = issued.to_json();
        assert_eq!(body["id_token"], "header.payload.signature");
        assert_eq!(body["expires_in"], 3600);
    }
}
