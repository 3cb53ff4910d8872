//! Which key signs and verifies a client's id_tokens (spec §4.3, R.7): SHA-256 of the client's
//! secret for a confidential client, SHA-256 of the server's fallback secret for a public one.

use crate::config::ServerConfig;
use crate::store::Client;

/// The 32-byte HS256 key for `client`'s id_tokens.
pub fn id_token_key(config: &ServerConfig, client: &Client) -> [u8; 32] {
    match &client.client_secret {
        Some(secret) => secret.sha256_key(),
        None => config.fallback_secret.sha256_key(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Secret;
    use crate::protocol::fixture;
    use sha2::{Digest, Sha256};

    #[test]
    fn confidential_clients_use_their_secret_and_public_ones_the_fallback() {
        let config = fixture::config();
        let mut client = fixture::static_client();
        client.client_secret = Some(Secret::new("test-secret"));
        let expected: [u8; 32] = Sha256::digest(b"test-secret").into();
        assert_eq!(id_token_key(&config, &client), expected);

        client.client_secret = None;
        let fallback: [u8; 32] = Sha256::digest(b"test-secret-key").into();
        assert_eq!(id_token_key(&config, &client), fallback);
    }
}
