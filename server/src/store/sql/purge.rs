//! Dropping expired rows in small batches, each its own statement, so a purge never holds a
//! lock long enough for requests to notice.

use super::{SqlStore, backend};
use crate::domain::Timestamp;
use crate::store::StoreResult;

/// Rows deleted per statement.
const BATCH: i64 = 500;

/// How long an expired code is kept, to tell "expired" and "replayed" apart (as in memory).
const CODE_GRACE_SECONDS: i64 = 3600;

/// Each table's key column, expiry column, and extra condition.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "pending_authorizations",
        "handle",
        "expires_at IS NOT NULL AND ",
    ),
    ("codes", "digest", ""),
    ("access_tokens", "digest", ""),
    ("refresh_tokens", "digest", ""),
    ("sessions", "id_digest", ""),
];

/// Deletes everything that expired at or before `now` (codes an hour later).
pub(super) async fn expired(store: &SqlStore, now: Timestamp) -> StoreResult<()> {
    let mut total = 0;
    for &(table, key, condition) in TABLES {
        let cutoff = if table == "codes" {
            now.0.saturating_sub(CODE_GRACE_SECONDS)
        } else {
            now.0
        };
        total += purge_table(store, table, key, condition, cutoff).await?;
    }
    if total > 0 {
        tracing::debug!(rows = total, "purged expired rows");
    }
    Ok(())
}

async fn purge_table(
    store: &SqlStore,
    table: &str,
    key: &str,
    condition: &str,
    cutoff: i64,
) -> StoreResult<u64> {
    let sql = format!(
        "DELETE FROM {table} WHERE {key} IN \
         (SELECT {key} FROM {table} WHERE {condition}expires_at <= $1 LIMIT $2)"
    );
    let mut deleted = 0;
    loop {
        let done = sqlx::query(&sql)
            .bind(cutoff)
            .bind(BATCH)
            .execute(&store.pool)
            .await
            .map_err(backend)?;
        deleted += done.rows_affected();
        if done.rows_affected() < BATCH as u64 {
            return Ok(deleted);
        }
    }
}
