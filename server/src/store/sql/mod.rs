//! The database store: SQLite for one instance, PostgreSQL for several instances serving one
//! issuer. One implementation over sqlx's `Any` driver; the engine is chosen by the storage
//! setting (`sqlite:PATH` or `postgres://…`), and each engine has its own migrations, run at
//! start-up.
//!
//! Secrets at rest: codes, tokens and pending-authorization handles are keyed by their SHA-256
//! digest; client secrets and session ids are sealed ([`super::sealing`]) under a key derived
//! from the server `secret`; sessions are keyed by the digest of their id; passwords arrive
//! already hashed with argon2id. Single-use redemption is one conditional `UPDATE`, so of two
//! concurrent redemptions — on one instance or on several — exactly one changes the row.

mod clients;
mod documents;
mod grants;
mod migrations;
mod purge;
mod scratch;
mod tokens;
mod users;

pub use scratch::ScratchDatabase;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use super::sealing::{Purpose, Sealer};
use super::{
    AccessTokenRecord, Client, CodeEntry, CodeGrant, PendingAuthorization, RefreshEntry,
    RefreshTokenRecord, Session, Store, StoreError, StoreResult, User,
};
use crate::domain::{ClientId, GrantId, Secret, SessionId, Timestamp, TokenDigest, UserId};

/// How long a request waits for a free connection before the store reports a failure.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which database engine a storage setting names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// A SQLite file: one instance.
    Sqlite,
    /// A PostgreSQL database: one or several instances.
    Postgres,
}

impl Engine {
    /// The engine and the sqlx connection URL for a storage setting; `None` when the setting
    /// names neither engine. A SQLite file is created when missing.
    pub fn parse(storage: &str) -> Option<(Engine, String)> {
        if let Some(path) = storage.strip_prefix("sqlite:") {
            if path.is_empty() {
                return None;
            }
            let url = if path.contains('?') {
                storage.to_owned()
            } else {
                format!("{storage}?mode=rwc")
            };
            return Some((Engine::Sqlite, url));
        }
        let postgres = ["postgres://", "postgresql://"];
        postgres
            .iter()
            .any(|scheme| storage.starts_with(scheme))
            .then(|| (Engine::Postgres, storage.to_owned()))
    }

    /// Connections in the pool: SQLite serialises writers anyway.
    fn max_connections(self) -> u32 {
        match self {
            Engine::Sqlite => 4,
            Engine::Postgres => 10,
        }
    }

    /// The engine's name in logs.
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A store in a SQLite or PostgreSQL database.
pub struct SqlStore {
    pool: AnyPool,
    sealer: Sealer,
    engine: Engine,
}

impl SqlStore {
    /// Connects to the database `storage` names (`sqlite:PATH` or `postgres://…`), runs the
    /// migrations, and seals with a key derived from `server_secret`.
    pub async fn open(storage: &str, server_secret: &Secret) -> StoreResult<SqlStore> {
        let Some((engine, url)) = Engine::parse(storage) else {
            return Err(StoreError::Backend(
                "storage names neither sqlite:PATH nor postgres://".into(),
            ));
        };
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(engine.max_connections())
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(&url)
            .await
            .map_err(backend)?;
        if engine == Engine::Sqlite {
            // Readers do not wait for the writer; the mode is kept in the file.
            pool.execute("PRAGMA journal_mode = WAL")
                .await
                .map_err(backend)?;
        }
        migrations::run(&pool, engine).await?;
        tracing::info!(engine = engine.name(), "storage opened and migrated");
        Ok(SqlStore {
            pool,
            sealer: Sealer::new(server_secret),
            engine,
        })
    }

    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Adds many clients in one transaction, in batched statements (seeding a large
    /// registry, the benchmarks). A taken id is [`StoreError::Conflict`], and then none is
    /// added.
    pub async fn insert_clients(&self, clients: &[Client]) -> StoreResult<()> {
        clients::insert_many(self, clients).await
    }

    /// Closes every connection (waits for those in use).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn seal_session(&self, row: &TokenDigest, session: SessionId) -> Vec<u8> {
        let text = session.to_string();
        self.sealer
            .seal(Purpose::SessionId, &row.0, text.as_bytes())
    }

