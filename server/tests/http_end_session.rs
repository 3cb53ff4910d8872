//! `GET|POST {I}/end-session` over HTTP (spec §2.9, §6.8 items 75–80, R.7): every refusal of
//! the step table, logout enabled for every client by the setting (static, seeded and registered,
//! public or confidential), strict id_token verification, and the redirect back to the client.

mod support;

use axum::http::StatusCode;
use jsonwebtoken::Algorithm;
use oauth_reference_server::domain::SessionId;
use serde_json::{Value, json};
use support::tokens::{
    CLIENT_SECRET, FALLBACK_SECRET, id_token_claims, key_for, sign, sign_with,
    static_client_id_token, unsigned,
};
use support::{TestApp, TestResponse, grants};

const END_SESSION: &str = "/auth/oauth/end-session";
const LOGOUT: &str = "http://testserver/logout-complete";
const JANE: &str = "jane@example.com";

/// The fixture with logout on or off by setting, and `LOGOUT` registered for the static and the
/// seeded public client.
async fn app(enable_end_session: bool) -> TestApp {
    TestApp::with(|settings| {
        let oauth = &mut settings.oauth;
        oauth.enable_end_session = enable_end_session;
        oauth.allow_dynamic_client_registration = true;
        oauth.allow_unauthenticated_client_registration = true;
        oauth.static_client.post_logout_redirect_uris = Some(vec![LOGOUT.into()]);
        for client in &mut oauth.clients {
            client.post_logout_redirect_uris = Some(vec![LOGOUT.into()]);
        }
    })
    .await
}

async fn end_session(app: &TestApp, params: &[(&str, &str)]) -> TestResponse {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    app.get(&format!("{END_SESSION}?{query}")).send().await
}

async fn session_alive(app: &TestApp, sid: &str) -> bool {
    let id = SessionId::parse(sid).expect("a session id");
    let session = app.services().store.session(id).await.expect("store");
    session.is_some()
}

fn assert_error(response: &TestResponse, status: StatusCode, error: &str, description: &str) {
    assert_eq!(response.status, status, "body: {}", response.text());
    let body = response.json();
    assert_eq!(body["error"], error, "body: {body}");
    assert_eq!(body["error_description"], description, "body: {body}");
}

fn assert_logged_out_without_redirect(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::OK, "body: {}", response.text());
    assert_eq!(response.json(), json!({}));
    assert!(response.header("location").is_none());
}

/// A client registered over HTTP with `LOGOUT` as its post-logout URI; returns the response body.
async fn register(app: &TestApp, method: &str) -> Value {
    let body = json!({
        "redirect_uris": ["http://testserver/callback"],
        "token_endpoint_auth_method": method,
        "post_logout_redirect_uris": [LOGOUT],
    });
    let response = app.post("/auth/oauth/register").json(body).send().await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "body: {}",
        response.text()
    );
    response.json()
}

// --- §6.8 ---------------------------------------------------------------------------------------

#[tokio::test]
async fn item_75_a_hint_that_is_not_a_jwt_is_invalid_token() {
    let app = app(true).await;
    for hint in ["not-a-jwt", "a.b.c", "e30.e30", "e30.W10.e30"] {
        let response = end_session(&app, &[("id_token_hint", hint)]).await;
        assert_error(
            &response,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "invalid id token",
        );
    }
}

#[tokio::test]
async fn item_76_a_client_without_logout_is_refused_and_the_session_kept() {
    let app = app(false).await;
    let sid = app.sign_in(JANE).await;
    let hint = static_client_id_token(&app, &sid);
    let response = end_session(&app, &[("id_token_hint", &hint)]).await;
    assert_error(
        &response,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "client unable to logout",
    );
    assert!(session_alive(&app, &sid).await);
}

#[tokio::test]
async fn item_77_a_registered_logout_uri_is_the_redirect_with_state() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let hint = static_client_id_token(&app, &sid);
    let response = end_session(
        &app,
        &[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", LOGOUT),
            ("state", "goodbye"),
        ],
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::FOUND,
        "body: {}",
        response.text()
    );
    assert_eq!(
        response.header("location").as_deref(),
        Some("http://testserver/logout-complete?state=goodbye")
    );
    assert!(!session_alive(&app, &sid).await);
}

#[tokio::test]
async fn item_78_an_unregistered_logout_uri_is_ignored_and_the_session_still_ends() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let hint = static_client_id_token(&app, &sid);
    let response = end_session(
        &app,
        &[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", "http://testserver/elsewhere"),
            ("state", "goodbye"),
        ],
    )
    .await;
    assert_logged_out_without_redirect(&response);
    assert!(!session_alive(&app, &sid).await);
}

