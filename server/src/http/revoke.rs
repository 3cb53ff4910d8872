//! `POST {I}/revoke (spec §2.6, R.8)`. Not yet implemented.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Handles the endpoint.
pub async fn revoke() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
