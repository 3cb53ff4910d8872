//! The configuration the protocol reads: settings validated and resolved into URLs and
//! durations (issuer, resource URL, login and signup URLs).

use crate::domain::Secret;
use crate::store::Client;

/// Lifetimes, in seconds (spec §1.1, §1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ttls {
    /// `authorization_code_ttl_seconds` (300).
    pub code: i64,
    /// `access_token_ttl_seconds` (3600), also `expires_in`.
    pub access_token: i64,
    /// `refresh_token_ttl_seconds` (2592000).
    pub refresh_token: i64,
    /// `id_token_ttl_seconds` (36000).
    pub id_token: i64,
    /// `state_ttl_seconds` (600); ≤ 0 disables expiry of pending authorizations.
    pub state: i64,
    /// Host `session.max_age` (604800).
    pub session_max_age: i64,
    /// Host `session.update_age` (86400).
    pub session_update_age: i64,
}

/// Dynamic client registration settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrationPolicy {
    /// `allow_dynamic_client_registration`.
    pub enabled: bool,
    /// `allow_unauthenticated_client_registration`.
    pub anonymous: bool,
}

/// The one configured protected resource (spec §3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceConfig {
    /// The resource URL R, compared as an exact string.
    pub url: String,
    /// Scopes advertised in protected-resource metadata.
    pub scopes: Option<Vec<String>>,
}

/// Which root-level metadata fallbacks are served (spec §2.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootFallbacks {
    /// `include_root_resource_metadata_fallback`.
    pub resource: bool,
    /// `include_root_oauth_metadata_fallback`.
    pub oauth: bool,
    /// `include_root_openid_metadata_fallback`.
    pub openid: bool,
}

/// Resolved, validated configuration.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The issuer `{I}`, without a trailing slash, e.g. `http://testserver/auth/oauth`.
    pub issuer: String,
    /// The host base URL `{B}`.
    pub base_url: url::Url,
    /// The path of the OAuth router, e.g. `/auth/oauth` (the issuer's path).
    pub oauth_path: String,
    /// Where the login hand-off sends users (absolute).
    pub login_url: Option<url::Url>,
    /// Where `prompt=create` sends users (absolute).
    pub signup_url: Option<url::Url>,
    /// `default_scope`.
    pub default_scope: String,
    /// Lifetimes.
    pub ttl: Ttls,
    /// `enable_end_session` (R.7: for every client).
    pub enable_end_session: bool,
    /// Registration policy.
    pub registration: RegistrationPolicy,
    /// The configured resource.
    pub resource: Option<ResourceConfig>,
    /// Root metadata fallbacks.
    pub root_fallbacks: RootFallbacks,
    /// The host `secret`: the fallback id_token signing secret for public clients (spec §4.3).
    pub fallback_secret: Secret,
    /// The host session cookie name (`belgie_session`).
    pub session_cookie: String,
    /// The cost of new password hashes.
    pub password_hashing: super::PasswordHashing,
}

impl ServerConfig {
    /// `{I}` followed by `path` (`"/token"` → `{I}/token`).
    pub fn issuer_url(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path)
    }

    /// The userinfo URL, which joins the audience with `openid` (spec §3.3).
    pub fn userinfo_url(&self) -> String {
        self.issuer_url("/userinfo")
    }

    /// Whether RP-initiated logout is enabled for `client`: for every client when
    /// `enable_end_session` is set (R.7), else per client. Also decides `sid` in id_tokens.
    pub fn logout_enabled_for(&self, client: &Client) -> bool {
        self.enable_end_session || client.enable_end_session
    }
}
