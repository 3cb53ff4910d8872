//! What the store keeps: clients, pending authorizations, codes, tokens, users and sessions.
//!
//! Tokens and codes are identified by their [`TokenDigest`]; the values themselves are never
//! stored.

use crate::domain::{
    ClientId, CodeChallenge, GrantId, RedirectUri, Scopes, Secret, SessionId, Timestamp,
    TokenDigest, UserId,
};

/// How a client authenticates at the token endpoint (RFC 7591 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// A public client: no secret.
    None,
    /// `client_secret` in the form body.
    ClientSecretPost,
    /// HTTP Basic.
    ClientSecretBasic,
}

impl AuthMethod {
    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretPost => "client_secret_post",
            Self::ClientSecretBasic => "client_secret_basic",
        }
    }

    /// Parses a registered name; `None` for methods this server does not support.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "none" => Some(Self::None),
            "client_secret_post" => Some(Self::ClientSecretPost),
            "client_secret_basic" => Some(Self::ClientSecretBasic),
            _ => None,
        }
    }
}

/// Descriptive client metadata that is stored and echoed but drives no rule (RFC 7591 §2).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientMetadata {
    /// `client_name`.
    pub client_name: Option<String>,
    /// `client_uri`.
    pub client_uri: Option<String>,
    /// `logo_uri`.
    pub logo_uri: Option<String>,
    /// `contacts`.
    pub contacts: Option<Vec<String>>,
    /// `tos_uri`.
    pub tos_uri: Option<String>,
    /// `policy_uri`.
    pub policy_uri: Option<String>,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// `jwks`.
    pub jwks: Option<serde_json::Value>,
    /// `software_id`.
    pub software_id: Option<String>,
    /// `software_version`.
    pub software_version: Option<String>,
}

/// A client: the static one, a seeded one or a registered one.
#[derive(Clone, Debug)]
pub struct Client {
    /// The id.
    pub client_id: ClientId,
    /// The secret; `None` makes the client public (spec §2.4.2).
    pub client_secret: Option<Secret>,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<RedirectUri>,
    /// The registered method; `None` for the static client, which records none (spec §1.2).
    pub token_endpoint_auth_method: Option<AuthMethod>,
    /// Registered grant types (stored, not enforced: spec §7 item 10).
    pub grant_types: Vec<String>,
    /// Registered response types (stored, not enforced).
    pub response_types: Vec<String>,
    /// The registered scope string; `None` when the client registered none.
    pub scope: Option<String>,
    /// Descriptive metadata.
    pub metadata: ClientMetadata,
    /// Registered post-logout redirect URIs.
    pub post_logout_redirect_uris: Option<Vec<RedirectUri>>,
    /// When a registered client was issued its id.
    pub client_id_issued_at: Option<Timestamp>,
    /// Whether RP-initiated logout is enabled for it (R.7).
    pub enable_end_session: bool,
}

impl Client {
    /// A client is public when it has no secret (spec §2.4.2).
    pub fn is_public(&self) -> bool {
        self.client_secret.is_none()
    }
}

/// What the user is sent to sign in for (spec §2.2.1 `prompt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// The login page.
    Login,
    /// The signup page (`prompt=create`).
    Create,
}

impl Intent {
    /// The `intent` query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Create => "create",
        }
    }
}

/// An authorization request waiting for the user to sign in (spec §2.2.3, R.3).
#[derive(Clone, Debug)]
pub struct PendingAuthorization {
    /// Digest of the server-generated handle.
    pub handle: TokenDigest,
    /// Digest of the browser-binding cookie of the user agent that began it.
    pub browser: TokenDigest,
    /// The client.
    pub client_id: ClientId,
    /// The redirect URI the code will be sent to (as sent, or the single registered one).
    pub redirect_uri: RedirectUri,
    /// Whether `redirect_uri` was sent explicitly (then the token request must repeat it).
    pub redirect_uri_explicit: bool,
    /// Requested scopes.
    pub scopes: Scopes,
    /// The PKCE challenge (S256).
    pub code_challenge: CodeChallenge,
    /// The bound resource, when `resource` was sent.
    pub resource: Option<String>,
    /// `nonce`, copied into the id_token.
    pub nonce: Option<String>,
    /// The normalised `prompt` value.
    pub prompt: Option<String>,
    /// Login or signup.
    pub intent: Intent,
    /// The client's `state`, echoed only when it sent one.
    pub state: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops being usable; `None` when `state_ttl_seconds` ≤ 0 disables expiry.
    pub expires_at: Option<Timestamp>,
}

