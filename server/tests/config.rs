//! Settings: loading, defaults, derived values, every validation message (spec §6.1, §1.2)
//! and the environment overlay.

use std::net::SocketAddr;
use std::sync::Arc;

use oauth_reference_server::App;
use oauth_reference_server::config::{ConfigError, ResourceConfig, ServerConfig, Settings};
use oauth_reference_server::domain::{ClientId, SystemClock};
use oauth_reference_server::store::AuthMethod;

/// The least a valid file holds.
const MINIMAL: &str =
    "secret: s\nbase_url: http://example.com\noauth:\n  redirect_uris: [http://c/cb]\n";

fn load(text: &str) -> Result<Settings, ConfigError> {
    Settings::from_yaml_str(text, "settings.yaml")
}

fn resolve(text: &str) -> Result<ServerConfig, ConfigError> {
    load(text)?.resolve(None)
}

/// `MINIMAL` with `lines` added under `oauth:` (each indented by two spaces there).
fn with_oauth(lines: &str) -> String {
    format!("{MINIMAL}{lines}")
}

/// The error resolving `text` gives; it must name `setting`.
fn invalid(text: &str, setting: &str) -> String {
    let error = resolve(text).expect_err("the settings must be refused");
    assert_eq!(error.setting(), Some(setting), "{error}");
    let message = error.to_string();
    assert!(message.contains(setting), "{message}");
    message
}

/// The YAML error loading `text` gives.
fn yaml_error(text: &str) -> (Option<u64>, Option<u64>, String) {
    match load(text) {
        Err(error @ ConfigError::Yaml { .. }) => {
            let ConfigError::Yaml { line, column, .. } = &error else {
                unreachable!()
            };
            (*line, *column, error.to_string())
        }
        other => panic!("expected a YAML error, got {other:?}"),
    }
}

/// §6.1 item 1, with this server's page defaults (`/login`, `/signup`).
#[test]
fn defaults_given_only_redirect_uris() {
    let config = resolve(MINIMAL).unwrap();
    assert_eq!(config.issuer, "http://example.com/auth/oauth");
    assert_eq!(
        config.login_url.unwrap().as_str(),
        "http://example.com/login"
    );
    assert_eq!(
        config.signup_url.unwrap().as_str(),
        "http://example.com/signup"
    );
    assert_eq!(config.default_scope, "user");
    let ttl = &config.ttl;
    assert_eq!(
        (
            ttl.code,
            ttl.access_token,
            ttl.refresh_token,
            ttl.id_token,
            ttl.state
        ),
        (300, 3600, 2_592_000, 36_000, 600)
    );
    assert!(!config.enable_end_session);
    assert!(!config.registration.enabled);
    assert!(!config.registration.anonymous);
    assert_eq!(config.resource, None);
    assert!(config.root_fallbacks.resource);
    assert!(config.root_fallbacks.oauth);
    assert!(config.root_fallbacks.openid);
    assert_eq!(config.session_cookie, "belgie_session");

    let settings = load(MINIMAL).unwrap();
    assert_eq!(settings.oauth.prefix, "/oauth");
    assert_eq!(settings.oauth.code_challenge_method, "S256");
    assert_eq!(settings.oauth.client_id, "belgie_client");
    assert_eq!(settings.storage, "memory");
}

/// The built-in pages can be turned off, as in CORE's defaults.
#[test]
fn login_and_signup_urls_can_be_null() {
    let config = resolve(&with_oauth("  login_url: null\n  signup_url: null\n")).unwrap();
    assert_eq!(config.login_url, None);
    assert_eq!(config.signup_url, None);
}

/// §6.1 item 2.
#[test]
fn redirect_uris_are_required() {
    let text = "secret: s\nbase_url: http://example.com\n";
    invalid(text, "oauth.redirect_uris");
}

/// §6.1 item 3.
#[test]
fn redirect_uris_must_not_be_empty() {
    let text = "secret: s\nbase_url: http://example.com\noauth:\n  redirect_uris: []\n";
    let message = invalid(text, "oauth.redirect_uris");
    assert!(message.contains("at least one"), "{message}");
}

