//! `GET {I}/login` and `GET {I}/login/callback` over HTTP (spec §2.3, R.3): the hand-off to the
//! login or signup page, the callback that issues the code to the browser that began the flow,
//! single use, and expiry.

mod support;

use axum::http::StatusCode;
use oauth_reference_server::domain::{
    AuthorizationCode, BrowserBinding, ClientId, CodeChallenge, PendingHandle, RedirectUri, Scopes,
};
use oauth_reference_server::store::{Intent, PendingAuthorization};
use support::{TestApp, TestResponse};

const CALLBACK: &str = "http://testserver/callback";
const ISSUER: &str = "http://testserver/auth/oauth";
const BINDING: &str = "belgie_oauth_binding";

/// A flow begun at authorize by an anonymous browser: the server's handle and the browser's
/// binding cookie.
struct Begun {
    handle: String,
    binding: String,
}

async fn begin(app: &TestApp, extra: &[(&str, &str)]) -> Begun {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", "test-client"),
        ("redirect_uri", CALLBACK),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("state", "state-123"),
    ];
    pairs.extend_from_slice(extra);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let response = app
        .get(&format!("/auth/oauth/authorize?{query}"))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    assert_eq!(response.location().path(), "/auth/oauth/login");
    Begun {
        handle: response.location_query("state").expect("a handle"),
        binding: response.set_cookie(BINDING).expect("a binding cookie"),
    }
}

async fn handoff(app: &TestApp, handle: &str) -> TestResponse {
    app.get(&format!("/auth/oauth/login?state={handle}"))
        .send()
        .await
}

async fn callback(app: &TestApp, handle: &str, session: &str, binding: &str) -> TestResponse {
    app.get(&format!("/auth/oauth/login/callback?state={handle}"))
        .cookie("belgie_session", session)
        .cookie(BINDING, binding)
        .send()
        .await
}

fn assert_detail(response: &TestResponse, status: StatusCode, detail: &str) {
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(response.header("location"), None);
    assert_eq!(response.json(), serde_json::json!({ "detail": detail }));
}

fn return_to(handle: &str) -> String {
    format!("{ISSUER}/login/callback?state={handle}")
}

#[tokio::test]
async fn handoff_without_state_or_with_an_unknown_one_is_a_400() {
    let app = TestApp::new().await;
    let response = app.get("/auth/oauth/login").send().await;
    assert_detail(&response, StatusCode::BAD_REQUEST, "missing state");
    let response = app.get("/auth/oauth/login?state=").send().await;
    assert_detail(&response, StatusCode::BAD_REQUEST, "missing state");
    let response = handoff(&app, "state-123").await;
    assert_detail(
        &response,
        StatusCode::BAD_REQUEST,
        "Invalid state parameter",
    );
}

#[tokio::test]
async fn handoff_sends_a_login_intent_to_the_login_url() {
    let app = TestApp::new().await;
    for prompt in ["", "login"] {
        let begun = begin(&app, &[("prompt", prompt)]).await;
        let response = handoff(&app, &begun.handle).await;
        assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
        let location = response.location();
        assert_eq!(location.path(), "/login");
        assert_eq!(
            response.location_query("return_to"),
            Some(return_to(&begun.handle))
        );
        assert_eq!(response.location_query("intent").as_deref(), Some("login"));
        let raw = response.header("location").expect("Location");
        assert!(
            raw.contains(
                "return_to=http%3A%2F%2Ftestserver%2Fauth%2Foauth%2Flogin%2Fcallback%3Fstate%3D"
            ),
            "return_to is URL-encoded: {raw}"
        );
    }
}

#[tokio::test]
async fn prompt_create_goes_to_the_signup_url() {
    let app = TestApp::new().await;
    let begun = begin(&app, &[("prompt", "create")]).await;
    let response = handoff(&app, &begun.handle).await;
    assert_eq!(response.location().path(), "/signup");
    assert_eq!(
        response.location_query("return_to"),
        Some(return_to(&begun.handle))
    );
    assert_eq!(response.location_query("intent").as_deref(), Some("create"));
}

