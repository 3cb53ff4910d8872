//! Keeping secrets out of every output: the values a run learns are secret (client secrets,
//! passwords, captured codes, tokens and cookies) are replaced wherever they would be printed.

use std::sync::{Arc, RwLock};

/// Values shorter than this are not redacted: they would blank out ordinary words.
const SHORTEST_SECRET: usize = 6;

/// Whether a variable, JSON member or parameter with this name holds a secret: a token
/// (`access_token`, `refresh_token`, `id_token`, `id_token_hint`), a secret or password, a code,
/// a session, a PKCE verifier, a cookie. Names that only describe one (`token_type`,
/// `token_endpoint_auth_method`, `client_secret_expires_at`) do not.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let whole = ["code", "session", "verifier", "assertion", "id_token_hint"];
    let endings = [
        "token",
        "secret",
        "password",
        "cookie",
        "_code",
        "_session",
        "_verifier",
    ];
    whole.contains(&name.as_str()) || endings.iter().any(|ending| name.ends_with(ending))
}

/// The set of secret values seen so far; cheap to clone and share between threads.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Arc<RwLock<Vec<(String, String)>>>,
}

impl Redactor {
    /// An empty redactor.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new redactor that starts with this one's secrets and learns its own.
    pub fn child(&self) -> Self {
        Self {
            secrets: Arc::new(RwLock::new(self.snapshot())),
        }
    }

    /// Remembers `value` as a secret, printed as `[label]`.
    pub fn add(&self, label: &str, value: &str) {
        if value.len() < SHORTEST_SECRET {
            return;
        }
        let mut secrets = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        if secrets.iter().any(|(known, _)| known == value) {
            return;
        }
        secrets.push((value.to_owned(), format!("[{label}]")));
        secrets.sort_by_key(|(secret, _)| std::cmp::Reverse(secret.len()));
    }

    /// `text` with every known secret (and its form-urlencoded spelling) replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (secret, label) in self.snapshot() {
            text = text.replace(&secret, &label);
            let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            if encoded != secret {
                text = text.replace(&encoded, &label);
            }
        }
        text
    }

    /// Every known secret value with its placeholder, longest first.
    pub fn snapshot(&self) -> Vec<(String, String)> {
        self.secrets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_recognised() {
        for name in [
            "code",
            "access_token",
            "client_secret",
            "session",
            "refresh_token",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["state", "client_id", "scope", "error_code_hint", "nonce"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn known_values_and_their_encodings_are_replaced() {
        let redactor = Redactor::new();
        redactor.add("client_secret", "s3cret/value");
        let text = "Basic s3cret/value and s3cret%2Fvalue";
        assert_eq!(
            redactor.redact(text),
            "Basic [client_secret] and [client_secret]"
        );
    }

    #[test]
    fn short_values_are_left_alone_and_children_inherit() {
        let parent = Redactor::new();
        parent.add("password", "abc");
        parent.add("password", "longer-password");
        let child = parent.child();
        child.add("code", "the-code-value");
        assert_eq!(child.redact("abc longer-password"), "abc [password]");
        assert_eq!(parent.redact("the-code-value"), "the-code-value");
    }

    #[test]
    fn the_longest_secret_wins_when_one_contains_another() {
        let redactor = Redactor::new();
        redactor.add("short", "abcdefg");
        redactor.add("long", "abcdefghijk");
        assert_eq!(redactor.redact("abcdefghijk"), "[long]");
    }
}
