//! The `oauth-conformance` command: load the case library, run it against the bundled
//! reference server or the deployment a profile describes, print the report (and write JUnit
//! and JSON for CI on request), exit with a code that says how it went.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use oauth_conformance::case::Capabilities;
use oauth_conformance::expected::{self, Reconciled};
use oauth_conformance::load::{Diagnostic, Library};
use oauth_conformance::plan::{self, Targets};
use oauth_conformance::redact::Redactor;
use oauth_conformance::report::{self, exit};
use oauth_conformance::runner::{Runner, Snapshots};
use oauth_conformance::target::profile::{Contradiction, Variables};
use oauth_conformance::target::{Backend, Bundled, Profile, STORAGE_VARIABLE};
use oauth_conformance::{capability_matrix, json_report, junit};

const AFTER_HELP: &str = "\
FILTERS select cases whose name contains the text (token::pkce) or, written tag:NAME, whose
tags include NAME. With none, every case runs.

EXIT CODES:
  0  every case passed (warnings and not-applicable cases allowed)
  1  usage error (bad command line)
  2  a case, fragment, server configuration or target profile is invalid
  3  runtime error: a target could not be started or reached, a request timed out, a template
     named an unknown value, a report could not be written (outranks a failed check)
  4  a check failed, or a check listed in the profile's expected_failures passed

VARIABLES: a profile's `{{ vars.NAME }}` comes from --variable NAME=VALUE, else the
environment variable OAUTH_CONFORMANCE_VAR_<NAME>, else the profile's default. Values given
either way are redacted in every output. See docs/targets.md.";

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
    /// Where the bundled servers keep their data: memory, sqlite (a file per server
    /// configuration in a temporary folder) or a postgres://… URL (a database per
    /// configuration created beside it); removed when the run ends.
    #[arg(long, value_name = "BACKEND", env = STORAGE_VARIABLE, hide_env_values = true)]
    storage: Option<Backend>,
    /// Check the deployment this profile describes instead of the bundled server.
    #[arg(long, value_name = "PROFILE.yaml")]
    target: Option<PathBuf>,
    /// A profile variable, NAME=VALUE (repeatable).
    #[arg(long = "variable", value_name = "NAME=VALUE")]
    variables: Vec<String>,
    /// Where a deployment's snapshots are recorded and compared (default: none are taken).
    #[arg(long, value_name = "DIR")]
    snapshot_dir: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    report_junit: Option<PathBuf>,
    /// Write a JSON report (with the capability matrix) here.
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,
    /// Print the coverage table of the Belgie spec at SPEC (belgie-core.md) and exit.
    #[arg(long, value_name = "SPEC")]
    coverage: Option<PathBuf>,
}

/// What the run is checked against, ready to run.
struct Prepared {
    targets: Arc<Targets>,
    name: String,
    issuer: String,
    claims: Option<Capabilities>,
    contradictions: Vec<Contradiction>,
    expected: Vec<oauth_conformance::target::profile::ExpectedFailure>,
    redactor: Redactor,
    snapshots: Snapshots,
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
    let prepared = match &cli.target {
        Some(path) => prepare_deployment(&cli, path, &library).await,
        None => prepare_bundled(&cli, &library),
    };
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let runner = Runner::new(Duration::from_secs(cli.timeout), prepared.snapshots);
    let targets = prepared.targets.clone();

    let started = Instant::now();
    let results = plan::run_all(
        runner,
        Arc::new(library.clone()),
        targets.clone(),
        selected.clone(),
        cli.jobs,
        report::progress,
    )
    .await;
    targets.shutdown().await;
    let elapsed = started.elapsed();

    let reconciled = expected::reconcile(results, &prepared.expected);
    let redactor = &prepared.redactor;
    print!(
        "{}",
        redactor.redact(&reconciled.render(elapsed, cli.verbose))
    );
    let matrix = prepared.claims.as_ref().map(|claims| {
        capability_matrix::build(
            &prepared.name,
            claims,
            &prepared.contradictions,
            &selected,
            &reconciled,
        )
    });
    if let (Some(matrix), true) = (&matrix, cli.target.is_some()) {
        print!("{}", matrix.render());
    }
    if let Err(message) = write_reports(&cli, &prepared, &reconciled, matrix.as_ref(), elapsed) {
        eprintln!("oauth-conformance: {message}");
        return ExitCode::from(exit::RUNTIME_ERROR);
    }
    reconciled.exit_code()
}

