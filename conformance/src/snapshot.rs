//! Snapshots: the normalised exchange (status, chosen headers, body) with volatile values
//! replaced by stable placeholders, compared with insta against the target's snapshot folder.
//! Outside `INSTA_UPDATE=always`, a new or changed snapshot fails the case; under CI, insta
//! writes nothing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Once;

use serde_json::{Map, Value, json};

use crate::exchange::Received;

/// Headers kept in a snapshot; the rest vary between servers or runs without meaning much.
const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "cache-control",
    "pragma",
    "www-authenticate",
    "location",
];

/// JSON members whose values change on every run, replaced by `[member]`.
const VOLATILE_MEMBERS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "iat",
    "exp",
    "auth_time",
    "sub",
    "sid",
    "jti",
    "state",
    "nonce",
];

/// Values to replace wherever they occur in a snapshot: (value, placeholder), longest first.
pub type Replacements = Vec<(String, String)>;

/// The exchange as a stable JSON value.
pub fn normalise(received: &Received, replacements: &Replacements) -> Value {
    let mut headers = Map::new();
    for name in KEPT_HEADERS {
        if let Some(value) = received.header(name) {
            let value = match *name {
                "location" => redact_location(value),
                _ => value.to_owned(),
            };
            headers.insert((*name).to_owned(), json!(replace_all(&value, replacements)));
        }
    }
    let body = match &received.json {
        Some(json) => redact_json(json, replacements),
        None if received.body.is_empty() => Value::Null,
        None => json!(replace_all(&received.body, replacements)),
    };
    json!({ "status": received.status, "headers": headers, "body": body })
}

fn redact_json(value: &Value, replacements: &Replacements) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, value)| {
                    let value = if VOLATILE_MEMBERS.contains(&key.as_str()) && !value.is_null() {
                        json!(format!("[{key}]"))
                    } else {
                        redact_json(value, replacements)
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| redact_json(v, replacements)).collect())
        }
        Value::String(text) => json!(replace_all(text, replacements)),
        other => other.clone(),
    }
}

/// A `Location` for review: query values decoded, volatile ones (`code`, `state`, …) replaced,
/// and a URL inside a query value (`return_to`) treated the same way.
fn redact_location(location: &str) -> String {
    let Ok(url) = url::Url::parse(location) else {
        return location.to_owned();
    };
    if url.query().is_none() {
        return location.to_owned();
    }
    let pairs: Vec<String> = url
        .query_pairs()
        .map(|(name, value)| {
            let value = if VOLATILE_MEMBERS.contains(&name.as_ref()) {
                format!("[{name}]")
            } else {
                redact_location(&value)
            };
            format!("{name}={value}")
        })
        .collect();
    let mut base = url.clone();
    base.set_query(None);
    format!("{base}?{}", pairs.join("&"))
}

fn replace_all(text: &str, replacements: &Replacements) -> String {
    let mut text = text.to_owned();
    for (value, placeholder) in replacements {
        if !value.is_empty() {
            text = text.replace(value, placeholder);
        }
    }
    text
}

/// Compares `value` with the snapshot `name` in `dir`. A mismatch (or a new snapshot that is not
/// being accepted) is an `Err` with insta's account of it.
pub fn compare(dir: &Path, name: &str, description: &str, value: &Value) -> Result<(), String> {
    quiet_insta_panics();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(description);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_json_snapshot!(name, value));
    }));
    outcome.map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "the snapshot does not match".to_owned());
        format!(
            "{} ({}; review with `cargo insta review`, accept with INSTA_UPDATE=always)",
            message.lines().next().unwrap_or_default(),
            dir.join(format!("{name}.snap")).display()
        )
    })
}

/// insta reports a mismatch by panicking after printing its diff; [`compare`] catches that panic
/// and turns it into a failure, so the panic hook's own "thread panicked" lines would only be
/// noise. Every other panic still reaches the previous hook.
fn quiet_insta_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or_default();
            if !message.starts_with("snapshot assertion for") {
                previous(info);
            }
        }));
    });
}

/// A file-name-safe snapshot name for snapshot `snapshot` of case `case`.
pub fn file_name(case: &str, snapshot: &str) -> String {
    let raw = format!("{}__{snapshot}", case.replace("::", "__"));
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn received(json: Value) -> Received {
        Received {
            status: 200,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("date".into(), "Fri, 04 Dec 2026 08:00:00 GMT".into()),
                (
                    "location".into(),
                    "http://127.0.0.1:4321/cb?code=abc123xyz".into(),
                ),
            ],
            body: json.to_string(),
            json: Some(json),
            location: None,
            cookies: BTreeMap::new(),
        }
    }

    #[test]
    fn volatile_members_and_known_values_become_placeholders() {
        let replacements = vec![
            ("http://127.0.0.1:4321".to_owned(), "[base_url]".to_owned()),
            ("abc123xyz".to_owned(), "[code]".to_owned()),
        ];
        let body = json!({
            "access_token": "belgie_abc",
            "token_type": "Bearer",
            "issuer": "http://127.0.0.1:4321/auth/oauth",
            "refresh_token": null,
            "nested": [{ "exp": 1, "scope": "user" }],
        });
        let normalised = normalise(&received(body), &replacements);
        assert_eq!(
            normalised,
            json!({
                "status": 200,
                "headers": {
                    "content-type": "application/json",
                    "location": "[base_url]/cb?code=[code]",
                },
                "body": {
                    "access_token": "[access_token]",
                    "token_type": "Bearer",
                    "issuer": "[base_url]/auth/oauth",
                    "refresh_token": null,
                    "nested": [{ "exp": "[exp]", "scope": "user" }],
                },
            })
        );
    }

    #[test]
    fn a_url_inside_a_query_value_is_normalised_too() {
        let location = "http://h/login?return_to=http%3A%2F%2Fh%2Fcb%3Fstate%3Dxyz&intent=login";
        assert_eq!(
            redact_location(location),
            "http://h/login?return_to=http://h/cb?state=[state]&intent=login"
        );
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("token::basic auth", "a/b"),
            "token__basic_auth__a_b"
        );
    }
}