#[test]
fn a_redirect_uri_must_be_absolute_and_without_fragment() {
    let text = "secret: s\nbase_url: http://example.com\noauth:\n  redirect_uris: [/cb]\n";
    invalid(text, "oauth.redirect_uris");
    let text =
        "secret: s\nbase_url: http://example.com\noauth:\n  redirect_uris: [http://c/cb#x]\n";
    invalid(text, "oauth.redirect_uris");
}

/// §6.1 items 4–6: each legacy key is refused, located, naming its replacement.
#[test]
fn legacy_keys_are_refused_with_their_replacement() {
    for (key, replacement) in [
        ("route_prefix", "prefix"),
        ("resource_server_url", "base_url"),
        ("resource_scopes", "resources"),
    ] {
        let (line, column, message) = yaml_error(&with_oauth(&format!("  {key}: x\n")));
        assert_eq!(line, Some(5), "{message}");
        assert!(column.is_some(), "{message}");
        assert!(message.contains(&format!("`{key}`")), "{message}");
        assert!(
            message.contains(&format!("use `{replacement}`")),
            "{message}"
        );
    }
}

/// §6.1 item 7.
#[test]
fn the_issuer_joins_base_url_auth_and_prefix() {
    let config = resolve(MINIMAL).unwrap();
    assert_eq!(config.issuer, "http://example.com/auth/oauth");
    assert_eq!(config.oauth_path, "/auth/oauth");
    assert_eq!(
        config.issuer_url("/token"),
        "http://example.com/auth/oauth/token"
    );
}

#[test]
fn the_issuer_trims_slashes_and_drops_query_and_fragment() {
    let config = resolve(&with_oauth(
        "  base_url: http://example.com/app/?q=1#f\n  prefix: /idp/\n",
    ))
    .unwrap();
    assert_eq!(config.issuer, "http://example.com/app/auth/idp");
    assert_eq!(config.oauth_path, "/app/auth/idp");
    let config = resolve(&with_oauth("  prefix: ''\n")).unwrap();
    assert_eq!(config.issuer, "http://example.com/auth");
}

/// §6.1 item 8.
#[test]
fn a_resource_resolves_to_base_plus_prefix_with_its_scopes() {
    let config = resolve(&with_oauth(
        "  resources:\n    - prefix: /mcp\n      scopes: [user, files:read]\n",
    ))
    .unwrap();
    assert_eq!(
        config.resource,
        Some(ResourceConfig {
            url: "http://example.com/mcp".into(),
            scopes: Some(vec!["user".into(), "files:read".into()]),
        })
    );
}

#[test]
fn a_resource_prefix_is_trimmed_of_whitespace_and_slashes() {
    let url = |prefix: &str| {
        let text = with_oauth(&format!("  resources:\n    - prefix: '{prefix}'\n"));
        resolve(&text).unwrap().resource.unwrap().url
    };
    assert_eq!(url("  /mcp/ "), "http://example.com/mcp");
    assert_eq!(url("/"), "http://example.com/");
    assert_eq!(url("/a/b"), "http://example.com/a/b");
}

#[test]
fn a_resource_prefix_must_be_a_non_empty_path() {
    for prefix in ["''", "'   '"] {
        let text = with_oauth(&format!("  resources:\n    - prefix: {prefix}\n"));
        let message = invalid(&text, "oauth.resources[0].prefix");
        assert!(message.contains("non-empty path"), "{message}");
    }
    let text = with_oauth("  resources:\n    - prefix: mcp\n");
    let message = invalid(&text, "oauth.resources[0].prefix");
    assert!(message.contains("start with `/`"), "{message}");
}

#[test]
fn a_resource_needs_a_prefix() {
    let (line, _, message) = yaml_error(&with_oauth("  resources:\n    - scopes: [user]\n"));
    assert!(line.is_some(), "{message}");
    assert!(message.contains("prefix"), "{message}");
}

