//! Shared set-up for the token grants' unit tests: the spec §6 fixture with the static client
//! widened to `user openid profile email offline_access`, a public client, a user, and codes
//! and refresh tokens written straight into the store.

use crate::domain::{
    AccessToken, AuthorizationCode, ClientId, CodeChallenge, GrantId, ManualClock, RedirectUri,
    RefreshToken, Scopes, SessionId, TokenDigest, UserId, s256_challenge,
};
use crate::protocol::client_auth::Presented;
use crate::protocol::{Services, fixture};
use crate::store::{AccessTokenRecord, CodeGrant, RefreshTokenRecord, Store, User};

use super::TokenRequest;

/// A verifier of valid syntax (43 characters).
pub const VERIFIER: &str = "verifier-verifier-verifier-verifier-verifie";

/// The fixture's resource URL.
pub const RESOURCE: &str = "http://testserver/mcp";

/// Services, their clock and the signed-in user.
pub struct Setup {
    pub services: Services,
    pub clock: ManualClock,
    pub user: User,
}

/// The fixture over the in-memory store.
pub async fn setup() -> Setup {
    let (services, clock) = fixture::services().await;
    seed(services, clock).await
}

/// The fixture over a store whose lookups yield to other tasks first, so that concurrent
/// requests all read before any of them writes.
pub async fn setup_yielding() -> Setup {
    let clock = ManualClock::new(crate::domain::Timestamp(1_700_000_000));
    let store = super::yielding_store::YieldingStore::default();
    store.upsert_client(fixture::static_client()).await.unwrap();
    let services = Services {
        config: std::sync::Arc::new(fixture::config()),
        store: std::sync::Arc::new(store),
        clock: std::sync::Arc::new(clock.clone()),
    };
    seed(services, clock).await
}

async fn seed(services: Services, clock: ManualClock) -> Setup {
    let mut client = fixture::static_client();
    client.scope = Some("user openid profile email offline_access".into());
    services.store.upsert_client(client).await.unwrap();
    let mut public = fixture::static_client();
    public.client_id = ClientId::new("public-client");
    public.client_secret = None;
    services.store.upsert_client(public).await.unwrap();
    let user = User {
        id: UserId::generate(),
        email: "jane@example.com".into(),
        password_hash: String::new(),
        name: Some("Jane Doe".into()),
        image: None,
        email_verified_at: None,
    };
    services.store.insert_user(user.clone()).await.unwrap();
    Setup {
        services,
        clock,
        user,
    }
}

impl Setup {
    /// A code for `test-client` with scope `user`, as if authorize had just issued it; `edit`
    /// changes its data before it is stored.
    pub async fn code(&self, edit: impl FnOnce(&mut CodeGrant)) -> AuthorizationCode {
        let code = AuthorizationCode::generate();
        let now = crate::domain::Clock::now(&self.clock);
        let mut grant = CodeGrant {
            digest: code.digest(),
            grant_id: GrantId::generate(),
            client_id: ClientId::new("test-client"),
            redirect_uri: RedirectUri::parse("http://testserver/callback").unwrap(),
            redirect_uri_explicit: true,
            scopes: Scopes::split_dedup("user"),
            code_challenge: CodeChallenge(s256_challenge(VERIFIER)),
            resource: None,
            nonce: None,
            user_id: self.user.id,
            session_id: SessionId::generate(),
            issued_at: now,
            expires_at: now.plus(300),
        };
        edit(&mut grant);
        self.services.store.insert_code(grant).await.unwrap();
        code
    }

    /// A refresh token for `test-client` with scope `user offline_access`; `edit` changes it.
    pub async fn refresh_token(&self, edit: impl FnOnce(&mut RefreshTokenRecord)) -> RefreshToken {
        let token = RefreshToken::generate();
        let now = crate::domain::Clock::now(&self.clock);
        let mut record = RefreshTokenRecord {
            digest: token.digest(),
            grant_id: GrantId::generate(),
            client_id: ClientId::new("test-client"),
            scopes: Scopes::split_dedup("user offline_access"),
            resource: None,
            user_id: self.user.id,
            session_id: SessionId::generate(),
            issued_at: now,
            expires_at: now.plus(3600),
        };
        edit(&mut record);
        self.services
            .store
            .insert_refresh_token(record)
            .await
            .unwrap();
        token
    }

    /// The stored record of an access token.
    pub async fn access_record(&self, token: &AccessToken) -> Option<AccessTokenRecord> {
        let digest = token.digest();
        self.services.store.access_token(&digest).await.unwrap()
    }

    /// Whether an access token is still stored.
    pub async fn has_access_token(&self, digest: TokenDigest) -> bool {
        self.services
            .store
            .access_token(&digest)
            .await
            .unwrap()
            .is_some()
    }
}

/// A code exchange by the static client with form credentials.
pub fn code_request<'a>(code: &'a AuthorizationCode) -> TokenRequest<'a> {
    TokenRequest {
        client: confidential(),
        grant_type: Some("authorization_code"),
        code: Some(code.expose()),
        redirect_uri: Some("http://testserver/callback"),
        code_verifier: Some(VERIFIER),
        ..TokenRequest::default()
    }
}

/// A refresh by the static client with form credentials.
pub fn refresh_request<'a>(token: &'a RefreshToken) -> TokenRequest<'a> {
    TokenRequest {
        client: confidential(),
        grant_type: Some("refresh_token"),
        refresh_token: Some(token.expose()),
        ..TokenRequest::default()
    }
}

/// The static client's form credentials.
pub fn confidential() -> Presented<'static> {
    Presented {
        authorization: None,
        client_id: Some("test-client"),
        client_secret: Some("test-secret"),
    }
}

/// The public client's form credentials (its id alone).
pub fn public() -> Presented<'static> {
    Presented {
        authorization: None,
        client_id: Some("public-client"),
        client_secret: None,
    }
}

/// Polls every future on this task until all are done (no extra crate needed).
pub async fn join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.map(Box::pin).map(Some).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (slot, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
