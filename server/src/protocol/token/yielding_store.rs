//! A test store that yields to the scheduler before every code and refresh-token lookup, so
//! that concurrent exchanges of one value all pass their checks before any of them redeems it:
//! the race that [`Store::redeem_code`] and [`Store::rotate_refresh_token`] must settle.

use crate::domain::{ClientId, GrantId, SessionId, Timestamp, TokenDigest, UserId};
use crate::store::{
    AccessTokenRecord, Client, CodeEntry, CodeGrant, MemoryStore, PendingAuthorization,
    RefreshEntry, RefreshTokenRecord, Session, Store, StoreResult, User,
};

/// [`MemoryStore`], with a yield before reading a code or a refresh token.
#[derive(Default)]
pub struct YieldingStore(MemoryStore);

#[async_trait::async_trait]
impl Store for YieldingStore {
    async fn code(&self, digest: &TokenDigest) -> StoreResult<Option<CodeEntry>> {
        let entry = self.0.code(digest).await;
        tokio::task::yield_now().await;
        entry
    }

    async fn refresh_token(&self, digest: &TokenDigest) -> StoreResult<Option<RefreshEntry>> {
        let entry = self.0.refresh_token(digest).await;
        tokio::task::yield_now().await;
        entry
    }

    async fn insert_client(&self, client: Client) -> StoreResult<()> {
        self.0.insert_client(client).await
    }
    async fn upsert_client(&self, client: Client) -> StoreResult<()> {
        self.0.upsert_client(client).await
    }
    async fn client(&self, id: &ClientId) -> StoreResult<Option<Client>> {
        self.0.client(id).await
    }
    async fn insert_pending(&self, pending: PendingAuthorization) -> StoreResult<()> {
        self.0.insert_pending(pending).await
    }
    async fn pending(&self, handle: &TokenDigest) -> StoreResult<Option<PendingAuthorization>> {
        self.0.pending(handle).await
    }
    async fn take_pending(
        &self,
        handle: &TokenDigest,
    ) -> StoreResult<Option<PendingAuthorization>> {
        self.0.take_pending(handle).await
    }
    async fn insert_code(&self, code: CodeGrant) -> StoreResult<()> {
        self.0.insert_code(code).await
    }
    async fn redeem_code(&self, digest: &TokenDigest) -> StoreResult<bool> {
        self.0.redeem_code(digest).await
    }
    async fn insert_access_token(&self, token: AccessTokenRecord) -> StoreResult<()> {
        self.0.insert_access_token(token).await
    }
    async fn access_token(&self, digest: &TokenDigest) -> StoreResult<Option<AccessTokenRecord>> {
        self.0.access_token(digest).await
    }
    async fn delete_access_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        self.0.delete_access_token(digest).await
    }
    async fn insert_refresh_token(&self, token: RefreshTokenRecord) -> StoreResult<()> {
        self.0.insert_refresh_token(token).await
    }
    async fn rotate_refresh_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        self.0.rotate_refresh_token(digest).await
    }
    async fn delete_refresh_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        self.0.delete_refresh_token(digest).await
    }
    async fn revoke_grant(&self, grant: GrantId) -> StoreResult<()> {
        self.0.revoke_grant(grant).await
    }
    async fn insert_user(&self, user: User) -> StoreResult<()> {
        self.0.insert_user(user).await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.0.user(id).await
    }
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.0.user_by_email(email).await
    }
    async fn insert_session(&self, session: Session) -> StoreResult<()> {
        self.0.insert_session(session).await
    }
    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        self.0.session(id).await
    }
    async fn extend_session(&self, id: SessionId, expires_at: Timestamp) -> StoreResult<()> {
        self.0.extend_session(id, expires_at).await
    }
    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        self.0.delete_session(id).await
    }
    async fn purge_expired(&self, now: Timestamp) -> StoreResult<()> {
        self.0.purge_expired(now).await
    }
}
