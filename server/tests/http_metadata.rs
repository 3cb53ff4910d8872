//! Metadata documents and their locations (spec §2.0, §2.1, §6.2, R.2, R.8).

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::TestApp;

const I: &str = "http://testserver/auth/oauth";
const AS_UNDER_ISSUER: &str = "/auth/oauth/.well-known/oauth-authorization-server";
const AS_INSERTED: &str = "/.well-known/oauth-authorization-server/auth/oauth";
const AS_ROOT: &str = "/.well-known/oauth-authorization-server";
const OIDC_UNDER_ISSUER: &str = "/auth/oauth/.well-known/openid-configuration";
const OIDC_ROOT: &str = "/.well-known/openid-configuration";
const PRM: &str = "/.well-known/oauth-protected-resource/mcp";
const PRM_ROOT: &str = "/.well-known/oauth-protected-resource";

async fn document(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).send().await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{path}: {}",
        response.text()
    );
    assert!(
        response
            .header("content-type")
            .is_some_and(|v| v.starts_with("application/json")),
        "{path} is JSON"
    );
    response.json()
}

async fn status(app: &TestApp, path: &str) -> StatusCode {
    app.get(path).send().await.status
}

fn assert_endpoints(document: &Value) {
    assert_eq!(document["issuer"], I);
    assert_eq!(document["authorization_endpoint"], format!("{I}/authorize"));
    assert_eq!(document["token_endpoint"], format!("{I}/token"));
    assert_eq!(document["revocation_endpoint"], format!("{I}/revoke"));
    assert_eq!(
        document["introspection_endpoint"],
        format!("{I}/introspect")
    );
}

/// §6.2 item 12.
#[tokio::test]
async fn authorization_server_metadata_under_the_issuer() {
    let app = TestApp::new().await;
    let document = document(&app, AS_UNDER_ISSUER).await;
    assert_endpoints(&document);
    assert_eq!(
        document["grant_types_supported"],
        json!(["authorization_code", "refresh_token", "client_credentials"])
    );
    assert_eq!(document["response_types_supported"], json!(["code"]));
    assert_eq!(document["response_modes_supported"], json!(["query"]));
    assert_eq!(
        document["token_endpoint_auth_methods_supported"],
        json!(["client_secret_post", "client_secret_basic", "none"])
    );
    for member in [
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
    ] {
        assert_eq!(
            document[member],
            json!(["client_secret_post", "client_secret_basic"]),
            "{member}"
        );
    }
    assert_eq!(
        document["code_challenge_methods_supported"],
        json!(["S256"])
    );
    assert_eq!(document["scopes_supported"], json!(["user"]));
    assert_eq!(
        document["authorization_response_iss_parameter_supported"],
        true
    );
}

/// §6.2 items 13 and 19: the same document at the path-inserted and root locations.
#[tokio::test]
async fn authorization_server_metadata_is_the_same_at_every_location() {
    let app = TestApp::new().await;
    let under_issuer = document(&app, AS_UNDER_ISSUER).await;
    assert_eq!(document(&app, AS_INSERTED).await, under_issuer);
    assert_eq!(document(&app, AS_ROOT).await, under_issuer);
}

