//! The settings a person writes: the YAML file of `docs/server-config.md`, as serde types.
//!
//! Every key is optional (validation happens in [`Settings::resolve`], which names the
//! setting), unknown keys are refused, and the legacy keys of spec §1.2 are refused with the
//! name of their replacement.

use serde::Deserialize;

use super::ConfigError;
use crate::domain::Secret;

/// The whole settings file: host settings, the OAuth server's settings, seeded users, storage.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Host `secret` (`BELGIE_SECRET`): the fallback id_token signing secret; required.
    pub secret: Option<Secret>,
    /// Host `base_url` (`BELGIE_BASE_URL`). When absent, the bound address is the base.
    pub base_url: Option<String>,
    /// The OAuth server's settings (spec §1.2, `BELGIE_OAUTH_*`).
    pub oauth: OAuthSettings,
    /// Users created at start-up.
    pub users: Vec<UserSettings>,
    /// Storage engine: `memory` (the default), `sqlite:PATH` or `postgres://…`
    /// (`BELGIE_OAUTH_STORAGE`).
    pub storage: String,
    /// The cost of the argon2id password hashes.
    pub password_hashing: PasswordHashing,
}

/// The cost of argon2id password hashing (RFC 9106). The defaults are OWASP's recommended
/// minimum; a test configuration may lower them, a production one may raise them. A stored hash
/// keeps the cost it was made with, so a change applies to new hashes only.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordHashing {
    /// Memory per hash, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// The OAuth server's settings (spec §1.2 `OAuthServer`, plus the §1.4 knobs).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OAuthSettings {
    /// `base_url`: builds the issuer and the resource URL instead of the host `base_url`.
    pub base_url: Option<String>,
    /// `prefix` (`/oauth`): the router prefix under `/auth`.
    pub prefix: String,
    /// `login_url` (`/login`, the built-in page): absolute, or joined onto the host base URL.
    pub login_url: Option<String>,
    /// `signup_url` (`/signup`, the built-in page): where `prompt=create` sends users.
    pub signup_url: Option<String>,
    /// `client_id` (`belgie_client`): the static client's id.
    pub client_id: String,
    /// `client_secret`: the static client's secret; absent makes it public.
    pub client_secret: Option<Secret>,
    /// `redirect_uris`: the static client's redirect URIs; at least one is required.
    pub redirect_uris: Vec<String>,
    /// `default_scope` (`user`).
    pub default_scope: String,
    /// `authorization_code_ttl_seconds` (300).
    pub authorization_code_ttl_seconds: i64,
    /// `access_token_ttl_seconds` (3600).
    pub access_token_ttl_seconds: i64,
    /// `refresh_token_ttl_seconds` (2592000).
    pub refresh_token_ttl_seconds: i64,
    /// `id_token_ttl_seconds` (36000).
    pub id_token_ttl_seconds: i64,
    /// `state_ttl_seconds` (600); ≤ 0 disables expiry of pending authorizations.
    pub state_ttl_seconds: i64,
    /// `code_challenge_method` (`S256`, the only value accepted).
    pub code_challenge_method: String,
    /// `enable_end_session` (false); R.7: enables RP-initiated logout for every client.
    pub enable_end_session: bool,
    /// `allow_dynamic_client_registration` (false).
    pub allow_dynamic_client_registration: bool,
    /// `allow_unauthenticated_client_registration` (false).
    pub allow_unauthenticated_client_registration: bool,
    /// `resources`: at most one protected resource.
    pub resources: Option<Vec<ResourceSettings>>,
    /// `include_root_resource_metadata_fallback` (true).
    pub include_root_resource_metadata_fallback: bool,
    /// `include_root_oauth_metadata_fallback` (true).
    pub include_root_oauth_metadata_fallback: bool,
    /// `include_root_openid_metadata_fallback` (true).
    pub include_root_openid_metadata_fallback: bool,
    /// The static client's extra knobs (spec §1.4).
    pub static_client: StaticClientSettings,
    /// Extra clients seeded at start-up (spec §1.4).
    pub clients: Vec<ClientSettings>,

    /// Legacy `route_prefix`, refused with a pointer to `prefix`.
    #[serde(rename = "route_prefix", deserialize_with = "legacy::route_prefix")]
    #[doc(hidden)]
    pub legacy_route_prefix: (),
    /// Legacy `resource_server_url`, refused with a pointer to `base_url`.
    #[serde(
        rename = "resource_server_url",
        deserialize_with = "legacy::resource_server_url"
    )]
    #[doc(hidden)]
    pub legacy_resource_server_url: (),
    /// Legacy `resource_scopes`, refused with a pointer to `resources`.
    #[serde(
        rename = "resource_scopes",
        deserialize_with = "legacy::resource_scopes"
    )]
    #[doc(hidden)]
    pub legacy_resource_scopes: (),
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secret: None,
            base_url: None,
            oauth: OAuthSettings::default(),
            users: Vec::new(),
            storage: "memory".into(),
            password_hashing: PasswordHashing::default(),
        }
    }
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            base_url: None,
            prefix: "/oauth".into(),
            login_url: Some("/login".into()),
            signup_url: Some("/signup".into()),
            client_id: "belgie_client".into(),
            client_secret: None,
            redirect_uris: Vec::new(),
            default_scope: "user".into(),
            authorization_code_ttl_seconds: 300,
            access_token_ttl_seconds: 3600,
            refresh_token_ttl_seconds: 2_592_000,
            id_token_ttl_seconds: 36_000,
            state_ttl_seconds: 600,
            code_challenge_method: "S256".into(),
            enable_end_session: false,
            allow_dynamic_client_registration: false,
            allow_unauthenticated_client_registration: false,
            resources: None,
            include_root_resource_metadata_fallback: true,
            include_root_oauth_metadata_fallback: true,
            include_root_openid_metadata_fallback: true,
            static_client: StaticClientSettings::default(),
            clients: Vec::new(),
            legacy_route_prefix: (),
            legacy_resource_server_url: (),
            legacy_resource_scopes: (),
        }
    }
}

