//! What the server knows about the browser behind a request: the signed-in user (from the
//! host session cookie) and the `belgie_oauth_binding` cookie that ties pending authorizations
//! to the browser that began them (R.3).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::config::ServerConfig;
use crate::domain::BrowserBinding;
use crate::host::session;
use crate::protocol::authorize::Subject;
use crate::protocol::{OAuthError, Services};

/// The binding cookie's name.
pub const BINDING_COOKIE: &str = "belgie_oauth_binding";

/// The signed-in user, or the 500 to answer when the session store failed.
pub async fn subject(
    services: &Services,
    headers: &HeaderMap,
) -> Result<Option<Subject>, Response> {
    match session::current(services, headers).await {
        Ok(signed_in) => Ok(signed_in.map(|s| Subject {
            user_id: s.user.id,
            session_id: s.session.id,
        })),
        Err(error) => {
            tracing::error!(%error, "session lookup failed");
            let issuer = &services.config.issuer;
            Err(super::response::error_response(
                &OAuthError::server_error(),
                issuer,
            ))
        }
    }
}

/// The binding the browser sent, if it has the form the server mints (32 lowercase hex); any
/// other value is ignored, so a planted cookie is replaced rather than adopted.
pub fn binding(headers: &HeaderMap) -> Option<BrowserBinding> {
    let jar = CookieJar::from_headers(headers);
    let value = jar.get(BINDING_COOKIE)?.value();
    let minted_form = value.len() == 32
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    minted_form.then(|| BrowserBinding::from_presented(value))
}

/// Adds `Set-Cookie` for `binding` to `response`: HttpOnly, SameSite=Lax, scoped to the
/// issuer's path, and Secure when the issuer is served over https.
pub fn set_binding(
    mut response: Response,
    config: &ServerConfig,
    binding: &BrowserBinding,
) -> Response {
    let path = if config.oauth_path.is_empty() {
        "/".to_owned()
    } else {
        config.oauth_path.clone()
    };
    let cookie = Cookie::build((BINDING_COOKIE, binding.expose().to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path(path)
        .secure(config.issuer.starts_with("https://"))
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
