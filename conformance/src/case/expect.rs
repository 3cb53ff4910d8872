//! Expectations of one response: its status, headers, JSON members, body, the `Location`
//! redirect, cookies and JWTs. Values may be templates until the runner renders them.

use indexmap::IndexMap;
use serde::Deserialize;

use super::matcher::Matcher;
use super::requires::OneOrMany;

/// What a response must look like. Every part is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The accepted status codes.
    pub status: Option<StatusExpect>,
    /// Header name (case-insensitive) → matcher.
    #[serde(default)]
    pub headers: IndexMap<String, Matcher>,
    /// JSON path → matcher (`$` is the whole body).
    #[serde(default)]
    pub json: IndexMap<String, Matcher>,
    /// A matcher over the raw body text.
    pub body: Option<Matcher>,
    /// The `Location` header, taken apart.
    pub redirect: Option<RedirectExpect>,
    /// Cookie name → matcher over the value this response sets.
    #[serde(default)]
    pub cookies: IndexMap<String, Matcher>,
    /// JWTs to decode and check.
    #[serde(default)]
    pub jwt: Vec<JwtCheck>,
}

/// The accepted status codes.
pub type StatusExpect = OneOrMany<u16>;

/// The `Location` header as a URL.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectExpect {
    /// The scheme.
    pub scheme: Option<Matcher>,
    /// The host.
    pub host: Option<Matcher>,
    /// The port (the scheme's default when none is written).
    pub port: Option<Matcher>,
    /// The path.
    pub path: Option<Matcher>,
    /// The URL without its query and fragment.
    pub url: Option<Matcher>,
    /// Query parameter → matcher (over the first value; `{absent: true}` for none).
    #[serde(default)]
    pub query: IndexMap<String, Matcher>,
}

/// One JWT to decode, verify and check.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtCheck {
    /// Where the JWT is.
    pub from: JwtSource,
    /// The key that must verify the signature (pins the algorithm).
    pub verify: Option<KeySpec>,
    /// A key that must not verify the signature.
    pub not_verify: Option<KeySpec>,
    /// Header member → matcher.
    #[serde(default)]
    pub header: IndexMap<String, Matcher>,
    /// Claim → matcher.
    #[serde(default)]
    pub claims: IndexMap<String, Matcher>,
    /// The token is expected to have expired (skips the `exp`-in-the-future check).
    #[serde(default)]
    pub expired: bool,
}

/// Where a JWT comes from.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum JwtSource {
    /// A JSON member of this response's body, by path.
    Json(String),
    /// A variable captured earlier.
    Capture(String),
    /// A template.
    Value(String),
}

/// A key to verify a JWT with.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeySpec {
    /// HS256 with this key (a template; its UTF-8 bytes are the key).
    Hs256Key(String),
    /// HS256 with SHA-256 of this secret as the key (the Belgie family's id_token key).
    Hs256Sha256Of(String),
    /// The keys of the JWKS at this URL (a template).
    Jwks(String),
}
