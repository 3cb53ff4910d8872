//! `POST {I}/token (spec §2.4, R.5)`. Not yet implemented.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Handles the endpoint.
pub async fn token() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
