//! `GET {I}/login` and `GET {I}/login/callback` (spec §2.3, R.3): the hand-off to the host's
//! login or signup page, and the return point that issues the code to the browser that began
//! the flow.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::params::QueryParams;
use super::{AppState, browser, response};
use crate::protocol::EndpointError;
use crate::protocol::login;

/// The hand-off to the host's login or signup page.
pub async fn handoff(State(state): State<AppState>, QueryParams(params): QueryParams) -> Response {
    match login::handoff(&state.services, params.last("state")).await {
        Ok(location) => response::redirect(&location),
        Err(error) => response::error_response(&error.to_oauth(), state.issuer()),
    }
}

/// The return point after sign-in; issues the code.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryParams(params): QueryParams,
) -> Response {
    let services = &state.services;
    let subject = match browser::subject(services, &headers).await {
        Ok(subject) => subject,
        Err(response) => return response,
    };
    let binding = browser::binding(&headers);

    match login::callback(services, params.last("state"), subject, binding.as_ref()).await {
        Ok(location) => response::redirect(&location),
        Err(error) => response::error_response(&error.to_oauth(), state.issuer()),
    }
}
