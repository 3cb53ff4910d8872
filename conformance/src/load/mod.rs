//! Loading the case library: every case, fragment and bundled-server configuration under one
//! folder, parsed into the case model, then cross-checked (fragment calls and arguments, server
//! names). Every problem is collected with its location; nothing runs until all of it loads.

mod diagnostic;

pub use diagnostic::{Diagnostic, nearest};

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::de::DeserializeOwned;

use crate::case::{Case, Fragment, Step};

/// Folders of the library root that hold things other than cases.
pub const RESERVED_FOLDERS: &[&str] = &["fragments", "servers", "targets", "snapshots", "coverage"];

/// A loaded case and where it came from.
#[derive(Clone, Debug)]
pub struct CaseFile {
    /// The test name: the path below the root without `.yaml`, `/` as `::`.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The file's text (for locating later problems).
    pub text: String,
    /// The case.
    pub case: Case,
}

/// A loaded fragment.
#[derive(Clone, Debug)]
pub struct FragmentFile {
    /// The file.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// The fragment.
    pub fragment: Fragment,
}

/// A bundled-server configuration file, kept as text for the bundled target to parse.
#[derive(Clone, Debug)]
pub struct ServerFile {
    /// The file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// The whole case library.
#[derive(Clone, Debug, Default)]
pub struct Library {
    /// The root folder.
    pub root: PathBuf,
    /// Every case, sorted by name.
    pub cases: Vec<CaseFile>,
    /// Fragments by name.
    pub fragments: BTreeMap<String, FragmentFile>,
    /// Bundled-server configurations by name.
    pub servers: BTreeMap<String, ServerFile>,
    /// Remarks for the coverage table (`coverage/notes.yaml`): spec point → why no case
    /// checks it, or how it is checked.
    pub coverage_notes: IndexMap<String, String>,
}

impl Library {
    /// Loads everything under `root`, or returns every problem found.
    pub fn load(root: &Path) -> Result<Self, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        if !root.is_dir() {
            return Err(vec![Diagnostic::file(
                root,
                "the case library folder does not exist",
            )]);
        }
        let mut library = Self {
            root: root.to_owned(),
            ..Self::default()
        };
        library.load_fragments(&mut problems);
        library.load_servers(&mut problems);
        library.load_cases(&mut problems);
        library.load_coverage_notes(&mut problems);
        library.cross_check(&mut problems);
        if problems.is_empty() {
            Ok(library)
        } else {
            Err(problems)
        }
    }

    /// The cases whose name contains one of `filters` (all cases when there are none), or whose
    /// tags include a filter written as `tag:NAME`.
    pub fn select(&self, filters: &[String]) -> Vec<&CaseFile> {
        self.cases
            .iter()
            .filter(|case| filters.is_empty() || filters.iter().any(|f| selects(f, case)))
            .collect()
    }

    fn load_fragments(&mut self, problems: &mut Vec<Diagnostic>) {
        for path in yaml_files(&self.root.join("fragments"), problems) {
            let Some((text, fragment)) = parse::<Fragment>(&path, problems) else {
                continue;
            };
            let name = file_stem(&path);
            self.fragments.insert(
                name,
                FragmentFile {
                    path,
                    text,
                    fragment,
                },
            );
        }
    }

    fn load_servers(&mut self, problems: &mut Vec<Diagnostic>) {
        for path in yaml_files(&self.root.join("servers"), problems) {
            match fs::read_to_string(&path) {
                Ok(text) => {
                    self.servers
                        .insert(file_stem(&path), ServerFile { path, text });
                }
                Err(error) => {
                    problems.push(Diagnostic::file(&path, format!("unreadable: {error}")))
                }
            }
        }
    }

    fn load_coverage_notes(&mut self, problems: &mut Vec<Diagnostic>) {
        let path = self.root.join("coverage").join("notes.yaml");
        if path.is_file()
            && let Some((_, notes)) = parse::<IndexMap<String, String>>(&path, problems)
        {
            self.coverage_notes = notes;
        }
    }

