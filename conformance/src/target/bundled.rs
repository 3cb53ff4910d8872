//! The bundled target: the reference server, started in-process on an ephemeral loopback port
//! once per server configuration the selected cases need, and described from that
//! configuration (its static and seeded clients, its users, its capabilities). Each keeps its
//! data in memory, or on the backend [`Bundled::with_backend`] chooses.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use oauth_reference_server::config::{ClientSettings, ServerConfig};
use oauth_reference_server::{RunningServer, Settings};
use tokio::sync::{Mutex, OnceCell};

use super::backend::{Backend, Stores};
use super::{ClientInfo, Target, UserInfo, discover};
use crate::case::{Capabilities, IdTokenSigning, Registration, ResourceSupport};
use crate::load::{Diagnostic, Library};
use crate::redact::Redactor;

/// A configuration's target, once its server has started (or failed to).
type Starting = OnceCell<Result<Arc<Target>, String>>;

/// The reference server's configurations, started on demand and stopped together.
pub struct Bundled {
    settings: BTreeMap<String, Settings>,
    snapshot_root: PathBuf,
    targets: Mutex<HashMap<String, Arc<Starting>>>,
    running: Mutex<Vec<RunningServer>>,
    /// Boxed: most runs keep to memory, and `Bundled` sits in an enum beside a pointer.
    stores: Box<Stores>,
}

impl Bundled {
    /// Parses every server configuration of `library`; a bad one is a located diagnostic.
    pub fn new(library: &Library) -> Result<Self, Vec<Diagnostic>> {
        let mut settings = BTreeMap::new();
        let mut problems = Vec::new();
        for (name, file) in &library.servers {
            let origin = file.path.display().to_string();
            match Settings::from_yaml_str(&file.text, &origin) {
                Ok(parsed) => {
                    settings.insert(name.clone(), parsed);
                }
                Err(error) => problems.push(config_problem(file, &error)),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            settings,
            snapshot_root: absolute(&library.root).join("snapshots"),
            targets: Mutex::new(HashMap::new()),
            running: Mutex::new(Vec::new()),
            stores: Box::new(Stores::memory()),
        })
    }

    /// Keeps every configuration's data on `backend` (a store of its own for each) instead
    /// of in memory.
    pub fn with_backend(mut self, backend: Backend) -> Result<Self, String> {
        self.stores = Box::new(Stores::new(backend)?);
        Ok(self)
    }

    /// The names of the configurations.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.settings.keys().map(String::as_str)
    }

    /// The capabilities a configuration gives, without starting it.
    pub fn capabilities(&self, name: &str) -> Option<Capabilities> {
        self.settings.get(name).map(capabilities_of)
    }

    /// The target for configuration `name`, starting its server the first time.
    pub async fn target(&self, name: &str) -> Result<Arc<Target>, String> {
        let cell = {
            let mut targets = self.targets.lock().await;
            targets.entry(name.to_owned()).or_default().clone()
        };
        cell.get_or_init(|| self.start(name)).await.clone()
    }

    /// Stops every server started, then removes their databases (a failure to is a warning
    /// on stderr: the run's results stand).
    pub async fn shutdown(&self) {
        let running = std::mem::take(&mut *self.running.lock().await);
        for server in running {
            server.shutdown().await;
        }
        for problem in self.stores.remove().await {
            eprintln!("warning: {problem}");
        }
    }

    async fn start(&self, name: &str) -> Result<Arc<Target>, String> {
        let mut settings = self
            .settings
            .get(name)
            .ok_or_else(|| format!("no server configuration named `{name}`"))?
            .clone();
        if let Some(storage) = self.stores.setting_for(name).await? {
            settings.storage = storage;
        }
        let server = oauth_reference_server::spawn(settings.clone())
            .await
            .map_err(|e| format!("the bundled server `{name}` did not start: {e}"))?;
        let config = settings
            .resolve(Some(server.local_addr()))
            .map_err(|e| format!("the bundled server `{name}`: {e}"))?;
        let endpoints = discover(server.issuer().as_str()).await;
        self.running.lock().await.push(server);
        let target = describe(name, &settings, &config, endpoints?, &self.snapshot_root);
        target.learn_secrets();
        Ok(Arc::new(target))
    }
}

