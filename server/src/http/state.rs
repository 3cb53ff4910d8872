//! The state every handler receives.

use crate::protocol::Services;

/// Shared by all handlers: the protocol's services.
#[derive(Clone)]
pub struct AppState {
    /// Configuration, storage and clock.
    pub services: Services,
}

impl AppState {
    /// The issuer, for `iss` on redirects.
    pub fn issuer(&self) -> &str {
        &self.services.config.issuer
    }
}
