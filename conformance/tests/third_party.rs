//! A server nobody on this team wrote: panva's `oidc-provider` (npm), configured by
//! `cases/targets/oidc-provider/server.mjs`, checked by the `oauth-conformance` command with the
//! committed profile `cases/targets/oidc-provider.yaml`, as `docs/oidc-provider.md` describes.
//!
//! It needs Node.js and npm (and the npm registry the first time, for `npm ci`), so it is
//! ignored by default:
//!
//! ```console
//! $ cargo test -p oauth-conformance --test third_party -- --ignored
//! ```
//!
//! The run must exit 0: every failure is one the profile lists under `expected_failures`, each
//! listed failure happens (none passes unexpectedly, none is left unrun), and nothing else fails.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the package sits in the workspace")
        .to_owned()
}

/// The node project: `server.mjs`, `package.json` and `package-lock.json`.
fn server_dir() -> PathBuf {
    workspace().join("cases/targets/oidc-provider")
}

fn profile() -> PathBuf {
    workspace().join("cases/targets/oidc-provider.yaml")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Installs the locked dependencies when `node_modules` is missing.
fn npm_ci() {
    if server_dir().join("node_modules/oidc-provider").is_dir() {
        return;
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(server_dir())
        .output()
        .expect("npm runs (install Node.js 20 or later with npm)");
    assert!(
        output.status.success(),
        "npm ci failed:\n{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// The node process, stopped when dropped.
struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    /// Starts `server.mjs` on a port the system picks and waits for its "listening on" line.
    fn start() -> Self {
        npm_ci();
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(server_dir())
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (install Node.js 20 or later)");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = lines.by_ref().map_while(Result::ok).find_map(|line| {
            line.strip_prefix("oidc-provider listening on ")
                .map(str::to_owned)
        });
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("server.mjs exited without announcing its address");
        };
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

/// The case names the profile lists under `expected_failures`.
fn listed_expected_failures() -> BTreeSet<String> {
    let yaml = std::fs::read_to_string(profile()).expect("the profile is readable");
    let profile: serde_json::Value = serde_saphyr::from_str(&yaml).expect("the profile is YAML");
    profile["expected_failures"]
        .as_array()
        .expect("expected_failures is a list")
        .iter()
        .map(|entry| {
            entry["case"]
                .as_str()
                .expect("each entry names a case")
                .to_owned()
        })
        .collect()
}

#[test]
#[ignore = "needs Node.js and npm; run with `cargo test -p oauth-conformance --test third_party -- --ignored`"]
fn oidc_provider_fails_only_where_the_profile_says() {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = dir.path().join("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_oauth-conformance"))
        .arg("--target")
        .arg(profile())
        .args(["--variable", &format!("base_url={}", server.base_url)])
        .args(["--jobs", "4", "--report-json"])
        .arg(&json)
        .output()
        .expect("the harness runs");
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the JSON report"))
            .expect("the JSON report parses");
    assert_eq!(report["target"]["name"], "oidc-provider");
    assert_eq!(
        report["target"]["contradictions"],
        serde_json::json!([]),
        "{stdout}"
    );
    let summary = &report["summary"];
    assert_eq!(summary["failed"], 0, "{stdout}");
    assert_eq!(summary["errors"], 0, "{stdout}");
    assert_eq!(summary["unexpectedly_passed"], 0, "{stdout}");
    assert!(
        summary["passed"].as_u64().is_some_and(|n| n > 0),
        "{stdout}"
    );
    assert_eq!(
        report["expected_failures_not_run"],
        serde_json::json!([]),
        "every listed failure runs:\n{stdout}"
    );

    let happened: BTreeSet<String> = report["cases"]
        .as_array()
        .expect("cases is a list")
        .iter()
        .filter(|case| case["verdict"] == "expected failure")
        .map(|case| case["name"].as_str().expect("a case name").to_owned())
        .collect();
    assert_eq!(
        happened,
        listed_expected_failures(),
        "the expected failures that happened are exactly the listed ones:\n{stdout}"
    );
}
