//! Steps: a call of a fragment, or one HTTP exchange (a request, what to expect of the answer,
//! what to capture from it, and an optional snapshot). Still data: the runner sends it.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::expect::Expect;

/// One step of a case or fragment.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "RawStep")]
pub enum Step {
    /// `use: NAME` with `with:` arguments.
    Call(Call),
    /// A request with expectations.
    Exchange(Box<Exchange>),
}

/// A call of a fragment.
#[derive(Clone, Debug)]
pub struct Call {
    /// A label for diagnostics; defaults to the fragment's name.
    pub name: Option<String>,
    /// The fragment's name (`cases/fragments/NAME.yaml`), with where it is written.
    pub fragment: Spanned<String>,
    /// Arguments: parameter → template.
    pub args: IndexMap<String, Value>,
}

/// One request and what must hold of its response.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// A label for diagnostics.
    pub name: Option<String>,
    /// What to send.
    pub request: Request,
    /// What the response must look like.
    pub expect: Expect,
    /// Variables taken from the response: name → where from.
    pub capture: IndexMap<String, Capture>,
    /// The snapshot's name, when the normalised exchange is kept for review.
    pub snapshot: Option<String>,
}

impl Step {
    /// The step's label, if it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Call(call) => call.name.as_deref().or(Some(&call.fragment.value)),
            Self::Exchange(exchange) => exchange.name.as_deref(),
        }
    }
}

/// What a request is sent to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestTarget {
    /// A name from the target's metadata (`token` → `token_endpoint`).
    Endpoint(String),
    /// An absolute URL template.
    Url(String),
    /// A path template joined to the target's base URL.
    Path(String),
}

/// An HTTP request, with templates in its strings.
#[derive(Clone, Debug)]
pub struct Request {
    /// The method; `None` means GET, or POST when there is a body.
    pub method: Option<String>,
    /// Where the request goes.
    pub target: RequestTarget,
    /// Query parameters; a list repeats the key.
    pub query: IndexMap<String, Value>,
    /// A form body; a list repeats the key.
    pub form: Option<IndexMap<String, Value>>,
    /// A JSON body.
    pub json: Option<Value>,
    /// A raw body.
    pub body: Option<String>,
    /// The raw body's content type.
    pub content_type: Option<String>,
    /// Extra headers.
    pub headers: IndexMap<String, Value>,
    /// HTTP Basic credentials `[id, secret]`, each form-urlencoded first.
    pub basic: Option<[String; 2]>,
    /// A bearer token.
    pub bearer: Option<String>,
    /// The cookie jar (browser) to use; `None` is the case's default jar.
    pub jar: Option<String>,
}

impl Request {
    /// The method to send.
    pub fn method(&self) -> &str {
        match &self.method {
            Some(method) => method,
            None if self.has_body() => "POST",
            None => "GET",
        }
    }

    /// Whether the request carries a body.
    pub fn has_body(&self) -> bool {
        self.form.is_some() || self.json.is_some() || self.body.is_some()
    }
}

/// Where a captured value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureSource {
    /// A JSON member of the body, by path.
    Json(String),
    /// A response header.
    Header(String),
    /// A cookie set by the response.
    Cookie(String),
    /// A query parameter of the `Location` header.
    RedirectQuery(String),
    /// The whole `Location` header, resolved against the request URL.
    Redirect,
    /// The raw body text (usually with a `regex`, e.g. a form field of an HTML page).
    Body,
}

/// A capture: a source and an optional regular expression whose first group is kept.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "RawCapture")]
pub struct Capture {
    /// Where the value is.
    pub source: CaptureSource,
    /// A regular expression applied to the value; its first group (or whole match) is kept.
    pub regex: Option<String>,
    /// When nothing is found, the variable is null instead of the step failing.
    pub optional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    name: Option<String>,
    #[serde(rename = "use")]
    fragment: Option<Spanned<String>>,
    with: Option<IndexMap<String, Value>>,
    request: Option<RawRequest>,
    expect: Option<Expect>,
    capture: Option<IndexMap<String, Capture>>,
    snapshot: Option<String>,
}

impl TryFrom<RawStep> for Step {
    type Error = String;

