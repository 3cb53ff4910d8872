//! `POST {I}/token` over HTTP (spec §2.4, §3.2, §4.3, §5, §6.6, R.5–R.7): grant dispatch,
//! client authentication, the three grants' checks in order, code replay and refresh reuse
//! revoking the grant, resource binding, id_tokens, and the no-store headers on every answer.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::grants::{
    REDIRECT_URI, RESOURCE, TOKEN, VERIFIER, authorize, code, code_with_scope, exchange,
    introspect, is_active, refresh, string,
};
use support::{TestApp, TestResponse};

/// Extra form parameters of one case.
type Extra<'a> = Vec<(&'a str, &'a str)>;

/// The static client widened to what the refresh and id_token tests need.
const WIDE_SCOPE: &str = "user offline_access openid profile email";

async fn wide_app() -> TestApp {
    TestApp::with(|s| s.oauth.static_client.scope = Some(WIDE_SCOPE.into())).await
}

/// Asserts the status, the no-store headers and the exact JSON body.
fn assert_answer(response: &TestResponse, status: StatusCode, body: Value) {
    assert_eq!(response.status, status, "body: {}", response.text());
    assert_eq!(response.json(), body);
    assert_no_store(response);
}

fn assert_no_store(response: &TestResponse) {
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    assert_eq!(response.header("pragma").as_deref(), Some("no-cache"));
}

fn error(code: &str, description: &str) -> Value {
    json!({"error": code, "error_description": description})
}

fn bare(code: &str) -> Value {
    json!({ "error": code })
}

/// A 401 `invalid_client` without description; `basic` says whether the challenge is expected.
fn assert_invalid_client(response: &TestResponse, basic: bool) {
    assert_answer(response, StatusCode::UNAUTHORIZED, bare("invalid_client"));
    let challenge = response.header("www-authenticate");
    if basic {
        assert_eq!(challenge.as_deref(), Some("Basic realm=\"oauth\""));
    } else {
        assert_eq!(challenge, None);
    }
}

mod dispatch_and_client_authentication {
    use super::*;

    #[tokio::test]
    async fn a_missing_or_unknown_grant_type_is_unsupported_even_with_bad_credentials() {
        let app = TestApp::new().await;
        let empty = app.post(TOKEN).form(&[]).send().await;
        assert_answer(
            &empty,
            StatusCode::BAD_REQUEST,
            bare("unsupported_grant_type"),
        );

        let custom = app
            .post(TOKEN)
            .form(&[("grant_type", "urn:custom"), ("client_id", "wrong")])
            .send()
            .await;
        assert_answer(
            &custom,
            StatusCode::BAD_REQUEST,
            bare("unsupported_grant_type"),
        );

        let json_body = app
            .post(TOKEN)
            .json(json!({"grant_type": "client_credentials"}))
            .send()
            .await;
        assert_answer(
            &json_body,
            StatusCode::BAD_REQUEST,
            bare("unsupported_grant_type"),
        );
    }

