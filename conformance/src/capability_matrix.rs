//! The capability matrix of a target: for each capability, what the target claims, whether its
//! metadata agrees, and how the cases that depend on it went; then the same counts per area of
//! the library. It answers "what does this server support, what not, and what failed".

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::case::{Capabilities, Requires};
use crate::expected::{Reconciled, Verdict};
use crate::junit::area_of;
use crate::load::CaseFile;
use crate::outcome::Outcome;
use crate::target::profile::Contradiction;

/// How the cases of one row went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Passed (warnings included).
    pub passed: usize,
    /// Failed, unexpected passes included.
    pub failed: usize,
    /// Expected failures.
    pub expected: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Broken runs.
    pub errors: usize,
}

/// One capability's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CapabilityRow {
    /// The capability (`registration`).
    pub capability: String,
    /// What the target claims (`anonymous`).
    pub claimed: String,
    /// `supported`, `not supported`, `failing` (a dependent case failed) or `contradicted`.
    pub status: String,
    /// What the metadata says against the claim, if anything.
    pub contradiction: Option<String>,
    /// The cases that require something of this capability.
    pub cases: Tally,
}

/// The whole matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// The target's name.
    pub target: String,
    /// One row per capability.
    pub capabilities: Vec<CapabilityRow>,
    /// Area of the library (`registration`) → how its cases went.
    pub areas: BTreeMap<String, Tally>,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome, verdict: &Verdict) {
        match (verdict, outcome) {
            (Verdict::ExpectedFailure(_), _) => self.expected += 1,
            (Verdict::UnexpectedlyPassed(_), _) | (_, Outcome::Failed(_)) => self.failed += 1,
            (_, Outcome::Passed | Outcome::Warning(_)) => self.passed += 1,
            (_, Outcome::NotApplicable(_)) => self.not_applicable += 1,
            (_, Outcome::Error(_)) => self.errors += 1,
        }
    }
}

/// The capabilities a case's requirements mention.
fn mentioned(requires: &Requires) -> Vec<&'static str> {
    [
        ("flavour", requires.flavour.is_some()),
        ("registration", requires.registration.is_some()),
        ("resource", requires.resource.is_some()),
        ("signup", requires.signup.is_some()),
        ("end_session", requires.end_session.is_some()),
        ("login", requires.login.is_some()),
        ("id_token_signing", requires.id_token_signing.is_some()),
        (
            "authorization_server_metadata",
            requires.authorization_server_metadata.is_some(),
        ),
        (
            "protected_resource_metadata",
            requires.protected_resource_metadata.is_some(),
        ),
        ("bundled", requires.bundled.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, yes)| yes.then_some(name))
    .collect()
}

/// Builds the matrix of `target` from its claims, the contradictions found, and the run.
pub fn build(
    target: &str,
    claims: &Capabilities,
    contradictions: &[Contradiction],
    cases: &[CaseFile],
    reconciled: &Reconciled,
) -> Matrix {
    let requires: BTreeMap<&str, Requires> = cases
        .iter()
        .map(|c| (c.name.as_str(), c.case.effective_requires()))
        .collect();
    let claimed = match serde_json::to_value(claims) {
        Ok(Value::Object(members)) => members,
        _ => serde_json::Map::new(),
    };
    let mut rows: Vec<CapabilityRow> = claimed
        .iter()
        .map(|(name, value)| CapabilityRow {
            capability: name.clone(),
            claimed: match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            },
            status: String::new(),
            contradiction: contradictions
                .iter()
                .find(|c| c.capability == *name)
                .map(|c| c.metadata.clone()),
            cases: Tally::default(),
        })
        .collect();
    let mut areas: BTreeMap<String, Tally> = BTreeMap::new();
    for (result, verdict) in &reconciled.results {
        areas
            .entry(area_of(&result.name))
            .or_default()
            .add(&result.outcome, verdict);
        let Some(requires) = requires.get(result.name.as_str()) else {
            continue;
        };
        for name in mentioned(requires) {
            if let Some(row) = rows.iter_mut().find(|r| r.capability == name) {
                row.cases.add(&result.outcome, verdict);
            }
        }
    }
    for row in &mut rows {
        row.status = status(row).to_owned();
    }
    Matrix {
        target: target.to_owned(),
        capabilities: rows,
        areas,
    }
}

