//! `POST {I}/token` (spec §2.4, R.5): every response, success or error, carries
//! `Cache-Control: no-store` and `Pragma: no-cache`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::AppState;
use super::client_credentials::presented;
use super::params::FormParams;
use super::response::{error_response, json_no_store, no_store};
use crate::protocol::EndpointError;
use crate::protocol::token::{self, TokenRequest};

/// Handles the endpoint.
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<FormParams, Response>,
) -> Response {
    let params = match form {
        Ok(FormParams(params)) => params,
        Err(rejection) => return no_store(rejection),
    };
    let request = TokenRequest {
        client: presented(&headers, &params),
        grant_type: params.last("grant_type"),
        code: params.last("code"),
        redirect_uri: params.last("redirect_uri"),
        code_verifier: params.last("code_verifier"),
        refresh_token: params.last("refresh_token"),
        scope: params.last("scope"),
        resource: params.all("resource"),
    };
    match token::exchange(&state.services, &request).await {
        Ok(issued) => json_no_store(StatusCode::OK, issued.to_json()),
        Err(error) => no_store(error_response(&error.to_oauth(), state.issuer())),
    }
}
