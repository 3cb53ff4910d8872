//! `grant_type=authorization_code` (spec §2.4.3 with R.5 and R.6). A failed exchange leaves
//! the code usable; a code presented after it was redeemed revokes every token of its grant.

use super::issue::{self, UserGrant};
use super::{IssuedTokens, TokenError, TokenRequest, non_empty};
use crate::domain::{AuthorizationCode, CodeVerifier};
use crate::protocol::client_auth::{self, Credentials, Requirement};
use crate::protocol::{Services, resource};
use crate::store::{Client, CodeEntry, CodeGrant};

/// Runs the checks of spec §2.4.3 in order, then redeems the code and issues the tokens.
pub(super) async fn exchange(
    services: &Services,
    credentials: &Credentials,
    request: &TokenRequest<'_>,
) -> Result<IssuedTokens, TokenError> {
    let client = client_auth::authenticate(services, credentials, Requirement::AnyClient).await?;
    let code = non_empty(request.code).ok_or(TokenError::MissingCode)?;
    let code = AuthorizationCode::from_presented(code);
    let entry = services.store.code(&code.digest()).await?;
    let grant = usable_code(services, &client, entry).await?;
    check_redirect_uri(&grant, request.redirect_uri)?;
    check_verifier(&grant, request.code_verifier)?;
    let resource = resource::at_exchange(
        &services.config,
        &request.resource,
        grant.resource.as_deref(),
    )?;

    if !services.store.redeem_code(&grant.digest).await? {
        // Another request redeemed it first: the same as a replay.
        return Err(replayed(services, &grant).await);
    }
    let user_grant = UserGrant {
        client: &client,
        grant_id: grant.grant_id,
        user_id: grant.user_id,
        session_id: grant.session_id,
        with_refresh_token: grant.scopes.contains("offline_access"),
        scopes: grant.scopes,
        resource,
        nonce: grant.nonce.as_deref(),
    };
    issue::for_user(services, user_grant, services.clock.now()).await
}

/// Rows 3–5: the code exists, was not redeemed before, has not expired and is the client's.
async fn usable_code(
    services: &Services,
    client: &Client,
    entry: Option<CodeEntry>,
) -> Result<CodeGrant, TokenError> {
    let Some(entry) = entry else {
        return Err(TokenError::UnknownCode);
    };
    if entry.redeemed {
        return Err(replayed(services, &entry.grant).await);
    }
    let grant = entry.grant;
    if grant.expires_at.has_passed(services.clock.now()) {
        return Err(TokenError::CodeExpired);
    }
    if grant.client_id != client.client_id {
        return Err(TokenError::ClientMismatch);
    }
    Ok(grant)
}

/// A code presented after its redemption: every token issued from it is revoked (R.5,
/// OAuth 2.1 §4.1.3). Tokens that a concurrent winner stores after this revocation survive;
/// the store has no "revoked grant" mark to refuse them.
async fn replayed(services: &Services, grant: &CodeGrant) -> TokenError {
    tracing::warn!(
        client_id = %grant.client_id,
        grant_id = %grant.grant_id.uuid(),
        "authorization code replayed; revoking its grant"
    );
    match services.store.revoke_grant(grant.grant_id).await {
        Ok(()) => TokenError::CodeReplayed,
        Err(error) => error.into(),
    }
}

/// Rows 6–7: an explicit `redirect_uri` at authorize must be repeated, and a sent one must
/// equal, as a string, the one used at authorize (R.4).
fn check_redirect_uri(grant: &CodeGrant, sent: Option<&str>) -> Result<(), TokenError> {
    match non_empty(sent) {
        None if grant.redirect_uri_explicit => Err(TokenError::MissingRedirectUri),
        Some(sent) if sent != grant.redirect_uri.as_str() => Err(TokenError::RedirectUriMismatch),
        _ => Ok(()),
    }
}