#[tokio::test]
async fn prompt_create_without_a_signup_url_goes_to_login_with_intent_create() {
    let app = TestApp::with(|settings| settings.oauth.signup_url = None).await;
    let begun = begin(&app, &[("prompt", "create")]).await;
    let response = handoff(&app, &begun.handle).await;
    assert_eq!(response.location().path(), "/login");
    assert_eq!(response.location_query("intent").as_deref(), Some("create"));
}

#[tokio::test]
async fn handoff_keeps_the_targets_own_query() {
    let app = TestApp::with(|settings| {
        settings.oauth.login_url = Some("https://idp.example/sign-in?tenant=acme".into());
    })
    .await;
    let begun = begin(&app, &[]).await;
    let response = handoff(&app, &begun.handle).await;
    let location = response.location();
    assert_eq!(location.host_str(), Some("idp.example"));
    assert_eq!(response.location_query("tenant").as_deref(), Some("acme"));
    assert_eq!(
        response.location_query("return_to"),
        Some(return_to(&begun.handle))
    );
}

#[tokio::test]
async fn handoff_without_a_page_for_the_intent_is_a_400() {
    // Authorize refuses to start a flow no page can serve, so the entry is stored directly.
    let app = TestApp::with(|settings| settings.oauth.login_url = None).await;
    let handle = PendingHandle::generate();
    let now = app.services().clock.now();
    let pending = PendingAuthorization {
        handle: handle.digest(),
        browser: BrowserBinding::generate().digest(),
        client_id: ClientId::new("test-client"),
        redirect_uri: RedirectUri::parse(CALLBACK).expect("valid"),
        redirect_uri_explicit: true,
        scopes: Scopes(vec!["user".into()]),
        code_challenge: CodeChallenge("challenge".into()),
        resource: None,
        nonce: None,
        prompt: None,
        intent: Intent::Login,
        state: None,
        created_at: now,
        expires_at: None,
    };
    app.services()
        .store
        .insert_pending(pending)
        .await
        .expect("stored");
    let response = handoff(&app, handle.expose()).await;
    assert_detail(
        &response,
        StatusCode::BAD_REQUEST,
        "login_url not configured",
    );
}

#[tokio::test]
async fn callback_without_state_is_a_400() {
    let app = TestApp::new().await;
    let session = app.sign_in("jane@example.com").await;
    let response = app
        .get("/auth/oauth/login/callback")
        .cookie("belgie_session", &session)
        .send()
        .await;
    assert_detail(&response, StatusCode::BAD_REQUEST, "missing state");
}

#[tokio::test]
async fn callback_without_a_session_is_a_401_before_the_state_is_checked() {
    let app = TestApp::new().await;
    let response = app
        .get("/auth/oauth/login/callback?state=state-123")
        .send()
        .await;
    assert_detail(&response, StatusCode::UNAUTHORIZED, "login_required");

    let begun = begin(&app, &[]).await;
    let response = app
        .get(&format!(
            "/auth/oauth/login/callback?state={}",
            begun.handle
        ))
        .cookie(BINDING, &begun.binding)
        .cookie("belgie_session", "not-a-uuid")
        .send()
        .await;
    assert_detail(&response, StatusCode::UNAUTHORIZED, "login_required");
}

#[tokio::test]
async fn callback_with_an_unknown_state_is_a_400() {
    let app = TestApp::new().await;
    let session = app.sign_in("jane@example.com").await;
    let begun = begin(&app, &[]).await;
    let response = callback(&app, "state-123", &session, &begun.binding).await;
    assert_detail(
        &response,
        StatusCode::BAD_REQUEST,
        "Invalid state parameter",
    );
}

