//! From settings to the resolved configuration the protocol reads (spec §1.1, §1.2): the
//! issuer, the resource URL, absolute login and signup URLs, and every validation rule.

use std::net::SocketAddr;

use url::Url;

use super::{
    ConfigError, RegistrationPolicy, ResourceConfig, ResourceSettings, RootFallbacks, ServerConfig,
    Settings, Ttls,
};

/// The host session lifetime (`session.max_age`, spec §1.1).
const SESSION_MAX_AGE: i64 = 604_800;
/// How often a session slides forward (`session.update_age`, spec §1.1).
const SESSION_UPDATE_AGE: i64 = 86_400;
/// The host session cookie (`cookie.name`, spec §1.1).
const SESSION_COOKIE: &str = "belgie_session";

impl Settings {
    /// Validates the settings and derives the resolved configuration. `bound` is the address
    /// the server listens on; it gives the base URL `http://ADDR` when `base_url` is absent.
    pub fn resolve(&self, bound: Option<SocketAddr>) -> Result<ServerConfig, ConfigError> {
        let oauth = &self.oauth;
        let fallback_secret = match &self.secret {
            Some(secret) if !secret.is_empty() => secret.clone(),
            _ => {
                return Err(ConfigError::invalid(
                    "secret",
                    "a non-empty secret is required",
                ));
            }
        };
        let base_url = self.host_base_url(bound)?;
        let oauth_base = match &oauth.base_url {
            Some(text) => absolute_http_url("oauth.base_url", text)?,
            None => base_url.clone(),
        };
        let issuer = issuer(&oauth_base, &oauth.prefix);
        let oauth_path = Url::parse(&issuer)
            .map(|url| url.path().trim_end_matches('/').to_owned())
            .map_err(|_| ConfigError::invalid("oauth.prefix", "does not form a valid issuer"))?;

        self.check_static_client()?;
        if oauth.code_challenge_method != "S256" {
            let message = "the only supported method is S256";
            return Err(ConfigError::invalid("oauth.code_challenge_method", message));
        }
        self.seeded_clients()?;
        self.seeded_users()?;
        check_password_hashing(&self.password_hashing)?;

        Ok(ServerConfig {
            issuer,
            base_url: base_url.clone(),
            oauth_path,
            login_url: page_url("oauth.login_url", &base_url, oauth.login_url.as_deref())?,
            signup_url: page_url("oauth.signup_url", &base_url, oauth.signup_url.as_deref())?,
            default_scope: oauth.default_scope.clone(),
            ttl: Ttls {
                code: oauth.authorization_code_ttl_seconds,
                access_token: oauth.access_token_ttl_seconds,
                refresh_token: oauth.refresh_token_ttl_seconds,
                id_token: oauth.id_token_ttl_seconds,
                state: oauth.state_ttl_seconds,
                session_max_age: SESSION_MAX_AGE,
                session_update_age: SESSION_UPDATE_AGE,
            },
            enable_end_session: oauth.enable_end_session,
            registration: RegistrationPolicy {
                enabled: oauth.allow_dynamic_client_registration,
                anonymous: oauth.allow_unauthenticated_client_registration,
            },
            resource: resource(&oauth_base, oauth.resources.as_deref())?,
            root_fallbacks: RootFallbacks {
                resource: oauth.include_root_resource_metadata_fallback,
                oauth: oauth.include_root_oauth_metadata_fallback,
                openid: oauth.include_root_openid_metadata_fallback,
            },
            fallback_secret,
            session_cookie: SESSION_COOKIE.into(),
            password_hashing: self.password_hashing,
        })
    }

    /// The host base URL: `base_url`, else the bound address.
    fn host_base_url(&self, bound: Option<SocketAddr>) -> Result<Url, ConfigError> {
        match (&self.base_url, bound) {
            (Some(text), _) => absolute_http_url("base_url", text),
            (None, Some(addr)) => absolute_http_url("base_url", &format!("http://{addr}")),
            (None, None) => Err(ConfigError::invalid(
                "base_url",
                "required when the server is not bound to an address",
            )),
        }
    }

    /// `redirect_uris` must hold at least one URI (spec §1.2).
    fn check_static_client(&self) -> Result<(), ConfigError> {
        if self.oauth.redirect_uris.is_empty() {
            return Err(ConfigError::invalid(
                "oauth.redirect_uris",
                "at least one redirect URI is required",
            ));
        }
        if self.oauth.client_id.is_empty() {
            return Err(ConfigError::invalid("oauth.client_id", "must not be empty"));
        }
        Ok(())
    }
}

/// Parses an absolute `http` or `https` URL, naming `setting` when it is not one.
/// The hashing cost is one argon2 accepts (at least 8 KiB per lane, one pass, one lane).
fn check_password_hashing(cost: &super::PasswordHashing) -> Result<(), ConfigError> {
    argon2::Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map(|_| ())
        .map_err(|error| ConfigError::invalid("password_hashing", error.to_string()))
}

fn absolute_http_url(setting: &str, text: &str) -> Result<Url, ConfigError> {
    let message = "must be an absolute http or https URL";
    let url = Url::parse(text).map_err(|_| ConfigError::invalid(setting, message))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ConfigError::invalid(setting, message));
    }
    Ok(url)
}

/// The base URL as text without query, fragment or trailing slash.
fn base_text(base: &Url) -> String {
    let mut base = base.clone();
    base.set_query(None);
    base.set_fragment(None);
    base.as_str().trim_end_matches('/').to_owned()
}

/// `{base}/auth/{prefix without slashes}`; an empty prefix gives `{base}/auth` (spec §1.2).
fn issuer(base: &Url, prefix: &str) -> String {
    let prefix = prefix.trim().trim_matches('/');
    if prefix.is_empty() {
        format!("{}/auth", base_text(base))
    } else {
        format!("{}/auth/{prefix}", base_text(base))
    }
}

/// A login or signup URL: absolute http(s) as is, anything else path-joined onto the host
/// base URL (spec §1.2).
fn page_url(setting: &str, base: &Url, value: Option<&str>) -> Result<Option<Url>, ConfigError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(url) = Url::parse(value)
        && matches!(url.scheme(), "http" | "https")
    {
        return Ok(Some(url));
    }
    let joined = format!("{}/{}", base_text(base), value.trim_start_matches('/'));
    Url::parse(&joined)
        .map(Some)
        .map_err(|_| ConfigError::invalid(setting, "is neither an absolute URL nor a path"))
}

/// The one configured resource, if any (spec §1.2, §3.1).
fn resource(
    base: &Url,
    resources: Option<&[ResourceSettings]>,
) -> Result<Option<ResourceConfig>, ConfigError> {
    let resource = match resources.unwrap_or_default() {
        [] => return Ok(None),
        [one] => one,
        _ => {
            let message = "at most one resource is supported";
            return Err(ConfigError::invalid("oauth.resources", message));
        }
    };
    let prefix = resource.prefix.trim();
    if prefix.is_empty() {
        let message = "must be a non-empty path";
        return Err(ConfigError::invalid("oauth.resources[0].prefix", message));
    }
    if !prefix.starts_with('/') {
        let message = "must start with `/`";
        return Err(ConfigError::invalid("oauth.resources[0].prefix", message));
    }
    let path = prefix.trim_matches('/');
    let url = format!("{}/{path}", base_text(base));
    Ok(Some(ResourceConfig {
        url,
        scopes: resource.scopes.clone(),
    }))
}
