//! The metadata documents (spec §2.1, R.8): under the issuer and at the root. Not yet
//! implemented.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::config::ServerConfig;

/// `{I}/.well-known/oauth-authorization-server`.
pub async fn authorization_server() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// `{I}/.well-known/openid-configuration`.
pub async fn openid_configuration() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// The root-level locations: path insertion, fallbacks, protected-resource metadata.
pub fn root_routes(_config: &ServerConfig) -> Router<AppState> {
    Router::new()
}
