//! The binary killed with SIGKILL mid-flow, on SQLite: what was committed before the kill is
//! there after a restart on the same file. A pending authorization started before the kill is
//! completed after it; a code redeemed before the kill stays redeemed; a refresh token issued
//! before the kill still rotates.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::Jar;
use reqwest::redirect::Policy;
use serde_json::Value;

const BINARY: &str = env!("CARGO_BIN_EXE_oauth-reference-server");
const REDIRECT_URI: &str = "http://127.0.0.1:3030/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A running server process, killed with SIGKILL when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on now (the same port serves both lives of the server, so the
/// issuer stays the same across the restart).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

fn settings(dir: &Path, port: u16) -> std::path::PathBuf {
    let path = dir.join("settings.yaml");
    let text = format!(
        "secret: kill-test-secret\nbase_url: http://127.0.0.1:{port}\n\
         storage: sqlite:{db}\n\
         password_hashing: {{ memory_kib: 1024, iterations: 1 }}\n\
         oauth:\n  client_id: kill-client\n  client_secret: kill-client-secret\n\
         \x20 redirect_uris: [{REDIRECT_URI}]\n\
         \x20 static_client: {{ scope: openid user offline_access }}\n\
         users:\n  - {{ email: kim@example.com, password: kill test password }}\n",
        db = dir.join("server.db").display()
    );
    std::fs::write(&path, text).expect("the settings file");
    path
}

/// Starts the binary and waits until it says it is ready.
fn start(settings: &Path, port: u16) -> Server {
    let mut child = Command::new(BINARY)
        .env_clear()
        .env("RUST_LOG", "warn")
        .args([
            "--config",
            &settings.display().to_string(),
            "--port",
            &port.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("Press Ctrl-C"));
    assert!(ready, "the server did not start");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

/// A browser with the cookies of `jar`, redirects not followed. A new one per server life,
/// so no connection to the killed process is reused.
fn browser(jar: &Arc<Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .expect("an HTTP client")
}

fn location(response: &reqwest::Response) -> url::Url {
    let value = response.headers()["location"].to_str().expect("text");
    url::Url::parse(value).expect("an absolute Location")
}

fn query(url: &url::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

async fn token(server: &Server, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/auth/oauth/token", server.base))
        .basic_auth("kill-client", Some("kill-client-secret"))
        .form(form)
        .send()
        .await
        .expect("the token endpoint answers");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn what_was_committed_before_a_sigkill_is_there_after_the_restart() {
    let dir = tempfile::tempdir().expect("a folder");
    let port = free_port();
    let settings = settings(dir.path(), port);
    let cookies = Arc::new(Jar::default());
    let browser = browser(&cookies);

    // Life one: a finished flow, and an authorization left pending at the sign-in page.
    let server = start(&settings, port);
    let (code, refresh_token) = finished_flow(&server, &browser).await;
    let handoff = pending_authorization(&server, &browser).await;
    drop(server);

    // Life two, on the same file: the pending authorization completes, the refresh token
    // rotates, the redeemed code stays redeemed (and its replay is refused).
    let server = start(&settings, port);
    let browser = self::browser(&cookies);
    let to_login = browser
        .get(handoff)
        .send()
        .await
        .expect("the hand-off answers");
    assert_eq!(to_login.status(), StatusCode::FOUND);
    let return_to = query(&location(&to_login), "return_to");
    let callback = browser
        .get(return_to)
        .send()
        .await
        .expect("the callback answers");
    assert_eq!(callback.status(), StatusCode::FOUND);
    let finished = location(&callback);
    assert_eq!(finished.path(), "/callback", "{finished}");
    query(&finished, "code");

    let rotate = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
    ];
    let (status, body) = token(&server, &rotate).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let replay = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", VERIFIER),
    ];
    let (status, body) = token(&server, &replay).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

/// Signs in, authorizes and exchanges the code; returns the redeemed code and the refresh
/// token.
async fn finished_flow(server: &Server, browser: &reqwest::Client) -> (String, String) {
    sign_in(server, browser).await;
    let authorized = authorize(server, browser).await;
    assert_eq!(authorized.status(), StatusCode::FOUND);
    let code = query(&location(&authorized), "code");

    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", VERIFIER),
    ];
    let (status, body) = token(server, &exchange).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refresh = body["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();
    (code, refresh)
}

/// Signs the browser out, authorizes again and stops at the hand-off: returns the hand-off URL.
async fn pending_authorization(server: &Server, browser: &reqwest::Client) -> url::Url {
    let signed_out = browser
        .post(format!("{}/logout", server.base))
        .send()
        .await
        .expect("sign-out answers");
    assert!(signed_out.status().is_redirection() || signed_out.status().is_success());
    let pending = authorize(server, browser).await;
    assert_eq!(pending.status(), StatusCode::FOUND);
    let handoff = location(&pending);
    assert_eq!(handoff.path(), "/auth/oauth/login", "{handoff}");

    sign_in(server, browser).await;
    handoff
}

/// Posts the built-in sign-in form, which sets the session cookie in the browser's jar.
async fn sign_in(server: &Server, browser: &reqwest::Client) {
    let signed_in = browser
        .post(format!("{}/login", server.base))
        .form(&[
            ("email", "kim@example.com"),
            ("password", "kill test password"),
        ])
        .send()
        .await
        .expect("the login page answers");
    assert!(
        signed_in.status().is_redirection(),
        "{}",
        signed_in.status()
    );
}

async fn authorize(server: &Server, browser: &reqwest::Client) -> reqwest::Response {
    browser
        .get(format!("{}/auth/oauth/authorize", server.base))
        .query(&[
            ("response_type", "code"),
            ("client_id", "kill-client"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid user offline_access"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize answers")
}
