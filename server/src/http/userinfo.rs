//! `GET|POST {I}/userinfo (spec §2.8, R.8)`. Not yet implemented.

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
