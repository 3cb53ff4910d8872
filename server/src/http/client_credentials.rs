//! The client credentials a request presents, as the protocol's client authentication reads
//! them: the raw `Authorization` header and the form's `client_id` and `client_secret`.

use axum::http::{HeaderMap, header};

use super::params::Params;
use crate::protocol::client_auth::Presented;

/// What `headers` and the form `params` present; decoding happens in the protocol.
pub fn presented<'a>(headers: &'a HeaderMap, params: &'a Params) -> Presented<'a> {
    Presented {
        authorization: headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()),
        client_id: params.last("client_id"),
        client_secret: params.last("client_secret"),
    }
}
