//! `GET|POST {I}/authorize` over HTTP (spec §2.2, R.2–R.4, R.6): the validation order, where
//! each error goes, exact redirect matching, repeated parameters, and the session decision.

mod support;

use axum::http::StatusCode;
use oauth_reference_server::config::ClientSettings;
use oauth_reference_server::domain::{AuthorizationCode, TokenDigest};
use oauth_reference_server::store::{CodeGrant, Intent, PendingAuthorization};
use support::{TestApp, TestResponse};

const CALLBACK: &str = "http://testserver/callback";
const ISSUER: &str = "http://testserver/auth/oauth";
const BINDING: &str = "belgie_oauth_binding";

/// Extra request parameters, in the order sent.
type Pairs<'a> = &'a [(&'a str, &'a str)];

/// The pairs of a valid request for the static client; `extra` pairs come last and so win.
fn pairs<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
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
    pairs
}

/// `/auth/oauth/authorize?<pairs>`, each pair kept even when a key repeats.
fn authorize_uri(pairs: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/auth/oauth/authorize?{query}")
}

async fn authorize(app: &TestApp, extra: &[(&str, &str)]) -> TestResponse {
    app.get(&authorize_uri(&pairs(extra))).send().await
}

async fn authorize_signed_in(app: &TestApp, extra: &[(&str, &str)]) -> TestResponse {
    let session = app.sign_in("jane@example.com").await;
    app.get(&authorize_uri(&pairs(extra)))
        .cookie("belgie_session", &session)
        .send()
        .await
}

fn extra_client(id: &str, uris: &[&str]) -> ClientSettings {
    ClientSettings {
        client_id: id.into(),
        redirect_uris: uris.iter().map(|u| (*u).to_owned()).collect(),
        ..ClientSettings::default()
    }
}

/// A 400 OAuth-shape error that does not redirect.
fn assert_json_error(response: &TestResponse, error: &str, description: Option<&str>) {
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text()
    );
    assert_eq!(response.header("location"), None);
    let body = response.json();
    assert_eq!(body["error"], error, "{body}");
    match description {
        Some(text) => assert_eq!(body["error_description"], text, "{body}"),
        None => assert!(body.get("error_description").is_none(), "{body}"),
    }
}

/// A 302 to the static client's callback carrying `error` and `iss`.
fn assert_redirect_error(response: &TestResponse, error: &str, description: Option<&str>) {
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
    assert_eq!(response.location_query("error").as_deref(), Some(error));
    assert_eq!(
        response.location_query("error_description").as_deref(),
        description
    );
    assert_eq!(response.location_query("iss").as_deref(), Some(ISSUER));
    assert_eq!(response.location_query("code"), None);
}

async fn stored_code(app: &TestApp, response: &TestResponse) -> CodeGrant {
    let code = response.location_query("code").expect("a code");
    app.services()
        .store
        .code(&AuthorizationCode::from_presented(code).digest())
        .await
        .expect("store answers")
        .expect("the code is stored")
        .grant
}

async fn stored_pending(app: &TestApp, response: &TestResponse) -> PendingAuthorization {
    let handle = response.location_query("state").expect("a handle");
    app.services()
        .store
        .pending(&TokenDigest::of(&handle))
        .await
        .expect("store answers")
        .expect("the pending authorization is stored")
}

#[tokio::test]
async fn missing_or_unknown_client_is_a_400() {
    let app = TestApp::new().await;
    let response = authorize(&app, &[("client_id", "")]).await;
    assert_json_error(&response, "invalid_request", Some("missing client_id"));
    let response = app
        .get("/auth/oauth/authorize?response_type=code&redirect_uri=http://testserver/callback")
        .send()
        .await;
    assert_json_error(&response, "invalid_request", Some("missing client_id"));
    let response = authorize(&app, &[("client_id", "nobody")]).await;
    assert_json_error(&response, "invalid_client", None);
}