/// §6.1 item 9.
#[test]
fn a_signup_url_is_kept_and_joined_onto_the_host_base() {
    let config = resolve(&with_oauth("  signup_url: /signup\n")).unwrap();
    assert_eq!(
        config.signup_url.unwrap().as_str(),
        "http://example.com/signup"
    );
}

#[test]
fn absolute_page_urls_are_used_as_they_are_and_relative_ones_joined_onto_the_host_base() {
    let text = "secret: s\nbase_url: http://host.example/app\noauth:\n  base_url: https://oauth.example\n  redirect_uris: [http://c/cb]\n  login_url: login/google?x=1\n  signup_url: https://accounts.example/new\n";
    let config = resolve(text).unwrap();
    assert_eq!(
        config.login_url.unwrap().as_str(),
        "http://host.example/app/login/google?x=1"
    );
    assert_eq!(
        config.signup_url.unwrap().as_str(),
        "https://accounts.example/new"
    );
}

/// §6.1 item 10.
#[test]
fn two_resources_are_refused() {
    let text = with_oauth("  resources:\n    - prefix: /a\n    - prefix: /b\n");
    invalid(&text, "oauth.resources");
}

#[test]
fn an_empty_resource_list_means_no_resource() {
    assert_eq!(
        resolve(&with_oauth("  resources: []\n")).unwrap().resource,
        None
    );
}

/// §6.1 item 11, and the OAuth base URL winning when set.
#[test]
fn the_resource_base_is_the_oauth_base_url_else_the_host_base_url() {
    let resources = "  resources:\n    - prefix: /mcp\n";
    let config = resolve(&with_oauth(resources)).unwrap();
    assert_eq!(config.resource.unwrap().url, "http://example.com/mcp");
    let text = with_oauth(&format!("  base_url: https://api.example\n{resources}"));
    let config = resolve(&text).unwrap();
    assert_eq!(config.resource.unwrap().url, "https://api.example/mcp");
    assert_eq!(config.issuer, "https://api.example/auth/oauth");
}

#[test]
fn the_secret_is_required_and_non_empty() {
    invalid(
        "base_url: http://e\noauth:\n  redirect_uris: [http://c/cb]\n",
        "secret",
    );
    invalid(
        "secret: ''\nbase_url: http://e\noauth:\n  redirect_uris: [http://c/cb]\n",
        "secret",
    );
}

#[test]
fn without_base_url_the_bound_address_is_the_base() {
    let settings = load("secret: s\noauth:\n  redirect_uris: [http://c/cb]\n").unwrap();
    let bound: SocketAddr = "127.0.0.1:4321".parse().unwrap();
    let config = settings.resolve(Some(bound)).unwrap();
    assert_eq!(config.base_url.as_str(), "http://127.0.0.1:4321/");
    assert_eq!(config.issuer, "http://127.0.0.1:4321/auth/oauth");
    assert_eq!(
        config.login_url.unwrap().as_str(),
        "http://127.0.0.1:4321/login"
    );

    let error = settings.resolve(None).unwrap_err();
    assert_eq!(error.setting(), Some("base_url"));
}

#[test]
fn base_urls_must_be_absolute_http() {
    invalid(
        "secret: s\nbase_url: example.com\noauth:\n  redirect_uris: [http://c/cb]\n",
        "base_url",
    );
    invalid(
        "secret: s\nbase_url: ftp://example.com\noauth:\n  redirect_uris: [http://c/cb]\n",
        "base_url",
    );
    invalid(&with_oauth("  base_url: /relative\n"), "oauth.base_url");
}

#[test]
fn the_only_code_challenge_method_is_s256() {
    invalid(
        &with_oauth("  code_challenge_method: plain\n"),
        "oauth.code_challenge_method",
    );
}

