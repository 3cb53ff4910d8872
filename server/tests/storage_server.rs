//! The server on a database: a restart on SQLite keeps registered clients and issued tokens,
//! an instance dropped mid-flow loses nothing committed, a copy of the database holds no
//! secret, code or token in plain text, and two instances on one PostgreSQL database serve one
//! issuer (when `DATABASE_URL` names one; skipped, and said so, otherwise).

mod support;

use std::io::Write;

use axum::http::StatusCode;
use oauth_reference_server::domain::s256_challenge;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::grants::{INTROSPECT, REDIRECT_URI, REVOKE, TOKEN, VERIFIER, string};
use support::{TestApp, TestResponse};
use tempfile::TempDir;

const REGISTER: &str = "/auth/oauth/register";
const BINDING: &str = "belgie_oauth_binding";
const PASSWORD: &str = "correct horse battery staple";

/// The fixture with open registration and refresh tokens for the static client, on `storage`.
async fn app_on(storage: &str) -> TestApp {
    TestApp::with(|settings| {
        settings.storage = storage.to_owned();
        settings.oauth.static_client.scope = Some("user offline_access".into());
        settings.oauth.allow_dynamic_client_registration = true;
        settings.oauth.allow_unauthenticated_client_registration = true;
    })
    .await
}

/// A SQLite file in a fresh directory, as a storage setting.
fn sqlite_file() -> (TempDir, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let storage = format!("sqlite:{}", dir.path().join("oauth.db").display());
    (dir, storage)
}

/// `DATABASE_URL`, or `None` after saying the test is skipped.
fn postgres_url(test: &str) -> Option<String> {
    let url = std::env::var("DATABASE_URL").ok();
    if url.is_none() {
        // Written to stderr directly: libtest would capture `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "{test}: skipped: set DATABASE_URL=postgres://… to run it"
        );
    }
    url
}

/// A registered confidential client: its id and secret.
struct Registered {
    id: String,
    secret: String,
}

async fn register(app: &TestApp) -> Registered {
    let body = json!({
        "redirect_uris": [REDIRECT_URI],
        "scope": "openid user offline_access",
        "token_endpoint_auth_method": "client_secret_post",
    });
    let response = app.post(REGISTER).json(body).send().await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let body = response.json();
    Registered {
        id: string(&body, "client_id"),
        secret: string(&body, "client_secret"),
    }
}

/// Signs the fixture's user in, runs authorize for `client`; the session and the code.
async fn authorize(app: &TestApp, client: &Registered) -> (String, String) {
    let session = app.sign_in("jane@example.com").await;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("response_type", "code"),
            ("client_id", client.id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid user offline_access"),
            ("code_challenge", &s256_challenge(VERIFIER)),
            ("nonce", "n-0"),
        ])
        .finish();
    let response = app
        .get(&format!("/auth/oauth/authorize?{query}"))
        .cookie("belgie_session", &session)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text());
    let code = response.location_query("code").expect("a code");
    (session, code)
}

/// An authorization by a browser that is not signed in, stopped at the hand-off: the handle and
/// the browser-binding cookie. `extra` is appended to the query.
async fn begin_signed_out(app: &TestApp, extra: &str) -> (String, String) {
    let begun = app
        .get(&format!(
            "/auth/oauth/authorize?response_type=code&client_id=test-client&redirect_uri={}\
             &code_challenge={}&{extra}",
            REDIRECT_URI,
            s256_challenge(VERIFIER)
        ))
        .send()
        .await;
    assert_eq!(begun.status, StatusCode::FOUND, "{}", begun.text());
    let handle = begun.location_query("state").expect("a handle");
    let binding = begun.set_cookie(BINDING).expect("a binding cookie");
    (handle, binding)
}

async fn token(app: &TestApp, client: &Registered, grant: &[(&str, &str)]) -> TestResponse {
    let mut form = grant.to_vec();
    form.extend([
        ("client_id", client.id.as_str()),
        ("client_secret", client.secret.as_str()),
    ]);
    app.post(TOKEN).form(&form).send().await
}

async fn exchange(app: &TestApp, client: &Registered, code: &str) -> Value {
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", VERIFIER),
    ];
    let response = token(app, client, &grant).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

