//! The records settings create at start-up: the static client (spec §1.2 "static client
//! record", with the §1.4 knobs), the seeded clients, and the seeded users' validation.

use std::collections::HashSet;

use super::{ConfigError, Settings};
use crate::domain::{ClientId, RedirectUri, Secret};
use crate::store::{AuthMethod, Client, ClientMetadata};

impl Settings {
    /// The static client and every seeded client, validated.
    pub fn clients(&self) -> Result<Vec<Client>, ConfigError> {
        let mut clients = vec![self.static_client()?];
        for (index, seeded) in self.oauth.clients.iter().enumerate() {
            let at = format!("oauth.clients[{index}]");
            if seeded.client_id.is_empty() {
                return Err(ConfigError::invalid(
                    format!("{at}.client_id"),
                    "is required",
                ));
            }
            if seeded.redirect_uris.is_empty() {
                let message = "at least one redirect URI is required";
                return Err(ConfigError::invalid(format!("{at}.redirect_uris"), message));
            }
            clients.push(Client {
                client_id: ClientId::new(seeded.client_id.clone()),
                client_secret: seeded.client_secret.clone().filter(|s| !s.is_empty()),
                redirect_uris: redirect_uris(
                    &format!("{at}.redirect_uris"),
                    &seeded.redirect_uris,
                )?,
                token_endpoint_auth_method: auth_method(
                    &format!("{at}.token_endpoint_auth_method"),
                    seeded.token_endpoint_auth_method.as_deref(),
                    seeded.client_secret.as_ref(),
                )?,
                scope: seeded.scope.clone(),
                post_logout_redirect_uris: optional_uris(
                    &format!("{at}.post_logout_redirect_uris"),
                    seeded.post_logout_redirect_uris.as_deref(),
                )?,
                ..self.client_defaults(&seeded.client_id)
            });
        }
        unique(
            clients.iter().map(|c| c.client_id.as_str()),
            "oauth.clients",
            "client_id",
        )?;
        Ok(clients)
    }

    /// The static client record: `client_id`, `client_secret`, `redirect_uris`, the scope
    /// (`static_client.scope`, else `default_scope`), and the §1.4 knobs.
    fn static_client(&self) -> Result<Client, ConfigError> {
        let oauth = &self.oauth;
        let knobs = &oauth.static_client;
        let scope = knobs
            .scope
            .clone()
            .unwrap_or_else(|| oauth.default_scope.clone());
        Ok(Client {
            client_secret: oauth.client_secret.clone().filter(|s| !s.is_empty()),
            redirect_uris: redirect_uris("oauth.redirect_uris", &oauth.redirect_uris)?,
            token_endpoint_auth_method: auth_method(
                "oauth.static_client.token_endpoint_auth_method",
                knobs.token_endpoint_auth_method.as_deref(),
                oauth.client_secret.as_ref(),
            )?,
            scope: Some(scope),
            post_logout_redirect_uris: optional_uris(
                "oauth.static_client.post_logout_redirect_uris",
                knobs.post_logout_redirect_uris.as_deref(),
            )?,
            ..self.client_defaults(&oauth.client_id)
        })
    }

    /// What every configured client shares.
    fn client_defaults(&self, id: &str) -> Client {
        Client {
            client_id: ClientId::new(id),
            client_secret: None,
            redirect_uris: Vec::new(),
            token_endpoint_auth_method: None,
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            response_types: vec!["code".into()],
            scope: None,
            metadata: ClientMetadata::default(),
            post_logout_redirect_uris: None,
            client_id_issued_at: None,
            enable_end_session: self.oauth.enable_end_session,
        }
    }

    /// Checks the seeded users: an e-mail address and a password each, addresses unique.
    pub(super) fn seeded_users(&self) -> Result<(), ConfigError> {
        for (index, user) in self.users.iter().enumerate() {
            if !user.email.contains('@') {
                let message = "must be an e-mail address";
                return Err(ConfigError::invalid(
                    format!("users[{index}].email"),
                    message,
                ));
            }
            if user.password.as_ref().is_none_or(Secret::is_empty) {
                return Err(ConfigError::invalid(
                    format!("users[{index}].password"),
                    "is required",
                ));
            }
        }
        let emails = self.users.iter().map(|u| u.email.to_lowercase());
        unique(emails, "users", "email")
    }

    /// Validates the seeded clients (for [`Settings::resolve`]).
    pub(super) fn seeded_clients(&self) -> Result<(), ConfigError> {
        self.clients().map(drop)
    }
}

/// Parses a list of redirect URIs, naming `setting` at the first bad one.
fn redirect_uris(setting: &str, uris: &[String]) -> Result<Vec<RedirectUri>, ConfigError> {
    uris.iter()
        .map(|uri| {
            RedirectUri::parse(uri)
                .map_err(|error| ConfigError::invalid(setting, format!("`{uri}`: {error}")))
        })
        .collect()
}

fn optional_uris(
    setting: &str,
    uris: Option<&[String]>,
) -> Result<Option<Vec<RedirectUri>>, ConfigError> {
    uris.map(|uris| redirect_uris(setting, uris)).transpose()
}

/// Parses an auth method and checks it agrees with whether the client has a secret.
fn auth_method(
    setting: &str,
    method: Option<&str>,
    secret: Option<&Secret>,
) -> Result<Option<AuthMethod>, ConfigError> {
    let Some(name) = method else {
        return Ok(None);
    };
    let Some(method) = AuthMethod::parse(name) else {
        let message =
            format!("`{name}` is not one of none, client_secret_post, client_secret_basic");
        return Err(ConfigError::invalid(setting, message));
    };
    let has_secret = secret.is_some_and(|s| !s.is_empty());
    match (method, has_secret) {
        (AuthMethod::None, true) => Err(ConfigError::invalid(
            setting,
            "`none` is for clients without a secret",
        )),
        (AuthMethod::ClientSecretPost | AuthMethod::ClientSecretBasic, false) => Err(
            ConfigError::invalid(setting, format!("`{name}` needs a client_secret")),
        ),
        _ => Ok(Some(method)),
    }
}

/// Fails when a value repeats, naming `setting` and the field.
fn unique<I, S>(values: I, setting: &str, field: &str) -> Result<(), ConfigError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut seen = HashSet::new();
    for value in values {
        let value = value.into();
        if !seen.insert(value.clone()) {
            let message = format!("{field} `{value}` appears more than once");
            return Err(ConfigError::invalid(setting, message));
        }
    }
    Ok(())
}
