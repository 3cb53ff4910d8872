//! The JSON documents that hold the parts of a record no query filters on, and their
//! conversion to and from the store's records. Nothing secret is in a document: client secrets
//! and session ids live in sealed columns, codes and tokens only as digests in key columns.

use serde::{Deserialize, Serialize};

use crate::domain::{ClientId, CodeChallenge, RedirectUri, Scopes, Timestamp, TokenDigest, UserId};
use crate::store::{
    AccessTokenRecord, Audience, AuthMethod, Client, ClientMetadata, Intent, PendingAuthorization,
    StoreError, StoreResult, User,
};

/// A stored value that no longer reads back: a bug or a hand-edited row.
pub(super) fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} does not read back"))
}

/// A document as JSON text.
pub(super) fn to_text<T: Serialize>(document: &T) -> StoreResult<String> {
    serde_json::to_string(document).map_err(|_| corrupt("document"))
}

/// A document from JSON text.
pub(super) fn from_text<T: for<'de> Deserialize<'de>>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|_| corrupt("document"))
}

fn uri(text: &str) -> StoreResult<RedirectUri> {
    RedirectUri::parse(text).map_err(|_| corrupt("redirect URI"))
}

fn uris(texts: &[String]) -> StoreResult<Vec<RedirectUri>> {
    texts.iter().map(|text| uri(text)).collect()
}

fn texts(uris: &[RedirectUri]) -> Vec<String> {
    uris.iter().map(|u| u.as_str().to_owned()).collect()
}

/// A UUID column or member.
pub(super) fn uuid<T: From<uuid::Uuid>>(text: &str) -> StoreResult<T> {
    uuid::Uuid::parse_str(text)
        .map(T::from)
        .map_err(|_| corrupt("identifier"))
}

/// A digest key column.
pub(super) fn digest(bytes: &[u8]) -> StoreResult<TokenDigest> {
    bytes
        .try_into()
        .map(TokenDigest)
        .map_err(|_| corrupt("digest"))
}

/// A client without its secret.
#[derive(Serialize, Deserialize)]
pub(super) struct ClientDocument {
    redirect_uris: Vec<String>,
    token_endpoint_auth_method: Option<String>,
    grant_types: Vec<String>,
    response_types: Vec<String>,
    scope: Option<String>,
    client_name: Option<String>,
    client_uri: Option<String>,
    logo_uri: Option<String>,
    contacts: Option<Vec<String>>,
    tos_uri: Option<String>,
    policy_uri: Option<String>,
    jwks_uri: Option<String>,
    jwks: Option<serde_json::Value>,
    software_id: Option<String>,
    software_version: Option<String>,
    post_logout_redirect_uris: Option<Vec<String>>,
    client_id_issued_at: Option<i64>,
    enable_end_session: bool,
}

impl ClientDocument {
    /// Everything of `client` but its id and secret.
    pub(super) fn of(client: &Client) -> Self {
        let m = &client.metadata;
        Self {
            redirect_uris: texts(&client.redirect_uris),
            token_endpoint_auth_method: client
                .token_endpoint_auth_method
                .map(|method| method.as_str().to_owned()),
            grant_types: client.grant_types.clone(),
            response_types: client.response_types.clone(),
            scope: client.scope.clone(),
            client_name: m.client_name.clone(),
            client_uri: m.client_uri.clone(),
            logo_uri: m.logo_uri.clone(),
            contacts: m.contacts.clone(),
            tos_uri: m.tos_uri.clone(),
            policy_uri: m.policy_uri.clone(),
            jwks_uri: m.jwks_uri.clone(),
            jwks: m.jwks.clone(),
            software_id: m.software_id.clone(),
            software_version: m.software_version.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.as_deref().map(texts),
            client_id_issued_at: client.client_id_issued_at.map(|at| at.0),
            enable_end_session: client.enable_end_session,
        }
    }

    /// The client, given its id and (opened) secret.
    pub(super) fn into_client(
        self,
        client_id: ClientId,
        client_secret: Option<crate::domain::Secret>,
    ) -> StoreResult<Client> {
        let method = match self.token_endpoint_auth_method.as_deref() {
            Some(name) => Some(AuthMethod::parse(name).ok_or_else(|| corrupt("auth method"))?),
            None => None,
        };
        let post_logout = match &self.post_logout_redirect_uris {
            Some(list) => Some(uris(list)?),
            None => None,
        };
        Ok(Client {
            client_id,
            client_secret,
            redirect_uris: uris(&self.redirect_uris)?,
            token_endpoint_auth_method: method,
            grant_types: self.grant_types,
            response_types: self.response_types,
            scope: self.scope,
            metadata: ClientMetadata {
                client_name: self.client_name,
                client_uri: self.client_uri,
                logo_uri: self.logo_uri,
                contacts: self.contacts,
                tos_uri: self.tos_uri,
                policy_uri: self.policy_uri,
                jwks_uri: self.jwks_uri,
                jwks: self.jwks,
                software_id: self.software_id,
                software_version: self.software_version,
            },
            post_logout_redirect_uris: post_logout,
            client_id_issued_at: self.client_id_issued_at.map(Timestamp),
            enable_end_session: self.enable_end_session,
        })
    }
}

/// A pending authorization without its handle and expiry (key columns).
#[derive(Serialize, Deserialize)]
pub(super) struct PendingDocument {
    browser: String,
    client_id: String,
    redirect_uri: String,
    redirect_uri_explicit: bool,
    scopes: Vec<String>,
    code_challenge: String,
    resource: Option<String>,
    nonce: Option<String>,
    prompt: Option<String>,
    create: bool,
    state: Option<String>,
    created_at: i64,
}

