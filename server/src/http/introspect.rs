//! `POST {I}/introspect (spec §2.7, R.8)`. Not yet implemented.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Handles the endpoint.
pub async fn introspect() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
