//! The coverage table: each numbered behaviour of the Belgie spec's §6 (items 1–119, through
//! §6.12) and each point of its section R, with the cases that check it (by their `source` and
//! `covers`), and for points no case checks the reason recorded in `cases/coverage/notes.yaml`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use indexmap::IndexMap;
use regex::Regex;

use crate::load::CaseFile;

/// The spec section whose items are counted: §6.1 to §6.12 (§6.13 is another profile's).
const LAST_SUBSECTION: u32 = 12;

/// A point of the spec a case can cover.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Point {
    /// A section R point, `R.N`.
    R(u32),
    /// A numbered behaviour of §6.
    Item(u32),
}

impl Point {
    /// How cases and notes name the point: `R.7`, `item 77`.
    pub fn key(&self) -> String {
        match self {
            Self::R(n) => format!("R.{n}"),
            Self::Item(n) => format!("item {n}"),
        }
    }
}

/// One point as the spec states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecPoint {
    /// Which point.
    pub point: Point,
    /// The §6 subsection (`6.8`), or `R`.
    pub section: String,
    /// Its text, shortened.
    pub summary: String,
}

static R_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^### R\.(\d+) (.+)$").expect("a valid pattern"));
static SUBSECTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^### (6\.(\d+) [^\[]+?)\s*(?:\[|$)").expect("a valid pattern"));
static ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+)\. (.+)$").expect("a valid pattern"));
static ITEM_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"items? (\d+)(?:\s*[–-]\s*(\d+))?((?:\s*(?:,|and|&)\s*\d+)*)")
        .expect("a valid pattern")
});
static R_REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bR\.(\d+)\b").expect("a valid pattern"));

/// The points of `spec` (the text of belgie-core.md).
pub fn spec_points(spec: &str) -> Vec<SpecPoint> {
    let mut points = Vec::new();
    let mut subsection: Option<(String, u32)> = None;
    for line in spec.lines() {
        if let Some(r) = R_HEADING.captures(line) {
            let number = r[1].parse().unwrap_or(0);
            points.push(SpecPoint {
                point: Point::R(number),
                section: "R".to_owned(),
                summary: shorten(&r[2]),
            });
        } else if line.starts_with("## ") || line.starts_with("### ") {
            subsection = SUBSECTION
                .captures(line)
                .map(|s| (s[1].to_owned(), s[2].parse().unwrap_or(0)));
        } else if let (Some((section, n)), Some(item)) = (&subsection, ITEM.captures(line))
            && *n <= LAST_SUBSECTION
        {
            points.push(SpecPoint {
                point: Point::Item(item[1].parse().unwrap_or(0)),
                section: section.clone(),
                summary: shorten(&item[2]),
            });
        }
    }
    points
}

/// The points a case names in its `source` and `covers`.
pub fn referenced_points(source: &str, covers: &[String]) -> Vec<Point> {
    let mut points = Vec::new();
    for text in std::iter::once(source).chain(covers.iter().map(String::as_str)) {
        for reference in ITEM_REFERENCE.captures_iter(text) {
            let first: u32 = reference[1].parse().unwrap_or(0);
            let last: u32 = reference
                .get(2)
                .map_or(first, |m| m.as_str().parse().unwrap_or(first));
            points.extend((first..=last.max(first)).map(Point::Item));
            let more = reference.get(3).map_or("", |m| m.as_str());
            let numbers = more.split(|c: char| !c.is_ascii_digit());
            points.extend(numbers.filter_map(|n| n.parse().ok()).map(Point::Item));
        }
        points.extend(
            R_REFERENCE
                .captures_iter(text)
                .filter_map(|r| r[1].parse().ok())
                .map(Point::R),
        );
    }
    points.sort();
    points.dedup();
    points
}

/// The coverage table as Markdown. `notes` maps a point's key to why no case checks it (or a
/// remark about how it is checked).
pub fn table(spec: &str, cases: &[CaseFile], notes: &IndexMap<String, String>) -> String {
    let points = spec_points(spec);
    let mut covering: BTreeMap<Point, Vec<&str>> = BTreeMap::new();
    for case in cases {
        for point in referenced_points(&case.case.source, &case.case.covers) {
            covering.entry(point).or_default().push(&case.name);
        }
    }

    let covered = points
        .iter()
        .filter(|p| covering.contains_key(&p.point))
        .count();
    let mut out = String::from(HEADER);
    let _ = writeln!(
        out,
        "{covered} of {} points are checked by at least one case.\n",
        points.len()
    );
    let mut section = String::new();
    for point in &points {
        if point.section != section {
            section = point.section.clone();
            let _ = write!(
                out,
                "\n## {}\n\n| point | behaviour | cases |\n|---|---|---|\n",
                heading(&section)
            );
        }
        let cases = covering
            .get(&point.point)
            .map(|c| c.join(", "))
            .unwrap_or_default();
        let note = notes.get(&point.point.key()).map(String::as_str);
        let cell = match (cases.is_empty(), note) {
            (true, Some(note)) => format!("not covered: {note}"),
            (true, None) => "**not covered**".to_owned(),
            (false, Some(note)) => format!("{cases} ({note})"),
            (false, None) => cases,
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            point.point.key(),
            point.summary,
            cell
        );
    }
    out
}

const HEADER: &str = "# Coverage of the Belgie spec\n\n\
Generated by `cargo run -p oauth-conformance -- --coverage ../shared/spec/belgie-core.md`\n\
from the cases' `source` and `covers` and `cases/coverage/notes.yaml`; do not edit it by hand.\n\n";

fn heading(section: &str) -> String {
    if section == "R" {
        "Section R: the reference server's departures".to_owned()
    } else {
        format!("§{section}")
    }
}

/// The first sentence or 100 characters of `text`, with table pipes escaped.
fn shorten(text: &str) -> String {
    let text = text.replace('|', "\\|");
    let mut short: String = text.chars().take(100).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
### R.1 Dynamic client registration follows the package README
text
### R.2 Authorization errors
## 6. Behaviour inventory
### 6.1 Settings [x]
1. Given only `redirect_uris`, defaults.
2. Given no `redirect_uris`, fails.
### 6.13 LATE
120. Not counted.
";

    #[test]
    fn items_and_r_points_are_read_up_to_section_6_12() {
        let points: Vec<Point> = spec_points(SPEC).into_iter().map(|p| p.point).collect();
        assert_eq!(
            points,
            [Point::R(1), Point::R(2), Point::Item(1), Point::Item(2)]
        );
    }

    #[test]
    fn references_name_single_items_ranges_lists_and_r_points() {
        let covers = ["items 31–33, 40 and 45".to_owned(), "R.7".to_owned()];
        let points = referenced_points("belgie-core §6.8 item 77 and R.1", &covers);
        assert_eq!(points[..2], [Point::R(1), Point::R(7)]);
        assert_eq!(points[2..], [31, 32, 33, 40, 45, 77].map(Point::Item));
    }

    #[test]
    fn a_source_without_references_covers_nothing() {
        assert!(referenced_points("RFC 7636 §4.6", &[]).is_empty());
        assert!(referenced_points("OAuth 2.1 §4.1.3", &[]).is_empty());
    }
}
