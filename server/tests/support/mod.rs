//! The in-process test client every HTTP test uses: the spec §6 fixture as settings, requests
//! sent through the router with `oneshot` (no sockets), and response helpers.
#![allow(dead_code)] // each test crate uses part of the support module

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use base64::Engine;
use oauth_reference_server::App;
use oauth_reference_server::config::Settings;
use oauth_reference_server::domain::{ManualClock, Timestamp};
use oauth_reference_server::host::session;
use oauth_reference_server::protocol::Services;
use tower::ServiceExt;

pub mod grants;
pub mod tokens;

/// The spec §6 fixture, as a settings file.
pub const FIXTURE: &str = r#"
secret: test-secret-key
base_url: http://testserver
oauth:
  base_url: http://testserver
  prefix: /oauth
  login_url: /login
  signup_url: /signup
  client_id: test-client
  client_secret: test-secret
  redirect_uris: [http://testserver/callback]
  default_scope: user
  resources:
    - prefix: /mcp
      scopes: [user]
  clients:
    - client_id: public-client
      redirect_uris: [http://testserver/callback]
      scope: openid profile email offline_access user
      token_endpoint_auth_method: none
users:
  - email: jane@example.com
    password: correct horse battery staple
    name: Jane Doe
    image: https://example.com/jane.png
    email_verified: true
"#;

/// The base URL requests are sent to.
pub const BASE: &str = "http://testserver";

/// When the fixture's clock starts.
pub const START: Timestamp = Timestamp(1_700_000_000);

/// An application built from settings, driven in process.
pub struct TestApp {
    app: App,
    clock: ManualClock,
}

impl TestApp {
    /// The fixture.
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// The fixture, adjusted in code.
    pub async fn with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = fixture_settings();
        adjust(&mut settings);
        Self::from_settings(settings).await
    }

    /// An application from settings YAML (not merged with the fixture).
    pub async fn from_yaml(text: &str) -> Self {
        let settings = Settings::from_yaml_str(text, "test settings").expect("settings parse");
        Self::from_settings(settings).await
    }

    /// An application from settings.
    pub async fn from_settings(settings: Settings) -> Self {
        let config = settings.resolve(None).expect("settings resolve");
        let clock = ManualClock::new(START);
        let app = App::build(&settings, config, Arc::new(clock.clone()))
            .await
            .expect("application builds");
        Self { app, clock }
    }

    /// Configuration, store and clock.
    pub fn services(&self) -> &Services {
        &self.app.services
    }

    /// The clock the application reads; advance it to expire things.
    pub fn clock(&self) -> &ManualClock {
        &self.clock
    }

    /// The router.
    pub fn router(&self) -> Router {
        self.app.router.clone()
    }

    /// The issuer, e.g. `http://testserver/auth/oauth`.
    pub fn issuer(&self) -> &str {
        &self.app.services.config.issuer
    }

    /// A GET request to `uri` (a path, or an absolute URL on the test server).
    pub fn get(&self, uri: &str) -> RequestBuilder {
        self.request(Method::GET, uri)
    }

    /// A POST request to `uri`.
    pub fn post(&self, uri: &str) -> RequestBuilder {
        self.request(Method::POST, uri)
    }

    /// A request with any method.
    pub fn request(&self, method: Method, uri: &str) -> RequestBuilder {
        RequestBuilder {
            router: self.router(),
            method,
            uri: absolute(uri),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
        }
    }

    /// Signs `email` in directly through the store and returns the `belgie_session` value.
    pub async fn sign_in(&self, email: &str) -> String {
        let services = self.services();
        let user = services
            .store
            .user_by_email(email)
            .await
            .expect("store answers")
            .unwrap_or_else(|| panic!("no user {email} in the test settings"));
        let session = session::start(services, user.id)
            .await
            .expect("session starts");
        session.id.to_string()
    }
}

/// The fixture's settings.
pub fn fixture_settings() -> Settings {
    Settings::from_yaml_str(FIXTURE, "FIXTURE").expect("the fixture parses")
}

fn absolute(uri: &str) -> String {
    if uri.starts_with("http://") || uri.starts_with("https://") {
        uri.to_owned()
    } else {
        format!("{BASE}{uri}")
    }
}

/// A request being put together.
pub struct RequestBuilder {
    router: Router,
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
}

impl RequestBuilder {
    /// An `application/x-www-form-urlencoded` body.
    pub fn form(self, pairs: &[(&str, &str)]) -> Self {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.body("application/x-www-form-urlencoded", encoded.into_bytes())
    }

    /// A JSON body.
    pub fn json(self, value: serde_json::Value) -> Self {
        self.body("application/json", value.to_string().into_bytes())
    }

    /// A body with any content type.
    pub fn body(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Some((content_type.to_owned(), bytes.into()));
        self
    }

    /// A header (added; repeats are kept).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A cookie, sent in one `Cookie` header with the others.
    pub fn cookie(mut self, name: &str, value: &str) -> Self {
        self.cookies.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `Authorization: Basic`, with id and secret form-urlencoded first (RFC 6749 §2.3.1).
    /// Use [`RequestBuilder::header`] for a raw value.
    pub fn basic(self, id: &str, secret: &str) -> Self {
        let pair = format!("{}:{}", form_encode(id), form_encode(secret));
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        self.header("authorization", &format!("Basic {encoded}"))
    }

    /// `Authorization: Bearer`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Sends the request through the router.
    pub async fn send(self) -> TestResponse {
        let mut request = Request::builder()
            .method(self.method)
            .uri(&self.uri)
            .header(header::HOST, "testserver");
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if !self.cookies.is_empty() {
            let cookies: Vec<String> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        let body = match self.body {
            Some((content_type, bytes)) => {
                request = request.header(header::CONTENT_TYPE, content_type);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let request = request.body(body).expect("a well-formed test request");
        dispatch(&self.router, request).await
    }
}

/// Sends `request` through `router` and reads the whole response.
pub async fn dispatch(router: &Router, request: Request<Body>) -> TestResponse {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the body can be read");
    TestResponse {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A response, read in full.
#[derive(Debug)]
pub struct TestResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON; panics with the body text if it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("a valid header name");
        self.headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The `Location` header, resolved against the test server; panics if absent.
    pub fn location(&self) -> url::Url {
        let Some(location) = self.header("location") else {
            panic!(
                "no Location header (status {}, body {})",
                self.status,
                self.text()
            );
        };
        let base = url::Url::parse(BASE).expect("the base URL parses");
        base.join(&location)
            .unwrap_or_else(|error| panic!("Location `{location}` is not a URL: {error}"))
    }

    /// A query parameter of the `Location` header (the last value when repeated).
    pub fn location_query(&self, name: &str) -> Option<String> {
        self.location()
            .query_pairs()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
            .last()
    }

    /// The value a `Set-Cookie` header gives cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookie_header(name).map(|line| {
            let pair = line.split(';').next().unwrap_or_default();
            pair.split_once('=')
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        })
    }

    /// The whole `Set-Cookie` line for cookie `name` (with its attributes).
    pub fn set_cookie_header(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|line| {
                line.split(';')
                    .next()
                    .and_then(|pair| pair.split_once('='))
                    .is_some_and(|(n, _)| n.trim() == name)
            })
            .map(str::to_owned)
    }
}
