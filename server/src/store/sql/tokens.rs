//! Access and refresh tokens, keyed by digest, linked to their grant (the code they descend
//! from) so that a replayed code or refresh token revokes the whole family. Rotation is one
//! conditional statement.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::documents::{TokenDocument, corrupt, from_text, to_text, uuid};
use super::{SqlStore, backend, flag};
use crate::domain::{ClientId, GrantId, Scopes, Timestamp, TokenDigest};
use crate::store::{AccessTokenRecord, RefreshEntry, RefreshTokenRecord, StoreResult};

/// Stores an access token.
pub(super) async fn insert_access(store: &SqlStore, token: &AccessTokenRecord) -> StoreResult<()> {
    let sealed = token
        .session_id
        .map(|session| store.seal_session(&token.digest, session));
    sqlx::query(
        "INSERT INTO access_tokens (digest, grant_id, session_sealed, expires_at, document) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token.digest.0.to_vec())
    .bind(token.grant_id.map(|grant| grant.to_string()))
    .bind(sealed)
    .bind(token.expires_at.0)
    .bind(to_text(&TokenDocument::of_access(token))?)
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Looks an access token up.
pub(super) async fn access(
    store: &SqlStore,
    key: &TokenDigest,
) -> StoreResult<Option<AccessTokenRecord>> {
    let row = sqlx::query(
        "SELECT grant_id, session_sealed, expires_at, document FROM access_tokens \
         WHERE digest = $1",
    )
    .bind(key.0.to_vec())
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.map(|row| read_access(store, key, &row)).transpose()
}

fn read_access(
    store: &SqlStore,
    key: &TokenDigest,
    row: &AnyRow,
) -> StoreResult<AccessTokenRecord> {
    let grant_id: Option<String> = row.try_get("grant_id").map_err(backend)?;
    let sealed: Option<Vec<u8>> = row.try_get("session_sealed").map_err(backend)?;
    let expires_at: i64 = row.try_get("expires_at").map_err(backend)?;
    let document: TokenDocument =
        from_text(&row.try_get::<String, _>("document").map_err(backend)?)?;
    Ok(AccessTokenRecord {
        digest: *key,
        grant_id: grant_id.as_deref().map(uuid).transpose()?,
        audience: document.audience()?,
        user_id: document.user()?,
        client_id: ClientId::new(document.client_id),
        scopes: Scopes(document.scopes),
        session_id: sealed
            .map(|sealed| store.open_session(key, &sealed))
            .transpose()?,
        issued_at: Timestamp(document.issued_at),
        expires_at: Timestamp(expires_at),
    })
}

/// Stores a refresh token, not yet rotated.
pub(super) async fn insert_refresh(
    store: &SqlStore,
    token: &RefreshTokenRecord,
) -> StoreResult<()> {
    let document = TokenDocument {
        client_id: token.client_id.as_str().to_owned(),
        scopes: token.scopes.0.clone(),
        audience: None,
        audience_is_list: false,
        resource: token.resource.clone(),
        user_id: Some(token.user_id.to_string()),
        issued_at: token.issued_at.0,
    };
    sqlx::query(
        "INSERT INTO refresh_tokens \
         (digest, grant_id, session_sealed, rotated, expires_at, document) \
         VALUES ($1, $2, $3, 0, $4, $5)",
    )
    .bind(token.digest.0.to_vec())
    .bind(token.grant_id.to_string())
    .bind(store.seal_session(&token.digest, token.session_id))
    .bind(token.expires_at.0)
    .bind(to_text(&document)?)
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Looks a refresh token up, rotated or not.
pub(super) async fn refresh(
    store: &SqlStore,
    key: &TokenDigest,
) -> StoreResult<Option<RefreshEntry>> {
    let row = sqlx::query(
        "SELECT grant_id, session_sealed, rotated, expires_at, document FROM refresh_tokens \
         WHERE digest = $1",
    )
    .bind(key.0.to_vec())
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.map(|row| read_refresh(store, key, &row)).transpose()
}

fn read_refresh(store: &SqlStore, key: &TokenDigest, row: &AnyRow) -> StoreResult<RefreshEntry> {
    let grant_id: String = row.try_get("grant_id").map_err(backend)?;
    let sealed: Vec<u8> = row.try_get("session_sealed").map_err(backend)?;
    let rotated: i64 = row.try_get("rotated").map_err(backend)?;
    let expires_at: i64 = row.try_get("expires_at").map_err(backend)?;
    let document: TokenDocument =
        from_text(&row.try_get::<String, _>("document").map_err(backend)?)?;
    let user_id = document
        .user()?
        .ok_or_else(|| corrupt("refresh token user"))?;
    let record = RefreshTokenRecord {
        digest: *key,
        grant_id: uuid(&grant_id)?,
        client_id: ClientId::new(document.client_id),
        scopes: Scopes(document.scopes),
        resource: document.resource,
        user_id,
        session_id: store.open_session(key, &sealed)?,
        issued_at: Timestamp(document.issued_at),
        expires_at: Timestamp(expires_at),
    };
    Ok(RefreshEntry {
        record,
        rotated: flag(rotated),
    })
}

/// Marks a refresh token rotated; `true` only for the one statement that changed the row.
pub(super) async fn rotate(store: &SqlStore, key: &TokenDigest) -> StoreResult<bool> {
    let done =
        sqlx::query("UPDATE refresh_tokens SET rotated = 1 WHERE digest = $1 AND rotated = 0")
            .bind(key.0.to_vec())
            .execute(&store.pool)
            .await
            .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a token from `table` (one of the two token tables); `true` if it existed.
pub(super) async fn delete(store: &SqlStore, table: &str, key: &TokenDigest) -> StoreResult<bool> {
    let sql = format!("DELETE FROM {table} WHERE digest = $1");
    let done = sqlx::query(&sql)
        .bind(key.0.to_vec())
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected() > 0)
}

/// Deletes every access and refresh token of `grant`, in one transaction.
pub(super) async fn revoke_grant(store: &SqlStore, grant: GrantId) -> StoreResult<()> {
    let grant = grant.to_string();
    let mut tx = store.pool.begin().await.map_err(backend)?;
    for sql in [
        "DELETE FROM access_tokens WHERE grant_id = $1",
        "DELETE FROM refresh_tokens WHERE grant_id = $1",
    ] {
        sqlx::query(sql)
            .bind(grant.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)
}
