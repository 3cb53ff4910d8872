//! The spec §6 fixture for protocol unit tests: issuer `http://testserver/auth/oauth`, static
//! client `test-client` / `test-secret`, resource `/mcp`, an in-memory store and a manual clock.

use std::sync::Arc;

use crate::config::{RegistrationPolicy, ResourceConfig, RootFallbacks, ServerConfig, Ttls};
use crate::domain::{ClientId, ManualClock, RedirectUri, Secret, Timestamp};
use crate::protocol::Services;
use crate::store::{Client, ClientMetadata, MemoryStore, Store};

/// The fixture's configuration.
pub fn config() -> ServerConfig {
    ServerConfig {
        issuer: "http://testserver/auth/oauth".into(),
        base_url: url::Url::parse("http://testserver").expect("static URL"),
        oauth_path: "/auth/oauth".into(),
        login_url: url::Url::parse("http://testserver/login/google").ok(),
        signup_url: url::Url::parse("http://testserver/signup").ok(),
        default_scope: "user".into(),
        ttl: Ttls {
            code: 300,
            access_token: 3600,
            refresh_token: 2_592_000,
            id_token: 36_000,
            state: 600,
            session_max_age: 604_800,
            session_update_age: 86_400,
        },
        enable_end_session: false,
        registration: RegistrationPolicy {
            enabled: false,
            anonymous: false,
        },
        resource: Some(ResourceConfig {
            url: "http://testserver/mcp".into(),
            scopes: Some(vec!["user".into()]),
        }),
        root_fallbacks: RootFallbacks {
            resource: true,
            oauth: true,
            openid: true,
        },
        fallback_secret: Secret::new("test-secret-key"),
        password_hashing: crate::config::PasswordHashing::default(),
        session_cookie: "belgie_session".into(),
    }
}

/// The static client `test-client` / `test-secret` with redirect `http://testserver/callback`.
pub fn static_client() -> Client {
    Client {
        client_id: ClientId::new("test-client"),
        client_secret: Some(Secret::new("test-secret")),
        redirect_uris: vec![RedirectUri::parse("http://testserver/callback").expect("static URI")],
        token_endpoint_auth_method: None,
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        response_types: vec!["code".into()],
        scope: Some("user".into()),
        metadata: ClientMetadata::default(),
        post_logout_redirect_uris: None,
        client_id_issued_at: None,
        enable_end_session: false,
    }
}

/// Services over `config`, an empty store holding only the static client, and a manual clock
/// at a fixed time (returned so tests can move it).
pub async fn services_with(config: ServerConfig) -> (Services, ManualClock) {
    let clock = ManualClock::new(Timestamp(1_700_000_000));
    let store = MemoryStore::new();
    store
        .upsert_client(static_client())
        .await
        .expect("memory store accepts the client");
    let services = Services {
        config: Arc::new(config),
        store: Arc::new(store),
        clock: Arc::new(clock.clone()),
    };
    (services, clock)
}

/// [`services_with`] the fixture's configuration.
pub async fn services() -> (Services, ManualClock) {
    services_with(config()).await
}
