//! JUnit XML for CI: one `<testsuite>` per area of the library (`registration`, `token`), one
//! `<testcase>` per case. A failed check is a `<failure>`, a broken run an `<error>`, a case the
//! target cannot run or a listed expected failure is `<skipped>`, and a listed failure that
//! passed is a `<failure>` saying so. A SHOULD case that failed passes with its warning in
//! `<system-out>`. The shape follows the common Ant/Jenkins schema (`junit-10.xsd`).

use std::io;
use std::time::Duration;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::expected::{Reconciled, Verdict};
use crate::outcome::{CaseResult, Outcome};
use crate::redact::Redactor;

/// The report as XML text, every secret `redactor` knows replaced.
pub fn render(
    reconciled: &Reconciled,
    target: &str,
    elapsed: Duration,
    redactor: &Redactor,
) -> io::Result<String> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let suites = group_by_area(&reconciled.results);
    let totals = Tally::of(reconciled.results.iter());
    writer
        .create_element("testsuites")
        .with_attribute(("name", format!("oauth-conformance {target}").as_str()))
        .with_attribute(("tests", totals.tests.to_string().as_str()))
        .with_attribute(("failures", totals.failures.to_string().as_str()))
        .with_attribute(("errors", totals.errors.to_string().as_str()))
        .with_attribute(("time", seconds(elapsed).as_str()))
        .write_inner_content(|writer| {
            for (area, results) in &suites {
                write_suite(writer, target, area, results, redactor)?;
            }
            Ok(())
        })?;
    let xml = String::from_utf8(writer.into_inner())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    Ok(format!("{xml}\n"))
}

/// The results grouped by the first segment of their names, in order of first appearance.
fn group_by_area(results: &[(CaseResult, Verdict)]) -> Vec<(String, Vec<&(CaseResult, Verdict)>)> {
    let mut groups: Vec<(String, Vec<&(CaseResult, Verdict)>)> = Vec::new();
    for entry in results {
        let area = area_of(&entry.0.name);
        match groups.iter_mut().find(|(name, _)| *name == area) {
            Some((_, members)) => members.push(entry),
            None => groups.push((area, vec![entry])),
        }
    }
    groups
}

/// `registration::anonymous_public_client` → `registration`.
pub fn area_of(name: &str) -> String {
    name.split("::").next().unwrap_or(name).to_owned()
}

/// Counts for a suite's attributes.
#[derive(Default)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    time: Duration,
}

impl Tally {
    fn of<'a>(results: impl Iterator<Item = &'a (CaseResult, Verdict)>) -> Self {
        let mut tally = Self::default();
        for (result, verdict) in results {
            tally.tests += 1;
            tally.time += result.duration;
            match element(result, verdict).0 {
                Some("failure") => tally.failures += 1,
                Some("error") => tally.errors += 1,
                Some("skipped") => tally.skipped += 1,
                _ => {}
            }
        }
        tally
    }
}

