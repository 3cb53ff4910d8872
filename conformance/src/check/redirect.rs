//! The `redirect` expectation: the `Location` header taken apart into scheme, host, port, path,
//! the URL without its query, and the query's parameters, each checked by its own matcher.

use serde_json::Value;
use url::Url;

use super::Mismatch;
use super::matcher::{check, check_text};
use crate::case::{Matcher, RedirectExpect};

/// Checks the `Location` URL (`None` when the response has no `Location` header) against
/// every part `expect` names. The first part that differs is the [`Mismatch`].
pub fn check_redirect(expect: &RedirectExpect, location: Option<&Url>) -> Result<(), Mismatch> {
    let Some(location) = location else {
        return Err(Mismatch {
            check: "redirect".to_owned(),
            expected: "a Location header".to_owned(),
            actual: "none".to_owned(),
        });
    };

    check_part(
        "scheme",
        expect.scheme.as_ref(),
        Some(location.scheme().into()),
    )?;
    check_part(
        "host",
        expect.host.as_ref(),
        location.host_str().map(Value::from),
    )?;
    let port = location.port_or_known_default().map(Value::from);
    check_part("port", expect.port.as_ref(), port)?;
    check_part("path", expect.path.as_ref(), Some(location.path().into()))?;
    check_part(
        "url",
        expect.url.as_ref(),
        Some(without_query(location).into()),
    )?;

    for (name, matcher) in &expect.query {
        let value = first_query_value(location, name);
        check_text(&format!("redirect query.{name}"), matcher, value.as_deref())?;
    }
    Ok(())
}

/// The first value of the query parameter `name`, decoded; `None` when there is no such
/// parameter.
pub fn first_query_value(location: &Url, name: &str) -> Option<String> {
    location
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The URL as a string without its query and fragment.
fn without_query(location: &Url) -> String {
    let mut url = location.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.into()
}

/// One part of the URL against its matcher, when the case gives one.
fn check_part(
    part: &str,
    matcher: Option<&Matcher>,
    actual: Option<Value>,
) -> Result<(), Mismatch> {
    match matcher {
        Some(matcher) => check(&format!("redirect {part}"), matcher, actual.as_ref()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn location() -> Url {
        Url::parse("https://client.example:8443/cb?code=abc&state=x%20y&state=second#frag").unwrap()
    }

    fn equals(value: Value) -> Option<Matcher> {
        Some(Matcher::Equals(value))
    }

    #[test]
    fn no_location_is_a_mismatch() {
        let mismatch = check_redirect(&RedirectExpect::default(), None).unwrap_err();
        assert_eq!(mismatch.check, "redirect");
        assert_eq!(mismatch.expected, "a Location header");
        assert_eq!(mismatch.actual, "none");
    }

    #[test]
    fn every_part_passes_when_it_matches() {
        let expect = RedirectExpect {
            scheme: equals(json!("https")),
            host: equals(json!("client.example")),
            port: equals(json!(8443)),
            path: equals(json!("/cb")),
            url: equals(json!("https://client.example:8443/cb")),
            query: [
                ("state".to_owned(), Matcher::Equals(json!("x y"))),
                ("error".to_owned(), Matcher::Present(false)),
            ]
            .into_iter()
            .collect(),
        };
        assert_eq!(check_redirect(&expect, Some(&location())), Ok(()));
    }

    #[test]
    fn the_default_port_counts() {
        let expect = RedirectExpect {
            port: equals(json!(443)),
            ..RedirectExpect::default()
        };
        let url = Url::parse("https://client.example/cb").unwrap();
        assert_eq!(check_redirect(&expect, Some(&url)), Ok(()));
    }

    #[test]
    fn each_part_can_fail() {
        let cases = [
            (
                "redirect scheme",
                RedirectExpect {
                    scheme: equals(json!("http")),
                    ..Default::default()
                },
            ),
            (
                "redirect host",
                RedirectExpect {
                    host: equals(json!("evil.example")),
                    ..Default::default()
                },
            ),
            (
                "redirect port",
                RedirectExpect {
                    port: equals(json!(443)),
                    ..Default::default()
                },
            ),
            (
                "redirect path",
                RedirectExpect {
                    path: equals(json!("/other")),
                    ..Default::default()
                },
            ),
            (
                "redirect url",
                RedirectExpect {
                    url: equals(json!("https://client.example/cb")),
                    ..Default::default()
                },
            ),
        ];
        for (check, expect) in cases {
            let mismatch = check_redirect(&expect, Some(&location())).unwrap_err();
            assert_eq!(mismatch.check, check);
        }
    }

    #[test]
    fn query_parameters_absent_and_present() {
        let expect = |name: &str, matcher| RedirectExpect {
            query: [(name.to_owned(), matcher)].into_iter().collect(),
            ..RedirectExpect::default()
        };

        let missing = check_redirect(&expect("error", Matcher::Present(true)), Some(&location()));
        let mismatch = missing.unwrap_err();
        assert_eq!(mismatch.check, "redirect query.error");
        assert_eq!(mismatch.actual, "nothing");

        let unwanted = check_redirect(&expect("code", Matcher::Present(false)), Some(&location()));
        assert_eq!(unwanted.unwrap_err().actual, "\"abc\"");

        let wrong = check_redirect(
            &expect("state", Matcher::Equals(json!("second"))),
            Some(&location()),
        );
        assert_eq!(wrong.unwrap_err().actual, "\"x y\"");
    }
}
