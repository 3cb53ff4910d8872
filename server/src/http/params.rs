//! Request parameters from a query string or a form body, where a repeated key's last value
//! wins (spec §2.2.1) and every value can still be listed (several `resource` values, R.6).

use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::protocol::{ErrorCode, OAuthError};

/// Decoded `name=value` pairs in the order they were sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `application/x-www-form-urlencoded` text (a query string or a form body).
    /// Invalid UTF-8 is replaced, never a failure.
    pub fn parse(encoded: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(encoded).into_owned().collect())
    }

    /// The last value sent for `name`.
    pub fn last(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The last value sent for `name`, treating an empty value as absent.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.last(name).filter(|v| !v.is_empty())
    }

    /// Every value sent for `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The pairs as sent.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The query string's parameters.
pub struct QueryParams(pub Params);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for QueryParams {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(Self(Params::parse(query.as_bytes())))
    }
}

/// A form body's parameters. A body of another content type reads as empty (spec §2.4.1); a
/// body that cannot be read (too large) is `invalid_request`.
pub struct FormParams(pub Params);

impl<S: Send + Sync> FromRequest<S> for FormParams {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let body = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| unreadable_body())?;
        if !is_form {
            return Ok(Self(Params::default()));
        }
        Ok(Self(Params::parse(&body)))
    }
}

fn unreadable_body() -> Response {
    let error = OAuthError::bad_request(
        ErrorCode::InvalidRequest,
        Some("request body could not be read".into()),
    );
    super::response::error_response(&error, "").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_value_wins_and_all_lists_every_value() {
        let params = Params::parse(b"resource=a&scope=user&resource=b+c&empty=");
        assert_eq!(params.last("resource"), Some("b c"));
        assert_eq!(params.all("resource"), ["a", "b c"]);
        assert_eq!(params.non_empty("empty"), None);
        assert_eq!(params.last("missing"), None);
    }

    #[test]
    fn invalid_percent_encoding_does_not_fail() {
        let params = Params::parse(b"a=%ff%&b=%zz");
        assert!(params.last("a").is_some());
        assert_eq!(params.last("b"), Some("%zz"));
    }
}