#[tokio::test]
async fn callback_from_another_browser_is_refused() {
    let app = TestApp::new().await;
    let session = app.sign_in("jane@example.com").await;
    let begun = begin(&app, &[]).await;

    let response = app
        .get(&format!(
            "/auth/oauth/login/callback?state={}",
            begun.handle
        ))
        .cookie("belgie_session", &session)
        .send()
        .await;
    assert_detail(
        &response,
        StatusCode::BAD_REQUEST,
        "Invalid state parameter",
    );

    let other = begin(&app, &[]).await;
    assert_ne!(other.binding, begun.binding);
    let response = callback(&app, &begun.handle, &session, &other.binding).await;
    assert_detail(
        &response,
        StatusCode::BAD_REQUEST,
        "Invalid state parameter",
    );

    // Refusing another browser does not burn the flow for the browser that began it.
    let response = callback(&app, &begun.handle, &session, &begun.binding).await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    assert!(response.location_query("code").is_some());
}

#[tokio::test]
async fn callback_from_the_same_browser_issues_the_code() {
    let app = TestApp::new().await;
    let begun = begin(
        &app,
        &[("nonce", "n-1"), ("resource", "http://testserver/mcp")],
    )
    .await;
    let session = app.sign_in("jane@example.com").await;
    let response = callback(&app, &begun.handle, &session, &begun.binding).await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    let location = response.location();
    assert_eq!(
        format!(
            "{}{}",
            location.origin().ascii_serialization(),
            location.path()
        ),
        CALLBACK
    );
    assert_eq!(
        response.location_query("state").as_deref(),
        Some("state-123")
    );
    assert_eq!(response.location_query("iss").as_deref(), Some(ISSUER));

    let code = response.location_query("code").expect("a code");
    let grant = app
        .services()
        .store
        .code(&AuthorizationCode::from_presented(code).digest())
        .await
        .expect("store answers")
        .expect("stored")
        .grant;
    let jane = support::tokens::user_id(&app, "jane@example.com").await;
    assert_eq!(grant.user_id, jane);
    assert_eq!(grant.session_id.to_string(), session);
    assert_eq!(grant.nonce.as_deref(), Some("n-1"));
    assert_eq!(grant.resource.as_deref(), Some("http://testserver/mcp"));
}

#[tokio::test]
async fn callback_echoes_no_state_when_the_client_sent_none() {
    let app = TestApp::new().await;
    let begun = begin(&app, &[("state", "")]).await;
    let session = app.sign_in("jane@example.com").await;
    let response = callback(&app, &begun.handle, &session, &begun.binding).await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(response.location_query("state"), None);
    assert_eq!(response.location_query("iss").as_deref(), Some(ISSUER));
}

#[tokio::test]
async fn a_handle_is_single_use() {
    let app = TestApp::new().await;
    let begun = begin(&app, &[]).await;
    let session = app.sign_in("jane@example.com").await;
    let first = callback(&app, &begun.handle, &session, &begun.binding).await;
    assert_eq!(first.status, StatusCode::FOUND);
    let second = callback(&app, &begun.handle, &session, &begun.binding).await;
    assert_detail(&second, StatusCode::BAD_REQUEST, "Invalid state parameter");
    let response = handoff(&app, &begun.handle).await;
    assert_detail(
        &response,
        StatusCode::BAD_REQUEST,
        "Invalid state parameter",
    );
}

