//! `GET {I}/login` and `GET {I}/login/callback` (spec §2.3, R.3). Not yet implemented.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The hand-off to the host's login or signup page.
pub async fn handoff() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// The return point after sign-in; issues the code.
pub async fn callback() -> Response {
    StatusCode::NOT_IMPLEMENTED.into_response()
}
