//! `oauth-conformance`: a YAML-driven conformance harness for OAuth 2.1 authorization servers.
//!
//! One run, as data flows: [`load`] reads the case library (every mistake located in its file),
//! [`target`] says what is being checked and starts the bundled reference server when that is
//! the target, [`runner`] replays each case's steps and checks the answers, and [`report`]
//! turns the results into a summary and an exit code.

pub mod case;
pub mod check;
pub mod exchange;
pub mod load;
pub mod outcome;
pub mod redact;
pub mod report;
pub mod runner;
pub mod snapshot;
pub mod target;
pub mod template;
