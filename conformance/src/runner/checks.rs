//! The checks of one response after its status and captures: headers, JSON, body, redirect,
//! cookies and JWTs, each matcher rendered in the step's scope before it is compared.

use indexmap::IndexMap;
use serde_json::Value;

use super::{CaseRun, Stop};
use crate::case::{Expect, JwtCheck, JwtSource, KeySpec, Matcher, RedirectExpect, StatusExpect};
use crate::check::jwt::{self, JwtExpectation, VerifyKey};
use crate::check::{Mismatch, json_path, matcher, redirect};
use crate::exchange::Received;
use crate::outcome::Failure;
use crate::template::{Scope, Templates};

/// The codes `expected` accepts, its template rendered in `scope`.
pub fn accepted_statuses(
    expected: &StatusExpect,
    templates: &Templates,
    scope: &Scope,
) -> Result<Vec<u16>, String> {
    match expected {
        StatusExpect::Codes(codes) => Ok(codes.clone()),
        StatusExpect::Template(template) => {
            let value = templates
                .render_str(template, scope)
                .map_err(|e| e.to_string())?;
            StatusExpect::codes_of(&value)
        }
    }
}

/// The status is one of those accepted.
pub fn status(accepted: &[u16], received: &Received) -> Result<(), Mismatch> {
    if accepted.contains(&received.status) {
        return Ok(());
    }
    let accepted: Vec<String> = accepted.iter().map(|s| s.to_string()).collect();
    Err(Mismatch {
        check: "status".to_owned(),
        expected: accepted.join(" or "),
        actual: format!("{} {}", received.status, body_excerpt(received)),
    })
}

/// The start of the body, to explain an unexpected status.
fn body_excerpt(received: &Received) -> String {
    let body: String = received.body.chars().take(300).collect();
    if body.is_empty() {
        String::new()
    } else {
        format!("(body: {body})")
    }
}

impl CaseRun<'_> {
    /// Headers, JSON, body, redirect, cookies, then JWTs.
    pub(super) async fn check_rest(
        &self,
        exchange: &crate::case::Exchange,
        received: &Received,
        scope: &Scope,
        label: &str,
    ) -> Result<(), Stop> {
        let expect = &exchange.expect;
        let templates = &self.runner.templates;
        let stop = |result: Result<(), Checked>| {
            result.map_err(|checked| match checked {
                Checked::Mismatch(m) => Stop::Failed(Failure::mismatch(label, m)),
                Checked::Error(doing, message) => {
                    Stop::Error(Failure::error(label, &doing, message))
                }
            })
        };
        stop(plain_checks(expect, received, templates, scope))?;
        for (index, check) in expect.jwt.iter().enumerate() {
            stop(self.check_jwt(index, check, received, scope).await)?;
        }
        Ok(())
    }

    async fn check_jwt(
        &self,
        index: usize,
        check: &JwtCheck,
        received: &Received,
        scope: &Scope,
    ) -> Result<(), Checked> {
        let templates = &self.runner.templates;
        let label = format!("jwt {}", index + 1);
        let token = jwt_token(&check.from, received, templates, scope).map_err(|m| {
            Checked::Mismatch(Mismatch {
                check: format!("{label} token"),
                ..m
            })
        })?;
        let verify = match &check.verify {
            Some(key) => Some(self.key(key, templates, scope).await?),
            None => None,
        };
        let not_verify = match &check.not_verify {
            Some(key) => Some(self.key(key, templates, scope).await?),
            None => None,
        };
        let header = render_matchers(&check.header, templates, scope)?;
        let claims = render_matchers(&check.claims, templates, scope)?;
        let expectation = JwtExpectation {
            verify: verify.as_ref(),
            not_verify: not_verify.as_ref(),
            header: &header,
            claims: &claims,
            expired: check.expired,
            now: now(),
        };
        jwt::check_jwt(&label, &token, &expectation)
            .map(|_| ())
            .map_err(Checked::Mismatch)
    }

    async fn key(
        &self,
        key: &KeySpec,
        templates: &Templates,
        scope: &Scope,
    ) -> Result<VerifyKey, Checked> {
        let text = |t: &str| {
            templates
                .render_text(t, scope)
                .map_err(|e| Checked::Error("rendering a JWT key".to_owned(), e.to_string()))
        };
        Ok(match key {
            KeySpec::Hs256Key(key) => VerifyKey::Hs256(text(key)?.into_bytes()),
            KeySpec::Hs256Sha256Of(secret) => VerifyKey::Hs256(jwt::sha256_key(&text(secret)?)),
            KeySpec::Jwks(url) => VerifyKey::Jwks(self.fetch_jwks(&text(url)?).await?),
        })
    }

    async fn fetch_jwks(&self, url: &str) -> Result<Value, Checked> {
        let error = |m: String| Checked::Error("fetching the JWKS".to_owned(), m);
        let outgoing = crate::exchange::Outgoing {
            method: "GET".to_owned(),
            url: url::Url::parse(url).map_err(|e| error(format!("`{url}`: {e}")))?,
            headers: Vec::new(),
            body: None,
            jar: crate::exchange::DEFAULT_JAR.to_owned(),
        };
        let received = self.http.send(&outgoing).await.map_err(error)?;
        received
            .json
            .ok_or_else(|| error(format!("{url} answered {} without JSON", received.status)))
    }
}