    #[tokio::test]
    async fn an_unreadable_body_is_invalid_request_and_not_cached_either() {
        let app = TestApp::new().await;
        let oversized = format!(
            "grant_type=client_credentials&pad={}",
            "a".repeat(128 * 1024)
        );
        let response = app
            .post(TOKEN)
            .body("application/x-www-form-urlencoded", oversized)
            .send()
            .await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{}",
            response.text()
        );
        assert_eq!(response.json()["error"], "invalid_request");
        assert_no_store(&response);
    }

    #[tokio::test]
    async fn a_malformed_basic_header_is_invalid_client_with_the_challenge_before_anything() {
        let app = TestApp::new().await;
        for header in [
            "Basic",
            "Basic !!!",
            "Basic dGVzdC1jbGllbnQ",
            "basic OnNlY3JldA==",
        ] {
            let response = app
                .post(TOKEN)
                .header("authorization", header)
                .form(&[("grant_type", "urn:custom")])
                .send()
                .await;
            assert_invalid_client(&response, true);
        }
    }

    #[tokio::test]
    async fn unknown_clients_wrong_secrets_and_public_clients_with_secrets_are_refused() {
        let app = TestApp::new().await;
        let code = code(&app, |_| {}).await;
        for (id, secret) in [
            ("wrong", "test-secret"),
            ("test-client", "wrong"),
            ("test-client", ""),
            ("public-client", "anything"),
        ] {
            let response =
                exchange(&app, &code, &[("client_id", id), ("client_secret", secret)]).await;
            assert_invalid_client(&response, false);
        }
        let no_id = app
            .post(TOKEN)
            .form(&[("grant_type", "authorization_code"), ("code", &code)])
            .send()
            .await;
        assert_invalid_client(&no_id, false);
        // The failures did not consume the code.
        assert_eq!(exchange(&app, &code, &[]).await.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_failure_after_basic_carries_the_challenge() {
        let app = TestApp::new().await;
        for (id, secret) in [("test-client", "wrong"), ("unknown", "x")] {
            let response = app
                .post(TOKEN)
                .basic(id, secret)
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await;
            assert_invalid_client(&response, true);
        }
    }

    #[tokio::test]
    async fn basic_replaces_form_credentials_and_any_scheme_case_works() {
        let app = TestApp::new().await;
        let response = app
            .post(TOKEN)
            .basic("test-client", "test-secret")
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "wrong"),
                ("client_secret", "wrong"),
            ])
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());

        // dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ= is base64("test-client:test-secret").
        for scheme in ["basic", "BASIC", "bAsIc"] {
            let header = format!("{scheme} dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ=");
            let response = app
                .post(TOKEN)
                .header("authorization", &header)
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{scheme}: {}",
                response.text()
            );
        }
    }

    #[tokio::test]
    async fn basic_credentials_are_form_urlencoding_decoded() {
        let app = TestApp::with(|s| {
            s.oauth.client_id = "odd:client id".into();
            s.oauth.client_secret =
                Some(oauth_reference_server::domain::Secret::new("p@ss:w+rd %"));
        })
        .await;
        // The support builder form-urlencodes both parts, as RFC 6749 §2.3.1 asks.
        let encoded = app
            .post(TOKEN)
            .basic("odd:client id", "p@ss:w+rd %")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await;
        assert_eq!(encoded.status, StatusCode::OK, "{}", encoded.text());

        // Sent without encoding, `+` reads as a space and the secret no longer matches.
        use base64::Engine;
        let raw = base64::engine::general_purpose::STANDARD.encode("odd%3Aclient+id:p@ss:w+rd %");
        let unencoded = app
            .post(TOKEN)
            .header("authorization", &format!("Basic {raw}"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await;
        assert_invalid_client(&unencoded, true);
    }

    #[tokio::test]
    async fn the_registered_auth_method_is_not_enforced() {
        let app = TestApp::with(|s| {
            s.oauth.static_client.token_endpoint_auth_method = Some("client_secret_post".into());
        })
        .await;
        let response = app
            .post(TOKEN)
            .basic("test-client", "test-secret")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    }
}

mod authorization_code {
    use super::*;

    #[tokio::test]
    async fn a_valid_exchange_answers_with_only_the_members_that_have_values() {
        let app = TestApp::new().await;
        let code = code(&app, |_| {}).await;
        let response = exchange(&app, &code, &[]).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        assert_no_store(&response);
        let body = response.json();
        let access = string(&body, "access_token");
        assert!(
            access.starts_with("belgie_") && access.len() == 7 + 64,
            "{access}"
        );
        assert_eq!(
            body,
            json!({"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                   "scope": "user"})
        );
    }

    #[tokio::test]
    async fn offline_access_brings_a_refresh_token() {
        let app = TestApp::new().await;
        let code = code_with_scope(&app, "user offline_access").await;
        let body = exchange(&app, &code, &[]).await.json();
        assert_eq!(body["scope"], "user offline_access");
        let refresh = string(&body, "refresh_token");
        assert!(refresh.starts_with("belgie_") && refresh.len() == 7 + 64);
        assert_ne!(refresh, string(&body, "access_token"));
        assert!(body.get("id_token").is_none());
    }

    #[tokio::test]
    async fn every_failure_row_of_spec_2_4_3() {
        let app = TestApp::new().await;
        let code = code(&app, |_| {}).await;
        let short = "verifier";
        let bad_chars = format!("{}+", &VERIFIER[..42]);
        let wrong = "x".repeat(43);
        let too_long = "a".repeat(129);
        let cases: Vec<(Extra<'_>, StatusCode, Value)> = vec![
            (
                vec![("code", "")],
                StatusCode::BAD_REQUEST,
                error("invalid_request", "missing code"),
            ),
            (
                vec![("code", "belgie_0000")],
                StatusCode::BAD_REQUEST,
                bare("invalid_grant"),
            ),
            (
                vec![("redirect_uri", "")],
                StatusCode::BAD_REQUEST,
                error("invalid_request", "missing redirect_uri"),
            ),
            (
                vec![("redirect_uri", "http://testserver/callback/")],
                StatusCode::BAD_REQUEST,
                error("invalid_grant", "redirect_uri mismatch"),
            ),
            (
                vec![("code_verifier", "")],
                StatusCode::BAD_REQUEST,
                error("invalid_request", "missing code_verifier"),
            ),
            (
                vec![("code_verifier", short)],
                StatusCode::BAD_REQUEST,
                error("invalid_grant", "invalid code_verifier"),
            ),
            (
                vec![("code_verifier", &bad_chars)],
                StatusCode::BAD_REQUEST,
                error("invalid_grant", "invalid code_verifier"),
            ),
            (
                vec![("code_verifier", &too_long)],
                StatusCode::BAD_REQUEST,
                error("invalid_grant", "invalid code_verifier"),
            ),
            (
                vec![("code_verifier", &wrong)],
                StatusCode::BAD_REQUEST,
                error("invalid_grant", "invalid code_verifier"),
            ),
            (
                vec![("resource", RESOURCE)],
                StatusCode::BAD_REQUEST,
                bare("invalid_target"),
            ),
        ];
        for (extra, status, body) in cases {
            let response = exchange(&app, &code, &extra).await;
            assert_answer(&response, status, body);
        }
        // No failure consumed the code.
        assert_eq!(exchange(&app, &code, &[]).await.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_code_without_an_explicit_redirect_uri_needs_none_at_the_token_endpoint() {
        let app = TestApp::new().await;
        let code = code(&app, |g| g.redirect_uri_explicit = false).await;
        let response = app
            .post(TOKEN)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("code_verifier", VERIFIER),
                ("client_id", "test-client"),
                ("client_secret", "test-secret"),
            ])
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    }

    #[tokio::test]
    async fn an_expired_code_keeps_saying_code_expired() {
        let app = TestApp::new().await;
        let code = code(&app, |_| {}).await;
        app.clock().advance(300);
        for _ in 0..2 {
            let response = exchange(&app, &code, &[]).await;
            assert_answer(
                &response,
                StatusCode::BAD_REQUEST,
                error("invalid_grant", "code expired"),
            );
        }
    }

    #[tokio::test]
    async fn another_clients_code_is_a_client_id_mismatch() {
        let app = TestApp::new().await;
        let code = code(&app, |g| {
            g.client_id = oauth_reference_server::domain::ClientId::new("public-client");
        })
        .await;
        let response = exchange(&app, &code, &[]).await;
        assert_answer(
            &response,
            StatusCode::BAD_REQUEST,
            error("invalid_grant", "client_id mismatch"),
        );
    }

    #[tokio::test]
    async fn a_replayed_code_is_refused_and_revokes_the_first_exchanges_tokens() {
        let app = TestApp::new().await;
        let code = code_with_scope(&app, "user offline_access").await;
        let first = exchange(&app, &code, &[]).await.json();
        let access = string(&first, "access_token");
        let refresh_token = string(&first, "refresh_token");
        assert!(is_active(&app, &access).await);
        assert!(is_active(&app, &refresh_token).await);

        let replay = exchange(&app, &code, &[]).await;
        assert_answer(&replay, StatusCode::BAD_REQUEST, bare("invalid_grant"));
        assert!(!is_active(&app, &access).await);
        assert!(!is_active(&app, &refresh_token).await);
        let refreshed = refresh(&app, &refresh_token, &[]).await;
        assert_answer(&refreshed, StatusCode::BAD_REQUEST, bare("invalid_grant"));
    }

    // Timing decides how often the requests overlap here; the protocol's race tests force the
    // overlap with a store that yields between lookup and redemption.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_redemptions_of_one_code_yield_exactly_one_success() {
        let app = TestApp::new().await;
        for round in 0..20 {
            let code = code(&app, |_| {}).await;
            let mut tasks = Vec::new();
            for _ in 0..24 {
                let request = app.post(TOKEN).form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT_URI),
                    ("code_verifier", VERIFIER),
                    ("client_id", "test-client"),
                    ("client_secret", "test-secret"),
                ]);
                tasks.push(tokio::spawn(request.send()));
            }
            let mut successes = 0;
            for task in tasks {
                let response = task.await.expect("the request task finishes");
                match response.status {
                    StatusCode::OK => successes += 1,
                    StatusCode::BAD_REQUEST => {
                        assert_eq!(response.json(), bare("invalid_grant"));
                    }
                    other => panic!("round {round}: unexpected {other}: {}", response.text()),
                }
            }
            assert_eq!(successes, 1, "round {round}");
        }
    }
}

