//! Reporting a run: a progress line while it runs, then each problem with its step and check,
//! then the summary line and the exit code. Everything printed has already been redacted.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use crate::outcome::{CaseResult, Outcome};

/// The exit codes, as `--help` documents them.
pub mod exit {
    /// Every case passed (warnings and not-applicable cases allowed).
    pub const PASSED: u8 = 0;
    /// The command line is wrong.
    pub const USAGE: u8 = 1;
    /// A case, fragment, server configuration or profile is invalid.
    pub const INVALID_CASE: u8 = 2;
    /// The run itself broke (target unreachable, timeout, bad template); outranks a failure.
    pub const RUNTIME_ERROR: u8 = 3;
    /// A check failed.
    pub const CHECK_FAILED: u8 = 4;
}

/// Counts of each outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases with a failed MUST or belgie check.
    pub failed: usize,
    /// SHOULD cases that failed.
    pub warnings: usize,
    /// Cases the target cannot run.
    pub not_applicable: usize,
    /// Cases whose run broke.
    pub errors: usize,
}

impl Summary {
    /// Counts `results`.
    pub fn of(results: &[CaseResult]) -> Self {
        let mut summary = Self::default();
        for result in results {
            match result.outcome {
                Outcome::Passed => summary.passed += 1,
                Outcome::Failed(_) => summary.failed += 1,
                Outcome::Warning(_) => summary.warnings += 1,
                Outcome::NotApplicable(_) => summary.not_applicable += 1,
                Outcome::Error(_) => summary.errors += 1,
            }
        }
        summary
    }

    /// The exit code for these counts: a runtime error outranks a failed check.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(if self.errors > 0 {
            exit::RUNTIME_ERROR
        } else if self.failed > 0 {
            exit::CHECK_FAILED
        } else {
            exit::PASSED
        })
    }

    /// The closing line: `12 passed, 1 failed, 0 warnings, 3 not applicable, 0 errors in 1.20s`.
    pub fn line(&self, elapsed: Duration) -> String {
        format!(
            "{} passed, {} failed, {} warnings, {} not applicable, {} errors in {:.2}s",
            self.passed,
            self.failed,
            self.warnings,
            self.not_applicable,
            self.errors,
            elapsed.as_secs_f64()
        )
    }
}

/// One case's problem, as printed after the run (and by `cargo test` on failure).
pub fn describe(result: &CaseResult) -> String {
    let mut text = format!(
        "{} [{}]: {}\n",
        result.name,
        result.outcome.label(),
        result.description
    );
    let _ = writeln!(
        text,
        "  requirement: {} ({})",
        result.source,
        result.level.as_str()
    );
    match &result.outcome {
        Outcome::NotApplicable(reason) => {
            let _ = writeln!(text, "  {reason}");
        }
        outcome => {
            if let Some(failure) = outcome.failure() {
                let _ = writeln!(text, "{}", failure.render());
            }
        }
    }
    text
}

/// Prints the progress line on a terminal (stderr), one dot per case otherwise.
pub fn progress(result: &CaseResult, done: usize, total: usize) {
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = write!(
            err,
            "\r\x1b[2K[{done}/{total}] {} {}",
            result.outcome.label(),
            result.name
        );
        if done == total {
            let _ = write!(err, "\r\x1b[2K");
        }
    } else if done == total || done.is_multiple_of(50) {
        let _ = writeln!(err, "[{done}/{total}] cases run");
    }
    let _ = err.flush();
}

/// The report printed at the end of a run: problems (and with `verbose` every transcript),
/// then the summary line.
pub fn render(results: &[CaseResult], elapsed: Duration, verbose: bool) -> String {
    let mut out = String::new();
    for result in results {
        let problem = !matches!(result.outcome, Outcome::Passed | Outcome::NotApplicable(_));
        if problem || (verbose && !matches!(result.outcome, Outcome::Passed)) {
            out.push_str(&describe(result));
        } else if verbose {
            let _ = writeln!(out, "{} [{}]", result.name, result.outcome.label());
        }
        if verbose {
            for line in &result.transcript {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    out.push_str(&Summary::of(results).line(elapsed));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Level;
    use crate::outcome::Failure;

    fn result(outcome: Outcome) -> CaseResult {
        CaseResult {
            name: "area::case".to_owned(),
            description: "A case".to_owned(),
            source: "RFC 6749 §5.2".to_owned(),
            level: Level::Must,
            target: "t".to_owned(),
            outcome,
            duration: Duration::ZERO,
            transcript: vec!["step 1: GET http://x/ → 200".to_owned()],
        }
    }

    fn failure() -> Failure {
        Failure::error("step 1", "status", "boom")
    }

    #[test]
    fn a_runtime_error_outranks_a_failure_and_warnings_do_not_fail() {
        let code = |outcomes: Vec<Outcome>| {
            let results: Vec<_> = outcomes.into_iter().map(result).collect();
            Summary::of(&results).exit_code()
        };
        let passed = vec![
            Outcome::Passed,
            Outcome::Warning(failure()),
            Outcome::NotApplicable("x".into()),
        ];
        assert_eq!(code(passed), ExitCode::from(exit::PASSED));
        assert_eq!(
            code(vec![Outcome::Failed(failure())]),
            ExitCode::from(exit::CHECK_FAILED)
        );
        assert_eq!(
            code(vec![Outcome::Failed(failure()), Outcome::Error(failure())]),
            ExitCode::from(exit::RUNTIME_ERROR)
        );
    }

    #[test]
    fn the_summary_line_counts_every_outcome() {
        let results: Vec<_> = [
            Outcome::Passed,
            Outcome::Passed,
            Outcome::Failed(failure()),
            Outcome::NotApplicable("x".into()),
        ]
        .into_iter()
        .map(result)
        .collect();
        assert_eq!(
            Summary::of(&results).line(Duration::from_millis(1500)),
            "2 passed, 1 failed, 0 warnings, 1 not applicable, 0 errors in 1.50s"
        );
    }

    #[test]
    fn passing_cases_are_silent_unless_verbose() {
        let results = vec![result(Outcome::Passed)];
        assert!(!render(&results, Duration::ZERO, false).contains("area::case"));
        let verbose = render(&results, Duration::ZERO, true);
        assert!(
            verbose.contains("area::case [passed]\n    step 1: GET http://x/ → 200"),
            "{verbose}"
        );
    }

    #[test]
    fn a_problem_names_the_case_its_requirement_and_the_failure() {
        let text = describe(&result(Outcome::Failed(failure())));
        assert!(
            text.starts_with("area::case [failed]: A case\n  requirement: RFC 6749 §5.2 (MUST)")
        );
        assert!(text.contains("in step 1\n  status: boom"), "{text}");
    }
}
