//! `GET|POST {I}/authorize` (spec §2.2, R.2–R.4, R.6). Not yet implemented.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// GET: parameters from the query.
pub async fn get() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// POST: parameters from the form body.
pub async fn post() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
