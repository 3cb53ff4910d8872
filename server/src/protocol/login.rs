//! The login hand-off (`{I}/login`), the callback that issues the code (`{I}/login/callback`),
//! and the login-context lookup the host's pages use (spec §2.3, R.3).
//!
//! Only the context lookup's signature exists yet; the hand-off and callback are to come.

use crate::protocol::{EndpointError, ErrorCode, OAuthError, Services};
use crate::store::Intent;

/// What a login or signup page needs to know about the pending authorization it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginContext {
    /// The pending authorization's handle (the `state` of `/login/callback?state=`).
    pub state: String,
    /// Login or signup.
    pub intent: Intent,
    /// The normalised `prompt`, if any.
    pub prompt: Option<String>,
    /// Where the page sends the browser once the user is signed in:
    /// `{I}/login/callback?state=<state>`.
    pub return_to: String,
}

/// Why a login-context lookup, hand-off or callback failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// No `state` (and none inside `return_to`): 400 "missing state".
    #[error("missing state")]
    MissingState,
    /// Unknown or expired: 400 "Invalid state parameter".
    #[error("Invalid state parameter")]
    InvalidState,
    /// Storage failed.
    #[error("storage failed")]
    Server,
}

impl EndpointError for LoginError {
    fn to_oauth(&self) -> OAuthError {
        match self {
            Self::MissingState | Self::InvalidState => {
                OAuthError::bad_request(ErrorCode::InvalidRequest, Some(self.to_string().into()))
                    .with_detail_shape()
            }
            Self::Server => OAuthError::server_error(),
        }
    }
}

/// Resolves the login context from a page's query: `state`, or else the `state` inside the
/// query of `return_to` (spec §2.3 `resolve_login_context`). Does not consume anything.
pub async fn resolve_context(
    services: &Services,
    state: Option<&str>,
    return_to: Option<&str>,
) -> Result<LoginContext, LoginError> {
    let _ = (services, state, return_to);
    Err(LoginError::InvalidState)
}