#[tokio::test]
async fn unparseable_redirect_uri_is_a_400_not_a_500() {
    let app = TestApp::new().await;
    for uri in [
        "not a uri",
        "/callback",
        "http://[::1",
        "http://testserver/callback#frag",
    ] {
        let response = authorize(&app, &[("redirect_uri", uri)]).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.header("location"), None);
        let body = response.json();
        assert_eq!(body["error"], "invalid_request", "{uri}");
        let description = body["error_description"].as_str().unwrap_or_default();
        assert!(description.starts_with("invalid redirect_uri"), "{body}");
    }
}

#[tokio::test]
async fn unregistered_redirect_uri_is_a_400_naming_it() {
    let app = TestApp::new().await;
    let uri = "http://attacker.example/callback";
    let response = authorize(&app, &[("redirect_uri", uri)]).await;
    let description = format!("Redirect URI '{uri}' not registered for client");
    assert_json_error(&response, "invalid_request", Some(&description));
}

#[tokio::test]
async fn omitted_redirect_uri_needs_exactly_one_registered() {
    let app = TestApp::with(|settings| {
        let two = extra_client("two-uris", &[CALLBACK, "http://testserver/other"]);
        settings.oauth.clients.push(two);
    })
    .await;
    let response = authorize(&app, &[("client_id", "two-uris"), ("redirect_uri", "")]).await;
    assert_json_error(
        &response,
        "invalid_request",
        Some("redirect_uri must be specified when client has multiple registered URIs"),
    );

    let response = authorize_signed_in(&app, &[("redirect_uri", "")]).await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert!(
        response
            .location()
            .as_str()
            .starts_with("http://testserver/callback?code=")
    );
}

#[tokio::test]
async fn redirect_uri_matching_is_exact() {
    let app = TestApp::new().await;
    for uri in [
        "http://TESTSERVER/callback",
        "HTTP://testserver/callback",
        "http://testserver:80/callback",
        "http://testserver/callback/",
        "http://testserver/Callback",
        "http://testserver/callback?x=1",
    ] {
        let response = authorize(&app, &[("redirect_uri", uri)]).await;
        let description = format!("Redirect URI '{uri}' not registered for client");
        assert_json_error(&response, "invalid_request", Some(&description));
    }
}

#[tokio::test]
async fn loopback_ip_redirects_accept_any_port_but_localhost_does_not() {
    let app = TestApp::with(|settings| {
        let clients = &mut settings.oauth.clients;
        clients.push(extra_client("v4", &["http://127.0.0.1/cb"]));
        clients.push(extra_client("v6", &["http://[::1]:8080/cb"]));
        clients.push(extra_client("named", &["http://localhost/cb"]));
    })
    .await;
    for (client, uri) in [
        ("v4", "http://127.0.0.1:43123/cb"),
        ("v6", "http://[::1]:9999/cb"),
    ] {
        let response =
            authorize_signed_in(&app, &[("client_id", client), ("redirect_uri", uri)]).await;
        assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
        assert!(
            response
                .location()
                .as_str()
                .starts_with(&format!("{uri}?code=")),
            "{}",
            response.location()
        );
    }
    let uri = "http://localhost:43123/cb";
    let response = authorize(&app, &[("client_id", "named"), ("redirect_uri", uri)]).await;
    let description = format!("Redirect URI '{uri}' not registered for client");
    assert_json_error(&response, "invalid_request", Some(&description));
}

