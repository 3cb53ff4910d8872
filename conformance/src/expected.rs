//! Expected failures: a profile lists checks known to fail on its deployment, per case and
//! check. After a run each result gets a verdict: as run, an expected failure (not counted as
//! failed), or *unexpectedly passed* when a listed check no longer fails, which fails the run so
//! the list cannot go stale silently.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use crate::outcome::{CaseResult, Failure, Outcome};
use crate::report::{self, Summary, exit};
use crate::target::profile::ExpectedFailure;

/// What a result counts as once the expected failures are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The outcome stands as the run found it.
    AsRun,
    /// A listed check failed, as expected.
    ExpectedFailure(ExpectedFailure),
    /// The case passed although a check of it is listed as failing.
    UnexpectedlyPassed(ExpectedFailure),
}

impl Verdict {
    /// A short word for reports, when the verdict changes the outcome.
    pub fn label(&self) -> Option<&'static str> {
        match self {
            Self::AsRun => None,
            Self::ExpectedFailure(_) => Some("expected failure"),
            Self::UnexpectedlyPassed(_) => Some("unexpectedly passed"),
        }
    }
}

/// A run's results with their verdicts.
#[derive(Clone, Debug)]
pub struct Reconciled {
    /// Each result and its verdict, in the cases' order.
    pub results: Vec<(CaseResult, Verdict)>,
    /// Listed failures whose case did not run (not selected, or not applicable).
    pub unused: Vec<ExpectedFailure>,
}

/// Counts of a reconciled run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Cases that passed.
    pub passed: usize,
    /// Cases with a failed MUST or belgie check that was not expected.
    pub failed: usize,
    /// Cases whose failure was listed as expected.
    pub expected_failures: usize,
    /// Cases whose listed failure did not happen.
    pub unexpectedly_passed: usize,
    /// SHOULD cases that failed.
    pub warnings: usize,
    /// Cases the target cannot run.
    pub not_applicable: usize,
    /// Cases whose run broke.
    pub errors: usize,
}

/// Whether `failure` of `result` is the one `entry` lists.
fn matches(entry: &ExpectedFailure, result: &CaseResult, failure: &Failure) -> bool {
    entry.case == result.name
        && entry.check == failure.check
        && entry.step.as_ref().is_none_or(|step| *step == failure.step)
}

/// Applies `expected` to `results`.
pub fn reconcile(results: Vec<CaseResult>, expected: &[ExpectedFailure]) -> Reconciled {
    let mut unused = Vec::new();
    for entry in expected {
        let ran = results
            .iter()
            .any(|r| r.name == entry.case && !matches!(r.outcome, Outcome::NotApplicable(_)));
        if !ran {
            unused.push(entry.clone());
        }
    }
    let results = results
        .into_iter()
        .map(|result| {
            let verdict = verdict(&result, expected);
            (result, verdict)
        })
        .collect();
    Reconciled { results, unused }
}

fn verdict(result: &CaseResult, expected: &[ExpectedFailure]) -> Verdict {
    let mut listed = expected.iter().filter(|e| e.case == result.name);
    match &result.outcome {
        Outcome::Failed(failure) | Outcome::Warning(failure) => {
            match listed.find(|e| matches(e, result, failure)) {
                Some(entry) => Verdict::ExpectedFailure(entry.clone()),
                None => Verdict::AsRun,
            }
        }
        Outcome::Passed => listed
            .next()
            .map_or(Verdict::AsRun, |e| Verdict::UnexpectedlyPassed(e.clone())),
        Outcome::NotApplicable(_) | Outcome::Error(_) => Verdict::AsRun,
    }
}

impl Reconciled {
    /// The counts.
    pub fn counts(&self) -> Counts {
        let plain: Vec<CaseResult> = self
            .results
            .iter()
            .filter(|(_, v)| *v == Verdict::AsRun)
            .map(|(r, _)| r.clone())
            .collect();
        let summary = Summary::of(&plain);
        let count = |label: &str| {
            self.results
                .iter()
                .filter(|(_, v)| v.label() == Some(label))
                .count()
        };
        Counts {
            passed: summary.passed,
            failed: summary.failed,
            expected_failures: count("expected failure"),
            unexpectedly_passed: count("unexpectedly passed"),
            warnings: summary.warnings,
            not_applicable: summary.not_applicable,
            errors: summary.errors,
        }
    }

    /// The exit code: a runtime error outranks a failure; an unexpected pass is a failure.
    pub fn exit_code(&self) -> ExitCode {
        let counts = self.counts();
        ExitCode::from(if counts.errors > 0 {
            exit::RUNTIME_ERROR
        } else if counts.failed > 0 || counts.unexpectedly_passed > 0 {
            exit::CHECK_FAILED
        } else {
            exit::PASSED
        })
    }

