//! The storage suite: one async function per behaviour of the `Store` trait, each taking a
//! fresh store, so that every backend (memory, SQLite, PostgreSQL) is held to the same rules.
//!
//! Records use random keys and e-mail addresses, so the functions may share one database;
//! only the purge function deletes, and it works in a time range no other function uses.

use std::sync::Arc;

use oauth_reference_server::domain::{
    ClientId, CodeChallenge, GrantId, RedirectUri, Scopes, Secret, SessionId, Timestamp,
    TokenDigest, UserId, random_hex,
};
use oauth_reference_server::store::{
    AccessTokenRecord, Audience, AuthMethod, Client, ClientMetadata, CodeGrant, Intent,
    PendingAuthorization, RefreshTokenRecord, Session, Store, StoreError, User,
};

/// When the suite's records are made; every expiry is after it.
pub const NOW: Timestamp = Timestamp(1_700_000_000);

/// The purge function's own era, long before [`NOW`].
const PURGE_ERA: Timestamp = Timestamp(1_000_000_000);

/// How many concurrent callers race for one code or token.
const RACERS: usize = 16;

/// How many races each concurrency function runs.
const ROUNDS: usize = 50;

fn uri(text: &str) -> RedirectUri {
    RedirectUri::parse(text).expect("a valid redirect URI")
}

fn fresh_digest() -> TokenDigest {
    TokenDigest::of(&random_hex(16))
}

/// A confidential client with every field set, and a random id.
pub fn full_client(secret: &str) -> Client {
    Client {
        client_id: ClientId::new(format!("client-{}", random_hex(6))),
        client_secret: Some(Secret::new(secret)),
        redirect_uris: vec![uri("https://app.example/cb"), uri("http://127.0.0.1/cb")],
        token_endpoint_auth_method: Some(AuthMethod::ClientSecretBasic),
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        response_types: vec!["code".into()],
        scope: Some("openid user".into()),
        metadata: ClientMetadata {
            client_name: Some("App".into()),
            client_uri: Some("https://app.example".into()),
            logo_uri: Some("https://app.example/logo.png".into()),
            contacts: Some(vec!["ops@app.example".into()]),
            tos_uri: Some("https://app.example/tos".into()),
            policy_uri: Some("https://app.example/policy".into()),
            jwks_uri: None,
            jwks: Some(serde_json::json!({"keys": []})),
            software_id: Some("app".into()),
            software_version: Some("1.2".into()),
        },
        post_logout_redirect_uris: Some(vec![uri("https://app.example/bye")]),
        client_id_issued_at: Some(NOW),
        enable_end_session: true,
    }
}

fn pending(expires_at: Option<Timestamp>) -> PendingAuthorization {
    PendingAuthorization {
        handle: fresh_digest(),
        browser: fresh_digest(),
        client_id: ClientId::new("c"),
        redirect_uri: uri("https://app.example/cb"),
        redirect_uri_explicit: true,
        scopes: Scopes::split_dedup("openid user"),
        code_challenge: CodeChallenge("challenge".into()),
        resource: Some("https://rs.example/mcp".into()),
        nonce: Some("n-1".into()),
        prompt: Some("login".into()),
        intent: Intent::Create,
        state: Some("st".into()),
        created_at: NOW,
        expires_at,
    }
}

fn code(grant_id: GrantId, expires_at: Timestamp) -> CodeGrant {
    CodeGrant {
        digest: fresh_digest(),
        grant_id,
        client_id: ClientId::new("c"),
        redirect_uri: uri("https://app.example/cb"),
        redirect_uri_explicit: false,
        scopes: Scopes::split_dedup("user offline_access"),
        code_challenge: CodeChallenge("challenge".into()),
        resource: None,
        nonce: Some("n".into()),
        user_id: UserId::generate(),
        session_id: SessionId::generate(),
        issued_at: NOW,
        expires_at,
    }
}

fn access(
    grant_id: Option<GrantId>,
    audience: Option<Audience>,
    expires_at: Timestamp,
) -> AccessTokenRecord {
    AccessTokenRecord {
        digest: fresh_digest(),
        grant_id,
        client_id: ClientId::new("c"),
        scopes: Scopes::split_dedup("user"),
        audience,
        user_id: grant_id.map(|_| UserId::generate()),
        session_id: grant_id.map(|_| SessionId::generate()),
        issued_at: NOW,
        expires_at,
    }
}

fn refresh(grant_id: GrantId, expires_at: Timestamp) -> RefreshTokenRecord {
    RefreshTokenRecord {
        digest: fresh_digest(),
        grant_id,
        client_id: ClientId::new("c"),
        scopes: Scopes::split_dedup("user offline_access"),
        resource: Some("https://rs.example/mcp".into()),
        user_id: UserId::generate(),
        session_id: SessionId::generate(),
        issued_at: NOW,
        expires_at,
    }
}

