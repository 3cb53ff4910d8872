//! Pending authorizations (keyed by the handle's digest) and codes (keyed by the code's
//! digest, with the grant they start and the sealed session). Taking a pending authorization
//! and redeeming a code are single statements, so exactly one caller wins.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::documents::{CodeDocument, PendingDocument, digest, from_text, to_text, uuid};
use super::{SqlStore, backend, flag};
use crate::domain::{ClientId, CodeChallenge, Scopes, Timestamp, TokenDigest};
use crate::store::{CodeEntry, CodeGrant, PendingAuthorization, StoreResult};

/// Stores a pending authorization; a handle in use is a conflict.
pub(super) async fn insert_pending(
    store: &SqlStore,
    pending: &PendingAuthorization,
) -> StoreResult<()> {
    let added = sqlx::query(
        "INSERT INTO pending_authorizations (handle, expires_at, document) VALUES ($1, $2, $3) \
         ON CONFLICT (handle) DO NOTHING",
    )
    .bind(pending.handle.0.to_vec())
    .bind(pending.expires_at.map(|at| at.0))
    .bind(to_text(&PendingDocument::of(pending))?)
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    super::added(&added)
}

/// Reads a pending authorization.
pub(super) async fn pending(
    store: &SqlStore,
    handle: &TokenDigest,
) -> StoreResult<Option<PendingAuthorization>> {
    let row = sqlx::query(
        "SELECT handle, expires_at, document FROM pending_authorizations WHERE handle = $1",
    )
    .bind(handle.0.to_vec())
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.as_ref().map(read_pending).transpose()
}

/// Deletes a pending authorization and returns it, in one statement.
pub(super) async fn take_pending(
    store: &SqlStore,
    handle: &TokenDigest,
) -> StoreResult<Option<PendingAuthorization>> {
    let row = sqlx::query(
        "DELETE FROM pending_authorizations WHERE handle = $1 \
         RETURNING handle, expires_at, document",
    )
    .bind(handle.0.to_vec())
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.as_ref().map(read_pending).transpose()
}

fn read_pending(row: &AnyRow) -> StoreResult<PendingAuthorization> {
    let handle: Vec<u8> = row.try_get("handle").map_err(backend)?;
    let expires_at: Option<i64> = row.try_get("expires_at").map_err(backend)?;
    let document: String = row.try_get("document").map_err(backend)?;
    from_text::<PendingDocument>(&document)?.into_pending(digest(&handle)?, expires_at)
}

/// Stores a code, not yet redeemed.
pub(super) async fn insert_code(store: &SqlStore, code: &CodeGrant) -> StoreResult<()> {
    let document = CodeDocument {
        client_id: code.client_id.as_str().to_owned(),
        redirect_uri: code.redirect_uri.as_str().to_owned(),
        redirect_uri_explicit: code.redirect_uri_explicit,
        scopes: code.scopes.0.clone(),
        code_challenge: code.code_challenge.0.clone(),
        resource: code.resource.clone(),
        nonce: code.nonce.clone(),
        user_id: code.user_id.to_string(),
        issued_at: code.issued_at.0,
    };
    sqlx::query(
        "INSERT INTO codes (digest, grant_id, session_sealed, redeemed, expires_at, document) \
         VALUES ($1, $2, $3, 0, $4, $5)",
    )
    .bind(code.digest.0.to_vec())
    .bind(code.grant_id.to_string())
    .bind(store.seal_session(&code.digest, code.session_id))
    .bind(code.expires_at.0)
    .bind(to_text(&document)?)
    .execute(&store.pool)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Looks a code up, redeemed or not.
pub(super) async fn code(store: &SqlStore, key: &TokenDigest) -> StoreResult<Option<CodeEntry>> {
    let row = sqlx::query(
        "SELECT grant_id, session_sealed, redeemed, expires_at, document \
         FROM codes WHERE digest = $1",
    )
    .bind(key.0.to_vec())
    .fetch_optional(&store.pool)
    .await
    .map_err(backend)?;
    row.map(|row| read_code(store, key, &row)).transpose()
}

fn read_code(store: &SqlStore, key: &TokenDigest, row: &AnyRow) -> StoreResult<CodeEntry> {
    let grant_id: String = row.try_get("grant_id").map_err(backend)?;
    let sealed: Vec<u8> = row.try_get("session_sealed").map_err(backend)?;
    let redeemed: i64 = row.try_get("redeemed").map_err(backend)?;
    let expires_at: i64 = row.try_get("expires_at").map_err(backend)?;
    let document: String = row.try_get("document").map_err(backend)?;
    let document: CodeDocument = from_text(&document)?;
    let grant = CodeGrant {
        digest: *key,
        grant_id: uuid(&grant_id)?,
        redirect_uri: document.redirect_uri()?,
        client_id: ClientId::new(document.client_id),
        redirect_uri_explicit: document.redirect_uri_explicit,
        scopes: Scopes(document.scopes),
        code_challenge: CodeChallenge(document.code_challenge),
        resource: document.resource,
        nonce: document.nonce,
        user_id: uuid(&document.user_id)?,
        session_id: store.open_session(key, &sealed)?,
        issued_at: Timestamp(document.issued_at),
        expires_at: Timestamp(expires_at),
    };
    Ok(CodeEntry {
        grant,
        redeemed: flag(redeemed),
    })
}

/// Marks a code redeemed; `true` only for the one statement that changed the row.
pub(super) async fn redeem_code(store: &SqlStore, key: &TokenDigest) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE codes SET redeemed = 1 WHERE digest = $1 AND redeemed = 0")
        .bind(key.0.to_vec())
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}
