//! The protocol's nouns as types: identifiers, secrets, scopes, redirect URIs, PKCE values and
//! the opaque tokens the server mints. Nothing here performs I/O.

mod ids;
mod pkce;
mod redirect_uri;
mod scope;
mod secret;
mod time;
mod token;

pub use ids::{ClientId, GrantId, SessionId, UserId};
pub use pkce::{CodeChallenge, CodeVerifier, s256_challenge};
pub use redirect_uri::{RedirectUri, RedirectUriError};
pub use scope::Scopes;
pub use secret::Secret;
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
pub use token::{
    AccessToken, AuthorizationCode, BrowserBinding, PendingHandle, RefreshToken, TokenDigest,
    random_hex,
};