/// §6.2 items 14, 15 and 23.
#[tokio::test]
async fn openid_configuration_under_the_issuer_and_at_the_root() {
    let app = TestApp::with(|s| s.oauth.enable_end_session = true).await;
    let document = document(&app, OIDC_UNDER_ISSUER).await;
    assert_endpoints(&document);
    assert_eq!(document["userinfo_endpoint"], format!("{I}/userinfo"));
    assert_eq!(document["end_session_endpoint"], format!("{I}/end-session"));
    assert_eq!(
        document["id_token_signing_alg_values_supported"],
        json!(["HS256"])
    );
    assert_eq!(document["response_modes_supported"], json!(["query"]));
    assert_eq!(document["subject_types_supported"], json!(["public"]));
    assert!(
        document["claims_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("sub"))
    );
    assert_eq!(
        document["scopes_supported"],
        json!(["user", "openid", "profile", "email", "offline_access"])
    );
    assert_eq!(
        document["prompt_values_supported"],
        json!(["none", "login", "create"])
    );
    assert_eq!(
        document["authorization_response_iss_parameter_supported"],
        true
    );
    assert!(document.get("jwks_uri").is_none());

    let root = self::document(&app, OIDC_ROOT).await;
    assert_eq!(root["issuer"], I);
    assert_eq!(root, document);
}

/// §6.2 item 16.
#[tokio::test]
async fn protected_resource_metadata_at_the_resource_path() {
    let app = TestApp::new().await;
    assert_eq!(
        document(&app, PRM).await,
        json!({
            "resource": "http://testserver/mcp",
            "authorization_servers": [I],
            "scopes_supported": ["user"],
        })
    );
}

/// §6.2 item 17.
#[tokio::test]
async fn protected_resource_metadata_at_the_root_fallback() {
    let app = TestApp::new().await;
    assert_eq!(document(&app, PRM_ROOT).await, document(&app, PRM).await);
}

/// §6.2 item 18.
#[tokio::test]
async fn without_resources_both_protected_resource_paths_are_404() {
    let app = TestApp::with(|s| s.oauth.resources = None).await;
    assert_eq!(status(&app, PRM).await, StatusCode::NOT_FOUND);
    assert_eq!(status(&app, PRM_ROOT).await, StatusCode::NOT_FOUND);
}

/// The root fallback of protected-resource metadata follows its flag.
#[tokio::test]
async fn the_resource_fallback_flag_turns_the_root_location_off() {
    let app = TestApp::with(|s| s.oauth.include_root_resource_metadata_fallback = false).await;
    assert_eq!(status(&app, PRM_ROOT).await, StatusCode::NOT_FOUND);
    assert_eq!(status(&app, PRM).await, StatusCode::OK);
}

/// A resource at `/` is served at the root path itself (spec §2.1.3).
#[tokio::test]
async fn a_resource_at_the_root_is_served_at_the_root_path() {
    let app = TestApp::with(|s| {
        s.oauth.include_root_resource_metadata_fallback = false;
        s.oauth.resources.as_mut().unwrap()[0].prefix = "/".into();
    })
    .await;
    let document = document(&app, PRM_ROOT).await;
    assert_eq!(document["resource"], "http://testserver/");
}

/// Scopes are left out of protected-resource metadata when the resource lists none (R.8).
#[tokio::test]
async fn resource_scopes_are_omitted_when_not_configured() {
    let app = TestApp::with(|s| s.oauth.resources.as_mut().unwrap()[0].scopes = None).await;
    let document = document(&app, PRM).await;
    assert!(document.get("scopes_supported").is_none(), "{document}");
}

/// §6.2 item 20.
#[tokio::test]
async fn the_oauth_fallback_flag_turns_the_root_location_off() {
    let app = TestApp::with(|s| s.oauth.include_root_oauth_metadata_fallback = false).await;
    assert_eq!(status(&app, AS_ROOT).await, StatusCode::NOT_FOUND);
    assert_eq!(status(&app, AS_INSERTED).await, StatusCode::OK);
    assert_eq!(status(&app, AS_UNDER_ISSUER).await, StatusCode::OK);
}

/// §6.2 item 21.
#[tokio::test]
async fn the_openid_fallback_flag_turns_the_root_location_off() {
    let app = TestApp::with(|s| s.oauth.include_root_openid_metadata_fallback = false).await;
    assert_eq!(status(&app, OIDC_ROOT).await, StatusCode::NOT_FOUND);
    assert_eq!(status(&app, OIDC_UNDER_ISSUER).await, StatusCode::OK);
}

/// R.8: `registration_endpoint` only when registration is enabled.
#[tokio::test]
async fn registration_endpoint_only_with_registration_enabled() {
    let off = TestApp::new().await;
    for path in [AS_UNDER_ISSUER, OIDC_UNDER_ISSUER] {
        assert!(
            document(&off, path)
                .await
                .get("registration_endpoint")
                .is_none()
        );
    }
    let on = TestApp::with(|s| s.oauth.allow_dynamic_client_registration = true).await;
    for path in [AS_UNDER_ISSUER, OIDC_UNDER_ISSUER] {
        assert_eq!(
            document(&on, path).await["registration_endpoint"],
            format!("{I}/register")
        );
    }
}

/// R.8: `end_session_endpoint` only when end-session is enabled.
#[tokio::test]
async fn end_session_endpoint_only_with_end_session_enabled() {
    let app = TestApp::new().await;
    let document = document(&app, OIDC_UNDER_ISSUER).await;
    assert!(document.get("end_session_endpoint").is_none());
}

/// R.8: no member is `null`, in any document, in any configuration.
#[tokio::test]
async fn no_document_has_a_null_member() {
    let app = TestApp::with(|s| s.oauth.resources.as_mut().unwrap()[0].scopes = None).await;
    for path in [AS_UNDER_ISSUER, OIDC_UNDER_ISSUER, PRM] {
        let document = document(&app, path).await;
        let object = document.as_object().unwrap();
        assert!(
            object.values().all(|value| !value.is_null()),
            "{path}: {document}"
        );
    }
}

/// The issuer follows the prefix and the OAuth base URL; the documents move with it.
#[tokio::test]
async fn another_prefix_and_base_move_every_location() {
    let app = TestApp::with(|s| {
        s.oauth.prefix = "/idp/".into();
        s.oauth.base_url = Some("https://auth.example.com/app/".into());
    })
    .await;
    let issuer = "https://auth.example.com/app/auth/idp";
    let under_issuer = document(&app, "/app/auth/idp/.well-known/oauth-authorization-server").await;
    assert_eq!(under_issuer["issuer"], issuer);
    assert_eq!(under_issuer["token_endpoint"], format!("{issuer}/token"));
    let inserted = document(&app, "/.well-known/oauth-authorization-server/app/auth/idp").await;
    assert_eq!(inserted, under_issuer);
    let prm = document(&app, "/.well-known/oauth-protected-resource/app/mcp").await;
    assert_eq!(prm["resource"], "https://auth.example.com/app/mcp");
    assert_eq!(prm["authorization_servers"], json!([issuer]));
}

/// Metadata locations accept GET only.
#[tokio::test]
async fn metadata_is_get_only() {
    let app = TestApp::new().await;
    let response = app.post(AS_ROOT).send().await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
}
