//! The `oauth-conformance` command: load the case library, run it against the bundled
//! reference server, print the report, exit with a code that says how it went.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use oauth_conformance::load::{Diagnostic, Library};
use oauth_conformance::plan::{self, Targets};
use oauth_conformance::report::{self, exit};
use oauth_conformance::runner::{Runner, Snapshots};
use oauth_conformance::target::Bundled;

const AFTER_HELP: &str = "\
FILTERS select cases whose name contains the text (token::pkce) or, written tag:NAME, whose
tags include NAME. With none, every case runs.

EXIT CODES:
  0  every case passed (warnings and not-applicable cases allowed)
  1  usage error (bad command line)
  2  a case, fragment or server configuration is invalid
  3  runtime error: a target could not be started or reached, a request timed out, a template
     named an unknown value (outranks a failed check)
  4  a check failed";

/// Checks an OAuth 2.1 authorization server against the YAML case library.
#[derive(Debug, Parser)]
#[command(version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Run only the cases matching one of these filters.
    filters: Vec<String>,
    /// The case library folder.
    #[arg(long, value_name = "DIR", default_value_os_t = oauth_conformance::default_cases_dir())]
    cases: PathBuf,
    /// How many cases run at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    jobs: usize,
    /// Seconds one request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
    /// Show every exchange, redacted.
    #[arg(long)]
    verbose: bool,
    /// Do not compare snapshots.
    #[arg(long)]
    no_snapshots: bool,
    /// List the selected cases and exit.
    #[arg(long)]
    list: bool,
    /// Print the coverage table of the Belgie spec at SPEC (belgie-core.md) and exit.
    #[arg(long, value_name = "SPEC")]
    coverage: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                exit::USAGE
            } else {
                exit::PASSED
            });
        }
    };
    let library = match Library::load(&cli.cases) {
        Ok(library) => library,
        Err(problems) => return invalid(&problems),
    };
    if cli.list {
        return list(&library, &cli.filters);
    }
    if let Some(spec) = &cli.coverage {
        return coverage(&library, spec);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("oauth-conformance: cannot start the async runtime: {error}");
            return ExitCode::from(exit::RUNTIME_ERROR);
        }
    };
    runtime.block_on(run(cli, library))
}

async fn run(cli: Cli, library: Library) -> ExitCode {
    let selected: Vec<_> = library.select(&cli.filters).into_iter().cloned().collect();
    if selected.is_empty() {
        eprintln!(
            "oauth-conformance: no case matches {:?} in {}",
            cli.filters,
            cli.cases.display()
        );
        return ExitCode::from(exit::USAGE);
    }
    let bundled = match Bundled::new(&library) {
        Ok(bundled) => bundled,
        Err(problems) => return invalid(&problems),
    };
    let targets = Arc::new(Targets::Bundled(bundled));
    let snapshots = if cli.no_snapshots {
        Snapshots::Skip
    } else {
        Snapshots::Compare
    };
    let runner = Runner::new(Duration::from_secs(cli.timeout), snapshots);

    let started = Instant::now();
    let results = plan::run_all(
        runner,
        Arc::new(library),
        targets.clone(),
        selected,
        cli.jobs,
        report::progress,
    )
    .await;
    targets.shutdown().await;

    print!(
        "{}",
        report::render(&results, started.elapsed(), cli.verbose)
    );
    report::Summary::of(&results).exit_code()
}

fn invalid(problems: &[Diagnostic]) -> ExitCode {
    for problem in problems {
        eprintln!("{}", problem.render());
    }
    eprintln!(
        "oauth-conformance: {} problem(s) in the case library; nothing was run",
        problems.len()
    );
    ExitCode::from(exit::INVALID_CASE)
}

fn coverage(library: &Library, spec: &std::path::Path) -> ExitCode {
    match std::fs::read_to_string(spec) {
        Ok(text) => {
            let table =
                oauth_conformance::coverage::table(&text, &library.cases, &library.coverage_notes);
            print!("{table}");
            ExitCode::from(exit::PASSED)
        }
        Err(error) => {
            eprintln!(
                "oauth-conformance: cannot read the spec {}: {error}",
                spec.display()
            );
            ExitCode::from(exit::USAGE)
        }
    }
}

fn list(library: &Library, filters: &[String]) -> ExitCode {
    for case in library.select(filters) {
        println!(
            "{}  [{} {}] {}",
            case.name,
            case.case.level.as_str(),
            case.case.source,
            case.case.description
        );
    }
    ExitCode::from(exit::PASSED)
}