mod resource_binding {
    use super::*;

    async fn bound_code(app: &TestApp, scope: &str) -> String {
        code(app, |g| {
            g.resource = Some(RESOURCE.into());
            g.scopes = oauth_reference_server::domain::Scopes::split_dedup(scope);
        })
        .await
    }

    #[tokio::test]
    async fn an_unbound_code_cannot_gain_a_resource() {
        let app = TestApp::new().await;
        let code = code(&app, |_| {}).await;
        let response = exchange(&app, &code, &[("resource", RESOURCE)]).await;
        assert_answer(&response, StatusCode::BAD_REQUEST, bare("invalid_target"));
        let body = exchange(&app, &code, &[]).await.json();
        let answer = introspect(&app, &string(&body, "access_token")).await;
        assert_eq!(answer["active"], true);
        assert!(answer.get("aud").is_none(), "{answer}");
    }

    #[tokio::test]
    async fn a_bound_code_cannot_switch_resource() {
        let app = TestApp::new().await;
        let code = bound_code(&app, "user").await;
        for other in [
            "http://testserver/other",
            "http://testserver/mcp/",
            "not a uri",
        ] {
            let response = exchange(&app, &code, &[("resource", other)]).await;
            assert_answer(&response, StatusCode::BAD_REQUEST, bare("invalid_target"));
        }
        let both = exchange(
            &app,
            &code,
            &[("resource", RESOURCE), ("resource", "http://x/")],
        )
        .await;
        assert_answer(&both, StatusCode::BAD_REQUEST, bare("invalid_target"));
    }

