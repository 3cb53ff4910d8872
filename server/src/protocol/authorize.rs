//! The authorization endpoint (spec §2.2 with R.2–R.4, R.6): the request as typed parameters,
//! the validation order, and the session decision — issue a code at once, send the browser to
//! the login hand-off, or tell the client that login is required.
//!
//! Validation order (R.2; the first five answer 400 JSON and never redirect, because the client
//! or the redirect URI is not yet trusted):
//! 1. `client_id` missing → `invalid_request`; 2. unknown client → `invalid_client`;
//! 3. `redirect_uri` unparseable → `invalid_request`; 4. not registered (R.4) →
//!    `invalid_request`; 5. omitted while the client has 0 or ≥ 2 URIs → `invalid_request`.
//!
//! Every later error is a redirect to the client: 6. `response_type` missing →
//! `invalid_request`; 7. not `code` → `unsupported_response_type`; 8. a scope not registered →
//! `invalid_scope`; 9. `code_challenge` missing → `invalid_request`; 10. method not `S256` →
//! `invalid_request`; 11. a bad `resource` → `invalid_target`; 12. sign-in needed but not
//! allowed (`prompt=none`) or impossible (no login or signup URL) → `login_required`.

use std::borrow::Cow;
use std::fmt;

use url::Url;

use crate::domain::{
    AuthorizationCode, BrowserBinding, ClientId, CodeChallenge, GrantId, PendingHandle,
    RedirectUri, RedirectUriError, Scopes, SessionId, UserId,
};
use crate::protocol::{
    EndpointError, ErrorCode, OAuthError, Reply, Services, Shape, login, resource,
};
use crate::store::{Client, CodeGrant, Intent, PendingAuthorization, StoreError};

/// The parameters of an authorization request (spec §2.2.1). Where a key repeats, the last
/// value counts and an empty last value reads as absent; every `resource` value is kept as sent
/// (R.6), empty ones too. Other parameters are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// `response_type`.
    pub response_type: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `scope`, space-separated.
    pub scope: Option<String>,
    /// `state`, echoed only when sent.
    pub state: Option<String>,
    /// `code_challenge`.
    pub code_challenge: Option<String>,
    /// `code_challenge_method`; `S256` when absent.
    pub code_challenge_method: Option<String>,
    /// Every `resource` value, in order.
    pub resource: Vec<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `prompt`.
    pub prompt: Option<String>,
}

impl AuthorizeRequest {
    /// Builds the request from decoded `name=value` pairs in the order they were sent.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut request = Self::default();
        for (name, value) in pairs {
            if name == "resource" {
                request.resource.push(value.to_owned());
                continue;
            }
            let slot = match name {
                "response_type" => &mut request.response_type,
                "client_id" => &mut request.client_id,
                "redirect_uri" => &mut request.redirect_uri,
                "scope" => &mut request.scope,
                "state" => &mut request.state,
                "code_challenge" => &mut request.code_challenge,
                "code_challenge_method" => &mut request.code_challenge_method,
                "nonce" => &mut request.nonce,
                "prompt" => &mut request.prompt,
                _ => continue,
            };
            *slot = (!value.is_empty()).then(|| value.to_owned());
        }
        request
    }
}

/// The signed-in user a code is issued for, and the host session they signed in with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The user.
    pub user_id: UserId,
    /// The host session.
    pub session_id: SessionId,
}

/// An authorization request that passed every check: what a code will be issued for, now or
/// after the user signs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedRequest {
    /// The client.
    pub client_id: ClientId,
    /// Where the code goes: the URI as sent, or the client's single registered one.
    pub redirect_uri: RedirectUri,
    /// Whether `redirect_uri` was sent (then the token request must repeat it).
    pub redirect_uri_explicit: bool,
    /// Requested scopes, or `[default_scope]` when `scope` was omitted.
    pub scopes: Scopes,
    /// The S256 challenge.
    pub code_challenge: CodeChallenge,
    /// The bound resource, when `resource` was sent.
    pub resource: Option<String>,
    /// `nonce`, for the id_token.
    pub nonce: Option<String>,
    /// `prompt` with runs of whitespace collapsed to one space.
    pub prompt: Option<String>,
    /// The client's `state`, when it sent one.
    pub state: Option<String>,
}

impl ValidatedRequest {
    /// Signup when any `prompt` value is `create`, else login (spec §2.2.1).
    pub fn intent(&self) -> Intent {
        if self.prompt_has("create") {
            Intent::Create
        } else {
            Intent::Login
        }
    }

    fn prompt_has(&self, value: &str) -> bool {
        self.prompt
            .as_deref()
            .is_some_and(|prompt| prompt.split(' ').any(|v| v == value))
    }

