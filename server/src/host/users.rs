//! Host users: argon2id password hashes, sign-up with unique e-mail addresses, and sign-in
//! that takes the same time whether or not the address is known.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::PasswordHashing;
use crate::domain::{Secret, Timestamp, UserId};
use crate::protocol::Services;
use crate::store::{StoreError, User};

/// What a new user is made of.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// E-mail address.
    pub email: String,
    /// The password, hashed before it is stored.
    pub password: Secret,
    /// Display name.
    pub name: Option<String>,
    /// Picture URL.
    pub image: Option<String>,
    /// When the address was verified, if it was.
    pub email_verified_at: Option<Timestamp>,
}

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// The e-mail address belongs to another user.
    #[error("an account with this e-mail address already exists")]
    Duplicate,
    /// Hashing or storage failed.
    #[error("could not create the account")]
    Failed,
}

/// Hashes a password with argon2id at `cost` and a random salt, as a PHC string.
pub fn hash_password(password: &Secret, cost: PasswordHashing) -> Option<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).ok()?;
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None).ok()?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.expose().as_bytes(), &salt)
        .ok()
        .map(|hash| hash.to_string())
}

/// Whether `password` matches the PHC string `hash`. A malformed hash matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Creates a user, hashing the password off the async threads.
pub async fn create(services: &Services, new: NewUser) -> Result<User, CreateUserError> {
    let password = new.password.clone();
    let cost = services.config.password_hashing;
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password, cost))
        .await
        .ok()
        .flatten()
        .ok_or(CreateUserError::Failed)?;
    let user = User {
        id: UserId::generate(),
        email: new.email.trim().to_owned(),
        password_hash,
        name: new.name.filter(|n| !n.trim().is_empty()),
        image: new.image,
        email_verified_at: new.email_verified_at,
    };
    match services.store.insert_user(user.clone()).await {
        Ok(()) => Ok(user),
        Err(StoreError::Conflict) => Err(CreateUserError::Duplicate),
        Err(StoreError::Backend(_)) => Err(CreateUserError::Failed),
    }
}

/// The user with this e-mail address and password, or `None`. An unknown address costs the
/// same hash verification as a wrong password, so timing does not reveal which it was.
pub async fn authenticate(
    services: &Services,
    email: &str,
    password: &str,
) -> Result<Option<User>, StoreError> {
    let user = services.store.user_by_email(email.trim()).await?;
    let cost = services.config.password_hashing;
    let hash = match &user {
        Some(user) => user.password_hash.clone(),
        None => tokio::task::spawn_blocking(move || decoy_hash(cost))
            .await
            .unwrap_or_default(),
    };
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    Ok(user.filter(|_| matches))
}

/// An argon2id hash at `cost` of a random password nobody knows, verified against when the
/// address is unknown. Made once per cost, on first use.
fn decoy_hash(cost: PasswordHashing) -> String {
    static DECOYS: LazyLock<Mutex<HashMap<PasswordHashing, String>>> =
        LazyLock::new(Default::default);
    let mut decoys = DECOYS.lock().unwrap_or_else(|e| e.into_inner());
    decoys
        .entry(cost)
        .or_insert_with(|| {
            let unknowable = Secret::new(crate::domain::random_hex(32));
            hash_password(&unknowable, cost).unwrap_or_default()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password(&Secret::new("correct horse"), PasswordHashing::default())
            .expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horse ", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn the_decoy_is_a_real_hash_at_the_configured_cost() {
        let cost = PasswordHashing {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        let decoy = decoy_hash(cost);
        assert!(PasswordHash::new(&decoy).is_ok());
        assert!(decoy.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{decoy}");
        assert_eq!(decoy, decoy_hash(cost), "made once per cost");
    }

    #[test]
    fn a_hash_carries_its_cost() {
        let cost = PasswordHashing {
            memory_kib: 256,
            iterations: 3,
            parallelism: 1,
        };
        let hash = hash_password(&Secret::new("pw"), cost).expect("hashes");
        assert!(hash.starts_with("$argon2id$v=19$m=256,t=3,p=1$"), "{hash}");
        assert!(verify_password("pw", &hash));
    }
}
