//! A server listening on a socket: bound, serving in the background, purging expired rows,
//! and shut down gracefully. What the harness embeds and the binary runs.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::app::{App, StartError};
use crate::config::{ConfigError, Settings};
use crate::domain::SystemClock;
use crate::protocol::Services;

/// How often expired codes, tokens, sessions and pending authorizations are dropped.
const PURGE_INTERVAL: Duration = Duration::from_secs(60);

/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A running server.
pub struct RunningServer {
    base_url: Url,
    issuer: Url,
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    serving: JoinHandle<std::io::Result<()>>,
    purging: JoinHandle<()>,
}

/// Starts a server for `settings` on `127.0.0.1` and an ephemeral port. The base URL is the
/// bound address unless the settings give one.
pub async fn spawn(settings: Settings) -> Result<RunningServer, StartError> {
    spawn_on(settings, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
}

/// Starts a server for `settings` on `addr`.
pub async fn spawn_on(settings: Settings, addr: SocketAddr) -> Result<RunningServer, StartError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: addr.to_string(),
        source,
    })?;

    let config = settings.resolve(Some(local_addr))?;
    let base_url = config.base_url.clone();
    let issuer = Url::parse(&config.issuer)
        .map_err(|_| ConfigError::invalid("oauth.prefix", "does not form a valid issuer"))?;
    let app = App::build(&settings, config, Arc::new(SystemClock)).await?;

    let (stop, stopped) = oneshot::channel::<()>();
    let router = app.router.clone();
    let serving = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let purging = tokio::spawn(purge_periodically(app.services.clone()));
    tracing::info!(%local_addr, issuer = %issuer, "listening");
    Ok(RunningServer {
        base_url,
        issuer,
        local_addr,
        stop,
        serving,
        purging,
    })
}

impl RunningServer {
    /// The host base URL `{B}`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The issuer `{I}`.
    pub fn issuer(&self) -> &Url {
        &self.issuer
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections, lets requests in flight finish (for a few seconds at
    /// most), and stops the background purge.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        self.purging.abort();
        let mut serving = self.serving;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut serving)
            .await
            .is_err()
        {
            serving.abort();
        }
    }

    /// Serves until `signal` completes (then shuts down gracefully) or the server fails.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        tokio::select! {
            () = signal => {
                self.shutdown().await;
                Ok(())
            }
            ended = &mut self.serving => {
                self.purging.abort();
                ended.unwrap_or_else(|error| Err(std::io::Error::other(error)))
            }
        }
    }
}

/// Drops expired rows every [`PURGE_INTERVAL`], in its own task so requests never wait for it.
async fn purge_periodically(services: Services) {
    let mut ticks = tokio::time::interval(PURGE_INTERVAL);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let now = services.clock.now();
        if let Err(error) = services.store.purge_expired(now).await {
            tracing::warn!(%error, "purging expired rows failed");
        }
    }
}