fn user(email: &str) -> User {
    User {
        id: UserId::generate(),
        email: email.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        name: Some("Jane".into()),
        image: None,
        email_verified_at: Some(NOW),
    }
}

fn session(expires_at: Timestamp) -> Session {
    Session {
        id: SessionId::generate(),
        user_id: UserId::generate(),
        created_at: NOW,
        expires_at,
    }
}

/// Clients: insert, a taken id, lookup with every field, upsert, a public client.
pub async fn clients(store: Arc<dyn Store>) {
    let client = full_client("s3cret-value");
    store.insert_client(client.clone()).await.expect("insert");
    let again = store.insert_client(client.clone()).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");

    let found = store
        .client(&client.client_id)
        .await
        .expect("lookup")
        .expect("found");
    let secret = found.client_secret.as_ref().expect("a secret");
    assert!(secret.matches("s3cret-value"));
    assert_eq!(found.redirect_uris, client.redirect_uris);
    assert_eq!(
        found.token_endpoint_auth_method,
        Some(AuthMethod::ClientSecretBasic)
    );
    assert_eq!(found.grant_types, client.grant_types);
    assert_eq!(found.response_types, client.response_types);
    assert_eq!(found.scope, client.scope);
    assert_eq!(found.metadata, client.metadata);
    assert_eq!(
        found.post_logout_redirect_uris,
        client.post_logout_redirect_uris
    );
    assert_eq!(found.client_id_issued_at, Some(NOW));
    assert!(found.enable_end_session);

    let mut public = client.clone();
    public.client_secret = None;
    public.token_endpoint_auth_method = None;
    public.post_logout_redirect_uris = None;
    public.scope = None;
    store.upsert_client(public).await.expect("upsert");
    let replaced = store
        .client(&client.client_id)
        .await
        .expect("lookup")
        .expect("found");
    assert!(replaced.is_public());
    assert_eq!(replaced.token_endpoint_auth_method, None);
    assert_eq!(replaced.post_logout_redirect_uris, None);
    assert_eq!(replaced.scope, None);

    let unknown = store
        .client(&ClientId::new("no-such-client"))
        .await
        .expect("lookup");
    assert!(unknown.is_none());
}

/// Upsert adds a client that was not there.
pub async fn upsert_adds(store: Arc<dyn Store>) {
    let client = full_client("x");
    store.upsert_client(client.clone()).await.expect("upsert");
    assert!(
        store
            .client(&client.client_id)
            .await
            .expect("lookup")
            .is_some()
    );
}

/// Pending authorizations: insert, read without consuming, a taken handle, take once.
pub async fn pending_authorizations(store: Arc<dyn Store>) {
    let record = pending(Some(NOW.plus(600)));
    store.insert_pending(record.clone()).await.expect("insert");
    let again = store.insert_pending(record.clone()).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");

    let read = store
        .pending(&record.handle)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(read.browser, record.browser);
    assert_eq!(read.client_id, record.client_id);
    assert_eq!(read.redirect_uri, record.redirect_uri);
    assert!(read.redirect_uri_explicit);
    assert_eq!(read.scopes, record.scopes);
    assert_eq!(read.code_challenge, record.code_challenge);
    assert_eq!(read.resource, record.resource);
    assert_eq!(read.nonce, record.nonce);
    assert_eq!(read.prompt, record.prompt);
    assert_eq!(read.intent, Intent::Create);
    assert_eq!(read.state, record.state);
    assert_eq!(read.created_at, NOW);
    assert_eq!(read.expires_at, Some(NOW.plus(600)));

    let taken = store.take_pending(&record.handle).await.expect("take");
    assert_eq!(taken.map(|p| p.handle), Some(record.handle));
    assert!(
        store
            .take_pending(&record.handle)
            .await
            .expect("take")
            .is_none()
    );
    assert!(store.pending(&record.handle).await.expect("read").is_none());

    let endless = pending(None);
    store.insert_pending(endless.clone()).await.expect("insert");
    let read = store
        .pending(&endless.handle)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(read.expires_at, None);
    assert_eq!(read.intent, Intent::Create);
}

