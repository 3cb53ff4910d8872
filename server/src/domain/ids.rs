//! Identifiers of clients, users, host sessions and grants.

use std::fmt;

/// A client identifier, compared as an exact string.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    /// Wraps a client id.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The id as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh registered-client id: `belgie_client_` + 16 hex (spec §2.5.2).
    pub fn generate() -> Self {
        Self(format!("belgie_client_{}", super::random_hex(8)))
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A fresh random id.
            pub fn generate() -> Self {
                Self(uuid::Uuid::new_v4())
            }

            /// Parses the hyphenated UUID form; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                uuid::Uuid::parse_str(text).ok().map(Self)
            }

            /// The underlying UUID.
            pub fn uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(value: uuid::Uuid) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A user of the host (a UUID, the `sub` claim).
    UserId
);
uuid_id!(
    /// A host session (a UUID: the `belgie_session` cookie value and the `sid` claim).
    SessionId
);
uuid_id!(
    /// One authorization grant: a code and every token descended from it share this id, so a
    /// replayed code or refresh token can revoke the whole family.
    GrantId
);