fn write_suite(
    writer: &mut Writer<Vec<u8>>,
    target: &str,
    area: &str,
    results: &[&(CaseResult, Verdict)],
    redactor: &Redactor,
) -> io::Result<()> {
    let tally = Tally::of(results.iter().copied());
    writer
        .create_element("testsuite")
        .with_attribute(("name", area))
        .with_attribute(("tests", tally.tests.to_string().as_str()))
        .with_attribute(("failures", tally.failures.to_string().as_str()))
        .with_attribute(("errors", tally.errors.to_string().as_str()))
        .with_attribute(("skipped", tally.skipped.to_string().as_str()))
        .with_attribute(("time", seconds(tally.time).as_str()))
        .write_inner_content(|writer| {
            for (result, verdict) in results {
                write_case(writer, target, result, verdict, redactor)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_case(
    writer: &mut Writer<Vec<u8>>,
    target: &str,
    result: &CaseResult,
    verdict: &Verdict,
    redactor: &Redactor,
) -> io::Result<()> {
    let classname = format!("{target}.{}", area_of(&result.name));
    let case = writer
        .create_element("testcase")
        .with_attribute(("classname", classname.as_str()))
        .with_attribute(("name", result.name.as_str()))
        .with_attribute(("time", seconds(result.duration).as_str()));
    let (tag, message, body) = element(result, verdict);
    let Some(tag) = tag else {
        case.write_empty()?;
        return Ok(());
    };
    let (message, body) = (
        clean(&redactor.redact(&message)),
        clean(&redactor.redact(&body)),
    );
    case.write_inner_content(|writer| {
        let child = writer.create_element(tag);
        if tag == "system-out" {
            child.write_text_content(BytesText::new(&body))?;
            return Ok(());
        }
        let child = child.with_attribute(("message", message.as_str()));
        let child = match tag {
            "failure" => child.with_attribute(("type", "check")),
            "error" => child.with_attribute(("type", "runtime")),
            _ => child,
        };
        if body.is_empty() {
            child.write_empty()?;
        } else {
            child.write_text_content(BytesText::new(&body))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The child element of a test case: its tag, its `message`, its text.
fn element(result: &CaseResult, verdict: &Verdict) -> (Option<&'static str>, String, String) {
    let details = crate::report::describe(result);
    match (verdict, &result.outcome) {
        (Verdict::ExpectedFailure(entry), _) => {
            let why = entry.reason.as_deref().unwrap_or("listed in the profile");
            let message = format!("expected failure of `{}`: {why}", entry.check);
            (Some("skipped"), message, details)
        }
        (Verdict::UnexpectedlyPassed(entry), _) => {
            let message = format!(
                "unexpectedly passed: `{}` is listed as an expected failure; remove it",
                entry.check
            );
            (Some("failure"), message, String::new())
        }
        (Verdict::AsRun, Outcome::Passed) => (None, String::new(), String::new()),
        (Verdict::AsRun, Outcome::NotApplicable(reason)) => (
            Some("skipped"),
            format!("not applicable: {reason}"),
            String::new(),
        ),
        (Verdict::AsRun, Outcome::Warning(_)) => (
            Some("system-out"),
            String::new(),
            format!("warning: {details}"),
        ),
        (Verdict::AsRun, Outcome::Failed(f)) => (Some("failure"), headline(f), details),
        (Verdict::AsRun, Outcome::Error(f)) => (Some("error"), headline(f), details),
    }
}

fn headline(failure: &crate::outcome::Failure) -> String {
    if failure.expected.is_empty() {
        format!("{}: {}: {}", failure.step, failure.check, failure.actual)
    } else {
        format!(
            "{}: {}: expected {}, actual {}",
            failure.step, failure.check, failure.expected, failure.actual
        )
    }
}

/// Seconds with at most three decimals, as the schema's time pattern wants.
fn seconds(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64())
}

/// Text without the control characters XML 1.0 cannot carry.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expected::reconcile;
    use crate::expected::tests::{failed, result};
    use crate::target::profile::ExpectedFailure;

    fn sample() -> Reconciled {
        let results = vec![
            result("token::ok", Outcome::Passed),
            result("token::bad", failed("status")),
            result(
                "registration::na",
                Outcome::NotApplicable("requires x".into()),
            ),
            result("registration::known", failed("json error")),
        ];
        let expected = [ExpectedFailure {
            case: "registration::known".into(),
            check: "json error".into(),
            step: None,
            reason: Some("issue <7> & co".into()),
        }];
        reconcile(results, &expected)
    }

    #[test]
    fn suites_follow_areas_and_count_their_cases() {
        let xml = render(
            &sample(),
            "staging",
            Duration::from_millis(1500),
            &Redactor::new(),
        )
        .unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(xml.contains(
            "<testsuites name=\"oauth-conformance staging\" tests=\"4\" failures=\"1\" errors=\"0\" time=\"1.500\">"
        ), "{xml}");
        assert!(xml.contains(
            "<testsuite name=\"registration\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"2\""
        ), "{xml}");
        assert!(
            xml.contains(
                "<testcase classname=\"staging.token\" name=\"token::ok\" time=\"0.012\"/>"
            )
        );
        assert!(
            xml.contains("message=\"expected failure of `json error`: issue &lt;7&gt; &amp; co\""),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<failure message=\"step 1: status: expected 400, actual 200\" type=\"check\">"
            ),
            "{xml}"
        );
    }

    #[test]
    fn secrets_are_redacted() {
        let redactor = Redactor::new();
        redactor.add("secret", "step 1: status");
        let results = vec![result("token::bad", failed("status"))];
        let xml = render(&reconcile(results, &[]), "t", Duration::ZERO, &redactor).unwrap();
        assert!(!xml.contains("step 1: status"), "{xml}");
        assert!(xml.contains("message=\"[secret]: expected 400"), "{xml}");
    }
}
