//! `POST {I}/revoke` over HTTP (spec §2.6, §5, §6.11, R.8): client authentication (public
//! clients by `client_id` alone), `token` required, hints that limit the lookup and unknown
//! hints ignored, refresh-token revocation taking its whole grant, and 200 `{}` otherwise.

mod support;

use axum::http::StatusCode;
use oauth_reference_server::domain::TokenDigest;
use serde_json::{Value, json};
use support::grants::{
    OTHER_CLIENT, OTHER_SECRET, REVOKE, is_active, string, tokens, with_other_client,
};
use support::{TestApp, TestResponse};

const STATIC: (&str, &str) = ("test-client", "test-secret");
const PUBLIC: (&str, &str) = ("public-client", "");

/// Revokes with form credentials `client` and `extra` parameters.
async fn revoke(app: &TestApp, client: (&str, &str), extra: &[(&str, &str)]) -> TestResponse {
    let mut form = vec![("client_id", client.0), ("client_secret", client.1)];
    form.extend_from_slice(extra);
    app.post(REVOKE).form(&form).send().await
}

fn assert_revoked_ok(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json(), json!({}));
}

fn assert_invalid_client(response: &TestResponse, basic: bool) {
    assert_eq!(
        response.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        response.text()
    );
    assert_eq!(response.json(), json!({"error": "invalid_client"}));
    let expected = basic.then(|| "Basic realm=\"oauth\"".to_owned());
    assert_eq!(response.header("www-authenticate"), expected);
}

/// Whether the store still holds an access token (for tokens the static client cannot
/// introspect).
async fn stored(app: &TestApp, token: &str) -> bool {
    let digest = TokenDigest::of(token);
    let record = app.services().store.access_token(&digest).await;
    record.expect("store answers").is_some()
}

async fn offline_tokens(app: &TestApp) -> (String, String) {
    let body: Value = tokens(app, STATIC, "user offline_access", None).await;
    (
        string(&body, "access_token"),
        string(&body, "refresh_token"),
    )
}

#[tokio::test]
async fn the_caller_must_be_a_known_client_with_the_right_credentials() {
    let app = TestApp::new().await;
    let (access, _) = offline_tokens(&app).await;
    let only_token = app.post(REVOKE).form(&[("token", &access)]).send().await;
    assert_invalid_client(&only_token, false);
    for client in [
        ("unknown", "test-secret"),
        ("test-client", "wrong"),
        ("test-client", ""),
        ("public-client", "a-secret"),
    ] {
        let response = revoke(&app, client, &[("token", &access)]).await;
        assert_invalid_client(&response, false);
    }
    let basic = app
        .post(REVOKE)
        .basic("test-client", "wrong")
        .form(&[("token", &access)])
        .send()
        .await;
    assert_invalid_client(&basic, true);
    let malformed = app
        .post(REVOKE)
        .header("authorization", "Basic %%%")
        .form(&[("token", &access)])
        .send()
        .await;
    assert_invalid_client(&malformed, true);
    assert!(is_active(&app, &access).await, "nothing was revoked");
}

#[tokio::test]
async fn a_missing_token_is_invalid_request() {
    let app = TestApp::new().await;
    for extra in [&[][..], &[("token", "")][..]] {
        let response = revoke(&app, STATIC, extra).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            response.json(),
            json!({"error": "invalid_request", "error_description": "missing token"})
        );
    }
}

