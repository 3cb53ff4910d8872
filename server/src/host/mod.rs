//! What Belgie's host app provides: users, sessions in the `belgie_session` cookie, the login
//! and signup pages, and the login-context lookup those pages use.

pub mod session;
pub mod users;

use axum::Router;

use crate::http::AppState;

/// The host's routes (login and signup pages). Not yet implemented.
pub fn routes() -> Router<AppState> {
    Router::new()
}
