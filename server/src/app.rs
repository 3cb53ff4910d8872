//! Assembling the application from settings: the store, the static and seeded clients, the
//! seeded users, and the router with its body limit, JSON fallbacks and request tracing.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::config::{ConfigError, ServerConfig, Settings, UserSettings};
use crate::domain::{Clock, Secret};
use crate::host::users::{self, CreateUserError, NewUser};
use crate::http::{self, AppState, response};
use crate::protocol::Services;
use crate::store::{Engine, MemoryStore, SqlStore, Store, StoreError};

/// The largest request body accepted; larger form bodies are `invalid_request`.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Why the application could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store could not be opened, or refused a seeded record.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The failure.
        source: std::io::Error,
    },
}

/// The built application: its router and the services behind it.
#[derive(Clone)]
pub struct App {
    /// Every route, with the body limit, fallbacks and tracing applied.
    pub router: Router,
    /// Configuration, store and clock, shared with the router.
    pub services: Services,
}

impl App {
    /// Builds the application for resolved `config`: opens the store `settings.storage`
    /// names, writes the static and seeded clients and creates the seeded users.
    pub async fn build(
        settings: &Settings,
        config: ServerConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<App, StartError> {
        let store = open_store(&settings.storage, &config.fallback_secret).await?;
        let services = Services {
            config: Arc::new(config),
            store,
            clock,
        };

        for client in settings.clients()? {
            services.store.upsert_client(client).await?;
        }
        for (index, user) in settings.users.iter().enumerate() {
            seed_user(&services, index, user).await?;
        }

        let router = router(AppState {
            services: services.clone(),
        });
        Ok(App { router, services })
    }
}

/// The store `storage` names: `memory`, `sqlite:PATH` or `postgres://…`. A database store
/// seals what it must keep under a key derived from the server `secret`.
async fn open_store(storage: &str, secret: &Secret) -> Result<Arc<dyn Store>, StartError> {
    if matches!(storage, "memory" | "") {
        return Ok(Arc::new(MemoryStore::new()));
    }
    if Engine::parse(storage).is_none() {
        let message = format!("`{storage}` is none of memory, sqlite:PATH, postgres://…");
        return Err(ConfigError::invalid("storage", message).into());
    }
    Ok(Arc::new(SqlStore::open(storage, secret).await?))
}

/// Creates a seeded user unless the store has an account with that e-mail address already
/// (a persistent store keeps accounts across restarts; the settings are not re-applied to it).
async fn seed_user(
    services: &Services,
    index: usize,
    user: &UserSettings,
) -> Result<(), StartError> {
    let setting = format!("users[{index}]");
    let Some(password) = user.password.clone() else {
        return Err(ConfigError::invalid(format!("{setting}.password"), "is required").into());
    };
    // A persistent store keeps the account from an earlier start (or another instance's).
    if services.store.user_by_email(&user.email).await?.is_some() {
        tracing::info!(setting, "seeded user exists already; left as it is");
        return Ok(());
    }
    let now = services.clock.now();
    let new = NewUser {
        email: user.email.clone(),
        password,
        name: user.name.clone(),
        image: user.image.clone(),
        email_verified_at: user.email_verified.then_some(now),
    };
    match users::create(services, new).await {
        Ok(_) => Ok(()),
        // Settings with the address twice are refused before this, so another instance
        // starting on the same database created it in the meantime.
        Err(CreateUserError::Duplicate) => Ok(()),
        Err(CreateUserError::Failed) => Err(StoreError::Backend("cannot seed user".into()).into()),
    }
}

/// The route table plus what every route shares.
fn router(state: AppState) -> Router {
    http::router(state)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
}

/// A span per request with the method and path only: queries carry pending-authorization
/// handles and id_token hints, which must not reach the logs.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
    )
}

async fn not_found() -> Response {
    response::json(StatusCode::NOT_FOUND, json!({"detail": "Not Found"}))
}

async fn method_not_allowed() -> Response {
    response::json(
        StatusCode::METHOD_NOT_ALLOWED,
        json!({"detail": "Method Not Allowed"}),
    )
}
