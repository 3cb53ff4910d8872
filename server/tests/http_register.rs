//! `POST {I}/register` over HTTP: the R.1 matrix row by row, the spec §5 error rows, the RFC 7591
//! response shape, and that a registered client can then use the token endpoint.

mod support;

use axum::http::StatusCode;
use oauth_reference_server::domain::ClientId;
use serde_json::{Value, json};
use support::{TestApp, TestResponse};

const REGISTER: &str = "/auth/oauth/register";

/// The three methods R.1 accepts (`None`: omitted), with whether each issues a secret and the
/// method it registers as.
const ACCEPTED: [(Option<&str>, &str, bool); 4] = [
    (Some("none"), "none", false),
    (Some("client_secret_post"), "client_secret_post", true),
    (Some("client_secret_basic"), "client_secret_basic", true),
    (None, "client_secret_post", true),
];

/// Registration on, anonymous registration as given.
async fn app(anonymous: bool) -> TestApp {
    TestApp::with(|settings| {
        settings.oauth.allow_dynamic_client_registration = true;
        settings.oauth.allow_unauthenticated_client_registration = anonymous;
    })
    .await
}

fn metadata(method: Option<&str>) -> Value {
    let mut body = json!({"redirect_uris": ["https://app.example/cb"], "client_name": "App"});
    if let Some(method) = method {
        body["token_endpoint_auth_method"] = json!(method);
    }
    body
}

async fn register(app: &TestApp, body: Value, session: Option<&str>) -> TestResponse {
    let mut request = app.post(REGISTER).json(body);
    if let Some(session) = session {
        request = request.cookie("belgie_session", session);
    }
    request.send().await
}

async fn register_raw(app: &TestApp, content_type: &str, body: &[u8]) -> TestResponse {
    app.post(REGISTER).body(content_type, body).send().await
}

