//! The UserInfo endpoint (spec §2.8 with R.8, OIDC Core §5.3, RFC 6750).
//!
//! The access token comes from `Authorization: Bearer` (scheme case-insensitive) or, on POST,
//! from the form's `access_token` (RFC 6750 §2.1–2.2), never both. Then: no token → 401
//! "authorization header not found"; unknown or expired → 401 `invalid_token`; every 401 with a
//! Bearer challenge; no `openid` → 403 `insufficient_scope`; no user behind the token (client
//! credentials) or the user is gone → 400 "user not found"; else the user's claims for the
//! token's scopes.

use serde_json::{Map, Value};

use crate::domain::AccessToken;
use crate::protocol::claims::user_claims;
use crate::protocol::{Challenge, EndpointError, ErrorCode, OAuthError, Reply, Services, Shape};

/// How the caller presented its access token.
#[derive(Clone, Copy, Debug, Default)]
pub struct Presented<'a> {
    /// The `Authorization` header's value, when sent (lossily decoded).
    pub authorization: Option<&'a str>,
    /// The form body's `access_token`, when the request is a POST with one.
    pub form_token: Option<&'a str>,
}

/// Why userinfo refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UserinfoError {
    /// No token anywhere, or an empty one: 401.
    #[error("authorization header not found")]
    MissingToken,
    /// The token was sent both in the header and in the body (RFC 6750 §2): 400.
    #[error("access token sent in more than one way")]
    SeveralMethods,
    /// Unknown, expired or revoked token, or an `Authorization` scheme other than Bearer: 401.
    #[error("invalid token")]
    InvalidToken,
    /// The token lacks `openid`: 403.
    #[error("Missing required scope")]
    InsufficientScope,
    /// No user behind the token, or the user is gone: 400.
    #[error("user not found")]
    UserNotFound,
    /// Storage failed.
    #[error("storage failed")]
    Server,
}

impl EndpointError for UserinfoError {
    fn to_oauth(&self) -> OAuthError {
        let description = Some(self.to_string().into());
        let bearer = Some(Challenge::Bearer);
        match self {
            Self::MissingToken => {
                OAuthError::unauthorized(ErrorCode::InvalidToken, description, bearer)
            }
            Self::InvalidToken => OAuthError::unauthorized(ErrorCode::InvalidToken, None, bearer),
            Self::SeveralMethods | Self::UserNotFound => {
                OAuthError::bad_request(ErrorCode::InvalidRequest, description)
            }
            Self::InsufficientScope => OAuthError {
                code: ErrorCode::InsufficientScope,
                description,
                reply: Reply::Forbidden(bearer),
                shape: Shape::OAuth,
            },
            Self::Server => OAuthError::server_error(),
        }
    }
}

/// Answers a userinfo request: the claims the token's scopes release about its user.
pub async fn userinfo(
    services: &Services,
    presented: Presented<'_>,
) -> Result<Map<String, Value>, UserinfoError> {
    let token = presented_token(presented)?;

    let store = &services.store;
    let digest = AccessToken::from_presented(token).digest();
    let record = store
        .access_token(&digest)
        .await
        .map_err(|_| UserinfoError::Server)?
        .ok_or(UserinfoError::InvalidToken)?;
    if record.expires_at.has_passed(services.clock.now()) {
        // Spec §4.1: an access token found expired on lookup is deleted.
        store
            .delete_access_token(&digest)
            .await
            .map_err(|_| UserinfoError::Server)?;
        return Err(UserinfoError::InvalidToken);
    }

    if !record.scopes.contains("openid") {
        return Err(UserinfoError::InsufficientScope);
    }
    let user_id = record.user_id.ok_or(UserinfoError::UserNotFound)?;
    let user = store
        .user(user_id)
        .await
        .map_err(|_| UserinfoError::Server)?
        .ok_or(UserinfoError::UserNotFound)?;
    Ok(user_claims(&user, &record.scopes))
}

/// The one token the request carries.
fn presented_token(presented: Presented<'_>) -> Result<&str, UserinfoError> {
    let header = presented.authorization.map(bearer_credentials);
    let form = presented.form_token.filter(|token| !token.is_empty());
    match (header, form) {
        (Some(Some(header)), Some(_)) if !header.is_empty() => Err(UserinfoError::SeveralMethods),
        (Some(Some(token)), None) if !token.is_empty() => Ok(token),
        (_, Some(token)) => Ok(token),
        (Some(None), None) => Err(UserinfoError::InvalidToken),
        _ => Err(UserinfoError::MissingToken),
    }
}

