//! Storage benchmarks: token endpoint requests per second on each backend, and what a client
//! lookup costs among 1,000 and among 1,000,000 registered clients (it must stay flat).
//!
//! `cargo bench -p oauth-reference-server --bench storage` measures memory and SQLite (files in
//! a temporary folder), and PostgreSQL too when `DATABASE_URL` names a server (in scratch
//! databases beside it, dropped at the end). Token requests go through the router in process,
//! without sockets, from [`WORKERS`] concurrent callers; each figure is one run of
//! `STORAGE_BENCH_SECONDS` (default 3) seconds. `STORAGE_BENCH_CLIENTS` (default 1,000,000)
//! sets the large registry. The figures measured are in `docs/benchmarks.md`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use oauth_reference_server::App;
use oauth_reference_server::config::Settings;
use oauth_reference_server::domain::{
    ClientId, GrantId, RedirectUri, Scopes, Secret, SessionId, SystemClock, Timestamp, TokenDigest,
    UserId,
};
use oauth_reference_server::store::{
    Client, ClientMetadata, MemoryStore, RefreshTokenRecord, ScratchDatabase, SqlStore, Store,
};
use tempfile::TempDir;
use tower::ServiceExt;

/// Concurrent callers of the token endpoint.
const WORKERS: usize = 8;

/// The small registry.
const SMALL: usize = 1_000;

/// Lookups timed per registry size.
const LOOKUPS: usize = 20_000;

/// Clients per `insert_clients` call (one transaction each) while filling a registry.
const FILL_CHUNK: usize = 50_000;

/// The token endpoint under the settings below.
const TOKEN: &str = "/auth/oauth/token";

/// A confidential static client allowed refresh tokens.
const SETTINGS: &str = r"
secret: bench-server-secret
base_url: http://bench.invalid
oauth:
  client_id: bench-client
  client_secret: bench-client-secret
  redirect_uris: [http://bench.invalid/callback]
  static_client:
    scope: user offline_access
";

/// The grants whose throughput is measured.
#[derive(Clone, Copy)]
enum Grant {
    /// Client authentication and one access token written.
    ClientCredentials,
    /// Client authentication, a refresh token read and rotated, two tokens written.
    Refresh,
}

impl Grant {
    fn name(self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client_credentials",
            Grant::Refresh => "refresh_token",
        }
    }
}

/// Where one measurement keeps its data: a fresh store each time.
enum Backend {
    Memory,
    Sqlite(TempDir),
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Memory => "memory",
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// A storage setting for a fresh store labelled `label`, and the scratch database to drop.
    async fn fresh(&self, label: &str) -> (String, Option<ScratchDatabase>) {
        match self {
            Backend::Memory => ("memory".to_owned(), None),
            Backend::Sqlite(dir) => {
                let file = dir.path().join(format!("{label}.db"));
                (format!("sqlite:{}", file.display()), None)
            }
            Backend::Postgres(url) => {
                let scratch = ScratchDatabase::create(url, label)
                    .await
                    .expect("a scratch database (the role needs CREATEDB)");
                (scratch.url().to_owned(), Some(scratch))
            }
        }
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let seconds = env_number("STORAGE_BENCH_SECONDS", 3);
    let large = env_number("STORAGE_BENCH_CLIENTS", 1_000_000) as usize;
    println!(
        "storage benchmarks: {WORKERS} callers, {seconds} s per throughput figure, \
         {LOOKUPS} lookups per registry size"
    );
    for backend in backends() {
        runtime.block_on(bench_backend(&backend, Duration::from_secs(seconds), large));
    }
}

/// A positive number from the environment variable `name`, else `default`.
fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|&value| value > 0)
        .unwrap_or(default)
}

/// Memory, SQLite, and PostgreSQL when `DATABASE_URL` is set.
fn backends() -> Vec<Backend> {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut backends = vec![Backend::Memory, Backend::Sqlite(folder)];
    match std::env::var("DATABASE_URL") {
        Ok(url) => backends.push(Backend::Postgres(url)),
        Err(_) => println!("postgres: skipped (set DATABASE_URL=postgres://… to measure it)"),
    }
    backends
}

async fn bench_backend(backend: &Backend, duration: Duration, large: usize) {
    for grant in [Grant::ClientCredentials, Grant::Refresh] {
        let (storage, scratch) = backend.fresh(&format!("token_{}", grant.name())).await;
        let rate = token_throughput(&storage, grant, duration).await;
        println!(
            "{:<8} token endpoint, {:<18} {rate:>8.0} requests/s",
            backend.name(),
            grant.name()
        );
        drop_scratch(scratch).await;
    }
    for size in [SMALL, large] {
        let (storage, scratch) = backend.fresh(&format!("lookup_{size}")).await;
        let opened = Opened::new(&storage).await;
        let filled = Instant::now();
        let ids = opened.fill(size).await;
        let filled = filled.elapsed();
        let (mean, p99) = lookup_cost(opened.store(), &ids).await;
        println!(
            "{:<8} client lookup among {size:>9} clients: mean {:>6.1} µs, p99 {:>6.1} µs \
             (registry filled in {:.1} s)",
            backend.name(),
            micros(mean),
            micros(p99),
            filled.as_secs_f64()
        );
        if let Opened::Sql(store) = &opened {
            store.close().await;
        }
        drop(opened);
        drop_scratch(scratch).await;
    }
}

