//! Codes and tokens for the token, revocation and introspection tests: codes written straight
//! into the store (so each test controls scopes, resource, expiry and nonce), codes obtained
//! through `/authorize` for a signed-in user, and the requests that exchange and inspect them.

use oauth_reference_server::config::ClientSettings;
use oauth_reference_server::domain::{
    AuthorizationCode, ClientId, CodeChallenge, GrantId, RedirectUri, Scopes, Secret, SessionId,
    s256_challenge,
};
use oauth_reference_server::store::CodeGrant;
use serde_json::Value;

use super::{TestApp, TestResponse};

/// A PKCE verifier of valid syntax (43 characters).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The static client's redirect URI.
pub const REDIRECT_URI: &str = "http://testserver/callback";

/// The fixture's resource URL.
pub const RESOURCE: &str = "http://testserver/mcp";

/// The token endpoint's path.
pub const TOKEN: &str = "/auth/oauth/token";

/// The revocation endpoint's path.
pub const REVOKE: &str = "/auth/oauth/revoke";

/// The introspection endpoint's path.
pub const INTROSPECT: &str = "/auth/oauth/introspect";

/// Stores a code for `test-client` and the seeded user `jane@example.com`, scope `user`,
/// explicit redirect URI, challenge of [`VERIFIER`], valid for 300 s; `edit` adjusts it first.
/// Returns the code's value.
pub async fn code(app: &TestApp, edit: impl FnOnce(&mut CodeGrant)) -> String {
    let user = app
        .services()
        .store
        .user_by_email("jane@example.com")
        .await
        .expect("store answers")
        .expect("the fixture's user");
    let code = AuthorizationCode::generate();
    let now = app.services().clock.now();
    let mut grant = CodeGrant {
        digest: code.digest(),
        grant_id: GrantId::generate(),
        client_id: ClientId::new("test-client"),
        redirect_uri: RedirectUri::parse(REDIRECT_URI).expect("a valid URI"),
        redirect_uri_explicit: true,
        scopes: Scopes::split_dedup("user"),
        code_challenge: CodeChallenge(s256_challenge(VERIFIER)),
        resource: None,
        nonce: None,
        user_id: user.id,
        session_id: SessionId::generate(),
        issued_at: now,
        expires_at: now.plus(300),
    };
    edit(&mut grant);
    app.services()
        .store
        .insert_code(grant)
        .await
        .expect("store accepts the code");
    code.expose().to_owned()
}

/// A stored code (as [`code`]) with `scope`.
pub async fn code_with_scope(app: &TestApp, scope: &str) -> String {
    code(app, |g| g.scopes = Scopes::split_dedup(scope)).await
}

/// Exchanges `code` as `test-client` with form credentials, the right redirect URI and
/// verifier, plus `extra` parameters (which come last, so they win over the defaults).
pub async fn exchange(app: &TestApp, code: &str, extra: &[(&str, &str)]) -> TestResponse {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", VERIFIER),
        ("client_id", "test-client"),
        ("client_secret", "test-secret"),
    ];
    form.extend_from_slice(extra);
    app.post(TOKEN).form(&form).send().await
}

/// Refreshes with `refresh_token` as `test-client`, plus `extra` parameters.
pub async fn refresh(app: &TestApp, refresh_token: &str, extra: &[(&str, &str)]) -> TestResponse {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", "test-client"),
        ("client_secret", "test-secret"),
    ];
    form.extend_from_slice(extra);
    app.post(TOKEN).form(&form).send().await
}

/// Introspects `token` as `test-client` and returns the 200 body.
pub async fn introspect(app: &TestApp, token: &str) -> Value {
    let response = app
        .post(INTROSPECT)
        .form(&[
            ("token", token),
            ("client_id", "test-client"),
            ("client_secret", "test-secret"),
        ])
        .send()
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

/// Whether introspection calls `token` active.
pub async fn is_active(app: &TestApp, token: &str) -> bool {
    introspect(app, token).await["active"] == true
}

/// The string member `name` of a JSON body; panics when it is not a string.
pub fn string(body: &Value, name: &str) -> String {
    body[name]
        .as_str()
        .unwrap_or_else(|| panic!("`{name}` is not a string in {body}"))
        .to_owned()
}

/// Signs `jane@example.com` in and runs `/authorize` for `client_id` with `extra` query
/// parameters; returns the code from the redirect.
pub async fn authorize(app: &TestApp, client_id: &str, extra: &[(&str, &str)]) -> String {
    let session = app.sign_in("jane@example.com").await;
    let challenge = s256_challenge(VERIFIER);
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    query.extend_pairs(extra);
    let uri = format!("/auth/oauth/authorize?{}", query.finish());
    let response = app
        .get(&uri)
        .cookie("belgie_session", &session)
        .send()
        .await;
    assert_eq!(response.status, 302, "{}", response.text());
    response.location_query("code").unwrap_or_else(|| {
        panic!("no code in {}", response.location());
    })
}

/// The second confidential client of [`with_other_client`].
pub const OTHER_CLIENT: &str = "other-client";

/// Its secret.
pub const OTHER_SECRET: &str = "other-secret";

/// The fixture plus a second confidential client, [`OTHER_CLIENT`].
pub async fn with_other_client() -> TestApp {
    TestApp::with(|s| {
        s.oauth.clients.push(ClientSettings {
            client_id: OTHER_CLIENT.into(),
            client_secret: Some(Secret::new(OTHER_SECRET)),
            redirect_uris: vec![REDIRECT_URI.into()],
            scope: Some("user offline_access".into()),
            ..ClientSettings::default()
        });
    })
    .await
}

/// Tokens for `client_id` (authenticated with `secret`, empty for a public client) from a
/// stored code with `scope` bound to `resource`; returns the 200 body.
pub async fn tokens(
    app: &TestApp,
    client: (&str, &str),
    scope: &str,
    resource: Option<&str>,
) -> Value {
    let (client_id, secret) = client;
    let code = code(app, |g| {
        g.client_id = ClientId::new(client_id);
        g.scopes = Scopes::split_dedup(scope);
        g.resource = resource.map(str::to_owned);
    })
    .await;
    let response = exchange(
        app,
        &code,
        &[("client_id", client_id), ("client_secret", secret)],
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}
