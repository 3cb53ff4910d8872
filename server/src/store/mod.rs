//! The storage interface: one trait for everything the server keeps, with an in-memory
//! implementation (the default) and a database one (SQLite or PostgreSQL). Single-use things
//! (a code, a refresh token) are redeemed atomically.

mod memory;
mod records;
pub mod sealing;
mod sql;

pub use memory::MemoryStore;
pub use records::{
    AccessTokenRecord, Audience, AuthMethod, Client, ClientMetadata, CodeEntry, CodeGrant, Intent,
    PendingAuthorization, RefreshEntry, RefreshTokenRecord, Session, User,
};
pub use sql::{Engine, ScratchDatabase, SqlStore};

use crate::domain::{ClientId, GrantId, SessionId, Timestamp, TokenDigest, UserId};

/// A storage failure. Protocol code turns it into a server error without detail.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A record with the same key exists already.
    #[error("already exists")]
    Conflict,
    /// The backend failed.
    #[error("storage backend failed: {0}")]
    Backend(String),
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the server keeps. Implementations must make [`Store::redeem_code`] and
/// [`Store::rotate_refresh_token`] atomic: of two concurrent calls for one value, one wins.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// Adds a client; [`StoreError::Conflict`] if the id is taken.
    async fn insert_client(&self, client: Client) -> StoreResult<()>;
    /// Replaces or adds a client (the static and seeded clients at start-up).
    async fn upsert_client(&self, client: Client) -> StoreResult<()>;
    /// Looks a client up by id.
    async fn client(&self, id: &ClientId) -> StoreResult<Option<Client>>;

    /// Stores a pending authorization under its handle digest.
    async fn insert_pending(&self, pending: PendingAuthorization) -> StoreResult<()>;
    /// Reads a pending authorization without consuming it.
    async fn pending(&self, handle: &TokenDigest) -> StoreResult<Option<PendingAuthorization>>;
    /// Removes and returns a pending authorization; `None` if it was gone (atomic).
    async fn take_pending(&self, handle: &TokenDigest)
    -> StoreResult<Option<PendingAuthorization>>;

    /// Stores a freshly issued code.
    async fn insert_code(&self, code: CodeGrant) -> StoreResult<()>;
    /// Looks a code up, redeemed or not.
    async fn code(&self, digest: &TokenDigest) -> StoreResult<Option<CodeEntry>>;
    /// Marks a code redeemed. `true` for the one call that redeemed it, `false` if it was
    /// already redeemed or unknown.
    async fn redeem_code(&self, digest: &TokenDigest) -> StoreResult<bool>;

    /// Stores an access token.
    async fn insert_access_token(&self, token: AccessTokenRecord) -> StoreResult<()>;
    /// Looks an access token up (expired ones too; the caller decides).
    async fn access_token(&self, digest: &TokenDigest) -> StoreResult<Option<AccessTokenRecord>>;
    /// Deletes an access token; `true` if it existed.
    async fn delete_access_token(&self, digest: &TokenDigest) -> StoreResult<bool>;

    /// Stores a refresh token.
    async fn insert_refresh_token(&self, token: RefreshTokenRecord) -> StoreResult<()>;
    /// Looks a refresh token up, rotated or not.
    async fn refresh_token(&self, digest: &TokenDigest) -> StoreResult<Option<RefreshEntry>>;
    /// Marks a refresh token rotated. `true` for the one call that rotated it.
    async fn rotate_refresh_token(&self, digest: &TokenDigest) -> StoreResult<bool>;
    /// Deletes a refresh token; `true` if it existed.
    async fn delete_refresh_token(&self, digest: &TokenDigest) -> StoreResult<bool>;

    /// Revokes every access and refresh token of a grant (replay of a code or refresh token,
    /// revocation of a refresh token).
    async fn revoke_grant(&self, grant: GrantId) -> StoreResult<()>;

    /// Adds a user; [`StoreError::Conflict`] if the e-mail address is taken.
    async fn insert_user(&self, user: User) -> StoreResult<()>;
    /// Looks a user up by id.
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// Looks a user up by e-mail address, case-insensitively.
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;

    /// Stores a host session.
    async fn insert_session(&self, session: Session) -> StoreResult<()>;
    /// Looks a session up (expired ones too; the caller decides).
    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>>;
    /// Moves a session's expiry (sliding sessions).
    async fn extend_session(&self, id: SessionId, expires_at: Timestamp) -> StoreResult<()>;
    /// Deletes a session; nothing happens if it is gone.
    async fn delete_session(&self, id: SessionId) -> StoreResult<()>;

    /// Drops everything that expired before `now`.
    async fn purge_expired(&self, now: Timestamp) -> StoreResult<()>;
}
