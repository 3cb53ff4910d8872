//! `GET|POST {I}/end-session` (spec §2.9, R.7): RP-initiated logout, with the parameters in the
//! query (GET) or the form body (POST).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::params::{FormParams, Params, QueryParams};
use super::response::{error_response, json, redirect};
use crate::protocol::EndpointError;
use crate::protocol::end_session::{self, EndSessionRequest, LoggedOut};

/// GET: parameters in the query.
pub async fn get(State(state): State<AppState>, QueryParams(params): QueryParams) -> Response {
    respond(&state, &params).await
}

/// POST: parameters in the form body.
pub async fn post(State(state): State<AppState>, FormParams(params): FormParams) -> Response {
    respond(&state, &params).await
}

async fn respond(state: &AppState, params: &Params) -> Response {
    let request = EndSessionRequest {
        id_token_hint: params.non_empty("id_token_hint"),
        client_id: params.non_empty("client_id"),
        post_logout_redirect_uri: params.non_empty("post_logout_redirect_uri"),
        state: params.non_empty("state"),
    };
    match end_session::end_session(&state.services, request).await {
        Ok(LoggedOut::Redirect(target)) => redirect(target.as_str()),
        Ok(LoggedOut::Done) => json(StatusCode::OK, serde_json::json!({})),
        Err(error) => error_response(&error.to_oauth(), state.issuer()),
    }
}
