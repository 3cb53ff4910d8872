//! The signed-in page and signing out: `GET /account` and `POST /logout`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::forms::{failure, html, see_other};
use super::{pages, session};
use crate::http::AppState;

/// `GET /account`: who is signed in; the sign-in page when nobody is.
pub async fn account_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session::current(&state.services, &headers).await {
        Ok(Some(signed_in)) => html(StatusCode::OK, pages::account(&signed_in.user)),
        Ok(None) => see_other("/login", None),
        Err(_) => failure(),
    }
}

/// `POST /logout`: ends the host session the cookie names and clears the cookie.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let services = &state.services;
    if let Some(id) = session::presented(&services.config, &headers)
        && services.store.delete_session(id).await.is_err()
    {
        return failure();
    }
    see_other("/login", Some(&session::clear_cookie(&services.config)))
}

/// `GET /`: the signed-in page (which sends anonymous visitors to sign in).
pub async fn home() -> Response {
    see_other(super::flow::SIGNED_IN_PAGE, None)
}
