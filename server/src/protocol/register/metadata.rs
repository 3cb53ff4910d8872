//! Reading a registration request's JSON body into typed client metadata (RFC 7591 §2, spec
//! §2.5.1 with R.1).
//!
//! The body is parsed to a [`serde_json::Value`] first and its members are then read one by one,
//! in the order of the spec's model, so that every problem names the member it is about
//! (`"<member>: <problem>"`, or `"<member>.<index>: <problem>"` inside a list) and the first
//! problem found is the one reported. Unknown members are ignored, and an explicit `null` reads
//! as an absent member. `enable_end_session` is never read (R.7 enables logout by setting).

use serde_json::{Map, Value};

use crate::domain::RedirectUri;
use crate::store::{AuthMethod, ClientMetadata};

/// The client metadata of a well-formed registration request.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientRequest {
    /// `redirect_uris`: at least one absolute URI without a fragment.
    pub redirect_uris: Vec<RedirectUri>,
    /// `token_endpoint_auth_method`, when sent.
    pub token_endpoint_auth_method: Option<AuthMethod>,
    /// `grant_types`, when sent.
    pub grant_types: Option<Vec<String>>,
    /// `response_types`, when sent.
    pub response_types: Option<Vec<String>>,
    /// `scope`, when sent (never defaulted, spec §2.5.1).
    pub scope: Option<String>,
    /// The descriptive members.
    pub metadata: ClientMetadata,
    /// `post_logout_redirect_uris`, when sent.
    pub post_logout_redirect_uris: Option<Vec<RedirectUri>>,
}

/// Why a body is not acceptable client metadata; each carries an `error_description`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// Not a JSON object at all (`invalid_request`).
    #[error("{0}")]
    Malformed(String),
    /// Something wrong with `redirect_uris` (`invalid_redirect_uri`).
    #[error("{0}")]
    RedirectUri(String),
    /// Any other member is wrong (`invalid_client_metadata`).
    #[error("{0}")]
    Metadata(String),
}

/// Parses a registration body.
pub fn parse(body: &[u8]) -> Result<ClientRequest, MetadataError> {
    let object = parse_object(body)?;
    let members = Members(&object);
    let redirect_uris = members.redirect_uris()?;
    let metadata = |e: String| MetadataError::Metadata(e);
    let request = ClientRequest {
        redirect_uris,
        token_endpoint_auth_method: members.auth_method().map_err(metadata)?,
        grant_types: members.strings("grant_types").map_err(metadata)?,
        response_types: members.strings("response_types").map_err(metadata)?,
        scope: members.string("scope").map_err(metadata)?,
        metadata: members.descriptive().map_err(metadata)?,
        post_logout_redirect_uris: members
            .uris("post_logout_redirect_uris")
            .map_err(metadata)?,
    };
    if request.metadata.jwks.is_some() && request.metadata.jwks_uri.is_some() {
        // RFC 7591 §2: the two "MUST NOT both be present".
        return Err(MetadataError::Metadata(
            "jwks and jwks_uri must not both be present".into(),
        ));
    }
    Ok(request)
}

/// Step 2's first half: the bytes must be one JSON object.
fn parse_object(body: &[u8]) -> Result<Map<String, Value>, MetadataError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(MetadataError::Malformed(
            "request body is empty; expected a JSON object".into(),
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(MetadataError::Malformed(
            "request body must be a JSON object".into(),
        )),
        Err(error) => Err(MetadataError::Malformed(format!(
            "request body is not valid JSON: {error}"
        ))),
    }
}

/// The members of the request object, read with the type each must have. Errors are the
/// `error_description` text.
struct Members<'a>(&'a Map<String, Value>);

