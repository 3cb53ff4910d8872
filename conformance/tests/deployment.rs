//! The reference server as a deployment, binary against binary: `oauth-reference-server` runs as
//! its own process on a free loopback port with `cases/targets/reference-server.config.yaml`,
//! and the `oauth-conformance` command checks it over real TCP with the committed profile
//! `cases/targets/reference-server.yaml`, as the README's session does. The JUnit report is
//! validated against the Ant/Jenkins schema with `xmllint` when it is installed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The test values of the committed configuration that must never be printed.
const SECRETS: &[&str] = &[
    "test-secret",
    "correct horse battery staple",
    "other-secret",
];

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the package sits in the workspace")
        .to_owned()
}

/// The reference server's binary, built by cargo into the target folder this test runs from.
fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    let mut build = Command::new(option_env!("CARGO").unwrap_or("cargo"));
    build.args([
        "build",
        "-p",
        "oauth-reference-server",
        "--bin",
        "oauth-reference-server",
    ]);
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        build.arg("--release");
    }
    let status = build.current_dir(workspace()).status().expect("cargo runs");
    assert!(status.success(), "building oauth-reference-server failed");
    profile_dir.join(format!(
        "oauth-reference-server{}",
        std::env::consts::EXE_SUFFIX
    ))
}

/// The server process, stopped when dropped.
struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    /// Starts the server on a port the system picks and waits for its "listening on" line.
    fn start() -> Self {
        let config = workspace().join("cases/targets/reference-server.config.yaml");
        let mut child = Command::new(server_binary())
            .arg("--config")
            .arg(config)
            .args(["--bind", "127.0.0.1", "--port", "0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("oauth-reference-server listening on ")
                    .map(str::to_owned)
            })
            .expect("the server announces its address");
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            base_url: format!("http://{addr}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the harness with `args`, the client secret given through the environment.
fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oauth-conformance"))
        .args(args)
        .env("OAUTH_CONFORMANCE_VAR_CLIENT_SECRET", "test-secret")
        .output()
        .expect("the harness runs")
}

fn profile() -> String {
    workspace()
        .join("cases/targets/reference-server.yaml")
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows a secret:\n{text}");
    }
}

#[test]
fn the_reference_server_passes_as_a_deployment_and_the_reports_are_valid() {
    let server = Server::start();
    let dir = std::env::temp_dir().join(format!("deployment-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (junit, json) = (dir.join("junit.xml"), dir.join("report.json"));
    let output = harness(&[
        "--target",
        &profile(),
        "--variable",
        &format!("base_url={}", server.base_url),
        "--jobs",
        "4",
        "--verbose",
        "--report-junit",
        junit.to_str().unwrap(),
        "--report-json",
        json.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    assert!(
        stdout.contains("Capability matrix of reference-server"),
        "{stdout}"
    );
    assert!(
        stdout.contains("POST "),
        "--verbose shows the exchanges:\n{stdout}"
    );
    assert_no_secret("the terminal report", &format!("{stdout}{stderr}"));

    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_no_secret("the JUnit report", &xml);
    assert!(xml.contains("<testsuites name=\"oauth-conformance reference-server\""));
    validate_junit(&junit);

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_no_secret("the JSON report", &report.to_string());
    assert_eq!(report["target"]["name"], "reference-server");
    assert_eq!(report["target"]["contradictions"], serde_json::json!([]));
    assert_eq!(report["summary"]["failed"], 0);
    assert!(report["summary"]["passed"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Validates against `tests/fixtures/junit-10.xsd` with `xmllint`, or says why it cannot.
fn validate_junit(file: &Path) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit-10.xsd");
    let result = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(file)
        .output();
    match result {
        Ok(output) => assert!(
            output.status.success(),
            "the JUnit report does not validate against junit-10.xsd:\n{}",
            text(&output.stderr)
        ),
        Err(_) => eprintln!(
            "SKIPPED: JUnit schema validation needs `xmllint` (Debian package libxml2-utils)"
        ),
    }
}

#[test]
fn a_claim_the_metadata_contradicts_is_reported() {
    let server = Server::start();
    let dir = std::env::temp_dir().join(format!("contradiction-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let claimed = std::fs::read_to_string(profile()).unwrap().replace(
        "id_token_signing: hs256-sha256-secret",
        "id_token_signing: jwks",
    );
    let path = dir.join("jwks.yaml");
    std::fs::write(&path, claimed).unwrap();
    let json = dir.join("report.json");
    let output = harness(&[
        "--target",
        path.to_str().unwrap(),
        "--variable",
        &format!("base_url={}", server.base_url),
        "--report-json",
        json.to_str().unwrap(),
        "registration::anonymous_public_client",
    ]);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(
            "the profile claims id_token_signing: jwks, but the metadata has no jwks_uri"
        ),
        "{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        report["target"]["contradictions"][0]["capability"],
        "id_token_signing"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_target_is_a_runtime_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let output = harness(&[
        "--target",
        &profile(),
        "--variable",
        &format!("base_url=http://127.0.0.1:{port}"),
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("the target `reference-server` is unreachable"),
        "{stderr}"
    );
}
