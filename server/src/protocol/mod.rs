//! The protocol rules of each endpoint, in the order the spec gives them, as functions over
//! typed requests that return typed outcomes or RFC errors. Nothing here knows about axum;
//! storage is reached only through the [`Store`] trait.

pub mod authorize;
pub mod claims;
pub mod client_auth;
pub mod end_session;
pub mod error;
#[cfg(test)]
pub mod fixture;
pub mod id_token;
pub mod introspect;
pub mod login;
pub mod metadata;
pub mod register;
pub mod resource;
pub mod revoke;
pub mod signing_key;
pub mod token;
pub mod token_hint;
pub mod userinfo;

use std::sync::Arc;

use crate::config::ServerConfig;
use crate::domain::Clock;
use crate::store::Store;

pub use error::{Challenge, EndpointError, ErrorCode, OAuthError, Reply, Shape};

/// What every protocol function works with: configuration, storage and the clock.
#[derive(Clone)]
pub struct Services {
    /// Resolved configuration.
    pub config: Arc<ServerConfig>,
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}
