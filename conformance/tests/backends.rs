//! A handful of representative cases (sign-in, the code flow, refresh rotation and reuse, code
//! reuse, registration, revocation) on the bundled server with a database backend: SQLite
//! always, PostgreSQL when `DATABASE_URL` names a server (skipped, and said so, otherwise). The
//! whole library runs on a backend with `OAUTH_CONFORMANCE_STORAGE` (see
//! docs/reference-server.md); this keeps `cargo test` to a few seconds.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use oauth_conformance::load::Library;
use oauth_conformance::outcome::Outcome;
use oauth_conformance::plan::{self, Targets};
use oauth_conformance::report;
use oauth_conformance::runner::{Runner, Snapshots};
use oauth_conformance::target::{Backend, Bundled};
use sqlx::{Connection, PgConnection};

/// The cases, by trial name; two server configurations (`default`, `dcr-open`).
const REPRESENTATIVE: &[&str] = &[
    "login::full_flow_through_login_page",
    "token::basic_auth_succeeds",
    "token::refresh_rotation_and_reuse",
    "token::code_reuse_is_invalid_grant",
    "registration::anonymous_confidential_client",
    "registration::open_signed_in_caller_registers_client_secret_post",
    "revocation::revoke_refresh_token_revokes_grant",
    "introspection::active_access_token",
];

/// Runs the representative cases on `backend`: the targets (still running, so their stores
/// can be looked at) and the failures, described.
async fn run_on(backend: Backend) -> (Arc<Targets>, Vec<String>) {
    let library = Library::load(&oauth_conformance::default_cases_dir()).expect("the library");
    let cases: Vec<_> = library
        .cases
        .iter()
        .filter(|case| REPRESENTATIVE.contains(&case.name.as_str()))
        .cloned()
        .collect();
    assert_eq!(cases.len(), REPRESENTATIVE.len(), "a case was renamed");
    let bundled = Bundled::new(&library)
        .map_err(|problems| format!("{} problem(s)", problems.len()))
        .and_then(|bundled| bundled.with_backend(backend))
        .expect("the bundled target");
    let targets = Arc::new(Targets::Bundled(bundled));
    let runner = Runner::new(Duration::from_secs(10), Snapshots::Compare);
    let results = plan::run_all(
        runner,
        Arc::new(library),
        targets.clone(),
        cases,
        4,
        |_, _, _| {},
    )
    .await;
    let failures = results
        .iter()
        .filter(|result| !matches!(result.outcome, Outcome::Passed))
        .map(report::describe)
        .collect();
    (targets, failures)
}

/// The `oauth-conformance-*` folders in the temporary directory.
fn sqlite_folders() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("oauth-conformance-"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn representative_cases_pass_on_sqlite() {
    let before = sqlite_folders();
    let (targets, failures) = run_on(Backend::Sqlite).await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let new = |folders: Vec<PathBuf>| -> Vec<PathBuf> {
        folders
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect()
    };
    let during = new(sqlite_folders());
    let files = |folder: &PathBuf| folder.join("default.db").is_file();
    assert!(during.iter().any(files), "no SQLite file in {during:?}");

    targets.shutdown().await;
    let left = new(sqlite_folders());
    assert!(
        left.is_empty(),
        "the SQLite folder outlived the run: {left:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn representative_cases_pass_on_postgres_in_databases_dropped_afterwards() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        // Written to stderr directly: libtest would capture `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: set DATABASE_URL=postgres://… to run the representative cases on PostgreSQL"
        );
        return;
    };
    let before = scratch_databases(&url).await;
    let new = |databases: Vec<String>| -> Vec<String> {
        databases
            .into_iter()
            .filter(|d| !before.contains(d))
            .collect()
    };
    let (targets, failures) = run_on(Backend::Postgres(url.clone())).await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let during = new(scratch_databases(&url).await);
    assert_eq!(during.len(), 1, "one database for `default`: {during:?}");

    targets.shutdown().await;
    let left = new(scratch_databases(&url).await);
    assert!(left.is_empty(), "databases outlived the run: {left:?}");
}

/// The databases on `url`'s server made for the `default` configuration.
async fn scratch_databases(url: &str) -> Vec<String> {
    let mut connection = PgConnection::connect(url).await.expect("connects");
    sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE '%\\_default\\_%'")
        .fetch_all(&mut connection)
        .await
        .expect("the catalogue reads")
}
