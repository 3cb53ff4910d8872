//! Discovery: the endpoints a target's metadata documents name (RFC 8414 and OpenID Connect
//! Discovery), fetched once per target so cases can say `endpoint: token`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use url::Url;

/// The pseudo-endpoint naming the metadata document discovery read first.
pub const METADATA: &str = "metadata";

/// How long one discovery request may take.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The endpoints named by the target's metadata: `token_endpoint` → `token`, `jwks_uri` →
/// `jwks`, and `metadata`: the first metadata document that could be read. The OpenID
/// configuration wins where both documents name an endpoint.
pub async fn discover(issuer: &str) -> Result<BTreeMap<String, String>, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(DISCOVERY_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let mut endpoints = BTreeMap::new();
    let mut failures = Vec::new();
    for url in document_urls(issuer)? {
        match fetch(&client, &url).await {
            Ok(document) => {
                endpoints.extend(endpoints_of(&document));
                endpoints.entry(METADATA.to_owned()).or_insert(url);
            }
            Err(failure) => failures.push(format!("{url}: {failure}")),
        }
    }
    if endpoints.is_empty() {
        return Err(format!(
            "no metadata document could be read ({})",
            failures.join("; ")
        ));
    }
    Ok(endpoints)
}

/// RFC 8414 §3.1's path-inserted location, then OIDC Discovery §4's issuer-relative one.
fn document_urls(issuer: &str) -> Result<Vec<String>, String> {
    let parsed =
        Url::parse(issuer).map_err(|e| format!("the issuer `{issuer}` is not a URL: {e}"))?;
    let path = parsed.path().trim_end_matches('/');
    let origin = parsed.origin().ascii_serialization();
    Ok(vec![
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
        format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        ),
    ])
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<Value, String> {
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("status {}", status.as_u16()));
    }
    response
        .json::<Value>()
        .await
        .map_err(|e| format!("not JSON: {e}"))
}

fn endpoints_of(document: &Value) -> BTreeMap<String, String> {
    let Some(members) = document.as_object() else {
        return BTreeMap::new();
    };
    members
        .iter()
        .filter_map(|(key, value)| {
            let name = key
                .strip_suffix("_endpoint")
                .or_else(|| key.strip_suffix("_uri").filter(|n| *n == "jwks"))?;
            Some((name.to_owned(), value.as_str()?.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_path_inserted_location_comes_first() {
        let urls = document_urls("http://127.0.0.1:9/auth/oauth").unwrap();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:9/.well-known/oauth-authorization-server/auth/oauth",
                "http://127.0.0.1:9/auth/oauth/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn endpoint_members_become_names() {
        let document = json!({
            "issuer": "http://x",
            "token_endpoint": "http://x/token",
            "jwks_uri": "http://x/jwks",
            "op_policy_uri": "http://x/policy",
            "registration_endpoint": null,
        });
        let endpoints = endpoints_of(&document);
        assert_eq!(
            endpoints.get("token").map(String::as_str),
            Some("http://x/token")
        );
        assert_eq!(
            endpoints.get("jwks").map(String::as_str),
            Some("http://x/jwks")
        );
        assert_eq!(endpoints.len(), 2);
    }
}