#[test]
fn the_static_client_record_follows_the_settings_and_its_knobs() {
    let settings = load(MINIMAL).unwrap();
    let clients = settings.clients().unwrap();
    let static_client = &clients[0];
    assert_eq!(static_client.client_id, ClientId::new("belgie_client"));
    assert!(
        static_client.is_public(),
        "no client_secret makes it public"
    );
    assert_eq!(static_client.scope.as_deref(), Some("user"));
    assert_eq!(static_client.token_endpoint_auth_method, None);
    assert_eq!(
        static_client.grant_types,
        ["authorization_code", "refresh_token"]
    );
    assert_eq!(static_client.post_logout_redirect_uris, None);

    let text = with_oauth(
        "  client_secret: shh\n  enable_end_session: true\n  static_client:\n    scope: openid user\n    token_endpoint_auth_method: client_secret_basic\n    post_logout_redirect_uris: [http://c/bye]\n",
    );
    let clients = load(&text).unwrap().clients().unwrap();
    let static_client = &clients[0];
    assert!(static_client.client_secret.as_ref().unwrap().matches("shh"));
    assert_eq!(static_client.scope.as_deref(), Some("openid user"));
    assert_eq!(
        static_client.token_endpoint_auth_method,
        Some(AuthMethod::ClientSecretBasic)
    );
    assert_eq!(
        static_client.post_logout_redirect_uris.as_ref().unwrap()[0].as_str(),
        "http://c/bye"
    );
    assert!(static_client.enable_end_session);
}

#[test]
fn seeded_clients_are_validated() {
    let client = |body: &str| with_oauth(&format!("  clients:\n    - {body}\n"));
    invalid(
        &client("redirect_uris: [http://c/cb]"),
        "oauth.clients[0].client_id",
    );
    invalid(&client("client_id: x"), "oauth.clients[0].redirect_uris");
    let message = invalid(
        &client(
            "{client_id: x, redirect_uris: [http://c/cb], token_endpoint_auth_method: private_key_jwt}",
        ),
        "oauth.clients[0].token_endpoint_auth_method",
    );
    assert!(message.contains("private_key_jwt"), "{message}");
    invalid(
        &client(
            "{client_id: x, client_secret: s, redirect_uris: [http://c/cb], token_endpoint_auth_method: none}",
        ),
        "oauth.clients[0].token_endpoint_auth_method",
    );
    invalid(
        &client(
            "{client_id: x, redirect_uris: [http://c/cb], token_endpoint_auth_method: client_secret_post}",
        ),
        "oauth.clients[0].token_endpoint_auth_method",
    );
    invalid(
        &client("{client_id: belgie_client, redirect_uris: [http://c/cb]}"),
        "oauth.clients",
    );
}

#[test]
fn seeded_users_are_validated() {
    let user = |body: &str| format!("{MINIMAL}users:\n  - {body}\n");
    invalid(&user("{email: nobody, password: x}"), "users[0].email");
    invalid(&user("{email: a@b.c}"), "users[0].password");
    let twice = format!(
        "{MINIMAL}users:\n  - {{email: a@b.c, password: x}}\n  - {{email: A@b.c, password: y}}\n"
    );
    invalid(&twice, "users");
}

#[tokio::test]
async fn an_unknown_storage_engine_is_refused_naming_the_setting() {
    for storage in ["mysql://db/x", "sqlite:", "redis"] {
        let settings = load(&format!("{MINIMAL}storage: \"{storage}\"\n")).unwrap();
        let config = settings.resolve(None).unwrap();
        let Err(error) = App::build(&settings, config, Arc::new(SystemClock)).await else {
            panic!("storage `{storage}` was accepted");
        };
        assert!(error.to_string().contains("setting `storage`"), "{error}");
    }
}

#[test]
fn the_storage_comes_from_either_variable_name() {
    let mut settings = load(MINIMAL).unwrap();
    assert_eq!(settings.storage, "memory");
    settings
        .apply_env([("BELGIE_OAUTH_STORAGE", "sqlite:/var/lib/oauth.db")])
        .unwrap();
    assert_eq!(settings.storage, "sqlite:/var/lib/oauth.db");
    settings
        .apply_env([("BELGIE_STORAGE", "postgres://u@h/db")])
        .unwrap();
    assert_eq!(settings.storage, "postgres://u@h/db");
}

