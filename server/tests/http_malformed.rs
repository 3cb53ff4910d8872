//! Bad input at every endpoint: broken percent-encoding, invalid UTF-8, oversized and repeated
//! parameters, wrong-typed JSON, garbage `Basic` and `Bearer` credentials, malformed JWTs and
//! unparseable redirect URIs. Whatever the bytes, the server never answers 5xx, and the OAuth
//! endpoints answer with a JSON error in the shape the spec gives them.

mod support;

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use oauth_reference_server::app::BODY_LIMIT;
use support::{TestApp, TestResponse};

/// How an endpoint reports a request error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Errors {
    /// `{"error": …}` (RFC 6749 §5.2 shape).
    OAuth,
    /// `{"detail": …}` (the framework shape of the login hand-off, spec §2.3).
    Detail,
    /// An HTML page, a redirect or a document: only "not 5xx" is checked.
    Any,
}

/// Every route, with the way it reads its parameters and reports errors.
const ENDPOINTS: &[(&str, &str, Errors)] = &[
    ("GET", "/auth/oauth/authorize", Errors::OAuth),
    ("POST", "/auth/oauth/authorize", Errors::OAuth),
    ("GET", "/auth/oauth/login", Errors::Detail),
    ("GET", "/auth/oauth/login/callback", Errors::Detail),
    ("POST", "/auth/oauth/token", Errors::OAuth),
    ("POST", "/auth/oauth/register", Errors::OAuth),
    ("POST", "/auth/oauth/revoke", Errors::OAuth),
    ("POST", "/auth/oauth/introspect", Errors::OAuth),
    ("GET", "/auth/oauth/userinfo", Errors::OAuth),
    ("POST", "/auth/oauth/userinfo", Errors::OAuth),
    ("GET", "/auth/oauth/end-session", Errors::OAuth),
    ("POST", "/auth/oauth/end-session", Errors::OAuth),
    (
        "GET",
        "/auth/oauth/.well-known/openid-configuration",
        Errors::Any,
    ),
    (
        "GET",
        "/.well-known/oauth-authorization-server/auth/oauth",
        Errors::Any,
    ),
    (
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        Errors::Any,
    ),
    ("GET", "/", Errors::Any),
    ("GET", "/login", Errors::Any),
    ("POST", "/login", Errors::Any),
    ("GET", "/signup", Errors::Any),
    ("POST", "/signup", Errors::Any),
    ("GET", "/login/context", Errors::Detail),
    ("GET", "/account", Errors::Any),
    ("POST", "/logout", Errors::Any),
];

/// Parameter strings no well-behaved client sends.
const HOSTILE_PARAMS: &[&str] = &[
    "%ff%fe=%c3%28",
    "%",
    "%zz=%&=%4",
    "a=%00%01%02",
    "&&&==&=&",
    "client_id=%ff&redirect_uri=%ff&response_type=code&state=%ff",
    "client_id=test-client&redirect_uri=http%3A%2F%2F%5B%3A%3A1&response_type=code",
    "token=%ff%fe&token_type_hint=%ff&grant_type=%ff&code=%ff&refresh_token=%00",
    "id_token_hint=%ff.%fe.%fd&client_id=%ff&post_logout_redirect_uri=%ff",
    "state=%ff&return_to=%ff&email=%ff&password=%ff",
    "grant_type=authorization_code&code=a&code=b&code_verifier=%ff&redirect_uri=%zz",
];

/// A registration-, logout- and resource-enabled fixture, so every route is live.
async fn app() -> TestApp {
    TestApp::with(|settings| {
        settings.oauth.allow_dynamic_client_registration = true;
        settings.oauth.allow_unauthenticated_client_registration = true;
        settings.oauth.enable_end_session = true;
    })
    .await
}

