//! The environment overlay: `BELGIE_SECRET`, `BELGIE_BASE_URL`, `BELGIE_OAUTH_STORAGE` (or its
//! older name `BELGIE_STORAGE`) and `BELGIE_OAUTH_<SETTING>` applied over the file's settings.
//! Lists and objects are JSON, booleans `true` / `false`, an empty value clears a setting that
//! may be absent.

use serde::de::DeserializeOwned;

use super::{ConfigError, OAuthSettings, Settings};
use crate::domain::Secret;

/// The prefix of the OAuth server's variables.
const OAUTH_PREFIX: &str = "BELGIE_OAUTH_";

impl Settings {
    /// Applies every `BELGIE_*` variable of `vars` (name, value pairs, e.g. from
    /// `std::env::vars`) over these settings. Other variables are ignored; an unknown
    /// `BELGIE_OAUTH_*` variable or a bad value is an error naming the variable.
    pub fn apply_env<I, K, V>(&mut self, vars: I) -> Result<(), ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        for (name, value) in vars {
            let (name, value) = (name.as_ref(), value.as_ref());
            match name {
                "BELGIE_SECRET" => self.secret = Some(Secret::new(value)),
                "BELGIE_BASE_URL" => self.base_url = optional_text(value),
                "BELGIE_OAUTH_STORAGE" | "BELGIE_STORAGE" => self.storage = value.to_owned(),
                _ => {
                    if let Some(setting) = name.strip_prefix(OAUTH_PREFIX) {
                        let setting = setting.to_ascii_lowercase();
                        apply_oauth(&mut self.oauth, name, &setting, value)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether any variable of `vars` is one [`Settings::apply_env`] reads.
    pub fn env_applies<I, K, V>(vars: I) -> bool
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        vars.into_iter().any(|(name, _)| {
            let name = name.as_ref();
            matches!(name, "BELGIE_SECRET" | "BELGIE_BASE_URL" | "BELGIE_STORAGE")
                || name.starts_with(OAUTH_PREFIX)
        })
    }
}

/// Sets the OAuth setting `setting` (lower-case) from variable `var`.
fn apply_oauth(
    oauth: &mut OAuthSettings,
    var: &str,
    setting: &str,
    value: &str,
) -> Result<(), ConfigError> {
    match setting {
        "base_url" => oauth.base_url = optional_text(value),
        "prefix" => oauth.prefix = value.to_owned(),
        "login_url" => oauth.login_url = optional_text(value),
        "signup_url" => oauth.signup_url = optional_text(value),
        "client_id" => oauth.client_id = value.to_owned(),
        "client_secret" => oauth.client_secret = optional_text(value).map(Secret::new),
        "redirect_uris" => oauth.redirect_uris = json(var, value)?,
        "default_scope" => oauth.default_scope = value.to_owned(),
        "authorization_code_ttl_seconds" => {
            oauth.authorization_code_ttl_seconds = integer(var, value)?;
        }
        "access_token_ttl_seconds" => oauth.access_token_ttl_seconds = integer(var, value)?,
        "refresh_token_ttl_seconds" => oauth.refresh_token_ttl_seconds = integer(var, value)?,
        "id_token_ttl_seconds" => oauth.id_token_ttl_seconds = integer(var, value)?,
        "state_ttl_seconds" => oauth.state_ttl_seconds = integer(var, value)?,
        "code_challenge_method" => oauth.code_challenge_method = value.to_owned(),
        "enable_end_session" => oauth.enable_end_session = boolean(var, value)?,
        "allow_dynamic_client_registration" => {
            oauth.allow_dynamic_client_registration = boolean(var, value)?;
        }
        "allow_unauthenticated_client_registration" => {
            oauth.allow_unauthenticated_client_registration = boolean(var, value)?;
        }
        "resources" => oauth.resources = optional_json(var, value)?,
        "include_root_resource_metadata_fallback" => {
            oauth.include_root_resource_metadata_fallback = boolean(var, value)?;
        }
        "include_root_oauth_metadata_fallback" => {
            oauth.include_root_oauth_metadata_fallback = boolean(var, value)?;
        }
        "include_root_openid_metadata_fallback" => {
            oauth.include_root_openid_metadata_fallback = boolean(var, value)?;
        }
        "static_client" => oauth.static_client = json(var, value)?,
        "clients" => oauth.clients = json(var, value)?,
        "route_prefix" => return Err(renamed(var, "BELGIE_OAUTH_PREFIX")),
        "resource_server_url" => return Err(renamed(var, "BELGIE_OAUTH_BASE_URL")),
        "resource_scopes" => return Err(renamed(var, "BELGIE_OAUTH_RESOURCES")),
        _ => {
            let message = "is not an OAuth setting (see docs/server-config.md)";
            return Err(ConfigError::environment(var, message));
        }
    }
    Ok(())
}

fn renamed(var: &str, replacement: &str) -> ConfigError {
    let message = format!("is no longer supported; use {replacement} instead");
    ConfigError::environment(var, message)
}

/// A value that may be absent: empty means absent.
fn optional_text(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn integer(var: &str, value: &str) -> Result<i64, ConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| ConfigError::environment(var, format!("`{value}` is not a whole number")))
}

fn boolean(var: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ConfigError::environment(
            var,
            format!("`{value}` is neither true nor false"),
        )),
    }
}

fn json<T: DeserializeOwned>(var: &str, value: &str) -> Result<T, ConfigError> {
    serde_json::from_str(value)
        .map_err(|error| ConfigError::environment(var, format!("invalid JSON value: {error}")))
}

/// JSON, where an empty value means absent.
fn optional_json<T: DeserializeOwned>(var: &str, value: &str) -> Result<Option<T>, ConfigError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    json(var, value)
}
