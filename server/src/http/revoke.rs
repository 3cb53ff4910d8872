//! `POST {I}/revoke` (spec §2.6, R.8): 200 `{}` once the client is authenticated and a token
//! is named.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::AppState;
use super::client_credentials::presented;
use super::params::FormParams;
use super::response::{error_response, json};
use crate::protocol::EndpointError;
use crate::protocol::revoke::{self, RevokeRequest};

/// Handles the endpoint.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormParams(params): FormParams,
) -> Response {
    let request = RevokeRequest {
        client: presented(&headers, &params),
        token: params.last("token"),
        token_type_hint: params.last("token_type_hint"),
    };
    match revoke::revoke(&state.services, &request).await {
        Ok(()) => json(StatusCode::OK, json!({})),
        Err(error) => error_response(&error.to_oauth(), state.issuer()),
    }
}
