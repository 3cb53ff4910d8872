//! Clients: the id as key, the secret sealed (bound to the id), the rest as a document.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::documents::{ClientDocument, from_text, to_text};
use super::{SqlStore, backend};
use crate::domain::{ClientId, Secret};
use crate::store::sealing::Purpose;
use crate::store::{Client, StoreError, StoreResult};

const INSERT: &str = "INSERT INTO clients (client_id, secret_sealed, document) VALUES ($1, $2, $3)";

/// Rows per statement in [`insert_many`]: three parameters a row keeps a statement well under
/// both engines' parameter limits (32,766 for SQLite, 65,535 for PostgreSQL).
const BATCH: usize = 500;

/// Adds a client; a taken id is a conflict.
pub(super) async fn insert(store: &SqlStore, client: &Client) -> StoreResult<()> {
    let sql = format!("{INSERT} ON CONFLICT (client_id) DO NOTHING");
    let added = bind(store, &sql, client)?
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    super::added(&added)
}

/// Adds many clients in one transaction, a few hundred rows per statement; a taken id is a
/// conflict, and then none is added.
pub(super) async fn insert_many(store: &SqlStore, clients: &[Client]) -> StoreResult<()> {
    let mut transaction = store.pool.begin().await.map_err(backend)?;
    for batch in clients.chunks(BATCH) {
        let sql = batch_insert(batch.len());
        let mut query = sqlx::query(&sql);
        for client in batch {
            let (id, sealed, document) = columns(store, client)?;
            query = query.bind(id).bind(sealed).bind(document);
        }
        let added = query.execute(&mut *transaction).await.map_err(backend)?;
        if added.rows_affected() != batch.len() as u64 {
            // Dropping the transaction rolls every batch back.
            return Err(StoreError::Conflict);
        }
    }
    transaction.commit().await.map_err(backend)
}

/// An insert of `rows` clients that skips taken ids (so the caller can count the rows added).
fn batch_insert(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let first = row * 3 + 1;
            format!("(${first}, ${}, ${})", first + 1, first + 2)
        })
        .collect();
    format!(
        "INSERT INTO clients (client_id, secret_sealed, document) VALUES {} \
         ON CONFLICT (client_id) DO NOTHING",
        values.join(", ")
    )
}

/// Adds or replaces a client.
pub(super) async fn upsert(store: &SqlStore, client: &Client) -> StoreResult<()> {
    let sql = format!(
        "{INSERT} ON CONFLICT (client_id) DO UPDATE \
         SET secret_sealed = excluded.secret_sealed, document = excluded.document"
    );
    bind(store, &sql, client)?
        .execute(&store.pool)
        .await
        .map_err(backend)?;
    Ok(())
}

/// Looks a client up by its key.
pub(super) async fn find(store: &SqlStore, id: &ClientId) -> StoreResult<Option<Client>> {
    let row = sqlx::query("SELECT secret_sealed, document FROM clients WHERE client_id = $1")
        .bind(id.as_str())
        .fetch_optional(&store.pool)
        .await
        .map_err(backend)?;
    row.map(|row| read(store, id, &row)).transpose()
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// `sql` with the client's id, sealed secret and document bound.
fn bind<'q>(store: &SqlStore, sql: &'q str, client: &Client) -> StoreResult<Query<'q>> {
    let (id, sealed, document) = columns(store, client)?;
    Ok(sqlx::query(sql).bind(id).bind(sealed).bind(document))
}

/// A client's row: the id, the sealed secret (bound to the id) and the document.
fn columns(store: &SqlStore, client: &Client) -> StoreResult<(String, Option<Vec<u8>>, String)> {
    let id = client.client_id.as_str();
    let sealed = client.client_secret.as_ref().map(|secret| {
        store.sealer.seal(
            Purpose::ClientSecret,
            id.as_bytes(),
            secret.expose().as_bytes(),
        )
    });
    let document = to_text(&ClientDocument::of(client))?;
    Ok((id.to_owned(), sealed, document))
}

fn read(store: &SqlStore, id: &ClientId, row: &AnyRow) -> StoreResult<Client> {
    let sealed: Option<Vec<u8>> = row.try_get("secret_sealed").map_err(backend)?;
    let document: String = row.try_get("document").map_err(backend)?;
    let secret = match sealed {
        Some(sealed) => Some(open_secret(store, id, &sealed)?),
        None => None,
    };
    from_text::<ClientDocument>(&document)?.into_client(id.clone(), secret)
}

fn open_secret(store: &SqlStore, id: &ClientId, sealed: &[u8]) -> StoreResult<Secret> {
    let opened = store
        .sealer
        .open(Purpose::ClientSecret, id.as_str().as_bytes(), sealed)
        .map_err(|error| {
            tracing::error!(client_id = %id, "client secret does not open");
            StoreError::Backend(error.to_string())
        })?;
    String::from_utf8(opened)
        .map(Secret::new)
        .map_err(|_| super::documents::corrupt("client secret"))
}