    #[tokio::test]
    async fn the_bound_resource_is_the_audience_when_omitted_or_repeated() {
        let app = TestApp::new().await;
        let omitted = bound_code(&app, "user").await;
        let body = exchange(&app, &omitted, &[]).await.json();
        let answer = introspect(&app, &string(&body, "access_token")).await;
        assert_eq!(answer["aud"], RESOURCE);

        let repeated = bound_code(&app, "user").await;
        let body = exchange(&app, &repeated, &[("resource", RESOURCE)])
            .await
            .json();
        let answer = introspect(&app, &string(&body, "access_token")).await;
        assert_eq!(answer["aud"], RESOURCE);
    }

    #[tokio::test]
    async fn with_openid_the_audience_is_a_list_with_userinfo() {
        let app = TestApp::new().await;
        let code = bound_code(&app, "user openid").await;
        let body = exchange(&app, &code, &[]).await.json();
        let answer = introspect(&app, &string(&body, "access_token")).await;
        assert_eq!(
            answer["aud"],
            json!([RESOURCE, "http://testserver/auth/oauth/userinfo"])
        );
    }

    #[tokio::test]
    async fn no_configured_resource_refuses_every_resource() {
        let app = TestApp::with(|s| s.oauth.resources = None).await;
        let code = code(&app, |_| {}).await;
        let response = exchange(&app, &code, &[("resource", RESOURCE)]).await;
        assert_answer(&response, StatusCode::BAD_REQUEST, bare("invalid_target"));
    }
}

mod refresh_token {
    use super::*;