async fn refresh(app: &TestApp, client: &Registered, refresh_token: &str) -> TestResponse {
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    token(app, client, &grant).await
}

async fn active(app: &TestApp, client: &Registered, token: &str) -> bool {
    let form = [
        ("token", token),
        ("client_id", client.id.as_str()),
        ("client_secret", client.secret.as_str()),
    ];
    let response = app.post(INTROSPECT).form(&form).send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["active"] == true
}

#[tokio::test]
async fn a_restart_on_sqlite_keeps_a_registered_client_and_its_refresh_token() {
    let (_dir, storage) = sqlite_file();
    let first = app_on(&storage).await;
    let client = register(&first).await;
    let (_, code) = authorize(&first, &client).await;
    let tokens = exchange(&first, &client, &code).await;
    drop(first);

    let second = app_on(&storage).await;
    assert!(active(&second, &client, &string(&tokens, "access_token")).await);
    let refreshed = refresh(&second, &client, &string(&tokens, "refresh_token")).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    assert!(refreshed.json()["id_token"].is_string());

    let wrong = Registered {
        id: client.id.clone(),
        secret: "not-the-secret".into(),
    };
    let refused = refresh(&second, &wrong, &string(&refreshed.json(), "refresh_token")).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        refused.text()
    );
    let replay = refresh(&second, &client, &string(&tokens, "refresh_token")).await;
    assert_eq!(
        replay.status,
        StatusCode::BAD_REQUEST,
        "reuse is still detected"
    );
}

#[tokio::test]
async fn an_instance_dropped_mid_flow_loses_nothing_committed() {
    let (_dir, storage) = sqlite_file();
    let first = app_on(&storage).await;
    let (handle, binding) = begin_signed_out(&first, "state=s-1").await;
    drop(first); // no shutdown: what was committed is all that remains

    let second = app_on(&storage).await;
    let session = second.sign_in("jane@example.com").await;
    let callback = second
        .get(&format!("/auth/oauth/login/callback?state={handle}"))
        .cookie("belgie_session", &session)
        .cookie(BINDING, &binding)
        .send()
        .await;
    assert_eq!(callback.status, StatusCode::FOUND, "{}", callback.text());
    assert_eq!(callback.location_query("state").as_deref(), Some("s-1"));
    let code = callback.location_query("code").expect("a code");
    let tokens = support::grants::exchange(&second, &code, &[]).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.text());
}

/// Every credential a flow handed out, and the id_token key derived from the client secret.
struct Issued {
    values: Vec<(&'static str, String)>,
    /// The registered client's id: not secret, so it must be in the dump (proves the dump
    /// is real).
    client_id: String,
}

impl Issued {
    /// Runs registration and a flow with refresh on `app`, collecting what must stay secret.
    async fn on(app: &TestApp) -> Issued {
        let client = register(app).await;
        let (session, code) = authorize(app, &client).await;
        let tokens = exchange(app, &client, &code).await;
        let refreshed = refresh(app, &client, &string(&tokens, "refresh_token")).await;
        assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
        let refreshed = refreshed.json();
        let key = Sha256::digest(client.secret.as_bytes());
        Issued {
            client_id: client.id.clone(),
            values: vec![
                ("client secret", client.secret),
                ("static client secret", "test-secret".into()),
                ("password", PASSWORD.into()),
                ("session cookie", session),
                ("code", code),
                ("access token", string(&tokens, "access_token")),
                ("refresh token", string(&tokens, "refresh_token")),
                ("rotated access token", string(&refreshed, "access_token")),
                ("rotated refresh token", string(&refreshed, "refresh_token")),
                ("id_token key (hex)", hex::encode(key)),
                (
                    "id_token key (bytes)",
                    String::from_utf8_lossy(&key).into_owned(),
                ),
            ],
        }
    }