fn status(row: &CapabilityRow) -> &'static str {
    if row.contradiction.is_some() {
        "contradicted"
    } else if row.cases.failed > 0 || row.cases.errors > 0 {
        "failing"
    } else if matches!(row.claimed.as_str(), "false" | "off" | "none") {
        "not supported"
    } else {
        "supported"
    }
}

impl Matrix {
    /// The matrix as two aligned text tables.
    pub fn render(&self) -> String {
        let width = self
            .capabilities
            .iter()
            .map(|row| row.capability.len())
            .chain(self.areas.keys().map(|area| area.len().saturating_sub(36)))
            .max()
            .unwrap_or(0)
            .max("capability".len());
        let mut out = format!("Capability matrix of {}\n", self.target);
        let _ = writeln!(
            out,
            "  {:<width$} {:<20} {:<14} {:>6} {:>6} {:>8} {:>5} {:>6}",
            "capability", "claimed", "status", "passed", "failed", "expected", "n/a", "errors"
        );
        for row in &self.capabilities {
            let _ = writeln!(
                out,
                "  {:<width$} {:<20} {:<14} {}",
                row.capability,
                row.claimed,
                row.status,
                counts(&row.cases)
            );
            if let Some(contradiction) = &row.contradiction {
                let _ = writeln!(out, "    contradicted: {contradiction}");
            }
        }
        let area_width = width + 36;
        let _ = writeln!(
            out,
            "  {:<area_width$} {:>6} {:>6} {:>8} {:>5} {:>6}",
            "area", "passed", "failed", "expected", "n/a", "errors"
        );
        for (area, tally) in &self.areas {
            let _ = writeln!(out, "  {area:<area_width$} {}", counts(tally));
        }
        out
    }
}

fn counts(tally: &Tally) -> String {
    format!(
        "{:>6} {:>6} {:>8} {:>5} {:>6}",
        tally.passed, tally.failed, tally.expected, tally.not_applicable, tally.errors
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Case, IdTokenSigning, Registration, ResourceSupport};
    use crate::expected::reconcile;
    use crate::expected::tests::{failed, result};
    use std::path::PathBuf;

    fn case(name: &str, requires: &str) -> CaseFile {
        let text =
            format!("description: d\nsource: s\nlevel: MUST\nrequires: {requires}\nsteps: []\n");
        let case: Case = serde_saphyr::from_str(&text).unwrap();
        CaseFile {
            name: name.into(),
            path: PathBuf::from("x.yaml"),
            text,
            case,
        }
    }

    #[test]
    fn rows_count_the_cases_that_depend_on_them() {
        let claims = Capabilities {
            flavour: "acme".into(),
            registration: Registration::Anonymous,
            resource: ResourceSupport::None,
            signup: false,
            end_session: true,
            login: true,
            id_token_signing: IdTokenSigning::Jwks,
            authorization_server_metadata: false,
            protected_resource_metadata: false,
            bundled: false,
        };
        let cases = [
            case("registration::a", "{ registration: anonymous }"),
            case("end_session::b", "{ end_session: true, login: true }"),
        ];
        let results = vec![
            result("registration::a", Outcome::Passed),
            result("end_session::b", failed("status")),
        ];
        let contradictions = [Contradiction {
            capability: "id_token_signing".into(),
            claimed: "jwks".into(),
            metadata: "no jwks_uri".into(),
        }];
        let matrix = build(
            "t",
            &claims,
            &contradictions,
            &cases,
            &reconcile(results, &[]),
        );
        let row = |name: &str| {
            matrix
                .capabilities
                .iter()
                .find(|r| r.capability == name)
                .unwrap()
        };
        assert_eq!(row("registration").status, "supported");
        assert_eq!(row("registration").cases.passed, 1);
        assert_eq!(row("end_session").status, "failing");
        assert_eq!(row("signup").status, "not supported");
        assert_eq!(row("id_token_signing").status, "contradicted");
        assert_eq!(matrix.areas["end_session"].failed, 1);
        let text = matrix.render();
        assert!(text.contains("contradicted: no jwks_uri"), "{text}");
    }
}
