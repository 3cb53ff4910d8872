//! The login hand-off (`{I}/login`), the callback that issues the code (`{I}/login/callback`),
//! and the login-context lookup the host's pages use (spec §2.3, R.3).
//!
//! A pending authorization is found by the server's own handle (never the client's `state`),
//! expires `ttl.state` seconds after it began (never when that is ≤ 0; an expired one reads as
//! unknown and is dropped), and can be completed only by the browser whose binding cookie it
//! was stored with.

use url::Url;

use crate::config::ServerConfig;
use crate::domain::{BrowserBinding, PendingHandle};
use crate::protocol::authorize::{self, Subject, ValidatedRequest};
use crate::protocol::{EndpointError, ErrorCode, OAuthError, Services};
use crate::store::{Intent, PendingAuthorization, StoreError};

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
    /// Unknown or expired, or begun in another browser: 400 "Invalid state parameter".
    #[error("Invalid state parameter")]
    InvalidState,
    /// The callback was reached without a signed-in user: 401 "login_required".
    #[error("login_required")]
    LoginRequired,
    /// Neither a signup URL (for `create`) nor a login URL is configured: 400.
    #[error("login_url not configured")]
    LoginUrlNotConfigured,
    /// Storage failed.
    #[error("storage failed")]
    Server,
}

impl EndpointError for LoginError {
    fn to_oauth(&self) -> OAuthError {
        let detail = Some(self.to_string().into());
        match self {
            Self::MissingState | Self::InvalidState | Self::LoginUrlNotConfigured => {
                OAuthError::bad_request(ErrorCode::InvalidRequest, detail).with_detail_shape()
            }
            Self::LoginRequired => {
                OAuthError::unauthorized(ErrorCode::LoginRequired, detail, None).with_detail_shape()
            }
            Self::Server => OAuthError::server_error(),
        }
    }
}

impl From<StoreError> for LoginError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store failed during login");
        Self::Server
    }
}

/// Where the user signs in for `intent`: the signup URL for `create` when one is configured,
/// else the login URL; `None` when neither applies.
pub fn interaction_url(config: &ServerConfig, intent: Intent) -> Option<&Url> {
    let signup = match intent {
        Intent::Create => config.signup_url.as_ref(),
        Intent::Login => None,
    };
    signup.or(config.login_url.as_ref())
}

/// Resolves the login context from a page's query: `state`, or else the `state` inside the
/// query of `return_to` (spec §2.3 `resolve_login_context`). Does not consume anything.
pub async fn resolve_context(
    services: &Services,
    state: Option<&str>,
    return_to: Option<&str>,
) -> Result<LoginContext, LoginError> {
    let state = state
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .or_else(|| return_to.and_then(state_inside))
        .ok_or(LoginError::MissingState)?;
    let pending = live_pending(services, &state).await?;
    Ok(LoginContext {
        return_to: callback_url(&services.config, &state),
        state,
        intent: pending.intent,
        prompt: pending.prompt,
    })
}

/// `GET {I}/login?state=S`: the URL of the page the user signs in on — the signup URL when the
/// intent is `create` and one is configured, else the login URL — with its own query kept and
/// `return_to={I}/login/callback?state=S` and `intent` appended.
pub async fn handoff(services: &Services, state: Option<&str>) -> Result<String, LoginError> {
    let state = state
        .filter(|s| !s.is_empty())
        .ok_or(LoginError::MissingState)?;
    let pending = live_pending(services, state).await?;
    let target = interaction_url(&services.config, pending.intent)
        .ok_or(LoginError::LoginUrlNotConfigured)?;

    let mut location = target.clone();
    location
        .query_pairs_mut()
        .append_pair("return_to", &callback_url(&services.config, state))
        .append_pair("intent", pending.intent.as_str());
    Ok(location.into())
}

