//! Dynamic client registration (spec §2.5 with R.1, RFC 7591).
//!
//! The order is fixed:
//! 1. registration disabled → 403 `access_denied`;
//! 2. a body that is not one JSON object → 400 `invalid_request`;
//! 3. bad metadata → 400 `invalid_redirect_uri` or `invalid_client_metadata`;
//! 4. an anonymous caller while anonymous registration is off → 401 `invalid_token`;
//! 5. the client is registered: public with `none`, confidential with a secret for
//!    `client_secret_post`, `client_secret_basic` or the method omitted (as
//!    `client_secret_post`).
//!
//! [`read_request`] does steps 1–3 and [`register`] steps 4–5, so the caller looks the session
//! up only for a request worth registering.

mod metadata;

use serde_json::{Map, Value};

use crate::domain::{ClientId, Secret, random_hex};
use crate::protocol::{EndpointError, ErrorCode, OAuthError, Reply, Services, Shape};
use crate::store::{AuthMethod, Client, StoreError};

pub use metadata::ClientRequest;
use metadata::MetadataError;

/// How many times a freshly generated client id may collide before registration gives up.
const ID_ATTEMPTS: usize = 3;

/// Why a registration failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// `allow_dynamic_client_registration` is off: 403 `access_denied`.
    #[error("client registration is disabled")]
    Disabled,
    /// The body is empty, not JSON, or not an object: 400 `invalid_request`.
    #[error("{0}")]
    Malformed(String),
    /// A missing, empty or bad `redirect_uris`: 400 `invalid_redirect_uri`.
    #[error("{0}")]
    InvalidRedirectUri(String),
    /// Any other bad member: 400 `invalid_client_metadata`.
    #[error("{0}")]
    InvalidMetadata(String),
    /// An anonymous caller while anonymous registration is off: 401 `invalid_token`.
    #[error("authentication required for client registration")]
    AuthenticationRequired,
    /// Storage failed.
    #[error("storage failed")]
    Server,
}

impl EndpointError for RegisterError {
    fn to_oauth(&self) -> OAuthError {
        let description = Some(self.to_string().into());
        match self {
            Self::Disabled => OAuthError {
                code: ErrorCode::AccessDenied,
                description,
                reply: Reply::Forbidden(None),
                shape: Shape::OAuth,
            },
            Self::Malformed(_) => OAuthError::bad_request(ErrorCode::InvalidRequest, description),
            Self::InvalidRedirectUri(_) => {
                OAuthError::bad_request(ErrorCode::InvalidRedirectUri, description)
            }
            Self::InvalidMetadata(_) => {
                OAuthError::bad_request(ErrorCode::InvalidClientMetadata, description)
            }
            Self::AuthenticationRequired => {
                OAuthError::unauthorized(ErrorCode::InvalidToken, description, None)
            }
            Self::Server => OAuthError::server_error(),
        }
    }
}

impl From<MetadataError> for RegisterError {
    fn from(error: MetadataError) -> Self {
        match error {
            MetadataError::Malformed(text) => Self::Malformed(text),
            MetadataError::RedirectUri(text) => Self::InvalidRedirectUri(text),
            MetadataError::Metadata(text) => Self::InvalidMetadata(text),
        }
    }
}

/// Who is registering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// No signed-in user.
    Anonymous,
    /// A user signed in to the host.
    SignedIn,
}

/// Steps 1–3: registration must be enabled and the body must be valid client metadata.
/// `body` is `None` when the request body could not be read at all (too large, cut off).
pub fn read_request(
    services: &Services,
    body: Option<&[u8]>,
) -> Result<ClientRequest, RegisterError> {
    if !services.config.registration.enabled {
        return Err(RegisterError::Disabled);
    }
    let Some(body) = body else {
        return Err(RegisterError::Malformed(
            "request body could not be read".into(),
        ));
    };
    Ok(metadata::parse(body)?)
}

