//! The storage suite (`store_suite`) against every backend: the in-memory store, SQLite in a
//! temporary file, and PostgreSQL when `DATABASE_URL` names a database (skipped, and said so,
//! otherwise); then the database stores' bulk insertion, on PostgreSQL in a scratch database
//! created and dropped by the test.

mod store_suite;

use std::io::Write;
use std::sync::Arc;

use oauth_reference_server::domain::Secret;
use oauth_reference_server::store::{MemoryStore, ScratchDatabase, SqlStore, Store, StoreError};
use sqlx::{Connection, PgConnection};
use tempfile::TempDir;

/// The server secret the database stores seal with.
const SERVER_SECRET: &str = "suite-server-secret";

/// A store and what must live as long as it (a SQLite file's directory).
struct Opened {
    store: Arc<dyn Store>,
    _dir: Option<TempDir>,
}

async fn memory() -> Option<Opened> {
    Some(Opened {
        store: Arc::new(MemoryStore::new()),
        _dir: None,
    })
}

async fn sqlite() -> Option<Opened> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite:{}", dir.path().join("store.db").display());
    let store = SqlStore::open(&url, &Secret::new(SERVER_SECRET))
        .await
        .expect("SQLite store opens");
    Some(Opened {
        store: Arc::new(store),
        _dir: Some(dir),
    })
}

/// `DATABASE_URL`, or `None` after saying that `what` is skipped.
fn postgres_url(what: &str) -> Option<String> {
    let url = std::env::var("DATABASE_URL").ok();
    if url.is_none() {
        // Written to stderr directly: libtest would capture `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: set DATABASE_URL=postgres://… to run {what}"
        );
    }
    url
}

async fn postgres() -> Option<Opened> {
    let url = postgres_url("the PostgreSQL storage suite")?;
    let store = SqlStore::open(&url, &Secret::new(SERVER_SECRET))
        .await
        .expect("PostgreSQL store opens");
    Some(Opened {
        store: Arc::new(store),
        _dir: None,
    })
}

/// One test per suite function for `backend`, each on a fresh store from `open`.
macro_rules! backend {
    ($backend:ident, $open:ident) => {
        mod $backend {
            backend!(@cases $open,
                clients, upsert_adds, pending_authorizations, codes, access_tokens,
                refresh_tokens, revoke_grant, users, sessions, purge, purge_many,
                concurrent_code_redemption, concurrent_refresh_rotation, concurrent_pending_take);
        }
    };
    (@cases $open:ident, $($case:ident),+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                if let Some(opened) = super::$open().await {
                    crate::store_suite::$case(opened.store.clone()).await;
                }
            }
        )+
    };
}

backend!(memory, memory);
backend!(sqlite, sqlite);
backend!(postgres, postgres);

/// Bulk insertion (`SqlStore::insert_clients`) on a database store: more clients than one
/// statement holds all arrive with their secrets, and a batch with a taken id adds nothing.
async fn bulk_insert(store: SqlStore) {
    let clients: Vec<_> = (0..1_200)
        .map(|_| store_suite::full_client("bulk-secret"))
        .collect();
    store.insert_clients(&clients).await.expect("bulk insert");
    for client in [&clients[0], &clients[599], &clients[1_199]] {
        let found = store
            .client(&client.client_id)
            .await
            .expect("lookup")
            .expect("found");
        let secret = found.client_secret.as_ref().expect("a secret");
        assert!(secret.matches("bulk-secret"));
    }

    let fresh = store_suite::full_client("other");
    let clash = vec![fresh.clone(), clients[700].clone()];
    let refused = store.insert_clients(&clash).await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    let lookup = store.client(&fresh.client_id).await.expect("lookup");
    assert!(lookup.is_none(), "a refused batch adds nothing");
}

#[tokio::test]
async fn sqlite_bulk_insert() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite:{}", dir.path().join("bulk.db").display());
    let store = SqlStore::open(&url, &Secret::new(SERVER_SECRET))
        .await
        .expect("SQLite store opens");
    bulk_insert(store).await;
}

#[tokio::test]
async fn postgres_bulk_insert_in_a_scratch_database() {
    let Some(url) = postgres_url("the PostgreSQL bulk insert") else {
        return;
    };
    let scratch = ScratchDatabase::create(&url, "bulk")
        .await
        .expect("a scratch database");
    assert!(scratch.name().contains("_bulk_"), "{scratch:?}");
    let store = SqlStore::open(scratch.url(), &Secret::new(SERVER_SECRET))
        .await
        .expect("the scratch database opens");
    bulk_insert(store).await;

    let name = scratch.name().to_owned();
    scratch
        .remove()
        .await
        .expect("dropped, connections and all");
    let mut admin = PgConnection::connect(&url).await.expect("connects");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .expect("the catalogue reads");
    assert_eq!(left, 0, "{name} is still there");
}
