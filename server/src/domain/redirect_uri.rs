//! Redirect URIs: the string as registered or sent, beside its parsed form, and the matching
//! rule of R.4 (exact string, any port for loopback IP literals, RFC 8252 §7.3).

use url::Url;

/// A redirect URI. Matching uses the original string; the parsed form is for building
/// redirects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectUri {
    original: String,
    parsed: Url,
}

/// Why a string is not usable as a redirect URI.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RedirectUriError {
    /// Not an absolute URL.
    #[error("not an absolute URI")]
    NotAbsolute,
    /// Carries a fragment, which RFC 6749 §3.1.2 forbids.
    #[error("must not contain a fragment")]
    Fragment,
}

impl RedirectUri {
    /// Parses an absolute URI without a fragment.
    pub fn parse(text: &str) -> Result<Self, RedirectUriError> {
        let parsed = Url::parse(text).map_err(|_| RedirectUriError::NotAbsolute)?;
        if parsed.fragment().is_some() {
            return Err(RedirectUriError::Fragment);
        }
        Ok(Self {
            original: text.to_owned(),
            parsed,
        })
    }

    /// The string exactly as registered or sent.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.parsed
    }

    /// Whether a requested URI (`self`) matches a registered one: the same string, or, when
    /// both are loopback IP literals, the same string apart from the port.
    pub fn matches_registered(&self, registered: &RedirectUri) -> bool {
        if self.original == registered.original {
            return true;
        }
        self.is_loopback_ip()
            && registered.is_loopback_ip()
            && without_port(&self.original) == without_port(&registered.original)
    }

    /// Whether the host is `127.0.0.1` or `[::1]` over plain http.
    pub fn is_loopback_ip(&self) -> bool {
        let loopback = match self.parsed.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            _ => false,
        };
        loopback && self.parsed.scheme() == "http"
    }
}

/// The URI text with the authority's `:port` removed, leaving every other character as sent.
fn without_port(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &text[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let host_end = authority.rfind(']').map_or(0, |i| i + 1);
    let host = match authority[host_end..].rfind(':') {
        Some(colon) => &authority[..host_end + colon],
        None => authority,
    };
    format!(
        "{}{}{}",
        &text[..authority_start],
        host,
        &rest[authority_len..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> RedirectUri {
        RedirectUri::parse(text).expect("valid uri")
    }

    #[test]
    fn exact_string_matches() {
        assert!(uri("https://app.example/cb").matches_registered(&uri("https://app.example/cb")));
    }

    #[test]
    fn normalised_forms_do_not_match() {
        let registered = uri("https://app.example/cb");
        assert!(!uri("https://APP.example/cb").matches_registered(&registered));
        assert!(!uri("https://app.example:443/cb").matches_registered(&registered));
        assert!(!uri("https://app.example/cb/").matches_registered(&registered));
    }

    #[test]
    fn loopback_ip_accepts_any_port() {
        let registered = uri("http://127.0.0.1/callback");
        assert!(uri("http://127.0.0.1:43123/callback").matches_registered(&registered));
        let v6 = uri("http://[::1]:8080/callback");
        assert!(uri("http://[::1]:9999/callback").matches_registered(&v6));
        assert!(!uri("http://127.0.0.1:43123/other").matches_registered(&registered));
    }

    #[test]
    fn localhost_is_not_a_loopback_ip() {
        let registered = uri("http://localhost/callback");
        assert!(!uri("http://localhost:43123/callback").matches_registered(&registered));
    }

    #[test]
    fn rejects_relative_and_fragment() {
        assert_eq!(
            RedirectUri::parse("/cb"),
            Err(RedirectUriError::NotAbsolute)
        );
        assert_eq!(
            RedirectUri::parse("https://a.example/cb#x"),
            Err(RedirectUriError::Fragment)
        );
    }
}