/// Codes: insert, lookup with every field, redeem once, unknown codes.
pub async fn codes(store: Arc<dyn Store>) {
    let grant = code(GrantId::generate(), NOW.plus(300));
    store.insert_code(grant.clone()).await.expect("insert");

    let entry = store
        .code(&grant.digest)
        .await
        .expect("lookup")
        .expect("found");
    assert!(!entry.redeemed);
    let found = entry.grant;
    assert_eq!(found.grant_id, grant.grant_id);
    assert_eq!(found.client_id, grant.client_id);
    assert_eq!(found.redirect_uri, grant.redirect_uri);
    assert!(!found.redirect_uri_explicit);
    assert_eq!(found.scopes, grant.scopes);
    assert_eq!(found.code_challenge, grant.code_challenge);
    assert_eq!(found.resource, None);
    assert_eq!(found.nonce, grant.nonce);
    assert_eq!(found.user_id, grant.user_id);
    assert_eq!(found.session_id, grant.session_id);
    assert_eq!(found.issued_at, NOW);
    assert_eq!(found.expires_at, NOW.plus(300));

    assert!(store.redeem_code(&grant.digest).await.expect("redeem"));
    assert!(!store.redeem_code(&grant.digest).await.expect("redeem"));
    let entry = store
        .code(&grant.digest)
        .await
        .expect("lookup")
        .expect("kept");
    assert!(entry.redeemed, "a redeemed code is kept to detect replay");

    let unknown = fresh_digest();
    assert!(store.code(&unknown).await.expect("lookup").is_none());
    assert!(!store.redeem_code(&unknown).await.expect("redeem"));
}

/// Access tokens: every audience shape, client-credentials tokens, delete once.
pub async fn access_tokens(store: Arc<dyn Store>) {
    let grant = GrantId::generate();
    let shapes = [
        None,
        Some(Audience::One("https://rs.example/mcp".into())),
        Some(Audience::Many(vec![
            "https://rs.example/mcp".into(),
            "https://i/userinfo".into(),
        ])),
    ];
    for audience in shapes {
        let token = access(Some(grant), audience.clone(), NOW.plus(3600));
        store
            .insert_access_token(token.clone())
            .await
            .expect("insert");
        let found = store
            .access_token(&token.digest)
            .await
            .expect("lookup")
            .expect("found");
        assert_eq!(found.audience, audience);
        assert_eq!(found.grant_id, Some(grant));
        assert_eq!(found.client_id, token.client_id);
        assert_eq!(found.scopes, token.scopes);
        assert_eq!(found.user_id, token.user_id);
        assert_eq!(found.session_id, token.session_id);
        assert_eq!(found.issued_at, NOW);
        assert_eq!(found.expires_at, NOW.plus(3600));
    }

    let machine = access(None, None, NOW.plus(60));
    store
        .insert_access_token(machine.clone())
        .await
        .expect("insert");
    let found = store
        .access_token(&machine.digest)
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(
        (found.grant_id, found.user_id, found.session_id),
        (None, None, None)
    );

    assert!(
        store
            .delete_access_token(&machine.digest)
            .await
            .expect("delete")
    );
    assert!(
        !store
            .delete_access_token(&machine.digest)
            .await
            .expect("delete")
    );
    assert!(
        store
            .access_token(&machine.digest)
            .await
            .expect("lookup")
            .is_none()
    );
}

/// Refresh tokens: lookup with every field, rotate once, delete once.
pub async fn refresh_tokens(store: Arc<dyn Store>) {
    let token = refresh(GrantId::generate(), NOW.plus(86_400));
    store
        .insert_refresh_token(token.clone())
        .await
        .expect("insert");
    let entry = store
        .refresh_token(&token.digest)
        .await
        .expect("lookup")
        .expect("found");
    assert!(!entry.rotated);
    let found = entry.record;
    assert_eq!(found.grant_id, token.grant_id);
    assert_eq!(found.client_id, token.client_id);
    assert_eq!(found.scopes, token.scopes);
    assert_eq!(found.resource, token.resource);
    assert_eq!(found.user_id, token.user_id);
    assert_eq!(found.session_id, token.session_id);
    assert_eq!(found.issued_at, NOW);
    assert_eq!(found.expires_at, NOW.plus(86_400));

    assert!(
        store
            .rotate_refresh_token(&token.digest)
            .await
            .expect("rotate")
    );
    assert!(
        !store
            .rotate_refresh_token(&token.digest)
            .await
            .expect("rotate")
    );
    let entry = store
        .refresh_token(&token.digest)
        .await
        .expect("lookup")
        .expect("kept");
    assert!(entry.rotated, "a rotated token is kept to detect reuse");

    assert!(
        store
            .delete_refresh_token(&token.digest)
            .await
            .expect("delete")
    );
    assert!(
        !store
            .delete_refresh_token(&token.digest)
            .await
            .expect("delete")
    );
    assert!(
        !store
            .rotate_refresh_token(&token.digest)
            .await
            .expect("rotate")
    );
}

