//! Client authentication at the token, revocation and introspection endpoints (spec §2.4.2,
//! R.5, R.8): where the credentials come from, and whether they name a client the endpoint
//! accepts.
//!
//! Credentials come from the form's `client_id` and `client_secret`, unless an `Authorization`
//! header with the `Basic` scheme (any case) replaces both. Basic credentials are strict base64
//! of `id:secret`, each part form-urlencoded (RFC 6749 §2.3.1). A client is public when it has
//! no stored secret; a confidential client must present its secret. Every `invalid_client`
//! after a Basic attempt carries `WWW-Authenticate: Basic` (RFC 6749 §5.2).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::domain::{ClientId, Secret};
use crate::protocol::{Challenge, EndpointError, ErrorCode, OAuthError, Services};
use crate::store::Client;

/// What the request carried, before any decoding: the raw `Authorization` header and the form
/// fields. `Debug` shows the client id only.
#[derive(Clone, Copy, Default)]
pub struct Presented<'a> {
    /// The `Authorization` header's bytes, when sent.
    pub authorization: Option<&'a [u8]>,
    /// The form's `client_id`.
    pub client_id: Option<&'a str>,
    /// The form's `client_secret`.
    pub client_secret: Option<&'a str>,
}

impl std::fmt::Debug for Presented<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presented")
            .field("authorization", &redacted(self.authorization))
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(self.client_secret))
            .finish()
    }
}

/// `<redacted>` in place of a secret value that is present.
pub fn redacted<T>(value: Option<T>) -> Option<&'static str> {
    value.map(|_| "<redacted>")
}

/// The credentials a request presents, decoded.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// The client id; `None` when absent or empty.
    pub client_id: Option<ClientId>,
    /// The secret; `None` when absent or empty.
    pub secret: Option<Secret>,
    /// Whether they came from an `Authorization: Basic` header.
    pub via_basic: bool,
}

/// Which clients an endpoint accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Public clients identify with `client_id` alone; confidential ones need their secret
    /// (authorization code and refresh grants; revocation, R.8).
    AnyClient,
    /// Only a confidential client with its secret (client credentials, introspection).
    Confidential,
}

/// Why a client was not authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientAuthError {
    /// 401 `invalid_client`, with the Basic challenge when Basic was attempted.
    #[error("invalid_client")]
    InvalidClient {
        /// Whether the request used (or tried to use) `Authorization: Basic`.
        basic_attempted: bool,
    },
    /// Storage failed.
    #[error("storage failed")]
    Storage,
}

impl EndpointError for ClientAuthError {
    fn to_oauth(&self) -> OAuthError {
        match self {
            Self::InvalidClient { basic_attempted } => OAuthError::unauthorized(
                ErrorCode::InvalidClient,
                None,
                basic_attempted.then_some(Challenge::Basic),
            ),
            Self::Storage => OAuthError::server_error(),
        }
    }
}

/// Decodes the presented credentials. A Basic header replaces the form's values; a Basic
/// header that is not strict base64 of UTF-8 `id:secret` with a non-empty id is
/// `invalid_client` (with the challenge). Headers of other schemes are ignored.
pub fn extract(presented: Presented<'_>) -> Result<Credentials, ClientAuthError> {
    if let Some(payload) = presented.authorization.and_then(basic_payload) {
        return decode_basic(payload).ok_or(ClientAuthError::InvalidClient {
            basic_attempted: true,
        });
    }
    Ok(Credentials {
        client_id: non_empty(presented.client_id).map(ClientId::new),
        secret: non_empty(presented.client_secret).map(Secret::new),
        via_basic: false,
    })
}

/// Authenticates the extracted credentials against the stored client.
pub async fn authenticate(
    services: &Services,
    credentials: &Credentials,
    requirement: Requirement,
) -> Result<Client, ClientAuthError> {
    let rejected = ClientAuthError::InvalidClient {
        basic_attempted: credentials.via_basic,
    };
    let Some(client_id) = &credentials.client_id else {
        tracing::debug!("client authentication failed: no client_id");
        return Err(rejected);
    };
    let client = services
        .store
        .client(client_id)
        .await
        .map_err(|_| ClientAuthError::Storage)?;
    let Some(client) = client else {
        tracing::debug!(client_id = %client_id, "client authentication failed: unknown client");
        return Err(rejected);
    };

    if accepts(&client, credentials.secret.as_ref(), requirement) {
        Ok(client)
    } else {
        tracing::debug!(client_id = %client_id, "client authentication failed: credentials");
        Err(rejected)
    }
}

