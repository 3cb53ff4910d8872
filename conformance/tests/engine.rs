//! The engine end to end on a small fixture library (`tests/fixtures/engine`) and the bundled
//! server: each outcome (passed, failed, warning, not applicable, error) arises where it should,
//! failures name the step and the check, and secrets never reach a failure's text.

use std::sync::Arc;
use std::time::Duration;

use oauth_conformance::load::Library;
use oauth_conformance::outcome::{CaseResult, Failure, Outcome};
use oauth_conformance::plan::{self, Targets};
use oauth_conformance::runner::{Runner, Snapshots};
use oauth_conformance::target::{Bundled, Target};

fn fixture_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine")
}

fn library() -> Library {
    Library::load(&fixture_root()).expect("the engine fixture library loads")
}

async fn run_on(targets: &Targets, name: &str) -> CaseResult {
    let library = library();
    let case = library
        .cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no fixture case {name}"));
    let runner = Runner::new(Duration::from_secs(5), Snapshots::Skip);
    plan::run_one(&runner, &library, targets, case).await
}

async fn run(name: &str) -> CaseResult {
    let targets = Targets::Bundled(Bundled::new(&library()).expect("fixture servers parse"));
    let result = run_on(&targets, name).await;
    targets.shutdown().await;
    result
}

fn failure(result: &CaseResult) -> &Failure {
    result
        .outcome
        .failure()
        .unwrap_or_else(|| panic!("{} has no failure: {:?}", result.name, result.outcome))
}

#[tokio::test]
async fn a_case_whose_checks_hold_passes() {
    let result = run("outcomes::passes").await;
    assert_eq!(result.outcome, Outcome::Passed);
}

#[tokio::test]
async fn a_whole_flow_with_redirect_and_jwt_checks_passes() {
    let result = run("outcomes::jwt_and_redirect").await;
    assert_eq!(result.outcome, Outcome::Passed, "{:?}", result.outcome);
}

#[tokio::test]
async fn a_wrong_status_fails_with_expected_and_actual() {
    let result = run("outcomes::wrong_status").await;
    assert!(
        matches!(result.outcome, Outcome::Failed(_)),
        "{:?}",
        result.outcome
    );
    let failure = failure(&result);
    assert_eq!(failure.step, "step 1 (fetch metadata)");
    assert_eq!(failure.check, "status");
    assert_eq!(failure.expected, "201");
    assert!(failure.actual.starts_with("200 "), "{}", failure.actual);
}

#[tokio::test]
async fn a_failing_should_case_is_a_warning() {
    let result = run("outcomes::should_warns").await;
    assert!(
        matches!(result.outcome, Outcome::Warning(_)),
        "{:?}",
        result.outcome
    );
    assert_eq!(failure(&result).check, "json issuer");
}

#[tokio::test]
async fn unmet_requirements_make_a_case_not_applicable_with_the_reason() {
    let result = run("outcomes::not_applicable").await;
    assert_eq!(
        result.outcome,
        Outcome::NotApplicable(
            "requires registration: anonymous; the target has off; \
             requires end_session: true; the target has false"
                .to_owned()
        )
    );
}

#[tokio::test]
async fn an_unknown_template_variable_is_an_error_not_a_pass() {
    let result = run("outcomes::unknown_variable").await;
    assert!(
        matches!(result.outcome, Outcome::Error(_)),
        "{:?}",
        result.outcome
    );
    assert!(
        failure(&result).actual.contains("no_such_variable"),
        "{:?}",
        result.outcome
    );
}

#[tokio::test]
async fn a_capture_that_finds_nothing_fails_the_step() {
    let result = run("outcomes::capture_missing").await;
    assert!(
        matches!(result.outcome, Outcome::Failed(_)),
        "{:?}",
        result.outcome
    );
    assert_eq!(failure(&result).check, "capture missing");
}

#[tokio::test]
async fn a_failure_inside_a_fragment_names_the_call_and_its_step() {
    let result = run("outcomes::fragment_failure").await;
    let failure = failure(&result);
    assert_eq!(
        failure.step,
        "step 1 (client-token) › step 1 (client credentials grant)"
    );
    assert_eq!(
        (failure.check.as_str(), failure.expected.as_str()),
        ("status", "400")
    );
}

#[tokio::test]
async fn secrets_and_captured_tokens_are_redacted_in_failures() {
    let result = run("outcomes::secrets_redacted").await;
    let failure = failure(&result);
    let text = failure.render();
    assert!(!text.contains("engine-client-secret"), "{text}");
    assert!(!text.contains("belgie_"), "a token leaked: {text}");
    assert!(
        text.contains("[access_token]-[clients.static.secret]"),
        "{text}"
    );
}

#[tokio::test]
async fn an_unreachable_target_is_a_runtime_error() {
    let bundled = Bundled::new(&library()).expect("fixture servers parse");
    let template = bundled
        .target("default")
        .await
        .expect("the fixture server starts");
    let mut unreachable = Target::clone(&template);
    unreachable.base_url = "http://127.0.0.1:9/".parse().expect("a URL");
    unreachable.issuer = "http://127.0.0.1:9/auth/oauth".to_owned();
    bundled.shutdown().await;

    let result = run_on(
        &Targets::Deployment(Arc::new(unreachable)),
        "outcomes::passes",
    )
    .await;
    assert!(
        matches!(result.outcome, Outcome::Error(_)),
        "{:?}",
        result.outcome
    );
    assert!(
        failure(&result).actual.contains("could not connect"),
        "{:?}",
        result.outcome
    );
}

#[tokio::test]
async fn named_jars_are_separate_browsers_and_optional_captures_may_find_nothing() {
    let result = run("outcomes::jars_and_optional").await;
    assert_eq!(result.outcome, Outcome::Passed, "{:?}", result.outcome);
    assert!(
        result
            .transcript
            .iter()
            .any(|line| line.ends_with("openid-configuration → 200")),
        "the null parameter was sent: {:?}",
        result.transcript
    );
}

#[tokio::test]
async fn a_token_no_step_captures_is_still_redacted_in_a_failure() {
    let result = run("outcomes::uncaptured_token_redacted").await;
    let failure = failure(&result);
    assert_eq!(failure.check, "status");
    assert!(
        failure
            .actual
            .contains("\"access_token\":\"[access_token]\""),
        "{}",
        failure.actual
    );
    assert!(
        !failure.actual.contains("belgie_"),
        "a token leaked: {}",
        failure.actual
    );
}
