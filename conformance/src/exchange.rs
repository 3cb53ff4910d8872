//! Sending one request and keeping what came back. Redirects are never followed, every request
//! has a timeout, and each case has its own cookie jars: `default`, plus any other a request
//! names (a second browser).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::cookie::Jar;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

/// A request with every template rendered.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The method.
    pub method: String,
    /// The URL, query included.
    pub url: Url,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body and its content type.
    pub body: Option<(String, Vec<u8>)>,
    /// The cookie jar to send from and store into.
    pub jar: String,
}

/// What a server answered.
#[derive(Clone, Debug)]
pub struct Received {
    /// The status code.
    pub status: u16,
    /// Headers, names lower-case, in order; a repeated header appears once per value.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
    /// The body as JSON, when it parses.
    pub json: Option<Value>,
    /// The `Location` header resolved against the request URL.
    pub location: Option<Url>,
    /// Cookies this response sets: name → value.
    pub cookies: BTreeMap<String, String>,
}

impl Received {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The jar requests use unless they name another.
pub const DEFAULT_JAR: &str = "default";

/// One case's HTTP clients, one per cookie jar; no redirects, a timeout on every request.
pub struct Http {
    timeout: Duration,
    jars: Mutex<HashMap<String, (reqwest::Client, Arc<Jar>)>>,
}

impl Http {
    /// Clients whose requests time out after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, String> {
        let http = Self {
            timeout,
            jars: Mutex::new(HashMap::new()),
        };
        http.jar(DEFAULT_JAR)?;
        Ok(http)
    }

    /// The client of cookie jar `name` and the jar itself, made on first use.
    fn jar(&self, name: &str) -> Result<(reqwest::Client, Arc<Jar>), String> {
        let mut jars = self.jars.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = jars.get(name) {
            return Ok(entry.clone());
        }
        let cookies = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(cookies.clone())
            .timeout(self.timeout)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        jars.insert(name.to_owned(), (client.clone(), cookies.clone()));
        Ok((client, cookies))
    }

    /// Puts a cookie (`name=value`) in the default jar for `url`, as if `url` had set it.
    pub fn set_cookie(&self, url: &Url, cookie: &str) -> Result<(), String> {
        let (_, jar) = self.jar(DEFAULT_JAR)?;
        jar.add_cookie_str(cookie, url);
        Ok(())
    }

    /// Sends `request` and reads the whole answer.
    pub async fn send(&self, request: &Outgoing) -> Result<Received, String> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| format!("`{}` is not an HTTP method", request.method))?;
        let mut builder = self
            .jar(&request.jar)?
            .0
            .request(method, request.url.clone())
            .headers(header_map(&request.headers)?);
        if let Some((content_type, bytes)) = &request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes.clone());
        }
        let response = builder.send().await.map_err(describe_send_error)?;
        read(&request.url, response).await
    }
}

fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header `{name}` is not a valid header value"))?;
        map.append(name, value);
    }
    Ok(map)
}

async fn read(url: &Url, response: reqwest::Response) -> Result<Received, String> {
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let cookies = response
        .cookies()
        .map(|c| (c.name().to_owned(), c.value().to_owned()))
        .collect();
    let location = headers
        .iter()
        .find(|(n, _)| n == "location")
        .and_then(|(_, v)| url.join(v).ok());
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("reading the response body failed: {e}"))?;
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_slice(&bytes).ok();
    Ok(Received {
        status,
        headers,
        body,
        json,
        location,
        cookies,
    })
}

fn describe_send_error(error: reqwest::Error) -> String {
    let url = error.url().map(|u| format!(" to {u}")).unwrap_or_default();
    if error.is_timeout() {
        format!("the request{url} timed out")
    } else if error.is_connect() {
        format!("could not connect{url}: {}", root_cause(&error))
    } else {
        format!("the request{url} failed: {}", root_cause(&error))
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