/// One protected resource (`OAuthResource`, spec §1.2).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ResourceSettings {
    /// The resource path under the resource base URL; trimmed, non-empty, starting with `/`.
    pub prefix: String,
    /// Scopes advertised in protected-resource metadata (not enforced).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// The static client's knobs that CORE has no setting for (spec §1.4).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct StaticClientSettings {
    /// The registered scope; `default_scope` when absent.
    pub scope: Option<String>,
    /// The registered auth method; none recorded when absent (as CORE).
    pub token_endpoint_auth_method: Option<String>,
    /// Registered post-logout redirect URIs.
    pub post_logout_redirect_uris: Option<Vec<String>>,
}

/// A client seeded at start-up.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientSettings {
    /// The id (required).
    pub client_id: String,
    /// The secret; absent makes the client public.
    pub client_secret: Option<Secret>,
    /// Registered redirect URIs (at least one).
    pub redirect_uris: Vec<String>,
    /// The registered scope; `default_scope` when absent.
    pub scope: Option<String>,
    /// The registered auth method (`none`, `client_secret_post`, `client_secret_basic`).
    pub token_endpoint_auth_method: Option<String>,
    /// Registered post-logout redirect URIs.
    pub post_logout_redirect_uris: Option<Vec<String>>,
}

/// A user created at start-up; the password is hashed then.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserSettings {
    /// E-mail address (required, unique).
    pub email: String,
    /// Password (required).
    pub password: Option<Secret>,
    /// Display name.
    pub name: Option<String>,
    /// Picture URL.
    pub image: Option<String>,
    /// Whether the e-mail address counts as verified.
    pub email_verified: bool,
}

impl Settings {
    /// Parses the YAML text of a settings file. `origin` names the file in error messages,
    /// which give the line and column of the mistake.
    pub fn from_yaml_str(text: &str, origin: &str) -> Result<Settings, ConfigError> {
        serde_saphyr::from_str(text).map_err(|error| ConfigError::yaml(origin, &error))
    }
}

/// Deserializers for the legacy keys: each refuses its key and names the replacement.
mod legacy {
    use serde::Deserializer;
    use serde::de::Error;

    fn refuse<'de, D: Deserializer<'de>>(key: &str, replacement: &str) -> Result<(), D::Error> {
        Err(D::Error::custom(format!(
            "`{key}` is no longer supported; use `{replacement}` instead"
        )))
    }

    pub fn route_prefix<'de, D: Deserializer<'de>>(_: D) -> Result<(), D::Error> {
        refuse::<D>("route_prefix", "prefix")
    }

    pub fn resource_server_url<'de, D: Deserializer<'de>>(_: D) -> Result<(), D::Error> {
        refuse::<D>("resource_server_url", "base_url")
    }

    pub fn resource_scopes<'de, D: Deserializer<'de>>(_: D) -> Result<(), D::Error> {
        refuse::<D>("resource_scopes", "resources")
    }
}