    fn into_pending(
        self,
        handle: &PendingHandle,
        browser: &BrowserBinding,
        services: &Services,
    ) -> PendingAuthorization {
        let now = services.clock.now();
        let ttl = services.config.ttl.state;
        PendingAuthorization {
            handle: handle.digest(),
            browser: browser.digest(),
            intent: self.intent(),
            client_id: self.client_id,
            redirect_uri: self.redirect_uri,
            redirect_uri_explicit: self.redirect_uri_explicit,
            scopes: self.scopes,
            code_challenge: self.code_challenge,
            resource: self.resource,
            nonce: self.nonce,
            prompt: self.prompt,
            state: self.state,
            created_at: now,
            expires_at: (ttl > 0).then(|| now.plus(ttl)),
        }
    }
}

impl From<PendingAuthorization> for ValidatedRequest {
    fn from(pending: PendingAuthorization) -> Self {
        Self {
            client_id: pending.client_id,
            redirect_uri: pending.redirect_uri,
            redirect_uri_explicit: pending.redirect_uri_explicit,
            scopes: pending.scopes,
            code_challenge: pending.code_challenge,
            resource: pending.resource,
            nonce: pending.nonce,
            prompt: pending.prompt,
            state: pending.state,
        }
    }
}

/// What the browser is sent to after a successful authorization request.
pub enum AuthorizeOutcome {
    /// A code was issued: redirect to the client with `code`, `state` (when sent) and `iss`.
    CodeIssued {
        /// The client's redirect URI with the response parameters.
        location: String,
    },
    /// The user must sign in first: redirect to `{I}/login?state=<handle>`, and keep the
    /// browser's binding cookie so that only this browser can finish the flow (R.3).
    SignIn {
        /// The hand-off URL.
        location: String,
        /// The binding to set in (or keep in) the browser's cookie.
        binding: BrowserBinding,
    },
}

impl fmt::Debug for AuthorizeOutcome {
    // The locations carry a code or a handle, so only the variant is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CodeIssued { .. } => f.write_str("CodeIssued(<redacted>)"),
            Self::SignIn { .. } => f.write_str("SignIn(<redacted>)"),
        }
    }
}

/// Why an authorization request failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeError {
    /// No `client_id`.
    #[error("missing client_id")]
    MissingClientId,
    /// No such client.
    #[error("unknown client")]
    UnknownClient,
    /// `redirect_uri` is not an absolute URI without a fragment.
    #[error("invalid redirect_uri: {0}")]
    UnparseableRedirectUri(RedirectUriError),
    /// `redirect_uri` matches none of the client's URIs (R.4).
    #[error("Redirect URI '{0}' not registered for client")]
    UnregisteredRedirectUri(String),
    /// `redirect_uri` omitted while the client has no single registered URI.
    #[error("redirect_uri must be specified when client has multiple registered URIs")]
    RedirectUriRequired,
    /// A failure reported to the client by redirect (R.2).
    #[error("{error}")]
    ToClient {
        /// What failed.
        error: ClientError,
        /// The trusted redirect URI.
        redirect_uri: Url,
        /// The client's `state`, when sent.
        state: Option<String>,
    },
    /// Storage failed.
    #[error("storage failed")]
    Server,
}

/// The errors that reach the client through its redirect URI.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No `response_type`.
    #[error("missing response_type")]
    MissingResponseType,
    /// `response_type` other than `code`.
    #[error("unsupported_response_type")]
    UnsupportedResponseType,
    /// A requested scope the client is not registered for.
    #[error("Client was not registered with scope {0}")]
    UnregisteredScope(String),
    /// No `code_challenge` (PKCE is required of every client).
    #[error("missing code_challenge")]
    MissingCodeChallenge,
    /// A `code_challenge_method` other than `S256`.
    #[error("unsupported code_challenge_method")]
    UnsupportedChallengeMethod,
    /// A `resource` value that is not the configured resource (R.6).
    #[error("invalid_target")]
    InvalidTarget,
    /// Sign-in is needed and cannot be offered (OIDC Core §3.1.2.6).
    #[error("login_required")]
    LoginRequired,
}

impl ClientError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::MissingResponseType
            | Self::MissingCodeChallenge
            | Self::UnsupportedChallengeMethod => ErrorCode::InvalidRequest,
            Self::UnsupportedResponseType => ErrorCode::UnsupportedResponseType,
            Self::UnregisteredScope(_) => ErrorCode::InvalidScope,
            Self::InvalidTarget => ErrorCode::InvalidTarget,
            Self::LoginRequired => ErrorCode::LoginRequired,
        }
    }

    /// The `error_description`; the bare codes (spec §2.2.2 gives no wording) carry none.
    fn description(&self) -> Option<Cow<'static, str>> {
        match self {
            Self::UnsupportedResponseType | Self::InvalidTarget | Self::LoginRequired => None,
            _ => Some(self.to_string().into()),
        }
    }
}

