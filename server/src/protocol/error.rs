//! The RFC error codes (a closed enum, each wire string written once) and how an endpoint's
//! error reaches the caller. Each endpoint has its own error enum that converts into
//! [`OAuthError`]; `crate::http::response` is the one place that turns that into HTTP.

use std::borrow::Cow;

/// An OAuth / OIDC error code (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7591 §3.2.2,
/// RFC 8707 §2, OIDC Core §3.1.2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// `invalid_request`.
    InvalidRequest,
    /// `invalid_client`.
    InvalidClient,
    /// `invalid_grant`.
    InvalidGrant,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `unsupported_response_type`.
    UnsupportedResponseType,
    /// `invalid_scope`.
    InvalidScope,
    /// `invalid_target`.
    InvalidTarget,
    /// `access_denied`.
    AccessDenied,
    /// `login_required`.
    LoginRequired,
    /// `invalid_token`.
    InvalidToken,
    /// `insufficient_scope`.
    InsufficientScope,
    /// `invalid_client_metadata`.
    InvalidClientMetadata,
    /// `invalid_redirect_uri`.
    InvalidRedirectUri,
    /// `server_error`.
    ServerError,
}

impl ErrorCode {
    /// The code as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidTarget => "invalid_target",
            Self::AccessDenied => "access_denied",
            Self::LoginRequired => "login_required",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::ServerError => "server_error",
        }
    }
}

/// The `WWW-Authenticate` challenge an error carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="…"` after a failed Basic attempt (RFC 6749 §5.2).
    Basic,
    /// `Bearer error="…"` at a protected resource (RFC 6750 §3).
    Bearer,
}

/// How an error reaches the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// 400 with a JSON body.
    BadRequest,
    /// 401 with a JSON body, and a challenge when the RFC demands one.
    Unauthorized(Option<Challenge>),
    /// 403 with a JSON body, and a challenge when the RFC demands one.
    Forbidden(Option<Challenge>),
    /// 302 to the client's trusted redirect URI with `error`, `error_description`, `state`
    /// (when the client sent one) and `iss` (RFC 6749 §4.1.2.1, RFC 9207).
    Redirect {
        /// The validated redirect URI.
        redirect_uri: url::Url,
        /// The client's `state`, echoed only when sent.
        state: Option<String>,
    },
    /// 500: the server itself failed (storage). Never for bad input.
    ServerError,
}

/// The JSON body's form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `{"error": …, "error_description": …}`.
    OAuth,
    /// `{"detail": …}`, the host framework's shape that Belgie's own routes use (spec §2.3).
    Detail,
}

/// An error ready to be rendered: what went wrong, in words, and how it reaches the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    /// The RFC code.
    pub code: ErrorCode,
    /// `error_description`, when the spec gives one.
    pub description: Option<Cow<'static, str>>,
    /// Status and channel.
    pub reply: Reply,
    /// Body shape.
    pub shape: Shape,
}

impl OAuthError {
    /// A 400 OAuth-shape error.
    pub fn bad_request(code: ErrorCode, description: Option<Cow<'static, str>>) -> Self {
        Self {
            code,
            description,
            reply: Reply::BadRequest,
            shape: Shape::OAuth,
        }
    }

    /// A 401 OAuth-shape error.
    pub fn unauthorized(
        code: ErrorCode,
        description: Option<Cow<'static, str>>,
        challenge: Option<Challenge>,
    ) -> Self {
        Self {
            code,
            description,
            reply: Reply::Unauthorized(challenge),
            shape: Shape::OAuth,
        }
    }

    /// A storage or other internal failure.
    pub fn server_error() -> Self {
        Self {
            code: ErrorCode::ServerError,
            description: None,
            reply: Reply::ServerError,
            shape: Shape::OAuth,
        }
    }

    /// The same error with the `{"detail": …}` body.
    pub fn with_detail_shape(mut self) -> Self {
        self.shape = Shape::Detail;
        self
    }
}

/// Implemented by every endpoint's error enum.
pub trait EndpointError {
    /// The renderable form.
    fn to_oauth(&self) -> OAuthError;
}
