//! One matcher against one actual value: the comparison behind every `headers`, `json`, `body`,
//! `redirect`, `cookies` and JWT expectation. Values arrive rendered; nothing here reads a
//! template or a response.

use regex::Regex;
use serde_json::Value;

use super::Mismatch;
use crate::case::{JsonType, Matcher};

/// How many characters of a value a message shows before cutting it short.
const SHOWN_CHARS: usize = 200;

/// Checks a JSON value `actual` (`None` when the member is absent) against `matcher`, with
/// JSON's types: the string `"3600"` does not equal the number `3600`. A failure is a
/// [`Mismatch`] whose `check` is `what`.
pub fn check(what: &str, matcher: &Matcher, actual: Option<&Value>) -> Result<(), Mismatch> {
    compare(matcher, actual, Equality::Json).map_err(|miss| named(what, miss))
}

/// Checks a text value (a header, a query parameter, a cookie, a body) against `matcher`. Text
/// has no types, so a number or boolean equals its printed form: the header `"3600"` equals
/// `3600`.
pub fn check_text(what: &str, matcher: &Matcher, actual: Option<&str>) -> Result<(), Mismatch> {
    let actual = actual.map(|text| Value::String(text.to_owned()));
    compare(matcher, actual.as_ref(), Equality::Text).map_err(|miss| named(what, miss))
}

fn named(what: &str, miss: Miss) -> Mismatch {
    Mismatch {
        check: what.to_owned(),
        expected: miss.expected,
        actual: miss.actual,
    }
}

/// How `{equals: …}` compares: JSON values by their types, text by its printed form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Equality {
    Json,
    Text,
}

impl Equality {
    fn holds(self, expected: &Value, actual: &Value) -> bool {
        match self {
            Self::Json => json_equal(expected, actual),
            Self::Text => equals(expected, actual),
        }
    }
}