    fn load_cases(&mut self, problems: &mut Vec<Diagnostic>) {
        for path in yaml_files(&self.root, problems) {
            if is_reserved(&self.root, &path) {
                continue;
            }
            let Some((text, case)) = parse::<Case>(&path, problems) else {
                continue;
            };
            let name = case_name(&self.root, &path);
            self.cases.push(CaseFile {
                name,
                path,
                text,
                case,
            });
        }
        self.cases.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Fragment calls name existing fragments with declared parameters, required parameters
    /// are given, fragments do not call themselves, and cases name existing servers.
    fn cross_check(&self, problems: &mut Vec<Diagnostic>) {
        for case in &self.cases {
            self.check_calls(&case.path, &case.text, &case.case.steps, problems);
            if let Some(server) = &case.case.server
                && !self.servers.contains_key(&server.value)
            {
                problems.push(self.unknown_server(case, server));
            }
        }
        for (name, file) in &self.fragments {
            self.check_calls(&file.path, &file.text, &file.fragment.steps, problems);
            if let Some(cycle) = self.cycle_through(name, &mut vec![name.clone()]) {
                let message = format!("fragment `{name}` calls itself: {}", cycle.join(" → "));
                problems.push(Diagnostic::file(&file.path, message));
            }
        }
    }

    /// A chain of calls from `stack`'s last fragment back to its first, if there is one.
    fn cycle_through(&self, start: &str, stack: &mut Vec<String>) -> Option<Vec<String>> {
        let current = stack.last()?.clone();
        let fragment = self.fragments.get(&current)?;
        for step in &fragment.fragment.steps {
            let Step::Call(call) = step else { continue };
            let callee = &call.fragment.value;
            if callee == start {
                let mut cycle = stack.clone();
                cycle.push(callee.clone());
                return Some(cycle);
            }
            if stack.contains(callee) {
                continue;
            }
            stack.push(callee.clone());
            if let Some(cycle) = self.cycle_through(start, stack) {
                return Some(cycle);
            }
            stack.pop();
        }
        None
    }

    fn check_calls(&self, path: &Path, text: &str, steps: &[Step], problems: &mut Vec<Diagnostic>) {
        for step in steps {
            let Step::Call(call) = step else { continue };
            let at = &call.fragment.referenced;
            let name = &call.fragment.value;
            let Some(fragment) = self.fragments.get(name) else {
                let message = format!(
                    "no fragment named `{name}` in {}",
                    self.root.join("fragments").display()
                );
                let mut problem = Diagnostic::at(path, text, at.line(), at.column(), message);
                if let Some(near) = nearest(name, self.fragments.keys().map(String::as_str)) {
                    problem = problem.with_help(format!("did you mean `{near}`?"));
                }
                problems.push(problem);
                continue;
            };
            check_arguments(path, text, call, fragment, problems);
        }
    }

    fn unknown_server(
        &self,
        case: &CaseFile,
        server: &serde_saphyr::Spanned<String>,
    ) -> Diagnostic {
        let at = &server.referenced;
        let message = format!(
            "no server configuration named `{}` in {}",
            server.value,
            self.root.join("servers").display()
        );
        let problem = Diagnostic::at(&case.path, &case.text, at.line(), at.column(), message);
        match nearest(&server.value, self.servers.keys().map(String::as_str)) {
            Some(near) => problem.with_help(format!("did you mean `{near}`?")),
            None => problem,
        }
    }
}

/// Arguments name declared parameters; parameters without a default are given.
fn check_arguments(
    path: &Path,
    text: &str,
    call: &crate::case::Call,
    fragment: &FragmentFile,
    problems: &mut Vec<Diagnostic>,
) {
    let at = &call.fragment.referenced;
    let params = &fragment.fragment.params;
    for arg in call.args.keys() {
        if params.contains_key(arg) {
            continue;
        }
        let message = format!(
            "fragment `{}` has no parameter `{arg}`",
            call.fragment.value
        );
        let mut problem = Diagnostic::at(path, text, at.line(), at.column(), message);
        if let Some(near) = nearest(arg, params.keys().map(String::as_str)) {
            problem = problem.with_help(format!("did you mean `{near}`?"));
        }
        problems.push(problem);
    }
    for (param, default) in params {
        if default.is_null() && !call.args.contains_key(param) {
            let message = format!(
                "fragment `{}` needs the parameter `{param}` (give it under `with:`)",
                call.fragment.value
            );
            problems.push(Diagnostic::at(path, text, at.line(), at.column(), message));
        }
    }
}

fn selects(filter: &str, case: &CaseFile) -> bool {
    match filter.strip_prefix("tag:") {
        Some(tag) => case.case.tags.iter().any(|t| t == tag),
        None => case.name.contains(filter),
    }
}

/// Reads and parses one file, recording a problem on failure.
fn parse<T: DeserializeOwned>(path: &Path, problems: &mut Vec<Diagnostic>) -> Option<(String, T)> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            problems.push(Diagnostic::file(path, format!("unreadable: {error}")));
            return None;
        }
    };
    if text.trim().is_empty() {
        problems.push(Diagnostic::file(path, "the file is empty"));
        return None;
    }
    match serde_saphyr::from_str::<T>(&text) {
        Ok(value) => Some((text, value)),
        Err(error) => {
            problems.push(Diagnostic::from_yaml(path, &text, &error));
            None
        }
    }
}

/// Every `.yaml` / `.yml` file below `dir`, sorted; a missing folder has none.
fn yaml_files(dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = match entry {
                Ok(entry) => entry.path(),
                Err(error) => {
                    problems.push(Diagnostic::file(
                        &dir,
                        format!("unreadable folder: {error}"),
                    ));
                    continue;
                }
            };
            if path.is_dir() {
                pending.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn is_reserved(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let first = relative
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str());
    relative.components().count() > 1 && first.is_some_and(|f| RESERVED_FOLDERS.contains(&f))
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `ROOT/token/pkce_wrong_verifier.yaml` → `token::pkce_wrong_verifier`.
pub fn case_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path).with_extension("");
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("::")
}