    /// A code exchange with `scope` by the widened static client; returns the body.
    async fn tokens(app: &TestApp, scope: &str) -> Value {
        let code = code_with_scope(app, scope).await;
        let response = exchange(app, &code, &[]).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    #[tokio::test]
    async fn a_refresh_narrows_rotates_and_always_issues_a_new_refresh_token() {
        let app = wide_app().await;
        let first = tokens(&app, "user offline_access").await;
        let old = string(&first, "refresh_token");
        let response = refresh(&app, &old, &[("scope", "user")]).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        assert_no_store(&response);
        let body = response.json();
        assert_eq!(body["scope"], "user");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3600);
        let new = string(&body, "refresh_token");
        assert_ne!(new, old);
        assert!(body.get("id_token").is_none());
        assert_eq!(introspect(&app, &new).await["scope"], "user");
        // Access tokens issued earlier stay valid after a rotation (CORE).
        assert!(is_active(&app, &string(&first, "access_token")).await);
        assert!(!is_active(&app, &old).await);
    }

    #[tokio::test]
    async fn reusing_a_rotated_refresh_token_revokes_the_family() {
        let app = wide_app().await;
        let first = tokens(&app, "user offline_access").await;
        let old = string(&first, "refresh_token");
        let second = refresh(&app, &old, &[]).await.json();
        let third = refresh(&app, &string(&second, "refresh_token"), &[])
            .await
            .json();

        let reuse = refresh(&app, &old, &[]).await;
        assert_answer(&reuse, StatusCode::BAD_REQUEST, bare("invalid_grant"));
        for token in [
            string(&first, "access_token"),
            string(&second, "access_token"),
            string(&third, "access_token"),
            string(&third, "refresh_token"),
        ] {
            assert!(!is_active(&app, &token).await, "{token} survived");
        }
        let latest = refresh(&app, &string(&third, "refresh_token"), &[]).await;
        assert_answer(&latest, StatusCode::BAD_REQUEST, bare("invalid_grant"));
    }

