//! Dotted JSON paths, as a case writes them under `expect.json`: `$` is the whole value,
//! `keys.0.kid` walks objects by key and arrays by index.

use serde_json::Value;

/// The value at `path` inside `value`, or `None` when some step of the path finds nothing.
///
/// An empty path and `$` name the whole value; a leading `$.` is allowed. Each segment between
/// dots is an object key, or an array index when the value at that point is an array.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.strip_prefix("$.").unwrap_or(path);
    if path.is_empty() || path == "$" {
        return Some(value);
    }

    path.split('.').try_fold(value, step)
}

/// One segment of a path: a key of an object or an index into an array.
fn step<'a>(value: &'a Value, segment: &str) -> Option<&'a Value> {
    match value {
        Value::Object(members) => members.get(segment),
        Value::Array(elements) => elements.get(segment.parse::<usize>().ok()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body() -> Value {
        json!({
            "error": "invalid_grant",
            "keys": [{ "kid": "a" }, { "kid": "b", "x5c": ["cert"] }],
            "0": "a numeric key",
        })
    }

    #[test]
    fn empty_and_dollar_are_the_whole_value() {
        let body = body();
        assert_eq!(lookup(&body, ""), Some(&body));
        assert_eq!(lookup(&body, "$"), Some(&body));
    }

    #[test]
    fn walks_objects_and_arrays() {
        let body = body();
        assert_eq!(lookup(&body, "error"), Some(&json!("invalid_grant")));
        assert_eq!(lookup(&body, "keys.1.kid"), Some(&json!("b")));
        assert_eq!(lookup(&body, "$.keys.1.x5c.0"), Some(&json!("cert")));
        assert_eq!(lookup(&body, "0"), Some(&json!("a numeric key")));
    }

    #[test]
    fn misses_are_none() {
        let body = body();
        assert_eq!(lookup(&body, "error_description"), None);
        assert_eq!(lookup(&body, "keys.2.kid"), None);
        assert_eq!(lookup(&body, "keys.first"), None);
        assert_eq!(lookup(&body, "error.code"), None);
        assert_eq!(lookup(&json!("text"), "0"), None);
    }
}
