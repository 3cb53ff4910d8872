//! The storage suite (`store_suite`) against every backend: the in-memory store, SQLite in a
//! temporary file, and PostgreSQL when `DATABASE_URL` names a database (skipped, and said so,
//! otherwise).

mod store_suite;

use std::io::Write;
use std::sync::Arc;

use oauth_reference_server::domain::Secret;
use oauth_reference_server::store::{MemoryStore, SqlStore, Store};
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

async fn postgres() -> Option<Opened> {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        // Written to stderr directly: libtest would capture `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: set DATABASE_URL=postgres://… to run the PostgreSQL storage suite"
        );
        return None;
    };
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