    #[tokio::test]
    async fn every_failure_row_of_spec_2_4_4() {
        let app = wide_app().await;
        let body = tokens(&app, "user offline_access").await;
        let token = string(&body, "refresh_token");
        let cases: Vec<(Extra<'_>, Value)> = vec![
            (
                vec![("refresh_token", "")],
                error("invalid_request", "missing refresh_token"),
            ),
            (
                vec![("refresh_token", "belgie_unknown")],
                bare("invalid_grant"),
            ),
            (vec![("scope", "")], error("invalid_scope", "missing scope")),
            (
                vec![("scope", "   ")],
                error("invalid_scope", "missing scope"),
            ),
            (
                vec![("scope", "user admin")],
                error("invalid_scope", "unable to issue scope admin"),
            ),
            (vec![("resource", RESOURCE)], bare("invalid_target")),
        ];
        for (extra, expected) in cases {
            let response = refresh(&app, &token, &extra).await;
            assert_answer(&response, StatusCode::BAD_REQUEST, expected);
        }
        let no_client = app
            .post(TOKEN)
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
            .send()
            .await;
        assert_invalid_client(&no_client, false);
        // No failure rotated the token.
        assert_eq!(refresh(&app, &token, &[]).await.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_bound_refresh_token_cannot_switch_resource() {
        let app = wide_app().await;
        let code = code(&app, |g| {
            g.resource = Some(RESOURCE.into());
            g.scopes = oauth_reference_server::domain::Scopes::split_dedup("user offline_access");
        })
        .await;
        let body = exchange(&app, &code, &[]).await.json();
        let token = string(&body, "refresh_token");
        let other = refresh(&app, &token, &[("resource", "http://testserver/other")]).await;
        assert_answer(&other, StatusCode::BAD_REQUEST, bare("invalid_target"));
        for refused in [
            vec![
                ("resource", RESOURCE),
                ("resource", "http://testserver/other"),
            ],
            vec![("resource", "http://testserver/mcp#x")],
            vec![("resource", "/mcp")],
        ] {
            let response = refresh(&app, &token, &refused).await;
            assert_answer(&response, StatusCode::BAD_REQUEST, bare("invalid_target"));
        }
        let same = refresh(&app, &token, &[("resource", RESOURCE)])
            .await
            .json();
        let answer = introspect(&app, &string(&same, "access_token")).await;
        assert_eq!(answer["aud"], RESOURCE);
        assert_eq!(
            introspect(&app, &string(&same, "refresh_token")).await["aud"],
            RESOURCE
        );
    }

    #[tokio::test]
    async fn a_scope_outside_the_registration_is_refused() {
        let app = TestApp::with(|s| {
            s.oauth.static_client.scope = Some("user offline_access".into());
        })
        .await;
        let body = tokens(&app, "user offline_access admin").await;
        let response = refresh(&app, &string(&body, "refresh_token"), &[("scope", "admin")]).await;
        assert_answer(
            &response,
            StatusCode::BAD_REQUEST,
            error(
                "invalid_scope",
                "Client was not registered with scope admin",
            ),
        );
    }

    #[tokio::test]
    async fn an_expired_refresh_token_is_invalid_grant() {
        let app = wide_app().await;
        let body = tokens(&app, "user offline_access").await;
        app.clock().advance(2_592_000);
        let response = refresh(&app, &string(&body, "refresh_token"), &[]).await;
        assert_answer(&response, StatusCode::BAD_REQUEST, bare("invalid_grant"));
    }

    #[tokio::test]
    async fn another_clients_refresh_token_is_a_client_id_mismatch() {
        let app = wide_app().await;
        let code = code(&app, |g| {
            g.client_id = oauth_reference_server::domain::ClientId::new("public-client");
            g.scopes = oauth_reference_server::domain::Scopes::split_dedup("user offline_access");
        })
        .await;
        let body = exchange(
            &app,
            &code,
            &[("client_id", "public-client"), ("client_secret", "")],
        )
        .await
        .json();
        let response = refresh(&app, &string(&body, "refresh_token"), &[]).await;
        assert_answer(
            &response,
            StatusCode::BAD_REQUEST,
            error("invalid_grant", "client_id mismatch"),
        );
        let own = refresh(
            &app,
            &string(&body, "refresh_token"),
            &[("client_id", "public-client"), ("client_secret", "")],
        )
        .await;
        assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    }
}

mod client_credentials {
    use super::*;

    async fn request(app: &TestApp, extra: &[(&str, &str)]) -> TestResponse {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", "test-client"),
            ("client_secret", "test-secret"),
        ];
        form.extend_from_slice(extra);
        app.post(TOKEN).form(&form).send().await
    }

    #[tokio::test]
    async fn a_confidential_client_gets_an_access_token_and_nothing_else() {
        let app = TestApp::new().await;
        for response in [
            request(&app, &[("scope", "user")]).await,
            app.post(TOKEN)
                .basic("test-client", "test-secret")
                .form(&[("grant_type", "client_credentials"), ("scope", "user")])
                .send()
                .await,
        ] {
            assert_eq!(response.status, StatusCode::OK, "{}", response.text());
            assert_no_store(&response);
            let body = response.json();
            let access = string(&body, "access_token");
            assert_eq!(
                body,
                json!({"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                       "scope": "user"})
            );
        }
    }

    #[tokio::test]
    async fn without_scope_the_registered_scope_is_granted() {
        let app = TestApp::new().await;
        assert_eq!(request(&app, &[]).await.json()["scope"], "user");
    }

    #[tokio::test]
    async fn every_failure_row_of_spec_2_4_5() {
        let app = TestApp::new().await;
        let cases: Vec<(Extra<'_>, Value)> = vec![
            (vec![("scope", "")], error("invalid_scope", "missing scope")),
            (
                vec![("scope", "admin")],
                error(
                    "invalid_scope",
                    "Client was not registered with scope admin",
                ),
            ),
            (
                vec![("resource", "http://testserver/other")],
                bare("invalid_target"),
            ),
        ];
        for (extra, expected) in cases {
            let response = request(&app, &extra).await;
            assert_answer(&response, StatusCode::BAD_REQUEST, expected);
        }
        let public = app
            .post(TOKEN)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "public-client"),
            ])
            .send()
            .await;
        assert_invalid_client(&public, false);
    }

    #[tokio::test]
    async fn the_configured_resource_becomes_the_audience() {
        let app = TestApp::new().await;
        let body = request(&app, &[("resource", RESOURCE)]).await.json();
        let answer = introspect(&app, &string(&body, "access_token")).await;
        assert_eq!(answer["aud"], RESOURCE);
        let unbound = request(&app, &[]).await.json();
        let answer = introspect(&app, &string(&unbound, "access_token")).await;
        assert!(answer.get("aud").is_none());
    }