/// Revoking a grant removes its access and refresh tokens and nothing else.
pub async fn revoke_grant(store: Arc<dyn Store>) {
    let (revoked, kept) = (GrantId::generate(), GrantId::generate());
    let doomed_access = access(Some(revoked), None, NOW.plus(3600));
    let doomed_refresh = refresh(revoked, NOW.plus(3600));
    let rotated_refresh = refresh(revoked, NOW.plus(3600));
    let other_access = access(Some(kept), None, NOW.plus(3600));
    let other_refresh = refresh(kept, NOW.plus(3600));
    let machine = access(None, None, NOW.plus(3600));
    let grant_code = code(revoked, NOW.plus(300));
    for token in [&doomed_access, &other_access, &machine] {
        store
            .insert_access_token(token.clone())
            .await
            .expect("insert");
    }
    for token in [&doomed_refresh, &rotated_refresh, &other_refresh] {
        store
            .insert_refresh_token(token.clone())
            .await
            .expect("insert");
    }
    store
        .rotate_refresh_token(&rotated_refresh.digest)
        .await
        .expect("rotate");
    store.insert_code(grant_code.clone()).await.expect("insert");

    store.revoke_grant(revoked).await.expect("revoke");

    assert!(
        store
            .access_token(&doomed_access.digest)
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        store
            .refresh_token(&doomed_refresh.digest)
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        store
            .refresh_token(&rotated_refresh.digest)
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        store
            .access_token(&other_access.digest)
            .await
            .expect("lookup")
            .is_some()
    );
    assert!(
        store
            .refresh_token(&other_refresh.digest)
            .await
            .expect("lookup")
            .is_some()
    );
    assert!(
        store
            .access_token(&machine.digest)
            .await
            .expect("lookup")
            .is_some()
    );
    assert!(
        store
            .code(&grant_code.digest)
            .await
            .expect("lookup")
            .is_some()
    );
    store
        .revoke_grant(GrantId::generate())
        .await
        .expect("an unknown grant is fine");
}

/// Users: unique e-mail addresses ignoring ASCII case, lookup by id and by address.
pub async fn users(store: Arc<dyn Store>) {
    let email = format!("Jane.{}@Example.com", random_hex(4));
    let jane = user(&email);
    store.insert_user(jane.clone()).await.expect("insert");
    let twin = store.insert_user(user(&email.to_ascii_lowercase())).await;
    assert!(matches!(twin, Err(StoreError::Conflict)), "{twin:?}");

    let by_id = store.user(jane.id).await.expect("lookup").expect("found");
    assert_eq!(by_id.email, email);
    assert_eq!(by_id.password_hash, jane.password_hash);
    assert_eq!(by_id.name, jane.name);
    assert_eq!(by_id.image, None);
    assert_eq!(by_id.email_verified_at, Some(NOW));
    let by_email = store
        .user_by_email(&email.to_ascii_uppercase())
        .await
        .expect("lookup");
    assert_eq!(by_email.map(|u| u.id), Some(jane.id));

    assert!(
        store
            .user(UserId::generate())
            .await
            .expect("lookup")
            .is_none()
    );
    let nobody = store
        .user_by_email("nobody@example.com")
        .await
        .expect("lookup");
    assert!(nobody.is_none());
}

/// Sessions: insert, lookup, extend, delete (twice is fine).
pub async fn sessions(store: Arc<dyn Store>) {
    let record = session(NOW.plus(604_800));
    store.insert_session(record.clone()).await.expect("insert");
    let found = store
        .session(record.id)
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(found.id, record.id);
    assert_eq!(found.user_id, record.user_id);
    assert_eq!(found.created_at, NOW);
    assert_eq!(found.expires_at, NOW.plus(604_800));

    store
        .extend_session(record.id, NOW.plus(900_000))
        .await
        .expect("extend");
    let found = store
        .session(record.id)
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(found.expires_at, NOW.plus(900_000));

    store.delete_session(record.id).await.expect("delete");
    assert!(store.session(record.id).await.expect("lookup").is_none());
    store
        .delete_session(record.id)
        .await
        .expect("deleting again is fine");
    store
        .extend_session(record.id, NOW)
        .await
        .expect("extending a gone session is fine");
    assert!(store.session(record.id).await.expect("lookup").is_none());
}

