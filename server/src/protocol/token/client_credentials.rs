//! `grant_type=client_credentials` (spec §2.4.5 with R.6): a confidential client obtains an
//! access token for itself, with no user, no refresh token and no id_token.

use super::issue;
use super::{IssuedTokens, TokenError, TokenRequest};
use crate::domain::{AccessToken, Scopes};
use crate::protocol::client_auth::{self, Credentials, Requirement};
use crate::protocol::{Services, resource};
use crate::store::AccessTokenRecord;

/// Runs the checks of spec §2.4.5 in order, then issues the access token.
pub(super) async fn exchange(
    services: &Services,
    credentials: &Credentials,
    request: &TokenRequest<'_>,
) -> Result<IssuedTokens, TokenError> {
    let client =
        client_auth::authenticate(services, credentials, Requirement::Confidential).await?;
    let scopes = match request.scope {
        Some(sent) => Scopes::split_dedup(sent),
        None => issue::registered_scopes(services, &client),
    };
    if scopes.0.is_empty() {
        return Err(TokenError::MissingScope);
    }
    issue::check_registered(services, &client, &scopes)?;
    let resource = resource::requested(&services.config, &request.resource)?;

    let now = services.clock.now();
    let ttl = services.config.ttl.access_token;
    let access_token = AccessToken::generate();
    services
        .store
        .insert_access_token(AccessTokenRecord {
            digest: access_token.digest(),
            grant_id: None,
            client_id: client.client_id.clone(),
            audience: resource::audience(&services.config, resource.as_deref(), &scopes),
            scopes: scopes.clone(),
            user_id: None,
            session_id: None,
            issued_at: now,
            expires_at: now.plus(ttl),
        })
        .await?;
    Ok(IssuedTokens {
        access_token,
        expires_in: ttl,
        scopes,
        refresh_token: None,
        id_token: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, RESOURCE, setup};
    use super::super::{TokenError, TokenRequest, exchange};
    use crate::protocol::EndpointError;
    use crate::protocol::client_auth::ClientAuthError;
    use crate::store::Audience;

    fn request(scope: Option<&'static str>, resource: Vec<&'static str>) -> TokenRequest<'static> {
        TokenRequest {
            client: testing::confidential(),
            grant_type: Some("client_credentials"),
            scope,
            resource,
            ..TokenRequest::default()
        }
    }

    #[tokio::test]
    async fn a_confidential_client_gets_an_access_token_without_a_user() {
        let setup = setup().await;
        let issued = exchange(&setup.services, &request(Some("user"), vec![]))
            .await
            .unwrap();
        assert_eq!(issued.scopes.joined(), "user");
        assert!(issued.refresh_token.is_none() && issued.id_token.is_none());
        let record = setup.access_record(&issued.access_token).await.unwrap();
        assert_eq!(record.user_id, None);
        assert_eq!(record.grant_id, None);
        assert_eq!(record.audience, None);
    }

    #[tokio::test]
    async fn without_scope_the_registered_scopes_are_granted() {
        let setup = setup().await;
        let issued = exchange(&setup.services, &request(None, vec![]))
            .await
            .unwrap();
        assert_eq!(
            issued.scopes.joined(),
            "user openid profile email offline_access"
        );
    }

    #[tokio::test]
    async fn the_configured_resource_becomes_the_audience() {
        let setup = setup().await;
        let issued = exchange(&setup.services, &request(Some("user"), vec![RESOURCE]))
            .await
            .unwrap();
        let record = setup.access_record(&issued.access_token).await.unwrap();
        assert_eq!(record.audience, Some(Audience::One(RESOURCE.into())));
    }

    #[tokio::test]
    async fn the_checks_run_in_the_order_of_spec_2_4_5() {
        let setup = setup().await;
        let public = TokenRequest {
            client: testing::public(),
            ..request(Some(""), vec!["http://testserver/other"])
        };
        let cases = [
            (
                public,
                TokenError::Client(ClientAuthError::InvalidClient {
                    basic_attempted: false,
                }),
                None,
            ),
            (
                request(Some(""), vec!["http://testserver/other"]),
                TokenError::MissingScope,
                Some("missing scope"),
            ),
            (
                request(Some("admin"), vec!["http://testserver/other"]),
                TokenError::ScopeNotRegistered("admin".into()),
                Some("Client was not registered with scope admin"),
            ),
            (
                request(Some("user"), vec!["http://testserver/other"]),
                TokenError::InvalidTarget,
                None,
            ),
            (
                request(Some("user"), vec![RESOURCE, "http://testserver/other"]),
                TokenError::InvalidTarget,
                None,
            ),
        ];
        for (request, expected, text) in cases {
            let error = exchange(&setup.services, &request).await.unwrap_err();
            assert_eq!(error, expected);
            assert_eq!(error.to_oauth().description.as_deref(), text);
        }
    }

    #[tokio::test]
    async fn no_configured_resource_refuses_any_resource() {
        let setup = setup().await;
        let mut config = (*setup.services.config).clone();
        config.resource = None;
        let services = crate::protocol::Services {
            config: std::sync::Arc::new(config),
            ..setup.services.clone()
        };
        let error = exchange(&services, &request(Some("user"), vec![RESOURCE]))
            .await
            .unwrap_err();
        assert_eq!(error, TokenError::InvalidTarget);
    }
}
