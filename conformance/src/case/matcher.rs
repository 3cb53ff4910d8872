//! Matchers: how an expectation compares one actual value. A plain YAML value means "equals";
//! a one-key map names another comparison (`{contains: x}`, `{present: true}`, …).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The matcher names, as written in a case (also the list "did you mean" draws from).
pub const MATCHER_NAMES: &[&str] = &[
    "equals",
    "not_equals",
    "present",
    "absent",
    "type",
    "one_of",
    "matches",
    "contains",
    "not_contains",
    "starts_with",
    "subset",
    "length",
];

/// One comparison of an actual value. Values inside may be templates until the runner renders
/// them with [`Matcher::render`].
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// Equal (JSON equality; numbers compare by value).
    Equals(Value),
    /// Not equal.
    NotEquals(Value),
    /// The member, header, parameter or cookie exists (`true`) or does not (`false`).
    Present(bool),
    /// The value has this JSON type.
    Type(JsonType),
    /// Equal to one of these.
    OneOf(Vec<Value>),
    /// A string that matches this regular expression.
    Matches(Value),
    /// A string containing this substring, or an array containing an equal element.
    Contains(Value),
    /// A string or array that does not contain this.
    NotContains(Value),
    /// A string starting with this prefix.
    StartsWith(Value),
    /// An object containing these members recursively; an array containing these elements.
    Subset(Value),
    /// A string (in characters) or array of this length.
    Length(Value),
}

/// A JSON type, for `{type: …}`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    /// A string.
    String,
    /// Any number.
    Number,
    /// A number without a fractional part.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
    /// `null`.
    Null,
}

impl JsonType {
    /// Whether `value` is of this type.
    pub fn admits(self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::Number => value.is_number(),
            Self::Integer => value.is_i64() || value.is_u64(),
            Self::Boolean => value.is_boolean(),
            Self::Array => value.is_array(),
            Self::Object => value.is_object(),
            Self::Null => value.is_null(),
        }
    }

    /// The type's name as written in a case.
    pub fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Integer => "integer",
            Self::Boolean => "boolean",
            Self::Array => "array",
            Self::Object => "object",
            Self::Null => "null",
        }
    }

    /// The type of `value` (integers count as `integer`).
    pub fn of(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(_) => Self::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => Self::Integer,
            Value::Number(_) => Self::Number,
            Value::String(_) => Self::String,
            Value::Array(_) => Self::Array,
            Value::Object(_) => Self::Object,
        }
    }
}

impl Matcher {
    /// The same matcher with every template value passed through `render`.
    pub fn render<E>(&self, mut render: impl FnMut(&Value) -> Result<Value, E>) -> Result<Self, E> {
        Ok(match self {
            Self::Equals(v) => Self::Equals(render(v)?),
            Self::NotEquals(v) => Self::NotEquals(render(v)?),
            Self::Present(p) => Self::Present(*p),
            Self::Type(t) => Self::Type(*t),
            Self::OneOf(vs) => Self::OneOf(vs.iter().map(&mut render).collect::<Result<_, _>>()?),
            Self::Matches(v) => Self::Matches(render(v)?),
            Self::Contains(v) => Self::Contains(render(v)?),
            Self::NotContains(v) => Self::NotContains(render(v)?),
            Self::StartsWith(v) => Self::StartsWith(render(v)?),
            Self::Subset(v) => Self::Subset(render(v)?),
            Self::Length(v) => Self::Length(render(v)?),
        })
    }

    fn from_entry<E: de::Error>(name: &str, value: Value) -> Result<Self, E> {
        let bool_of = |value: &Value| {
            value
                .as_bool()
                .ok_or_else(|| E::custom(format!("`{name}` takes true or false")))
        };
        Ok(match name {
            "equals" => Self::Equals(value),
            "not_equals" => Self::NotEquals(value),
            "present" => Self::Present(bool_of(&value)?),
            "absent" => Self::Present(!bool_of(&value)?),
            "type" => Self::Type(JsonType::deserialize(value).map_err(|_| {
                E::custom("`type` takes string, number, integer, boolean, array, object or null")
            })?),
            "one_of" => match value {
                Value::Array(values) => Self::OneOf(values),
                _ => return Err(E::custom("`one_of` takes a list of values")),
            },
            "matches" => Self::Matches(value),
            "contains" => Self::Contains(value),
            "not_contains" => Self::NotContains(value),
            "starts_with" => Self::StartsWith(value),
            "subset" => Self::Subset(value),
            "length" => Self::Length(value),
            other => return Err(E::custom(unknown_matcher(other))),
        })
    }
}

/// The message for a misspelt or unknown matcher name, in serde's unknown-field wording so the
/// diagnostic renderer adds its "did you mean" line.
fn unknown_matcher(name: &str) -> String {
    let expected = MATCHER_NAMES
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("unknown matcher `{name}`, expected one of {expected}")
}

impl<'de> Deserialize<'de> for Matcher {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MatcherVisitor)
    }
}

struct MatcherVisitor;

impl<'de> Visitor<'de> for MatcherVisitor {
    type Value = Matcher;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value to equal, or a one-key map such as {contains: …}")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Matcher, E> {
        Ok(Matcher::Equals(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Matcher, E> {
        Ok(Matcher::Equals(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Matcher, E> {
        Ok(Matcher::Equals(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Matcher, E> {
        Ok(Matcher::Equals(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Matcher, E> {
        Ok(Matcher::Equals(Value::String(v.to_owned())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Matcher, E> {
        Ok(Matcher::Equals(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Matcher, E> {
        Ok(Matcher::Equals(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Matcher, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = seq.next_element::<Value>()? {
            values.push(value);
        }
        Ok(Matcher::Equals(Value::Array(values)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Matcher, A::Error> {
        let Some(name) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "an empty map is not a matcher; write {equals: {}} to expect an empty object",
            ));
        };
        if !MATCHER_NAMES.contains(&name.as_str()) {
            return Err(de::Error::custom(unknown_matcher(&name)));
        }
        let value = map.next_value::<Value>()?;
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a matcher has one key; `{extra}` is a second one (write {{equals: {{…}}}} to \
                 expect an object)"
            )));
        }
        Matcher::from_entry(&name, value)
    }
}
