//! Reading the host session: the `belgie_session` cookie must hold a UUID naming a live
//! session (spec §1.1); sessions slide forward as they are used.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::CookieJar;

use crate::config::ServerConfig;
use crate::domain::SessionId;
use crate::protocol::Services;
use crate::store::{Session, StoreResult, User};

/// A signed-in user and the session they signed in with.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The user.
    pub user: User,
    /// The session.
    pub session: Session,
}

/// The signed-in user for a request, if its session cookie names a live session of an
/// existing user. Anything else (no cookie, not a UUID, unknown, expired) is "not signed in".
pub async fn current(services: &Services, headers: &HeaderMap) -> StoreResult<Option<SignedIn>> {
    let jar = CookieJar::from_headers(headers);
    let Some(id) = jar
        .get(&services.config.session_cookie)
        .and_then(|cookie| SessionId::parse(cookie.value()))
    else {
        return Ok(None);
    };
    let now = services.clock.now();
    let Some(session) = services.store.session(id).await? else {
        return Ok(None);
    };
    if session.expires_at.has_passed(now) {
        return Ok(None);
    }
    let Some(user) = services.store.user(session.user_id).await? else {
        return Ok(None);
    };
    let session = slide(services, session).await?;
    Ok(Some(SignedIn { user, session }))
}

/// Extends a session once `update_age` has passed since it was last extended.
async fn slide(services: &Services, mut session: Session) -> StoreResult<Session> {
    let ttl = &services.config.ttl;
    let now = services.clock.now();
    let refreshed_at = session.expires_at.plus(-ttl.session_max_age);
    if refreshed_at.plus(ttl.session_update_age).has_passed(now) {
        session.expires_at = now.plus(ttl.session_max_age);
        services
            .store
            .extend_session(session.id, session.expires_at)
            .await?;
    }
    Ok(session)
}

/// Starts a host session for `user_id`, lasting `session.max_age`. Its id is the cookie value.
pub async fn start(services: &Services, user_id: crate::domain::UserId) -> StoreResult<Session> {
    let now = services.clock.now();
    let session = Session {
        id: SessionId::generate(),
        user_id,
        created_at: now,
        expires_at: now.plus(services.config.ttl.session_max_age),
    };
    services.store.insert_session(session.clone()).await?;
    Ok(session)
}

/// The `Set-Cookie` value that gives the browser `session` (HttpOnly, SameSite=Lax, Path=/,
/// Secure when the issuer is https).
pub fn cookie(config: &ServerConfig, session: &Session) -> String {
    format!(
        "{}={}; Max-Age={}; Path=/; HttpOnly; SameSite=Lax{}",
        config.session_cookie,
        session.id,
        config.ttl.session_max_age,
        secure_attribute(config)
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(config: &ServerConfig) -> String {
    format!(
        "{}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax{}",
        config.session_cookie,
        secure_attribute(config)
    )
}

fn secure_attribute(config: &ServerConfig) -> &'static str {
    if config.issuer.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// The session id the request's cookie names, live or not.
pub fn presented(config: &ServerConfig, headers: &HeaderMap) -> Option<SessionId> {
    CookieJar::from_headers(headers)
        .get(&config.session_cookie)
        .and_then(|cookie| SessionId::parse(cookie.value()))
}
