//! The case library under `cargo test`: one trial per case file, named by its path
//! (`token::pkce_wrong_verifier`), run against the bundled reference server started in-process.
//! A case the bundled configuration cannot run is an ignored trial with its reason. The servers
//! keep their data in memory, or on the backend `OAUTH_CONFORMANCE_STORAGE` names (`sqlite`,
//! `postgres://…`), a store per configuration, removed when the trials end.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use oauth_conformance::load::{CaseFile, Library};
use oauth_conformance::outcome::Outcome;
use oauth_conformance::plan::{self, Targets};
use oauth_conformance::report;
use oauth_conformance::runner::{Runner, Snapshots};
use oauth_conformance::target::{Backend, Bundled};

/// Everything the trials share.
struct Shared {
    runtime: tokio::runtime::Runtime,
    library: Library,
    targets: Targets,
    runner: Runner,
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let root = oauth_conformance::default_cases_dir();
    let library = match Library::load(&root) {
        Ok(library) if library.cases.is_empty() => {
            eprintln!(
                "no case files under {}: the case library is empty",
                root.display()
            );
            return ExitCode::FAILURE;
        }
        Ok(library) => library,
        Err(problems) => return refuse(&problems),
    };
    let bundled = match Bundled::new(&library) {
        Ok(bundled) => bundled,
        Err(problems) => return refuse(&problems),
    };
    let bundled = match Backend::from_env().and_then(|backend| bundled.with_backend(backend)) {
        Ok(bundled) => bundled,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let shared = Arc::new(Shared {
        runtime,
        library: library.clone(),
        targets: Targets::Bundled(bundled),
        runner: Runner::new(Duration::from_secs(10), Snapshots::Compare),
    });
    let trials = library
        .cases
        .into_iter()
        .map(|case| trial(&shared, case))
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    shared.runtime.block_on(shared.targets.shutdown());
    conclusion.exit_code()
}

fn trial(shared: &Arc<Shared>, case: CaseFile) -> Trial {
    let shared = shared.clone();
    let name = case.name.clone();
    Trial::ignorable_test(name, move || {
        let result = shared.runtime.block_on(plan::run_one(
            &shared.runner,
            &shared.library,
            &shared.targets,
            &case,
        ));
        match &result.outcome {
            Outcome::Passed => Ok(Completion::Completed),
            Outcome::NotApplicable(reason) => Ok(Completion::ignored_with(reason)),
            Outcome::Warning(_) => {
                eprintln!("warning: {}", report::describe(&result));
                Ok(Completion::Completed)
            }
            Outcome::Failed(_) | Outcome::Error(_) => Err(Failed::from(report::describe(&result))),
        }
    })
}

fn refuse(problems: &[oauth_conformance::load::Diagnostic]) -> ExitCode {
    for problem in problems {
        eprintln!("{}", problem.render());
    }
    eprintln!(
        "{} problem(s) in the case library; no case was run",
        problems.len()
    );
    ExitCode::FAILURE
}