    /// Asserts that none of the values occurs in `dump`, as text or as hex.
    fn assert_absent_from(&self, dump: &[u8]) {
        let id = self.client_id.as_bytes();
        let has_id = dump.windows(id.len()).any(|w| w == id);
        assert!(has_id, "the dump does not even hold the client id");
        for (what, value) in &self.values {
            for needle in [value.as_bytes().to_vec(), hex::encode(value).into_bytes()] {
                let found = dump.windows(needle.len()).any(|w| w == needle.as_slice());
                assert!(!found, "the {what} is in the database in plain text");
            }
        }
    }
}

#[tokio::test]
async fn a_copy_of_the_sqlite_file_holds_no_secret_code_or_token() {
    let (dir, storage) = sqlite_file();
    let app = app_on(&storage).await;
    let issued = Issued::on(&app).await;
    app.services()
        .store
        .purge_expired(support::START)
        .await
        .expect("purge");
    drop(app);

    let mut dump = Vec::new();
    for entry in std::fs::read_dir(dir.path()).expect("the directory lists") {
        let path = entry.expect("an entry").path();
        dump.extend(std::fs::read(&path).expect("the file reads"));
    }
    issued.assert_absent_from(&dump);
}

#[tokio::test]
async fn a_dump_of_the_postgres_database_holds_no_secret_code_or_token() {
    let Some(url) = postgres_url("postgres dump") else {
        return;
    };
    let app = app_on(&url).await;
    let issued = Issued::on(&app).await;
    issued.assert_absent_from(&postgres_dump(&url).await);
}

/// Every row of every table, as PostgreSQL prints it (byte strings in hex).
async fn postgres_dump(url: &str) -> Vec<u8> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(url).await.expect("connects");
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_all(&mut connection)
    .await
    .expect("tables list");
    assert!(tables.len() >= 7, "{tables:?}");
    let mut dump = String::new();
    for (table,) in tables {
        let rows: Vec<(String,)> =
            sqlx::query_as(&format!("SELECT CAST(t AS TEXT) FROM {table} t"))
                .fetch_all(&mut connection)
                .await
                .expect("rows read");
        for (row,) in rows {
            dump.push_str(&row);
            dump.push('\n');
        }
    }
    dump.into_bytes()
}

#[tokio::test]
async fn two_instances_on_one_postgres_database_serve_one_issuer() {
    let Some(url) = postgres_url("two instances") else {
        return;
    };
    let (a, b) = (app_on(&url).await, app_on(&url).await);
    assert_eq!(a.issuer(), b.issuer());

    // Authorize on A.
    let (handle, binding) = begin_signed_out(&a, "scope=user%20offline_access&state=s-2").await;

    // Sign in on B through its login page, and come back through B's callback.
    let return_to = format!("{}/login/callback?state={handle}", b.issuer());
    let form = [
        ("email", "jane@example.com"),
        ("password", PASSWORD),
        ("return_to", return_to.as_str()),
    ];
    let signed_in = b.post("/login").form(&form).send().await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text()
    );
    let session = signed_in.set_cookie("belgie_session").expect("a session");
    let callback = b
        .get(&return_to)
        .cookie("belgie_session", &session)
        .cookie(BINDING, &binding)
        .send()
        .await;
    assert_eq!(callback.status, StatusCode::FOUND, "{}", callback.text());
    let code = callback.location_query("code").expect("a code");

    // Token on A, refresh on B, introspect and revoke on either.
    let tokens = support::grants::exchange(&a, &code, &[]).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.text());
    let tokens = tokens.json();
    let refreshed = support::grants::refresh(&b, &string(&tokens, "refresh_token"), &[]).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    let refreshed = refreshed.json();
    let access = string(&refreshed, "access_token");
    assert!(support::grants::is_active(&a, &access).await);
    assert!(support::grants::is_active(&b, &access).await);

    let refresh_token = string(&refreshed, "refresh_token");
    let revoked = b
        .post(REVOKE)
        .form(&[
            ("token", refresh_token.as_str()),
            ("client_id", "test-client"),
            ("client_secret", "test-secret"),
        ])
        .send()
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    assert!(!support::grants::is_active(&a, &refresh_token).await);
    assert!(
        !support::grants::is_active(&a, &access).await,
        "the grant is revoked"
    );

    let replay = support::grants::exchange(&b, &code, &[]).await;
    assert_eq!(
        replay.status,
        StatusCode::BAD_REQUEST,
        "the code is single-use on every instance"
    );
}
