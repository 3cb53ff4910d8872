//! Turning a step's request into bytes to send: every template rendered, the URL resolved from
//! an endpoint name, a path or a URL, parameters encoded, credentials put in their headers.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

use crate::case::{Request, RequestTarget};
use crate::exchange::Outgoing;
use crate::target::Target;
use crate::template::{Scope, Templates};

/// Renders `request` in `scope` for `target`.
pub fn render(
    request: &Request,
    templates: &Templates,
    scope: &Scope,
    target: &Target,
) -> Result<Outgoing, String> {
    let text = |template: &str| {
        templates
            .render_text(template, scope)
            .map_err(|e| e.to_string())
    };
    let mut url = resolve_url(&request.target, target, &text)?;
    let query = pairs(&request.query, templates, scope)?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(&query);
    }

    let mut headers = Vec::new();
    for (name, template) in &request.headers {
        let value = templates
            .render(template, scope)
            .map_err(|e| e.to_string())?;
        headers.push((
            name.clone(),
            scalar_text(&value).ok_or(format!("header `{name}` is not text"))?,
        ));
    }
    if let Some([id, secret]) = &request.basic {
        headers.push((
            "authorization".to_owned(),
            basic(&text(id)?, &text(secret)?),
        ));
    }
    if let Some(token) = &request.bearer {
        headers.push((
            "authorization".to_owned(),
            format!("Bearer {}", text(token)?),
        ));
    }

    let body = render_body(request, templates, scope)?;
    Ok(Outgoing {
        method: request.method().to_owned(),
        url,
        headers,
        body,
        jar: request
            .jar
            .clone()
            .unwrap_or(crate::exchange::DEFAULT_JAR.to_owned()),
    })
}

fn resolve_url(
    where_to: &RequestTarget,
    target: &Target,
    text: &impl Fn(&str) -> Result<String, String>,
) -> Result<Url, String> {
    let url = match where_to {
        RequestTarget::Endpoint(name) => target
            .endpoint(name)
            .ok_or_else(|| format!("the target's metadata names no `{name}` endpoint"))?
            .to_owned(),
        RequestTarget::Url(template) => text(template)?,
        RequestTarget::Path(template) => {
            let path = text(template)?;
            let separator = if path.starts_with('/') { "" } else { "/" };
            format!("{}{separator}{path}", target.base_url_text())
        }
    };
    Url::parse(&url).map_err(|e| format!("`{url}` is not a URL: {e}"))
}

fn render_body(
    request: &Request,
    templates: &Templates,
    scope: &Scope,
) -> Result<Option<(String, Vec<u8>)>, String> {
    if let Some(form) = &request.form {
        let pairs = pairs(form, templates, scope)?;
        let encoded = serde_urlencoded::to_string(&pairs).map_err(|e| e.to_string())?;
        return Ok(Some((
            "application/x-www-form-urlencoded".to_owned(),
            encoded.into_bytes(),
        )));
    }
    if let Some(json) = &request.json {
        let value = templates.render(json, scope).map_err(|e| e.to_string())?;
        let bytes = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
        return Ok(Some(("application/json".to_owned(), bytes)));
    }
    if let Some(body) = &request.body {
        let text = templates
            .render_text(body, scope)
            .map_err(|e| e.to_string())?;
        let content_type = request
            .content_type
            .clone()
            .unwrap_or("text/plain".to_owned());
        return Ok(Some((content_type, text.into_bytes())));
    }
    Ok(None)
}

/// Query or form parameters: a list repeats the key, a value that renders to null is left out.
fn pairs(
    params: &IndexMap<String, Value>,
    templates: &Templates,
    scope: &Scope,
) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (name, template) in params {
        let value = templates
            .render(template, scope)
            .map_err(|e| e.to_string())?;
        let values = match value {
            Value::Array(items) => items,
            Value::Null => continue,
            single => vec![single],
        };
        for value in values {
            let text = scalar_text(&value)
                .ok_or_else(|| format!("parameter `{name}` is not text: {value}"))?;
            pairs.push((name.clone(), text));
        }
    }
    Ok(pairs)
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `Authorization: Basic` with each part form-urlencoded first (RFC 6749 §2.3.1).
fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(id), encode(secret));
    format!("Basic {}", STANDARD.encode(pair))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded_before_base64() {
        let expected = format!("Basic {}", STANDARD.encode("a%3Ab:p+w"));
        assert_eq!(basic("a:b", "p w"), expected);
    }
}