impl EndpointError for AuthorizeError {
    fn to_oauth(&self) -> OAuthError {
        let invalid_request =
            || OAuthError::bad_request(ErrorCode::InvalidRequest, Some(self.to_string().into()));
        match self {
            Self::MissingClientId
            | Self::UnparseableRedirectUri(_)
            | Self::UnregisteredRedirectUri(_)
            | Self::RedirectUriRequired => invalid_request(),
            Self::UnknownClient => OAuthError::bad_request(ErrorCode::InvalidClient, None),
            Self::ToClient {
                error,
                redirect_uri,
                state,
            } => OAuthError {
                code: error.code(),
                description: error.description(),
                reply: Reply::Redirect {
                    redirect_uri: redirect_uri.clone(),
                    state: state.clone(),
                },
                shape: Shape::OAuth,
            },
            Self::Server => OAuthError::server_error(),
        }
    }
}

impl From<StoreError> for AuthorizeError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store failed during authorize");
        Self::Server
    }
}

/// Handles an authorization request: validates it in the order of the module comment, then
/// issues a code for `signed_in` or starts a pending authorization bound to `browser` (the
/// binding the browser already holds, if any; a fresh one otherwise).
pub async fn authorize(
    services: &Services,
    request: &AuthorizeRequest,
    signed_in: Option<Subject>,
    browser: Option<BrowserBinding>,
) -> Result<AuthorizeOutcome, AuthorizeError> {
    let (client, redirect_uri) = trusted_client(services, request).await?;
    let to_client = |error: ClientError| AuthorizeError::ToClient {
        error,
        redirect_uri: redirect_uri.url().clone(),
        state: request.state.clone(),
    };

    let validated =
        validate(services, &client, redirect_uri.clone(), request).map_err(to_client)?;

    // The session decision: `none` never shows a page; `login` and `create` always do, even to
    // a signed-in user; otherwise a signed-in user gets a code at once.
    let ui_forced = validated.prompt_has("login") || validated.intent() == Intent::Create;
    let no_ui = validated.prompt_has("none");

    if let Some(subject) = signed_in
        && (no_ui || !ui_forced)
    {
        let location = issue_code(services, &validated, subject).await?;
        tracing::info!(client_id = %validated.client_id, "authorization code issued");
        return Ok(AuthorizeOutcome::CodeIssued { location });
    }
    if no_ui || login::interaction_url(&services.config, validated.intent()).is_none() {
        return Err(to_client(ClientError::LoginRequired));
    }
    let outcome = begin_sign_in(services, validated, browser).await?;
    Ok(outcome)
}

/// Steps 1–5: the client and the redirect URI the rest of the flow may trust.
async fn trusted_client(
    services: &Services,
    request: &AuthorizeRequest,
) -> Result<(Client, RedirectUri), AuthorizeError> {
    let client_id = request
        .client_id
        .as_deref()
        .ok_or(AuthorizeError::MissingClientId)?;
    let client = services
        .store
        .client(&ClientId::new(client_id))
        .await?
        .ok_or(AuthorizeError::UnknownClient)?;

    let redirect_uri = match &request.redirect_uri {
        Some(text) => {
            let requested =
                RedirectUri::parse(text).map_err(AuthorizeError::UnparseableRedirectUri)?;
            let registered = client
                .redirect_uris
                .iter()
                .any(|uri| requested.matches_registered(uri));
            if !registered {
                return Err(AuthorizeError::UnregisteredRedirectUri(text.clone()));
            }
            requested
        }
        None => match client.redirect_uris.as_slice() {
            [only] => only.clone(),
            _ => return Err(AuthorizeError::RedirectUriRequired),
        },
    };
    Ok((client, redirect_uri))
}

/// Steps 6–11, once the redirect URI is trusted.
fn validate(
    services: &Services,
    client: &Client,
    redirect_uri: RedirectUri,
    request: &AuthorizeRequest,
) -> Result<ValidatedRequest, ClientError> {
    match request.response_type.as_deref() {
        None => return Err(ClientError::MissingResponseType),
        Some("code") => {}
        Some(_) => return Err(ClientError::UnsupportedResponseType),
    }
    let scopes = requested_scopes(services, client, request.scope.as_deref())?;
    let code_challenge = request
        .code_challenge
        .clone()
        .ok_or(ClientError::MissingCodeChallenge)?;
    if request.code_challenge_method.as_deref().unwrap_or("S256") != "S256" {
        return Err(ClientError::UnsupportedChallengeMethod);
    }
    let values: Vec<&str> = request.resource.iter().map(String::as_str).collect();
    let resource =
        resource::requested(&services.config, &values).map_err(|_| ClientError::InvalidTarget)?;

    Ok(ValidatedRequest {
        client_id: client.client_id.clone(),
        redirect_uri,
        redirect_uri_explicit: request.redirect_uri.is_some(),
        scopes,
        code_challenge: CodeChallenge(code_challenge),
        resource,
        nonce: request.nonce.clone(),
        prompt: request.prompt.as_deref().and_then(normalise_prompt),
        state: request.state.clone(),
    })
}

