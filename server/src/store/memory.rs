//! The in-memory store (the default, as in CORE): every table in maps behind one mutex, which
//! also makes redemption and rotation atomic.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{
    AccessTokenRecord, Client, CodeEntry, CodeGrant, PendingAuthorization, RefreshEntry,
    RefreshTokenRecord, Session, Store, StoreError, StoreResult, User,
};
use crate::domain::{ClientId, GrantId, SessionId, Timestamp, TokenDigest, UserId};

/// How long an expired or redeemed code is kept, to tell "expired" and "replayed" apart.
const CODE_GRACE_SECONDS: i64 = 3600;

#[derive(Default)]
struct Tables {
    clients: HashMap<ClientId, Client>,
    pending: HashMap<TokenDigest, PendingAuthorization>,
    codes: HashMap<TokenDigest, CodeEntry>,
    access_tokens: HashMap<TokenDigest, AccessTokenRecord>,
    refresh_tokens: HashMap<TokenDigest, RefreshEntry>,
    users: HashMap<UserId, User>,
    sessions: HashMap<SessionId, Session>,
}

/// Keeps everything in process memory; lost when the process ends.
#[derive(Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Tables) -> T) -> StoreResult<T> {
        let mut tables = self
            .tables
            .lock()
            .map_err(|_| StoreError::Backend("memory store lock poisoned".into()))?;
        Ok(f(&mut tables))
    }
}

#[async_trait::async_trait]
impl Store for MemoryStore {
    async fn insert_client(&self, client: Client) -> StoreResult<()> {
        self.with(|t| {
            if t.clients.contains_key(&client.client_id) {
                return Err(StoreError::Conflict);
            }
            t.clients.insert(client.client_id.clone(), client);
            Ok(())
        })?
    }

    async fn upsert_client(&self, client: Client) -> StoreResult<()> {
        self.with(|t| {
            t.clients.insert(client.client_id.clone(), client);
        })
    }

    async fn client(&self, id: &ClientId) -> StoreResult<Option<Client>> {
        self.with(|t| t.clients.get(id).cloned())
    }

    async fn insert_pending(&self, pending: PendingAuthorization) -> StoreResult<()> {
        self.with(|t| {
            if t.pending.contains_key(&pending.handle) {
                return Err(StoreError::Conflict);
            }
            t.pending.insert(pending.handle, pending);
            Ok(())
        })?
    }

    async fn pending(&self, handle: &TokenDigest) -> StoreResult<Option<PendingAuthorization>> {
        self.with(|t| t.pending.get(handle).cloned())
    }

    async fn take_pending(
        &self,
        handle: &TokenDigest,
    ) -> StoreResult<Option<PendingAuthorization>> {
        self.with(|t| t.pending.remove(handle))
    }

    async fn insert_code(&self, code: CodeGrant) -> StoreResult<()> {
        self.with(|t| {
            t.codes.insert(
                code.digest,
                CodeEntry {
                    grant: code,
                    redeemed: false,
                },
            );
        })
    }

    async fn code(&self, digest: &TokenDigest) -> StoreResult<Option<CodeEntry>> {
        self.with(|t| t.codes.get(digest).cloned())
    }

    async fn redeem_code(&self, digest: &TokenDigest) -> StoreResult<bool> {
        self.with(|t| match t.codes.get_mut(digest) {
            Some(entry) if !entry.redeemed => {
                entry.redeemed = true;
                true
            }
            _ => false,
        })
    }

    async fn insert_access_token(&self, token: AccessTokenRecord) -> StoreResult<()> {
        self.with(|t| {
            t.access_tokens.insert(token.digest, token);
        })
    }

    async fn access_token(&self, digest: &TokenDigest) -> StoreResult<Option<AccessTokenRecord>> {
        self.with(|t| t.access_tokens.get(digest).cloned())
    }

    async fn delete_access_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        self.with(|t| t.access_tokens.remove(digest).is_some())
    }

    async fn insert_refresh_token(&self, token: RefreshTokenRecord) -> StoreResult<()> {
        self.with(|t| {
            let entry = RefreshEntry {
                record: token,
                rotated: false,
            };
            t.refresh_tokens.insert(entry.record.digest, entry);
        })
    }

    async fn refresh_token(&self, digest: &TokenDigest) -> StoreResult<Option<RefreshEntry>> {
        self.with(|t| t.refresh_tokens.get(digest).cloned())
    }

    async fn rotate_refresh_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        self.with(|t| match t.refresh_tokens.get_mut(digest) {
            Some(entry) if !entry.rotated => {
                entry.rotated = true;
                true
            }
            _ => false,
        })
    }

    async fn delete_refresh_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        self.with(|t| t.refresh_tokens.remove(digest).is_some())
    }

    async fn revoke_grant(&self, grant: GrantId) -> StoreResult<()> {
        self.with(|t| {
            t.access_tokens
                .retain(|_, token| token.grant_id != Some(grant));
            t.refresh_tokens
                .retain(|_, entry| entry.record.grant_id != grant);
        })
    }

    async fn insert_user(&self, user: User) -> StoreResult<()> {
        self.with(|t| {
            let taken = t
                .users
                .values()
                .any(|u| u.email.eq_ignore_ascii_case(&user.email));
            if taken {
                return Err(StoreError::Conflict);
            }
            t.users.insert(user.id, user);
            Ok(())
        })?
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.with(|t| t.users.get(&id).cloned())
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.with(|t| {
            t.users
                .values()
                .find(|u| u.email.eq_ignore_ascii_case(email))
                .cloned()
        })
    }

    async fn insert_session(&self, session: Session) -> StoreResult<()> {
        self.with(|t| {
            t.sessions.insert(session.id, session);
        })
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        self.with(|t| t.sessions.get(&id).cloned())
    }

    async fn extend_session(&self, id: SessionId, expires_at: Timestamp) -> StoreResult<()> {
        self.with(|t| {
            if let Some(session) = t.sessions.get_mut(&id) {
                session.expires_at = expires_at;
            }
        })
    }

    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        self.with(|t| {
            t.sessions.remove(&id);
        })
    }

    async fn purge_expired(&self, now: Timestamp) -> StoreResult<()> {
        self.with(|t| {
            t.pending
                .retain(|_, p| !p.expires_at.is_some_and(|at| at.has_passed(now)));
            // Expired codes linger for a while so that they keep answering "code expired".
            t.codes
                .retain(|_, c| !c.grant.expires_at.plus(CODE_GRACE_SECONDS).has_passed(now));
            t.access_tokens.retain(|_, a| !a.expires_at.has_passed(now));
            t.refresh_tokens
                .retain(|_, r| !r.record.expires_at.has_passed(now));
            t.sessions.retain(|_, s| !s.expires_at.has_passed(now));
        })
    }
}