/// Asserts an OAuth error and returns its description (empty when there is none).
fn assert_error(response: &TestResponse, status: StatusCode, error: &str) -> String {
    assert_eq!(response.status, status, "body: {}", response.text());
    let body = response.json();
    assert_eq!(body["error"], error, "body: {body}");
    body["error_description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A 201 registering `method`, with or without a secret.
fn assert_registered(response: &TestResponse, method: &str, secret: bool) -> Value {
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "body: {}",
        response.text()
    );
    let body = response.json();
    assert_eq!(body["token_endpoint_auth_method"], method, "body: {body}");
    assert_eq!(body.get("client_secret").is_some(), secret, "body: {body}");
    assert_eq!(body.get("client_secret_expires_at").is_some(), secret);
    body
}

// --- The R.1 matrix, one test per row ---------------------------------------------------------

#[tokio::test]
async fn row_1_registration_off_refuses_every_caller_and_method() {
    let app = TestApp::with(|settings| {
        settings.oauth.allow_unauthenticated_client_registration = true;
    })
    .await;
    let session = app.sign_in("jane@example.com").await;
    for caller in [None, Some(session.as_str())] {
        for method in [
            None,
            Some("none"),
            Some("client_secret_basic"),
            Some("private_key_jwt"),
        ] {
            let response = register(&app, metadata(method), caller).await;
            let description = assert_error(&response, StatusCode::FORBIDDEN, "access_denied");
            assert_eq!(description, "client registration is disabled");
        }
    }
    let malformed = register_raw(&app, "application/json", b"{").await;
    assert_error(&malformed, StatusCode::FORBIDDEN, "access_denied");
}

#[tokio::test]
async fn row_2_anonymous_callers_are_refused_when_anonymous_registration_is_off() {
    let app = app(false).await;
    for (method, _, _) in ACCEPTED {
        let response = register(&app, metadata(method), None).await;
        let description = assert_error(&response, StatusCode::UNAUTHORIZED, "invalid_token");
        assert_eq!(
            description,
            "authentication required for client registration"
        );
    }
    let stale = register(
        &app,
        metadata(None),
        Some(&uuid::Uuid::new_v4().to_string()),
    )
    .await;
    assert_error(&stale, StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn row_3_an_anonymous_caller_may_register_a_public_client() {
    let app = app(true).await;
    let response = register(&app, metadata(Some("none")), None).await;
    let body = assert_registered(&response, "none", false);
    let id = ClientId::new(body["client_id"].as_str().expect("client_id"));
    let stored = app.services().store.client(&id).await.expect("store");
    assert!(stored.expect("stored").is_public());
}

#[tokio::test]
async fn row_4_an_anonymous_caller_may_register_a_confidential_client() {
    let app = app(true).await;
    for method in ["client_secret_post", "client_secret_basic"] {
        let response = register(&app, metadata(Some(method)), None).await;
        let body = assert_registered(&response, method, true);
        assert_eq!(body["client_secret_expires_at"], 0);
    }
}

#[tokio::test]
async fn row_5_an_anonymous_caller_omitting_the_method_gets_client_secret_post() {
    let app = app(true).await;
    let response = register(&app, metadata(None), None).await;
    let body = assert_registered(&response, "client_secret_post", true);
    assert_eq!(body["client_secret"].as_str().map(str::len), Some(32));
}

#[tokio::test]
async fn row_6_a_signed_in_caller_may_register_all_three_whatever_the_anonymous_setting() {
    for anonymous in [false, true] {
        let app = app(anonymous).await;
        let session = app.sign_in("jane@example.com").await;
        for (method, registered_as, secret) in ACCEPTED {
            let response = register(&app, metadata(method), Some(&session)).await;
            assert_registered(&response, registered_as, secret);
        }
    }
}

#[tokio::test]
async fn row_7_any_other_method_is_invalid_client_metadata_naming_it() {
    for anonymous in [false, true] {
        let app = app(anonymous).await;
        let session = app.sign_in("jane@example.com").await;
        for caller in [None, Some(session.as_str())] {
            for method in [
                "private_key_jwt",
                "tls_client_auth",
                "client_secret_jwt",
                "magic",
            ] {
                let response = register(&app, metadata(Some(method)), caller).await;
                let description = assert_error(
                    &response,
                    StatusCode::BAD_REQUEST,
                    "invalid_client_metadata",
                );
                assert_eq!(
                    description,
                    format!("unsupported token_endpoint_auth_method: {method}")
                );
            }
        }
    }
}

// --- Spec §5 rows and other bad bodies --------------------------------------------------------

#[tokio::test]
async fn malformed_or_empty_bodies_are_invalid_request_in_oauth_shape() {
    let app = app(false).await;
    let bodies: [(&str, &[u8]); 7] = [
        ("application/json", b""),
        ("application/json", b"{\"redirect_uris\": "),
        ("application/json", b"not json"),
        ("application/json", b"[]"),
        ("application/json", b"\"a string\""),
        ("application/json", b"\xff\xfe"),
        ("text/plain", b"redirect_uris=x"),
    ];
    for (content_type, body) in bodies {
        let response = register_raw(&app, content_type, body).await;
        let description = assert_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(!description.is_empty());
    }
}

#[tokio::test]
async fn the_content_type_does_not_decide_how_the_body_is_read() {
    let app = app(true).await;
    let body = metadata(Some("none")).to_string();
    let response = register_raw(&app, "text/plain", body.as_bytes()).await;
    assert_registered(&response, "none", false);
}

#[tokio::test]
async fn a_body_over_the_limit_is_invalid_request() {
    let app = app(true).await;
    let huge = format!(
        r#"{{"redirect_uris":["https://a.example/cb"],"client_name":"{}"}}"#,
        "x".repeat(100_000)
    );
    let response = register_raw(&app, "application/json", huge.as_bytes()).await;
    assert_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn missing_or_empty_redirect_uris_are_invalid_redirect_uri_even_for_anonymous_callers() {
    let app = app(false).await;
    let session = app.sign_in("jane@example.com").await;
    let cases = [
        (json!({}), "redirect_uris: field required"),
        (
            json!({"redirect_uris": null}),
            "redirect_uris: field required",
        ),
        (
            json!({"redirect_uris": []}),
            "redirect_uris: must contain at least one URI",
        ),
    ];
    for caller in [None, Some(session.as_str())] {
        for (body, expected) in &cases {
            let response = register(&app, body.clone(), caller).await;
            let description =
                assert_error(&response, StatusCode::BAD_REQUEST, "invalid_redirect_uri");
            assert_eq!(&description, expected);
        }
    }
}

#[tokio::test]
async fn bad_redirect_uris_are_invalid_redirect_uri_naming_the_entry() {
    let app = app(true).await;
    let cases = [
        (json!(["not a url"]), "redirect_uris.0: not an absolute URI"),
        (
            json!(["https://a.example/cb", "/relative"]),
            "redirect_uris.1: not an absolute URI",
        ),
        (
            json!(["https://a.example/cb#frag"]),
            "redirect_uris.0: must not contain a fragment",
        ),
        (json!([7]), "redirect_uris.0: must be a string"),
        (
            json!("https://a.example/cb"),
            "redirect_uris: must be an array of strings",
        ),
    ];
    for (uris, expected) in cases {
        let response = register(&app, json!({"redirect_uris": uris}), None).await;
        let description = assert_error(&response, StatusCode::BAD_REQUEST, "invalid_redirect_uri");
        assert_eq!(description, expected);
    }
}

#[tokio::test]
async fn other_bad_metadata_is_invalid_client_metadata_naming_the_member() {
    let app = app(true).await;
    let cases = [
        (
            "token_endpoint_auth_method",
            json!(true),
            "token_endpoint_auth_method: must be a string",
        ),
        (
            "client_uri",
            json!("ftp://a.example"),
            "client_uri: must be an http or https URL",
        ),
        (
            "logo_uri",
            json!("logo.png"),
            "logo_uri: must be an http or https URL",
        ),
        ("tos_uri", json!(3), "tos_uri: must be a string"),
        (
            "policy_uri",
            json!("mailto:x@a.example"),
            "policy_uri: must be an http or https URL",
        ),
        (
            "jwks_uri",
            json!("file:///etc/keys"),
            "jwks_uri: must be an http or https URL",
        ),
        (
            "grant_types",
            json!("authorization_code"),
            "grant_types: must be an array of strings",
        ),
        ("contacts", json!([1]), "contacts.0: must be a string"),
        ("scope", json!(["user"]), "scope: must be a string"),
        (
            "post_logout_redirect_uris",
            json!(["bye"]),
            "post_logout_redirect_uris.0: not an absolute URI",
        ),
    ];
    for (member, value, expected) in cases {
        let mut body = metadata(None);
        body[member] = value;
        let response = register(&app, body, None).await;
        let description = assert_error(
            &response,
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
        );
        assert_eq!(description, expected);
    }
}

#[tokio::test]
async fn errors_are_not_cached() {
    let app = app(false).await;
    for response in [
        register(&app, metadata(None), None).await,
        register_raw(&app, "application/json", b"{").await,
    ] {
        assert_eq!(
            response.header("cache-control").as_deref(),
            Some("no-store")
        );
        assert_eq!(response.header("pragma").as_deref(), Some("no-cache"));
    }
}

// --- RFC 7591 response shape and what is stored -----------------------------------------------

#[tokio::test]
async fn success_is_201_no_store_with_nulls_omitted() {
    let app = app(true).await;
    let response = register(&app, metadata(None), None).await;
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    assert_eq!(response.header("pragma").as_deref(), Some("no-cache"));
    assert!(
        response
            .header("content-type")
            .is_some_and(|v| v.starts_with("application/json"))
    );

    let body = response.json();
    let object = body.as_object().expect("an object");
    assert!(object.values().all(|value| !value.is_null()), "{body}");
    let id = body["client_id"].as_str().expect("client_id");
    assert!(id.starts_with("belgie_client_") && id.len() == "belgie_client_".len() + 16);
    assert_eq!(body["client_id_issued_at"], app.services().clock.now().0);
    assert_eq!(body["client_secret_expires_at"], 0);
    let secret = body["client_secret"].as_str().expect("client_secret");
    assert!(secret.len() == 32 && secret.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(body["redirect_uris"], json!(["https://app.example/cb"]));
    assert_eq!(body["client_name"], "App");
    assert_eq!(
        body["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(body["response_types"], json!(["code"]));
    for absent in [
        "scope",
        "client_uri",
        "logo_uri",
        "contacts",
        "jwks",
        "enable_end_session",
    ] {
        assert!(object.get(absent).is_none(), "{absent} present in {body}");
    }
}

#[tokio::test]
async fn each_registration_gets_its_own_id_and_secret() {
    let app = app(true).await;
    let first = register(&app, metadata(None), None).await.json();
    let second = register(&app, metadata(None), None).await.json();
    assert_ne!(first["client_id"], second["client_id"]);
    assert_ne!(first["client_secret"], second["client_secret"]);
}

#[tokio::test]
async fn post_logout_redirect_uris_are_echoed_and_stored() {
    let app = app(true).await;
    let mut body = metadata(Some("none"));
    body["post_logout_redirect_uris"] = json!(["http://testserver/logout-complete"]);
    let response = register(&app, body, None).await.json();
    assert_eq!(
        response["post_logout_redirect_uris"],
        json!(["http://testserver/logout-complete"])
    );
    let id = ClientId::new(response["client_id"].as_str().expect("client_id"));
    let stored = app
        .services()
        .store
        .client(&id)
        .await
        .expect("store")
        .expect("stored");
    let uris = stored
        .post_logout_redirect_uris
        .expect("stored logout URIs");
    assert_eq!(uris[0].as_str(), "http://testserver/logout-complete");
}

#[tokio::test]
async fn enable_end_session_in_the_request_is_dropped() {
    let app = app(true).await;
    let mut body = metadata(None);
    body["enable_end_session"] = json!(true);
    let response = register(&app, body, None).await;
    let body = assert_registered(&response, "client_secret_post", true);
    assert!(body.get("enable_end_session").is_none());
    let id = ClientId::new(body["client_id"].as_str().expect("client_id"));
    let stored = app
        .services()
        .store
        .client(&id)
        .await
        .expect("store")
        .expect("stored");
    assert!(!stored.enable_end_session);
}

#[tokio::test]
async fn full_metadata_is_echoed_as_sent() {
    let app = app(true).await;
    let sent = json!({
        "redirect_uris": ["https://app.example/cb", "http://127.0.0.1/cb"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types": ["code"],
        "scope": "user openid",
        "client_name": "App",
        "client_uri": "https://app.example",
        "logo_uri": "https://app.example/logo.png",
        "contacts": ["ops@app.example"],
        "tos_uri": "https://app.example/tos",
        "policy_uri": "https://app.example/policy",
        "jwks": {"keys": []},
        "software_id": "app",
        "software_version": "1.0.0",
        "post_logout_redirect_uris": ["https://app.example/bye"],
        "unknown_member": {"ignored": true}
    });
    let response = register(&app, sent.clone(), None).await;
    let body = assert_registered(&response, "client_secret_basic", true);
    for (name, value) in sent.as_object().expect("object") {
        if name != "unknown_member" {
            assert_eq!(&body[name], value, "member {name}");
        }
    }
    assert!(body.get("unknown_member").is_none());
}

// --- Using the registered client --------------------------------------------------------------

async fn client_credentials(app: &TestApp, form: &[(&str, &str)]) -> TestResponse {
    let mut pairs = vec![("grant_type", "client_credentials")];
    pairs.extend_from_slice(form);
    app.post("/auth/oauth/token").form(&pairs).send().await
}

#[tokio::test]
async fn a_registered_confidential_client_authenticates_at_the_token_endpoint() {
    let app = app(true).await;
    let body = register(&app, metadata(None), None).await.json();
    let id = body["client_id"].as_str().expect("client_id");
    let secret = body["client_secret"].as_str().expect("client_secret");

    let ok = client_credentials(&app, &[("client_id", id), ("client_secret", secret)]).await;
    assert_eq!(ok.status, StatusCode::OK, "body: {}", ok.text());
    assert_eq!(ok.json()["token_type"], "Bearer");

    let basic = app
        .post("/auth/oauth/token")
        .basic(id, secret)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await;
    assert_eq!(basic.status, StatusCode::OK, "body: {}", basic.text());

    let wrong = client_credentials(&app, &[("client_id", id), ("client_secret", "0000")]).await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_client");
}

#[tokio::test]
async fn a_registered_public_client_has_no_secret_and_cannot_use_client_credentials() {
    let app = app(true).await;
    let body = register(&app, metadata(Some("none")), None).await.json();
    assert!(body.get("client_secret").is_none());
    let id = body["client_id"].as_str().expect("client_id");
    let id_only = client_credentials(&app, &[("client_id", id)]).await;
    assert_error(&id_only, StatusCode::UNAUTHORIZED, "invalid_client");
}
