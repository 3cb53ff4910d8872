//! Why settings could not be loaded: a located YAML mistake, an invalid setting, or a bad
//! environment variable. Each message names what to fix.

use std::fmt;

/// A configuration mistake. The message names the setting (or variable, or file position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The YAML text could not be read into settings.
    Yaml {
        /// Where the text came from (a file name).
        origin: String,
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// A setting has an unusable value.
    Invalid {
        /// The setting's path in the file, e.g. `oauth.redirect_uris`.
        setting: String,
        /// What is wrong.
        message: String,
    },
    /// An environment variable has an unusable value.
    Environment {
        /// The variable, e.g. `BELGIE_OAUTH_RESOURCES`.
        variable: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// An invalid setting.
    pub fn invalid(setting: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            setting: setting.into(),
            message: message.into(),
        }
    }

    /// A bad environment variable.
    pub fn environment(variable: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Environment {
            variable: variable.into(),
            message: message.into(),
        }
    }

    /// A YAML error from `origin`, with its position.
    pub(crate) fn yaml(origin: &str, error: &serde_saphyr::Error) -> Self {
        let location = error.location();
        Self::Yaml {
            origin: origin.to_owned(),
            line: location.map(|l| l.line()).filter(|&l| l > 0),
            column: location.map(|l| l.column()).filter(|&c| c > 0),
            message: yaml_message(error),
        }
    }

    /// The setting or variable this error is about, when it is about one.
    pub fn setting(&self) -> Option<&str> {
        match self {
            Self::Invalid { setting, .. } => Some(setting),
            Self::Environment { variable, .. } => Some(variable),
            Self::Yaml { .. } => None,
        }
    }
}

/// serde-saphyr's message without its `error: line L column C:` lead and source snippet (the
/// position is kept separately).
fn yaml_message(error: &serde_saphyr::Error) -> String {
    let rendered = error.to_string();
    let first = rendered.lines().next().unwrap_or_default().trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim_start();
    let first = match first.split_once(": ") {
        Some((lead, rest)) if lead.starts_with("line ") && lead.contains(" column ") => rest,
        _ => first,
    };
    first.to_owned()
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Yaml {
                origin,
                line,
                column,
                message,
            } => {
                write!(f, "{origin}")?;
                if let Some(line) = line {
                    write!(f, ":{line}")?;
                    if let Some(column) = column {
                        write!(f, ":{column}")?;
                    }
                }
                write!(f, ": {message}")
            }
            Self::Invalid { setting, message } => write!(f, "setting `{setting}`: {message}"),
            Self::Environment { variable, message } => {
                write!(f, "environment variable {variable}: {message}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}
