//! `POST {I}/introspect` (spec §2.7, R.8): the caller's own active tokens described, all
//! others `{"active": false}`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::AppState;
use super::client_credentials::presented;
use super::params::FormParams;
use super::response::{error_response, json_no_store};
use crate::protocol::EndpointError;
use crate::protocol::introspect::{self, IntrospectRequest};

/// Handles the endpoint.
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormParams(params): FormParams,
) -> Response {
    let request = IntrospectRequest {
        client: presented(&headers, &params),
        token: params.last("token"),
        token_type_hint: params.last("token_type_hint"),
    };
    match introspect::introspect(&state.services, &request).await {
        // The answer describes a token, so caches must not keep it.
        Ok(answer) => json_no_store(StatusCode::OK, answer.to_json()),
        Err(error) => error_response(&error.to_oauth(), state.issuer()),
    }
}
