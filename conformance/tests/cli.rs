//! The command line as a user meets it: exit codes for each way a run can end, the summary
//! line, the listing, and located diagnostics for a broken library.

use std::path::Path;
use std::process::{Command, Output};

fn engine_fixtures() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/engine")
        .display()
        .to_string()
}

fn conformance(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oauth-conformance"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn on_fixtures(filters: &[&str]) -> Output {
    let cases = engine_fixtures();
    let mut args = vec!["--cases", cases.as_str()];
    args.extend_from_slice(filters);
    conformance(&args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn passing_cases_exit_zero_with_a_summary() {
    let output = on_fixtures(&[
        "outcomes::passes",
        "outcomes::not_applicable",
        "should_warns",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("1 passed, 0 failed, 1 warnings, 1 not applicable, 0 errors in "),
        "{out}"
    );
}

#[test]
fn a_failed_check_exits_four_and_names_step_and_check() {
    let output = on_fixtures(&["outcomes::wrong_status"]);
    assert_eq!(output.status.code(), Some(4));
    let out = stdout(&output);
    assert!(out.contains("outcomes::wrong_status [failed]"), "{out}");
    assert!(out.contains("in step 1 (fetch metadata)"), "{out}");
    assert!(out.contains("expected: 201"), "{out}");
}

#[test]
fn a_runtime_error_exits_three_even_beside_a_failure() {
    let output = on_fixtures(&["outcomes::wrong_status", "outcomes::unknown_variable"]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
}

#[test]
fn a_broken_library_exits_two_with_located_diagnostics() {
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "description: x\nsource: y\nlevel: MUST\nstep: []\n",
    )
    .expect("a file");
    let output = conformance(&["--cases", &dir.path().display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("bad.yaml:4:1"), "{err}");
    assert!(err.contains("did you mean `steps`?"), "{err}");
    assert!(err.contains("nothing was run"), "{err}");
}

#[test]
fn usage_errors_exit_one() {
    assert_eq!(conformance(&["--no-such-flag"]).status.code(), Some(1));
    let output = on_fixtures(&["no-case-has-this-name"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no case matches"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn storage_chooses_the_bundled_backend_and_refuses_anything_else() {
    let cases = engine_fixtures();
    let on_sqlite = conformance(&["--cases", &cases, "--storage", "sqlite", "outcomes::passes"]);
    assert_eq!(on_sqlite.status.code(), Some(0), "{}", stderr(&on_sqlite));
    assert!(stdout(&on_sqlite).contains("1 passed, 0 failed"));

    let unknown = conformance(&["--cases", &cases, "--storage", "mysql://h/db"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("expected memory, sqlite or a postgres://"),
        "{}",
        stderr(&unknown)
    );

    let profile = ["--target", "profile.yaml", "--storage", "sqlite"];
    let with_target = conformance(&[&["--cases", &cases][..], &profile[..]].concat());
    assert_eq!(with_target.status.code(), Some(1));
    assert!(stderr(&with_target).contains("--storage"));
}

#[test]
fn help_documents_the_exit_codes() {
    let output = conformance(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    for line in [
        "0  every case passed",
        "1  usage error",
        "2  a case",
        "3  runtime error",
        "4  a check failed",
    ] {
        assert!(out.contains(line), "--help lacks `{line}`:\n{out}");
    }
}

#[test]
fn list_prints_each_selected_case_with_its_requirement() {
    let output = on_fixtures(&["--list", "outcomes::pass"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output).trim(),
        "outcomes::passes  [MUST RFC 8414 §3.2] The metadata document names its issuer"
    );
}
