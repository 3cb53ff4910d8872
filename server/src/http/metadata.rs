//! Serving the metadata documents (spec §2.0, §2.1, R.8): under the issuer, at the RFC 8414
//! path-inserted location, at the root fallbacks their flags allow, and the protected-resource
//! document at its RFC 9728 location.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::{AppState, response};
use crate::config::ServerConfig;
use crate::protocol::metadata::{
    self, OAUTH_WELL_KNOWN, OPENID_WELL_KNOWN, RESOURCE_WELL_KNOWN, url_path,
};

/// `{I}/.well-known/oauth-authorization-server` and its root locations.
pub async fn authorization_server(State(state): State<AppState>) -> Response {
    response::json(
        StatusCode::OK,
        metadata::authorization_server(&state.services.config),
    )
}

/// `{I}/.well-known/openid-configuration` and its root fallback.
pub async fn openid_configuration(State(state): State<AppState>) -> Response {
    response::json(
        StatusCode::OK,
        metadata::openid_configuration(&state.services.config),
    )
}

/// The protected-resource document; 404 when no resource is configured.
pub async fn protected_resource(State(state): State<AppState>) -> Response {
    match metadata::protected_resource(&state.services.config) {
        Some(document) => response::json(StatusCode::OK, document),
        None => response::json(StatusCode::NOT_FOUND, json!({"detail": "Not Found"})),
    }
}

/// The root-level locations the configuration calls for (spec §2.0). The documents under the
/// issuer are part of the OAuth routes.
pub fn root_routes(config: &ServerConfig) -> Router<AppState> {
    let mut routes = Router::new();
    // A host-only issuer's documents are the ones under the issuer; nothing to add then.
    let issuer_has_path = !url_path(&config.issuer).is_empty();
    if issuer_has_path {
        let inserted = metadata::authorization_server_path(&config.issuer);
        routes = routes.route(&inserted, get(authorization_server));
    }
    if issuer_has_path && config.root_fallbacks.oauth {
        routes = routes.route(OAUTH_WELL_KNOWN, get(authorization_server));
    }
    if issuer_has_path && config.root_fallbacks.openid {
        routes = routes.route(OPENID_WELL_KNOWN, get(openid_configuration));
    }

    if let Some(resource) = &config.resource {
        let resource_path = url_path(&resource.url);
        routes = routes.route(
            &metadata::protected_resource_path(&resource.url),
            get(protected_resource),
        );
        if !resource_path.is_empty() && config.root_fallbacks.resource {
            routes = routes.route(RESOURCE_WELL_KNOWN, get(protected_resource));
        }
    }
    routes
}
