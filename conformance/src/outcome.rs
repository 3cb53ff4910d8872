//! Results: what happened to one case, and the words a failure is explained with. A runtime
//! error (the run itself broke) is kept apart from a failed check, and is never a pass.

use std::time::Duration;

use crate::case::Level;
use crate::check::Mismatch;

/// How one case ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every check held.
    Passed,
    /// A check failed on a MUST or belgie case.
    Failed(Failure),
    /// A check failed on a SHOULD case.
    Warning(Failure),
    /// The target does not have what the case requires.
    NotApplicable(String),
    /// The run itself broke: connection refused, timeout, a template naming an unknown value.
    Error(Failure),
}

impl Outcome {
    /// A short word for the outcome, as reports print it.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed(_) => "failed",
            Self::Warning(_) => "warning",
            Self::NotApplicable(_) => "not applicable",
            Self::Error(_) => "error",
        }
    }

    /// The failure or error, when there is one.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::Failed(f) | Self::Warning(f) | Self::Error(f) => Some(f),
            Self::Passed | Self::NotApplicable(_) => None,
        }
    }
}

/// What went wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The step's label, e.g. `step 3 (exchange with a wrong verifier)` or `sign-in › step 2`.
    pub step: String,
    /// What was being done or checked, e.g. `status` or `json error`.
    pub check: String,
    /// What the case expected (empty for a runtime error).
    pub expected: String,
    /// What happened.
    pub actual: String,
}

impl Failure {
    /// A failed check in `step`.
    pub fn mismatch(step: &str, mismatch: Mismatch) -> Self {
        Self {
            step: step.to_owned(),
            check: mismatch.check,
            expected: mismatch.expected,
            actual: mismatch.actual,
        }
    }

    /// A runtime error in `step`.
    pub fn error(step: &str, doing: &str, message: impl Into<String>) -> Self {
        Self {
            step: step.to_owned(),
            check: doing.to_owned(),
            expected: String::new(),
            actual: message.into(),
        }
    }

    /// The failure as a few indented lines.
    pub fn render(&self) -> String {
        let mut text = format!("  in {}\n  {}", self.step, self.check);
        if self.expected.is_empty() {
            text.push_str(&format!(": {}", self.actual));
        } else {
            text.push_str(&format!(
                "\n    expected: {}\n    actual:   {}",
                self.expected, self.actual
            ));
        }
        text
    }
}

/// One case's result.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case's test name (`token::pkce_wrong_verifier`).
    pub name: String,
    /// The case's description.
    pub description: String,
    /// Where its requirement comes from.
    pub source: String,
    /// Its level.
    pub level: Level,
    /// The target it ran against.
    pub target: String,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took.
    pub duration: Duration,
    /// One line per exchange sent, redacted (for `--verbose`).
    pub transcript: Vec<String>,
}