/// `GET {I}/login/callback?state=S`: consumes the pending authorization for the signed-in user
/// and returns the client redirect carrying the new code. The user is checked before the
/// handle; a handle begun in another browser (no binding, or a different one) is refused
/// without being consumed.
pub async fn callback(
    services: &Services,
    state: Option<&str>,
    signed_in: Option<Subject>,
    browser: Option<&BrowserBinding>,
) -> Result<String, LoginError> {
    let state = state
        .filter(|s| !s.is_empty())
        .ok_or(LoginError::MissingState)?;
    let subject = signed_in.ok_or(LoginError::LoginRequired)?;
    let pending = live_pending(services, state).await?;
    let same_browser = browser.is_some_and(|binding| binding.digest() == pending.browser);
    if !same_browser {
        tracing::warn!(client_id = %pending.client_id, "login callback from another browser");
        return Err(LoginError::InvalidState);
    }

    let Some(pending) = services.store.take_pending(&pending.handle).await? else {
        return Err(LoginError::InvalidState);
    };
    let request = ValidatedRequest::from(pending);
    let location = authorize::issue_code(services, &request, subject).await?;
    tracing::info!(client_id = %request.client_id, "authorization code issued after sign-in");
    Ok(location)
}

/// The pending authorization under `handle`, unless it is unknown or expired (an expired one
/// is removed).
async fn live_pending(
    services: &Services,
    handle: &str,
) -> Result<PendingAuthorization, LoginError> {
    let digest = PendingHandle::from_presented(handle).digest();
    let pending = services
        .store
        .pending(&digest)
        .await?
        .ok_or(LoginError::InvalidState)?;
    let now = services.clock.now();
    if pending.expires_at.is_some_and(|at| at.has_passed(now)) {
        services.store.take_pending(&digest).await?;
        return Err(LoginError::InvalidState);
    }
    Ok(pending)
}

/// `{I}/login/callback?state=<state>`.
fn callback_url(config: &ServerConfig, state: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("state", state)
        .finish();
    format!("{}?{query}", config.issuer_url("/login/callback"))
}

