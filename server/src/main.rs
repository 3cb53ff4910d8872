//! The `oauth-reference-server` binary: parse the command line, load the settings (file, then
//! environment), serve until Ctrl-C, report. With no configuration at all it runs a demo.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use oauth_reference_server::config::{ConfigError, ResourceSettings, Settings, UserSettings};
use oauth_reference_server::domain::{Secret, random_hex};
use oauth_reference_server::{RunningServer, app::StartError, spawn_on};

/// Exit code for an invalid setting or an unreadable settings file.
const EXIT_CONFIG: u8 = 2;
/// Exit code for a failure while running (the address is taken, the server stopped).
const EXIT_RUNTIME: u8 = 1;

const AFTER_HELP: &str = "\
ENVIRONMENT (applied over the file; see docs/server-config.md):
  BELGIE_SECRET              the host secret (fallback id_token signing secret)
  BELGIE_BASE_URL            the host base URL (default: http://ADDR:PORT as bound)
  BELGIE_OAUTH_STORAGE       storage: memory (default), sqlite:PATH or
                             postgres://USER:PASSWORD@HOST:PORT/DB (BELGIE_STORAGE is the
                             older name, still read)
  BELGIE_OAUTH_<SETTING>     any OAuth setting, upper-case, e.g. BELGIE_OAUTH_PREFIX=/oauth;
                             lists and objects as JSON, e.g.
                             BELGIE_OAUTH_REDIRECT_URIS='[\"http://127.0.0.1:3030/callback\"]';
                             booleans true/false; an empty value clears an optional setting
  RUST_LOG                   log filter (default: info), e.g. RUST_LOG=tower_http=debug

With no --config and no BELGIE_* variable, a demo starts: static client demo-client /
demo-secret, redirect http://localhost:3030/callback, a demo user (printed at start-up).

EXIT CODES:
  0  stopped by Ctrl-C
  1  could not listen, or the server failed while running
  2  invalid command line, unreadable settings file, or invalid setting";

/// An OAuth 2.1 authorization server with the observable behaviour of Belgie's OAuth server.
#[derive(Debug, Parser)]
#[command(version, about, after_help = AFTER_HELP)]
struct Cli {
    /// The YAML settings file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The address to listen on: an IP address, or IP:PORT.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: String,
    /// The port to listen on (overrides a port given with --bind).
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
}

/// Settings and whether they are the demo's.
struct Loaded {
    settings: Settings,
    demo: Option<DemoUser>,
}

/// The demo's user, printed at start-up.
struct DemoUser {
    email: String,
    password: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let (loaded, addr) = match load(&cli) {
        Ok(loaded) => loaded,
        Err(message) => return fail(EXIT_CONFIG, &message),
    };
    let server = match spawn_on(loaded.settings, addr).await {
        Ok(server) => server,
        Err(error @ StartError::Config(_)) => return fail(EXIT_CONFIG, &error.to_string()),
        Err(error) => return fail(EXIT_RUNTIME, &error.to_string()),
    };
    announce(&server, loaded.demo.as_ref());
    match server.run_until(stop_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(EXIT_RUNTIME, &format!("server failed: {error}")),
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

/// Reads the settings (file, then environment; the demo without either) and the address.
fn load(cli: &Cli) -> Result<(Loaded, SocketAddr), String> {
    let addr = listen_address(&cli.bind, cli.port)?;
    let vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            Some((name, value.to_string_lossy().into_owned()))
        })
        .collect();

    let loaded = match &cli.config {
        None if !Settings::env_applies(pairs(&vars)) => demo(),
        None => Loaded {
            settings: Settings::default(),
            demo: None,
        },
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            let settings = Settings::from_yaml_str(&text, &path.display().to_string())
                .map_err(|error| error.to_string())?;
            Loaded {
                settings,
                demo: None,
            }
        }
    };
    let mut loaded = loaded;
    loaded
        .settings
        .apply_env(pairs(&vars))
        .map_err(|error: ConfigError| error.to_string())?;
    Ok((loaded, addr))
}

/// `--bind` (an IP, or IP:PORT) and `--port` as one address; port 8000 by default.
fn listen_address(bind: &str, port: Option<u16>) -> Result<SocketAddr, String> {
    let mut addr = match bind.parse::<SocketAddr>() {
        Ok(addr) => addr,
        Err(_) => {
            let ip: IpAddr = bind
                .parse()
                .map_err(|_| format!("--bind: `{bind}` is neither an IP address nor IP:PORT"))?;
            SocketAddr::new(ip, 8000)
        }
    };
    if let Some(port) = port {
        addr.set_port(port);
    }
    Ok(addr)
}

/// The demo: a confidential static client for `http://localhost:3030/callback`, one user with
/// a fresh random password, registration open to signed-in users, the resource `/mcp`.
fn demo() -> Loaded {
    let email = "demo@example.com".to_owned();
    let password = random_hex(8);
    let mut settings = Settings::default();
    let oauth = &mut settings.oauth;
    oauth.client_id = "demo-client".into();
    oauth.client_secret = Some(Secret::new("demo-secret"));
    oauth.redirect_uris = vec!["http://localhost:3030/callback".into()];
    oauth.static_client.scope = Some("openid profile email offline_access user".into());
    oauth.allow_dynamic_client_registration = true;
    oauth.enable_end_session = true;
    oauth.resources = Some(vec![ResourceSettings {
        prefix: "/mcp".into(),
        scopes: Some(vec!["user".into()]),
    }]);
    settings.secret = Some(Secret::new(random_hex(32)));
    settings.users.push(UserSettings {
        email: email.clone(),
        password: Some(Secret::new(password.clone())),
        name: Some("Demo User".into()),
        image: None,
        email_verified: true,
    });
    Loaded {
        settings,
        demo: Some(DemoUser { email, password }),
    }
}

/// The variables as borrowed pairs.
fn pairs(vars: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    vars.iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
}

fn announce(server: &RunningServer, demo: Option<&DemoUser>) {
    let issuer = server.issuer().as_str().trim_end_matches('/');
    println!(
        "oauth-reference-server listening on {}",
        server.local_addr()
    );
    println!("  issuer:     {issuer}");
    println!("  discovery:  {issuer}/.well-known/openid-configuration");
    let base = server.base_url().as_str().trim_end_matches('/');
    println!("  sign in:    {base}/login");
    if let Some(user) = demo {
        println!("demo configuration (no --config and no BELGIE_* variable):");
        println!("  client:     demo-client / demo-secret");
        println!("  redirect:   http://localhost:3030/callback");
        println!("  scopes:     openid profile email offline_access user");
        println!("  user:       {} / {}", user.email, user.password);
        println!("  registration is open to signed-in users: POST {issuer}/register");
    }
    println!("Press Ctrl-C (or send SIGTERM) to stop.");
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM, which is how process managers and
/// containers ask a server to stop.
async fn stop_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No handler could be installed: wait for the other signal, or for ever.
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate() => {}
    }
}

#[cfg(unix)]
async fn terminate() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            terminate.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await;
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("oauth-reference-server: {message}");
    ExitCode::from(code)
}