#[tokio::test]
async fn item_79_a_public_client_logs_out_with_a_fallback_keyed_hint() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let claims = id_token_claims(&app, "public-client", &sid);
    let hint = sign(&claims, &key_for(FALLBACK_SECRET));
    let response = end_session(
        &app,
        &[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", LOGOUT),
        ],
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::FOUND,
        "body: {}",
        response.text()
    );
    assert_eq!(response.header("location").as_deref(), Some(LOGOUT));
    assert!(!session_alive(&app, &sid).await);
}

#[tokio::test]
async fn item_80_a_public_client_without_logout_is_refused_and_the_session_kept() {
    let app = app(false).await;
    let sid = app.sign_in(JANE).await;
    let claims = id_token_claims(&app, "public-client", &sid);
    let hint = sign(&claims, &key_for(FALLBACK_SECRET));
    let response = end_session(&app, &[("id_token_hint", &hint)]).await;
    assert_error(
        &response,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "client unable to logout",
    );
    assert!(session_alive(&app, &sid).await);
}

// --- R.7: the setting enables logout for registered clients too --------------------------------

#[tokio::test]
async fn a_registered_public_client_can_log_out_through_the_setting() {
    let app = app(true).await;
    let client = register(&app, "none").await;
    let client_id = client["client_id"].as_str().expect("client_id");
    let sid = app.sign_in(JANE).await;
    let hint = sign(
        &id_token_claims(&app, client_id, &sid),
        &key_for(FALLBACK_SECRET),
    );
    let response = end_session(
        &app,
        &[
            ("id_token_hint", &hint),
            ("client_id", client_id),
            ("post_logout_redirect_uri", LOGOUT),
            ("state", "s1"),
        ],
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::FOUND,
        "body: {}",
        response.text()
    );
    assert_eq!(response.location_query("state").as_deref(), Some("s1"));
    assert!(!session_alive(&app, &sid).await);
}

#[tokio::test]
async fn a_registered_confidential_client_hint_is_keyed_by_its_secret() {
    let app = app(true).await;
    let client = register(&app, "client_secret_basic").await;
    let client_id = client["client_id"].as_str().expect("client_id");
    let secret = client["client_secret"].as_str().expect("client_secret");
    let sid = app.sign_in(JANE).await;
    let claims = id_token_claims(&app, client_id, &sid);

    let fallback = sign(&claims, &key_for(FALLBACK_SECRET));
    let response = end_session(&app, &[("id_token_hint", &fallback)]).await;
    assert_error(
        &response,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "invalid id token",
    );
    assert!(session_alive(&app, &sid).await);

    let hint = sign(&claims, &key_for(secret));
    let response = end_session(&app, &[("id_token_hint", &hint)]).await;
    assert_logged_out_without_redirect(&response);
    assert!(!session_alive(&app, &sid).await);
}

#[tokio::test]
async fn a_registered_client_without_the_setting_cannot_log_out() {
    let app = app(false).await;
    let client = register(&app, "none").await;
    let client_id = client["client_id"].as_str().expect("client_id");
    let sid = app.sign_in(JANE).await;
    let hint = sign(
        &id_token_claims(&app, client_id, &sid),
        &key_for(FALLBACK_SECRET),
    );
    let response = end_session(&app, &[("id_token_hint", &hint)]).await;
    assert_error(
        &response,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "client unable to logout",
    );
}

// --- Verification (step 7): every forged or stale hint is invalid_token ----------------------

/// Asserts that `hint` is refused as an invalid id token and the session survives.
async fn assert_rejected(app: &TestApp, sid: &str, hint: &str, what: &str) {
    let response = end_session(app, &[("id_token_hint", hint)]).await;
    assert_eq!(
        response.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        response.text()
    );
    assert_eq!(response.json()["error"], "invalid_token", "{what}");
    assert_eq!(
        response.json()["error_description"],
        "invalid id token",
        "{what}"
    );
    assert!(
        session_alive(app, sid).await,
        "{what}: the session must survive"
    );
}

#[tokio::test]
async fn a_hint_signed_with_another_key_is_rejected() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let claims = id_token_claims(&app, "test-client", &sid);
    let hint = sign(&claims, &key_for("some-other-secret"));
    assert_rejected(&app, &sid, &hint, "wrong key").await;
}

#[tokio::test]
async fn a_hint_signed_with_the_raw_secret_is_rejected() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let claims = id_token_claims(&app, "test-client", &sid);
    let hint = sign(&claims, CLIENT_SECRET.as_bytes());
    assert_rejected(&app, &sid, &hint, "raw secret").await;
}