/// The credentials of a `Bearer` header (RFC 6750 §2.1; the scheme is case-insensitive, RFC
/// 7235 §2.1), possibly empty; `None` for a header of another scheme, which carries no access
/// token.
fn bearer_credentials(value: &str) -> Option<&str> {
    let value = value.trim();
    if value.is_empty() {
        return Some("");
    }
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, ManualClock, Scopes, Timestamp, UserId};
    use crate::protocol::fixture;
    use crate::store::{AccessTokenRecord, User};

    fn jane() -> User {
        User {
            id: UserId::generate(),
            email: "jane@example.com".into(),
            password_hash: String::new(),
            name: Some("Jane Doe".into()),
            image: Some("https://example.com/jane.png".into()),
            email_verified_at: Some(Timestamp(1)),
        }
    }

    /// Stores an access token for `user` with `scope`, valid for an hour; returns its value.
    async fn token_for(services: &Services, user: Option<UserId>, scope: &str) -> AccessToken {
        let token = AccessToken::generate();
        let now = services.clock.now();
        let record = AccessTokenRecord {
            digest: token.digest(),
            grant_id: None,
            client_id: ClientId::new("test-client"),
            scopes: Scopes::split_dedup(scope),
            audience: None,
            user_id: user,
            session_id: None,
            issued_at: now,
            expires_at: now.plus(3600),
        };
        services
            .store
            .insert_access_token(record)
            .await
            .expect("store");
        token
    }

    async fn setup() -> (Services, ManualClock, User) {
        let (services, clock) = fixture::services().await;
        let user = jane();
        services
            .store
            .insert_user(user.clone())
            .await
            .expect("store");
        (services, clock, user)
    }

    async fn ask(services: &Services, header: &str) -> Result<Map<String, Value>, UserinfoError> {
        let presented = Presented {
            authorization: Some(header),
            form_token: None,
        };
        userinfo(services, presented).await
    }

    #[tokio::test]
    async fn a_valid_token_returns_the_claims_of_its_scopes() {
        let (services, _, user) = setup().await;
        let token = token_for(&services, Some(user.id), "openid profile").await;
        let claims = ask(&services, &format!("Bearer {}", token.expose()))
            .await
            .expect("claims");
        assert_eq!(claims["sub"], user.id.to_string());
        assert_eq!(claims["given_name"], "Jane");
        assert!(!claims.contains_key("email"));
    }

    #[tokio::test]
    async fn the_scheme_is_case_insensitive_and_the_form_token_works_alone() {
        let (services, _, user) = setup().await;
        let token = token_for(&services, Some(user.id), "openid email").await;
        for scheme in ["bearer", "BEARER", "BeArEr"] {
            let claims = ask(&services, &format!("{scheme}  {}", token.expose())).await;
            assert_eq!(claims.expect("claims")["email"], "jane@example.com");
        }
        let presented = Presented {
            authorization: None,
            form_token: Some(token.expose()),
        };
        assert!(userinfo(&services, presented).await.is_ok());
    }

    #[tokio::test]
    async fn no_token_is_authorization_header_not_found() {
        let (services, _, _) = setup().await;
        let none = userinfo(&services, Presented::default()).await;
        assert_eq!(none.err(), Some(UserinfoError::MissingToken));
        for header in ["Bearer", "Bearer ", "bearer    ", ""] {
            let result = ask(&services, header).await;
            assert_eq!(
                result.err(),
                Some(UserinfoError::MissingToken),
                "{header:?}"
            );
        }
        let empty_form = Presented {
            authorization: None,
            form_token: Some(""),
        };
        let result = userinfo(&services, empty_form).await;
        assert_eq!(result.err(), Some(UserinfoError::MissingToken));

        let error = UserinfoError::MissingToken.to_oauth();
        assert_eq!(error.reply, Reply::Unauthorized(Some(Challenge::Bearer)));
        assert_eq!(
            error.description.as_deref(),
            Some("authorization header not found")
        );
    }

    #[tokio::test]
    async fn unknown_expired_and_non_bearer_tokens_are_invalid() {
        let (services, clock, user) = setup().await;
        let unknown = ask(&services, "Bearer belgie_nope").await;
        assert_eq!(unknown.err(), Some(UserinfoError::InvalidToken));

        let token = token_for(&services, Some(user.id), "openid").await;
        let basic = ask(&services, &format!("Basic {}", token.expose())).await;
        assert_eq!(basic.err(), Some(UserinfoError::InvalidToken));

        clock.advance(3600);
        let header = format!("Bearer {}", token.expose());
        assert_eq!(
            ask(&services, &header).await.err(),
            Some(UserinfoError::InvalidToken)
        );
        let gone = services.store.access_token(&token.digest()).await;
        assert!(gone.expect("store").is_none(), "expired token purged");

        let error = UserinfoError::InvalidToken.to_oauth();
        assert_eq!(error.code, ErrorCode::InvalidToken);
        assert_eq!(error.reply, Reply::Unauthorized(Some(Challenge::Bearer)));
    }

    #[tokio::test]
    async fn a_token_sent_twice_is_refused() {
        let (services, _, user) = setup().await;
        let token = token_for(&services, Some(user.id), "openid").await;
        let header = format!("Bearer {}", token.expose());
        let presented = Presented {
            authorization: Some(&header),
            form_token: Some(token.expose()),
        };
        let result = userinfo(&services, presented).await;
        assert_eq!(result.err(), Some(UserinfoError::SeveralMethods));
    }

    #[tokio::test]
    async fn without_openid_the_scope_is_insufficient() {
        let (services, _, user) = setup().await;
        let token = token_for(&services, Some(user.id), "user profile").await;
        let result = ask(&services, &format!("Bearer {}", token.expose())).await;
        assert_eq!(result.err(), Some(UserinfoError::InsufficientScope));
        let error = UserinfoError::InsufficientScope.to_oauth();
        assert_eq!(error.code, ErrorCode::InsufficientScope);
        assert_eq!(error.reply, Reply::Forbidden(Some(Challenge::Bearer)));
    }

    #[tokio::test]
    async fn a_token_without_a_live_user_finds_no_user() {
        let (services, _, _) = setup().await;
        let machine = token_for(&services, None, "openid").await;
        let result = ask(&services, &format!("Bearer {}", machine.expose())).await;
        assert_eq!(result.err(), Some(UserinfoError::UserNotFound));

        let deleted = token_for(&services, Some(UserId::generate()), "openid").await;
        let result = ask(&services, &format!("Bearer {}", deleted.expose())).await;
        assert_eq!(result.err(), Some(UserinfoError::UserNotFound));
        let error = UserinfoError::UserNotFound.to_oauth();
        assert_eq!(error.reply, Reply::BadRequest);
        assert_eq!(error.code, ErrorCode::InvalidRequest);
    }
}