#[tokio::test]
async fn later_errors_redirect_to_the_client() {
    let app = TestApp::new().await;
    let rows: [(Pairs, &str, Option<&str>); 6] = [
        (
            &[("response_type", "")],
            "invalid_request",
            Some("missing response_type"),
        ),
        (
            &[("response_type", "token")],
            "unsupported_response_type",
            None,
        ),
        (
            &[("scope", "user admin")],
            "invalid_scope",
            Some("Client was not registered with scope admin"),
        ),
        (
            &[("code_challenge", "")],
            "invalid_request",
            Some("missing code_challenge"),
        ),
        (
            &[("code_challenge_method", "plain")],
            "invalid_request",
            Some("unsupported code_challenge_method"),
        ),
        (&[("prompt", "none")], "login_required", None),
    ];
    for (extra, error, description) in rows {
        let response = authorize(&app, extra).await;
        assert_redirect_error(&response, error, description);
        assert_eq!(
            response.location_query("state").as_deref(),
            Some("state-123")
        );

        let mut without_state = extra.to_vec();
        without_state.push(("state", ""));
        let response = authorize(&app, &without_state).await;
        assert_redirect_error(&response, error, description);
        assert_eq!(
            response.location_query("state"),
            None,
            "no state is invented"
        );
    }
}

#[tokio::test]
async fn bad_resources_are_invalid_target_redirects() {
    let app = TestApp::new().await;
    let r = "http://testserver/mcp";
    let rows: [Pairs; 6] = [
        &[("resource", "http://testserver/unknown-resource")],
        &[("resource", "http://testserver/mcp#fragment")],
        &[("resource", "/mcp")],
        &[("resource", "http://testserver/mcp/")],
        &[("resource", r), ("resource", "http://testserver/other")],
        &[("resource", "http://testserver/other"), ("resource", r)],
    ];
    for extra in rows {
        let response = authorize_signed_in(&app, extra).await;
        assert_redirect_error(&response, "invalid_target", None);
        assert_eq!(
            response.location_query("state").as_deref(),
            Some("state-123")
        );
    }
}

#[tokio::test]
async fn any_resource_is_refused_when_none_is_configured() {
    let app = TestApp::with(|settings| settings.oauth.resources = None).await;
    let response = authorize(&app, &[("resource", "http://testserver/mcp")]).await;
    assert_redirect_error(&response, "invalid_target", None);
}

#[tokio::test]
async fn the_configured_resource_repeated_binds_the_code() {
    let app = TestApp::new().await;
    let r = "http://testserver/mcp";
    let response = authorize_signed_in(&app, &[("resource", r), ("resource", r)]).await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(
        stored_code(&app, &response).await.resource.as_deref(),
        Some(r)
    );
}

#[tokio::test]
async fn for_repeated_parameters_the_last_value_wins() {
    let app = TestApp::new().await;
    let response = authorize_signed_in(
        &app,
        &[
            ("response_type", "token"),
            ("response_type", "code"),
            ("client_id", "nobody"),
            ("client_id", "test-client"),
            ("state", "first"),
            ("state", "second"),
        ],
    )
    .await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    assert_eq!(response.location_query("state").as_deref(), Some("second"));
    assert!(response.location_query("code").is_some());

    let response = authorize(
        &app,
        &[("client_id", "test-client"), ("client_id", "nobody")],
    )
    .await;
    assert_json_error(&response, "invalid_client", None);
}