/// [`extract`] then [`authenticate`].
pub async fn authenticate_presented(
    services: &Services,
    presented: Presented<'_>,
    requirement: Requirement,
) -> Result<Client, ClientAuthError> {
    let credentials = extract(presented)?;
    authenticate(services, &credentials, requirement).await
}

/// The rows of spec §2.4.2's authentication table.
fn accepts(client: &Client, presented: Option<&Secret>, requirement: Requirement) -> bool {
    match (&client.client_secret, presented) {
        (None, Some(_)) => false,
        (None, None) => requirement == Requirement::AnyClient,
        (Some(_), None) => false,
        (Some(stored), Some(presented)) => stored.matches(presented.expose()),
    }
}

/// The token after `Basic ` when the header uses the Basic scheme (case-insensitively).
fn basic_payload(header: &[u8]) -> Option<&[u8]> {
    let scheme_end = header
        .iter()
        .position(|b| *b == b' ')
        .unwrap_or(header.len());
    let (scheme, rest) = header.split_at(scheme_end);
    scheme
        .eq_ignore_ascii_case(b"basic")
        .then(|| rest.trim_ascii())
}

/// Strict base64 → UTF-8 → split at the first `:` → form-urlencoding decoding of each part.
fn decode_basic(payload: &[u8]) -> Option<Credentials> {
    let decoded = STANDARD.decode(payload).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = form_decode(id)?;
    let secret = form_decode(secret)?;
    if id.is_empty() {
        return None;
    }
    Some(Credentials {
        client_id: Some(ClientId::new(id)),
        secret: (!secret.is_empty()).then(|| Secret::new(secret)),
        via_basic: true,
    })
}

