//! `POST {I}/register` (spec §2.5, R.1): dynamic client registration.
//!
//! The body is read as raw bytes whatever its content type, so malformed JSON becomes an
//! RFC-shaped `invalid_request` rather than the framework's rejection. Errors, like success,
//! carry `Cache-Control: no-store` and `Pragma: no-cache` (RFC 7591 §3.2).

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::AppState;
use super::response::{error_response, json_no_store, no_store};
use crate::host::session;
use crate::protocol::EndpointError;
use crate::protocol::register::{self, Caller, RegisterError};

/// Registers a client.
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match run(&state, &headers, body).await {
        Ok(body) => json_no_store(StatusCode::CREATED, body),
        Err(error) => no_store(error_response(&error.to_oauth(), state.issuer())),
    }
}

async fn run(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<serde_json::Value, RegisterError> {
    let services = &state.services;
    let request = register::read_request(services, body.as_deref().ok())?;
    let caller = match session::current(services, headers).await {
        Ok(Some(_)) => Caller::SignedIn,
        Ok(None) => Caller::Anonymous,
        Err(_) => return Err(RegisterError::Server),
    };
    let registered = register::register(services, request, caller).await?;
    Ok(registered.response_body())
}