/// A request built from raw parts: the header values may hold any byte a header may carry.
async fn send_raw(
    app: &TestApp,
    method: &str,
    uri: &str,
    headers: &[(&str, &[u8])],
    body: Option<(&str, Vec<u8>)>,
) -> TestResponse {
    let method = Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{}{uri}", support::BASE))
        .header(header::HOST, "testserver");
    for (name, value) in headers {
        let value = HeaderValue::from_bytes(value).expect("a header value the wire allows");
        request = request.header(*name, value);
    }
    let body = match body {
        Some((content_type, bytes)) => {
            request = request.header(header::CONTENT_TYPE, content_type);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let request = request.body(body).expect("a well-formed request");
    support::dispatch(&app.router(), request).await
}

/// Sends `params` the way the endpoint reads them: the query for GET, a form body for POST
/// (a JSON body for `/register`).
async fn send_params(app: &TestApp, method: &str, path: &str, params: &str) -> TestResponse {
    if method == "GET" {
        return send_raw(app, method, &format!("{path}?{params}"), &[], None).await;
    }
    let body = Some((
        "application/x-www-form-urlencoded",
        params.as_bytes().to_vec(),
    ));
    send_raw(app, method, path, &[], body).await
}

/// No 5xx; a 4xx from an OAuth or hand-off endpoint has a JSON body in its shape.
fn assert_well_formed(response: &TestResponse, errors: Errors, what: &str) {
    assert!(
        !response.status.is_server_error(),
        "{what}: {} {}",
        response.status,
        response.text()
    );
    if !response.status.is_client_error() || errors == Errors::Any {
        return;
    }
    let body: serde_json::Value = serde_json::from_slice(&response.body)
        .unwrap_or_else(|_| panic!("{what}: a {} whose body is not JSON", response.status));
    let key = match errors {
        Errors::OAuth => "error",
        Errors::Detail => "detail",
        Errors::Any => unreachable!("returned above"),
    };
    assert!(body[key].is_string(), "{what}: {body}");
}

/// An OAuth-shape error with this status and `error`.
fn assert_oauth_error(response: &TestResponse, status: StatusCode, error: &str, what: &str) {
    assert_eq!(response.status, status, "{what}: {}", response.text());
    assert_eq!(response.json()["error"], error, "{what}");
}

#[tokio::test]
async fn hostile_parameters_never_cause_a_5xx_at_any_endpoint() {
    let app = app().await;
    for (method, path, errors) in ENDPOINTS {
        for params in HOSTILE_PARAMS {
            let response = send_params(&app, method, path, params).await;
            assert_well_formed(&response, *errors, &format!("{method} {path}?{params}"));
        }
    }
}

#[tokio::test]
async fn thousands_of_repeated_parameters_are_read_without_a_5xx() {
    let app = app().await;
    let repeated = "scope=user&resource=http%3A%2F%2Ftestserver%2Fmcp&state=x&".repeat(1000);
    for (method, path, errors) in ENDPOINTS {
        let response = send_params(&app, method, path, &repeated).await;
        assert_well_formed(&response, *errors, &format!("{method} {path} repeated"));
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_400_or_413_never_5xx() {
    let app = app().await;
    let huge = format!("a={}", "x".repeat(BODY_LIMIT + 1));
    for (method, path, errors) in ENDPOINTS.iter().filter(|(m, ..)| *m == "POST") {
        for content_type in ["application/x-www-form-urlencoded", "application/json"] {
            let body = Some((content_type, huge.clone().into_bytes()));
            let response = send_raw(&app, method, path, &[], body).await;
            let what = format!("{method} {path} with a {content_type} body over the limit");
            assert_well_formed(&response, *errors, &what);
            if *errors == Errors::OAuth {
                assert!(
                    [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE]
                        .contains(&response.status),
                    "{what}: {}",
                    response.status
                );
            }
        }
    }
}

#[tokio::test]
async fn the_token_endpoint_refuses_a_huge_body_as_invalid_request() {
    let app = app().await;
    let huge = format!("grant_type=client_credentials&x={}", "x".repeat(BODY_LIMIT));
    let response = app
        .post("/auth/oauth/token")
        .basic("test-client", "test-secret")
        .body("application/x-www-form-urlencoded", huge)
        .send()
        .await;
    assert_oauth_error(
        &response,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "huge",
    );
}

#[tokio::test]
async fn registration_bodies_that_are_not_the_right_json_are_400_in_oauth_shape() {
    let app = app().await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let bodies: Vec<Vec<u8>> = [
        "not json",
        "",
        "[]",
        "\"a string\"",
        "null",
        "42",
        "{\"redirect_uris\": \"http://x.example/cb\"}",
        "{\"redirect_uris\": [1, 2]}",
        "{\"redirect_uris\": [null]}",
        "{\"redirect_uris\": [\"http://x.example/cb\"], \"token_endpoint_auth_method\": 5}",
        "{\"redirect_uris\": [\"http://x.example/cb\"], \"scope\": []}",
        "{\"redirect_uris\": [\"http://x.example/cb\"], \"client_name\": {\"a\": 1}}",
        "{\"redirect_uris\": [\"http://x.example/cb\"], \"contacts\": \"a@b\"}",
        "{\"redirect_uris\": [\"http://x.example/cb\"], \"grant_types\": [true]}",
        "{\"redirect_uris\": [\"http://x.example/cb\"], \"post_logout_redirect_uris\": [\"::\"]}",
        "{\"redirect_uris\": [\"http://x.example/cb\"]",
        "{\"redirect_uris\": [\"http://[::1\"]}",
        "\u{feff}{\"redirect_uris\": [\"http://x.example/cb\"], \"client_name\": 1}",
        &deep,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .chain([
        b"\xff\xfe{}".to_vec(),
        b"{\"client_name\": \"\xff\"}".to_vec(),
    ])
    .collect();
    for body in bodies {
        for content_type in [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
        ] {
            let what = format!("{content_type}: {}", String::from_utf8_lossy(&body));
            let sent = Some((content_type, body.clone()));
            let response = send_raw(&app, "POST", "/auth/oauth/register", &[], sent).await;
            assert_eq!(response.status, StatusCode::BAD_REQUEST, "{what}");
            let error = response.json()["error"].clone();
            assert!(
                [
                    "invalid_request",
                    "invalid_client_metadata",
                    "invalid_redirect_uri"
                ]
                .contains(&error.as_str().unwrap_or_default()),
                "{what}: {error}"
            );
            assert_eq!(
                response.header("cache-control").as_deref(),
                Some("no-store")
            );
        }
    }
}

/// `Authorization` values that claim the Basic scheme but cannot be decoded.
fn garbage_basic_headers() -> Vec<Vec<u8>> {
    let mut headers: Vec<Vec<u8>> = vec![
        b"Basic !!!".to_vec(),
        b"Basic ".to_vec(),
        b"Basic    ".to_vec(),
        b"Basic %zz".to_vec(),
        b"Basic dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ".to_vec(), // padding missing
        b"Basic dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ===".to_vec(),
        b"Basic \xff\xfe\xfd".to_vec(),
    ];
    for decoded in [
        b"no-colon-at-all".as_slice(),
        b":secret-without-an-id",
        b"\xff\xfe:\xfd",
        b"%ff:%zz",
    ] {
        headers.push(format!("Basic {}", STANDARD.encode(decoded)).into_bytes());
    }
    headers
}

#[tokio::test]
async fn garbage_basic_headers_are_invalid_client_with_the_challenge() {
    let app = app().await;
    let endpoints = [
        ("/auth/oauth/token", "grant_type=client_credentials"),
        ("/auth/oauth/revoke", "token=belgie_x"),
        ("/auth/oauth/introspect", "token=belgie_x"),
    ];
    for (path, form) in endpoints {
        for value in garbage_basic_headers() {
            let what = format!("{path} with {}", String::from_utf8_lossy(&value));
            let body = Some((
                "application/x-www-form-urlencoded",
                form.as_bytes().to_vec(),
            ));
            let headers: &[(&str, &[u8])] = &[("authorization", &value)];
            let response = send_raw(&app, "POST", path, headers, body).await;
            assert_oauth_error(&response, StatusCode::UNAUTHORIZED, "invalid_client", &what);
            let challenge = response.header("www-authenticate").unwrap_or_default();
            assert!(challenge.starts_with("Basic"), "{what}: `{challenge}`");
        }
    }
}

#[tokio::test]
async fn odd_authorization_headers_never_cause_a_5xx_anywhere() {
    let app = app().await;
    let mut values = garbage_basic_headers();
    values.extend([
        b"Bearer \xff\xfe".to_vec(),
        b"Bearer".to_vec(),
        b"Bearer \t ".to_vec(),
        b"\xff".to_vec(),
        b"Digest username=x".to_vec(),
        format!("Bearer {}", "a".repeat(50_000)).into_bytes(),
    ]);
    for (method, path, errors) in ENDPOINTS {
        for value in &values {
            let headers: &[(&str, &[u8])] = &[("authorization", value)];
            let body = (*method == "POST").then(|| ("application/x-www-form-urlencoded", vec![]));
            let response = send_raw(&app, method, path, headers, body).await;
            let what = format!("{method} {path} with {}", String::from_utf8_lossy(value));
            assert_well_formed(&response, *errors, &what);
        }
    }
}

#[tokio::test]
async fn bearer_tokens_with_odd_bytes_are_invalid_token_at_userinfo() {
    let app = app().await;
    let values: Vec<Vec<u8>> = vec![
        b"Bearer \xff\xfe\x80".to_vec(),
        b"Bearer a b c".to_vec(),
        b"Bearer belgie_\xc3\x28".to_vec(),
        b"Bearer \"quoted\"".to_vec(),
        format!("Bearer {}", "z".repeat(50_000)).into_bytes(),
        b"BEARER\tbelgie_0".to_vec(),
    ];
    for method in ["GET", "POST"] {
        for value in &values {
            let what = format!("{method} with {}", String::from_utf8_lossy(value));
            let headers: &[(&str, &[u8])] = &[("authorization", value)];
            let body = (method == "POST").then(|| ("application/x-www-form-urlencoded", vec![]));
            let response = send_raw(&app, method, "/auth/oauth/userinfo", headers, body).await;
            assert_oauth_error(&response, StatusCode::UNAUTHORIZED, "invalid_token", &what);
            let challenge = response.header("www-authenticate").unwrap_or_default();
            assert!(challenge.starts_with("Bearer"), "{what}: `{challenge}`");
        }
    }
}

#[tokio::test]
async fn odd_tokens_at_revocation_and_introspection_are_harmless() {
    let app = app().await;
    for token in [
        "%ff%fe",
        "%00",
        "Bearer%20",
        "Bearer%20%ff",
        "belgie_%c3%28",
    ] {
        let form = format!("token={token}&token_type_hint=%ff");
        let body = Some((
            "application/x-www-form-urlencoded",
            form.as_bytes().to_vec(),
        ));
        let basic = format!("Basic {}", STANDARD.encode("test-client:test-secret"));
        let headers: &[(&str, &[u8])] = &[("authorization", basic.as_bytes())];
        let revoked = send_raw(&app, "POST", "/auth/oauth/revoke", headers, body.clone()).await;
        assert_eq!(revoked.status, StatusCode::OK, "revoke {token}");
        assert_eq!(revoked.json(), serde_json::json!({}), "revoke {token}");
        let seen = send_raw(&app, "POST", "/auth/oauth/introspect", headers, body).await;
        assert_eq!(seen.status, StatusCode::OK, "introspect {token}");
        assert_eq!(
            seen.json(),
            serde_json::json!({"active": false}),
            "introspect {token}"
        );
    }
}

/// Base64url of JSON text, for hand-made JWT segments.
fn segment(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

/// id_token hints that are no valid JWT of this server's.
fn malformed_hints() -> Vec<String> {
    let header = segment(r#"{"alg":"HS256","typ":"JWT"}"#);
    let none = segment(r#"{"alg":"none"}"#);
    let signature = URL_SAFE_NO_PAD.encode([0u8; 32]);
    let mut hints: Vec<String> = [
        "a",
        "a.b",
        "a.b.c",
        "...",
        "a.b.c.d",
        "..",
        "eyJ.eyJ.",
        "%ff.%fe.%fd",
        "😀.😀.😀",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for payload in [
        "[]",
        "null",
        "\"text\"",
        "{}",
        r#"{"aud":42}"#,
        r#"{"aud":{"a":1}}"#,
        r#"{"aud":[]}"#,
        r#"{"aud":[null, 5]}"#,
        r#"{"aud":"test-client","sid":5}"#,
        r#"{"aud":"test-client","sid":"not-a-uuid","exp":"soon"}"#,
        r#"{"aud":"test-client","exp":1e400}"#,
        "not json",
    ] {
        hints.push(format!("{header}.{}.{signature}", segment(payload)));
        hints.push(format!("{none}.{}.", segment(payload)));
    }
    hints.push(format!(
        "{}.{}.{signature}",
        segment("not json"),
        segment("{}")
    ));
    hints.push(format!("{header}.{}.{}", segment("{}"), "!".repeat(40)));
    hints.push(format!("{header}.{}.{signature}", "a".repeat(30_000)));
    hints
}

#[tokio::test]
async fn malformed_id_token_hints_are_refused_in_oauth_shape() {
    let app = app().await;
    for hint in malformed_hints() {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("id_token_hint", &hint)
            .finish();
        let what = format!("hint {}", hint.chars().take(80).collect::<String>());
        let got = app
            .get(&format!("/auth/oauth/end-session?{query}"))
            .send()
            .await;
        let posted = app
            .post("/auth/oauth/end-session")
            .form(&[("id_token_hint", &hint)])
            .send()
            .await;
        for response in [got, posted] {
            assert!(
                [StatusCode::BAD_REQUEST, StatusCode::UNAUTHORIZED].contains(&response.status),
                "{what}: {} {}",
                response.status,
                response.text()
            );
            let error = response.json()["error"].clone();
            assert!(
                ["invalid_token", "invalid_request", "invalid_client"]
                    .contains(&error.as_str().unwrap_or_default()),
                "{what}: {error}"
            );
        }
    }
}

#[tokio::test]
async fn unparseable_redirect_uris_are_a_400_json_error_and_never_redirect() {
    let app = app().await;
    for redirect_uri in [
        "http://[::1",
        "http://exa mple.com/cb",
        "://",
        "http://",
        "http://a:99999/cb",
        "\u{0}",
        "%ff",
        "http://testserver/callback\u{ff}",
        "callback",
        "//testserver/callback",
        &format!("http://testserver/{}", "a".repeat(20_000)),
    ] {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("response_type", "code"),
                ("client_id", "test-client"),
                ("redirect_uri", redirect_uri),
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                ),
            ])
            .finish();
        let response = app
            .get(&format!("/auth/oauth/authorize?{query}"))
            .send()
            .await;
        let what = format!(
            "redirect_uri {}",
            redirect_uri.chars().take(60).collect::<String>()
        );
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            response.text()
        );
        assert_eq!(response.header("location"), None, "{what}");
        assert!(response.json()["error"].is_string(), "{what}");
    }
}

#[tokio::test]
async fn garbage_cookies_read_as_signed_out_without_a_5xx() {
    let app = app().await;
    let cookies: &[&[u8]] = &[
        b"belgie_session=not-a-uuid",
        b"belgie_session=%ff%fe",
        b"belgie_session=\xff\xfe",
        b"belgie_session=; belgie_session=00000000-0000-0000-0000-000000000000",
        b"belgie_oauth_binding=\xff; belgie_session",
        b";;;===;",
    ];
    for (method, path, errors) in ENDPOINTS {
        for cookie in cookies {
            let headers: &[(&str, &[u8])] = &[("cookie", cookie)];
            let body = (*method == "POST").then(|| ("application/x-www-form-urlencoded", vec![]));
            let response = send_raw(&app, method, path, headers, body).await;
            let what = format!("{method} {path} with {}", String::from_utf8_lossy(cookie));
            assert_well_formed(&response, *errors, &what);
        }
    }
}

#[tokio::test]
async fn odd_content_types_read_the_body_as_empty_or_refuse_it_without_a_5xx() {
    let app = app().await;
    for (method, path, errors) in ENDPOINTS.iter().filter(|(m, ..)| *m == "POST") {
        for content_type in [
            "application/x-www-form-urlencoded; charset=%%%",
            "multipart/form-data; boundary=x",
            "application/json",
            "",
        ] {
            let body = Some((content_type, b"--x\r\n\xff\xfe{[".to_vec()));
            let response = send_raw(&app, method, path, &[], body).await;
            let what = format!("{method} {path} as `{content_type}`");
            assert_well_formed(&response, *errors, &what);
        }
    }
}
