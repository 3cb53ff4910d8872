//! The route table of spec §2.0 (with R.7 and R.8: GET and POST at userinfo and end-session),
//! plus the host's login and signup pages.

use axum::Router;
use axum::routing::{get, post};

use super::{
    AppState, authorize, end_session, introspect, login, metadata, register, revoke, token,
    userinfo,
};
use crate::host;

/// Builds the whole application: the OAuth routes under the issuer's path, the well-known
/// documents at the root, and the host pages.
pub fn router(state: AppState) -> Router {
    let oauth_path = state.services.config.oauth_path.clone();
    let oauth = oauth_routes();
    let app = if oauth_path.is_empty() || oauth_path == "/" {
        Router::new().merge(oauth)
    } else {
        Router::new().nest(&oauth_path, oauth)
    };
    app.merge(metadata::root_routes(&state.services.config))
        .merge(host::routes())
        .with_state(state)
}

fn oauth_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(metadata::authorization_server),
        )
        .route(
            "/.well-known/openid-configuration",
            get(metadata::openid_configuration),
        )
        .route("/authorize", get(authorize::get).post(authorize::post))
        .route("/login", get(login::handoff))
        .route("/login/callback", get(login::callback))
        .route("/token", post(token::token))
        .route("/register", post(register::register))
        .route("/revoke", post(revoke::revoke))
        .route("/introspect", post(introspect::introspect))
        .route("/userinfo", get(userinfo::get).post(userinfo::post))
        .route(
            "/end-session",
            get(end_session::get).post(end_session::post),
        )
}
