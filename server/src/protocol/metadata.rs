//! The metadata documents (spec §2.1 with R.8): RFC 8414 authorization-server metadata, the
//! OpenID Provider configuration, RFC 9728 protected-resource metadata, and the paths each is
//! served at (spec §2.0). Members without a value are left out.

use serde_json::{Map, Value, json};

use crate::config::ServerConfig;

/// The RFC 8414 well-known suffix.
pub const OAUTH_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
/// The OpenID Connect Discovery well-known suffix.
pub const OPENID_WELL_KNOWN: &str = "/.well-known/openid-configuration";
/// The RFC 9728 well-known prefix.
pub const RESOURCE_WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Scopes the OpenID configuration adds to `default_scope` (spec §2.1.2).
const OPENID_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// Claims the id_token and userinfo can carry (spec §2.1.2).
const CLAIMS: [&str; 14] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "sid",
    "scope",
    "azp",
    "email",
    "email_verified",
    "name",
    "picture",
    "family_name",
    "given_name",
];

/// The authorization-server metadata document (spec §2.1.1, R.2, R.8).
pub fn authorization_server(config: &ServerConfig) -> Value {
    let mut document = Map::new();
    document.insert("issuer".into(), json!(config.issuer));
    document.insert(
        "authorization_endpoint".into(),
        json!(config.issuer_url("/authorize")),
    );
    document.insert("token_endpoint".into(), json!(config.issuer_url("/token")));
    if config.registration.enabled {
        document.insert(
            "registration_endpoint".into(),
            json!(config.issuer_url("/register")),
        );
    }
    document.insert("scopes_supported".into(), json!(default_scopes(config)));
    document.insert("response_types_supported".into(), json!(["code"]));
    document.insert("response_modes_supported".into(), json!(["query"]));
    document.insert(
        "grant_types_supported".into(),
        json!(["authorization_code", "refresh_token", "client_credentials"]),
    );
    document.insert(
        "token_endpoint_auth_methods_supported".into(),
        json!(["client_secret_post", "client_secret_basic", "none"]),
    );
    document.insert(
        "revocation_endpoint".into(),
        json!(config.issuer_url("/revoke")),
    );
    document.insert(
        "revocation_endpoint_auth_methods_supported".into(),
        json!(["client_secret_post", "client_secret_basic"]),
    );
    document.insert(
        "introspection_endpoint".into(),
        json!(config.issuer_url("/introspect")),
    );
    document.insert(
        "introspection_endpoint_auth_methods_supported".into(),
        json!(["client_secret_post", "client_secret_basic"]),
    );
    document.insert("code_challenge_methods_supported".into(), json!(["S256"]));
    document.insert(
        "authorization_response_iss_parameter_supported".into(),
        json!(true),
    );
    Value::Object(document)
}

/// The OpenID Provider configuration: the authorization-server document with the OpenID
/// scopes and the OpenID members (spec §2.1.2, R.2, R.8). No `jwks_uri`: id_tokens are HS256.
pub fn openid_configuration(config: &ServerConfig) -> Value {
    let Value::Object(mut document) = authorization_server(config) else {
        unreachable!("authorization_server builds an object");
    };
    let mut scopes = default_scopes(config);
    for scope in OPENID_SCOPES {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    document.insert("scopes_supported".into(), json!(scopes));
    document.insert("userinfo_endpoint".into(), json!(config.userinfo_url()));
    document.insert("claims_supported".into(), json!(CLAIMS));
    document.insert("subject_types_supported".into(), json!(["public"]));
    document.insert(
        "id_token_signing_alg_values_supported".into(),
        json!(["HS256"]),
    );
    if config.enable_end_session {
        document.insert(
            "end_session_endpoint".into(),
            json!(config.issuer_url("/end-session")),
        );
    }
    document.insert(
        "acr_values_supported".into(),
        json!(["urn:mace:incommon:iap:bronze"]),
    );
    document.insert(
        "prompt_values_supported".into(),
        json!(["none", "login", "create"]),
    );
    Value::Object(document)
}

/// The protected-resource document (spec §2.1.3), when a resource is configured. Its
/// `scopes_supported` is left out when the resource lists none.
pub fn protected_resource(config: &ServerConfig) -> Option<Value> {
    let resource = config.resource.as_ref()?;
    let mut document = Map::new();
    document.insert("resource".into(), json!(resource.url));
    document.insert("authorization_servers".into(), json!([config.issuer]));
    if let Some(scopes) = &resource.scopes {
        document.insert("scopes_supported".into(), json!(scopes));
    }
    Some(Value::Object(document))
}

/// `default_scope`, split into scopes (usually the one scope `user`).
fn default_scopes(config: &ServerConfig) -> Vec<&str> {
    let mut scopes: Vec<&str> = Vec::new();
    for scope in config.default_scope.split_whitespace() {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

/// The path of a URL without a trailing slash; `""` for a host-only URL.
pub fn url_path(url: &str) -> String {
    url::Url::parse(url)
        .map(|url| url.path().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// The RFC 8414 §3.1 location: the well-known suffix inserted before the issuer's path.
pub fn authorization_server_path(issuer: &str) -> String {
    format!("{OAUTH_WELL_KNOWN}{}", url_path(issuer))
}

/// The OpenID Connect Discovery §4 location: the issuer's path followed by the suffix.
pub fn openid_configuration_path(issuer: &str) -> String {
    format!("{}{OPENID_WELL_KNOWN}", url_path(issuer))
}

/// The RFC 9728 §3.1 location: the well-known prefix followed by the resource's path.
pub fn protected_resource_path(resource: &str) -> String {
    format!("{RESOURCE_WELL_KNOWN}{}", url_path(resource))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::fixture;

    #[test]
    fn paths_insert_the_well_known_suffix_as_each_rfc_says() {
        let issuer = "https://auth.local/auth/oauth";
        assert_eq!(
            authorization_server_path(issuer),
            "/.well-known/oauth-authorization-server/auth/oauth"
        );
        assert_eq!(
            openid_configuration_path(issuer),
            "/auth/oauth/.well-known/openid-configuration"
        );
        assert_eq!(
            authorization_server_path("https://auth.local"),
            OAUTH_WELL_KNOWN
        );
        assert_eq!(
            openid_configuration_path("https://auth.local/"),
            OPENID_WELL_KNOWN
        );
        assert_eq!(
            protected_resource_path("https://mcp.local/mcp"),
            "/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            protected_resource_path("https://mcp.local/"),
            RESOURCE_WELL_KNOWN
        );
    }

    #[test]
    fn openid_scopes_extend_the_default_scope_without_repeats() {
        let mut config = fixture::config();
        config.default_scope = "openid user".into();
        let document = openid_configuration(&config);
        assert_eq!(
            document["scopes_supported"],
            json!(["openid", "user", "profile", "email", "offline_access"])
        );
        assert_eq!(
            authorization_server(&config)["scopes_supported"],
            json!(["openid", "user"])
        );
    }

    #[test]
    fn no_member_is_null() {
        let config = fixture::config();
        for document in [authorization_server(&config), openid_configuration(&config)] {
            let object = document.as_object().expect("an object");
            assert!(object.values().all(|v| !v.is_null()));
            assert!(!object.contains_key("jwks_uri"));
        }
    }
}