    fn open_session(&self, row: &TokenDigest, sealed: &[u8]) -> StoreResult<SessionId> {
        let opened = self
            .sealer
            .open(Purpose::SessionId, &row.0, sealed)
            .map_err(|error| StoreError::Backend(error.to_string()))?;
        let text = String::from_utf8(opened).map_err(|_| documents::corrupt("session id"))?;
        documents::uuid(&text)
    }
}

/// A driver failure, as a store failure.
fn backend(error: sqlx::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

/// The result of an `INSERT … ON CONFLICT DO NOTHING`: a row was added, or the key was taken.
fn added(done: &sqlx::any::AnyQueryResult) -> StoreResult<()> {
    match done.rows_affected() {
        0 => Err(StoreError::Conflict),
        _ => Ok(()),
    }
}

/// A boolean column (0 or 1 in both engines).
fn flag(value: i64) -> bool {
    value != 0
}

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn insert_client(&self, client: Client) -> StoreResult<()> {
        clients::insert(self, &client).await
    }

    async fn upsert_client(&self, client: Client) -> StoreResult<()> {
        clients::upsert(self, &client).await
    }

    async fn client(&self, id: &ClientId) -> StoreResult<Option<Client>> {
        clients::find(self, id).await
    }

    async fn insert_pending(&self, pending: PendingAuthorization) -> StoreResult<()> {
        grants::insert_pending(self, &pending).await
    }

    async fn pending(&self, handle: &TokenDigest) -> StoreResult<Option<PendingAuthorization>> {
        grants::pending(self, handle).await
    }

    async fn take_pending(
        &self,
        handle: &TokenDigest,
    ) -> StoreResult<Option<PendingAuthorization>> {
        grants::take_pending(self, handle).await
    }

    async fn insert_code(&self, code: CodeGrant) -> StoreResult<()> {
        grants::insert_code(self, &code).await
    }

    async fn code(&self, digest: &TokenDigest) -> StoreResult<Option<CodeEntry>> {
        grants::code(self, digest).await
    }

    async fn redeem_code(&self, digest: &TokenDigest) -> StoreResult<bool> {
        grants::redeem_code(self, digest).await
    }

    async fn insert_access_token(&self, token: AccessTokenRecord) -> StoreResult<()> {
        tokens::insert_access(self, &token).await
    }

    async fn access_token(&self, digest: &TokenDigest) -> StoreResult<Option<AccessTokenRecord>> {
        tokens::access(self, digest).await
    }

    async fn delete_access_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        tokens::delete(self, "access_tokens", digest).await
    }

    async fn insert_refresh_token(&self, token: RefreshTokenRecord) -> StoreResult<()> {
        tokens::insert_refresh(self, &token).await
    }

    async fn refresh_token(&self, digest: &TokenDigest) -> StoreResult<Option<RefreshEntry>> {
        tokens::refresh(self, digest).await
    }

    async fn rotate_refresh_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        tokens::rotate(self, digest).await
    }

    async fn delete_refresh_token(&self, digest: &TokenDigest) -> StoreResult<bool> {
        tokens::delete(self, "refresh_tokens", digest).await
    }

    async fn revoke_grant(&self, grant: GrantId) -> StoreResult<()> {
        tokens::revoke_grant(self, grant).await
    }

    async fn insert_user(&self, user: User) -> StoreResult<()> {
        users::insert(self, &user).await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        users::find(self, id).await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        users::find_by_email(self, email).await
    }

    async fn insert_session(&self, session: Session) -> StoreResult<()> {
        users::insert_session(self, &session).await
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        users::session(self, id).await
    }

    async fn extend_session(&self, id: SessionId, expires_at: Timestamp) -> StoreResult<()> {
        users::extend_session(self, id, expires_at).await
    }

    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        users::delete_session(self, id).await
    }

    async fn purge_expired(&self, now: Timestamp) -> StoreResult<()> {
        purge::expired(self, now).await
    }
}