/// Purge drops what expired (codes an hour later) and keeps the rest.
pub async fn purge(store: Arc<dyn Store>) {
    let t = PURGE_ERA;
    let expired_pending = pending(Some(t.plus(-1)));
    let live_pending = pending(Some(t.plus(60)));
    let old_code = code(GrantId::generate(), t.plus(-3600));
    let recent_code = code(GrantId::generate(), t.plus(-10));
    let expired_access = access(None, None, t);
    let live_access = access(None, None, t.plus(1));
    let expired_refresh = refresh(GrantId::generate(), t.plus(-5));
    let live_refresh = refresh(GrantId::generate(), t.plus(5));
    let expired_session = session(t.plus(-1));
    let live_session = session(t.plus(1));
    for p in [&expired_pending, &live_pending] {
        store.insert_pending(p.clone()).await.expect("insert");
    }
    for c in [&old_code, &recent_code] {
        store.insert_code(c.clone()).await.expect("insert");
    }
    for a in [&expired_access, &live_access] {
        store.insert_access_token(a.clone()).await.expect("insert");
    }
    for r in [&expired_refresh, &live_refresh] {
        store.insert_refresh_token(r.clone()).await.expect("insert");
    }
    for s in [&expired_session, &live_session] {
        store.insert_session(s.clone()).await.expect("insert");
    }

    store.purge_expired(t).await.expect("purge");

    assert!(
        store
            .pending(&expired_pending.handle)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .pending(&live_pending.handle)
            .await
            .expect("read")
            .is_some()
    );
    assert!(store.code(&old_code.digest).await.expect("read").is_none());
    assert!(
        store
            .code(&recent_code.digest)
            .await
            .expect("read")
            .is_some(),
        "grace period"
    );
    assert!(
        store
            .access_token(&expired_access.digest)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .access_token(&live_access.digest)
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        store
            .refresh_token(&expired_refresh.digest)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .refresh_token(&live_refresh.digest)
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        store
            .session(expired_session.id)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        store
            .session(live_session.id)
            .await
            .expect("read")
            .is_some()
    );
}

/// Purge deletes in batches: more expired rows than one batch all go.
pub async fn purge_many(store: Arc<dyn Store>) {
    let t = PURGE_ERA.plus(-100_000);
    let mut digests = Vec::new();
    for _ in 0..1_200 {
        let token = access(None, None, t);
        digests.push(token.digest);
        store.insert_access_token(token).await.expect("insert");
    }
    store.purge_expired(t).await.expect("purge");
    for digest in digests.iter().step_by(97) {
        assert!(store.access_token(digest).await.expect("read").is_none());
    }
}

/// Many concurrent redemptions of one code: exactly one wins, round after round.
pub async fn concurrent_code_redemption(store: Arc<dyn Store>) {
    for round in 0..ROUNDS {
        let grant = code(GrantId::generate(), NOW.plus(300));
        store.insert_code(grant.clone()).await.expect("insert");
        let winners = race(&store, move |s| {
            let digest = grant.digest;
            async move { s.redeem_code(&digest).await.expect("redeem") }
        })
        .await;
        assert_eq!(winners, 1, "round {round}: {winners} redemptions succeeded");
    }
}

/// Many concurrent rotations of one refresh token: exactly one wins, round after round.
pub async fn concurrent_refresh_rotation(store: Arc<dyn Store>) {
    for round in 0..ROUNDS {
        let token = refresh(GrantId::generate(), NOW.plus(300));
        store
            .insert_refresh_token(token.clone())
            .await
            .expect("insert");
        let winners = race(&store, move |s| {
            let digest = token.digest;
            async move { s.rotate_refresh_token(&digest).await.expect("rotate") }
        })
        .await;
        assert_eq!(winners, 1, "round {round}: {winners} rotations succeeded");
    }
}

/// Many concurrent takes of one pending authorization: exactly one gets it.
pub async fn concurrent_pending_take(store: Arc<dyn Store>) {
    for round in 0..ROUNDS / 5 {
        let record = pending(Some(NOW.plus(600)));
        store.insert_pending(record.clone()).await.expect("insert");
        let winners = race(&store, move |s| {
            let handle = record.handle;
            async move { s.take_pending(&handle).await.expect("take").is_some() }
        })
        .await;
        assert_eq!(winners, 1, "round {round}: {winners} takes succeeded");
    }
}

/// Runs [`RACERS`] tasks of `attempt` at once, released together; counts the `true`s.
async fn race<F, Fut>(store: &Arc<dyn Store>, attempt: F) -> usize
where
    F: Fn(Arc<dyn Store>) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let start = Arc::new(tokio::sync::Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let (store, start, attempt) = (store.clone(), start.clone(), attempt.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            attempt(store).await
        }));
    }
    let mut winners = 0;
    for task in tasks {
        if task.await.expect("the racer finished") {
            winners += 1;
        }
    }
    winners
}
