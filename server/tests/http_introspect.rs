//! `POST {I}/introspect` over HTTP (spec §2.7, §5, §6.9, R.8): a confidential client required,
//! `token` required, only the caller's own unexpired tokens active, `aud` as a string or a list
//! only when a resource is bound, refresh tokens typed `refresh_token`, unknown hints ignored.

mod support;

use axum::http::StatusCode;
use oauth_reference_server::domain::TokenDigest;
use serde_json::{Value, json};
use support::grants::{
    INTROSPECT, OTHER_CLIENT, OTHER_SECRET, RESOURCE, refresh, string, tokens, with_other_client,
};
use support::{START, TestApp, TestResponse};

const STATIC: (&str, &str) = ("test-client", "test-secret");

/// Introspects with the static client's form credentials and `extra` parameters.
async fn introspect(app: &TestApp, extra: &[(&str, &str)]) -> TestResponse {
    let mut form = vec![
        ("client_id", "test-client"),
        ("client_secret", "test-secret"),
    ];
    form.extend_from_slice(extra);
    app.post(INTROSPECT).form(&form).send().await
}

/// The 200 body of introspecting `token` with `hint`.
async fn answer(app: &TestApp, token: &str, hint: Option<&str>) -> Value {
    let mut extra = vec![("token", token)];
    extra.extend(hint.map(|hint| ("token_type_hint", hint)));
    let response = introspect(app, &extra).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

fn inactive() -> Value {
    json!({ "active": false })
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

#[tokio::test]
async fn only_a_confidential_client_with_its_secret_may_introspect() {
    let app = TestApp::new().await;
    let body = tokens(&app, STATIC, "user", None).await;
    let access = string(&body, "access_token");
    let only_token = app
        .post(INTROSPECT)
        .form(&[("token", &access)])
        .send()
        .await;
    assert_invalid_client(&only_token, false);
    for (id, secret) in [
        ("public-client", ""),
        ("public-client", "x"),
        ("test-client", "wrong"),
        ("unknown", "test-secret"),
    ] {
        let response = app
            .post(INTROSPECT)
            .form(&[
                ("client_id", id),
                ("client_secret", secret),
                ("token", &access),
            ])
            .send()
            .await;
        assert_invalid_client(&response, false);
    }
    let basic = app
        .post(INTROSPECT)
        .basic("test-client", "wrong")
        .form(&[("token", &access)])
        .send()
        .await;
    assert_invalid_client(&basic, true);
    let malformed = app
        .post(INTROSPECT)
        .header("authorization", "Basic dGVzdC1jbGllbnQ=")
        .form(&[("token", &access)])
        .send()
        .await;
    assert_invalid_client(&malformed, true);
}

#[tokio::test]
async fn a_missing_token_is_invalid_request() {
    let app = TestApp::new().await;
    for extra in [&[][..], &[("token", "")][..]] {
        let response = introspect(&app, extra).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            response.json(),
            json!({"error": "invalid_request", "error_description": "missing token"})
        );
    }
}

#[tokio::test]
async fn an_unknown_token_is_inactive() {
    let app = TestApp::new().await;
    assert_eq!(answer(&app, "belgie_unknown", None).await, inactive());
}

#[tokio::test]
async fn an_active_access_token_is_described_with_a_string_audience() {
    let app = TestApp::new().await;
    let body = tokens(&app, STATIC, "user", Some(RESOURCE)).await;
    let now = START.0;
    assert_eq!(
        answer(&app, &string(&body, "access_token"), None).await,
        json!({"active": true, "client_id": "test-client", "scope": "user", "exp": now + 3600,
               "iat": now, "token_type": "Bearer", "aud": RESOURCE})
    );
}

#[tokio::test]
async fn with_openid_the_audience_is_a_list_and_without_a_resource_it_is_absent() {
    let app = TestApp::with(|s| s.oauth.static_client.scope = Some("user openid".into())).await;
    let bound = tokens(&app, STATIC, "user openid", Some(RESOURCE)).await;
    let described = answer(&app, &string(&bound, "access_token"), None).await;
    assert_eq!(
        described["aud"],
        json!([RESOURCE, "http://testserver/auth/oauth/userinfo"])
    );
    let unbound = tokens(&app, STATIC, "user", None).await;
    let described = answer(&app, &string(&unbound, "access_token"), None).await;
    assert_eq!(described["active"], true);
    assert!(described.get("aud").is_none(), "{described}");
}

#[tokio::test]
async fn basic_credentials_work() {
    let app = TestApp::new().await;
    let body = tokens(&app, STATIC, "user", None).await;
    let response = app
        .post(INTROSPECT)
        .basic("test-client", "test-secret")
        .form(&[("token", &string(&body, "access_token"))])
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["active"], true);
}

