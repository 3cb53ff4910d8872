//! What every route shares: JSON 404 and 405, the body limit, and the test client itself.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::TestApp;

#[tokio::test]
async fn an_unknown_path_is_a_json_404() {
    let app = TestApp::new().await;
    let response = app.get("/no/such/path?x=1").send().await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.json(), json!({"detail": "Not Found"}));
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let app = TestApp::new().await;
    let response = app.get("/auth/oauth/token").send().await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.json(), json!({"detail": "Method Not Allowed"}));
}

#[tokio::test]
async fn the_fixture_seeds_clients_and_a_user() {
    let app = TestApp::new().await;
    let store = &app.services().store;
    let id = oauth_reference_server::domain::ClientId::new("test-client");
    let client = store.client(&id).await.unwrap().expect("static client");
    assert_eq!(client.scope.as_deref(), Some("user"));
    assert!(client.client_secret.unwrap().matches("test-secret"));
    let public = oauth_reference_server::domain::ClientId::new("public-client");
    assert!(store.client(&public).await.unwrap().unwrap().is_public());
    let jane = store
        .user_by_email("jane@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(jane.name.as_deref(), Some("Jane Doe"));
    assert!(jane.email_verified_at.is_some());
    assert_ne!(jane.password_hash, "correct horse battery staple");
}

#[tokio::test]
async fn sign_in_gives_a_session_the_host_recognises() {
    let app = TestApp::new().await;
    let cookie = app.sign_in("jane@example.com").await;
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        "cookie",
        format!("belgie_session={cookie}").parse().unwrap(),
    );
    let signed_in = oauth_reference_server::host::session::current(app.services(), &headers)
        .await
        .unwrap()
        .expect("signed in");
    assert_eq!(signed_in.user.email, "jane@example.com");
}
