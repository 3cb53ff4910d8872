//! A server on a real socket: `spawn`, its base URL and issuer, and graceful shutdown — the
//! surface the harness embeds.

use oauth_reference_server::{Settings, spawn};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SETTINGS: &str = "
secret: s3cret
oauth:
  redirect_uris: [http://127.0.0.1:3030/callback]
";

/// A plain HTTP/1.1 GET; returns the status line and the body.
async fn get(addr: std::net::SocketAddr, path: &str) -> std::io::Result<(String, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[tokio::test]
async fn spawn_binds_an_ephemeral_loopback_port_and_serves_the_issuer() {
    let settings = Settings::from_yaml_str(SETTINGS, "running.rs").unwrap();
    let server = spawn(settings).await.unwrap();
    let addr = server.local_addr();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    assert_eq!(server.base_url().as_str(), format!("http://{addr}/"));
    assert_eq!(
        server.issuer().as_str(),
        format!("http://{addr}/auth/oauth")
    );

    let (status, body) = get(addr, "/.well-known/oauth-authorization-server/auth/oauth")
        .await
        .unwrap();
    assert!(status.contains(" 200 "), "{status}");
    let document: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(document["issuer"], server.issuer().as_str());

    server.shutdown().await;
    assert!(
        get(addr, "/").await.is_err(),
        "nothing listens after shutdown"
    );
}

#[tokio::test]
async fn a_configured_base_url_wins_over_the_bound_address() {
    let text = format!("{SETTINGS}base_url: https://auth.example.com\n");
    let settings = Settings::from_yaml_str(&text, "running.rs").unwrap();
    let server = spawn(settings).await.unwrap();
    assert_eq!(server.base_url().as_str(), "https://auth.example.com/");
    assert_eq!(
        server.issuer().as_str(),
        "https://auth.example.com/auth/oauth"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_invalid_setting_stops_spawn_and_names_the_setting() {
    let settings = Settings::from_yaml_str("secret: s\n", "running.rs").unwrap();
    let Err(error) = spawn(settings).await else {
        panic!("spawn accepted settings without redirect_uris");
    };
    assert!(error.to_string().contains("redirect_uris"), "{error}");
}