#[tokio::test]
async fn revoking_an_access_token_removes_only_it() {
    let app = TestApp::new().await;
    let (access, refresh) = offline_tokens(&app).await;
    let response = revoke(
        &app,
        STATIC,
        &[("token", &access), ("token_type_hint", "access_token")],
    )
    .await;
    assert_revoked_ok(&response);
    assert!(!is_active(&app, &access).await);
    assert!(is_active(&app, &refresh).await);
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_grant_including_the_first_access_token() {
    let app = TestApp::new().await;
    let (access, refresh) = offline_tokens(&app).await;
    let response = revoke(
        &app,
        STATIC,
        &[("token", &refresh), ("token_type_hint", "refresh_token")],
    )
    .await;
    assert_revoked_ok(&response);
    assert!(!is_active(&app, &refresh).await);
    assert!(!is_active(&app, &access).await);
}

#[tokio::test]
async fn without_a_hint_either_kind_is_found() {
    let app = TestApp::new().await;
    let (access, refresh) = offline_tokens(&app).await;
    assert_revoked_ok(&revoke(&app, STATIC, &[("token", &access)]).await);
    assert!(!is_active(&app, &access).await);
    assert!(is_active(&app, &refresh).await);
    assert_revoked_ok(&revoke(&app, STATIC, &[("token", &refresh)]).await);
    assert!(!is_active(&app, &refresh).await);
}

#[tokio::test]
async fn basic_credentials_work() {
    let app = TestApp::new().await;
    let (access, _) = offline_tokens(&app).await;
    let response = app
        .post(REVOKE)
        .basic("test-client", "test-secret")
        .form(&[("token", &access)])
        .send()
        .await;
    assert_revoked_ok(&response);
    assert!(!is_active(&app, &access).await);
}

#[tokio::test]
async fn unknown_tokens_still_get_200() {
    let app = TestApp::new().await;
    assert_revoked_ok(&revoke(&app, STATIC, &[("token", "belgie_unknown")]).await);
}

#[tokio::test]
async fn another_clients_tokens_are_left_alone() {
    let app = with_other_client().await;
    let theirs = tokens(
        &app,
        (OTHER_CLIENT, OTHER_SECRET),
        "user offline_access",
        None,
    )
    .await;
    let access = string(&theirs, "access_token");
    let refresh = string(&theirs, "refresh_token");
    assert_revoked_ok(&revoke(&app, STATIC, &[("token", &access)]).await);
    assert_revoked_ok(&revoke(&app, STATIC, &[("token", &refresh)]).await);
    assert!(stored(&app, &access).await);
    let still_works = app
        .post(support::grants::INTROSPECT)
        .basic(OTHER_CLIENT, OTHER_SECRET)
        .form(&[("token", &refresh)])
        .send()
        .await;
    assert_eq!(still_works.json()["active"], true);
}

#[tokio::test]
async fn an_unknown_hint_is_ignored() {
    let app = TestApp::new().await;
    let (access, _) = offline_tokens(&app).await;
    let response = revoke(
        &app,
        STATIC,
        &[("token", &access), ("token_type_hint", "id_token")],
    )
    .await;
    assert_revoked_ok(&response);
    assert!(!is_active(&app, &access).await);
}

#[tokio::test]
async fn a_hint_limits_the_lookup_to_its_kind() {
    let app = TestApp::new().await;
    let (access, refresh) = offline_tokens(&app).await;
    let wrong_for_refresh = [
        ("token", refresh.as_str()),
        ("token_type_hint", "access_token"),
    ];
    assert_revoked_ok(&revoke(&app, STATIC, &wrong_for_refresh).await);
    assert!(is_active(&app, &refresh).await);
    let wrong_for_access = [
        ("token", access.as_str()),
        ("token_type_hint", "refresh_token"),
    ];
    assert_revoked_ok(&revoke(&app, STATIC, &wrong_for_access).await);
    assert!(is_active(&app, &access).await);
}

#[tokio::test]
async fn a_bearer_prefix_is_stripped() {
    let app = TestApp::new().await;
    let (access, _) = offline_tokens(&app).await;
    let prefixed = format!("Bearer {access}");
    assert_revoked_ok(&revoke(&app, STATIC, &[("token", &prefixed)]).await);
    assert!(!is_active(&app, &access).await);
}

#[tokio::test]
async fn a_public_client_revokes_its_own_tokens_with_its_id_alone() {
    let app = TestApp::new().await;
    let body = tokens(&app, PUBLIC, "user offline_access", None).await;
    let access = string(&body, "access_token");
    let refresh = string(&body, "refresh_token");
    let response = app
        .post(REVOKE)
        .form(&[("client_id", "public-client"), ("token", &access)])
        .send()
        .await;
    assert_revoked_ok(&response);
    assert!(!stored(&app, &access).await);

    assert_revoked_ok(&revoke(&app, PUBLIC, &[("token", &refresh)]).await);
    let refreshed = support::grants::refresh(
        &app,
        &refresh,
        &[("client_id", "public-client"), ("client_secret", "")],
    )
    .await;
    assert_eq!(refreshed.status, StatusCode::BAD_REQUEST);
    assert_eq!(refreshed.json(), json!({"error": "invalid_grant"}));
}
