//! The case model: what a YAML case, fragment and step say, as plain data. Nothing here knows
//! about HTTP or files; the loader builds these values and the runner interprets them.

mod expect;
mod matcher;
mod requires;
mod step;

pub use expect::{Expect, JwtCheck, JwtSource, KeySpec, RedirectExpect, StatusExpect};
pub use matcher::{JsonType, Matcher};
pub use requires::{
    Capabilities, IdTokenSigning, OneOrMany, Registration, Requires, ResourceSupport,
};
pub use step::{Call, Capture, CaptureSource, Exchange, Request, RequestTarget, Step};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

/// A conformance case: one requirement, checked by a sequence of steps.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// One sentence saying what the case checks; printed when it fails.
    pub description: String,
    /// Where the requirement comes from: an RFC section or a section of the Belgie spec.
    pub source: String,
    /// How binding the requirement is.
    pub level: Level,
    /// Further spec points the case checks (`item 77`, `R.7`), for the coverage table.
    #[serde(default)]
    pub covers: Vec<String>,
    /// Free words used by filters.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the target must support for the case to apply.
    #[serde(default)]
    pub requires: Requires,
    /// The bundled reference-server configuration the case needs (`cases/servers/NAME.yaml`).
    #[serde(default)]
    pub server: Option<Spanned<String>>,
    /// Case variables: name → template, rendered once, in order.
    #[serde(default)]
    pub vars: IndexMap<String, Value>,
    /// The steps, run in order; the first failing step stops the case.
    pub steps: Vec<Step>,
}

impl Case {
    /// The bundled server configuration this case runs on.
    pub fn server_name(&self) -> &str {
        self.server.as_ref().map_or("default", |s| s.value.as_str())
    }

    /// The case's own requirements plus what its level implies (`belgie` needs that flavour).
    pub fn effective_requires(&self) -> Requires {
        let mut requires = self.requires.clone();
        if self.level == Level::Belgie && requires.flavour.is_none() {
            requires.flavour = Some(OneOrMany::One("belgie".to_owned()));
        }
        requires
    }
}

/// How binding a requirement is.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// An RFC MUST: a failure is a failure.
    #[serde(rename = "MUST")]
    Must,
    /// An RFC SHOULD: a failure is reported as a warning.
    #[serde(rename = "SHOULD")]
    Should,
    /// A Belgie-specific detail; runs only on targets of the Belgie flavour.
    #[serde(rename = "belgie")]
    Belgie,
}

impl Level {
    /// The level as written in a case.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Must => "MUST",
            Self::Should => "SHOULD",
            Self::Belgie => "belgie",
        }
    }
}

/// A named, parameterised sequence of steps that cases call with `use:`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fragment {
    /// What the fragment does.
    pub description: String,
    /// Parameters: name → default template; `~` (null) marks a parameter the caller must give.
    #[serde(default)]
    pub params: IndexMap<String, Value>,
    /// The steps, run in the caller's scope plus the parameters.
    pub steps: Vec<Step>,
}
