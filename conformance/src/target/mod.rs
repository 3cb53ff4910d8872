//! Targets: the server a run checks, described by a profile (base URL, issuer, test clients and
//! users, capabilities, secrets) plus the endpoints its discovery documents name. The bundled
//! reference server is one source of targets; a deployment's profile file is another.

mod backend;
mod bundled;
mod discovery;
pub mod profile;

pub use backend::{Backend, STORAGE_VARIABLE};
pub use bundled::Bundled;
pub use discovery::discover;
pub use profile::{FragmentOverride, Profile};

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use crate::case::Capabilities;
use crate::redact::Redactor;

/// A test client the target knows.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClientInfo {
    /// The client id.
    pub id: String,
    /// The client secret; none for a public client.
    #[serde(default)]
    pub secret: Option<String>,
    /// Registered redirect URIs; the first is `redirect_uri` in templates.
    pub redirect_uris: Vec<String>,
    /// How the client authenticates at the token endpoint.
    pub auth_method: String,
    /// The scope the client is registered for.
    #[serde(default)]
    pub scope: Option<String>,
    /// Registered post-logout redirect URIs.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
}

/// A test user the target knows.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UserInfo {
    /// The sign-in e-mail address.
    pub email: String,
    /// The password.
    pub password: String,
    /// The display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// What a run knows about the server it checks.
#[derive(Clone, Debug)]
pub struct Target {
    /// A name for reports and snapshot folders (`bundled-default`, `staging`).
    pub name: String,
    /// The host base URL; `path:` requests are joined to it.
    pub base_url: Url,
    /// The issuer.
    pub issuer: String,
    /// Test clients by name (`static` is the bundled server's static client).
    pub clients: IndexMap<String, ClientInfo>,
    /// Test users by name (`default` is the one fragments sign in).
    pub users: IndexMap<String, UserInfo>,
    /// What the target supports.
    pub capabilities: Capabilities,
    /// The configured protected resource's URL, when there is one.
    pub resource: Option<String>,
    /// The secret public clients' id_tokens are keyed with, when the target shares it.
    pub fallback_secret: Option<String>,
    /// Endpoint name → URL, from the discovery documents and the profile.
    pub endpoints: BTreeMap<String, String>,
    /// Fragments the target replaces (a profile's `sign_in`): fragment name → replacement.
    pub fragment_overrides: BTreeMap<String, FragmentOverride>,
    /// A profile's variables, `vars.NAME` in templates.
    pub variables: BTreeMap<String, String>,
    /// Every secret the target's description holds, for redaction.
    pub redactor: Redactor,
    /// Where this target's snapshots live (bundled: committed beside the cases).
    pub snapshot_dir: std::path::PathBuf,
}

impl Target {
    /// The values templates see: `issuer`, `base_url`, `resource`, `clients`, `users`,
    /// `endpoints`, `fallback_secret`, and a profile's `vars`.
    pub fn template_values(&self) -> serde_json::Map<String, Value> {
        let mut values = serde_json::Map::new();
        values.insert("issuer".into(), json!(self.issuer));
        values.insert("base_url".into(), json!(self.base_url_text()));
        values.insert("clients".into(), self.clients_value());
        values.insert("users".into(), users_value(&self.users));
        values.insert("endpoints".into(), json!(self.endpoints));
        if let Some(resource) = &self.resource {
            values.insert("resource".into(), json!(resource));
        }
        if let Some(secret) = &self.fallback_secret {
            values.insert("fallback_secret".into(), json!(secret));
        }
        if !self.variables.is_empty() {
            values.insert("vars".into(), json!(self.variables));
        }
        values
    }

    /// The base URL without a trailing slash, ready for `{{ base_url }}/path`.
    pub fn base_url_text(&self) -> String {
        self.base_url.as_str().trim_end_matches('/').to_owned()
    }

    /// The URL of a named endpoint (`token` → `token_endpoint`).
    pub fn endpoint(&self, name: &str) -> Option<&str> {
        self.endpoints.get(name).map(String::as_str)
    }

    /// Registers every secret of the description with the redactor.
    pub fn learn_secrets(&self) {
        for (name, client) in &self.clients {
            if let Some(secret) = &client.secret {
                self.redactor.add(&format!("clients.{name}.secret"), secret);
            }
        }
        for (name, user) in &self.users {
            self.redactor
                .add(&format!("users.{name}.password"), &user.password);
        }
        if let Some(secret) = &self.fallback_secret {
            self.redactor.add("fallback_secret", secret);
        }
    }

    fn clients_value(&self) -> Value {
        let clients = self.clients.iter().map(|(name, client)| {
            let value = json!({
                "id": client.id,
                "secret": client.secret,
                "redirect_uri": client.redirect_uris.first(),
                "redirect_uris": client.redirect_uris,
                "auth_method": client.auth_method,
                "scope": client.scope,
                "post_logout_redirect_uri": client.post_logout_redirect_uris.first(),
                "post_logout_redirect_uris": client.post_logout_redirect_uris,
            });
            (name.clone(), value)
        });
        Value::Object(clients.collect())
    }
}

fn users_value(users: &IndexMap<String, UserInfo>) -> Value {
    let users = users.iter().map(|(name, user)| {
        let value = json!({ "email": user.email, "password": user.password, "name": user.name });
        (name.clone(), value)
    });
    Value::Object(users.collect())
}
