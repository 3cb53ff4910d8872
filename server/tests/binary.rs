//! The `oauth-reference-server` binary as a person runs it: the demo announces its issuer,
//! discovery URL and credentials; a bad setting or a bad flag stops it with exit code 2 and a
//! message naming what is wrong.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_oauth-reference-server");

/// The binary with an empty environment (so no `BELGIE_*` variable leaks in) and `args`.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command.env_clear().env("RUST_LOG", "warn").args(args);
    command
}

/// Runs the binary to completion, failing the test if it has not stopped within 30 s.
fn run_to_exit(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("the child can be polled").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("the output can be read")
}

/// Kills the child when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_demo_prints_the_issuer_discovery_url_and_credentials() {
    let child = command(&["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout is piped");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout is text");
        let done = line.starts_with("Press Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    let text = lines.join("\n");
    let issuer = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("issuer:"))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no issuer line in:\n{text}"));
    assert!(issuer.starts_with("http://127.0.0.1:"), "{text}");
    assert!(issuer.ends_with("/auth/oauth"), "{text}");
    assert!(
        text.contains(&format!(
            "discovery:  {issuer}/.well-known/openid-configuration"
        )),
        "{text}"
    );
    assert!(
        text.contains("client:     demo-client / demo-secret"),
        "{text}"
    );
    assert!(
        text.contains("redirect:   http://localhost:3030/callback"),
        "{text}"
    );
    let user = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("user:"))
        .unwrap_or_else(|| panic!("no user line in:\n{text}"));
    let (email, password) = user.trim().split_once(" / ").expect("email / password");
    assert_eq!(email, "demo@example.com");
    assert!(password.len() >= 16, "{text}");
}

#[test]
fn an_invalid_setting_exits_2_naming_the_setting() {
    let dir = std::env::temp_dir().join(format!("ors-binary-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("bad.yaml");
    let yaml = "secret: s\nbase_url: http://127.0.0.1:8000\noauth:\n  redirect_uris: []\n";
    std::fs::write(&file, yaml).expect("the file is written");
    let path = file.to_str().expect("a UTF-8 path");
    let output = run_to_exit(command(&["--config", path, "--port", "0"]));
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("redirect_uris"), "{stderr}");
}

#[test]
fn a_bad_environment_variable_exits_2_naming_it() {
    let mut bad = command(&["--port", "0"]);
    bad.env("BELGIE_SECRET", "s")
        .env("BELGIE_OAUTH_ENABLE_END_SESSION", "maybe");
    let output = run_to_exit(bad);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("BELGIE_OAUTH_ENABLE_END_SESSION"),
        "{stderr}"
    );
}

#[test]
fn a_bad_bind_address_exits_2() {
    let output = run_to_exit(command(&["--bind", "not-an-address"]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--bind"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_gracefully_with_exit_code_zero() {
    let mut child = command(&["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let started = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("Press Ctrl-C"));
    assert!(started, "the demo never said it was ready");

    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be polled") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("SIGTERM did not stop the server");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "a graceful stop exits 0");
}