#[tokio::test]
async fn the_validation_order_holds() {
    let app = TestApp::new().await;
    // Client errors come before anything about the request itself.
    let response = authorize(&app, &[("client_id", "nobody"), ("response_type", "token")]).await;
    assert_json_error(&response, "invalid_client", None);
    // The redirect URI is checked before the request is judged.
    let response = authorize(
        &app,
        &[("redirect_uri", "http://evil.example/"), ("scope", "admin")],
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    // response_type, then scope, then PKCE, then resource.
    let response = authorize(
        &app,
        &[
            ("response_type", "token"),
            ("scope", "admin"),
            ("code_challenge", ""),
        ],
    )
    .await;
    assert_eq!(
        response.location_query("error").as_deref(),
        Some("unsupported_response_type")
    );
    let response = authorize(&app, &[("scope", "admin"), ("code_challenge", "")]).await;
    assert_eq!(
        response.location_query("error").as_deref(),
        Some("invalid_scope")
    );
    let response = authorize(&app, &[("code_challenge", ""), ("resource", "x")]).await;
    assert_eq!(
        response.location_query("error_description").as_deref(),
        Some("missing code_challenge")
    );
    let response = authorize(&app, &[("resource", "x"), ("prompt", "none")]).await;
    assert_eq!(
        response.location_query("error").as_deref(),
        Some("invalid_target")
    );
}

#[tokio::test]
async fn signed_in_user_gets_a_code_with_state_and_iss() {
    let app = TestApp::new().await;
    let response = authorize_signed_in(&app, &[]).await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    let location = response.location();
    assert_eq!(location.path(), "/callback");
    let code = response.location_query("code").expect("a code");
    assert!(code.starts_with("belgie_") && code.len() == 39, "{code}");
    assert_eq!(
        response.location_query("state").as_deref(),
        Some("state-123")
    );
    assert_eq!(response.location_query("iss").as_deref(), Some(ISSUER));
    assert_eq!(response.location_query("error"), None);
}

#[tokio::test]
async fn post_reads_the_form_body() {
    let app = TestApp::new().await;
    let session = app.sign_in("jane@example.com").await;
    let response = app
        .post("/auth/oauth/authorize")
        .cookie("belgie_session", &session)
        .form(&pairs(&[]))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    assert!(response.location_query("code").is_some());

    let response = app
        .post("/auth/oauth/authorize")
        .json(serde_json::json!({"client_id": "test-client"}))
        .send()
        .await;
    assert_json_error(&response, "invalid_request", Some("missing client_id"));
}

#[tokio::test]
async fn the_code_carries_nonce_user_session_and_resource() {
    let app = TestApp::new().await;
    let session = app.sign_in("jane@example.com").await;
    let uri = authorize_uri(&pairs(&[
        ("nonce", "nonce-1"),
        ("resource", "http://testserver/mcp"),
        ("scope", "user"),
    ]));
    let response = app
        .get(&uri)
        .cookie("belgie_session", &session)
        .send()
        .await;
    let grant = stored_code(&app, &response).await;
    let jane = support::tokens::user_id(&app, "jane@example.com").await;
    assert_eq!(grant.nonce.as_deref(), Some("nonce-1"));
    assert_eq!(grant.user_id, jane);
    assert_eq!(grant.session_id.to_string(), session);
    assert_eq!(grant.resource.as_deref(), Some("http://testserver/mcp"));
    assert_eq!(grant.scopes.joined(), "user");
    assert_eq!(grant.redirect_uri.as_str(), CALLBACK);
    assert_eq!(grant.expires_at, grant.issued_at.plus(300));
}

#[tokio::test]
async fn the_redirect_uris_own_query_is_kept() {
    let app = TestApp::with(|settings| {
        let client = extra_client("with-query", &["http://testserver/cb?foo=bar"]);
        settings.oauth.clients.push(client);
    })
    .await;
    let response = authorize_signed_in(
        &app,
        &[
            ("client_id", "with-query"),
            ("redirect_uri", "http://testserver/cb?foo=bar"),
        ],
    )
    .await;
    let location = response.location();
    assert!(
        location
            .as_str()
            .starts_with("http://testserver/cb?foo=bar&code="),
        "{location}"
    );
    assert_eq!(response.location_query("foo").as_deref(), Some("bar"));

    let response = authorize(
        &app,
        &[
            ("client_id", "with-query"),
            ("redirect_uri", "http://testserver/cb?foo=bar"),
            ("scope", "nope"),
        ],
    )
    .await;
    assert_eq!(response.location_query("foo").as_deref(), Some("bar"));
    assert_eq!(
        response.location_query("error").as_deref(),
        Some("invalid_scope")
    );
}

#[tokio::test]
async fn anonymous_user_goes_to_login_under_a_server_handle() {
    let app = TestApp::new().await;
    let response = authorize(&app, &[("nonce", "n")]).await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    let location = response.location();
    assert_eq!(location.path(), "/auth/oauth/login");
    assert_eq!(location.host_str(), Some("testserver"));
    let handle = response.location_query("state").expect("a handle");
    assert_ne!(
        handle, "state-123",
        "the handle is the server's, not the client's state"
    );
    assert_eq!(location.query_pairs().count(), 1);

    let cookie = response
        .set_cookie_header(BINDING)
        .expect("binding cookie set");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/auth/oauth"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let pending = stored_pending(&app, &response).await;
    let binding = response.set_cookie(BINDING).expect("binding value");
    assert_eq!(pending.browser, TokenDigest::of(&binding));
    assert_eq!(pending.state.as_deref(), Some("state-123"));
    assert_eq!(pending.intent, Intent::Login);
}

#[tokio::test]
async fn two_clients_with_the_same_state_do_not_collide() {
    let app = TestApp::new().await;
    let first = authorize(&app, &[]).await;
    let second = authorize(&app, &[]).await;
    assert_eq!(second.status, StatusCode::FOUND);
    assert_ne!(
        first.location_query("state"),
        second.location_query("state")
    );
}

#[tokio::test]
async fn the_browsers_binding_is_reused() {
    let app = TestApp::new().await;
    let first = authorize(&app, &[]).await;
    let binding = first.set_cookie(BINDING).expect("binding value");
    let second = app
        .get(&authorize_uri(&pairs(&[])))
        .cookie(BINDING, &binding)
        .send()
        .await;
    assert_eq!(
        second.set_cookie(BINDING).as_deref(),
        Some(binding.as_str())
    );
    let pending = stored_pending(&app, &second).await;
    assert_eq!(pending.browser, TokenDigest::of(&binding));

    // A value the server would never mint is replaced, not adopted.
    let planted = app
        .get(&authorize_uri(&pairs(&[])))
        .cookie(BINDING, "attacker-chosen")
        .send()
        .await;
    let fresh = planted.set_cookie(BINDING).expect("binding value");
    assert_ne!(fresh, "attacker-chosen");
    assert_eq!(fresh.len(), 32);
}

#[tokio::test]
async fn prompt_login_sends_a_signed_in_user_to_the_login_page() {
    let app = TestApp::new().await;
    let response = authorize_signed_in(&app, &[("prompt", "login")]).await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(response.location().path(), "/auth/oauth/login");
    assert_eq!(response.location_query("code"), None);
    assert_eq!(stored_pending(&app, &response).await.intent, Intent::Login);
}

#[tokio::test]
async fn prompt_create_shows_signup_even_when_signed_in() {
    let app = TestApp::new().await;
    let response = authorize_signed_in(&app, &[("prompt", "create")]).await;
    assert_eq!(response.location().path(), "/auth/oauth/login");
    assert_eq!(stored_pending(&app, &response).await.intent, Intent::Create);
}

#[tokio::test]
async fn prompt_none_with_a_session_issues_a_code() {
    let app = TestApp::new().await;
    let response = authorize_signed_in(&app, &[("prompt", "none")]).await;
    assert!(response.location_query("code").is_some());
}

#[tokio::test]
async fn without_any_login_page_login_is_required() {
    let app = TestApp::with(|settings| {
        settings.oauth.login_url = None;
        settings.oauth.signup_url = None;
    })
    .await;
    let response = authorize(&app, &[]).await;
    assert_redirect_error(&response, "login_required", None);
    assert_eq!(response.set_cookie(BINDING), None);

    let response = authorize_signed_in(&app, &[]).await;
    assert!(response.location_query("code").is_some());
}

#[tokio::test]
async fn signup_alone_serves_prompt_create() {
    let app = TestApp::with(|settings| settings.oauth.login_url = None).await;
    let response = authorize(&app, &[("prompt", "create")]).await;
    assert_eq!(response.location().path(), "/auth/oauth/login");
    let response = authorize(&app, &[]).await;
    assert_redirect_error(&response, "login_required", None);
}
