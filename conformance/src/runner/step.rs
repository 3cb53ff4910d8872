//! One exchange step, in the order every step follows.

use serde_json::Value;

use super::{CaseRun, Stop, checks, request};
use crate::case::{Capture, CaptureSource, Exchange};
use crate::check::Mismatch;
use crate::exchange::{Outgoing, Received};
use crate::outcome::Failure;
use crate::redact::is_secret_name;
use crate::snapshot;
use crate::template::Scope;

impl CaseRun<'_> {
    /// Runs one exchange; returns what it captured.
    ///
    /// The order, the same for every step:
    /// 1. render the request and send it (redirects are not followed);
    /// 2. check the status, so a wrong status is reported before anything that follows from it;
    /// 3. capture values, so the remaining checks may refer to them;
    /// 4. check headers, JSON, body, redirect, cookies and JWTs, in that order;
    /// 5. compare the snapshot.
    pub(super) async fn exchange(
        &mut self,
        exchange: &Exchange,
        scope: &Scope,
        label: &str,
    ) -> Result<Vec<(String, Value)>, Stop> {
        let error =
            |doing: &str, message: String| Stop::Error(Failure::error(label, doing, message));
        let templates = &self.runner.templates;
        let outgoing = request::render(&exchange.request, templates, scope, self.target)
            .map_err(|m| error("rendering the request", m))?;
        let received = self
            .http
            .send(&outgoing)
            .await
            .map_err(|m| error("sending the request", m))?;
        self.learn_secrets(&received);
        self.transcript.push(
            self.redactor
                .redact(&transcript_line(label, &outgoing, &received)),
        );

        let failed = |mismatch: Mismatch| Stop::Failed(Failure::mismatch(label, mismatch));
        if let Some(status) = &exchange.expect.status {
            let accepted = checks::accepted_statuses(status, templates, scope)
                .map_err(|m| error("rendering the expected status", m))?;
            checks::status(&accepted, &received).map_err(failed)?;
        }

        let captured = self.capture(&exchange.capture, &received).map_err(failed)?;
        let mut scope = scope.child();
        for (name, value) in &captured {
            scope.set(name, value.clone());
        }

        self.check_rest(exchange, &received, &scope, label).await?;

        if let Some(name) = &exchange.snapshot {
            self.snapshot(name, &received, &scope).map_err(|m| {
                failed(Mismatch {
                    check: format!("snapshot {name}"),
                    expected: "the committed snapshot".to_owned(),
                    actual: m,
                })
            })?;
        }
        Ok(captured)
    }

    fn capture(
        &self,
        captures: &indexmap::IndexMap<String, Capture>,
        received: &Received,
    ) -> Result<Vec<(String, Value)>, Mismatch> {
        let mut captured = Vec::new();
        for (name, capture) in captures {
            let value = match capture_one(capture, received) {
                Ok(value) => value,
                Err(_) if capture.optional => Value::Null,
                Err(actual) => {
                    return Err(Mismatch {
                        check: format!("capture {name}"),
                        expected: describe_source(&capture.source),
                        actual,
                    });
                }
            };
            let secret = is_secret_name(name) || matches!(capture.source, CaptureSource::Cookie(_));
            if let (true, Value::String(text)) = (secret, &value) {
                self.redactor.add(name, text);
            }
            captured.push((name.clone(), value));
        }
        Ok(captured)
    }

    fn snapshot(&mut self, name: &str, received: &Received, scope: &Scope) -> Result<(), String> {
        if self.runner.snapshots == super::Snapshots::Skip {
            return Ok(());
        }
        self.snapshots_taken += 1;
        let replacements = self.replacements(scope);
        let value = snapshot::normalise(received, &replacements);
        let file = snapshot::file_name(&self.case.name, name);
        let description = format!("{} ({})", self.case.case.description, self.case.name);
        snapshot::compare(&self.target.snapshot_dir, &file, &description, &value)
    }

    /// Values to hide in snapshots: secrets, the target's base URL, captured and generated
    /// values.
    fn replacements(&self, scope: &Scope) -> snapshot::Replacements {
        let mut replacements = self.redactor.snapshot();
        replacements.push((self.target.base_url_text(), "[base_url]".to_owned()));
        for (name, value) in scope.vars() {
            if let Value::String(text) = value
                && text.len() >= 16
                && !text.contains(&self.target.base_url_text())
            {
                replacements.push((text.clone(), format!("[{name}]")));
            }
        }
        replacements.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        replacements
    }
}

