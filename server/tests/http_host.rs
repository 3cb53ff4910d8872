//! The host pages (R.9): sign-in and sign-up forms, the session cookie, the login context as
//! JSON, the return to the OAuth flow, sign-out, and HTML escaping.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{TestApp, TestResponse};

const EMAIL: &str = "jane@example.com";
const PASSWORD: &str = "correct horse battery staple";
const SESSION: &str = "belgie_session";
const BINDING: &str = "belgie_oauth_binding";
const CALLBACK: &str = "http://testserver/auth/oauth/login/callback";

/// A browser that began an authorization: the binding cookie and the login page's URL.
struct Started {
    binding: String,
    login_page: url::Url,
}

/// Runs authorize (not signed in) and the hand-off, as a browser would.
async fn start_flow(app: &TestApp, extra: &[(&str, &str)]) -> Started {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", "test-client"),
        ("redirect_uri", "http://testserver/callback"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("state", "client-state"),
    ];
    pairs.extend_from_slice(extra);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let authorize = app
        .get(&format!("/auth/oauth/authorize?{query}"))
        .send()
        .await;
    assert_eq!(authorize.status, StatusCode::FOUND, "{}", authorize.text());
    let binding = authorize.set_cookie(BINDING).expect("a binding cookie");
    let handoff = app
        .get(authorize.location().as_str())
        .cookie(BINDING, &binding)
        .send()
        .await;
    assert_eq!(handoff.status, StatusCode::FOUND, "{}", handoff.text());
    Started {
        binding,
        login_page: handoff.location(),
    }
}

async fn post_login(app: &TestApp, email: &str, password: &str, return_to: &str) -> TestResponse {
    app.post("/login")
        .form(&[
            ("email", email),
            ("password", password),
            ("return_to", return_to),
        ])
        .send()
        .await
}

fn assert_session_cookie(response: &TestResponse) -> String {
    let line = response
        .set_cookie_header(SESSION)
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(attribute), "{line} lacks {attribute}");
    }
    response.set_cookie(SESSION).expect("a value")
}

#[tokio::test]
async fn the_login_page_has_labelled_fields() {
    let app = TestApp::new().await;
    let page = app.get("/login").send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text();
    for needle in [
        "<label for=\"email\">",
        "id=\"email\" name=\"email\"",
        "<label for=\"password\">",
        "id=\"password\" name=\"password\" type=\"password\"",
        "action=\"/login\"",
    ] {
        assert!(html.contains(needle), "missing {needle}: {html}");
    }
}

#[tokio::test]
async fn signing_in_by_form_post_sets_the_session_cookie() {
    let app = TestApp::new().await;
    let response = post_login(&app, EMAIL, PASSWORD, "").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.location().path(), "/account");
    let session = assert_session_cookie(&response);

    let account = app.get("/account").cookie(SESSION, &session).send().await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.text().contains(EMAIL));
}

