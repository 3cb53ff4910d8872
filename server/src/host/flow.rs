//! The OAuth flow a login or signup page serves, if any: the login context (spec §2.3) and
//! the client asking, and the one place that decides where a page may send the browser next.

use crate::domain::PendingHandle;
use crate::protocol::Services;
use crate::protocol::login::{self, LoginContext, LoginError};

/// Where a page sends a signed-in browser when it serves no flow.
pub const SIGNED_IN_PAGE: &str = "/account";

/// A pending authorization a page serves.
#[derive(Clone, Debug)]
pub struct Flow {
    /// The login context.
    pub context: LoginContext,
    /// The client that asked, when the pending authorization is still there to say.
    pub client_id: Option<String>,
}

/// What a page learns from its `state` and `return_to`.
#[derive(Clone, Debug)]
pub enum PageFlow {
    /// A plain visit: no flow.
    None,
    /// A live flow.
    Pending(Flow),
    /// A flow was named but cannot continue; the message says why, for a person.
    Broken(&'static str),
}

/// Looks up the flow named by `state` or `return_to` (spec §2.3 `resolve_login_context`).
pub async fn lookup(services: &Services, state: Option<&str>, return_to: Option<&str>) -> PageFlow {
    let state = state.filter(|s| !s.is_empty());
    let return_to = return_to.filter(|r| !r.is_empty());
    if state.is_none() && return_to.is_none() {
        return PageFlow::None;
    }
    if state.is_none() && return_to.is_some_and(|r| !is_callback(services, r)) {
        return PageFlow::Broken("The address this page was given is not part of this server.");
    }
    match login::resolve_context(services, state, return_to).await {
        Ok(context) => {
            let client_id = client_of(services, &context.state).await;
            PageFlow::Pending(Flow { context, client_id })
        }
        Err(LoginError::MissingState | LoginError::InvalidState) => PageFlow::Broken(
            "This sign-in request is unknown or has expired. Start again from the application.",
        ),
        Err(_) => PageFlow::Broken("Something went wrong. Please try again."),
    }
}

/// The client of the pending authorization with this handle.
async fn client_of(services: &Services, state: &str) -> Option<String> {
    let digest = PendingHandle::from_presented(state).digest();
    let pending = services.store.pending(&digest).await.ok()??;
    Some(pending.client_id.as_str().to_owned())
}

/// Where to send the browser after signing in: `return_to` when it is this issuer's
/// `/login/callback` URL, else the signed-in page. Anything else would be an open redirect.
pub fn next_location(services: &Services, return_to: Option<&str>) -> String {
    return_to
        .and_then(|target| callback(services, target))
        .map_or_else(|| SIGNED_IN_PAGE.to_owned(), String::from)
}

/// Whether `target` is `{I}/login/callback`, with any query.
pub fn is_callback(services: &Services, target: &str) -> bool {
    callback(services, target).is_some()
}

/// `target`, parsed, when it is `{I}/login/callback` with any query: same origin and path, no
/// credentials, no fragment. The parsed form is what a redirect uses, so a string the parser
/// reads differently from a browser cannot slip through.
fn callback(services: &Services, target: &str) -> Option<url::Url> {
    let expected = url::Url::parse(&services.config.issuer_url("/login/callback")).ok()?;
    let url = url::Url::parse(target).ok()?;
    let same_place = url.origin() == expected.origin() && url.path() == expected.path();
    let clean = url.username().is_empty() && url.password().is_none() && url.fragment().is_none();
    (same_place && clean).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::fixture;

    #[tokio::test]
    async fn only_this_issuers_callback_is_a_place_to_return_to() {
        let (services, _clock) = fixture::services().await;
        let ok = "http://testserver/auth/oauth/login/callback?state=abc";
        assert_eq!(next_location(&services, Some(ok)), ok);
        for refused in [
            "https://evil.example/auth/oauth/login/callback?state=abc",
            "http://testserver.evil.example/auth/oauth/login/callback?state=abc",
            "http://testserver:8080/auth/oauth/login/callback?state=abc",
            "http://user@testserver/auth/oauth/login/callback?state=abc",
            "http://testserver/auth/oauth/login/callback/../../../elsewhere",
            "http://testserver/auth/oauth/login/callback#x",
            "//evil.example/auth/oauth/login/callback",
            "/auth/oauth/login/callback?state=abc",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                next_location(&services, Some(refused)),
                SIGNED_IN_PAGE,
                "{refused}"
            );
        }
        assert_eq!(next_location(&services, None), SIGNED_IN_PAGE);
    }
}