impl CaseRun<'_> {
    /// Remembers, before anything is printed, every secret the response carries whether or not
    /// a case captures it: JSON members with secret names (at any depth), `Location` query
    /// parameters with secret names (`code`), and the cookies it sets.
    fn learn_secrets(&self, received: &Received) {
        if let Some(json) = &received.json {
            learn_json_secrets(&self.redactor, json);
        }
        if let Some(location) = &received.location {
            for (name, value) in location.query_pairs() {
                if is_secret_name(&name) {
                    self.redactor.add(&name, &value);
                }
            }
        }
        for (name, value) in &received.cookies {
            self.redactor.add(name, value);
        }
    }
}

fn learn_json_secrets(redactor: &crate::redact::Redactor, value: &Value) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                match member {
                    Value::String(text) if is_secret_name(name) => redactor.add(name, text),
                    other => learn_json_secrets(redactor, other),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| learn_json_secrets(redactor, item)),
        _ => {}
    }
}

/// `step 2: POST http://…/token → 200`, with the `Location` of a redirect.
fn transcript_line(label: &str, outgoing: &Outgoing, received: &Received) -> String {
    let mut line = format!(
        "{label}: {} {} → {}",
        outgoing.method, outgoing.url, received.status
    );
    if let Some(location) = received.header("location") {
        line.push_str(&format!(" (Location: {location})"));
    }
    line
}

fn capture_one(capture: &Capture, received: &Received) -> Result<Value, String> {
    let found = match &capture.source {
        CaptureSource::Json(path) => received
            .json
            .as_ref()
            .and_then(|json| crate::check::json_path::lookup(json, path))
            .cloned(),
        CaptureSource::Header(name) => received.header(name).map(|v| Value::String(v.to_owned())),
        CaptureSource::Cookie(name) => received.cookies.get(name).map(|v| Value::String(v.clone())),
        CaptureSource::RedirectQuery(name) => received.location.as_ref().and_then(|url| {
            url.query_pairs()
                .find(|(n, _)| n == name)
                .map(|(_, v)| Value::String(v.into_owned()))
        }),
        CaptureSource::Redirect => received
            .location
            .as_ref()
            .map(|u| Value::String(u.to_string())),
        CaptureSource::Body => Some(Value::String(received.body.clone())),
    };
    let found = found.ok_or_else(|| "nothing there".to_owned())?;
    match &capture.regex {
        None => Ok(found),
        Some(pattern) => apply_regex(pattern, &found),
    }
}

fn apply_regex(pattern: &str, found: &Value) -> Result<Value, String> {
    let text = found.as_str().ok_or_else(|| format!("not text: {found}"))?;
    let regex = regex::Regex::new(pattern).map_err(|e| format!("bad regex: {e}"))?;
    let captures = regex
        .captures(text)
        .ok_or_else(|| format!("`{text}` does not match /{pattern}/"))?;
    let kept = captures
        .get(1)
        .or_else(|| captures.get(0))
        .map_or("", |m| m.as_str());
    Ok(Value::String(kept.to_owned()))
}

fn describe_source(source: &CaptureSource) -> String {
    match source {
        CaptureSource::Json(path) => format!("a JSON member `{path}`"),
        CaptureSource::Header(name) => format!("a `{name}` header"),
        CaptureSource::Cookie(name) => format!("a `{name}` cookie set by the response"),
        CaptureSource::RedirectQuery(name) => format!("a `{name}` parameter in the Location URL"),
        CaptureSource::Redirect => "a Location header".to_owned(),
        CaptureSource::Body => "a body".to_owned(),
    }
}