/// `[default_scope]` when `scope` is omitted; otherwise every token (an empty one from a double
/// space included, spec §2.2.2 row 7) must be among the client's registered scopes.
fn requested_scopes(
    services: &Services,
    client: &Client,
    scope: Option<&str>,
) -> Result<Scopes, ClientError> {
    let Some(scope) = scope else {
        return Ok(Scopes(vec![services.config.default_scope.clone()]));
    };
    let requested = Scopes::split_keeping_empty(scope);
    let registered = client.scope.as_deref().unwrap_or("");
    let allowed = |token: &str| registered.split_whitespace().any(|r| r == token);
    if let Some(token) = requested.iter().find(|token| !allowed(token)) {
        return Err(ClientError::UnregisteredScope(token.to_owned()));
    }
    Ok(requested)
}

/// `prompt` with runs of whitespace collapsed; `None` when nothing is left.
fn normalise_prompt(prompt: &str) -> Option<String> {
    let values: Vec<&str> = prompt.split_whitespace().collect();
    (!values.is_empty()).then(|| values.join(" "))
}

/// Stores the request as a pending authorization under a fresh handle, bound to the browser,
/// and points the browser at the login hand-off.
async fn begin_sign_in(
    services: &Services,
    request: ValidatedRequest,
    browser: Option<BrowserBinding>,
) -> Result<AuthorizeOutcome, AuthorizeError> {
    let handle = PendingHandle::generate();
    let binding = browser.unwrap_or_else(BrowserBinding::generate);
    let client_id = request.client_id.clone();
    let pending = request.into_pending(&handle, &binding, services);
    services.store.insert_pending(pending).await?;

    let mut location =
        Url::parse(&services.config.issuer_url("/login")).map_err(|_| AuthorizeError::Server)?;
    location
        .query_pairs_mut()
        .append_pair("state", handle.expose());
    tracing::info!(%client_id, "authorization pending sign-in");
    Ok(AuthorizeOutcome::SignIn {
        location: location.into(),
        binding,
    })
}

