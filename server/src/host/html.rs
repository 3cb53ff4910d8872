//! HTML for the host pages, written by hand: one escaping function every interpolated value
//! goes through, and the page frame.

/// Escapes text for an HTML text node or a double- or single-quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A whole page around `body`, which must already be HTML (built with [`escape`]).
pub fn document(title: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>{title}</h1>\n{body}</main>\n</body>\n</html>\n"
    )
}

/// A paragraph of text.
pub fn paragraph(text: &str) -> String {
    format!("<p>{}</p>\n", escape(text))
}

/// A notice shown above a form (a failed sign-in, an expired request).
pub fn notice(text: &str) -> String {
    format!("<p class=\"notice\" role=\"alert\">{}</p>\n", escape(text))
}

/// A labelled input.
pub fn field(id: &str, label: &str, kind: &str, value: &str, autocomplete: &str) -> String {
    let (id, label, kind) = (escape(id), escape(label), escape(kind));
    let (value, autocomplete) = (escape(value), escape(autocomplete));
    format!(
        "<p><label for=\"{id}\">{label}</label><br>\n\
         <input id=\"{id}\" name=\"{id}\" type=\"{kind}\" value=\"{value}\" \
         autocomplete=\"{autocomplete}\"></p>\n"
    )
}

/// A hidden input.
pub fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
        escape(name),
        escape(value)
    )
}

/// A link.
pub fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape(href), escape(text))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:26rem;\
padding:0 1rem}input{font:inherit;padding:.3rem;width:100%;box-sizing:border-box}\
button{font:inherit;padding:.4rem 1rem}.notice{color:#a00}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#x27;y&#x27;&gt;&amp;&lt;/a&gt;"
        );
    }
}
