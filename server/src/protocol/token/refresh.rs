//! `grant_type=refresh_token` (spec §2.4.4 with R.5 and R.6). Every use rotates the token; a
//! rotated token presented again revokes every token of its grant.

use super::issue::{self, UserGrant};
use super::{IssuedTokens, TokenError, TokenRequest, non_empty};
use crate::domain::{RefreshToken, Scopes};
use crate::protocol::client_auth::{self, Credentials, Requirement};
use crate::protocol::{Services, resource};
use crate::store::{Client, RefreshEntry, RefreshTokenRecord};

/// Runs the checks of spec §2.4.4 in order, then rotates the token and issues new ones.
pub(super) async fn exchange(
    services: &Services,
    credentials: &Credentials,
    request: &TokenRequest<'_>,
) -> Result<IssuedTokens, TokenError> {
    let client = client_auth::authenticate(services, credentials, Requirement::AnyClient).await?;
    let presented = non_empty(request.refresh_token).ok_or(TokenError::MissingRefreshToken)?;
    let presented = RefreshToken::from_presented(presented);
    let entry = services.store.refresh_token(&presented.digest()).await?;
    let record = usable_token(services, &client, entry).await?;
    let scopes = narrowed_scopes(&record, request.scope)?;
    let resource = resource::at_exchange(
        &services.config,
        &request.resource,
        record.resource.as_deref(),
    )?;
    issue::check_registered(services, &client, &scopes)?;

    if !services.store.rotate_refresh_token(&record.digest).await? {
        // Another request rotated it first: the same as a reuse.
        return Err(reused(services, &record).await);
    }
    // CORE issues a new refresh token at every refresh, even without `offline_access`.
    let user_grant = UserGrant {
        client: &client,
        grant_id: record.grant_id,
        user_id: record.user_id,
        session_id: record.session_id,
        scopes,
        resource,
        nonce: None,
        with_refresh_token: true,
    };
    issue::for_user(services, user_grant, services.clock.now()).await
}

/// Rows 3–4: the token exists, was not rotated before, has not expired (an expired one is
/// deleted) and is the client's.
async fn usable_token(
    services: &Services,
    client: &Client,
    entry: Option<RefreshEntry>,
) -> Result<RefreshTokenRecord, TokenError> {
    let Some(entry) = entry else {
        return Err(TokenError::UnknownRefreshToken);
    };
    if entry.rotated {
        return Err(reused(services, &entry.record).await);
    }
    let record = entry.record;
    if record.expires_at.has_passed(services.clock.now()) {
        services.store.delete_refresh_token(&record.digest).await?;
        return Err(TokenError::UnknownRefreshToken);
    }
    if record.client_id != client.client_id {
        return Err(TokenError::ClientMismatch);
    }
    Ok(record)
}

/// A rotated refresh token presented again: every token of its grant is revoked (R.5,
/// OAuth 2.1 §4.3.1).
async fn reused(services: &Services, record: &RefreshTokenRecord) -> TokenError {
    tracing::warn!(
        client_id = %record.client_id,
        grant_id = %record.grant_id.uuid(),
        "rotated refresh token reused; revoking its grant"
    );
    match services.store.revoke_grant(record.grant_id).await {
        Ok(()) => TokenError::RefreshTokenReused,
        Err(error) => error.into(),
    }
}