impl PendingDocument {
    /// The document of `pending`.
    pub(super) fn of(pending: &PendingAuthorization) -> Self {
        Self {
            browser: hex::encode(pending.browser.0),
            client_id: pending.client_id.as_str().to_owned(),
            redirect_uri: pending.redirect_uri.as_str().to_owned(),
            redirect_uri_explicit: pending.redirect_uri_explicit,
            scopes: pending.scopes.0.clone(),
            code_challenge: pending.code_challenge.0.clone(),
            resource: pending.resource.clone(),
            nonce: pending.nonce.clone(),
            prompt: pending.prompt.clone(),
            create: pending.intent == Intent::Create,
            state: pending.state.clone(),
            created_at: pending.created_at.0,
        }
    }

    /// The pending authorization, given its key columns.
    pub(super) fn into_pending(
        self,
        handle: TokenDigest,
        expires_at: Option<i64>,
    ) -> StoreResult<PendingAuthorization> {
        let browser = hex::decode(&self.browser).map_err(|_| corrupt("browser binding"))?;
        Ok(PendingAuthorization {
            handle,
            browser: digest(&browser)?,
            client_id: ClientId::new(self.client_id),
            redirect_uri: uri(&self.redirect_uri)?,
            redirect_uri_explicit: self.redirect_uri_explicit,
            scopes: Scopes(self.scopes),
            code_challenge: CodeChallenge(self.code_challenge),
            resource: self.resource,
            nonce: self.nonce,
            prompt: self.prompt,
            intent: if self.create {
                Intent::Create
            } else {
                Intent::Login
            },
            state: self.state,
            created_at: Timestamp(self.created_at),
            expires_at: expires_at.map(Timestamp),
        })
    }
}

/// A code's data without its key columns and session.
#[derive(Serialize, Deserialize)]
pub(super) struct CodeDocument {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) redirect_uri_explicit: bool,
    pub(super) scopes: Vec<String>,
    pub(super) code_challenge: String,
    pub(super) resource: Option<String>,
    pub(super) nonce: Option<String>,
    pub(super) user_id: String,
    pub(super) issued_at: i64,
}

impl CodeDocument {
    /// The redirect URI, parsed.
    pub(super) fn redirect_uri(&self) -> StoreResult<RedirectUri> {
        uri(&self.redirect_uri)
    }
}

/// A token's data without its key columns and session (access and refresh tokens alike).
#[derive(Serialize, Deserialize)]
pub(super) struct TokenDocument {
    pub(super) client_id: String,
    pub(super) scopes: Vec<String>,
    /// Access tokens: the audience, one string or a list.
    pub(super) audience: Option<Vec<String>>,
    /// Whether the audience is a list (`Audience::Many`).
    pub(super) audience_is_list: bool,
    /// Refresh tokens: the plain bound resource.
    pub(super) resource: Option<String>,
    pub(super) user_id: Option<String>,
    pub(super) issued_at: i64,
}

impl TokenDocument {
    /// The document of an access token.
    pub(super) fn of_access(token: &AccessTokenRecord) -> Self {
        let (audience, audience_is_list) = match &token.audience {
            None => (None, false),
            Some(Audience::One(one)) => (Some(vec![one.clone()]), false),
            Some(Audience::Many(many)) => (Some(many.clone()), true),
        };
        Self {
            client_id: token.client_id.as_str().to_owned(),
            scopes: token.scopes.0.clone(),
            audience,
            audience_is_list,
            resource: None,
            user_id: token.user_id.map(|id| id.to_string()),
            issued_at: token.issued_at.0,
        }
    }

    /// The audience of an access token.
    pub(super) fn audience(&self) -> StoreResult<Option<Audience>> {
        match (&self.audience, self.audience_is_list) {
            (None, _) => Ok(None),
            (Some(many), true) => Ok(Some(Audience::Many(many.clone()))),
            (Some(one), false) => match one.as_slice() {
                [single] => Ok(Some(Audience::One(single.clone()))),
                _ => Err(corrupt("audience")),
            },
        }
    }

    /// The user, when there is one.
    pub(super) fn user(&self) -> StoreResult<Option<UserId>> {
        self.user_id.as_deref().map(uuid).transpose()
    }
}

/// A user without its id and e-mail key.
#[derive(Serialize, Deserialize)]
pub(super) struct UserDocument {
    email: String,
    password_hash: String,
    name: Option<String>,
    image: Option<String>,
    email_verified_at: Option<i64>,
}

impl UserDocument {
    /// The document of `user`.
    pub(super) fn of(user: &User) -> Self {
        Self {
            email: user.email.clone(),
            password_hash: user.password_hash.clone(),
            name: user.name.clone(),
            image: user.image.clone(),
            email_verified_at: user.email_verified_at.map(|at| at.0),
        }
    }

    /// The user with id `id`.
    pub(super) fn into_user(self, id: UserId) -> User {
        User {
            id,
            email: self.email,
            password_hash: self.password_hash,
            name: self.name,
            image: self.image,
            email_verified_at: self.email_verified_at.map(Timestamp),
        }
    }
}

/// The key under which a user's e-mail address is unique: ASCII lower case, as the memory
/// store compares.
pub(super) fn email_key(email: &str) -> String {
    email.to_ascii_lowercase()
}
