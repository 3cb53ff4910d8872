//! `GET /login/context?state=…` or `?return_to=…`: the login context as JSON (spec §2.3
//! `resolve_login_context`, exposed for pages that are not built in and for the harness).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::http::params::QueryParams;
use crate::http::{AppState, response};
use crate::protocol::EndpointError;
use crate::protocol::login;

/// `{state, intent, prompt, return_to}`, or 400 `{"detail": "missing state"}` /
/// `{"detail": "Invalid state parameter"}`.
pub async fn login_context(
    State(state): State<AppState>,
    QueryParams(query): QueryParams,
) -> Response {
    let services = &state.services;
    match login::resolve_context(services, query.last("state"), query.last("return_to")).await {
        Ok(context) => response::json(
            StatusCode::OK,
            json!({
                "state": context.state,
                "intent": context.intent.as_str(),
                "prompt": context.prompt,
                "return_to": context.return_to,
            }),
        ),
        Err(error) => response::error_response(&error.to_oauth(), state.issuer()),
    }
}