    /// The terminal report: each problem, each verdict, (with `verbose`) listed failures that
    /// did not run, and the summary line.
    pub fn render(&self, elapsed: Duration, verbose: bool) -> String {
        let mut out = String::new();
        for (result, verdict) in &self.results {
            match verdict {
                Verdict::AsRun => {
                    let problem =
                        !matches!(result.outcome, Outcome::Passed | Outcome::NotApplicable(_));
                    if problem || (verbose && !matches!(result.outcome, Outcome::Passed)) {
                        out.push_str(&report::describe(result));
                    } else if verbose {
                        let _ = writeln!(out, "{} [passed]", result.name);
                    }
                }
                Verdict::ExpectedFailure(entry) if verbose => {
                    let why = entry.reason.as_deref().unwrap_or("listed in the profile");
                    let _ = writeln!(
                        out,
                        "{} [expected failure]: {} ({why})",
                        result.name, entry.check
                    );
                }
                Verdict::ExpectedFailure(_) => {}
                Verdict::UnexpectedlyPassed(entry) => {
                    let _ = writeln!(
                        out,
                        "{} [unexpectedly passed]: the listed failure of `{}` did not happen; \
                         remove it from the profile's expected_failures",
                        result.name, entry.check
                    );
                }
            }
            if verbose {
                for line in &result.transcript {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        for entry in self.unused.iter().filter(|_| verbose) {
            let _ = writeln!(
                out,
                "note: expected failure {} / {} was not checked: the case did not run",
                entry.case, entry.check
            );
        }
        out.push_str(&self.counts().line(elapsed));
        out.push('\n');
        out
    }
}

impl Counts {
    /// The closing line; expected failures and unexpected passes appear only when there are
    /// some, so a run without a list reads like the bundled run's line.
    pub fn line(&self, elapsed: Duration) -> String {
        let mut failed = format!("{} failed", self.failed);
        if self.expected_failures > 0 {
            let _ = write!(failed, ", {} expected failures", self.expected_failures);
        }
        if self.unexpectedly_passed > 0 {
            let _ = write!(failed, ", {} unexpectedly passed", self.unexpectedly_passed);
        }
        format!(
            "{} passed, {failed}, {} warnings, {} not applicable, {} errors in {:.2}s",
            self.passed,
            self.warnings,
            self.not_applicable,
            self.errors,
            elapsed.as_secs_f64()
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::case::Level;

    pub(crate) fn result(name: &str, outcome: Outcome) -> CaseResult {
        CaseResult {
            name: name.to_owned(),
            description: format!("{name} description"),
            source: "RFC 6749 §5.2".to_owned(),
            level: Level::Must,
            target: "t".to_owned(),
            outcome,
            duration: Duration::from_millis(12),
            transcript: vec![],
        }
    }

    pub(crate) fn failed(check: &str) -> Outcome {
        Outcome::Failed(Failure {
            step: "step 1".into(),
            check: check.into(),
            expected: "400".into(),
            actual: "200".into(),
        })
    }

    fn entry(case: &str, check: &str) -> ExpectedFailure {
        ExpectedFailure {
            case: case.into(),
            check: check.into(),
            step: None,
            reason: Some("issue 12".into()),
        }
    }

    #[test]
    fn a_listed_failure_is_expected_and_does_not_fail_the_run() {
        let reconciled = reconcile(vec![result("a", failed("status"))], &[entry("a", "status")]);
        assert!(matches!(
            reconciled.results[0].1,
            Verdict::ExpectedFailure(_)
        ));
        let counts = reconciled.counts();
        assert_eq!((counts.failed, counts.expected_failures), (0, 1));
        assert_eq!(reconciled.exit_code(), ExitCode::from(exit::PASSED));
    }

    #[test]
    fn a_different_check_failing_is_still_a_failure() {
        let reconciled = reconcile(
            vec![result("a", failed("json error"))],
            &[entry("a", "status")],
        );
        assert_eq!(reconciled.results[0].1, Verdict::AsRun);
        assert_eq!(reconciled.exit_code(), ExitCode::from(exit::CHECK_FAILED));
    }

    #[test]
    fn a_listed_check_that_passes_fails_the_run() {
        let reconciled = reconcile(vec![result("a", Outcome::Passed)], &[entry("a", "status")]);
        assert!(matches!(
            reconciled.results[0].1,
            Verdict::UnexpectedlyPassed(_)
        ));
        assert_eq!(reconciled.exit_code(), ExitCode::from(exit::CHECK_FAILED));
        let text = reconciled.render(Duration::ZERO, false);
        assert!(text.contains("a [unexpectedly passed]"), "{text}");
        assert!(text.contains("1 unexpectedly passed"), "{text}");
    }

    #[test]
    fn a_listed_case_that_did_not_run_is_noted() {
        let reconciled = reconcile(vec![], &[entry("gone", "status")]);
        assert_eq!(reconciled.unused.len(), 1);
        let text = reconciled.render(Duration::ZERO, true);
        assert!(text.contains("gone / status"), "{text}");
        assert_eq!(reconciled.exit_code(), ExitCode::from(exit::PASSED));
    }

    #[test]
    fn the_step_narrows_the_match() {
        let mut listed = entry("a", "status");
        listed.step = Some("step 2".into());
        let reconciled = reconcile(vec![result("a", failed("status"))], &[listed]);
        assert_eq!(reconciled.results[0].1, Verdict::AsRun);
    }
}