/// Issues a code for `request` to `subject` (a [`CodeGrant`] with a fresh grant id, living
/// `ttl.code` seconds) and returns the client redirect that carries it: the redirect URI with
/// its own query kept, then `code`, `state` when the client sent one, and `iss` (RFC 9207).
pub async fn issue_code(
    services: &Services,
    request: &ValidatedRequest,
    subject: Subject,
) -> Result<String, StoreError> {
    let code = AuthorizationCode::generate();
    let now = services.clock.now();
    let grant = CodeGrant {
        digest: code.digest(),
        grant_id: GrantId::generate(),
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        redirect_uri_explicit: request.redirect_uri_explicit,
        scopes: request.scopes.clone(),
        code_challenge: request.code_challenge.clone(),
        resource: request.resource.clone(),
        nonce: request.nonce.clone(),
        user_id: subject.user_id,
        session_id: subject.session_id,
        issued_at: now,
        expires_at: now.plus(services.config.ttl.code),
    };
    services.store.insert_code(grant).await?;

    let mut location = request.redirect_uri.url().clone();
    {
        let mut pairs = location.query_pairs_mut();
        pairs.append_pair("code", code.expose());
        if let Some(state) = &request.state {
            pairs.append_pair("state", state);
        }
        pairs.append_pair("iss", &services.config.issuer);
    }
    Ok(location.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Clock, TokenDigest};
    use crate::protocol::fixture;
    use crate::store::CodeGrant;

    const CALLBACK: &str = "http://testserver/callback";

    /// Extra request parameters, in the order sent.
    type Pairs<'a> = &'a [(&'a str, &'a str)];

    fn request(pairs: &[(&str, &str)]) -> AuthorizeRequest {
        AuthorizeRequest::from_pairs(pairs.iter().copied())
    }

    /// A valid request for the static client, with `extra` pairs appended (so they win).
    fn valid(extra: &[(&str, &str)]) -> AuthorizeRequest {
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", "test-client"),
            ("redirect_uri", CALLBACK),
            ("code_challenge", "challenge"),
            ("state", "state-123"),
        ];
        pairs.extend_from_slice(extra);
        request(&pairs)
    }

    fn subject() -> Subject {
        Subject {
            user_id: UserId::generate(),
            session_id: SessionId::generate(),
        }
    }

    fn query(location: &str, name: &str) -> Option<String> {
        let url = Url::parse(location).expect("absolute location");
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    async fn add_client(services: &Services, id: &str, uris: &[&str]) {
        let mut client = fixture::static_client();
        client.client_id = ClientId::new(id);
        client.redirect_uris = uris
            .iter()
            .map(|u| RedirectUri::parse(u).expect("valid URI"))
            .collect();
        services.store.upsert_client(client).await.expect("stored");
    }

    async fn run(services: &Services, request: &AuthorizeRequest) -> AuthorizeError {
        authorize(services, request, None, None)
            .await
            .expect_err("request should fail")
    }

    async fn stored_code(services: &Services, location: &str) -> CodeGrant {
        let code = query(location, "code").expect("code in the redirect");
        let entry = services
            .store
            .code(&AuthorizationCode::from_presented(code).digest())
            .await
            .expect("store answers")
            .expect("code stored");
        entry.grant
    }

    fn client_error(error: &AuthorizeError) -> (&ClientError, Option<&str>) {
        match error {
            AuthorizeError::ToClient { error, state, .. } => (error, state.as_deref()),
            other => panic!("expected a redirect error, got {other:?}"),
        }
    }

    #[test]
    fn last_value_wins_and_every_resource_is_kept() {
        let parsed = request(&[
            ("client_id", "a"),
            ("client_id", "b"),
            ("state", "s"),
            ("state", ""),
            ("resource", "r1"),
            ("resource", ""),
            ("resource", "r2"),
            ("max_age", "0"),
        ]);
        assert_eq!(parsed.client_id.as_deref(), Some("b"));
        assert_eq!(parsed.state, None);
        assert_eq!(parsed.resource, ["r1", "", "r2"]);
    }

    #[tokio::test]
    async fn untrusted_client_or_redirect_is_a_400_never_a_redirect() {
        let (services, _) = fixture::services().await;
        add_client(
            &services,
            "two-uris",
            &[CALLBACK, "http://testserver/other"],
        )
        .await;
        add_client(&services, "no-uris", &[]).await;
        let cases = [
            (valid(&[("client_id", "")]), AuthorizeError::MissingClientId),
            (
                valid(&[("client_id", "nobody")]),
                AuthorizeError::UnknownClient,
            ),
            (
                valid(&[("redirect_uri", "/callback")]),
                AuthorizeError::UnparseableRedirectUri(RedirectUriError::NotAbsolute),
            ),
            (
                valid(&[("redirect_uri", "http://[::1")]),
                AuthorizeError::UnparseableRedirectUri(RedirectUriError::NotAbsolute),
            ),
            (
                valid(&[("redirect_uri", "http://testserver/callback#f")]),
                AuthorizeError::UnparseableRedirectUri(RedirectUriError::Fragment),
            ),
            (
                valid(&[("redirect_uri", "http://testserver/elsewhere")]),
                AuthorizeError::UnregisteredRedirectUri("http://testserver/elsewhere".into()),
            ),
            (
                valid(&[("client_id", "two-uris"), ("redirect_uri", "")]),
                AuthorizeError::RedirectUriRequired,
            ),
            (
                valid(&[("client_id", "no-uris"), ("redirect_uri", "")]),
                AuthorizeError::RedirectUriRequired,
            ),
        ];
        for (request, expected) in cases {
            let error = run(&services, &request).await;
            assert_eq!(error, expected);
            let oauth = error.to_oauth();
            assert_eq!(oauth.reply, Reply::BadRequest);
            assert_eq!(oauth.shape, crate::protocol::Shape::OAuth);
        }
    }

    #[tokio::test]
    async fn pre_trust_errors_carry_the_spec_codes_and_descriptions() {
        let described = |e: AuthorizeError| {
            let o = e.to_oauth();
            (o.code, o.description.map(|d| d.into_owned()))
        };
        assert_eq!(
            described(AuthorizeError::MissingClientId),
            (ErrorCode::InvalidRequest, Some("missing client_id".into()))
        );
        assert_eq!(
            described(AuthorizeError::UnknownClient),
            (ErrorCode::InvalidClient, None)
        );
        assert_eq!(
            described(AuthorizeError::UnregisteredRedirectUri(
                "http://x/cb".into()
            )),
            (
                ErrorCode::InvalidRequest,
                Some("Redirect URI 'http://x/cb' not registered for client".into())
            )
        );
        assert_eq!(
            described(AuthorizeError::RedirectUriRequired),
            (
                ErrorCode::InvalidRequest,
                Some(
                    "redirect_uri must be specified when client has multiple registered URIs"
                        .into()
                )
            )
        );
    }

    #[tokio::test]
    async fn redirect_uris_match_exactly_except_the_loopback_port() {
        let (services, _) = fixture::services().await;
        add_client(
            &services,
            "loopback",
            &["http://127.0.0.1/cb", "http://[::1]/cb"],
        )
        .await;
        add_client(&services, "localhost", &["http://localhost/cb"]).await;
        let refused = [
            ("test-client", "http://TESTSERVER/callback"),
            ("test-client", "http://testserver:80/callback"),
            ("test-client", "http://testserver/callback/"),
            ("test-client", "https://testserver/callback"),
            ("localhost", "http://localhost:43123/cb"),
        ];
        for (client, uri) in refused {
            let error = run(
                &services,
                &valid(&[("client_id", client), ("redirect_uri", uri)]),
            )
            .await;
            assert_eq!(error, AuthorizeError::UnregisteredRedirectUri(uri.into()));
        }
        for uri in ["http://127.0.0.1:43123/cb", "http://[::1]:8080/cb"] {
            let outcome = authorize(
                &services,
                &valid(&[("client_id", "loopback"), ("redirect_uri", uri)]),
                Some(subject()),
                None,
            )
            .await
            .expect("loopback on another port is accepted");
            let AuthorizeOutcome::CodeIssued { location } = outcome else {
                panic!("expected a code");
            };
            assert!(location.starts_with(uri), "{location}");
            assert_eq!(
                stored_code(&services, &location)
                    .await
                    .redirect_uri
                    .as_str(),
                uri
            );
        }
    }

    #[tokio::test]
    async fn omitted_redirect_uri_uses_the_single_registered_one() {
        let (services, _) = fixture::services().await;
        let outcome = authorize(
            &services,
            &valid(&[("redirect_uri", "")]),
            Some(subject()),
            None,
        )
        .await
        .expect("single URI");
        let AuthorizeOutcome::CodeIssued { location } = outcome else {
            panic!("expected a code");
        };
        let grant = stored_code(&services, &location).await;
        assert_eq!(grant.redirect_uri.as_str(), CALLBACK);
        assert!(!grant.redirect_uri_explicit);
    }

    #[tokio::test]
    async fn later_errors_redirect_with_the_clients_state_only_when_sent() {
        let (services, _) = fixture::services().await;
        let cases: [(Pairs, ClientError, Option<&str>); 10] = [
            (
                &[("response_type", "")],
                ClientError::MissingResponseType,
                Some("missing response_type"),
            ),
            (
                &[("response_type", "token")],
                ClientError::UnsupportedResponseType,
                None,
            ),
            (
                &[("scope", "user admin")],
                ClientError::UnregisteredScope("admin".into()),
                Some("Client was not registered with scope admin"),
            ),
            (
                &[("scope", "user  user")],
                ClientError::UnregisteredScope(String::new()),
                Some("Client was not registered with scope "),
            ),
            (
                &[("code_challenge", "")],
                ClientError::MissingCodeChallenge,
                Some("missing code_challenge"),
            ),
            (
                &[("code_challenge_method", "plain")],
                ClientError::UnsupportedChallengeMethod,
                Some("unsupported code_challenge_method"),
            ),
            (
                &[("resource", "http://testserver/unknown-resource")],
                ClientError::InvalidTarget,
                None,
            ),
            (
                &[("resource", "http://testserver/mcp#frag")],
                ClientError::InvalidTarget,
                None,
            ),
            (&[("resource", "/mcp")], ClientError::InvalidTarget, None),
            (&[("prompt", "none")], ClientError::LoginRequired, None),
        ];
        for (extra, expected, description) in cases {
            for state in ["state-123", ""] {
                let mut pairs = extra.to_vec();
                pairs.push(("state", state));
                let error = run(&services, &valid(&pairs)).await;
                let (error_kind, echoed) = client_error(&error);
                assert_eq!(error_kind, &expected);
                assert_eq!(echoed, (!state.is_empty()).then_some(state));

                let oauth = error.to_oauth();
                assert_eq!(oauth.description.as_deref(), description);
                let Reply::Redirect { redirect_uri, .. } = oauth.reply else {
                    panic!("expected a redirect");
                };
                assert_eq!(redirect_uri.as_str(), CALLBACK);
            }
        }
    }

    #[tokio::test]
    async fn checks_run_in_the_spec_order() {
        let (services, _) = fixture::services().await;
        let error = run(
            &services,
            &valid(&[("client_id", "nobody"), ("response_type", "")]),
        )
        .await;
        assert_eq!(error, AuthorizeError::UnknownClient);
        let error = run(
            &services,
            &valid(&[
                ("response_type", "token"),
                ("scope", "admin"),
                ("code_challenge", ""),
            ]),
        )
        .await;
        assert_eq!(
            client_error(&error).0,
            &ClientError::UnsupportedResponseType
        );
        let error = run(
            &services,
            &valid(&[
                ("scope", "admin"),
                ("code_challenge", ""),
                ("resource", "x"),
            ]),
        )
        .await;
        assert_eq!(
            client_error(&error).0,
            &ClientError::UnregisteredScope("admin".into())
        );
        let error = run(
            &services,
            &valid(&[("code_challenge_method", "plain"), ("resource", "x")]),
        )
        .await;
        assert_eq!(
            client_error(&error).0,
            &ClientError::UnsupportedChallengeMethod
        );
    }

    #[tokio::test]
    async fn every_resource_value_must_be_the_configured_resource() {
        let (services, _) = fixture::services().await;
        let r = "http://testserver/mcp";
        let error = run(
            &services,
            &valid(&[("resource", r), ("resource", "http://testserver/other")]),
        )
        .await;
        assert_eq!(client_error(&error).0, &ClientError::InvalidTarget);
        let error = run(
            &services,
            &valid(&[("resource", "http://testserver/other"), ("resource", r)]),
        )
        .await;
        assert_eq!(client_error(&error).0, &ClientError::InvalidTarget);

        let outcome = authorize(
            &services,
            &valid(&[("resource", r), ("resource", r)]),
            Some(subject()),
            None,
        )
        .await
        .expect("repeated configured resource");
        let AuthorizeOutcome::CodeIssued { location } = outcome else {
            panic!("expected a code");
        };
        assert_eq!(
            stored_code(&services, &location).await.resource.as_deref(),
            Some(r)
        );
    }

    #[tokio::test]
    async fn no_configured_resource_refuses_any_resource() {
        let mut config = fixture::config();
        config.resource = None;
        let (services, _) = fixture::services_with(config).await;
        let error = run(&services, &valid(&[("resource", "http://testserver/mcp")])).await;
        assert_eq!(client_error(&error).0, &ClientError::InvalidTarget);
    }

    #[tokio::test]
    async fn client_without_scope_may_request_none_but_gets_the_default() {
        let (services, _) = fixture::services().await;
        let mut client = fixture::static_client();
        client.client_id = ClientId::new("scopeless");
        client.scope = None;
        services.store.upsert_client(client).await.expect("stored");
        let error = run(
            &services,
            &valid(&[("client_id", "scopeless"), ("scope", "user")]),
        )
        .await;
        assert_eq!(
            client_error(&error).0,
            &ClientError::UnregisteredScope("user".into())
        );

        let outcome = authorize(
            &services,
            &valid(&[("client_id", "scopeless")]),
            Some(subject()),
            None,
        )
        .await
        .expect("omitted scope");
        let AuthorizeOutcome::CodeIssued { location } = outcome else {
            panic!("expected a code");
        };
        assert_eq!(
            stored_code(&services, &location).await.scopes.joined(),
            "user"
        );
    }

    #[tokio::test]
    async fn signed_in_user_gets_a_code_bound_to_everything_the_request_carried() {
        let (services, clock) = fixture::services().await;
        let who = subject();
        let request = valid(&[
            ("nonce", "n-1"),
            ("resource", "http://testserver/mcp"),
            ("scope", "user"),
        ]);
        let outcome = authorize(&services, &request, Some(who), None)
            .await
            .expect("code issued");
        let AuthorizeOutcome::CodeIssued { location } = outcome else {
            panic!("expected a code");
        };
        assert!(location.starts_with("http://testserver/callback?code=belgie_"));
        assert_eq!(query(&location, "state").as_deref(), Some("state-123"));
        assert_eq!(
            query(&location, "iss").as_deref(),
            Some("http://testserver/auth/oauth")
        );

        let grant = stored_code(&services, &location).await;
        assert_eq!(grant.nonce.as_deref(), Some("n-1"));
        assert_eq!(grant.user_id, who.user_id);
        assert_eq!(grant.session_id, who.session_id);
        assert_eq!(grant.resource.as_deref(), Some("http://testserver/mcp"));
        assert_eq!(grant.client_id.as_str(), "test-client");
        assert_eq!(grant.code_challenge.0, "challenge");
        assert!(grant.redirect_uri_explicit);
        assert_eq!(grant.issued_at, clock.now());
        assert_eq!(grant.expires_at, grant.issued_at.plus(300));
    }

    #[tokio::test]
    async fn no_state_is_invented_and_the_redirect_query_is_kept() {
        let (services, _) = fixture::services().await;
        add_client(&services, "with-query", &["http://testserver/cb?foo=bar"]).await;
        let outcome = authorize(
            &services,
            &valid(&[
                ("client_id", "with-query"),
                ("redirect_uri", ""),
                ("state", ""),
            ]),
            Some(subject()),
            None,
        )
        .await
        .expect("code issued");
        let AuthorizeOutcome::CodeIssued { location } = outcome else {
            panic!("expected a code");
        };
        assert!(
            location.starts_with("http://testserver/cb?foo=bar&code="),
            "{location}"
        );
        assert_eq!(query(&location, "state"), None);
        assert!(query(&location, "iss").is_some());
    }

    #[tokio::test]
    async fn each_code_has_its_own_grant() {
        let (services, _) = fixture::services().await;
        let mut grants = Vec::new();
        for _ in 0..2 {
            let outcome = authorize(&services, &valid(&[]), Some(subject()), None)
                .await
                .expect("code issued");
            let AuthorizeOutcome::CodeIssued { location } = outcome else {
                panic!("expected a code");
            };
            grants.push(stored_code(&services, &location).await.grant_id);
        }
        assert_ne!(grants[0], grants[1]);
    }

    async fn sign_in_outcome(
        services: &Services,
        request: &AuthorizeRequest,
        signed_in: Option<Subject>,
        browser: Option<BrowserBinding>,
    ) -> (String, BrowserBinding, PendingAuthorization) {
        let outcome = authorize(services, request, signed_in, browser)
            .await
            .expect("accepted");
        let AuthorizeOutcome::SignIn { location, binding } = outcome else {
            panic!("expected the login hand-off");
        };
        let handle = query(&location, "state").expect("handle");
        let pending = services
            .store
            .pending(&TokenDigest::of(&handle))
            .await
            .expect("store answers")
            .expect("pending stored");
        (location, binding, pending)
    }

    #[tokio::test]
    async fn anonymous_user_is_sent_to_login_under_a_server_handle() {
        let (services, _) = fixture::services().await;
        let (location, binding, pending) =
            sign_in_outcome(&services, &valid(&[("nonce", "n")]), None, None).await;
        assert!(location.starts_with("http://testserver/auth/oauth/login?state="));
        let handle = query(&location, "state").expect("handle");
        assert_ne!(handle, "state-123");
        assert_eq!(handle.len(), 32);
        assert_eq!(pending.browser, binding.digest());
        assert_eq!(pending.state.as_deref(), Some("state-123"));
        assert_eq!(pending.intent, Intent::Login);
        assert_eq!(pending.nonce.as_deref(), Some("n"));
        assert_eq!(pending.expires_at, Some(pending.created_at.plus(600)));
    }

    #[tokio::test]
    async fn the_browsers_existing_binding_is_reused() {
        let (services, _) = fixture::services().await;
        let existing = BrowserBinding::generate();
        let (_, binding, pending) = sign_in_outcome(
            &services,
            &valid(&[]),
            None,
            Some(BrowserBinding::from_presented(existing.expose())),
        )
        .await;
        assert_eq!(binding.expose(), existing.expose());
        assert_eq!(pending.browser, existing.digest());
        let (_, second, _) = sign_in_outcome(&services, &valid(&[]), None, None).await;
        assert_ne!(second.expose(), existing.expose());
    }

    #[tokio::test]
    async fn prompt_login_and_create_show_the_ui_even_when_signed_in() {
        let (services, _) = fixture::services().await;
        let (_, _, pending) = sign_in_outcome(
            &services,
            &valid(&[("prompt", "login")]),
            Some(subject()),
            None,
        )
        .await;
        assert_eq!(pending.intent, Intent::Login);
        let (_, _, pending) = sign_in_outcome(
            &services,
            &valid(&[("prompt", "  consent   create ")]),
            Some(subject()),
            None,
        )
        .await;
        assert_eq!(pending.intent, Intent::Create);
        assert_eq!(pending.prompt.as_deref(), Some("consent create"));
    }

    #[tokio::test]
    async fn prompt_none_never_shows_the_ui() {
        let (services, _) = fixture::services().await;
        let outcome = authorize(
            &services,
            &valid(&[("prompt", "none")]),
            Some(subject()),
            None,
        )
        .await
        .expect("signed in");
        assert!(matches!(outcome, AuthorizeOutcome::CodeIssued { .. }));
        let error = run(&services, &valid(&[("prompt", "none login")])).await;
        assert_eq!(client_error(&error).0, &ClientError::LoginRequired);
    }

    #[tokio::test]
    async fn without_a_page_for_the_intent_login_is_required() {
        let mut config = fixture::config();
        config.login_url = None;
        let (services, _) = fixture::services_with(config).await;
        let error = run(&services, &valid(&[])).await;
        assert_eq!(client_error(&error).0, &ClientError::LoginRequired);
        let (_, _, pending) =
            sign_in_outcome(&services, &valid(&[("prompt", "create")]), None, None).await;
        assert_eq!(pending.intent, Intent::Create);

        let mut config = fixture::config();
        config.login_url = None;
        config.signup_url = None;
        let (services, _) = fixture::services_with(config).await;
        let error = run(&services, &valid(&[("prompt", "create")])).await;
        assert_eq!(client_error(&error).0, &ClientError::LoginRequired);
    }

    #[test]
    fn outcome_debug_hides_codes_and_handles() {
        let outcome = AuthorizeOutcome::CodeIssued {
            location: "http://testserver/callback?code=belgie_secret".into(),
        };
        assert!(!format!("{outcome:?}").contains("belgie_secret"));
    }
}
