//! `oauth-conformance`: a YAML-driven conformance harness for OAuth 2.1 authorization servers.
//!
//! One run, as data flows: [`load`] reads the case library (every mistake located in its file),
//! [`target`] says what is being checked and starts the bundled reference server when that is
//! the target, [`runner`] replays each case's steps and checks the answers, and [`report`]
//! turns the results into a summary and an exit code. A deployment is described by a profile
//! ([`target::profile`]); [`expected`] applies its expected failures, and [`junit`],
//! [`json_report`] and [`capability_matrix`] are the reports for CI.

pub mod capability_matrix;
pub mod case;
pub mod check;
pub mod coverage;
pub mod exchange;
pub mod expected;
pub mod json_report;
pub mod junit;
pub mod load;
pub mod outcome;
pub mod plan;
pub mod redact;
pub mod report;
pub mod runner;
pub mod snapshot;
pub mod target;
pub mod template;

/// The case library beside this crate (`cases/` at the workspace root), or `./cases` when the
/// current folder has one.
pub fn default_cases_dir() -> std::path::PathBuf {
    let local = std::path::PathBuf::from("cases");
    if local.is_dir() {
        return local;
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("cases")
}
