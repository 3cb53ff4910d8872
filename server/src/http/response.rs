//! The one place that turns protocol errors into HTTP responses, and the JSON response helpers
//! every handler uses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::protocol::{Challenge, OAuthError, Reply, Shape};

/// Renders an endpoint error: a redirect to the client, or a JSON body with its status.
pub fn error_response(error: &OAuthError, issuer: &str) -> Response {
    match &error.reply {
        Reply::Redirect {
            redirect_uri,
            state,
        } => error_redirect(error, redirect_uri, state, issuer),
        Reply::BadRequest => error_json(StatusCode::BAD_REQUEST, error, None),
        Reply::Unauthorized(challenge) => {
            error_json(StatusCode::UNAUTHORIZED, error, challenge.as_ref())
        }
        Reply::Forbidden(challenge) => error_json(StatusCode::FORBIDDEN, error, challenge.as_ref()),
        Reply::ServerError => error_json(StatusCode::INTERNAL_SERVER_ERROR, error, None),
    }
}

fn error_json(status: StatusCode, error: &OAuthError, challenge: Option<&Challenge>) -> Response {
    let body = match error.shape {
        Shape::OAuth => match &error.description {
            Some(description) => {
                json!({"error": error.code.as_str(), "error_description": description})
            }
            None => json!({"error": error.code.as_str()}),
        },
        Shape::Detail => {
            let detail = error.description.as_deref().unwrap_or(error.code.as_str());
            json!({ "detail": detail })
        }
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(value) = challenge.and_then(|c| challenge_header(c, error)) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn challenge_header(challenge: &Challenge, error: &OAuthError) -> Option<HeaderValue> {
    let text = match challenge {
        Challenge::Basic => "Basic realm=\"oauth\"".to_owned(),
        Challenge::Bearer => format!("Bearer error=\"{}\"", error.code.as_str()),
    };
    HeaderValue::from_str(&text).ok()
}

fn error_redirect(
    error: &OAuthError,
    redirect_uri: &url::Url,
    state: &Option<String>,
    issuer: &str,
) -> Response {
    let mut target = redirect_uri.clone();
    {
        let mut pairs = target.query_pairs_mut();
        pairs.append_pair("error", error.code.as_str());
        if let Some(description) = &error.description {
            pairs.append_pair("error_description", description);
        }
        if let Some(state) = state {
            pairs.append_pair("state", state);
        }
        pairs.append_pair("iss", issuer);
    }
    redirect(target.as_str())
}

/// A 302 to `location`.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A JSON response.
pub fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A JSON response with `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1,
/// RFC 7591 §3.2.1).
pub fn json_no_store(status: StatusCode, body: serde_json::Value) -> Response {
    no_store(json(status, body))
}

/// `response` with `Cache-Control: no-store` and `Pragma: no-cache` added: the token endpoint's
/// errors carry them too (R.5).
pub fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