    fn try_from(raw: RawStep) -> Result<Self, String> {
        match (raw.fragment, raw.request) {
            (Some(_), Some(_)) => Err("a step has either `use` or `request`, not both".to_owned()),
            (None, None) => Err("a step needs `request` (or `use` to call a fragment)".to_owned()),
            (Some(fragment), None) => {
                let stray = [
                    ("expect", raw.expect.is_some()),
                    ("capture", raw.capture.is_some()),
                    ("snapshot", raw.snapshot.is_some()),
                ];
                if let Some((key, _)) = stray.iter().find(|(_, present)| *present) {
                    return Err(format!(
                        "`{key}` belongs to a request step; a `use` step takes only `with`"
                    ));
                }
                Ok(Self::Call(Call {
                    name: raw.name,
                    fragment,
                    args: raw.with.unwrap_or_default(),
                }))
            }
            (None, Some(request)) => {
                if raw.with.is_some() {
                    return Err("`with` belongs to a `use` step".to_owned());
                }
                Ok(Self::Exchange(Box::new(Exchange {
                    name: raw.name,
                    request: request.try_into()?,
                    expect: raw.expect.unwrap_or_default(),
                    capture: raw.capture.unwrap_or_default(),
                    snapshot: raw.snapshot,
                })))
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    method: Option<String>,
    endpoint: Option<String>,
    url: Option<String>,
    path: Option<String>,
    #[serde(default)]
    query: IndexMap<String, Value>,
    form: Option<IndexMap<String, Value>>,
    json: Option<Value>,
    body: Option<String>,
    content_type: Option<String>,
    #[serde(default)]
    headers: IndexMap<String, Value>,
    basic: Option<[String; 2]>,
    bearer: Option<String>,
    jar: Option<String>,
}

impl TryFrom<RawRequest> for Request {
    type Error = String;

    fn try_from(raw: RawRequest) -> Result<Self, String> {
        let target = match (raw.endpoint, raw.url, raw.path) {
            (Some(endpoint), None, None) => RequestTarget::Endpoint(endpoint),
            (None, Some(url), None) => RequestTarget::Url(url),
            (None, None, Some(path)) => RequestTarget::Path(path),
            _ => return Err("a request has exactly one of `endpoint`, `url` and `path`".to_owned()),
        };
        let bodies = [raw.form.is_some(), raw.json.is_some(), raw.body.is_some()];
        if bodies.iter().filter(|&&b| b).count() > 1 {
            return Err("a request has at most one of `form`, `json` and `body`".to_owned());
        }
        if raw.content_type.is_some() && raw.body.is_none() {
            return Err("`content_type` goes with `body`".to_owned());
        }
        if raw
            .method
            .as_deref()
            .is_some_and(|m| m.is_empty() || m.contains(' '))
        {
            return Err("`method` is one HTTP method name, such as GET or POST".to_owned());
        }
        Ok(Self {
            method: raw.method.map(|m| m.to_ascii_uppercase()),
            target,
            query: raw.query,
            form: raw.form,
            json: raw.json,
            body: raw.body,
            content_type: raw.content_type,
            headers: raw.headers,
            basic: raw.basic,
            bearer: raw.bearer,
            jar: raw.jar,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapture {
    json: Option<String>,
    header: Option<String>,
    cookie: Option<String>,
    redirect_query: Option<String>,
    #[serde(default)]
    redirect: bool,
    #[serde(default)]
    body: bool,
    regex: Option<String>,
    #[serde(default)]
    optional: bool,
}

impl TryFrom<RawCapture> for Capture {
    type Error = String;

    fn try_from(raw: RawCapture) -> Result<Self, String> {
        let mut sources = Vec::new();
        sources.extend(raw.json.map(CaptureSource::Json));
        sources.extend(raw.header.map(CaptureSource::Header));
        sources.extend(raw.cookie.map(CaptureSource::Cookie));
        sources.extend(raw.redirect_query.map(CaptureSource::RedirectQuery));
        if raw.redirect {
            sources.push(CaptureSource::Redirect);
        }
        if raw.body {
            sources.push(CaptureSource::Body);
        }
        if sources.len() != 1 {
            return Err(
                "a capture names exactly one of `json`, `header`, `cookie`, \
                        `redirect_query`, `redirect: true` and `body: true`"
                    .to_owned(),
            );
        }
        if let Some(pattern) = &raw.regex {
            regex::Regex::new(pattern).map_err(|e| format!("`regex` does not compile: {e}"))?;
        }
        Ok(Self {
            source: sources.remove(0),
            regex: raw.regex,
            optional: raw.optional,
        })
    }
}
