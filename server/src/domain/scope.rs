//! An ordered list of scope tokens, as requested or granted.

/// Scope tokens in the order they were given; duplicates are kept unless a rule removes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(pub Vec<String>);

impl Scopes {
    /// Splits on single spaces, keeping empty tokens from doubled spaces (authorize, spec §2.2.2
    /// row 7, where an empty token is a scope the client cannot have).
    pub fn split_keeping_empty(text: &str) -> Self {
        Self(text.split(' ').map(str::to_owned).collect())
    }

    /// Splits on whitespace and drops repeats, keeping the first occurrence (token endpoint,
    /// spec §2.4.4).
    pub fn split_dedup(text: &str) -> Self {
        let mut out: Vec<String> = Vec::new();
        for token in text.split_whitespace() {
            if !out.iter().any(|t| t == token) {
                out.push(token.to_owned());
            }
        }
        Self(out)
    }

    /// Whether `scope` is among the tokens.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    /// The tokens joined by single spaces, as in a token response.
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }

    /// The tokens.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_split_keeps_the_empty_token() {
        assert_eq!(
            Scopes::split_keeping_empty("user  openid").0,
            ["user", "", "openid"]
        );
    }

    #[test]
    fn token_split_removes_repeats() {
        assert_eq!(
            Scopes::split_dedup("user openid user").joined(),
            "user openid"
        );
    }
}