/// The bundled server, its snapshots compared unless `--no-snapshots`.
fn prepare_bundled(cli: &Cli, library: &Library) -> Result<Prepared, ExitCode> {
    if cli.snapshot_dir.is_some() {
        eprintln!(
            "oauth-conformance: --snapshot-dir is for --target runs; the bundled server's snapshots live in the case library"
        );
        return Err(ExitCode::from(exit::USAGE));
    }
    let bundled = Bundled::new(library).map_err(|problems| invalid(&problems))?;
    let bundled = bundled
        .with_backend(cli.storage.clone().unwrap_or_default())
        .map_err(|message| {
            eprintln!("oauth-conformance: {message}");
            ExitCode::from(exit::RUNTIME_ERROR)
        })?;
    let claims = bundled.capabilities("default");
    Ok(Prepared {
        targets: Arc::new(Targets::Bundled(bundled)),
        name: "bundled".to_owned(),
        issuer: String::new(),
        claims,
        contradictions: Vec::new(),
        expected: Vec::new(),
        redactor: Redactor::new(),
        snapshots: if cli.no_snapshots {
            Snapshots::Skip
        } else {
            Snapshots::Compare
        },
    })
}

/// The deployment a profile describes, after reading its discovery documents. Its snapshots
/// are taken only with `--snapshot-dir`, never in the bundled server's folder.
async fn prepare_deployment(
    cli: &Cli,
    path: &std::path::Path,
    library: &Library,
) -> Result<Prepared, ExitCode> {
    if matches!(&cli.storage, Some(backend) if *backend != Backend::Memory) {
        eprintln!(
            "oauth-conformance: --storage ({STORAGE_VARIABLE}) is for the bundled server; a --target deployment keeps its own"
        );
        return Err(ExitCode::from(exit::USAGE));
    }
    let variables = Variables::new(&cli.variables, std::env::vars()).map_err(|message| {
        eprintln!("oauth-conformance: {message}");
        ExitCode::from(exit::USAGE)
    })?;
    let profile =
        Profile::load(path, library, &variables).map_err(|problems| invalid(&problems))?;
    let bundled_snapshots = library.root.join("snapshots").join("bundled");
    let snapshots = match &cli.snapshot_dir {
        Some(dir) if same_dir(dir, &bundled_snapshots) => {
            eprintln!(
                "oauth-conformance: {} holds the bundled server's snapshots; choose another --snapshot-dir",
                dir.display()
            );
            return Err(ExitCode::from(exit::USAGE));
        }
        Some(_) if !cli.no_snapshots => Snapshots::Compare,
        _ => Snapshots::Skip,
    };
    let snapshot_dir = cli.snapshot_dir.clone().unwrap_or_default();
    let snapshot_dir = std::path::absolute(&snapshot_dir).unwrap_or(snapshot_dir);
    let connected = profile.connect(snapshot_dir).await.map_err(|message| {
        eprintln!("oauth-conformance: {message}");
        ExitCode::from(exit::RUNTIME_ERROR)
    })?;
    for c in &connected.contradictions {
        eprintln!(
            "warning: the profile claims {}: {}, but {}",
            c.capability, c.claimed, c.metadata
        );
    }
    let target = connected.target;
    Ok(Prepared {
        name: target.name.clone(),
        issuer: target.issuer.clone(),
        claims: Some(target.capabilities.clone()),
        redactor: target.redactor.clone(),
        contradictions: connected.contradictions,
        expected: profile.file.expected_failures.clone(),
        targets: Arc::new(Targets::Deployment(Arc::new(target))),
        snapshots,
    })
}

fn same_dir(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes the JUnit and JSON reports asked for.
fn write_reports(
    cli: &Cli,
    prepared: &Prepared,
    reconciled: &Reconciled,
    matrix: Option<&capability_matrix::Matrix>,
    elapsed: Duration,
) -> Result<(), String> {
    let redactor = &prepared.redactor;
    if let Some(path) = &cli.report_junit {
        let xml = junit::render(reconciled, &prepared.name, elapsed, redactor)
            .map_err(|e| format!("cannot render the JUnit report: {e}"))?;
        write(path, &xml)?;
    }
    if let (Some(path), Some(matrix)) = (&cli.report_json, matrix) {
        let target = json_report::TargetSummary {
            name: &prepared.name,
            issuer: &prepared.issuer,
            contradictions: &prepared.contradictions,
        };
        write(
            path,
            &json_report::render(&target, reconciled, matrix, elapsed, redactor),
        )?;
    }
    Ok(())
}

fn write(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn invalid(problems: &[Diagnostic]) -> ExitCode {
    for problem in problems {
        eprintln!("{}", problem.render());
    }
    eprintln!(
        "oauth-conformance: {} problem(s) in the case library or profile; nothing was run",
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