/// Steps 4–5: checks the caller and stores the new client.
pub async fn register(
    services: &Services,
    request: ClientRequest,
    caller: Caller,
) -> Result<Registered, RegisterError> {
    if caller == Caller::Anonymous && !services.config.registration.anonymous {
        return Err(RegisterError::AuthenticationRequired);
    }

    let method = request
        .token_endpoint_auth_method
        .unwrap_or(AuthMethod::ClientSecretPost);
    let client_secret = (method != AuthMethod::None).then(|| Secret::new(random_hex(16)));
    let mut client = Client {
        client_id: ClientId::generate(),
        client_secret,
        redirect_uris: request.redirect_uris,
        token_endpoint_auth_method: Some(method),
        grant_types: request
            .grant_types
            .unwrap_or_else(|| vec!["authorization_code".into(), "refresh_token".into()]),
        response_types: request
            .response_types
            .unwrap_or_else(|| vec!["code".into()]),
        scope: request.scope,
        metadata: request.metadata,
        post_logout_redirect_uris: request.post_logout_redirect_uris,
        client_id_issued_at: Some(services.clock.now()),
        enable_end_session: false,
    };

    store_with_fresh_id(services, &mut client).await?;
    tracing::info!(
        client_id = %client.client_id,
        token_endpoint_auth_method = method.as_str(),
        signed_in = caller == Caller::SignedIn,
        "registered client"
    );
    Ok(Registered { client })
}

/// Inserts the client, drawing a new id if the generated one is taken.
async fn store_with_fresh_id(
    services: &Services,
    client: &mut Client,
) -> Result<(), RegisterError> {
    for _ in 0..ID_ATTEMPTS {
        match services.store.insert_client(client.clone()).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Conflict) => client.client_id = ClientId::generate(),
            Err(error) => {
                tracing::error!(%error, "storing a registered client failed");
                return Err(RegisterError::Server);
            }
        }
    }
    tracing::error!("no free client id after {ID_ATTEMPTS} attempts");
    Err(RegisterError::Server)
}

/// A newly registered client.
#[derive(Clone, Debug)]
pub struct Registered {
    client: Client,
}

impl Registered {
    /// The stored client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The RFC 7591 §3.2.1 response body: the registered metadata, `client_id`,
    /// `client_id_issued_at`, and with a secret `client_secret` and `client_secret_expires_at:
    /// 0` (never). Members without a value are omitted.
    pub fn response_body(&self) -> Value {
        let client = &self.client;
        let meta = &client.metadata;
        let mut body = Map::new();
        body.insert("client_id".into(), client.client_id.as_str().into());
        if let Some(issued_at) = client.client_id_issued_at {
            body.insert("client_id_issued_at".into(), issued_at.0.into());
        }
        if let Some(secret) = &client.client_secret {
            body.insert("client_secret".into(), secret.expose().into());
            body.insert("client_secret_expires_at".into(), 0.into());
        }
        let uris = |list: &[crate::domain::RedirectUri]| -> Value {
            list.iter()
                .map(|uri| uri.as_str())
                .collect::<Vec<_>>()
                .into()
        };
        body.insert("redirect_uris".into(), uris(&client.redirect_uris));
        put(
            &mut body,
            "token_endpoint_auth_method",
            client.token_endpoint_auth_method.map(AuthMethod::as_str),
        );
        body.insert("grant_types".into(), client.grant_types.clone().into());
        body.insert(
            "response_types".into(),
            client.response_types.clone().into(),
        );
        put(&mut body, "scope", client.scope.clone());
        put(&mut body, "client_name", meta.client_name.clone());
        put(&mut body, "client_uri", meta.client_uri.clone());
        put(&mut body, "logo_uri", meta.logo_uri.clone());
        put(&mut body, "contacts", meta.contacts.clone());
        put(&mut body, "tos_uri", meta.tos_uri.clone());
        put(&mut body, "policy_uri", meta.policy_uri.clone());
        put(&mut body, "jwks_uri", meta.jwks_uri.clone());
        put(&mut body, "jwks", meta.jwks.clone());
        put(&mut body, "software_id", meta.software_id.clone());
        put(&mut body, "software_version", meta.software_version.clone());
        put(
            &mut body,
            "post_logout_redirect_uris",
            client.post_logout_redirect_uris.as_deref().map(uris),
        );
        Value::Object(body)
    }
}

