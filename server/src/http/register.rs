//! `POST {I}/register (spec §2.5, R.1)`. Not yet implemented.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Handles the endpoint.
pub async fn register() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
