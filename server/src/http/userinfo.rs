//! `GET|POST {I}/userinfo` (spec §2.8, R.8): the claims about the user behind an access token,
//! sent as `Authorization: Bearer` or, on POST, as the form's `access_token` (RFC 6750 §2.2).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::AppState;
use super::params::FormParams;
use super::response::{error_response, json};
use crate::protocol::EndpointError;
use crate::protocol::userinfo::{self, Presented};

/// GET: the token in the `Authorization` header.
pub async fn get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let authorization = authorization(&headers);
    let presented = Presented {
        authorization: authorization.as_deref(),
        form_token: None,
    };
    respond(&state, presented).await
}

/// POST: the token in the `Authorization` header or the form body.
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormParams(form): FormParams,
) -> Response {
    let authorization = authorization(&headers);
    let presented = Presented {
        authorization: authorization.as_deref(),
        form_token: form.last("access_token"),
    };
    respond(&state, presented).await
}

async fn respond(state: &AppState, presented: Presented<'_>) -> Response {
    match userinfo::userinfo(&state.services, presented).await {
        Ok(claims) => json(StatusCode::OK, claims.into()),
        Err(error) => error_response(&error.to_oauth(), state.issuer()),
    }
}

/// The `Authorization` header's value; bytes that are not UTF-8 are replaced, so such a header
/// still reads as a (bad) credential rather than as no header.
fn authorization(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}
