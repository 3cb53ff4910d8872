//! `GET|POST {I}/userinfo` over HTTP (spec §2.8, §6.10, R.8): Bearer tokens in the header with
//! a case-insensitive scheme or in a POST form, the Bearer challenge on every 401 and on the 403,
//! and the claims each scope releases.

mod support;

use axum::http::StatusCode;
use oauth_reference_server::domain::UserId;
use support::tokens::{access_token, access_token_for, user_id};
use support::{TestApp, TestResponse, grants};

const USERINFO: &str = "/auth/oauth/userinfo";
const JANE: &str = "jane@example.com";

async fn get_with(app: &TestApp, authorization: &str) -> TestResponse {
    app.get(USERINFO)
        .header("authorization", authorization)
        .send()
        .await
}

async fn jane_token(app: &TestApp, scope: &str) -> String {
    let jane = user_id(app, JANE).await;
    access_token(app, Some(jane), scope).await
}

/// Asserts an OAuth error with its status and Bearer challenge; returns the body.
fn assert_bearer_error(
    response: &TestResponse,
    status: StatusCode,
    error: &str,
) -> serde_json::Value {
    assert_eq!(response.status, status, "body: {}", response.text());
    let body = response.json();
    assert_eq!(body["error"], error, "body: {body}");
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(format!("Bearer error=\"{error}\"").as_str())
    );
    body
}

#[tokio::test]
async fn no_authorization_header_is_401_with_a_challenge() {
    let app = TestApp::new().await;
    let response = app.get(USERINFO).send().await;
    let body = assert_bearer_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(body["error_description"], "authorization header not found");
}

#[tokio::test]
async fn a_bearer_header_without_a_token_is_treated_as_no_header() {
    let app = TestApp::new().await;
    for header in ["Bearer", "Bearer ", "bearer    "] {
        let response = get_with(&app, header).await;
        let body = assert_bearer_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
        assert_eq!(body["error_description"], "authorization header not found");
    }
}

#[tokio::test]
async fn an_unknown_token_is_invalid() {
    let app = TestApp::new().await;
    let response = app.get(USERINFO).bearer("belgie_unknown").send().await;
    assert_bearer_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn another_scheme_carries_no_token() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "openid").await;
    let response = get_with(&app, &format!("Basic {token}")).await;
    assert_bearer_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn an_expired_token_is_invalid() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "openid").await;
    assert_eq!(
        app.get(USERINFO).bearer(&token).send().await.status,
        StatusCode::OK
    );
    app.clock().advance(3600);
    let response = app.get(USERINFO).bearer(&token).send().await;
    assert_bearer_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn the_scheme_name_is_case_insensitive() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "openid").await;
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let response = get_with(&app, &format!("{scheme} {token}")).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "scheme {scheme}: {}",
            response.text()
        );
    }
}

#[tokio::test]
async fn a_token_without_openid_is_403_insufficient_scope() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "user").await;
    let response = app.get(USERINFO).bearer(&token).send().await;
    assert_bearer_error(&response, StatusCode::FORBIDDEN, "insufficient_scope");
}

#[tokio::test]
async fn a_client_credentials_token_finds_no_user() {
    let app = TestApp::new().await;
    let token = access_token(&app, None, "openid").await;
    let response = app.get(USERINFO).bearer(&token).send().await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error"], "invalid_request");
    assert_eq!(response.json()["error_description"], "user not found");
}

#[tokio::test]
async fn a_token_whose_user_is_gone_finds_no_user() {
    let app = TestApp::new().await;
    let token = access_token(&app, Some(UserId::generate()), "openid profile").await;
    let response = app.get(USERINFO).bearer(&token).send().await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error_description"], "user not found");
}

#[tokio::test]
async fn profile_releases_the_name_and_picture() {
    let app = TestApp::new().await;
    let jane = user_id(&app, JANE).await;
    let token = access_token(&app, Some(jane), "openid profile").await;
    let response = app.get(USERINFO).bearer(&token).send().await;
    assert_eq!(response.status, StatusCode::OK);
    let claims = response.json();
    assert_eq!(claims["sub"], jane.to_string());
    assert_eq!(claims["name"], "Jane Doe");
    assert_eq!(claims["given_name"], "Jane");
    assert_eq!(claims["family_name"], "Doe");
    assert_eq!(claims["picture"], "https://example.com/jane.png");
    assert!(claims.get("email").is_none());
}

#[tokio::test]
async fn email_releases_the_address_and_its_verification() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "openid email").await;
    let claims = app.get(USERINFO).bearer(&token).send().await.json();
    assert_eq!(claims["email"], JANE);
    assert_eq!(claims["email_verified"], true);
    assert!(claims.get("name").is_none());
}

#[tokio::test]
async fn post_accepts_the_header() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "openid email").await;
    let response = app.post(USERINFO).bearer(&token).send().await;
    assert_eq!(response.status, StatusCode::OK, "body: {}", response.text());
    assert_eq!(response.json()["email"], JANE);
}

#[tokio::test]
async fn post_accepts_the_token_in_the_form_body() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "openid email").await;
    let response = app
        .post(USERINFO)
        .form(&[("access_token", &token)])
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "body: {}", response.text());
    assert_eq!(response.json()["email"], JANE);
}

#[tokio::test]
async fn post_without_any_token_is_401() {
    let app = TestApp::new().await;
    let response = app.post(USERINFO).form(&[("other", "x")]).send().await;
    let body = assert_bearer_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(body["error_description"], "authorization header not found");
}

#[tokio::test]
async fn a_token_in_both_header_and_body_is_invalid_request() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "openid").await;
    let response = app
        .post(USERINFO)
        .bearer(&token)
        .form(&[("access_token", &token)])
        .send()
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error"], "invalid_request");
}

#[tokio::test]
async fn the_query_string_is_not_a_way_to_send_the_token() {
    let app = TestApp::new().await;
    let token = jane_token(&app, "openid").await;
    let response = app
        .get(&format!("{USERINFO}?access_token={token}"))
        .send()
        .await;
    assert_bearer_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn a_token_expires_exactly_at_its_expiry_second() {
    let app = TestApp::new().await;
    let jane = user_id(&app, JANE).await;
    let token = access_token_for(&app, "public-client", Some(jane), "openid", 60).await;
    app.clock().advance(59);
    assert_eq!(
        app.get(USERINFO).bearer(&token).send().await.status,
        StatusCode::OK
    );
    app.clock().advance(1);
    let response = app.get(USERINFO).bearer(&token).send().await;
    assert_bearer_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn an_access_token_from_the_token_endpoint_reads_the_users_claims() {
    let app = TestApp::new().await;
    let code = grants::authorize(&app, "public-client", &[("scope", "openid email")]).await;
    let response = app
        .post(grants::TOKEN)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", grants::REDIRECT_URI),
            ("code_verifier", grants::VERIFIER),
            ("client_id", "public-client"),
        ])
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "body: {}", response.text());
    let token = grants::string(&response.json(), "access_token");

    let claims = app.get(USERINFO).bearer(&token).send().await.json();
    assert_eq!(claims["sub"], user_id(&app, JANE).await.to_string());
    assert_eq!(claims["email"], JANE);
}
