//! Running a case: fresh variables and a fresh cookie jar, the case's variables rendered in
//! order, then each step in turn; fragment calls run their steps in a child scope whose
//! captures flow back to the caller. The first failing step ends the case.

mod checks;
mod request;
mod step;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::case::{Call, Level, Step};
use crate::exchange::Http;
use crate::load::{CaseFile, Library};
use crate::outcome::{CaseResult, Failure, Outcome};
use crate::redact::Redactor;
use crate::target::Target;
use crate::template::{Scope, Templates};

/// How deep fragment calls may nest (the loader already refuses cycles).
const MAX_CALL_DEPTH: usize = 16;

/// How snapshots are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snapshots {
    /// Compare with the target's snapshot folder (insta decides about new ones).
    Compare,
    /// Skip every snapshot.
    Skip,
}

/// What every case of a run shares.
#[derive(Clone)]
pub struct Runner {
    templates: Arc<Templates>,
    timeout: Duration,
    snapshots: Snapshots,
}

/// Why a step stopped the case.
enum Stop {
    Failed(Failure),
    Error(Failure),
}

/// The state of one running case.
struct CaseRun<'a> {
    runner: &'a Runner,
    library: &'a Library,
    target: &'a Target,
    case: &'a CaseFile,
    http: Http,
    redactor: Redactor,
    transcript: Vec<String>,
    snapshots_taken: usize,
}

impl Runner {
    /// A runner whose requests time out after `timeout`.
    pub fn new(timeout: Duration, snapshots: Snapshots) -> Self {
        Self {
            templates: Arc::new(Templates::new()),
            timeout,
            snapshots,
        }
    }

    /// Runs one case against `target`.
    pub async fn run(&self, case: &CaseFile, library: &Library, target: &Target) -> CaseResult {
        let started = Instant::now();
        let mut result = CaseResult {
            name: case.name.clone(),
            description: case.case.description.clone(),
            source: case.case.source.clone(),
            level: case.case.level,
            target: target.name.clone(),
            outcome: Outcome::Passed,
            duration: Duration::ZERO,
            transcript: Vec::new(),
        };
        if let Some(reason) = case.case.effective_requires().unmet(&target.capabilities) {
            result.outcome = Outcome::NotApplicable(reason);
            return result;
        }
        let (outcome, transcript) = self.run_applicable(case, library, target).await;
        result.outcome = outcome;
        result.transcript = transcript;
        result.duration = started.elapsed();
        result
    }

    async fn run_applicable(
        &self,
        case: &CaseFile,
        library: &Library,
        target: &Target,
    ) -> (Outcome, Vec<String>) {
        let http = match Http::new(self.timeout) {
            Ok(http) => http,
            Err(message) => {
                return (
                    Outcome::Error(Failure::error("setup", "http", message)),
                    vec![],
                );
            }
        };
        let mut run = CaseRun {
            runner: self,
            library,
            target,
            case,
            http,
            redactor: target.redactor.child(),
            transcript: Vec::new(),
            snapshots_taken: 0,
        };
        let outcome = run.execute().await;
        (outcome, run.transcript)
    }
}

impl CaseRun<'_> {
    async fn execute(&mut self) -> Outcome {
        let mut scope = Scope::new();
        for (name, value) in self.target.template_values() {
            scope.set(&name, value);
        }
        if let Err(stop) = self.render_vars(&mut scope) {
            return self.conclude(stop);
        }
        let steps = &self.case.case.steps;
        match self.run_steps(steps, &mut scope, "", 0).await {
            Ok(_) => Outcome::Passed,
            Err(stop) => self.conclude(stop),
        }
    }

    fn render_vars(&self, scope: &mut Scope) -> Result<(), Stop> {
        for (name, template) in &self.case.case.vars {
            let value = self.runner.templates.render(template, scope).map_err(|e| {
                Stop::Error(Failure::error(
                    "vars",
                    &format!("var `{name}`"),
                    e.to_string(),
                ))
            })?;
            scope.set(name, value);
        }
        Ok(())
    }

    /// The stop as an outcome, redacted, with a SHOULD case's failure as a warning.
    fn conclude(&self, stop: Stop) -> Outcome {
        match stop {
            Stop::Error(failure) => Outcome::Error(self.redact(failure)),
            Stop::Failed(failure) if self.case.case.level == Level::Should => {
                Outcome::Warning(self.redact(failure))
            }
            Stop::Failed(failure) => Outcome::Failed(self.redact(failure)),
        }
    }

    fn redact(&self, failure: Failure) -> Failure {
        Failure {
            step: self.redactor.redact(&failure.step),
            check: self.redactor.redact(&failure.check),
            expected: self.redactor.redact(&failure.expected),
            actual: self.redactor.redact(&failure.actual),
        }
    }

    /// Runs `steps` in `scope`; returns every variable captured (including in nested calls).
    async fn run_steps(
        &mut self,
        steps: &[Step],
        scope: &mut Scope,
        prefix: &str,
        depth: usize,
    ) -> Result<Vec<(String, Value)>, Stop> {
        let mut captured = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            let label = step_label(prefix, index, step);
            let new = match step {
                Step::Call(call) => Box::pin(self.call(call, scope, &label, depth)).await?,
                Step::Exchange(exchange) => self.exchange(exchange, scope, &label).await?,
            };
            for (name, value) in &new {
                scope.set(name, value.clone());
            }
            captured.extend(new);
        }
        Ok(captured)
    }

    async fn call(
        &mut self,
        call: &Call,
        scope: &Scope,
        label: &str,
        depth: usize,
    ) -> Result<Vec<(String, Value)>, Stop> {
        let name = &call.fragment.value;
        let error =
            |message: String| Stop::Error(Failure::error(label, &format!("use {name}"), message));
        if depth >= MAX_CALL_DEPTH {
            return Err(error(format!(
                "fragment calls nest deeper than {MAX_CALL_DEPTH}"
            )));
        }
        let replaced = self.target.fragment_overrides.get(name);
        let fragment = replaced
            .map(|r| &r.file)
            .or_else(|| self.library.fragments.get(name))
            .ok_or_else(|| error(format!("no fragment named `{name}`")))?;
        for (url, cookie) in replaced.map_or(&[][..], |r| &r.cookies[..]) {
            self.http.set_cookie(url, cookie).map_err(error)?;
        }
        let mut child = scope.child();
        for (param, default) in &fragment.fragment.params {
            let (template, from) = match call.args.get(param) {
                Some(arg) => (arg, scope),
                None => (default, &child),
            };
            let value = self
                .runner
                .templates
                .render(template, from)
                .map_err(|e| error(format!("parameter `{param}`: {e}")))?;
            child.set(param, value);
        }
        let steps = &fragment.fragment.steps;
        Box::pin(self.run_steps(steps, &mut child, &format!("{label} › "), depth + 1)).await
    }
}

/// `step 2 (sign in)`, or `step 1 (sign-in) › step 2` inside a fragment.
fn step_label(prefix: &str, index: usize, step: &Step) -> String {
    match step.name() {
        Some(name) => format!("{prefix}step {} ({name})", index + 1),
        None => format!("{prefix}step {}", index + 1),
    }
}
