//! The HTTP layer: axum routes, parameter extraction that turns malformed input into RFC
//! errors, thin handlers that call the protocol, and one place that maps errors to responses.

mod authorize;
mod browser;
mod client_credentials;
mod end_session;
mod introspect;
mod login;
mod metadata;
pub mod params;
mod register;
pub mod response;
mod revoke;
mod router;
mod state;
mod token;
mod userinfo;

pub use router::router;
pub use state::AppState;
