//! What Belgie's host app provides: users, sessions in the `belgie_session` cookie, the login
//! and signup pages, and the login-context lookup those pages use (spec §1.1, §2.3, R.9).

mod account;
mod context;
pub mod flow;
mod forms;
pub mod html;
mod pages;
pub mod session;
pub mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::http::AppState;

/// The host's routes: the sign-in and sign-up pages, the login context, the signed-in page
/// and sign-out.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(account::home))
        .route("/login", get(forms::login_page).post(forms::login_submit))
        .route(
            "/signup",
            get(forms::signup_page).post(forms::signup_submit),
        )
        .route("/login/context", get(context::login_context))
        .route("/account", get(account::account_page))
        .route("/logout", post(account::logout))
}