/// An issued authorization code.
#[derive(Clone, Debug)]
pub struct CodeGrant {
    /// Digest of the code.
    pub digest: TokenDigest,
    /// The grant every token from this code belongs to.
    pub grant_id: GrantId,
    /// The client.
    pub client_id: ClientId,
    /// The redirect URI used at authorize.
    pub redirect_uri: RedirectUri,
    /// Whether authorize had an explicit `redirect_uri`.
    pub redirect_uri_explicit: bool,
    /// Granted scopes.
    pub scopes: Scopes,
    /// The PKCE challenge.
    pub code_challenge: CodeChallenge,
    /// The bound resource.
    pub resource: Option<String>,
    /// The nonce for the id_token.
    pub nonce: Option<String>,
    /// The signed-in user.
    pub user_id: UserId,
    /// The host session the user signed in with.
    pub session_id: SessionId,
    /// Issue time.
    pub issued_at: Timestamp,
    /// Expiry.
    pub expires_at: Timestamp,
}

/// A code as the store sees it: still redeemable, or already redeemed (kept to detect replay).
#[derive(Clone, Debug)]
pub struct CodeEntry {
    /// The code's data.
    pub grant: CodeGrant,
    /// Whether a token request has already redeemed it.
    pub redeemed: bool,
}

/// The audience of an access token (spec §3.3): one resource, or the resource plus userinfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// `"R"`.
    One(String),
    /// `["R", "{I}/userinfo"]`.
    Many(Vec<String>),
}

/// An issued access token.
#[derive(Clone, Debug)]
pub struct AccessTokenRecord {
    /// Digest of the token.
    pub digest: TokenDigest,
    /// The grant it descends from; `None` for client credentials.
    pub grant_id: Option<GrantId>,
    /// The client.
    pub client_id: ClientId,
    /// Scopes.
    pub scopes: Scopes,
    /// Audience, when a resource was bound.
    pub audience: Option<Audience>,
    /// The user; `None` for client credentials.
    pub user_id: Option<UserId>,
    /// The host session.
    pub session_id: Option<SessionId>,
    /// Issue time.
    pub issued_at: Timestamp,
    /// Expiry.
    pub expires_at: Timestamp,
}

/// An issued refresh token.
#[derive(Clone, Debug)]
pub struct RefreshTokenRecord {
    /// Digest of the token.
    pub digest: TokenDigest,
    /// The grant it descends from.
    pub grant_id: GrantId,
    /// The client.
    pub client_id: ClientId,
    /// Scopes.
    pub scopes: Scopes,
    /// The plain bound resource (spec §3.3).
    pub resource: Option<String>,
    /// The user.
    pub user_id: UserId,
    /// The host session.
    pub session_id: SessionId,
    /// Issue time.
    pub issued_at: Timestamp,
    /// Expiry.
    pub expires_at: Timestamp,
}

/// A refresh token as the store sees it: current, or already rotated (kept to detect reuse).
#[derive(Clone, Debug)]
pub struct RefreshEntry {
    /// The token's data.
    pub record: RefreshTokenRecord,
    /// Whether it has been exchanged already.
    pub rotated: bool,
}

/// A host user.
#[derive(Clone, Debug)]
pub struct User {
    /// The id (`sub`).
    pub id: UserId,
    /// E-mail address, unique, compared case-insensitively.
    pub email: String,
    /// The memory-hard password hash (PHC string).
    pub password_hash: String,
    /// Display name.
    pub name: Option<String>,
    /// Picture URL.
    pub image: Option<String>,
    /// When the e-mail address was verified.
    pub email_verified_at: Option<Timestamp>,
}

/// A host session (the `belgie_session` cookie).
#[derive(Clone, Debug)]
pub struct Session {
    /// The id, also the cookie value.
    pub id: SessionId,
    /// The signed-in user.
    pub user_id: UserId,
    /// When it began.
    pub created_at: Timestamp,
    /// When it ends unless refreshed.
    pub expires_at: Timestamp,
}
