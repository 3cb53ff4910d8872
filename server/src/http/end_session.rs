//! `GET|POST {I}/end-session (spec §2.9, R.7)`. Not yet implemented.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// GET.
pub async fn get() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// POST.
pub async fn post() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