    #[tokio::test]
    async fn each_of_several_resources_must_be_the_configured_absolute_uri() {
        let app = TestApp::new().await;
        for refused in [
            vec![
                ("resource", RESOURCE),
                ("resource", "http://testserver/other"),
            ],
            vec![
                ("resource", "http://testserver/other"),
                ("resource", RESOURCE),
            ],
            vec![("resource", "http://testserver/mcp#frag")],
            vec![("resource", "/mcp")],
            vec![("resource", "")],
        ] {
            let response = request(&app, &refused).await;
            assert_answer(&response, StatusCode::BAD_REQUEST, bare("invalid_target"));
        }
        let twice = request(&app, &[("resource", RESOURCE), ("resource", RESOURCE)])
            .await
            .json();
        let answer = introspect(&app, &string(&twice, "access_token")).await;
        assert_eq!(answer["aud"], RESOURCE);
    }

    #[tokio::test]
    async fn no_configured_resource_refuses_any_resource() {
        let app = TestApp::with(|s| s.oauth.resources = None).await;
        let response = request(&app, &[("resource", RESOURCE)]).await;
        assert_answer(&response, StatusCode::BAD_REQUEST, bare("invalid_target"));
    }
}

mod id_tokens {
    use super::*;
    use jsonwebtoken::errors::ErrorKind;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    use sha2::{Digest, Sha256};

    fn validation(audience: &str) -> Validation {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[audience]);
        validation.set_issuer(&["http://testserver/auth/oauth"]);
        validation.set_required_spec_claims(&["iss", "aud", "exp", "iat", "sub"]);
        // The test clock stands in 2023; `exp` is compared with it below instead.
        validation.validate_exp = false;
        validation
    }

    fn verify(token: &str, secret: &str, audience: &str) -> jsonwebtoken::errors::Result<Value> {
        let key = Sha256::digest(secret.as_bytes());
        let key = DecodingKey::from_secret(&key)?;
        jsonwebtoken::decode::<Value>(token, &key, &validation(audience)).map(|d| d.claims)
    }

    fn raw_secret_fails(token: &str, secret: &str, audience: &str) {
        let key = DecodingKey::from_secret(secret.as_bytes()).expect("an HMAC key");
        let error = jsonwebtoken::decode::<Value>(token, &key, &validation(audience))
            .expect_err("the raw secret must not verify");
        assert_eq!(error.kind(), &ErrorKind::InvalidSignature);
    }

    async fn jane(app: &TestApp) -> String {
        support::tokens::user_id(app, "jane@example.com")
            .await
            .to_string()
    }

    #[tokio::test]
    async fn the_static_clients_id_token_is_keyed_by_sha256_of_its_secret() {
        let app = wide_app().await;
        let code = authorize(
            &app,
            "test-client",
            &[("scope", "openid profile email"), ("nonce", "n-123")],
        )
        .await;
        let response = exchange(&app, &code, &[]).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let id_token = string(&response.json(), "id_token");

        let header = jsonwebtoken::decode_header(&id_token).unwrap();
        assert_eq!(header.alg, Algorithm::HS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        let claims = verify(&id_token, "test-secret", "test-client").unwrap();
        assert_eq!(claims["iss"], "http://testserver/auth/oauth");
        assert_eq!(claims["aud"], "test-client");
        assert_eq!(claims["sub"], jane(&app).await);
        assert_eq!(claims["nonce"], "n-123");
        assert_eq!(claims["name"], "Jane Doe");
        assert_eq!(claims["email"], "jane@example.com");
        let iat = claims["iat"].as_i64().unwrap();
        assert_eq!(iat, support::START.0);
        assert_eq!(claims["exp"].as_i64().unwrap(), iat + 36_000);
        assert!(claims.get("sid").is_none(), "logout is off");
        raw_secret_fails(&id_token, "test-secret", "test-client");
    }

    #[tokio::test]
    async fn the_public_clients_id_token_is_keyed_by_sha256_of_the_fallback_secret() {
        let app = TestApp::new().await;
        let code = authorize(&app, "public-client", &[("scope", "openid")]).await;
        let response = exchange(
            &app,
            &code,
            &[("client_id", "public-client"), ("client_secret", "")],
        )
        .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let id_token = string(&response.json(), "id_token");
        let claims = verify(&id_token, "test-secret-key", "public-client").unwrap();
        assert_eq!(claims["aud"], "public-client");
        assert!(claims.get("nonce").is_none(), "authorize sent no nonce");
        raw_secret_fails(&id_token, "test-secret-key", "public-client");
        let error = verify(&id_token, "test-secret", "public-client").unwrap_err();
        assert_eq!(error.kind(), &ErrorKind::InvalidSignature);
    }

    #[tokio::test]
    async fn sid_is_the_session_when_logout_is_enabled() {
        let app = TestApp::with(|s| {
            s.oauth.static_client.scope = Some(WIDE_SCOPE.into());
            s.oauth.enable_end_session = true;
        })
        .await;
        let code = authorize(&app, "test-client", &[("scope", "openid offline_access")]).await;
        let body = exchange(&app, &code, &[]).await.json();
        let claims = verify(&string(&body, "id_token"), "test-secret", "test-client").unwrap();
        let sid = claims["sid"].as_str().expect("a sid");
        let session = oauth_reference_server::domain::SessionId::parse(sid).expect("a UUID");
        let stored = app.services().store.session(session).await.unwrap();
        assert!(stored.is_some(), "sid names the signed-in session");

        // A refresh keeps the sid and drops the nonce.
        let refreshed = refresh(&app, &string(&body, "refresh_token"), &[])
            .await
            .json();
        let claims = verify(
            &string(&refreshed, "id_token"),
            "test-secret",
            "test-client",
        )
        .unwrap();
        assert_eq!(claims["sid"], sid);
        assert!(claims.get("nonce").is_none());
    }

    #[tokio::test]
    async fn no_id_token_without_openid_or_once_the_user_is_gone() {
        let app = wide_app().await;
        let code = authorize(&app, "test-client", &[("scope", "user")]).await;
        let body = exchange(&app, &code, &[]).await.json();
        assert!(body.get("id_token").is_none());

        let orphan = super::code(&app, |g| {
            g.scopes = oauth_reference_server::domain::Scopes::split_dedup("openid");
            g.user_id = oauth_reference_server::domain::UserId::generate();
        })
        .await;
        let body = exchange(&app, &orphan, &[]).await.json();
        assert!(body.get("access_token").is_some());
        assert!(body.get("id_token").is_none());
    }
}