#[tokio::test]
async fn a_refresh_token_is_typed_refresh_token_and_the_hint_limits_the_lookup() {
    let app = TestApp::new().await;
    let body = tokens(&app, STATIC, "user offline_access", Some(RESOURCE)).await;
    let token = string(&body, "refresh_token");
    let now = START.0;
    let expected = json!({"active": true, "client_id": "test-client",
        "scope": "user offline_access", "exp": now + 2_592_000, "iat": now,
        "token_type": "refresh_token", "aud": RESOURCE});
    assert_eq!(answer(&app, &token, Some("refresh_token")).await, expected);
    assert_eq!(answer(&app, &token, None).await, expected);
    assert_eq!(answer(&app, &token, Some("access_token")).await, inactive());
    let access = string(&body, "access_token");
    assert_eq!(
        answer(&app, &access, Some("refresh_token")).await,
        inactive()
    );
}

#[tokio::test]
async fn an_unknown_hint_is_ignored() {
    let app = TestApp::new().await;
    let body = tokens(&app, STATIC, "user", None).await;
    let described = answer(&app, &string(&body, "access_token"), Some("id_token")).await;
    assert_eq!(described["active"], true);
    assert_eq!(described["token_type"], "Bearer");
}

#[tokio::test]
async fn another_clients_token_is_inactive() {
    let app = with_other_client().await;
    let body = tokens(&app, STATIC, "user offline_access", None).await;
    for token in [
        string(&body, "access_token"),
        string(&body, "refresh_token"),
    ] {
        let response = app
            .post(INTROSPECT)
            .basic(OTHER_CLIENT, OTHER_SECRET)
            .form(&[("token", &token)])
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.json(), inactive());
        assert_eq!(answer(&app, &token, None).await["active"], true);
    }
}

#[tokio::test]
async fn an_expired_access_token_is_inactive_and_deleted() {
    let app = TestApp::new().await;
    let body = tokens(&app, STATIC, "user", None).await;
    let access = string(&body, "access_token");
    app.clock().advance(3600);
    assert_eq!(answer(&app, &access, None).await, inactive());
    let stored = app
        .services()
        .store
        .access_token(&TokenDigest::of(&access))
        .await
        .expect("store answers");
    assert!(stored.is_none(), "the expired token was purged");
}

#[tokio::test]
async fn a_rotated_refresh_token_is_inactive() {
    let app = TestApp::with(|s| {
        s.oauth.static_client.scope = Some("user offline_access".into());
    })
    .await;
    let body = tokens(&app, STATIC, "user offline_access", None).await;
    let old = string(&body, "refresh_token");
    assert_eq!(refresh(&app, &old, &[]).await.status, StatusCode::OK);
    assert_eq!(answer(&app, &old, None).await, inactive());
}

#[tokio::test]
async fn a_bearer_prefix_is_stripped() {
    let app = TestApp::new().await;
    let body = tokens(&app, STATIC, "user", None).await;
    let prefixed = format!("Bearer {}", string(&body, "access_token"));
    assert_eq!(answer(&app, &prefixed, None).await["active"], true);
}

#[tokio::test]
async fn a_client_credentials_token_is_active_without_an_audience() {
    let app = TestApp::new().await;
    let response = app
        .post(support::grants::TOKEN)
        .basic("test-client", "test-secret")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await;
    let access = string(&response.json(), "access_token");
    let described = answer(&app, &access, None).await;
    assert_eq!(described["active"], true);
    assert_eq!(described["client_id"], "test-client");
    assert!(described.get("aud").is_none());
}