/// Rows 8–9: a verifier of valid syntax (R.5) whose S256 transform is the challenge.
fn check_verifier(grant: &CodeGrant, sent: Option<&str>) -> Result<(), TokenError> {
    let sent = non_empty(sent).ok_or(TokenError::MissingCodeVerifier)?;
    let verifier = CodeVerifier::parse(sent).ok_or(TokenError::InvalidCodeVerifier)?;
    if verifier.satisfies(&grant.code_challenge) {
        Ok(())
    } else {
        Err(TokenError::InvalidCodeVerifier)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, RESOURCE, VERIFIER, code_request, setup};
    use super::super::{TokenError, TokenRequest, exchange};
    use crate::domain::{AccessToken, GrantId, RefreshToken};
    use crate::protocol::client_auth::ClientAuthError;
    use crate::store::Audience;

    const UNAUTHENTICATED: TokenError = TokenError::Client(ClientAuthError::InvalidClient {
        basic_attempted: false,
    });

    #[tokio::test]
    async fn a_valid_exchange_issues_an_access_token_of_the_grant() {
        let setup = setup().await;
        let grant_id = GrantId::generate();
        let code = setup.code(|g| g.grant_id = grant_id).await;
        let issued = exchange(&setup.services, &code_request(&code))
            .await
            .unwrap();

        assert!(issued.access_token.expose().starts_with("belgie_"));
        assert_eq!(issued.expires_in, 3600);
        assert_eq!(issued.scopes.joined(), "user");
        assert!(issued.refresh_token.is_none());
        assert!(issued.id_token.is_none());
        let body = issued.to_json();
        assert_eq!(body["token_type"], "Bearer");
        assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());

        let stored = setup
            .services
            .store
            .access_token(&issued.access_token.digest())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.grant_id, Some(grant_id));
        assert_eq!(stored.user_id, Some(setup.user.id));
        assert_eq!(stored.audience, None);
        assert_eq!(stored.expires_at.0 - stored.issued_at.0, 3600);
    }

    #[tokio::test]
    async fn offline_access_brings_a_refresh_token_and_openid_an_id_token() {
        let setup = setup().await;
        let code = setup
            .code(|g| g.scopes = crate::domain::Scopes::split_dedup("user offline_access openid"))
            .await;
        let issued = exchange(&setup.services, &code_request(&code))
            .await
            .unwrap();
        let refresh = issued.refresh_token.as_ref().expect("a refresh token");
        assert!(refresh.expose().starts_with("belgie_"));
        let stored = setup
            .services
            .store
            .refresh_token(&refresh.digest())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.record.scopes.joined(), "user offline_access openid");
        assert!(issued.id_token.is_some());
        assert_eq!(issued.to_json()["scope"], "user offline_access openid");
    }

    #[tokio::test]
    async fn no_id_token_once_the_user_is_gone() {
        let setup = setup().await;
        let code = setup
            .code(|g| {
                g.scopes = crate::domain::Scopes::split_dedup("openid");
                g.user_id = crate::domain::UserId::generate();
            })
            .await;
        let issued = exchange(&setup.services, &code_request(&code))
            .await
            .unwrap();
        assert!(issued.id_token.is_none());
    }

    #[tokio::test]
    async fn the_checks_run_in_the_order_of_spec_2_4_3() {
        let setup = setup().await;
        let code = setup.code(|_| {}).await;
        let base = code_request(&code);
        let wrong_secret = TokenRequest {
            client: crate::protocol::client_auth::Presented {
                client_secret: Some("wrong"),
                ..testing::confidential()
            },
            code: None,
            ..base.clone()
        };
        let cases: Vec<(TokenRequest<'_>, TokenError)> = vec![
            (wrong_secret, UNAUTHENTICATED),
            (
                TokenRequest {
                    code: None,
                    ..base.clone()
                },
                TokenError::MissingCode,
            ),
            (
                TokenRequest {
                    code: Some(""),
                    ..base.clone()
                },
                TokenError::MissingCode,
            ),
            (
                TokenRequest {
                    code: Some("belgie_nope"),
                    redirect_uri: None,
                    ..base.clone()
                },
                TokenError::UnknownCode,
            ),
            (
                TokenRequest {
                    redirect_uri: None,
                    code_verifier: None,
                    ..base.clone()
                },
                TokenError::MissingRedirectUri,
            ),
            (
                TokenRequest {
                    redirect_uri: Some("http://testserver/callback/"),
                    code_verifier: None,
                    ..base.clone()
                },
                TokenError::RedirectUriMismatch,
            ),
            (
                TokenRequest {
                    code_verifier: Some(""),
                    ..base.clone()
                },
                TokenError::MissingCodeVerifier,
            ),
            (
                TokenRequest {
                    code_verifier: Some("verifier"),
                    ..base.clone()
                },
                TokenError::InvalidCodeVerifier,
            ),
            (
                TokenRequest {
                    code_verifier: Some("wrong-wrong-wrong-wrong-wrong-wrong-wrong-wr"),
                    resource: vec![RESOURCE],
                    ..base.clone()
                },
                TokenError::InvalidCodeVerifier,
            ),
            (
                TokenRequest {
                    resource: vec![RESOURCE],
                    ..base.clone()
                },
                TokenError::InvalidTarget,
            ),
        ];
        for (request, expected) in cases {
            let error = exchange(&setup.services, &request).await.unwrap_err();
            assert_eq!(error, expected);
        }
        // None of the failures consumed the code.
        assert!(exchange(&setup.services, &base).await.is_ok());
    }

    #[tokio::test]
    async fn an_expired_code_keeps_answering_code_expired() {
        let setup = setup().await;
        let code = setup.code(|_| {}).await;
        setup.clock.advance(300);
        for _ in 0..2 {
            let error = exchange(&setup.services, &code_request(&code))
                .await
                .unwrap_err();
            assert_eq!(error, TokenError::CodeExpired);
            assert_eq!(
                crate::protocol::EndpointError::to_oauth(&error)
                    .description
                    .as_deref(),
                Some("code expired")
            );
        }
    }

    #[tokio::test]
    async fn another_clients_code_is_a_client_id_mismatch() {
        let setup = setup().await;
        let code = setup.code(|_| {}).await;
        let request = TokenRequest {
            client: testing::public(),
            ..code_request(&code)
        };
        let error = exchange(&setup.services, &request).await.unwrap_err();
        assert_eq!(error, TokenError::ClientMismatch);
    }

    #[tokio::test]
    async fn a_public_client_exchanges_with_its_id_alone() {
        let setup = setup().await;
        let code = setup
            .code(|g| {
                g.client_id = crate::domain::ClientId::new("public-client");
                g.redirect_uri_explicit = false;
            })
            .await;
        let request = TokenRequest {
            client: testing::public(),
            redirect_uri: None,
            ..code_request(&code)
        };
        assert!(exchange(&setup.services, &request).await.is_ok());
    }

    #[tokio::test]
    async fn a_replayed_code_is_refused_and_revokes_its_grant() {
        let setup = setup().await;
        let code = setup
            .code(|g| g.scopes = crate::domain::Scopes::split_dedup("user offline_access"))
            .await;
        let first = exchange(&setup.services, &code_request(&code))
            .await
            .unwrap();
        let refresh: &RefreshToken = first.refresh_token.as_ref().unwrap();
        let access: &AccessToken = &first.access_token;

        let error = exchange(&setup.services, &code_request(&code))
            .await
            .unwrap_err();
        assert_eq!(error, TokenError::CodeReplayed);
        assert_eq!(
            crate::protocol::EndpointError::to_oauth(&error),
            crate::protocol::OAuthError::bad_request(
                crate::protocol::ErrorCode::InvalidGrant,
                None
            )
        );
        assert!(!setup.has_access_token(access.digest()).await);
        let refresh = setup.services.store.refresh_token(&refresh.digest()).await;
        assert!(refresh.unwrap().is_none());
    }

    #[tokio::test]
    async fn resource_rules_of_spec_3_2() {
        let setup = setup().await;
        let bound = |scopes: &'static str| {
            move |g: &mut crate::store::CodeGrant| {
                g.resource = Some(RESOURCE.into());
                g.scopes = crate::domain::Scopes::split_dedup(scopes);
            }
        };

        let code = setup.code(bound("user")).await;
        let other = TokenRequest {
            resource: vec!["http://testserver/other"],
            ..code_request(&code)
        };
        assert_eq!(
            exchange(&setup.services, &other).await.unwrap_err(),
            TokenError::InvalidTarget
        );
        let repeated = TokenRequest {
            resource: vec![RESOURCE],
            ..code_request(&code)
        };
        let issued = exchange(&setup.services, &repeated).await.unwrap();
        let audience = setup
            .access_record(&issued.access_token)
            .await
            .unwrap()
            .audience;
        assert_eq!(audience, Some(Audience::One(RESOURCE.into())));

        let code = setup.code(bound("user openid")).await;
        let issued = exchange(&setup.services, &code_request(&code))
            .await
            .unwrap();
        let audience = setup
            .access_record(&issued.access_token)
            .await
            .unwrap()
            .audience;
        assert_eq!(
            audience,
            Some(Audience::Many(vec![
                RESOURCE.into(),
                "http://testserver/auth/oauth/userinfo".into()
            ]))
        );
    }

    #[tokio::test]
    async fn the_verifier_is_checked_against_the_challenge() {
        let setup = setup().await;
        let code = setup.code(|_| {}).await;
        let other_valid = "b".repeat(43);
        let request = TokenRequest {
            code_verifier: Some(&other_valid),
            ..code_request(&code)
        };
        assert_eq!(
            exchange(&setup.services, &request).await.unwrap_err(),
            TokenError::InvalidCodeVerifier
        );
        let request = TokenRequest {
            code_verifier: Some(VERIFIER),
            ..code_request(&code)
        };
        assert!(exchange(&setup.services, &request).await.is_ok());
    }
}

#[cfg(test)]
mod race_tests {
    use super::super::testing::{code_request, join_all, setup_yielding};
    use super::super::{TokenError, exchange};

    #[tokio::test]
    async fn of_concurrent_exchanges_that_all_pass_the_checks_exactly_one_wins() {
        let setup = setup_yielding().await;
        let code = setup.code(|_| {}).await;
        let request = code_request(&code);
        let attempts = (0..8).map(|_| exchange(&setup.services, &request));
        let results = join_all(attempts).await;
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1);
        for result in results.iter().filter(|r| r.is_err()) {
            assert_eq!(result.as_ref().unwrap_err(), &TokenError::CodeReplayed);
        }
    }
}