/// Whether `actual` equals `expected` the way `{equals: …}` means it: JSON equality with numbers
/// compared by value, and a string equal to a number or boolean whose JSON text it is (headers
/// and query parameters are always strings: `"3600"` equals `3600`).
pub fn equals(expected: &Value, actual: &Value) -> bool {
    if json_equal(expected, actual) {
        return true;
    }

    match (expected, actual) {
        (Value::Number(_) | Value::Bool(_), Value::String(text)) => {
            let expected_text = expected.to_string();
            expected_text == *text
        }
        _ => false,
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`), at every depth.
pub fn json_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => numbers_equal(e, a),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| json_equal(e, a))
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(key, e)| a.get(key).is_some_and(|a| json_equal(e, a)))
        }
        _ => expected == actual,
    }
}

/// A value as compact JSON, cut short after [`SHOWN_CHARS`] characters.
pub fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= SHOWN_CHARS {
        return text;
    }

    let cut: String = text.chars().take(SHOWN_CHARS).collect();
    format!("{cut}…")
}

/// An actual value as a message shows it: its JSON, or `nothing` when it is absent.
pub fn show_actual(actual: Option<&Value>) -> String {
    actual.map_or_else(|| "nothing".to_owned(), show)
}

/// What a failed comparison expected and found, before it is named.
struct Miss {
    expected: String,
    actual: String,
}

impl Miss {
    fn new(expected: impl Into<String>, actual: Option<&Value>) -> Self {
        Self {
            expected: expected.into(),
            actual: show_actual(actual),
        }
    }
}

/// The comparison itself, dispatched on the matcher.
fn compare(matcher: &Matcher, actual: Option<&Value>, equality: Equality) -> Result<(), Miss> {
    match matcher {
        Matcher::Equals(expected) => check_equals(expected, actual, equality),
        Matcher::NotEquals(unwanted) => check_not_equals(unwanted, actual, equality),
        Matcher::Present(wanted) => check_present(*wanted, actual),
        Matcher::Type(json_type) => check_type(*json_type, actual),
        Matcher::OneOf(choices) => check_one_of(choices, actual, equality),
        Matcher::Matches(pattern) => check_matches(pattern, actual),
        Matcher::Contains(needle) => check_contains(needle, actual),
        Matcher::NotContains(needle) => check_not_contains(needle, actual),
        Matcher::StartsWith(prefix) => check_starts_with(prefix, actual),
        Matcher::Subset(expected) => check_subset(expected, actual),
        Matcher::Length(length) => check_length(length, actual),
    }
}

fn check_equals(expected: &Value, actual: Option<&Value>, equality: Equality) -> Result<(), Miss> {
    match actual {
        Some(actual) if equality.holds(expected, actual) => Ok(()),
        _ => Err(Miss::new(show(expected), actual)),
    }
}

fn check_not_equals(
    unwanted: &Value,
    actual: Option<&Value>,
    equality: Equality,
) -> Result<(), Miss> {
    match actual {
        Some(actual) if !equality.holds(unwanted, actual) => Ok(()),
        _ => Err(Miss::new(
            format!("a value other than {}", show(unwanted)),
            actual,
        )),
    }
}

fn check_present(wanted: bool, actual: Option<&Value>) -> Result<(), Miss> {
    if actual.is_some() == wanted {
        return Ok(());
    }

    let expected = if wanted { "present" } else { "absent" };
    Err(Miss::new(expected, actual))
}

fn check_type(json_type: JsonType, actual: Option<&Value>) -> Result<(), Miss> {
    match actual {
        Some(actual) if json_type.admits(actual) => Ok(()),
        Some(actual) => Err(Miss {
            expected: format!("a value of type {}", json_type.name()),
            actual: format!("{} {}", JsonType::of(actual).name(), show(actual)),
        }),
        None => Err(Miss::new(
            format!("a value of type {}", json_type.name()),
            None,
        )),
    }
}

fn check_one_of(choices: &[Value], actual: Option<&Value>, equality: Equality) -> Result<(), Miss> {
    match actual {
        Some(actual) if choices.iter().any(|choice| equality.holds(choice, actual)) => Ok(()),
        _ => Err(Miss::new(
            format!("one of {}", show(&Value::Array(choices.to_vec()))),
            actual,
        )),
    }
}

fn check_matches(pattern: &Value, actual: Option<&Value>) -> Result<(), Miss> {
    let Value::String(source) = pattern else {
        return Err(Miss::new(
            format!("a regular expression, but the case gives {}", show(pattern)),
            actual,
        ));
    };

    let regex = Regex::new(source).map_err(|error| {
        Miss::new(
            format!("a valid regular expression, but /{source}/ is invalid: {error}"),
            actual,
        )
    })?;

    match actual {
        Some(Value::String(text)) if regex.is_match(text) => Ok(()),
        _ => Err(Miss::new(format!("a string matching /{source}/"), actual)),
    }
}

/// Whether `actual` (a string or an array) contains `needle`; `None` for any other value.
fn holds(needle: &Value, actual: Option<&Value>) -> Option<bool> {
    match actual {
        Some(Value::String(text)) => Some(scalar_text(needle).is_some_and(|n| text.contains(&n))),
        Some(Value::Array(elements)) => Some(elements.iter().any(|e| json_equal(needle, e))),
        _ => None,
    }
}

fn check_contains(needle: &Value, actual: Option<&Value>) -> Result<(), Miss> {
    if holds(needle, actual) == Some(true) {
        return Ok(());
    }
    Err(Miss::new(
        format!("a string or array containing {}", show(needle)),
        actual,
    ))
}

fn check_not_contains(needle: &Value, actual: Option<&Value>) -> Result<(), Miss> {
    if holds(needle, actual) == Some(false) {
        return Ok(());
    }
    Err(Miss::new(
        format!("a string or array without {}", show(needle)),
        actual,
    ))
}

fn check_starts_with(prefix: &Value, actual: Option<&Value>) -> Result<(), Miss> {
    let found = match (actual, scalar_text(prefix)) {
        (Some(Value::String(text)), Some(prefix)) => text.starts_with(&prefix),
        _ => false,
    };

    if found {
        return Ok(());
    }
    Err(Miss::new(
        format!("a string starting with {}", show(prefix)),
        actual,
    ))
}

fn check_subset(expected: &Value, actual: Option<&Value>) -> Result<(), Miss> {
    let difference = match actual {
        Some(actual) => subset_difference(expected, actual, "$"),
        None => Some("$".to_owned()),
    };

    match difference {
        None => Ok(()),
        Some(path) => Err(Miss::new(
            format!("a value containing {} (differs at {path})", show(expected)),
            actual,
        )),
    }
}

fn check_length(length: &Value, actual: Option<&Value>) -> Result<(), Miss> {
    let Some(wanted) = length.as_u64() else {
        return Err(Miss::new(
            format!(
                "a length, but the case gives {} (not a whole number)",
                show(length)
            ),
            actual,
        ));
    };

    let found = match actual {
        Some(Value::String(text)) => Some(text.chars().count()),
        Some(Value::Array(elements)) => Some(elements.len()),
        _ => None,
    };

    match found {
        Some(found) if found as u64 == wanted => Ok(()),
        Some(found) => Err(Miss {
            expected: format!("length {wanted}"),
            actual: format!("length {found}: {}", show_actual(actual)),
        }),
        None => Err(Miss::new(
            format!("a string or array of length {wanted}"),
            actual,
        )),
    }
}

/// Where `actual` stops containing `expected`, as a path from `path`; `None` when it contains
/// it. Objects contain an expected object's members, arrays contain a match for every expected
/// element (each one a subset of some actual element), scalars must be equal.
fn subset_difference(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => expected.iter().find_map(|(key, e)| {
            let inner = format!("{path}.{key}");
            match actual.get(key) {
                Some(a) => subset_difference(e, a, &inner),
                None => Some(inner),
            }
        }),
        (Value::Array(expected), Value::Array(actual)) => {
            expected.iter().enumerate().find_map(|(index, e)| {
                let matched = actual
                    .iter()
                    .any(|a| subset_difference(e, a, path).is_none());
                (!matched).then(|| format!("{path}.{index}"))
            })
        }
        _ if json_equal(expected, actual) => None,
        _ => Some(path.to_owned()),
    }
}

/// The text a string comparison looks for: a string itself, or a number's or boolean's JSON text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        _ => None,
    }
}

/// Numbers by value: integers exactly, anything with a fraction as `f64`.
fn numbers_equal(expected: &serde_json::Number, actual: &serde_json::Number) -> bool {
    let as_integer = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };

    match (as_integer(expected), as_integer(actual)) {
        (Some(e), Some(a)) => e == a,
        _ => expected.as_f64() == actual.as_f64(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn passes(matcher: Matcher, actual: Value) {
        let result = check("json x", &matcher, Some(&actual));
        assert_eq!(result, Ok(()), "{matcher:?} against {actual}");
    }

    fn fails(matcher: Matcher, actual: Option<Value>) -> Mismatch {
        let result = check("json x", &matcher, actual.as_ref());
        let mismatch = result.expect_err("the check should fail");
        assert_eq!(mismatch.check, "json x");
        mismatch
    }

    #[test]
    fn equals_compares_json() {
        passes(
            Matcher::Equals(json!("invalid_grant")),
            json!("invalid_grant"),
        );
        passes(Matcher::Equals(json!({"a": [1, 2]})), json!({"a": [1, 2]}));

        let mismatch = fails(
            Matcher::Equals(json!("invalid_grant")),
            Some(json!("invalid_request")),
        );
        assert_eq!(mismatch.expected, "\"invalid_grant\"");
        assert_eq!(mismatch.actual, "\"invalid_request\"");
    }

    #[test]
    fn equals_compares_numbers_by_value() {
        passes(Matcher::Equals(json!(1)), json!(1.0));
        passes(Matcher::Equals(json!({"n": [2.0]})), json!({"n": [2]}));
        passes(Matcher::Equals(json!(u64::MAX)), json!(u64::MAX));

        fails(Matcher::Equals(json!(1)), Some(json!(1.5)));
        fails(Matcher::Equals(json!(-1)), Some(json!(u64::MAX)));
    }

    #[test]
    fn text_equals_a_number_or_boolean_by_its_printed_form() {
        let text = |matcher: Matcher, actual: &str| check_text("header x", &matcher, Some(actual));
        assert_eq!(text(Matcher::Equals(json!(3600)), "3600"), Ok(()));
        assert_eq!(text(Matcher::Equals(json!(true)), "true"), Ok(()));
        assert_eq!(
            text(Matcher::OneOf(vec![json!(1), json!(3600)]), "3600"),
            Ok(())
        );

        assert!(text(Matcher::Equals(json!(3600)), "3600 ").is_err());
        assert!(text(Matcher::Equals(json!(null)), "null").is_err());
        assert!(text(Matcher::NotEquals(json!(3600)), "3600").is_err());
        assert!(check_text("header x", &Matcher::Present(true), None).is_err());
    }

    #[test]
    fn json_keeps_its_types_a_string_is_not_a_number() {
        fails(Matcher::Equals(json!(3600)), Some(json!("3600")));
        fails(Matcher::Equals(json!(true)), Some(json!("true")));
        fails(Matcher::Equals(json!("3600")), Some(json!(3600)));
        fails(Matcher::OneOf(vec![json!(3600)]), Some(json!("3600")));
        passes(Matcher::NotEquals(json!(3600)), json!("3600"));
    }

    #[test]
    fn equals_fails_on_nothing() {
        let mismatch = fails(Matcher::Equals(json!(null)), None);
        assert_eq!(mismatch.actual, "nothing");
    }

    #[test]
    fn not_equals_passes_on_other_values_only() {
        passes(Matcher::NotEquals(json!("a")), json!("b"));

        fails(Matcher::NotEquals(json!(1)), Some(json!(1.0)));
        let mismatch = fails(Matcher::NotEquals(json!("a")), None);
        assert_eq!(mismatch.expected, "a value other than \"a\"");
        assert_eq!(mismatch.actual, "nothing");
    }

    #[test]
    fn present_and_absent() {
        passes(Matcher::Present(true), json!(null));
        assert_eq!(check("header x", &Matcher::Present(false), None), Ok(()));

        assert_eq!(fails(Matcher::Present(true), None).expected, "present");
        let mismatch = fails(Matcher::Present(false), Some(json!("v")));
        assert_eq!(mismatch.expected, "absent");
        assert_eq!(mismatch.actual, "\"v\"");
    }

    #[test]
    fn type_admits_its_values() {
        passes(Matcher::Type(JsonType::Integer), json!(3600));
        passes(Matcher::Type(JsonType::Number), json!(3600));
        passes(Matcher::Type(JsonType::Object), json!({}));

        let mismatch = fails(Matcher::Type(JsonType::Integer), Some(json!("3600")));
        assert_eq!(mismatch.expected, "a value of type integer");
        assert_eq!(mismatch.actual, "string \"3600\"");
        fails(Matcher::Type(JsonType::Integer), Some(json!(1.5)));
        fails(Matcher::Type(JsonType::Null), None);
    }

    #[test]
    fn one_of_any_choice() {
        passes(Matcher::OneOf(vec![json!(302), json!(303)]), json!(303));

        let mismatch = fails(
            Matcher::OneOf(vec![json!("a"), json!("b")]),
            Some(json!("c")),
        );
        assert_eq!(mismatch.expected, "one of [\"a\",\"b\"]");
        fails(Matcher::OneOf(vec![]), Some(json!("c")));
    }

    #[test]
    fn matches_searches_strings() {
        passes(Matcher::Matches(json!("^[0-9a-f]{4}$")), json!("beef"));
        passes(
            Matcher::Matches(json!("max-age")),
            json!("public, max-age=60"),
        );

        fails(
            Matcher::Matches(json!("^[0-9a-f]{4}$")),
            Some(json!("beefs")),
        );
        fails(Matcher::Matches(json!("1")), Some(json!(1)));
        fails(Matcher::Matches(json!(".*")), None);
    }

    #[test]
    fn matches_reports_a_bad_regex() {
        let mismatch = fails(Matcher::Matches(json!("(unclosed")), Some(json!("x")));
        assert!(
            mismatch.expected.contains("is invalid"),
            "{}",
            mismatch.expected
        );

        let mismatch = fails(Matcher::Matches(json!(12)), Some(json!("12")));
        assert!(
            mismatch.expected.contains("regular expression"),
            "{}",
            mismatch.expected
        );
    }

    #[test]
    fn contains_in_strings_and_arrays() {
        passes(
            Matcher::Contains(json!("no-store")),
            json!("private, no-store"),
        );
        passes(Matcher::Contains(json!(60)), json!("max-age=60"));
        passes(Matcher::Contains(json!("S256")), json!(["plain", "S256"]));
        passes(
            Matcher::Contains(json!({"kid": "a"})),
            json!([{"kid": "a"}]),
        );

        fails(
            Matcher::Contains(json!("no-store")),
            Some(json!("no-cache")),
        );
        fails(Matcher::Contains(json!("S256")), Some(json!(["plain"])));
        fails(
            Matcher::Contains(json!({"kid": "a"})),
            Some(json!([{"kid": "a", "x": 1}])),
        );
        fails(Matcher::Contains(json!("a")), Some(json!({"a": 1})));
        fails(Matcher::Contains(json!("a")), None);
    }

    #[test]
    fn not_contains_in_strings_and_arrays() {
        passes(Matcher::NotContains(json!(": null")), json!("{\"a\": 1}"));
        passes(Matcher::NotContains(json!("plain")), json!(["S256"]));

        fails(
            Matcher::NotContains(json!("null")),
            Some(json!("{\"a\": null}")),
        );
        fails(
            Matcher::NotContains(json!("plain")),
            Some(json!(["plain", "S256"])),
        );
        fails(Matcher::NotContains(json!("a")), Some(json!({"a": 1})));
        fails(Matcher::NotContains(json!("a")), None);
    }

    #[test]
    fn starts_with_a_prefix() {
        passes(
            Matcher::StartsWith(json!("Bearer ")),
            json!("Bearer realm=x"),
        );

        let mismatch = fails(
            Matcher::StartsWith(json!("Bearer ")),
            Some(json!("Basic x")),
        );
        assert_eq!(mismatch.expected, "a string starting with \"Bearer \"");
        fails(Matcher::StartsWith(json!("1")), Some(json!(12)));
    }

    #[test]
    fn subset_of_nested_objects() {
        let actual = json!({"a": {"b": 1, "c": [1, 2]}, "d": "e"});
        passes(Matcher::Subset(json!({"a": {"b": 1.0}})), actual.clone());
        passes(Matcher::Subset(json!({})), actual.clone());

        let mismatch = fails(
            Matcher::Subset(json!({"a": {"b": 2}})),
            Some(actual.clone()),
        );
        assert!(
            mismatch.expected.ends_with("(differs at $.a.b)"),
            "{}",
            mismatch.expected
        );
        let mismatch = fails(Matcher::Subset(json!({"z": 1})), Some(actual));
        assert!(
            mismatch.expected.ends_with("(differs at $.z)"),
            "{}",
            mismatch.expected
        );
    }

    #[test]
    fn subset_of_arrays() {
        let actual = json!([{"kid": "a", "kty": "EC"}, {"kid": "b"}, 3]);
        passes(
            Matcher::Subset(json!([{"kid": "b"}, {"kty": "EC"}])),
            actual.clone(),
        );
        passes(Matcher::Subset(json!([3])), actual.clone());

        let mismatch = fails(Matcher::Subset(json!([3, {"kid": "c"}])), Some(actual));
        assert!(
            mismatch.expected.ends_with("(differs at $.1)"),
            "{}",
            mismatch.expected
        );
        fails(Matcher::Subset(json!("a")), Some(json!("b")));
        fails(Matcher::Subset(json!({})), None);
    }

    #[test]
    fn length_counts_characters_and_elements() {
        passes(Matcher::Length(json!(3)), json!("été"));
        passes(Matcher::Length(json!(2)), json!([1, [2, 3]]));

        let mismatch = fails(Matcher::Length(json!(5)), Some(json!("été")));
        assert_eq!(mismatch.expected, "length 5");
        fails(Matcher::Length(json!(1)), Some(json!({"a": 1})));
        fails(Matcher::Length(json!("3")), Some(json!("abc")));
        fails(Matcher::Length(json!(0)), None);
    }

    #[test]
    fn long_values_are_cut_short() {
        let long = "x".repeat(500);
        let mismatch = fails(Matcher::Equals(json!("y")), Some(json!(long)));
        assert_eq!(mismatch.actual.chars().count(), SHOWN_CHARS + 1);
        assert!(mismatch.actual.ends_with('…'));
    }
}