#[tokio::test]
async fn concurrent_flows_in_one_browser_both_complete() {
    let app = TestApp::new().await;
    let first = begin(&app, &[("state", "one")]).await;
    let query = format!(
        "response_type=code&client_id=test-client&code_challenge=c&state=two&redirect_uri={}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let response = app
        .get(&format!("/auth/oauth/authorize?{query}"))
        .cookie(BINDING, &first.binding)
        .send()
        .await;
    let second_handle = response.location_query("state").expect("a handle");
    let session = app.sign_in("jane@example.com").await;
    for (handle, state) in [(&first.handle, "one"), (&second_handle, "two")] {
        let response = callback(&app, handle, &session, &first.binding).await;
        assert_eq!(response.location_query("state").as_deref(), Some(state));
        assert!(response.location_query("code").is_some());
    }
}

#[tokio::test]
async fn a_pending_authorization_expires_after_state_ttl_seconds() {
    let app = TestApp::with(|settings| settings.oauth.state_ttl_seconds = 1).await;
    let begun = begin(&app, &[]).await;
    assert_eq!(handoff(&app, &begun.handle).await.status, StatusCode::FOUND);
    app.clock().advance(2);
    let response = handoff(&app, &begun.handle).await;
    assert_detail(
        &response,
        StatusCode::BAD_REQUEST,
        "Invalid state parameter",
    );
    let session = app.sign_in("jane@example.com").await;
    let response = callback(&app, &begun.handle, &session, &begun.binding).await;
    assert_detail(
        &response,
        StatusCode::BAD_REQUEST,
        "Invalid state parameter",
    );
}

#[tokio::test]
async fn a_state_ttl_of_zero_never_expires() {
    let app = TestApp::with(|settings| settings.oauth.state_ttl_seconds = 0).await;
    let begun = begin(&app, &[]).await;
    app.clock().advance(9000);
    assert_eq!(handoff(&app, &begun.handle).await.status, StatusCode::FOUND);
    let session = app.sign_in("jane@example.com").await;
    let response = callback(&app, &begun.handle, &session, &begun.binding).await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    assert!(response.location_query("code").is_some());
}

/// Follows a flow through the built-in pages: authorize → hand-off → the page → its form post →
/// callback → the client, and returns the client's redirect.
async fn through_the_pages(app: &TestApp, prompt: &str, form: &[(&str, &str)]) -> TestResponse {
    let begun = begin(app, &[("prompt", prompt)]).await;
    let handoff = handoff(app, &begun.handle).await;
    assert_eq!(handoff.status, StatusCode::FOUND);
    let page_url = handoff.location();
    let page = app.get(page_url.as_str()).send().await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());

    let return_to = handoff.location_query("return_to").expect("return_to");
    assert!(
        page.text().contains(&return_to),
        "the page carries return_to"
    );
    let mut fields = form.to_vec();
    fields.push(("return_to", &return_to));
    let submitted = app.post(page_url.path()).form(&fields).send().await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.text()
    );
    assert_eq!(submitted.location().as_str(), return_to);
    let session = submitted
        .set_cookie("belgie_session")
        .expect("the page signs the user in");

    app.get(submitted.location().as_str())
        .cookie("belgie_session", &session)
        .cookie(BINDING, &begun.binding)
        .send()
        .await
}

async fn exchange(app: &TestApp, code: &str) -> TestResponse {
    app.post("/auth/oauth/token")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            (
                "code_verifier",
                "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            ),
            ("client_id", "test-client"),
            ("client_secret", "test-secret"),
        ])
        .send()
        .await
}

#[tokio::test]
async fn full_flow_through_the_built_in_login_page() {
    let app = TestApp::new().await;
    let form = [
        ("email", "jane@example.com"),
        ("password", "correct horse battery staple"),
    ];
    let response = through_the_pages(&app, "", &form).await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    assert_eq!(response.location().path(), "/callback");
    assert_eq!(
        response.location_query("state").as_deref(),
        Some("state-123")
    );
    assert_eq!(response.location_query("iss").as_deref(), Some(ISSUER));

    let code = response.location_query("code").expect("a code");
    let tokens = exchange(&app, &code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.text());
    assert!(tokens.json()["access_token"].is_string());
}

#[tokio::test]
async fn full_flow_through_the_built_in_signup_page() {
    let app = TestApp::new().await;
    let form = [
        ("name", "New Person"),
        ("email", "new@example.com"),
        ("password", "a long enough password"),
    ];
    let response = through_the_pages(&app, "create", &form).await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    let code = response.location_query("code").expect("a code");
    let grant = app
        .services()
        .store
        .code(&AuthorizationCode::from_presented(code).digest())
        .await
        .expect("store answers")
        .expect("stored")
        .grant;
    let created = support::tokens::user_id(&app, "new@example.com").await;
    assert_eq!(grant.user_id, created);
}
