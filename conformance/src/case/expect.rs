//! Expectations of one response: its status, headers, JSON members, body, the `Location`
//! redirect, cookies and JWTs. Values may be templates until the runner renders them.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::matcher::Matcher;

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

/// The accepted status codes: a number, a list of numbers, or a template that renders to one
/// of those (so a fragment can take the expected status as a parameter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusExpect {
    /// Any of these codes.
    Codes(Vec<u16>),
    /// A template, rendered when the step runs.
    Template(String),
}

impl StatusExpect {
    /// The codes a rendered value names.
    pub fn codes_of(value: &Value) -> Result<Vec<u16>, String> {
        let code = |v: &Value| {
            v.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..=599).contains(n))
                .ok_or_else(|| format!("`{v}` is not an HTTP status code"))
        };
        match value {
            Value::Array(items) => items.iter().map(code).collect(),
            Value::String(text) => text
                .parse::<u16>()
                .map(|n| vec![n])
                .map_err(|_| format!("`{text}` is not an HTTP status code")),
            single => Ok(vec![code(single)?]),
        }
    }
}

impl<'de> Deserialize<'de> for StatusExpect {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        match &value {
            Value::String(text) if text.contains("{{") => Ok(Self::Template(text.clone())),
            _ => Self::codes_of(&value).map(Self::Codes).map_err(|message| {
                serde::de::Error::custom(format!(
                    "{message}; `status` is a code, a list of codes, or a template"
                ))
            }),
        }
    }
}

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
