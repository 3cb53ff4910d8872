//! Diagnostics for case files: what is wrong, where (file, line, column), the offending line with
//! a caret, and the nearest valid name for a misspelt one. Messages are data; [`Diagnostic::render`]
//! is the one place that turns them into text.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in a case, fragment, server configuration or profile file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as given to the loader.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    /// What is wrong, in one line.
    pub message: String,
    /// A suggestion, such as "did you mean `expect`?".
    pub help: Option<String>,
    /// The text of the offending line.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A problem at a position of `file`, whose text is `text`.
    pub fn at(file: &Path, text: &str, line: u64, column: u64, message: impl Into<String>) -> Self {
        let message = message.into();
        let source_line = (line > 0)
            .then(|| text.lines().nth((line - 1) as usize))
            .flatten()
            .map(str::to_owned);
        let help = suggestion(&message).or_else(|| unquoted_template(source_line.as_deref()));
        Self {
            file: file.to_owned(),
            line: (line > 0).then_some(line),
            column: (column > 0).then_some(column),
            message,
            help,
            source_line,
        }
    }

    /// A problem with a whole file (unreadable, empty, misplaced).
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    /// A YAML or schema error from serde-saphyr, located in `file`.
    pub fn from_yaml(file: &Path, text: &str, error: &serde_saphyr::Error) -> Self {
        let (line, column) = error.location().map_or((0, 0), |l| (l.line(), l.column()));
        Self::at(file, text, line, column, yaml_message(error))
    }

    /// Adds a suggestion.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic as text: heading, location, the line with a caret, the suggestion.
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.message);
        let location = match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file.display()),
            (Some(line), None) => format!("{}:{line}", self.file.display()),
            _ => self.file.display().to_string(),
        };
        let (Some(line), Some(source)) = (self.line, &self.source_line) else {
            out.push_str(&format!("  --> {location}\n"));
            if let Some(help) = &self.help {
                out.push_str(&format!("  = help: {help}\n"));
            }
            return out;
        };
        let gutter = " ".repeat(line.to_string().len());
        let caret_at = self.column.unwrap_or(1).saturating_sub(1) as usize;
        let pad: String = source
            .chars()
            .take(caret_at)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let note = self.help.as_deref().unwrap_or_default();
        out.push_str(&format!("{gutter}--> {location}\n"));
        out.push_str(&format!("{gutter} |\n"));
        out.push_str(&format!("{line} | {source}\n"));
        out.push_str(format!("{gutter} | {pad}^ {note}").trim_end());
        out.push('\n');
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// serde-saphyr's message without its position prefix and source snippet (kept separately).
fn yaml_message(error: &serde_saphyr::Error) -> String {
    let rendered = error.to_string();
    let first = rendered.lines().next().unwrap_or_default().trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim_start();
    match first.split_once(": ") {
        Some((lead, rest)) if lead.starts_with("line ") && lead.contains(" column ") => {
            rest.to_owned()
        }
        _ => first.to_owned(),
    }
}

/// "did you mean `x`?" for messages of the shape "unknown … `name`, expected one of a, b, c".
fn suggestion(message: &str) -> Option<String> {
    let (head, expected) = message.split_once(", expected one of ")?;
    let wrong = head.rsplit('`').nth(1)?;
    let candidates = expected
        .split(',')
        .map(|c| c.trim().trim_matches('`').trim())
        .filter(|c| !c.is_empty());
    nearest(wrong, candidates).map(|name| format!("did you mean `{name}`?"))
}

/// A hint for the commonest YAML slip: `key: {{ x }}` is a flow map, not a template string.
fn unquoted_template(line: Option<&str>) -> Option<String> {
    let line = line?;
    let unquoted = [": {{", "- {{", "[{{", ", {{"]
        .iter()
        .any(|p| line.contains(p));
    unquoted.then(|| "quote the template: `\"{{ … }}\"` (unquoted, YAML reads a map)".to_owned())
}

/// The candidate closest to `wrong`, when it is close enough to be a likely misspelling.
pub fn nearest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(wrong, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_field_gets_the_nearest_name() {
        let message = "unknown field `exepct`, expected one of name, use, with, request, expect";
        assert_eq!(
            suggestion(message).as_deref(),
            Some("did you mean `expect`?")
        );
    }

    #[test]
    fn a_name_far_from_every_candidate_gets_no_suggestion() {
        let message = "unknown field `zzz`, expected one of name, use, request";
        assert_eq!(suggestion(message), None);
    }

    #[test]
    fn rendering_shows_the_location_the_line_and_a_caret() {
        let text = "steps:\n  - exepct: 1\n";
        let diagnostic = Diagnostic::at(
            Path::new("cases/a.yaml"),
            text,
            2,
            5,
            "unknown field `exepct`, expected one of request, expect",
        );
        assert_eq!(
            diagnostic.render(),
            "error: unknown field `exepct`, expected one of request, expect\n \
             --> cases/a.yaml:2:5\n  |\n2 |   - exepct: 1\n  |     ^ did you mean `expect`?\n"
        );
    }

    #[test]
    fn a_whole_file_problem_renders_without_a_snippet() {
        let diagnostic = Diagnostic::file(Path::new("cases/a.yaml"), "the file is empty");
        assert_eq!(
            diagnostic.render(),
            "error: the file is empty\n  --> cases/a.yaml\n"
        );
    }
}