/// The first `state` in the query of a `return_to` URL, absolute or relative.
fn state_inside(return_to: &str) -> Option<String> {
    let (_, query) = return_to.split_once('?')?;
    let query = query.split('#').next().unwrap_or(query);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AuthorizationCode, SessionId, UserId};
    use crate::protocol::authorize::{AuthorizeOutcome, AuthorizeRequest, authorize};
    use crate::protocol::fixture;

    fn query(location: &str, name: &str) -> Option<String> {
        let url = Url::parse(location).expect("absolute location");
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    fn subject() -> Subject {
        Subject {
            user_id: UserId::generate(),
            session_id: SessionId::generate(),
        }
    }

    /// Starts an anonymous authorization with `extra` pairs; returns the handle and binding.
    async fn pending(services: &Services, extra: &[(&str, &str)]) -> (String, BrowserBinding) {
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", "test-client"),
            ("redirect_uri", "http://testserver/callback"),
            ("code_challenge", "challenge"),
            ("state", "state-123"),
        ];
        pairs.extend_from_slice(extra);
        let request = AuthorizeRequest::from_pairs(pairs);
        let outcome = authorize(services, &request, None, None)
            .await
            .expect("accepted");
        let AuthorizeOutcome::SignIn { location, binding } = outcome else {
            panic!("expected the hand-off");
        };
        (query(&location, "state").expect("handle"), binding)
    }

    #[tokio::test]
    async fn context_comes_from_state_or_from_return_to() {
        let (services, _) = fixture::services().await;
        let (handle, _) = pending(&services, &[("prompt", "create")]).await;
        let context = resolve_context(&services, Some(&handle), None)
            .await
            .expect("known handle");
        assert_eq!(context.state, handle);
        assert_eq!(context.intent, Intent::Create);
        assert_eq!(context.prompt.as_deref(), Some("create"));
        assert_eq!(
            context.return_to,
            format!("http://testserver/auth/oauth/login/callback?state={handle}")
        );

        let (plain, _) = pending(&services, &[]).await;
        let return_to = format!("http://testserver/auth/oauth/login/callback?state={plain}");
        let context = resolve_context(&services, Some(""), Some(&return_to))
            .await
            .expect("state inside return_to");
        assert_eq!(context.state, plain);
        assert_eq!(context.intent, Intent::Login);
        assert_eq!(context.prompt, None);
        assert_eq!(context.return_to, return_to);
    }

    #[tokio::test]
    async fn context_lookup_fails_without_or_with_an_unknown_state() {
        let (services, _) = fixture::services().await;
        assert_eq!(
            resolve_context(&services, None, None).await,
            Err(LoginError::MissingState)
        );
        assert_eq!(
            resolve_context(&services, None, Some("/callback?other=1")).await,
            Err(LoginError::MissingState)
        );
        assert_eq!(
            resolve_context(&services, Some("state-123"), None).await,
            Err(LoginError::InvalidState)
        );
    }

    #[tokio::test]
    async fn context_lookup_does_not_consume() {
        let (services, _) = fixture::services().await;
        let (handle, _) = pending(&services, &[]).await;
        for _ in 0..2 {
            resolve_context(&services, Some(&handle), None)
                .await
                .expect("still pending");
        }
    }

    #[tokio::test]
    async fn handoff_sends_login_intents_to_the_login_url() {
        let (services, _) = fixture::services().await;
        for prompt in ["", "login"] {
            let (handle, _) = pending(&services, &[("prompt", prompt)]).await;
            let location = handoff(&services, Some(&handle)).await.expect("hand-off");
            assert!(
                location.starts_with("http://testserver/login/google?"),
                "{location}"
            );
            assert_eq!(
                query(&location, "return_to"),
                Some(format!(
                    "http://testserver/auth/oauth/login/callback?state={handle}"
                ))
            );
            assert_eq!(query(&location, "intent").as_deref(), Some("login"));
        }
    }

    #[tokio::test]
    async fn handoff_sends_create_to_signup_or_else_to_login() {
        let (services, _) = fixture::services().await;
        let (handle, _) = pending(&services, &[("prompt", "create")]).await;
        let location = handoff(&services, Some(&handle)).await.expect("hand-off");
        assert!(location.starts_with("http://testserver/signup?return_to="));
        assert_eq!(query(&location, "intent").as_deref(), Some("create"));

        let mut config = fixture::config();
        config.signup_url = None;
        let (services, _) = fixture::services_with(config).await;
        let (handle, _) = pending(&services, &[("prompt", "create")]).await;
        let location = handoff(&services, Some(&handle)).await.expect("hand-off");
        assert!(location.starts_with("http://testserver/login/google?return_to="));
        assert_eq!(query(&location, "intent").as_deref(), Some("create"));
    }

    #[tokio::test]
    async fn handoff_keeps_the_targets_own_query() {
        let mut config = fixture::config();
        config.login_url = Url::parse("http://testserver/login?provider=google").ok();
        let (services, _) = fixture::services_with(config).await;
        let (handle, _) = pending(&services, &[]).await;
        let location = handoff(&services, Some(&handle)).await.expect("hand-off");
        assert!(
            location.starts_with("http://testserver/login?provider=google&return_to=http%3A%2F%2F"),
            "{location}"
        );
    }

    #[tokio::test]
    async fn handoff_errors() {
        let (services, _) = fixture::services().await;
        assert_eq!(
            handoff(&services, None).await,
            Err(LoginError::MissingState)
        );
        assert_eq!(
            handoff(&services, Some("")).await,
            Err(LoginError::MissingState)
        );
        assert_eq!(
            handoff(&services, Some("state-123")).await,
            Err(LoginError::InvalidState)
        );

        // The pending entry was stored while a login URL existed; the configuration then
        // lost it (the only way to reach this row, since authorize checks the same rule).
        let (handle, _) = pending(&services, &[]).await;
        let mut config = fixture::config();
        config.login_url = None;
        let services = Services {
            config: std::sync::Arc::new(config),
            ..services
        };
        assert_eq!(
            handoff(&services, Some(&handle)).await,
            Err(LoginError::LoginUrlNotConfigured)
        );
    }

    #[tokio::test]
    async fn login_errors_use_the_detail_shape() {
        use crate::protocol::{Reply, Shape};
        for (error, reply, detail) in [
            (LoginError::MissingState, Reply::BadRequest, "missing state"),
            (
                LoginError::InvalidState,
                Reply::BadRequest,
                "Invalid state parameter",
            ),
            (
                LoginError::LoginUrlNotConfigured,
                Reply::BadRequest,
                "login_url not configured",
            ),
            (
                LoginError::LoginRequired,
                Reply::Unauthorized(None),
                "login_required",
            ),
        ] {
            let oauth = error.to_oauth();
            assert_eq!(oauth.reply, reply);
            assert_eq!(oauth.shape, Shape::Detail);
            assert_eq!(oauth.description.as_deref(), Some(detail));
        }
    }

    #[tokio::test]
    async fn callback_checks_state_then_user_then_handle_and_browser() {
        let (services, _) = fixture::services().await;
        let (handle, binding) = pending(&services, &[]).await;
        assert_eq!(
            callback(&services, None, Some(subject()), Some(&binding)).await,
            Err(LoginError::MissingState)
        );
        assert_eq!(
            callback(&services, Some("unknown"), None, Some(&binding)).await,
            Err(LoginError::LoginRequired)
        );
        assert_eq!(
            callback(&services, Some("unknown"), Some(subject()), Some(&binding)).await,
            Err(LoginError::InvalidState)
        );
        assert_eq!(
            callback(&services, Some(&handle), Some(subject()), None).await,
            Err(LoginError::InvalidState)
        );
        let other = BrowserBinding::generate();
        assert_eq!(
            callback(&services, Some(&handle), Some(subject()), Some(&other)).await,
            Err(LoginError::InvalidState)
        );

        // The refusals above did not consume the handle: the right browser still completes.
        let location = callback(&services, Some(&handle), Some(subject()), Some(&binding))
            .await
            .expect("same browser");
        assert!(location.starts_with("http://testserver/callback?code=belgie_"));
        assert_eq!(query(&location, "state").as_deref(), Some("state-123"));
        assert_eq!(
            query(&location, "iss").as_deref(),
            Some("http://testserver/auth/oauth")
        );
    }

    #[tokio::test]
    async fn a_handle_is_single_use() {
        let (services, _) = fixture::services().await;
        let (handle, binding) = pending(&services, &[]).await;
        callback(&services, Some(&handle), Some(subject()), Some(&binding))
            .await
            .expect("first use");
        assert_eq!(
            callback(&services, Some(&handle), Some(subject()), Some(&binding)).await,
            Err(LoginError::InvalidState)
        );
        assert_eq!(
            handoff(&services, Some(&handle)).await,
            Err(LoginError::InvalidState)
        );
    }

    #[tokio::test]
    async fn callback_without_client_state_sends_none() {
        let (services, _) = fixture::services().await;
        let (handle, binding) = pending(&services, &[("state", "")]).await;
        let location = callback(&services, Some(&handle), Some(subject()), Some(&binding))
            .await
            .expect("completes");
        assert_eq!(query(&location, "state"), None);
        assert!(query(&location, "iss").is_some());
    }

    #[tokio::test]
    async fn the_code_carries_nonce_user_session_and_resource() {
        let (services, _) = fixture::services().await;
        let (handle, binding) = pending(
            &services,
            &[("nonce", "n-9"), ("resource", "http://testserver/mcp")],
        )
        .await;
        let who = subject();
        let location = callback(&services, Some(&handle), Some(who), Some(&binding))
            .await
            .expect("completes");
        let code = query(&location, "code").expect("code");
        let entry = services
            .store
            .code(&AuthorizationCode::from_presented(code).digest())
            .await
            .expect("store answers")
            .expect("stored");
        assert_eq!(entry.grant.nonce.as_deref(), Some("n-9"));
        assert_eq!(entry.grant.user_id, who.user_id);
        assert_eq!(entry.grant.session_id, who.session_id);
        assert_eq!(
            entry.grant.resource.as_deref(),
            Some("http://testserver/mcp")
        );
        assert!(!entry.redeemed);
    }

    #[tokio::test]
    async fn pending_authorizations_expire_after_the_state_ttl() {
        let mut config = fixture::config();
        config.ttl.state = 1;
        let (services, clock) = fixture::services_with(config).await;
        let (handle, binding) = pending(&services, &[]).await;
        resolve_context(&services, Some(&handle), None)
            .await
            .expect("fresh");
        clock.advance(2);
        assert_eq!(
            resolve_context(&services, Some(&handle), None).await,
            Err(LoginError::InvalidState)
        );
        let digest = PendingHandle::from_presented(handle.as_str()).digest();
        let left = services
            .store
            .pending(&digest)
            .await
            .expect("store answers");
        assert!(left.is_none(), "an expired entry is removed");
        assert_eq!(
            callback(&services, Some(&handle), Some(subject()), Some(&binding)).await,
            Err(LoginError::InvalidState)
        );
    }

    #[tokio::test]
    async fn a_state_ttl_of_zero_never_expires() {
        let mut config = fixture::config();
        config.ttl.state = 0;
        let (services, clock) = fixture::services_with(config).await;
        let (handle, binding) = pending(&services, &[]).await;
        clock.advance(9000);
        handoff(&services, Some(&handle))
            .await
            .expect("still valid");
        callback(&services, Some(&handle), Some(subject()), Some(&binding))
            .await
            .expect("still valid");
    }
}
