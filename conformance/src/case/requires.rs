//! Capabilities: what a target supports, and what a case requires of it. A case whose
//! requirements the target does not meet is not applicable, with the reason.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IntoDeserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// One value or a list of accepted values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OneOrMany<T> {
    /// A single accepted value.
    One(T),
    /// Any of these.
    Many(Vec<T>),
}

impl<T: PartialEq> OneOrMany<T> {
    /// Whether `value` is accepted.
    pub fn accepts(&self, value: &T) -> bool {
        match self {
            Self::One(one) => one == value,
            Self::Many(many) => many.contains(value),
        }
    }

    /// The accepted values.
    pub fn values(&self) -> Vec<&T> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many.iter().collect(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

/// Reads a list as `Many` and a scalar as `One`, keeping the element type's own error message
/// (an unknown variant names the valid ones) rather than "did not match any variant".
struct OneOrManyVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = seq.next_element()? {
            values.push(value);
        }
        Ok(OneOrMany::Many(values))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }
}

/// Who may register clients dynamically.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Registration {
    /// Registration is disabled.
    Off,
    /// Only a signed-in user may register.
    SignedIn,
    /// Anyone may register.
    Anonymous,
}

/// Whether the target has a protected resource configured for RFC 8707 `resource` values.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ResourceSupport {
    /// One resource is configured (its URL is the template value `resource`).
    Configured,
    /// No resource is configured.
    None,
}

/// How the target signs id_tokens.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum IdTokenSigning {
    /// HS256 with SHA-256 of the client secret (or of a fallback secret for public clients).
    Hs256Sha256Secret,
    /// Asymmetric keys published as a JWKS.
    Jwks,
}

/// What a target supports, as its profile declares it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// The product family: `belgie`, or another product's name.
    pub flavour: String,
    /// Who may register clients.
    pub registration: Registration,
    /// Whether a protected resource is configured.
    pub resource: ResourceSupport,
    /// Whether a signup page exists (`prompt=create`).
    pub signup: bool,
    /// Whether RP-initiated logout is enabled.
    pub end_session: bool,
    /// Whether a test user can sign in.
    pub login: bool,
    /// How id_tokens are signed.
    pub id_token_signing: IdTokenSigning,
    /// Whether the server publishes RFC 8414 metadata at the location derived from its issuer
    /// (an OpenID Provider may publish only OIDC Discovery).
    #[serde(default)]
    pub authorization_server_metadata: bool,
    /// Whether a protected resource publishes RFC 9728 metadata for the configured resource.
    #[serde(default)]
    pub protected_resource_metadata: bool,
    /// Whether this is the bundled reference server, which can take on any configuration a case
    /// names (expiring tokens at once, root fallbacks off, …); a deployment cannot.
    #[serde(default)]
    pub bundled: bool,
}

/// What a case requires of its target; every stated requirement must hold.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// Accepted product families.
    pub flavour: Option<OneOrMany<String>>,
    /// Accepted registration modes.
    pub registration: Option<OneOrMany<Registration>>,
    /// Whether a protected resource must (not) be configured.
    pub resource: Option<OneOrMany<ResourceSupport>>,
    /// Whether a signup page must (not) exist.
    pub signup: Option<bool>,
    /// Whether logout must (not) be enabled.
    pub end_session: Option<bool>,
    /// Whether a test user must be able to sign in.
    pub login: Option<bool>,
    /// Accepted id_token signing schemes.
    pub id_token_signing: Option<OneOrMany<IdTokenSigning>>,
    /// Whether RFC 8414 metadata must (not) be published.
    pub authorization_server_metadata: Option<bool>,
    /// Whether RFC 9728 metadata must (not) be published for the resource.
    pub protected_resource_metadata: Option<bool>,
    /// Whether the case needs the bundled server's configuration (`server:`) and cannot run
    /// against a deployment.
    pub bundled: Option<bool>,
}

impl Requires {
    /// Why `capabilities` do not meet these requirements, or `None` when they do.
    pub fn unmet(&self, capabilities: &Capabilities) -> Option<String> {
        let mut reasons = Vec::new();
        check(
            &mut reasons,
            "flavour",
            &self.flavour,
            &capabilities.flavour,
        );
        check(
            &mut reasons,
            "registration",
            &self.registration,
            &capabilities.registration,
        );
        check(
            &mut reasons,
            "resource",
            &self.resource,
            &capabilities.resource,
        );
        check_bool(&mut reasons, "signup", self.signup, capabilities.signup);
        check_bool(
            &mut reasons,
            "end_session",
            self.end_session,
            capabilities.end_session,
        );
        check_bool(&mut reasons, "login", self.login, capabilities.login);
        check_bool(
            &mut reasons,
            "authorization_server_metadata",
            self.authorization_server_metadata,
            capabilities.authorization_server_metadata,
        );
        check_bool(
            &mut reasons,
            "protected_resource_metadata",
            self.protected_resource_metadata,
            capabilities.protected_resource_metadata,
        );
        check_bool(&mut reasons, "bundled", self.bundled, capabilities.bundled);
        check(
            &mut reasons,
            "id_token_signing",
            &self.id_token_signing,
            &capabilities.id_token_signing,
        );
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }
}

fn check<T: PartialEq + Serialize>(
    reasons: &mut Vec<String>,
    name: &str,
    wanted: &Option<OneOrMany<T>>,
    has: &T,
) {
    let Some(wanted) = wanted else { return };
    if wanted.accepts(has) {
        return;
    }
    let wanted = wanted
        .values()
        .into_iter()
        .map(display)
        .collect::<Vec<_>>()
        .join(" or ");
    reasons.push(format!(
        "requires {name}: {wanted}; the target has {}",
        display(has)
    ));
}

fn check_bool(reasons: &mut Vec<String>, name: &str, wanted: Option<bool>, has: bool) {
    if let Some(wanted) = wanted.filter(|&wanted| wanted != has) {
        reasons.push(format!("requires {name}: {wanted}; the target has {has}"));
    }
}

fn display<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn belgie() -> Capabilities {
        Capabilities {
            flavour: "belgie".to_owned(),
            registration: Registration::Off,
            resource: ResourceSupport::None,
            signup: true,
            end_session: false,
            login: true,
            id_token_signing: IdTokenSigning::Hs256Sha256Secret,
            authorization_server_metadata: true,
            protected_resource_metadata: false,
            bundled: false,
        }
    }

    #[test]
    fn nothing_required_is_always_met() {
        assert_eq!(Requires::default().unmet(&belgie()), None);
    }

    #[test]
    fn a_list_accepts_any_member() {
        let requires = Requires {
            registration: Some(OneOrMany::Many(vec![
                Registration::Off,
                Registration::SignedIn,
            ])),
            ..Requires::default()
        };
        assert_eq!(requires.unmet(&belgie()), None);
    }

    #[test]
    fn every_unmet_requirement_is_named() {
        let requires = Requires {
            registration: Some(OneOrMany::One(Registration::Anonymous)),
            end_session: Some(true),
            ..Requires::default()
        };
        assert_eq!(
            requires.unmet(&belgie()).as_deref(),
            Some(
                "requires registration: anonymous; the target has off; \
                 requires end_session: true; the target has false"
            )
        );
    }
}
