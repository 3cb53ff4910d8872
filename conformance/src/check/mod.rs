//! The checks: pure comparisons of what a response holds against what a case expects, each
//! returning a [`Mismatch`] that says what was expected and what was found. No I/O here.

pub mod json_path;
pub mod jwt;
pub mod matcher;
pub mod redirect;

/// A failed check: which check, what was expected, what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The check, e.g. `json error` or `jwt claims.aud`.
    pub check: String,
    /// What the case expected, in words.
    pub expected: String,
    /// What the response held.
    pub actual: String,
}
