//! Planning and running a selection of cases: which target each case runs on (for the bundled
//! server, the configuration it names), then every case in parallel, at most `jobs` at a time,
//! each with fresh state. Results come back in the cases' order.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::case::Capabilities;
use crate::load::{CaseFile, Library};
use crate::outcome::{CaseResult, Failure, Outcome};
use crate::runner::Runner;
use crate::target::{Bundled, Target};

/// Where the cases run.
pub enum Targets {
    /// The reference server, one instance per configuration the cases name.
    Bundled(Bundled),
    /// One deployment described by a profile.
    Deployment(Arc<Target>),
}

impl Targets {
    /// The target `case` runs on, starting it if needed.
    pub async fn target_for(&self, case: &CaseFile) -> Result<Arc<Target>, String> {
        match self {
            Self::Bundled(bundled) => bundled.target(case.case.server_name()).await,
            Self::Deployment(target) => Ok(target.clone()),
        }
    }

    /// The capabilities of `case`'s target, known without starting anything.
    pub fn capabilities_for(&self, case: &CaseFile) -> Option<Capabilities> {
        match self {
            Self::Bundled(bundled) => bundled.capabilities(case.case.server_name()),
            Self::Deployment(target) => Some(target.capabilities.clone()),
        }
    }

    /// Stops whatever was started.
    pub async fn shutdown(&self) {
        if let Self::Bundled(bundled) = self {
            bundled.shutdown().await;
        }
    }
}

/// Runs one case on its target; a target that cannot be reached is an error outcome.
pub async fn run_one(
    runner: &Runner,
    library: &Library,
    targets: &Targets,
    case: &CaseFile,
) -> CaseResult {
    if let Some(reason) = not_applicable(targets, case) {
        return unrun(case, "", Outcome::NotApplicable(reason));
    }
    match targets.target_for(case).await {
        Ok(target) => runner.run(case, library, &target).await,
        Err(message) => unrun(
            case,
            "",
            Outcome::Error(Failure::error("setup", "target", message)),
        ),
    }
}

/// Why `case` cannot run on its target, decided before anything starts.
pub fn not_applicable(targets: &Targets, case: &CaseFile) -> Option<String> {
    let capabilities = targets.capabilities_for(case)?;
    case.case.effective_requires().unmet(&capabilities)
}

/// Runs `cases` with at most `jobs` at once, calling `progress` as each one ends.
pub async fn run_all(
    runner: Runner,
    library: Arc<Library>,
    targets: Arc<Targets>,
    cases: Vec<CaseFile>,
    jobs: usize,
    mut progress: impl FnMut(&CaseResult, usize, usize),
) -> Vec<CaseResult> {
    let total = cases.len();
    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    let mut set = JoinSet::new();
    let mut tasks = HashMap::new();
    for (index, case) in cases.iter().enumerate() {
        let (runner, library, targets, permits) = (
            runner.clone(),
            library.clone(),
            targets.clone(),
            permits.clone(),
        );
        let case = case.clone();
        let handle = set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            run_one(&runner, &library, &targets, &case).await
        });
        tasks.insert(handle.id(), index);
    }
    let mut results: Vec<Option<CaseResult>> = (0..total).map(|_| None).collect();
    let mut done = 0;
    while let Some(joined) = set.join_next_with_id().await {
        let (index, result) = match joined {
            Ok((id, result)) => (tasks[&id], result),
            Err(error) => {
                let index = tasks[&error.id()];
                let failure =
                    Failure::error("run", "the case's task", format!("it stopped: {error}"));
                (index, unrun(&cases[index], "", Outcome::Error(failure)))
            }
        };
        done += 1;
        progress(&result, done, total);
        results[index] = Some(result);
    }
    results.into_iter().flatten().collect()
}

fn unrun(case: &CaseFile, target: &str, outcome: Outcome) -> CaseResult {
    CaseResult {
        name: case.name.clone(),
        description: case.case.description.clone(),
        source: case.case.source.clone(),
        level: case.case.level,
        target: target.to_owned(),
        outcome,
        duration: std::time::Duration::ZERO,
        transcript: Vec::new(),
    }
}