/// Rows 5–6: the requested scopes (de-duplicated), which must be among the grant's; the
/// grant's own scopes when `scope` is absent.
fn narrowed_scopes(record: &RefreshTokenRecord, sent: Option<&str>) -> Result<Scopes, TokenError> {
    let Some(sent) = sent else {
        return Ok(record.scopes.clone());
    };
    let requested = Scopes::split_dedup(sent);
    if requested.0.is_empty() {
        return Err(TokenError::MissingScope);
    }
    if let Some(scope) = requested
        .iter()
        .find(|scope| !record.scopes.contains(scope))
    {
        return Err(TokenError::ScopeNotGranted(scope.to_owned()));
    }
    Ok(requested)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, RESOURCE, refresh_request, setup};
    use super::super::{TokenError, TokenRequest, exchange};
    use crate::domain::{GrantId, Scopes};
    use crate::protocol::EndpointError;
    use crate::store::Audience;

    fn description(error: &TokenError) -> Option<String> {
        error.to_oauth().description.map(|d| d.into_owned())
    }

    #[tokio::test]
    async fn a_refresh_rotates_and_narrows() {
        let setup = setup().await;
        let grant_id = GrantId::generate();
        let old = setup
            .refresh_token(|r| {
                r.grant_id = grant_id;
                r.resource = Some(RESOURCE.into());
            })
            .await;
        let request = TokenRequest {
            scope: Some("user user"),
            ..refresh_request(&old)
        };
        let issued = exchange(&setup.services, &request).await.unwrap();
        assert_eq!(issued.scopes.joined(), "user");
        let new = issued.refresh_token.as_ref().expect("a new refresh token");
        assert_ne!(new.expose(), old.expose());
        assert!(issued.id_token.is_none());

        let stored = setup.services.store.refresh_token(&new.digest()).await;
        let stored = stored.unwrap().unwrap().record;
        assert_eq!(stored.grant_id, grant_id);
        assert_eq!(
            stored.scopes.joined(),
            "user",
            "even without offline_access"
        );
        assert_eq!(stored.resource.as_deref(), Some(RESOURCE));
        let access = setup.access_record(&issued.access_token).await.unwrap();
        assert_eq!(access.grant_id, Some(grant_id));
        assert_eq!(access.audience, Some(Audience::One(RESOURCE.into())));

        let error = exchange(&setup.services, &refresh_request(&old))
            .await
            .unwrap_err();
        assert_eq!(error, TokenError::RefreshTokenReused);
    }

    #[tokio::test]
    async fn reusing_a_rotated_token_revokes_the_family() {
        let setup = setup().await;
        let first = setup.refresh_token(|_| {}).await;
        let second = exchange(&setup.services, &refresh_request(&first))
            .await
            .unwrap();
        let second_refresh = second.refresh_token.as_ref().unwrap();
        let third = exchange(&setup.services, &refresh_request(second_refresh))
            .await
            .unwrap();

        let error = exchange(&setup.services, &refresh_request(&first))
            .await
            .unwrap_err();
        assert_eq!(error, TokenError::RefreshTokenReused);
        assert_eq!(
            error.to_oauth().code,
            crate::protocol::ErrorCode::InvalidGrant
        );
        assert!(!setup.has_access_token(second.access_token.digest()).await);
        assert!(!setup.has_access_token(third.access_token.digest()).await);
        let latest = third.refresh_token.as_ref().unwrap();
        assert_eq!(
            exchange(&setup.services, &refresh_request(latest))
                .await
                .unwrap_err(),
            TokenError::UnknownRefreshToken
        );
    }

    #[tokio::test]
    async fn openid_refreshes_bring_an_id_token_and_a_userinfo_audience() {
        let setup = setup().await;
        let token = setup
            .refresh_token(|r| {
                r.scopes = Scopes::split_dedup("openid offline_access");
                r.resource = Some(RESOURCE.into());
            })
            .await;
        let issued = exchange(&setup.services, &refresh_request(&token))
            .await
            .unwrap();
        assert!(issued.id_token.is_some());
        let access = setup.access_record(&issued.access_token).await.unwrap();
        assert!(matches!(access.audience, Some(Audience::Many(_))));
    }

    #[tokio::test]
    async fn the_checks_run_in_the_order_of_spec_2_4_4() {
        let setup = setup().await;
        let token = setup
            .refresh_token(|r| {
                r.scopes = Scopes::split_dedup("user offline_access admin");
                r.resource = Some(RESOURCE.into());
            })
            .await;
        let base = refresh_request(&token);
        let cases: Vec<(TokenRequest<'_>, TokenError, Option<&str>)> = vec![
            (
                TokenRequest {
                    client: crate::protocol::client_auth::Presented {
                        client_id: Some("unknown"),
                        ..testing::confidential()
                    },
                    refresh_token: None,
                    ..base.clone()
                },
                TokenError::Client(
                    crate::protocol::client_auth::ClientAuthError::InvalidClient {
                        basic_attempted: false,
                    },
                ),
                None,
            ),
            (
                TokenRequest {
                    refresh_token: Some(""),
                    ..base.clone()
                },
                TokenError::MissingRefreshToken,
                Some("missing refresh_token"),
            ),
            (
                TokenRequest {
                    refresh_token: Some("belgie_unknown"),
                    scope: Some(""),
                    ..base.clone()
                },
                TokenError::UnknownRefreshToken,
                None,
            ),
            (
                TokenRequest {
                    client: testing::public(),
                    scope: Some(""),
                    ..base.clone()
                },
                TokenError::ClientMismatch,
                Some("client_id mismatch"),
            ),
            (
                TokenRequest {
                    scope: Some("  "),
                    resource: vec!["http://testserver/other"],
                    ..base.clone()
                },
                TokenError::MissingScope,
                Some("missing scope"),
            ),
            (
                TokenRequest {
                    scope: Some("user email openid"),
                    resource: vec!["http://testserver/other"],
                    ..base.clone()
                },
                TokenError::ScopeNotGranted("email".into()),
                Some("unable to issue scope email"),
            ),
            (
                TokenRequest {
                    scope: Some("admin"),
                    resource: vec!["http://testserver/other"],
                    ..base.clone()
                },
                TokenError::InvalidTarget,
                None,
            ),
            (
                TokenRequest {
                    scope: Some("user admin"),
                    ..base.clone()
                },
                TokenError::ScopeNotRegistered("admin".into()),
                Some("Client was not registered with scope admin"),
            ),
        ];
        for (request, expected, text) in cases {
            let error = exchange(&setup.services, &request).await.unwrap_err();
            assert_eq!(error, expected);
            assert_eq!(description(&error).as_deref(), text);
        }
        // None of the failures rotated the token.
        let request = TokenRequest {
            scope: Some("user"),
            ..base
        };
        assert!(exchange(&setup.services, &request).await.is_ok());
    }

    #[tokio::test]
    async fn an_expired_refresh_token_is_unknown_and_deleted() {
        let setup = setup().await;
        let token = setup.refresh_token(|_| {}).await;
        setup.clock.advance(3600);
        let error = exchange(&setup.services, &refresh_request(&token))
            .await
            .unwrap_err();
        assert_eq!(error, TokenError::UnknownRefreshToken);
        let stored = setup.services.store.refresh_token(&token.digest()).await;
        assert!(stored.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_client_without_registered_scope_is_held_to_the_default_scope() {
        let setup = setup().await;
        let mut client = crate::protocol::fixture::static_client();
        client.scope = None;
        setup.services.store.upsert_client(client).await.unwrap();
        let token = setup.refresh_token(|_| {}).await;
        let error = exchange(&setup.services, &refresh_request(&token))
            .await
            .unwrap_err();
        assert_eq!(
            error,
            TokenError::ScopeNotRegistered("offline_access".into())
        );
        let request = TokenRequest {
            scope: Some("user"),
            ..refresh_request(&token)
        };
        assert!(exchange(&setup.services, &request).await.is_ok());
    }
}

#[cfg(test)]
mod race_tests {
    use super::super::testing::{join_all, refresh_request, setup_yielding};
    use super::super::{TokenError, exchange};

    #[tokio::test]
    async fn of_concurrent_refreshes_that_all_pass_the_checks_exactly_one_wins() {
        let setup = setup_yielding().await;
        let token = setup.refresh_token(|_| {}).await;
        let request = refresh_request(&token);
        let results = join_all((0..8).map(|_| exchange(&setup.services, &request))).await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
        for error in results.iter().filter_map(|r| r.as_ref().err()) {
            assert_eq!(error, &TokenError::RefreshTokenReused);
        }
    }
}
