//! RFC 8707 resource indicators, strictly (spec §3, R.6): every `resource` value must be an
//! absolute URI without a fragment and exactly the configured resource URL; a resource cannot
//! be added or switched at the token endpoint; `openid` adds the userinfo URL to the audience.

use crate::config::ServerConfig;
use crate::domain::Scopes;
use crate::store::Audience;

/// A `resource` value that the server will not accept (`invalid_target`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid_target")]
pub struct InvalidTarget;

/// Checks the `resource` values of an authorization or client-credentials request and returns
/// the resource to bind: `None` when none was sent.
pub fn requested(config: &ServerConfig, values: &[&str]) -> Result<Option<String>, InvalidTarget> {
    let Some(configured) = &config.resource else {
        return if values.is_empty() {
            Ok(None)
        } else {
            Err(InvalidTarget)
        };
    };
    for value in values {
        if !is_absolute_without_fragment(value) || *value != configured.url {
            return Err(InvalidTarget);
        }
    }
    Ok((!values.is_empty()).then(|| configured.url.clone()))
}

/// Checks the `resource` values of a code or refresh exchange against the resource bound
/// earlier, and returns the resource the new tokens carry (the bound one).
pub fn at_exchange(
    config: &ServerConfig,
    values: &[&str],
    bound: Option<&str>,
) -> Result<Option<String>, InvalidTarget> {
    let asked = requested(config, values)?;
    match (asked, bound) {
        (None, bound) => Ok(bound.map(str::to_owned)),
        (Some(asked), Some(bound)) if asked == bound => Ok(Some(asked)),
        (Some(_), _) => Err(InvalidTarget),
    }
}

/// The access token's audience (spec §3.3): none, `"R"`, or `["R", "{I}/userinfo"]` with
/// `openid`.
pub fn audience(
    config: &ServerConfig,
    resource: Option<&str>,
    scopes: &Scopes,
) -> Option<Audience> {
    let resource = resource?.to_owned();
    if scopes.contains("openid") {
        Some(Audience::Many(vec![resource, config.userinfo_url()]))
    } else {
        Some(Audience::One(resource))
    }
}

fn is_absolute_without_fragment(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|url| url.fragment().is_none()) && !value.contains('#')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::fixture;

    #[test]
    fn authorize_accepts_only_the_configured_url() {
        let config = fixture::config();
        let r = "http://testserver/mcp";
        assert_eq!(requested(&config, &[]), Ok(None));
        assert_eq!(requested(&config, &[r]), Ok(Some(r.to_owned())));
        assert_eq!(requested(&config, &[r, r]), Ok(Some(r.to_owned())));
        for bad in [
            "http://testserver/mcp/",
            "http://TESTSERVER/mcp",
            "/mcp",
            "http://testserver/mcp#x",
            "",
        ] {
            assert_eq!(requested(&config, &[bad]), Err(InvalidTarget), "{bad}");
        }
        assert_eq!(
            requested(&config, &[r, "http://testserver/other"]),
            Err(InvalidTarget)
        );
    }

    #[test]
    fn no_configured_resource_refuses_every_value() {
        let mut config = fixture::config();
        config.resource = None;
        assert_eq!(
            requested(&config, &["http://testserver/mcp"]),
            Err(InvalidTarget)
        );
        assert_eq!(requested(&config, &[]), Ok(None));
    }

    #[test]
    fn exchange_cannot_add_or_switch_a_resource() {
        let config = fixture::config();
        let r = "http://testserver/mcp";
        assert_eq!(at_exchange(&config, &[], Some(r)), Ok(Some(r.to_owned())));
        assert_eq!(at_exchange(&config, &[], None), Ok(None));
        assert_eq!(at_exchange(&config, &[r], Some(r)), Ok(Some(r.to_owned())));
        assert_eq!(at_exchange(&config, &[r], None), Err(InvalidTarget));
        assert_eq!(
            at_exchange(&config, &["http://testserver/other"], Some(r)),
            Err(InvalidTarget)
        );
    }

    #[test]
    fn openid_adds_userinfo_to_the_audience() {
        let config = fixture::config();
        let r = Some("http://testserver/mcp");
        assert_eq!(
            audience(&config, None, &Scopes::split_dedup("openid")),
            None
        );
        assert_eq!(
            audience(&config, r, &Scopes::split_dedup("user")),
            Some(Audience::One("http://testserver/mcp".into()))
        );
        assert_eq!(
            audience(&config, r, &Scopes::split_dedup("user openid")),
            Some(Audience::Many(vec![
                "http://testserver/mcp".into(),
                "http://testserver/auth/oauth/userinfo".into()
            ]))
        );
    }
}
