//! The user claims a set of scopes releases (spec §2.8): `sub` always, `name`, `picture`,
//! `given_name`, `family_name` with `profile`, `email`, `email_verified` with `email`. Userinfo
//! returns them and id_tokens start from them (spec §4.3).

use serde_json::{Map, Value};

use crate::domain::Scopes;
use crate::store::User;

/// The claims `scopes` release about `user`; members without a value are omitted.
pub fn user_claims(user: &User, scopes: &Scopes) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(user.id.to_string()));
    if scopes.contains("profile") {
        add_profile(&mut claims, user);
    }
    if scopes.contains("email") {
        claims.insert("email".into(), Value::String(user.email.clone()));
        claims.insert(
            "email_verified".into(),
            Value::Bool(user.email_verified_at.is_some()),
        );
    }
    claims
}

fn add_profile(claims: &mut Map<String, Value>, user: &User) {
    if let Some(name) = &user.name {
        claims.insert("name".into(), Value::String(name.clone()));
        let parts: Vec<&str> = name.split_whitespace().collect();
        if let [given @ .., family] = parts.as_slice()
            && !given.is_empty()
        {
            claims.insert("given_name".into(), Value::String(given.join(" ")));
            claims.insert("family_name".into(), Value::String((*family).to_owned()));
        }
    }
    if let Some(image) = &user.image {
        claims.insert("picture".into(), Value::String(image.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Timestamp, UserId};

    fn jane() -> User {
        User {
            id: UserId::generate(),
            email: "jane@example.com".into(),
            password_hash: String::new(),
            name: Some("Jane Q Doe".into()),
            image: Some("https://example.com/jane.png".into()),
            email_verified_at: Some(Timestamp(1)),
        }
    }

    #[test]
    fn profile_releases_names_and_picture_but_not_email() {
        let claims = user_claims(&jane(), &Scopes::split_dedup("openid profile"));
        assert_eq!(claims["name"], "Jane Q Doe");
        assert_eq!(claims["given_name"], "Jane Q");
        assert_eq!(claims["family_name"], "Doe");
        assert_eq!(claims["picture"], "https://example.com/jane.png");
        assert!(!claims.contains_key("email"));
    }

    #[test]
    fn email_releases_address_and_verification_only() {
        let claims = user_claims(&jane(), &Scopes::split_dedup("openid email"));
        assert_eq!(claims["email"], "jane@example.com");
        assert_eq!(claims["email_verified"], true);
        assert!(!claims.contains_key("name"));
        assert_eq!(claims.len(), 3);
    }

    #[test]
    fn a_single_name_part_gives_no_given_or_family_name() {
        let mut user = jane();
        user.name = Some("Cher".into());
        let claims = user_claims(&user, &Scopes::split_dedup("profile"));
        assert!(!claims.contains_key("given_name"));
        assert!(!claims.contains_key("family_name"));
    }
}
