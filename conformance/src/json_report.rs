//! The JSON report for CI and dashboards: the target, the claims its metadata contradicts, the
//! counts, every case with its outcome and verdict, the expected failures that did not run, and
//! the capability matrix. Every string is redacted before it is written.

use std::time::Duration;

use serde_json::{Value, json};

use crate::capability_matrix::Matrix;
use crate::expected::{Reconciled, Verdict};
use crate::outcome::{CaseResult, Outcome};
use crate::redact::Redactor;
use crate::target::profile::Contradiction;

/// The version of the report's shape; raised when a member changes meaning.
pub const FORMAT_VERSION: u32 = 1;

/// What the report says about the target.
pub struct TargetSummary<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its issuer.
    pub issuer: &'a str,
    /// Claims its metadata contradicts.
    pub contradictions: &'a [Contradiction],
}

/// The report as pretty JSON text, redacted.
pub fn render(
    target: &TargetSummary<'_>,
    reconciled: &Reconciled,
    matrix: &Matrix,
    elapsed: Duration,
    redactor: &Redactor,
) -> String {
    let report = json!({
        "format_version": FORMAT_VERSION,
        "target": {
            "name": target.name,
            "issuer": target.issuer,
            "contradictions": target.contradictions,
        },
        "summary": reconciled.counts(),
        "duration_seconds": elapsed.as_secs_f64(),
        "cases": reconciled.results.iter().map(|(r, v)| case(r, v)).collect::<Vec<_>>(),
        "expected_failures_not_run": reconciled.unused.iter().map(|e| json!({
            "case": e.case, "check": e.check, "step": e.step,
        })).collect::<Vec<_>>(),
        "capability_matrix": matrix,
    });
    let text = serde_json::to_string_pretty(&redact(&report, redactor)).unwrap_or_default();
    format!("{text}\n")
}

fn case(result: &CaseResult, verdict: &Verdict) -> Value {
    let failure = result.outcome.failure().map(
        |f| json!({ "step": f.step, "check": f.check, "expected": f.expected, "actual": f.actual }),
    );
    let reason = match (&result.outcome, verdict) {
        (Outcome::NotApplicable(reason), _) => Some(reason.clone()),
        (_, Verdict::ExpectedFailure(e) | Verdict::UnexpectedlyPassed(e)) => e.reason.clone(),
        _ => None,
    };
    json!({
        "name": result.name,
        "description": result.description,
        "source": result.source,
        "level": result.level.as_str(),
        "outcome": result.outcome.label(),
        "verdict": verdict.label().unwrap_or(result.outcome.label()),
        "reason": reason,
        "failure": failure,
        "duration_seconds": result.duration.as_secs_f64(),
        "exchanges": result.transcript,
    })
}

/// Every string in `value` redacted.
fn redact(value: &Value, redactor: &Redactor) -> Value {
    match value {
        Value::String(text) => Value::String(redactor.redact(text)),
        Value::Array(items) => Value::Array(items.iter().map(|v| redact(v, redactor)).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), redact(v, redactor)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability_matrix;
    use crate::case::{Capabilities, IdTokenSigning, Registration, ResourceSupport};
    use crate::expected::reconcile;
    use crate::expected::tests::{failed, result};

    #[test]
    fn cases_carry_outcome_verdict_and_failure_and_secrets_are_gone() {
        let mut bad = result("token::bad", failed("status"));
        bad.transcript = vec!["step 1: POST http://x/token?p=hunter2-secret → 200".into()];
        let reconciled = reconcile(vec![bad], &[]);
        let claims = Capabilities {
            flavour: "acme".into(),
            registration: Registration::Off,
            resource: ResourceSupport::None,
            signup: false,
            end_session: false,
            login: false,
            id_token_signing: IdTokenSigning::Jwks,
            authorization_server_metadata: false,
            protected_resource_metadata: false,
            bundled: false,
        };
        let matrix = capability_matrix::build("t", &claims, &[], &[], &reconciled);
        let redactor = Redactor::new();
        redactor.add("vars.password", "hunter2-secret");
        let target = TargetSummary {
            name: "t",
            issuer: "http://x",
            contradictions: &[],
        };
        let text = render(&target, &reconciled, &matrix, Duration::ZERO, &redactor);
        let report: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(report["summary"]["failed"], 1);
        assert_eq!(report["cases"][0]["verdict"], "failed");
        assert_eq!(report["cases"][0]["failure"]["check"], "status");
        assert!(!text.contains("hunter2-secret"));
        assert!(text.contains("[vars.password]"));
        assert_eq!(report["capability_matrix"]["target"], "t");
    }
}