#[test]
fn a_misspelt_key_reports_its_line_and_column() {
    let (line, column, message) = yaml_error("secret: x\noauth:\n  redirect_uri: [a]\n");
    assert_eq!((line, column), (Some(3), Some(3)));
    assert!(message.starts_with("settings.yaml:3:3: "), "{message}");
    assert!(
        message.contains("unknown field `redirect_uri`"),
        "{message}"
    );
}

#[test]
fn unknown_keys_are_refused_at_every_level() {
    for text in [
        "secrt: x\n".to_owned(),
        format!("{MINIMAL}  static_client:\n    scopes: user\n"),
        format!("{MINIMAL}users:\n  - {{email: a@b.c, password: x, role: admin}}\n"),
    ] {
        let (line, _, message) = yaml_error(&text);
        assert!(line.is_some(), "{message}");
        assert!(message.contains("unknown field"), "{message}");
    }
}

#[test]
fn a_value_of_the_wrong_type_is_located() {
    let (line, column, message) = yaml_error(&with_oauth("  access_token_ttl_seconds: soon\n"));
    assert_eq!(line, Some(5), "{message}");
    assert!(column.is_some());
}

#[test]
fn secrets_do_not_appear_in_debug_output() {
    let text = format!(
        "{MINIMAL}  client_secret: hunter2-client\nusers:\n  - {{email: a@b.c, password: hunter2-user}}\n"
    );
    let debug = format!("{:?}", load(&text).unwrap());
    assert!(!debug.contains("hunter2"), "{debug}");
}

mod environment {
    use super::*;

    fn overlay(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut settings = load(MINIMAL).expect("the minimal settings load");
        settings.apply_env(pairs.iter().copied())?;
        Ok(settings)
    }

    fn refused(pairs: &[(&str, &str)], variable: &str) -> String {
        let error = overlay(pairs).expect_err("the variable must be refused");
        assert_eq!(error.setting(), Some(variable), "{error}");
        let message = error.to_string();
        assert!(message.contains(variable), "{message}");
        message
    }

    #[test]
    fn host_variables_override_the_file() {
        let settings = overlay(&[
            ("BELGIE_SECRET", "from-env"),
            ("BELGIE_BASE_URL", "https://env.example"),
        ])
        .unwrap();
        assert_eq!(settings.secret.as_ref().unwrap().expose(), "from-env");
        let config = settings.resolve(None).unwrap();
        assert_eq!(config.issuer, "https://env.example/auth/oauth");
    }