async fn drop_scratch(scratch: Option<ScratchDatabase>) {
    if let Some(scratch) = scratch {
        scratch.remove().await.expect("the scratch database drops");
    }
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// Token requests per second from [`WORKERS`] callers over `duration`.
async fn token_throughput(storage: &str, grant: Grant, duration: Duration) -> f64 {
    let mut settings = Settings::from_yaml_str(SETTINGS, "bench settings").expect("settings");
    settings.storage = storage.to_owned();
    let config = settings.resolve(None).expect("settings resolve");
    let app = App::build(&settings, config, Arc::new(SystemClock))
        .await
        .expect("the app builds");

    let count = Arc::new(AtomicU64::new(0));
    let mut seeds = Vec::new();
    for worker in 0..WORKERS {
        seeds.push(match grant {
            Grant::ClientCredentials => None,
            Grant::Refresh => Some(seed_refresh_token(&app, worker).await),
        });
    }
    let started = Instant::now();
    let mut workers = Vec::new();
    for first in seeds {
        let (router, count) = (app.router.clone(), count.clone());
        workers.push(tokio::spawn(async move {
            let mut refresh = first;
            // The deadline is read from the clock, not a timer: on memory a request may never
            // wait, and a worker that never yields would starve the timer.
            while started.elapsed() < duration {
                refresh = token_request(&router, refresh.as_deref()).await;
                count.fetch_add(1, Ordering::Relaxed);
                tokio::task::yield_now().await;
            }
        }));
    }
    for worker in workers {
        worker.await.expect("a worker finished");
    }
    count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// A refresh token for the static client, written straight into the store.
async fn seed_refresh_token(app: &App, worker: usize) -> String {
    let value = format!("bench-refresh-token-{worker}");
    let now = app.services.clock.now();
    let record = RefreshTokenRecord {
        digest: TokenDigest::of(&value),
        grant_id: GrantId::generate(),
        client_id: ClientId::new("bench-client"),
        scopes: Scopes(vec!["user".into(), "offline_access".into()]),
        resource: None,
        user_id: UserId::generate(),
        session_id: SessionId::generate(),
        issued_at: now,
        expires_at: now.plus(3_600),
    };
    app.services
        .store
        .insert_refresh_token(record)
        .await
        .expect("the refresh token is stored");
    value
}

/// One token request: client credentials, or a refresh with `refresh`. The next refresh token.
async fn token_request(router: &Router, refresh: Option<&str>) -> Option<String> {
    let mut form = vec![
        ("client_id", "bench-client"),
        ("client_secret", "bench-client-secret"),
    ];
    match refresh {
        Some(token) => form.extend([("grant_type", "refresh_token"), ("refresh_token", token)]),
        None => form.push(("grant_type", "client_credentials")),
    }
    let body = serde_urlencoded::to_string(&form).expect("a form");
    let request = Request::post(TOKEN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("a response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .expect("a body");
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let json: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    json["refresh_token"].as_str().map(str::to_owned)
}

/// A store just opened: the database one keeps its bulk insertion in view.
enum Opened {
    Memory(Box<MemoryStore>),
    Sql(SqlStore),
}

impl Opened {
    /// An empty store for `storage`.
    async fn new(storage: &str) -> Opened {
        if storage == "memory" {
            return Opened::Memory(Box::new(MemoryStore::new()));
        }
        let secret = Secret::new("bench-server-secret");
        Opened::Sql(
            SqlStore::open(storage, &secret)
                .await
                .expect("the store opens"),
        )
    }

    fn store(&self) -> &dyn Store {
        match self {
            Opened::Memory(store) => store.as_ref(),
            Opened::Sql(store) => store,
        }
    }

    /// Registers `size` public clients (on a database, batched, one transaction per
    /// [`FILL_CHUNK`]); their ids.
    async fn fill(&self, size: usize) -> Vec<ClientId> {
        let ids: Vec<ClientId> = (0..size)
            .map(|n| ClientId::new(format!("bench-client-{n:08}")))
            .collect();
        for chunk in ids.chunks(FILL_CHUNK) {
            let clients: Vec<Client> = chunk.iter().map(client).collect();
            match self {
                Opened::Sql(store) => store.insert_clients(&clients).await.expect("inserted"),
                Opened::Memory(store) => {
                    for client in clients {
                        store.insert_client(client).await.expect("inserted");
                    }
                }
            }
        }
        ids
    }
}

/// A public client as dynamic registration would record it.
fn client(id: &ClientId) -> Client {
    Client {
        client_id: id.clone(),
        client_secret: None,
        redirect_uris: vec![RedirectUri::parse("https://app.example/callback").expect("a URI")],
        token_endpoint_auth_method: None,
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        response_types: vec!["code".into()],
        scope: Some("openid user".into()),
        metadata: ClientMetadata::default(),
        post_logout_redirect_uris: None,
        client_id_issued_at: Some(Timestamp(1_700_000_000)),
        enable_end_session: false,
    }
}

/// The mean and 99th percentile of [`LOOKUPS`] lookups of ids spread over the registry.
async fn lookup_cost(store: &dyn Store, ids: &[ClientId]) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(LOOKUPS);
    // A fixed stride that is coprime with any registry size used visits ids all over it.
    let stride = 7_919;
    for n in 0..LOOKUPS {
        let id = &ids[(n * stride) % ids.len()];
        let started = Instant::now();
        let found = store.client(id).await.expect("a lookup");
        times.push(started.elapsed());
        assert!(found.is_some(), "{id} was registered");
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / LOOKUPS as u32;
    (mean, times[LOOKUPS * 99 / 100])
}