/// Decodes one `application/x-www-form-urlencoded` value: `+` is a space, `%XX` a byte. A `%`
/// not followed by two hex digits stays as it is; bytes that are not UTF-8 fail.
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i + 1..i + 3) {
            Some([high, low]) if bytes[i] == b'%' => hex_pair(*high, *low),
            _ => None,
        };
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (other, None) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex_pair(high: u8, low: u8) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    let value = digit(high)? * 16 + digit(low)?;
    u8::try_from(value).ok()
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::fixture;

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    fn header(value: &str) -> Presented<'_> {
        Presented {
            authorization: Some(value.as_bytes()),
            ..Presented::default()
        }
    }

    fn form<'a>(id: Option<&'a str>, secret: Option<&'a str>) -> Presented<'a> {
        Presented {
            authorization: None,
            client_id: id,
            client_secret: secret,
        }
    }

    fn id_and_secret(credentials: &Credentials) -> (Option<&str>, Option<&str>) {
        (
            credentials.client_id.as_ref().map(ClientId::as_str),
            credentials.secret.as_ref().map(Secret::expose),
        )
    }

    const MALFORMED: ClientAuthError = ClientAuthError::InvalidClient {
        basic_attempted: true,
    };

    #[test]
    fn form_fields_are_used_when_there_is_no_basic_header() {
        let credentials = extract(form(Some("test-client"), Some("test-secret"))).unwrap();
        assert_eq!(
            id_and_secret(&credentials),
            (Some("test-client"), Some("test-secret"))
        );
        assert!(!credentials.via_basic);

        let empty = extract(form(Some(""), Some(""))).unwrap();
        assert_eq!(id_and_secret(&empty), (None, None));
    }

    #[test]
    fn basic_replaces_the_form_and_any_scheme_case_is_accepted() {
        for scheme in ["Basic", "basic", "BASIC"] {
            let value = basic("test-client", "test-secret").replacen("Basic", scheme, 1);
            let presented = Presented {
                client_id: Some("other"),
                client_secret: Some("other-secret"),
                ..header(&value)
            };
            let credentials = extract(presented).unwrap();
            assert_eq!(
                id_and_secret(&credentials),
                (Some("test-client"), Some("test-secret")),
                "{scheme}"
            );
            assert!(credentials.via_basic);
        }
    }

    #[test]
    fn basic_parts_are_form_urlencoding_decoded() {
        let credentials = extract(header(&basic("my%3Aclient", "p%40ss+word%2B%zz"))).unwrap();
        assert_eq!(
            id_and_secret(&credentials),
            (Some("my:client"), Some("p@ss word+%zz"))
        );
    }

    #[test]
    fn basic_splits_at_the_first_colon_and_allows_an_empty_secret() {
        let credentials = extract(header(&basic("id", "a:b"))).unwrap();
        assert_eq!(id_and_secret(&credentials), (Some("id"), Some("a:b")));
        let public = extract(header(&basic("public-client", ""))).unwrap();
        assert_eq!(id_and_secret(&public), (Some("public-client"), None));
    }

    #[test]
    fn malformed_basic_is_invalid_client_with_the_challenge() {
        let no_colon = format!("Basic {}", STANDARD.encode("test-client"));
        let empty_id = basic("", "test-secret");
        let unpadded = basic("test-client", "x").trim_end_matches('=').to_owned();
        let not_utf8 = format!("Basic {}", STANDARD.encode([0xff, b':', b'a']));
        let bad_escape = basic("%ff", "x");
        for value in [
            "Basic",
            "Basic ",
            "Basic !!!!",
            no_colon.as_str(),
            empty_id.as_str(),
            unpadded.as_str(),
            not_utf8.as_str(),
            bad_escape.as_str(),
        ] {
            assert_eq!(extract(header(value)).unwrap_err(), MALFORMED, "{value}");
        }
        let not_ascii = Presented {
            authorization: Some(b"Basic \xff\xfe"),
            ..Presented::default()
        };
        assert_eq!(extract(not_ascii).unwrap_err(), MALFORMED);
    }

    #[test]
    fn other_schemes_are_ignored() {
        let presented = Presented {
            client_id: Some("test-client"),
            ..header("Bearer abc")
        };
        let credentials = extract(presented).unwrap();
        assert_eq!(id_and_secret(&credentials), (Some("test-client"), None));
        assert!(!credentials.via_basic);
        assert!(extract(header("Basicx abc")).is_ok());
    }

    async fn services_with_public_client() -> Services {
        let (services, _clock) = fixture::services().await;
        let mut public = fixture::static_client();
        public.client_id = ClientId::new("public-client");
        public.client_secret = None;
        services.store.upsert_client(public).await.unwrap();
        services
    }

    async fn outcome(
        services: &Services,
        id: Option<&str>,
        secret: Option<&str>,
        requirement: Requirement,
    ) -> Result<String, ClientAuthError> {
        authenticate_presented(services, form(id, secret), requirement)
            .await
            .map(|client| client.client_id.as_str().to_owned())
    }

    #[tokio::test]
    async fn the_authentication_table_of_spec_2_4_2() {
        use Requirement::{AnyClient, Confidential};
        let services = services_with_public_client().await;
        let rejected = Err(ClientAuthError::InvalidClient {
            basic_attempted: false,
        });
        let cases: [(Option<&str>, Option<&str>, Requirement, bool); 10] = [
            (None, None, AnyClient, false),
            (None, Some("test-secret"), AnyClient, false),
            (Some("wrong"), Some("test-secret"), AnyClient, false),
            (Some("public-client"), None, Confidential, false),
            (Some("public-client"), Some("anything"), AnyClient, false),
            (Some("public-client"), Some(""), AnyClient, true),
            (Some("public-client"), None, AnyClient, true),
            (Some("test-client"), None, AnyClient, false),
            (Some("test-client"), Some("test-secre"), Confidential, false),
            (Some("test-client"), Some("test-secret"), Confidential, true),
        ];
        for (id, secret, requirement, accepted) in cases {
            let result = outcome(&services, id, secret, requirement).await;
            if accepted {
                assert_eq!(result.as_deref(), Ok(id.unwrap()), "{id:?} {requirement:?}");
            } else {
                assert_eq!(result, rejected, "{id:?} {secret:?} {requirement:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_failure_after_basic_carries_the_challenge_and_others_do_not() {
        let services = services_with_public_client().await;
        let wrong = basic("test-client", "wrong");
        let error = authenticate_presented(&services, header(&wrong), Requirement::AnyClient)
            .await
            .unwrap_err();
        assert_eq!(
            error.to_oauth().reply,
            crate::protocol::Reply::Unauthorized(Some(Challenge::Basic))
        );

        let error = authenticate_presented(
            &services,
            form(Some("test-client"), Some("wrong")),
            Requirement::AnyClient,
        )
        .await
        .unwrap_err();
        let oauth = error.to_oauth();
        assert_eq!(oauth.reply, crate::protocol::Reply::Unauthorized(None));
        assert_eq!(oauth.code, ErrorCode::InvalidClient);
        assert_eq!(oauth.description, None);
    }

    #[tokio::test]
    async fn the_registered_auth_method_is_not_enforced() {
        let services = services_with_public_client().await;
        let mut post_only = fixture::static_client();
        post_only.token_endpoint_auth_method = Some(crate::store::AuthMethod::ClientSecretPost);
        services.store.upsert_client(post_only).await.unwrap();
        let value = basic("test-client", "test-secret");
        let client = authenticate_presented(&services, header(&value), Requirement::Confidential)
            .await
            .unwrap();
        assert_eq!(client.client_id.as_str(), "test-client");
    }
}