    #[test]
    fn oauth_variables_of_every_kind() {
        let settings = overlay(&[
            ("BELGIE_OAUTH_PREFIX", "/idp"),
            ("BELGIE_OAUTH_CLIENT_ID", "123"),
            ("BELGIE_OAUTH_CLIENT_SECRET", "shh"),
            (
                "BELGIE_OAUTH_REDIRECT_URIS",
                r#"["http://a/cb","http://b/cb"]"#,
            ),
            ("BELGIE_OAUTH_ACCESS_TOKEN_TTL_SECONDS", "60"),
            ("BELGIE_OAUTH_ENABLE_END_SESSION", "true"),
            ("BELGIE_OAUTH_ALLOW_DYNAMIC_CLIENT_REGISTRATION", "TRUE"),
            ("BELGIE_OAUTH_INCLUDE_ROOT_OAUTH_METADATA_FALLBACK", "false"),
            (
                "BELGIE_OAUTH_RESOURCES",
                r#"[{"prefix":"/mcp","scopes":["user"]}]"#,
            ),
            ("BELGIE_OAUTH_STATIC_CLIENT", r#"{"scope":"openid user"}"#),
            (
                "BELGIE_OAUTH_CLIENTS",
                r#"[{"client_id":"p","redirect_uris":["http://p/cb"]}]"#,
            ),
            ("BELGIE_OAUTH_LOGIN_URL", ""),
            ("PATH", "/usr/bin"),
            ("BELGIE_SOMETHING_ELSE", "ignored"),
        ])
        .unwrap();
        assert_eq!(settings.oauth.client_id, "123");
        assert_eq!(settings.oauth.redirect_uris, ["http://a/cb", "http://b/cb"]);
        assert_eq!(
            settings.oauth.static_client.scope.as_deref(),
            Some("openid user")
        );
        assert_eq!(settings.oauth.clients[0].client_id, "p");
        let config = settings.resolve(None).unwrap();
        assert_eq!(config.issuer, "http://example.com/auth/idp");
        assert_eq!(config.ttl.access_token, 60);
        assert!(config.enable_end_session);
        assert!(config.registration.enabled);
        assert!(!config.root_fallbacks.oauth);
        assert_eq!(config.resource.unwrap().url, "http://example.com/mcp");
        assert_eq!(
            config.login_url, None,
            "an empty value clears an optional setting"
        );
    }

    #[test]
    fn a_bad_boolean_names_the_variable() {
        let message = refused(
            &[("BELGIE_OAUTH_ENABLE_END_SESSION", "yes")],
            "BELGIE_OAUTH_ENABLE_END_SESSION",
        );
        assert!(message.contains("true nor false"), "{message}");
    }

    #[test]
    fn a_bad_number_names_the_variable() {
        refused(
            &[("BELGIE_OAUTH_STATE_TTL_SECONDS", "ten")],
            "BELGIE_OAUTH_STATE_TTL_SECONDS",
        );
    }

    #[test]
    fn bad_json_names_the_variable() {
        refused(
            &[("BELGIE_OAUTH_REDIRECT_URIS", "http://a/cb")],
            "BELGIE_OAUTH_REDIRECT_URIS",
        );
        refused(
            &[("BELGIE_OAUTH_RESOURCES", r#"[{"path":"/mcp"}]"#)],
            "BELGIE_OAUTH_RESOURCES",
        );
    }

    #[test]
    fn unknown_and_legacy_variables_are_refused() {
        refused(&[("BELGIE_OAUTH_CLIENTID", "x")], "BELGIE_OAUTH_CLIENTID");
        let message = refused(
            &[("BELGIE_OAUTH_ROUTE_PREFIX", "/x")],
            "BELGIE_OAUTH_ROUTE_PREFIX",
        );
        assert!(message.contains("BELGIE_OAUTH_PREFIX"), "{message}");
    }

    #[test]
    fn whether_the_environment_configures_anything() {
        assert!(!Settings::env_applies([
            ("PATH", "/bin"),
            ("BELGIE_COOKIE", "x")
        ]));
        assert!(Settings::env_applies([("BELGIE_OAUTH_PREFIX", "/x")]));
        assert!(Settings::env_applies([("BELGIE_SECRET", "x")]));
    }
}

#[test]
fn password_hashing_defaults_to_owasp_and_may_be_tuned() {
    let defaults = resolve(MINIMAL).expect("resolves").password_hashing;
    assert_eq!(
        (
            defaults.memory_kib,
            defaults.iterations,
            defaults.parallelism
        ),
        (19 * 1024, 2, 1)
    );
    let tuned = format!("password_hashing: {{ memory_kib: 1024, iterations: 1 }}\n{MINIMAL}");
    let tuned = resolve(&tuned).expect("resolves").password_hashing;
    assert_eq!(
        (tuned.memory_kib, tuned.iterations, tuned.parallelism),
        (1024, 1, 1)
    );
}

#[test]
fn a_password_hashing_cost_argon2_refuses_is_refused() {
    let text = format!("password_hashing: {{ memory_kib: 1 }}\n{MINIMAL}");
    invalid(&text, "password_hashing");
    let text = format!("password_hashing: {{ iterations: 0 }}\n{MINIMAL}");
    invalid(&text, "password_hashing");
}
