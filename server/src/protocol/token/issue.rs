//! Minting what a successful exchange hands out: the access token, the refresh token and the
//! id_token of a user grant, stored by digest and tied to the grant; and the client's scope
//! registration, which the refresh and client-credentials grants check.

use super::{IssuedTokens, TokenError};
use crate::domain::{AccessToken, GrantId, RefreshToken, Scopes, SessionId, Timestamp, UserId};
use crate::protocol::{Services, id_token, resource};
use crate::store::{AccessTokenRecord, Client, RefreshTokenRecord};

/// What the tokens of one user grant carry, at a code exchange or a refresh.
pub(super) struct UserGrant<'a> {
    /// The authenticated client.
    pub client: &'a Client,
    /// The grant the tokens join.
    pub grant_id: GrantId,
    /// The signed-in user.
    pub user_id: UserId,
    /// The host session the user signed in with.
    pub session_id: SessionId,
    /// The scopes to grant.
    pub scopes: Scopes,
    /// The bound resource, plain.
    pub resource: Option<String>,
    /// The id_token's nonce (code exchange only).
    pub nonce: Option<&'a str>,
    /// Whether a refresh token is issued.
    pub with_refresh_token: bool,
}

/// Stores and returns the tokens of a user grant: an access token, a refresh token when asked
/// for, and an id_token when the scopes contain `openid` and the user still exists.
pub(super) async fn for_user(
    services: &Services,
    grant: UserGrant<'_>,
    now: Timestamp,
) -> Result<IssuedTokens, TokenError> {
    let ttl = &services.config.ttl;
    let access_token = AccessToken::generate();
    services
        .store
        .insert_access_token(AccessTokenRecord {
            digest: access_token.digest(),
            grant_id: Some(grant.grant_id),
            client_id: grant.client.client_id.clone(),
            scopes: grant.scopes.clone(),
            audience: resource::audience(
                &services.config,
                grant.resource.as_deref(),
                &grant.scopes,
            ),
            user_id: Some(grant.user_id),
            session_id: Some(grant.session_id),
            issued_at: now,
            expires_at: now.plus(ttl.access_token),
        })
        .await?;

    let refresh_token = if grant.with_refresh_token {
        Some(refresh_token(services, &grant, now).await?)
    } else {
        None
    };
    let id_token = id_token_for(services, &grant, now).await?;

    Ok(IssuedTokens {
        access_token,
        expires_in: ttl.access_token,
        scopes: grant.scopes,
        refresh_token,
        id_token,
    })
}

async fn refresh_token(
    services: &Services,
    grant: &UserGrant<'_>,
    now: Timestamp,
) -> Result<RefreshToken, TokenError> {
    let token = RefreshToken::generate();
    services
        .store
        .insert_refresh_token(RefreshTokenRecord {
            digest: token.digest(),
            grant_id: grant.grant_id,
            client_id: grant.client.client_id.clone(),
            scopes: grant.scopes.clone(),
            resource: grant.resource.clone(),
            user_id: grant.user_id,
            session_id: grant.session_id,
            issued_at: now,
            expires_at: now.plus(services.config.ttl.refresh_token),
        })
        .await?;
    Ok(token)
}

async fn id_token_for(
    services: &Services,
    grant: &UserGrant<'_>,
    now: Timestamp,
) -> Result<Option<String>, TokenError> {
    if !grant.scopes.contains("openid") {
        return Ok(None);
    }
    let Some(user) = services.store.user(grant.user_id).await? else {
        return Ok(None);
    };
    let subject = id_token::Subject {
        client: grant.client,
        user: &user,
        scopes: &grant.scopes,
        nonce: grant.nonce,
        session: Some(grant.session_id),
    };
    Ok(Some(id_token::issue(services, subject, now)?))
}

/// The scopes `client` may be granted: its registered `scope` split on whitespace, or the
/// default scope when it registered none (spec §2.4.4 row 8).
pub(super) fn registered_scopes(services: &Services, client: &Client) -> Scopes {
    let registered = client.scope.as_deref().map(Scopes::split_dedup);
    match registered {
        Some(scopes) if !scopes.0.is_empty() => scopes,
        _ => Scopes(vec![services.config.default_scope.clone()]),
    }
}

/// Fails with the first of `scopes` outside `client`'s registration.
pub(super) fn check_registered(
    services: &Services,
    client: &Client,
    scopes: &Scopes,
) -> Result<(), TokenError> {
    let allowed = registered_scopes(services, client);
    match scopes.iter().find(|scope| !allowed.contains(scope)) {
        Some(scope) => Err(TokenError::ScopeNotRegistered(scope.to_owned())),
        None => Ok(()),
    }
}
