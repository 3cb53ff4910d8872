//! `GET|POST {I}/authorize` (spec §2.2, R.2–R.4, R.6): parameters from the query or the form
//! body, the signed-in user and the binding cookie, then the protocol's answer as a redirect or
//! an error.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::params::{FormParams, Params, QueryParams};
use super::{AppState, browser, response};
use crate::protocol::EndpointError;
use crate::protocol::authorize::{self, AuthorizeOutcome, AuthorizeRequest};

/// GET: parameters from the query.
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryParams(params): QueryParams,
) -> Response {
    handle(&state, &headers, &params).await
}

/// POST: parameters from the form body.
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormParams(params): FormParams,
) -> Response {
    handle(&state, &headers, &params).await
}

async fn handle(state: &AppState, headers: &HeaderMap, params: &Params) -> Response {
    let services = &state.services;
    let request =
        AuthorizeRequest::from_pairs(params.pairs().iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let subject = match browser::subject(services, headers).await {
        Ok(subject) => subject,
        Err(response) => return response,
    };

    match authorize::authorize(services, &request, subject, browser::binding(headers)).await {
        Ok(AuthorizeOutcome::CodeIssued { location }) => response::redirect(&location),
        Ok(AuthorizeOutcome::SignIn { location, binding }) => {
            browser::set_binding(response::redirect(&location), &services.config, &binding)
        }
        Err(error) => response::error_response(&error.to_oauth(), state.issuer()),
    }
}