/// A check that failed, or could not be made.
enum Checked {
    Mismatch(Mismatch),
    Error(String, String),
}

impl From<Mismatch> for Checked {
    fn from(mismatch: Mismatch) -> Self {
        Self::Mismatch(mismatch)
    }
}

fn plain_checks(
    expect: &Expect,
    received: &Received,
    templates: &Templates,
    scope: &Scope,
) -> Result<(), Checked> {
    for (name, m) in &expect.headers {
        let m = render_matcher(m, templates, scope)?;
        matcher::check_text(&format!("header {name}"), &m, received.header(name))?;
    }
    for (path, m) in &expect.json {
        let m = render_matcher(m, templates, scope)?;
        let actual = received
            .json
            .as_ref()
            .and_then(|json| json_path::lookup(json, path));
        if received.json.is_none() && m != Matcher::Present(false) {
            return Err(not_json(path, received));
        }
        matcher::check(&format!("json {path}"), &m, actual)?;
    }
    if let Some(m) = &expect.body {
        let m = render_matcher(m, templates, scope)?;
        matcher::check_text("body", &m, Some(&received.body))?;
    }
    if let Some(expected) = &expect.redirect {
        let expected = render_redirect(expected, templates, scope)?;
        redirect::check_redirect(&expected, received.location.as_ref())?;
    }
    for (name, m) in &expect.cookies {
        let m = render_matcher(m, templates, scope)?;
        matcher::check_text(
            &format!("cookie {name}"),
            &m,
            received.cookies.get(name).map(String::as_str),
        )?;
    }
    Ok(())
}

fn not_json(path: &str, received: &Received) -> Checked {
    let content_type = received.header("content-type").unwrap_or("no content type");
    Checked::Mismatch(Mismatch {
        check: format!("json {path}"),
        expected: "a JSON body".to_owned(),
        actual: format!("a body that is not JSON ({content_type})"),
    })
}

fn jwt_token(
    from: &JwtSource,
    received: &Received,
    templates: &Templates,
    scope: &Scope,
) -> Result<String, Mismatch> {
    let missing = |what: String| Mismatch {
        check: String::new(),
        expected: what,
        actual: "nothing there".to_owned(),
    };
    match from {
        JwtSource::Json(path) => received
            .json
            .as_ref()
            .and_then(|json| json_path::lookup(json, path))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| missing(format!("a JWT in the JSON member `{path}`"))),
        JwtSource::Capture(name) => scope
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| missing(format!("a JWT in the variable `{name}`"))),
        JwtSource::Value(template) => {
            templates
                .render_text(template, scope)
                .map_err(|e| Mismatch {
                    check: String::new(),
                    expected: "a JWT".to_owned(),
                    actual: e.to_string(),
                })
        }
    }
}

fn render_matcher(m: &Matcher, templates: &Templates, scope: &Scope) -> Result<Matcher, Checked> {
    m.render(|value| templates.render(value, scope))
        .map_err(|e| Checked::Error("rendering an expectation".to_owned(), e.to_string()))
}

fn render_matchers(
    matchers: &IndexMap<String, Matcher>,
    templates: &Templates,
    scope: &Scope,
) -> Result<IndexMap<String, Matcher>, Checked> {
    matchers
        .iter()
        .map(|(name, m)| Ok((name.clone(), render_matcher(m, templates, scope)?)))
        .collect()
}

fn render_redirect(
    expected: &RedirectExpect,
    templates: &Templates,
    scope: &Scope,
) -> Result<RedirectExpect, Checked> {
    let one = |m: &Option<Matcher>| -> Result<Option<Matcher>, Checked> {
        m.as_ref()
            .map(|m| render_matcher(m, templates, scope))
            .transpose()
    };
    Ok(RedirectExpect {
        scheme: one(&expected.scheme)?,
        host: one(&expected.host)?,
        port: one(&expected.port)?,
        path: one(&expected.path)?,
        url: one(&expected.url)?,
        query: render_matchers(&expected.query, templates, scope)?,
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