/// Adds `name` when it has a value.
fn put(body: &mut Map<String, Value>, name: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        body.insert(name.into(), value.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RegistrationPolicy;
    use crate::protocol::fixture;
    use serde_json::json;

    async fn services(enabled: bool, anonymous: bool) -> Services {
        let mut config = fixture::config();
        config.registration = RegistrationPolicy { enabled, anonymous };
        fixture::services_with(config).await.0
    }

    fn body(method: Option<&str>) -> Vec<u8> {
        let mut body = json!({"redirect_uris": ["https://app.example/cb"]});
        if let Some(method) = method {
            body["token_endpoint_auth_method"] = json!(method);
        }
        body.to_string().into_bytes()
    }

    async fn attempt(
        services: &Services,
        method: Option<&str>,
        caller: Caller,
    ) -> Result<Registered, RegisterError> {
        let request = read_request(services, Some(&body(method)))?;
        register(services, request, caller).await
    }

    #[tokio::test]
    async fn disabled_refuses_before_reading_the_body() {
        let services = services(false, true).await;
        assert_eq!(
            read_request(&services, Some(b"not json")).err(),
            Some(RegisterError::Disabled)
        );
        assert_eq!(
            read_request(&services, None).err(),
            Some(RegisterError::Disabled)
        );
        let error = RegisterError::Disabled.to_oauth();
        assert_eq!(error.code, ErrorCode::AccessDenied);
        assert_eq!(error.reply, Reply::Forbidden(None));
    }

    #[tokio::test]
    async fn bad_bodies_are_refused_before_the_caller_is_checked() {
        let services = services(true, false).await;
        let malformed = read_request(&services, Some(b"{")).err();
        assert!(matches!(malformed, Some(RegisterError::Malformed(_))));
        let unreadable = read_request(&services, None).err();
        assert!(matches!(unreadable, Some(RegisterError::Malformed(_))));
        let method = read_request(&services, Some(&body(Some("private_key_jwt")))).err();
        assert_eq!(
            method,
            Some(RegisterError::InvalidMetadata(
                "unsupported token_endpoint_auth_method: private_key_jwt".into()
            ))
        );
    }

    #[tokio::test]
    async fn anonymous_callers_need_the_setting() {
        let services = services(true, false).await;
        for method in [None, Some("none"), Some("client_secret_basic")] {
            let error = attempt(&services, method, Caller::Anonymous).await.err();
            assert_eq!(error, Some(RegisterError::AuthenticationRequired));
        }
        let oauth = RegisterError::AuthenticationRequired.to_oauth();
        assert_eq!(oauth.code, ErrorCode::InvalidToken);
        assert_eq!(oauth.reply, Reply::Unauthorized(None));
    }

    #[tokio::test]
    async fn every_supported_method_registers_for_every_permitted_caller() {
        let cases = [
            (true, Caller::Anonymous),
            (true, Caller::SignedIn),
            (false, Caller::SignedIn),
        ];
        for (anonymous, caller) in cases {
            let services = services(true, anonymous).await;
            let public = attempt(&services, Some("none"), caller)
                .await
                .expect("public");
            assert!(public.client().is_public());
            for method in ["client_secret_post", "client_secret_basic"] {
                let client = attempt(&services, Some(method), caller).await.expect("ok");
                assert_eq!(
                    client.client().token_endpoint_auth_method,
                    AuthMethod::parse(method)
                );
                assert!(!client.client().is_public());
            }
            let omitted = attempt(&services, None, caller).await.expect("omitted");
            assert_eq!(
                omitted.client().token_endpoint_auth_method,
                Some(AuthMethod::ClientSecretPost)
            );
        }
    }

    #[tokio::test]
    async fn a_registered_client_is_stored_with_defaults_and_an_issue_time() {
        let (services, clock) = {
            let mut config = fixture::config();
            config.registration = RegistrationPolicy {
                enabled: true,
                anonymous: true,
            };
            fixture::services_with(config).await
        };
        clock.advance(5);
        let registered = attempt(&services, None, Caller::Anonymous)
            .await
            .expect("ok");
        let id = registered.client().client_id.clone();
        assert!(id.as_str().starts_with("belgie_client_"));
        assert_eq!(id.as_str().len(), "belgie_client_".len() + 16);

        let stored = services
            .store
            .client(&id)
            .await
            .expect("store")
            .expect("stored");
        assert_eq!(stored.client_id_issued_at, Some(services.clock.now()));
        assert_eq!(stored.grant_types, ["authorization_code", "refresh_token"]);
        assert_eq!(stored.response_types, ["code"]);
        assert_eq!(stored.scope, None);
        assert!(!stored.enable_end_session);
        let secret = stored.client_secret.expect("a secret");
        assert_eq!(secret.expose().len(), 32);
        assert!(secret.expose().chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[tokio::test]
    async fn enable_end_session_in_the_request_is_dropped() {
        let services = services(true, true).await;
        let body = json!({
            "redirect_uris": ["https://app.example/cb"],
            "enable_end_session": true
        });
        let request = read_request(&services, Some(body.to_string().as_bytes())).expect("valid");
        let registered = register(&services, request, Caller::Anonymous)
            .await
            .expect("ok");
        assert!(!registered.client().enable_end_session);
        assert!(
            registered
                .response_body()
                .get("enable_end_session")
                .is_none()
        );
    }

    #[tokio::test]
    async fn the_response_omits_nulls_and_says_the_secret_never_expires() {
        let services = services(true, true).await;
        let confidential = attempt(&services, None, Caller::Anonymous)
            .await
            .expect("ok");
        let body = confidential.response_body();
        let secret = confidential
            .client()
            .client_secret
            .as_ref()
            .expect("secret");
        assert_eq!(body["client_secret"], secret.expose());
        assert_eq!(body["client_secret_expires_at"], 0);
        assert_eq!(body["token_endpoint_auth_method"], "client_secret_post");
        assert_eq!(body["redirect_uris"], json!(["https://app.example/cb"]));
        assert!(body["client_id_issued_at"].is_i64());
        assert!(
            body.as_object()
                .expect("object")
                .values()
                .all(|v| !v.is_null())
        );
        assert!(body.get("scope").is_none());
        assert!(body.get("client_name").is_none());

        let public = attempt(&services, Some("none"), Caller::Anonymous)
            .await
            .expect("ok");
        let body = public.response_body();
        assert!(body.get("client_secret").is_none());
        assert!(body.get("client_secret_expires_at").is_none());
        assert_eq!(body["token_endpoint_auth_method"], "none");
    }

    #[tokio::test]
    async fn the_response_echoes_what_was_registered() {
        let services = services(true, true).await;
        let sent = json!({
            "redirect_uris": ["https://app.example/cb"],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "client_credentials"],
            "response_types": ["code"],
            "scope": "user openid",
            "client_name": "App",
            "client_uri": "https://app.example",
            "contacts": ["ops@app.example"],
            "jwks": {"keys": []},
            "software_id": "app",
            "software_version": "2",
            "post_logout_redirect_uris": ["https://app.example/bye"]
        });
        let request = read_request(&services, Some(sent.to_string().as_bytes())).expect("valid");
        let body = register(&services, request, Caller::SignedIn)
            .await
            .expect("ok")
            .response_body();
        for (name, value) in sent.as_object().expect("object") {
            assert_eq!(&body[name], value, "member {name}");
        }
    }
}