/// `path` made absolute and free of `..`, so insta and messages name the real folder.
fn absolute(path: &std::path::Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

fn config_problem(
    file: &crate::load::ServerFile,
    error: &oauth_reference_server::ConfigError,
) -> Diagnostic {
    use oauth_reference_server::ConfigError;
    match error {
        ConfigError::Yaml {
            line,
            column,
            message,
            ..
        } => Diagnostic::at(
            &file.path,
            &file.text,
            line.unwrap_or(0),
            column.unwrap_or(0),
            message.clone(),
        ),
        other => Diagnostic::file(&file.path, other.to_string()),
    }
}

fn describe(
    name: &str,
    settings: &Settings,
    config: &ServerConfig,
    endpoints: BTreeMap<String, String>,
    snapshot_root: &std::path::Path,
) -> Target {
    Target {
        name: format!("bundled-{name}"),
        base_url: config.base_url.clone(),
        issuer: config.issuer.clone(),
        clients: clients_of(settings),
        users: users_of(settings),
        capabilities: capabilities_of(settings),
        resource: config.resource.as_ref().map(|r| r.url.clone()),
        fallback_secret: Some(config.fallback_secret.expose().to_owned()),
        endpoints,
        fragment_overrides: BTreeMap::new(),
        variables: BTreeMap::new(),
        redactor: Redactor::new(),
        snapshot_dir: snapshot_root.join("bundled"),
    }
}

fn capabilities_of(settings: &Settings) -> Capabilities {
    let oauth = &settings.oauth;
    let registration = match (
        oauth.allow_dynamic_client_registration,
        oauth.allow_unauthenticated_client_registration,
    ) {
        (false, _) => Registration::Off,
        (true, false) => Registration::SignedIn,
        (true, true) => Registration::Anonymous,
    };
    let resource = match oauth.resources {
        Some(ref resources) if !resources.is_empty() => ResourceSupport::Configured,
        _ => ResourceSupport::None,
    };
    Capabilities {
        flavour: "belgie".to_owned(),
        registration,
        resource,
        signup: oauth.signup_url.is_some(),
        end_session: oauth.enable_end_session,
        login: oauth.login_url.is_some() && !settings.users.is_empty(),
        id_token_signing: IdTokenSigning::Hs256Sha256Secret,
        authorization_server_metadata: true,
        protected_resource_metadata: resource == ResourceSupport::Configured,
        bundled: true,
    }
}

fn clients_of(settings: &Settings) -> IndexMap<String, ClientInfo> {
    let oauth = &settings.oauth;
    let secret = oauth.client_secret.as_ref().map(|s| s.expose().to_owned());
    let static_client = ClientInfo {
        id: oauth.client_id.clone(),
        auth_method: auth_method(
            oauth.static_client.token_endpoint_auth_method.as_ref(),
            &secret,
        ),
        secret,
        redirect_uris: oauth.redirect_uris.clone(),
        scope: Some(
            oauth
                .static_client
                .scope
                .clone()
                .unwrap_or(oauth.default_scope.clone()),
        ),
        post_logout_redirect_uris: oauth
            .static_client
            .post_logout_redirect_uris
            .clone()
            .unwrap_or_default(),
    };
    let mut clients = IndexMap::from([("static".to_owned(), static_client)]);
    for client in &oauth.clients {
        clients.insert(client.client_id.clone(), seeded_client(client));
    }
    clients
}

fn seeded_client(client: &ClientSettings) -> ClientInfo {
    let secret = client.client_secret.as_ref().map(|s| s.expose().to_owned());
    ClientInfo {
        id: client.client_id.clone(),
        auth_method: auth_method(client.token_endpoint_auth_method.as_ref(), &secret),
        secret,
        redirect_uris: client.redirect_uris.clone(),
        scope: client.scope.clone(),
        post_logout_redirect_uris: client.post_logout_redirect_uris.clone().unwrap_or_default(),
    }
}

/// The configured method, else `client_secret_post` for a client with a secret, else `none`.
fn auth_method(configured: Option<&String>, secret: &Option<String>) -> String {
    match (configured, secret) {
        (Some(method), _) => method.clone(),
        (None, Some(_)) => "client_secret_post".to_owned(),
        (None, None) => "none".to_owned(),
    }
}

fn users_of(settings: &Settings) -> IndexMap<String, UserInfo> {
    let mut users = IndexMap::new();
    for user in &settings.users {
        let info = UserInfo {
            email: user.email.clone(),
            password: user
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default(),
            name: user.name.clone(),
        };
        if users.is_empty() {
            users.insert("default".to_owned(), info.clone());
        }
        let local = user
            .email
            .split('@')
            .next()
            .unwrap_or(&user.email)
            .to_owned();
        users.insert(local, info);
    }
    users
}