#[tokio::test]
async fn a_hint_from_another_issuer_is_rejected() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let issuer = app.issuer().to_owned();
    for iss in [
        json!("http://evil.example/auth/oauth"),
        json!(format!("{issuer}/")),
        json!([issuer]),
    ] {
        let mut claims = id_token_claims(&app, "test-client", &sid);
        claims["iss"] = iss.clone();
        let hint = sign(&claims, &key_for(CLIENT_SECRET));
        assert_rejected(&app, &sid, &hint, &format!("iss {iss}")).await;
    }
}

#[tokio::test]
async fn a_hint_with_its_audience_rewritten_is_rejected() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    // Signed as the static client's token, then claimed for the public client.
    let mut claims = id_token_claims(&app, "test-client", &sid);
    claims["aud"] = json!("public-client");
    let hint = sign(&claims, &key_for(CLIENT_SECRET));
    assert_rejected(&app, &sid, &hint, "aud rewritten").await;
}

#[tokio::test]
async fn an_expired_hint_is_rejected_without_leeway() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let hint = static_client_id_token(&app, &sid);
    app.clock().advance(36_000);
    assert_rejected(&app, &sid, &hint, "expired").await;
}

#[tokio::test]
async fn unsigned_and_other_algorithm_hints_are_rejected() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let claims = id_token_claims(&app, "test-client", &sid);
    assert_rejected(&app, &sid, &unsigned(&claims), "alg none").await;
    let hs512 = sign_with(Algorithm::HS512, &claims, &key_for(CLIENT_SECRET));
    assert_rejected(&app, &sid, &hs512, "HS512").await;
}

#[tokio::test]
async fn a_hint_missing_a_required_claim_is_rejected() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    for missing in ["iss", "exp", "iat", "sub"] {
        let mut claims = id_token_claims(&app, "test-client", &sid);
        claims.as_object_mut().expect("object").remove(missing);
        let hint = sign(&claims, &key_for(CLIENT_SECRET));
        assert_rejected(&app, &sid, &hint, missing).await;
    }
}

// --- The other refusals of the step table ----------------------------------------------------

#[tokio::test]
async fn a_missing_hint_is_invalid_request() {
    let app = app(true).await;
    for params in [&[][..], &[("id_token_hint", "")][..]] {
        let response = end_session(&app, params).await;
        assert_error(
            &response,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "missing id_token_hint",
        );
    }
}

#[tokio::test]
async fn a_client_id_outside_the_audience_is_an_audience_mismatch() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let hint = static_client_id_token(&app, &sid);
    let response = end_session(
        &app,
        &[("id_token_hint", &hint), ("client_id", "public-client")],
    )
    .await;
    assert_error(
        &response,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "audience mismatch",
    );
    assert!(session_alive(&app, &sid).await);
}

#[tokio::test]
async fn a_hint_without_an_audience_is_refused() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    for aud in [None, Some(json!([])), Some(json!(7))] {
        let mut claims = id_token_claims(&app, "test-client", &sid);
        match aud {
            Some(aud) => claims["aud"] = aud,
            None => {
                claims.as_object_mut().expect("object").remove("aud");
            }
        }
        let hint = sign(&claims, &key_for(CLIENT_SECRET));
        let response = end_session(&app, &[("id_token_hint", &hint)]).await;
        assert_error(
            &response,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "id token missing audience",
        );
    }
}

#[tokio::test]
async fn a_hint_for_an_unknown_client_is_invalid_client() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let hint = sign(
        &id_token_claims(&app, "nobody", &sid),
        &key_for(CLIENT_SECRET),
    );
    let response = end_session(&app, &[("id_token_hint", &hint)]).await;
    assert_error(
        &response,
        StatusCode::BAD_REQUEST,
        "invalid_client",
        "client doesn't exist",
    );
}

#[tokio::test]
async fn a_hint_without_a_usable_sid_names_no_session() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    for bad in [None, Some(json!("not-a-uuid")), Some(json!(12))] {
        let mut claims = id_token_claims(&app, "test-client", &sid);
        match bad {
            Some(value) => claims["sid"] = value,
            None => {
                claims.as_object_mut().expect("object").remove("sid");
            }
        }
        let hint = sign(&claims, &key_for(CLIENT_SECRET));
        let response = end_session(&app, &[("id_token_hint", &hint)]).await;
        assert_error(
            &response,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "id token missing session",
        );
    }
    assert!(session_alive(&app, &sid).await);
}

// --- Methods and sessions ---------------------------------------------------------------------

#[tokio::test]
async fn post_takes_the_parameters_from_the_form() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let hint = static_client_id_token(&app, &sid);
    let response = app
        .post(END_SESSION)
        .form(&[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", LOGOUT),
            ("state", "via post"),
        ])
        .send()
        .await;
    assert_eq!(
        response.status,
        StatusCode::FOUND,
        "body: {}",
        response.text()
    );
    assert_eq!(
        response.location_query("state").as_deref(),
        Some("via post")
    );
    assert!(!session_alive(&app, &sid).await);

    let missing = app.post(END_SESSION).form(&[]).send().await;
    assert_error(
        &missing,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "missing id_token_hint",
    );
}

