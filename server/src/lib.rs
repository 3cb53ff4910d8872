//! `oauth-reference-server`: an OAuth 2.1 authorization server with the observable behaviour of
//! Belgie's OAuth server (`shared/spec/belgie-core.md`), departing from it where section R of
//! that spec says, usable as a library (the conformance harness embeds it) and as a binary.

pub mod app;
pub mod config;
pub mod domain;
pub mod host;
pub mod http;
pub mod protocol;
pub mod running;
pub mod store;

pub use app::App;
pub use config::{ConfigError, Settings};
pub use running::{RunningServer, spawn, spawn_on};