#[tokio::test]
async fn the_e_mail_address_is_matched_without_regard_to_case() {
    let app = TestApp::new().await;
    let response = post_login(&app, "Jane@Example.COM", PASSWORD, "").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn wrong_credentials_re_render_the_form_without_saying_which_part() {
    let app = TestApp::new().await;
    let wrong_password = post_login(&app, EMAIL, "wrong", "").await;
    let unknown_user = post_login(&app, "nobody@example.com", PASSWORD, "").await;
    let empty = post_login(&app, "", "", "").await;
    for response in [&wrong_password, &unknown_user, &empty] {
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert!(response.set_cookie(SESSION).is_none());
        let html = response.text();
        assert!(
            html.contains("The e-mail address or password is incorrect."),
            "{html}"
        );
        assert!(html.contains("<form method=\"post\" action=\"/login\">"));
    }
    let without_prefill =
        |r: &TestResponse, email: &str| r.text().replace(&format!("value=\"{email}\""), "");
    assert_eq!(
        without_prefill(&wrong_password, EMAIL),
        without_prefill(&unknown_user, "nobody@example.com")
    );
}

#[tokio::test]
async fn signing_up_creates_the_user_and_signs_in() {
    let app = TestApp::new().await;
    let response = app
        .post("/signup")
        .form(&[
            ("name", "Max"),
            ("email", "max@example.com"),
            ("password", "pw-max"),
        ])
        .send()
        .await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    assert_eq!(response.location().path(), "/account");
    let session = assert_session_cookie(&response);
    let account = app.get("/account").cookie(SESSION, &session).send().await;
    assert!(account.text().contains("max@example.com"));

    let again = post_login(&app, "max@example.com", "pw-max", "").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let user = app
        .services()
        .store
        .user_by_email("max@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.name.as_deref(), Some("Max"));
    assert!(user.password_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn signing_up_with_a_taken_address_is_409() {
    let app = TestApp::new().await;
    let response = app
        .post("/signup")
        .form(&[("email", "JANE@example.com"), ("password", "other")])
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert!(response.text().contains("already exists"));
    assert!(response.set_cookie(SESSION).is_none());
}

#[tokio::test]
async fn signing_up_without_address_or_password_is_400() {
    let app = TestApp::new().await;
    for form in [
        [("email", "not-an-address"), ("password", "x")],
        [("email", "a@b.c"), ("password", "")],
    ] {
        let response = app.post("/signup").form(&form).send().await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert!(
            response
                .text()
                .contains("Enter an e-mail address and a password.")
        );
    }
}

#[tokio::test]
async fn a_return_to_elsewhere_is_refused() {
    let app = TestApp::new().await;
    for target in [
        "https://evil.example/steal",
        "https://evil.example/auth/oauth/login/callback?state=x",
        "//evil.example/auth/oauth/login/callback",
        "http://testserver/elsewhere",
        "javascript:alert(1)",
    ] {
        let response = post_login(&app, EMAIL, PASSWORD, target).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER);
        assert_eq!(
            response.location().as_str(),
            "http://testserver/account",
            "{target}"
        );
    }
}

#[tokio::test]
async fn hostile_query_values_are_escaped() {
    let app = TestApp::new().await;
    let hostile = "\"><script>alert(1)</script>";
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("login_hint", hostile)
        .finish();
    for page in ["/login", "/signup"] {
        let html = app.get(&format!("{page}?{query}")).send().await.text();
        assert!(!html.contains("<script>"), "{page}: {html}");
        assert!(
            html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }
    let posted = post_login(&app, hostile, "x", "").await.text();
    assert!(!posted.contains("<script>"), "{posted}");
}

#[tokio::test]
async fn the_whole_flow_through_the_login_page_issues_a_code() {
    let app = TestApp::new().await;
    let started = start_flow(&app, &[]).await;
    assert_eq!(started.login_page.path(), "/login");
    let query = |name: &str| {
        started
            .login_page
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(query("intent").as_deref(), Some("login"));
    let return_to = query("return_to").expect("return_to");
    assert!(
        return_to.starts_with(&format!("{CALLBACK}?state=")),
        "{return_to}"
    );

    let page = app.get(started.login_page.as_str()).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("test-client"),
        "the page names the client: {html}"
    );
    assert!(html.contains("intent: login"), "{html}");
    assert!(html.contains("name=\"return_to\""), "{html}");

    let signed_in = post_login(&app, EMAIL, PASSWORD, &return_to).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location().as_str(), return_to);
    let session = assert_session_cookie(&signed_in);

    let callback = app
        .get(&return_to)
        .cookie(SESSION, &session)
        .cookie(BINDING, &started.binding)
        .send()
        .await;
    assert_eq!(callback.status, StatusCode::FOUND, "{}", callback.text());
    assert_eq!(callback.location().path(), "/callback");
    assert!(callback.location_query("code").is_some());
    assert_eq!(
        callback.location_query("state").as_deref(),
        Some("client-state")
    );
}

#[tokio::test]
async fn prompt_create_leads_to_the_signup_page() {
    let app = TestApp::new().await;
    let started = start_flow(&app, &[("prompt", "create")]).await;
    assert_eq!(started.login_page.path(), "/signup");
    let html = app.get(started.login_page.as_str()).send().await.text();
    assert!(html.contains("action=\"/signup\""), "{html}");
    assert!(html.contains("intent: create"), "{html}");
}

#[tokio::test]
async fn without_a_signup_url_the_login_page_shows_the_signup_form_for_create() {
    let app = TestApp::with(|s| s.oauth.signup_url = None).await;
    let started = start_flow(&app, &[("prompt", "create")]).await;
    assert_eq!(started.login_page.path(), "/login");
    let html = app.get(started.login_page.as_str()).send().await.text();
    assert!(html.contains("action=\"/signup\""), "{html}");
}

#[tokio::test]
async fn a_page_for_an_unknown_request_says_so() {
    let app = TestApp::new().await;
    let page = app.get("/login?state=no-such-handle").send().await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.text().contains("unknown or has expired"));
    assert!(!page.text().contains("no-such-handle"));
}

#[tokio::test]
async fn the_login_context_as_json() {
    let app = TestApp::new().await;
    let started = start_flow(&app, &[("prompt", "create")]).await;
    let return_to = started
        .login_page
        .query_pairs()
        .find(|(k, _)| k == "return_to")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let state = url::Url::parse(&return_to)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let expected = json!({
        "state": state,
        "intent": "create",
        "prompt": "create",
        "return_to": return_to,
    });

    let by_state = app
        .get(&format!("/login/context?state={state}"))
        .send()
        .await;
    assert_eq!(by_state.status, StatusCode::OK);
    assert_eq!(by_state.json(), expected);

    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("return_to", &return_to)
        .finish();
    let by_return_to = app.get(&format!("/login/context?{query}")).send().await;
    assert_eq!(by_return_to.json(), expected);
}

#[tokio::test]
async fn the_login_context_without_or_with_an_unknown_state_is_400() {
    let app = TestApp::new().await;
    let missing = app.get("/login/context").send().await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.json(), json!({"detail": "missing state"}));
    let unknown = app.get("/login/context?state=nope").send().await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json(), json!({"detail": "Invalid state parameter"}));
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_cookie() {
    let app = TestApp::new().await;
    let session = app.sign_in(EMAIL).await;
    let response = app.post("/logout").cookie(SESSION, &session).send().await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let line = response
        .set_cookie_header(SESSION)
        .expect("a clearing cookie");
    assert!(line.contains("Max-Age=0"), "{line}");
    let account = app.get("/account").cookie(SESSION, &session).send().await;
    assert_eq!(account.status, StatusCode::SEE_OTHER);
    assert_eq!(account.location().path(), "/login");
}

#[tokio::test]
async fn an_expired_session_is_signed_out() {
    let app = TestApp::new().await;
    let session = app.sign_in(EMAIL).await;
    app.clock().advance(604_800);
    let account = app.get("/account").cookie(SESSION, &session).send().await;
    assert_eq!(account.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_oversized_form_body_is_invalid_request() {
    let app = TestApp::new().await;
    let padding = "a".repeat(oauth_reference_server::app::BODY_LIMIT + 1);
    let response = app
        .post("/login")
        .form(&[("email", EMAIL), ("padding", &padding)])
        .send()
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error"], "invalid_request");
}