#[tokio::test]
async fn only_the_hinted_session_ends_whatever_cookie_the_caller_has() {
    let app = app(true).await;
    let ended = app.sign_in(JANE).await;
    let callers = app.sign_in(JANE).await;
    let hint = static_client_id_token(&app, &ended);
    let response = app
        .get(&format!("{END_SESSION}?id_token_hint={hint}"))
        .cookie("belgie_session", &callers)
        .send()
        .await;
    assert_logged_out_without_redirect(&response);
    assert!(!session_alive(&app, &ended).await);
    assert!(session_alive(&app, &callers).await);
}

#[tokio::test]
async fn a_session_already_gone_still_logs_out() {
    let app = app(true).await;
    let sid = app.sign_in(JANE).await;
    let hint = static_client_id_token(&app, &sid);
    assert_logged_out_without_redirect(&end_session(&app, &[("id_token_hint", &hint)]).await);
    assert_logged_out_without_redirect(&end_session(&app, &[("id_token_hint", &hint)]).await);
}

// --- Full flows: id_tokens the token endpoint issues are accepted here ------------------------

/// The `sid` claim of an id_token, read without verification (the test trusts its own server).
fn sid_of(id_token: &str) -> String {
    use base64::Engine;
    let payload = id_token.split('.').nth(1).expect("a JWS");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    let claims: Value = serde_json::from_slice(&bytes).expect("JSON claims");
    claims["sid"].as_str().expect("a sid claim").to_owned()
}

/// Runs authorize and the code exchange for `client_id` with scope `openid` (form credentials
/// when `secret` is given); returns the id_token.
async fn id_token_from_the_token_endpoint(
    app: &TestApp,
    client_id: &str,
    secret: Option<&str>,
) -> String {
    let code = grants::authorize(app, client_id, &[("scope", "openid")]).await;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", grants::REDIRECT_URI),
        ("code_verifier", grants::VERIFIER),
        ("client_id", client_id),
    ];
    if let Some(secret) = secret {
        form.push(("client_secret", secret));
    }
    let response = app.post(grants::TOKEN).form(&form).send().await;
    assert_eq!(response.status, StatusCode::OK, "body: {}", response.text());
    grants::string(&response.json(), "id_token")
}

#[tokio::test]
async fn a_public_clients_id_token_from_the_token_endpoint_logs_out() {
    let app = app(true).await;
    let id_token = id_token_from_the_token_endpoint(&app, "public-client", None).await;
    let sid = sid_of(&id_token);
    assert!(session_alive(&app, &sid).await);
    let response = end_session(
        &app,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", LOGOUT),
            ("state", "bye"),
        ],
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::FOUND,
        "body: {}",
        response.text()
    );
    assert_eq!(
        response.header("location").as_deref(),
        Some("http://testserver/logout-complete?state=bye")
    );
    assert!(!session_alive(&app, &sid).await);
}

#[tokio::test]
async fn the_static_clients_id_token_from_the_token_endpoint_logs_out() {
    let app = TestApp::with(|settings| {
        settings.oauth.enable_end_session = true;
        settings.oauth.static_client.scope = Some("openid user".into());
    })
    .await;
    let id_token = id_token_from_the_token_endpoint(&app, "test-client", Some(CLIENT_SECRET)).await;
    let sid = sid_of(&id_token);
    let response = end_session(&app, &[("id_token_hint", &id_token)]).await;
    assert_logged_out_without_redirect(&response);
    assert!(!session_alive(&app, &sid).await);
}

#[tokio::test]
async fn a_registered_public_clients_id_token_from_the_token_endpoint_logs_out() {
    let app = app(true).await;
    let body = json!({
        "redirect_uris": [grants::REDIRECT_URI],
        "token_endpoint_auth_method": "none",
        "scope": "openid",
        "post_logout_redirect_uris": [LOGOUT],
    });
    let registered = app.post("/auth/oauth/register").json(body).send().await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.text()
    );
    let client_id = grants::string(&registered.json(), "client_id");

    let id_token = id_token_from_the_token_endpoint(&app, &client_id, None).await;
    let sid = sid_of(&id_token);
    let response = end_session(
        &app,
        &[
            ("id_token_hint", &id_token),
            ("client_id", &client_id),
            ("post_logout_redirect_uri", LOGOUT),
        ],
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::FOUND,
        "body: {}",
        response.text()
    );
    assert_eq!(response.header("location").as_deref(), Some(LOGOUT));
    assert!(!session_alive(&app, &sid).await);
}