mod full_flow {
    use super::*;

    #[tokio::test]
    async fn authorize_then_exchange_then_refresh() {
        let app = wide_app().await;
        let code = authorize(
            &app,
            "test-client",
            &[
                ("scope", "user offline_access"),
                ("resource", RESOURCE),
                ("state", "s-1"),
            ],
        )
        .await;
        let wrong = exchange(&app, &code, &[("code_verifier", &"a".repeat(43))]).await;
        assert_answer(
            &wrong,
            StatusCode::BAD_REQUEST,
            error("invalid_grant", "invalid code_verifier"),
        );
        let body = exchange(&app, &code, &[]).await.json();
        assert_eq!(body["scope"], "user offline_access");
        assert_eq!(
            introspect(&app, &string(&body, "access_token")).await["aud"],
            RESOURCE
        );

        let refreshed = refresh(&app, &string(&body, "refresh_token"), &[]).await;
        assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
        let replay = exchange(&app, &code, &[]).await;
        assert_answer(&replay, StatusCode::BAD_REQUEST, bare("invalid_grant"));
        let latest = string(&refreshed.json(), "access_token");
        assert!(
            !is_active(&app, &latest).await,
            "the replay revoked the refreshed tokens too"
        );
    }

    #[tokio::test]
    async fn a_token_request_repeating_a_non_normalised_redirect_uri_works() {
        let app = TestApp::with(|s| {
            s.oauth.redirect_uris = vec!["HTTP://testserver:80/callback".into()];
        })
        .await;
        let session = app.sign_in("jane@example.com").await;
        let challenge = oauth_reference_server::domain::s256_challenge(VERIFIER);
        let uri = format!(
            "/auth/oauth/authorize?response_type=code&client_id=test-client\
             &redirect_uri=HTTP%3A%2F%2Ftestserver%3A80%2Fcallback\
             &code_challenge={challenge}&code_challenge_method=S256"
        );
        let response = app
            .get(&uri)
            .cookie("belgie_session", &session)
            .send()
            .await;
        assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
        let code = response.location_query("code").expect("a code");
        let exact = exchange(
            &app,
            &code,
            &[("redirect_uri", "HTTP://testserver:80/callback")],
        )
        .await;
        assert_eq!(exact.status, StatusCode::OK, "{}", exact.text());
    }
}
