//! Users (keyed by id, unique by lower-cased e-mail address) and host sessions (keyed by the
//! digest of the session id, which is the `belgie_session` cookie value).

use sqlx::Row;
use sqlx::any::AnyRow;

use super::documents::{UserDocument, email_key, from_text, to_text, uuid};
use super::{SqlStore, backend};
use crate::domain::{SessionId, Timestamp, TokenDigest, UserId};
use crate::store::{Session, StoreResult, User};

/// Adds a user; a taken id or e-mail address is a conflict.
pub(super) async fn insert(store: &SqlStore, user: &User) -> StoreResult<()> {
    let added = sqlx::query(
        "INSERT INTO users (id, email_key, document) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(user.id.to_string())
    .bind(email_key(&user.email))
    .bind(to_text(&UserDocument::of(user))?)
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    super::added(&added)
}

/// Looks a user up by id.
pub(super) async fn find(store: &SqlStore, id: UserId) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT id, document FROM users WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&store.pool)
        .await
        .map_err(backend)?;
    row.as_ref().map(read_user).transpose()
}

/// Looks a user up by e-mail address, ignoring ASCII case.
pub(super) async fn find_by_email(store: &SqlStore, email: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT id, document FROM users WHERE email_key = $1")
        .bind(email_key(email))
        .fetch_optional(&store.pool)
        .await
        .map_err(backend)?;
    row.as_ref().map(read_user).transpose()
}

fn read_user(row: &AnyRow) -> StoreResult<User> {
    let id: String = row.try_get("id").map_err(backend)?;
    let document: String = row.try_get("document").map_err(backend)?;
    Ok(from_text::<UserDocument>(&document)?.into_user(uuid(&id)?))
}

/// The key of a session row: the digest of the id, so the table holds no cookie value.
fn session_key(id: SessionId) -> Vec<u8> {
    TokenDigest::of(&id.to_string()).0.to_vec()
}

/// Stores (or replaces) a session.
pub(super) async fn insert_session(store: &SqlStore, session: &Session) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (id_digest, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id_digest) DO UPDATE SET user_id = excluded.user_id, \
         created_at = excluded.created_at, expires_at = excluded.expires_at",
    )
    .bind(session_key(session.id))
    .bind(session.user_id.to_string())
    .bind(session.created_at.0)
    .bind(session.expires_at.0)
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Looks a session up by id.
pub(super) async fn session(store: &SqlStore, id: SessionId) -> StoreResult<Option<Session>> {
    let row =
        sqlx::query("SELECT user_id, created_at, expires_at FROM sessions WHERE id_digest = $1")
            .bind(session_key(id))
            .fetch_optional(&store.pool)
            .await
            .map_err(backend)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let user_id: String = row.try_get("user_id").map_err(backend)?;
    Ok(Some(Session {
        id,
        user_id: uuid(&user_id)?,
        created_at: Timestamp(row.try_get("created_at").map_err(backend)?),
        expires_at: Timestamp(row.try_get("expires_at").map_err(backend)?),
    }))
}

/// Moves a session's expiry.
pub(super) async fn extend_session(
    store: &SqlStore,
    id: SessionId,
    expires_at: Timestamp,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET expires_at = $2 WHERE id_digest = $1")
        .bind(session_key(id))
        .bind(expires_at.0)
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(())
}

/// Deletes a session if it exists.
pub(super) async fn delete_session(store: &SqlStore, id: SessionId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_digest = $1")
        .bind(session_key(id))
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(())
}
