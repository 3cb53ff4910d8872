//! Broken case files produce the documented diagnostics: each file in `tests/fixtures/broken`
//! says in its first lines where the problem is (`# expect: LINE:COLUMN MESSAGE`) and what the
//! suggestion is (`# help: …` or `# help: none`); loading it beside the engine fixtures'
//! fragments and servers must report exactly that, and the rendering must show the line and a
//! caret under the column.

use std::fs;
use std::path::{Path, PathBuf};

use oauth_conformance::load::{Diagnostic, Library};

struct Expected {
    line: u64,
    column: u64,
    message: String,
    help: Option<String>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn expected(text: &str, file: &Path) -> Expected {
    let header = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
            .unwrap_or_else(|| panic!("{} has no `# {key}:` line", file.display()))
    };
    let (position, message) = header("expect").split_once(' ').expect("LINE:COL MESSAGE");
    let (line, column) = position.split_once(':').expect("LINE:COL");
    let help = header("help");
    Expected {
        line: line.parse().expect("a line number"),
        column: column.parse().expect("a column number"),
        message: message.to_owned(),
        help: (help != "none").then(|| help.to_owned()),
    }
}

/// A library holding the engine fixtures' fragments and servers plus `case` as `broken.yaml`.
fn library_with(case: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for folder in ["fragments", "servers"] {
        let from = fixtures().join("engine").join(folder);
        fs::create_dir(dir.path().join(folder)).expect("a folder");
        for entry in fs::read_dir(&from).expect("fixture folder") {
            let path = entry.expect("an entry").path();
            let name = path.file_name().expect("a file name");
            fs::copy(&path, dir.path().join(folder).join(name)).expect("a copy");
        }
    }
    let broken = dir.path().join("broken.yaml");
    fs::copy(case, &broken).expect("a copy");
    (dir, broken)
}

fn only_problem(root: &Path) -> Diagnostic {
    let problems = Library::load(root).expect_err("a broken library does not load");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.into_iter().next().expect("one problem")
}

#[test]
fn every_broken_fixture_reports_its_documented_diagnostic() {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures().join("broken"))
        .expect("the broken fixtures")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the broken fixtures are missing");

    let wrong: Vec<String> = files
        .iter()
        .filter_map(|file| check_fixture(file).err())
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The fixture's diagnostic is the documented one, or a description of how it differs.
fn check_fixture(file: &Path) -> Result<(), String> {
    let text = fs::read_to_string(file).expect("a fixture");
    let want = expected(&text, file);
    let (dir, broken) = library_with(file);
    let problem = only_problem(dir.path());
    let found = format!(
        "{}: found {}:{} {:?} help {:?}",
        file.display(),
        problem.line.unwrap_or(0),
        problem.column.unwrap_or(0),
        problem.message,
        problem.help
    );
    let rendered = problem.render();
    let source_line = text.lines().nth(want.line as usize - 1).unwrap_or_default();
    let agrees = problem.file == broken
        && (problem.line, problem.column) == (Some(want.line), Some(want.column))
        && problem.message.contains(&want.message)
        && problem.help == want.help
        && rendered.contains(&format!("{} | {source_line}", want.line))
        && rendered.contains(&format!("broken.yaml:{}:{}", want.line, want.column));
    if agrees { Ok(()) } else { Err(found) }
}

#[test]
fn an_empty_case_file_is_reported_as_empty() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::write(dir.path().join("empty.yaml"), "\n").expect("a file");
    let problem = only_problem(dir.path());
    assert_eq!(problem.message, "the file is empty");
    assert_eq!(problem.line, None);
}

#[test]
fn every_problem_is_reported_before_anything_runs() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::write(dir.path().join("a.yaml"), "description: x\n").expect("a file");
    fs::write(dir.path().join("b.yaml"), "steps: [\n").expect("a file");
    let problems = Library::load(dir.path()).expect_err("two broken files");
    let files: Vec<_> = problems
        .iter()
        .map(|p| p.file.file_name().expect("a name"))
        .collect();
    assert_eq!(files, ["a.yaml", "b.yaml"]);
}

#[test]
fn a_fragment_calling_itself_through_another_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::create_dir(dir.path().join("fragments")).expect("a folder");
    let calls = |other: &str| format!("description: x\nsteps:\n  - use: {other}\n");
    fs::write(dir.path().join("fragments/a.yaml"), calls("b")).expect("a file");
    fs::write(dir.path().join("fragments/b.yaml"), calls("a")).expect("a file");
    let problems = Library::load(dir.path()).expect_err("a cycle");
    assert!(
        problems.iter().any(|p| p.message.contains("a → b → a")),
        "{problems:#?}"
    );
}

#[test]
fn a_missing_library_folder_is_one_clear_problem() {
    let problems = Library::load(Path::new("/no/such/folder")).expect_err("no folder");
    assert_eq!(
        problems[0].message,
        "the case library folder does not exist"
    );
}