impl Members<'_> {
    /// The member's value; `None` when absent or `null`.
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    fn redirect_uris(&self) -> Result<Vec<RedirectUri>, MetadataError> {
        let invalid = |e: String| MetadataError::RedirectUri(e);
        let Some(uris) = self.uris("redirect_uris").map_err(invalid)? else {
            return Err(invalid("redirect_uris: field required".into()));
        };
        if uris.is_empty() {
            return Err(invalid(
                "redirect_uris: must contain at least one URI".into(),
            ));
        }
        Ok(uris)
    }

    fn auth_method(&self) -> Result<Option<AuthMethod>, String> {
        let Some(name) = self.string("token_endpoint_auth_method")? else {
            return Ok(None);
        };
        match AuthMethod::parse(&name) {
            Some(method) => Ok(Some(method)),
            None => Err(format!("unsupported token_endpoint_auth_method: {name}")),
        }
    }

    fn descriptive(&self) -> Result<ClientMetadata, String> {
        Ok(ClientMetadata {
            client_name: self.string("client_name")?,
            client_uri: self.web_url("client_uri")?,
            logo_uri: self.web_url("logo_uri")?,
            contacts: self.strings("contacts")?,
            tos_uri: self.web_url("tos_uri")?,
            policy_uri: self.web_url("policy_uri")?,
            jwks_uri: self.web_url("jwks_uri")?,
            jwks: self.get("jwks").cloned(),
            software_id: self.string("software_id")?,
            software_version: self.string("software_version")?,
        })
    }

    fn string(&self, name: &str) -> Result<Option<String>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(format!("{name}: must be a string")),
        }
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, String> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(format!("{name}: must be an array of strings"));
        };
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let Value::String(text) = item else {
                return Err(format!("{name}.{index}: must be a string"));
            };
            out.push(text.clone());
        }
        Ok(Some(out))
    }

    /// A list of absolute URIs without fragments (redirect and post-logout redirect URIs).
    fn uris(&self, name: &str) -> Result<Option<Vec<RedirectUri>>, String> {
        let Some(texts) = self.strings(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(texts.len());
        for (index, text) in texts.iter().enumerate() {
            let uri = RedirectUri::parse(text).map_err(|e| format!("{name}.{index}: {e}"))?;
            out.push(uri);
        }
        Ok(Some(out))
    }

    /// An `http` or `https` URL, kept as sent.
    fn web_url(&self, name: &str) -> Result<Option<String>, String> {
        let Some(text) = self.string(name)? else {
            return Ok(None);
        };
        let is_web = url::Url::parse(&text)
            .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
        if !is_web {
            return Err(format!("{name}: must be an http or https URL"));
        }
        Ok(Some(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_json(value: Value) -> Result<ClientRequest, MetadataError> {
        parse(value.to_string().as_bytes())
    }

    fn redirect_error(value: Value) -> String {
        match parse_json(value) {
            Err(MetadataError::RedirectUri(text)) => text,
            other => panic!("expected invalid_redirect_uri, got {other:?}"),
        }
    }

    fn metadata_error(value: Value) -> String {
        match parse_json(value) {
            Err(MetadataError::Metadata(text)) => text,
            other => panic!("expected invalid_client_metadata, got {other:?}"),
        }
    }

    #[test]
    fn a_minimal_body_reads_with_nothing_defaulted() {
        let request = parse_json(json!({"redirect_uris": ["https://app.example/cb"]}))
            .expect("valid request");
        assert_eq!(request.redirect_uris[0].as_str(), "https://app.example/cb");
        assert_eq!(request.token_endpoint_auth_method, None);
        assert_eq!(request.grant_types, None);
        assert_eq!(request.scope, None);
        assert_eq!(request.metadata, ClientMetadata::default());
    }

    #[test]
    fn every_member_is_read_and_unknown_ones_ignored() {
        let request = parse_json(json!({
            "redirect_uris": ["https://app.example/cb", "http://127.0.0.1/cb"],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "scope": "user openid",
            "client_name": "App",
            "client_uri": "https://app.example",
            "logo_uri": "https://app.example/logo.png",
            "contacts": ["ops@app.example"],
            "tos_uri": "https://app.example/tos",
            "policy_uri": "http://app.example/policy",
            "jwks": {"keys": []},
            "software_id": "app",
            "software_version": "1.2",
            "post_logout_redirect_uris": ["https://app.example/bye"],
            "enable_end_session": true,
            "something_else": 42
        }))
        .expect("valid request");
        assert_eq!(
            request.token_endpoint_auth_method,
            Some(AuthMethod::ClientSecretBasic)
        );
        assert_eq!(request.scope.as_deref(), Some("user openid"));
        assert_eq!(
            request.metadata.contacts,
            Some(vec!["ops@app.example".into()])
        );
        assert_eq!(request.metadata.jwks, Some(json!({"keys": []})));
        assert_eq!(request.metadata.software_version.as_deref(), Some("1.2"));
        let logout = request.post_logout_redirect_uris.expect("logout URIs");
        assert_eq!(logout[0].as_str(), "https://app.example/bye");
    }

    #[test]
    fn null_members_read_as_absent() {
        let request = parse_json(json!({
            "redirect_uris": ["https://app.example/cb"],
            "token_endpoint_auth_method": null,
            "client_name": null,
            "jwks": null
        }))
        .expect("valid request");
        assert_eq!(request.token_endpoint_auth_method, None);
        assert_eq!(request.metadata.client_name, None);
        assert_eq!(request.metadata.jwks, None);
    }

    #[test]
    fn bodies_that_are_not_one_json_object_are_malformed() {
        for body in [
            &b""[..],
            b"  \n",
            b"{",
            b"not json",
            b"[]",
            b"\"text\"",
            b"null",
            b"\xff",
        ] {
            assert!(
                matches!(parse(body), Err(MetadataError::Malformed(_))),
                "body {body:?}"
            );
        }
    }

    #[test]
    fn redirect_uri_problems_name_the_member_and_index() {
        assert_eq!(redirect_error(json!({})), "redirect_uris: field required");
        assert_eq!(
            redirect_error(json!({"redirect_uris": null})),
            "redirect_uris: field required"
        );
        assert_eq!(
            redirect_error(json!({"redirect_uris": []})),
            "redirect_uris: must contain at least one URI"
        );
        assert_eq!(
            redirect_error(json!({"redirect_uris": "https://app.example/cb"})),
            "redirect_uris: must be an array of strings"
        );
        assert_eq!(
            redirect_error(json!({"redirect_uris": ["https://app.example/cb", 3]})),
            "redirect_uris.1: must be a string"
        );
        assert_eq!(
            redirect_error(json!({"redirect_uris": ["/cb"]})),
            "redirect_uris.0: not an absolute URI"
        );
        assert_eq!(
            redirect_error(json!({"redirect_uris": ["https://app.example/cb#top"]})),
            "redirect_uris.0: must not contain a fragment"
        );
    }

    #[test]
    fn redirect_uris_are_checked_before_any_other_member() {
        let text = redirect_error(json!({"token_endpoint_auth_method": "private_key_jwt"}));
        assert!(text.starts_with("redirect_uris:"));
    }

    #[test]
    fn unsupported_auth_methods_are_named() {
        let uris = json!(["https://app.example/cb"]);
        for method in [
            "private_key_jwt",
            "tls_client_auth",
            "client_secret_jwt",
            "NONE",
        ] {
            assert_eq!(
                metadata_error(
                    json!({"redirect_uris": uris, "token_endpoint_auth_method": method})
                ),
                format!("unsupported token_endpoint_auth_method: {method}")
            );
        }
        assert_eq!(
            metadata_error(json!({"redirect_uris": uris, "token_endpoint_auth_method": 1})),
            "token_endpoint_auth_method: must be a string"
        );
    }

    #[test]
    fn wrong_types_name_the_member() {
        let uris = json!(["https://app.example/cb"]);
        let cases = [
            ("client_name", json!(5), "client_name: must be a string"),
            ("scope", json!(["user"]), "scope: must be a string"),
            (
                "grant_types",
                json!("code"),
                "grant_types: must be an array of strings",
            ),
            (
                "response_types",
                json!([true]),
                "response_types.0: must be a string",
            ),
            (
                "contacts",
                json!({}),
                "contacts: must be an array of strings",
            ),
            ("software_id", json!(1.5), "software_id: must be a string"),
        ];
        for (member, value, expected) in cases {
            let mut body = json!({"redirect_uris": uris});
            body[member] = value;
            assert_eq!(metadata_error(body), expected);
        }
    }

    #[test]
    fn descriptive_urls_must_be_http_or_https() {
        let uris = json!(["https://app.example/cb"]);
        for member in [
            "client_uri",
            "logo_uri",
            "tos_uri",
            "policy_uri",
            "jwks_uri",
        ] {
            for bad in [
                "ftp://app.example/x",
                "javascript:alert(1)",
                "app.example",
                "",
            ] {
                let mut body = json!({"redirect_uris": uris});
                body[member] = json!(bad);
                assert_eq!(
                    metadata_error(body),
                    format!("{member}: must be an http or https URL")
                );
            }
        }
    }

    #[test]
    fn bad_post_logout_redirect_uris_are_client_metadata_errors() {
        let uris = json!(["https://app.example/cb"]);
        assert_eq!(
            metadata_error(json!({"redirect_uris": uris, "post_logout_redirect_uris": ["bye"]})),
            "post_logout_redirect_uris.0: not an absolute URI"
        );
        assert_eq!(
            metadata_error(json!({"redirect_uris": uris, "post_logout_redirect_uris": "x"})),
            "post_logout_redirect_uris: must be an array of strings"
        );
    }

    #[test]
    fn jwks_and_jwks_uri_together_are_refused() {
        assert_eq!(
            metadata_error(json!({
                "redirect_uris": ["https://app.example/cb"],
                "jwks": {"keys": []},
                "jwks_uri": "https://app.example/jwks"
            })),
            "jwks and jwks_uri must not both be present"
        );
    }
}
