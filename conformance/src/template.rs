//! The template engine the runner renders every string of a case with.
//!
//! Strings in cases are [minijinja] templates. Undefined names are errors, never empty strings,
//! and nothing is HTML-escaped. A string that is exactly one `{{ expr }}` keeps the type of the
//! expression, so `"{{ 3600 }}"` is the number 3600 and `"{{ clients.static }}"` is that
//! client's object; any other template renders to a string. The generator functions (PKCE
//! verifier and challenge, random values, JWTs, encodings) are registered once in [`Templates`];
//! the per-case state they read (the PKCE verifier) lives in the [`Scope`].

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use minijinja::value::{Enumerator, Object, ObjectRepr, Value as JinjaValue, ValueKind};
use minijinja::{AutoEscape, Environment, Error as JinjaError, ErrorKind, UndefinedBehavior};
use rand::{Rng as _, RngCore as _};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// The characters RFC 7636 §4.1 allows in a code verifier ("unreserved").
const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// The length of a generated verifier: the shortest RFC 7636 allows (about 260 random bits).
const VERIFIER_LEN: usize = 43;

/// The most bytes `random_hex(n)` will generate.
const MAX_RANDOM_BYTES: i64 = 1024;

/// The name under which the per-case verifier function is visible to templates.
const PKCE_VERIFIER: &str = "pkce_verifier";

/// The variables one case sees, plus its per-case generator state.
#[derive(Clone)]
pub struct Scope {
    vars: Arc<Map<String, Value>>,
    verifier: Arc<str>,
}

impl Scope {
    /// An empty scope with a fresh random PKCE verifier.
    pub fn new() -> Self {
        Self::with_verifier(random_verifier())
    }

    /// An empty scope with a fixed PKCE verifier (for tests with known vectors).
    pub fn with_verifier(verifier: String) -> Self {
        Self {
            vars: Arc::new(Map::new()),
            verifier: verifier.into(),
        }
    }

    /// Adds or replaces a top-level variable.
    pub fn set(&mut self, name: &str, value: Value) {
        Arc::make_mut(&mut self.vars).insert(name.to_owned(), value);
    }

    /// A top-level variable, if it is set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    /// All top-level variables.
    pub fn vars(&self) -> &Map<String, Value> {
        &self.vars
    }

    /// A copy of this scope sharing its PKCE verifier (what a fragment call sees).
    pub fn child(&self) -> Scope {
        self.clone()
    }

    /// The minijinja context for one render: the variables plus `pkce_verifier()`.
    fn context(&self) -> JinjaValue {
        let verifier = self.verifier.clone();
        let function = JinjaValue::from_function(move || verifier.to_string());

        JinjaValue::from_object(Context {
            vars: self.vars.clone(),
            pkce_verifier: function,
        })
    }

    /// Whether a dotted path (`clients.static.id`) names something in this scope.
    fn resolves(&self, path: &[&str]) -> Result<(), UnresolvedPath> {
        let Some((first, rest)) = path.split_first() else {
            return Ok(());
        };
        let mut current = self.vars.get(*first).ok_or(UnresolvedPath::Variable)?;

        for (depth, segment) in rest.iter().enumerate() {
            current = match current {
                Value::Object(map) => map.get(*segment),
                _ => None,
            }
            .ok_or(UnresolvedPath::Attribute(depth + 1))?;
        }

        Ok(())
    }
}

impl Default for Scope {
    fn default() -> Self {
        Self::new()
    }
}

/// Lists the variable names only: values hold client secrets and passwords.
impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("verifier", &"<redacted>")
            .finish()
    }
}

/// Where a dotted path stops resolving.
enum UnresolvedPath {
    /// The first name is not a variable.
    Variable,
    /// The segment at this index is not an attribute of what precedes it.
    Attribute(usize),
}

/// The render context: looks variables up lazily, converting only what a template touches.
struct Context {
    vars: Arc<Map<String, Value>>,
    pkce_verifier: JinjaValue,
}

/// Names only, like [`Scope`]'s.
impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Object for Context {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        let name = key.as_str()?;
        if name == PKCE_VERIFIER {
            return Some(self.pkce_verifier.clone());
        }

        self.vars.get(name).map(JinjaValue::from_serialize)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut names: Vec<JinjaValue> = self.vars.keys().map(|k| k.as_str().into()).collect();
        names.push(PKCE_VERIFIER.into());
        Enumerator::Values(names)
    }
}

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The template text as written in the case.
    pub template: String,
    /// What went wrong, e.g. which variable is undefined.
    pub message: String,
}

impl TemplateError {
    fn new(template: &str, message: impl Into<String>) -> Self {
        Self {
            template: template.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot render `{}`: {}", self.template, self.message)
    }
}

impl std::error::Error for TemplateError {}

/// The template environment with the generator functions registered.
///
/// Built once and shared across the threads that run cases.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// An environment with strict undefined values, no escaping and every generator function.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_keep_trailing_newline(true);
        env.set_formatter(refuse_undefined_inside);

        register_functions(&mut env);
        register_filters(&mut env);
        Self { env }
    }

    /// Renders every string inside `value`, recursively; object keys stay as they are.
    pub fn render(&self, value: &Value, scope: &Scope) -> Result<Value, TemplateError> {
        match value {
            Value::String(template) => self.render_str(template, scope),
            Value::Array(items) => items
                .iter()
                .map(|item| self.render(item, scope))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Value::Object(map) => map
                .iter()
                .map(|(key, item)| Ok((key.clone(), self.render(item, scope)?)))
                .collect::<Result<_, _>>()
                .map(Value::Object),
            other => Ok(other.clone()),
        }
    }

    /// Renders one template string.
    ///
    /// A string that is exactly one `{{ expr }}` keeps the expression's type (number, bool,
    /// object, list, null); anything else renders to a string. A string without `{{` or `{%`
    /// is returned as it is.
    pub fn render_str(&self, template: &str, scope: &Scope) -> Result<Value, TemplateError> {
        if !is_template(template) {
            return Ok(Value::String(template.to_owned()));
        }

        match SingleExpression::parse(template) {
            Some(single) => self.evaluate(template, &single, scope),
            None => self.render_to_string(template, scope).map(Value::String),
        }
    }

    /// Renders to text: strings as they are, numbers and bools as their JSON text.
    ///
    /// An object, list or null is an error.
    pub fn render_text(&self, template: &str, scope: &Scope) -> Result<String, TemplateError> {
        match self.render_str(template, scope)? {
            Value::String(text) => Ok(text),
            Value::Number(number) => Ok(number.to_string()),
            Value::Bool(flag) => Ok(flag.to_string()),
            other => Err(TemplateError::new(
                template,
                format!("expected text, found {}", describe(&other)),
            )),
        }
    }

    /// Evaluates a single-expression template, keeping the result's type.
    fn evaluate(
        &self,
        template: &str,
        single: &SingleExpression<'_>,
        scope: &Scope,
    ) -> Result<Value, TemplateError> {
        let value = self
            .env
            .compile_expression(single.expression)
            .and_then(|expression| expression.eval(scope.context()))
            .map_err(|err| self.error(template, scope, &err))?;

        if contains_undefined(&value) {
            let err = JinjaError::from(ErrorKind::UndefinedError);
            return Err(self.error(template, scope, &err));
        }

        let value = serde_json::to_value(&value)
            .map_err(|err| TemplateError::new(template, err.to_string()))?;

        Ok(match value {
            Value::String(text) => Value::String(format!("{}{text}{}", single.lead, single.trail)),
            other => other,
        })
    }

    /// Renders a template as text through minijinja.
    fn render_to_string(&self, template: &str, scope: &Scope) -> Result<String, TemplateError> {
        self.env
            .render_str(template, scope.context())
            .map_err(|err| self.error(template, scope, &err))
    }

    /// Turns a minijinja error into a [`TemplateError`], naming the undefined name if it can.
    fn error(&self, template: &str, scope: &Scope, err: &JinjaError) -> TemplateError {
        let undefined = match err.kind() {
            ErrorKind::UndefinedError => self.find_undefined(template, scope),
            _ => None,
        };

        let mut message = undefined.unwrap_or_else(|| match (err.kind(), err.detail()) {
            (_, Some(detail)) => format!("{}: {detail}", err.kind()),
            (ErrorKind::UndefinedError, None) => {
                "undefined value (a name, attribute or item the template reads is missing)".into()
            }
            (kind, None) => kind.to_string(),
        });
        if let Some(line) = err.line().filter(|_| template.contains('\n')) {
            message.push_str(&format!(" (line {line})"));
        }

        TemplateError::new(template, message)
    }

    /// The first variable or attribute the template uses that the scope does not have.
    fn find_undefined(&self, template: &str, scope: &Scope) -> Option<String> {
        let mut paths: Vec<String> = match SingleExpression::parse(template) {
            Some(single) => self
                .env
                .compile_expression(single.expression)
                .ok()?
                .undeclared_variables(true),
            None => self
                .env
                .template_from_str(template)
                .ok()?
                .undeclared_variables(true),
        }
        .into_iter()
        .collect();
        paths.sort();

        paths
            .iter()
            .find_map(|path| self.describe_unresolved(path, scope))
    }

    /// Says why a dotted path does not resolve, or `None` when it does.
    fn describe_unresolved(&self, path: &str, scope: &Scope) -> Option<String> {
        let segments: Vec<&str> = path.split('.').collect();
        let first = segments.first()?;
        if *first == PKCE_VERIFIER || self.env.globals().any(|(name, _)| name == *first) {
            return None;
        }

        match scope.resolves(&segments).err()? {
            UnresolvedPath::Variable => Some(format!("undefined variable `{first}`")),
            UnresolvedPath::Attribute(index) => Some(format!(
                "`{}` has no attribute `{}`",
                segments[..index].join("."),
                segments[index]
            )),
        }
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a string contains template syntax at all.
fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// A template that is exactly one `{{ expr }}`, with the whitespace around the block.
struct SingleExpression<'a> {
    lead: &'a str,
    expression: &'a str,
    trail: &'a str,
}

impl<'a> SingleExpression<'a> {
    /// Splits `{{ … }}` into its inside and the whitespace around it, or `None` when the
    /// template is anything else.
    fn parse(template: &'a str) -> Option<Self> {
        let core = template.trim();
        let start = template.len() - template.trim_start().len();
        let lead = &template[..start];
        let trail = &template[start + core.len()..];

        let inner = core.strip_prefix("{{")?.strip_suffix("}}")?;

        // `{{ a }} {{ b }}` is text. minijinja 2.24's expression lexer also panics on a `}}`
        // followed by more input, so `{{ {'a': {'b': 1}} }}` is rendered as text too.
        if inner.contains("}}") {
            return None;
        }

        // `{{-` and `-}}` trim the whitespace outside the block.
        let (inner, lead) = match inner.strip_prefix('-') {
            Some(rest) => (rest, ""),
            None => (inner, lead),
        };
        let (inner, trail) = match inner.strip_suffix('-') {
            Some(rest) => (rest, ""),
            None => (inner, trail),
        };

        Some(Self {
            lead,
            expression: inner,
            trail,
        })
    }
}

/// Prints a value as minijinja would, but refuses one that holds an undefined value.
fn refuse_undefined_inside(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &JinjaValue,
) -> Result<(), JinjaError> {
    if contains_undefined(value) {
        return Err(JinjaError::from(ErrorKind::UndefinedError));
    }

    minijinja::escape_formatter(out, state, value)
}

/// Whether a value is, or holds anywhere inside it, an undefined value.
///
/// Strict mode refuses to print undefined values, but a list or map literal may still hold one
/// (`{{ [missing] }}`); serialising it would silently turn it into null.
fn contains_undefined(value: &JinjaValue) -> bool {
    match value.kind() {
        ValueKind::Undefined => true,
        ValueKind::Seq => value
            .try_iter()
            .into_iter()
            .flatten()
            .any(|item| contains_undefined(&item)),
        ValueKind::Map => value.try_iter().into_iter().flatten().any(|key| {
            value
                .get_item(&key)
                .is_ok_and(|item| contains_undefined(&item))
        }),
        _ => false,
    }
}

/// "an object", "a list" or "null", for error messages.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Registers the generator functions every case can call.
fn register_functions(env: &mut Environment<'static>) {
    env.add_function("s256", |v: JinjaValue| Ok(s256(&text_of(&v)?)));
    env.add_function("random_hex", random_hex);
    env.add_function("uuid", || uuid::Uuid::new_v4().to_string());
    env.add_function("now", now);
    env.add_function("jwt_hs256", jwt_hs256);
    env.add_function("jwt_hs256_sha256_of", jwt_hs256_sha256_of);
    env.add_function("sha256_key", |v: JinjaValue| Ok(sha256_key(&text_of(&v)?)));
    env.add_function("urlencode", |v: JinjaValue| Ok(urlencode(&text_of(&v)?)));
    env.add_function("base64url", |v: JinjaValue| Ok(base64url(&text_of(&v)?)));
    env.add_function("basic", basic);
    env.add_function("well_known", well_known);
}

/// Registers the encodings as filters too, so `{{ x | urlencode }}` works like `urlencode(x)`.
fn register_filters(env: &mut Environment<'static>) {
    env.add_filter("s256", |v: JinjaValue| Ok(s256(&text_of(&v)?)));
    env.add_filter("urlencode", |v: JinjaValue| Ok(urlencode(&text_of(&v)?)));
    env.add_filter("base64url", |v: JinjaValue| Ok(base64url(&text_of(&v)?)));
}

/// A string argument as text; numbers and bools are accepted as their printed form.
fn text_of(value: &JinjaValue) -> Result<String, JinjaError> {
    match value.kind() {
        ValueKind::String | ValueKind::Number | ValueKind::Bool => Ok(value.to_string()),
        kind => Err(JinjaError::new(
            ErrorKind::InvalidOperation,
            format!("expected text, found {kind}"),
        )),
    }
}

/// A fresh PKCE code verifier: 43 characters drawn from the unreserved set.
fn random_verifier() -> String {
    let mut rng = rand::rng();
    (0..VERIFIER_LEN)
        .map(|_| char::from(UNRESERVED[rng.random_range(0..UNRESERVED.len())]))
        .collect()
}

/// base64url (no padding) of the SHA-256 of the text: the S256 code challenge.
fn s256(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

/// `n` random bytes, hex-encoded.
fn random_hex(n: i64) -> Result<String, JinjaError> {
    if !(1..=MAX_RANDOM_BYTES).contains(&n) {
        return Err(JinjaError::new(
            ErrorKind::InvalidOperation,
            format!("random_hex(n) needs 0 < n <= {MAX_RANDOM_BYTES}, got {n}"),
        ));
    }

    let mut bytes = vec![0u8; n.unsigned_abs() as usize];
    rand::rng().fill_bytes(&mut bytes);
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The current Unix time in seconds.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// An HS256 JWT over `claims`; a string key is used as its UTF-8 bytes, a byte key as is.
fn jwt_hs256(claims: JinjaValue, key: JinjaValue) -> Result<String, JinjaError> {
    let key = match key.as_bytes() {
        Some(bytes) if key.kind() == ValueKind::Bytes => bytes.to_vec(),
        _ => text_of(&key)?.into_bytes(),
    };
    sign_hs256(&claims, &key)
}

/// An HS256 JWT over `claims` keyed with SHA-256(secret), as the Belgie servers sign id_tokens.
fn jwt_hs256_sha256_of(claims: JinjaValue, secret: JinjaValue) -> Result<String, JinjaError> {
    let key = Sha256::digest(text_of(&secret)?.as_bytes());
    sign_hs256(&claims, &key)
}

/// The raw SHA-256 of the text, as bytes, for use as an HMAC key with `jwt_hs256`.
fn sha256_key(text: &str) -> JinjaValue {
    JinjaValue::from_bytes(Sha256::digest(text.as_bytes()).to_vec())
}

/// Signs a map of claims with HS256 under a JWT header.
fn sign_hs256(claims: &JinjaValue, key: &[u8]) -> Result<String, JinjaError> {
    if claims.kind() != ValueKind::Map {
        return Err(JinjaError::new(
            ErrorKind::InvalidOperation,
            format!("JWT claims must be a map, found {}", claims.kind()),
        ));
    }

    let claims = serde_json::to_value(claims)
        .map_err(|err| JinjaError::new(ErrorKind::BadSerialization, err.to_string()))?;
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let key = jsonwebtoken::EncodingKey::from_secret(key).map_err(|_| {
        JinjaError::new(
            ErrorKind::InvalidOperation,
            "the HS256 key must not be empty",
        )
    })?;

    jsonwebtoken::encode(&header, &claims, &key)
        .map_err(|err| JinjaError::new(ErrorKind::InvalidOperation, err.to_string()))
}

/// application/x-www-form-urlencoded encoding of the text.
fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// base64url of the text's UTF-8, without padding.
fn base64url(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text.as_bytes())
}

/// The well-known location of `url`'s `name` document, the segment inserted between the host and
/// the path (RFC 8414 §3.1, RFC 9728 §3.1): `well_known("https://a/b", "x")` is
/// `https://a/.well-known/x/b`.
fn well_known(url: JinjaValue, name: JinjaValue) -> Result<String, JinjaError> {
    let (url, name) = (text_of(&url)?, text_of(&name)?);
    let parsed = url::Url::parse(&url).map_err(|err| {
        JinjaError::new(
            ErrorKind::InvalidOperation,
            format!("`{url}` is not a URL: {err}"),
        )
    })?;
    let origin = parsed.origin().ascii_serialization();
    let path = parsed.path().trim_end_matches('/');
    Ok(format!("{origin}/.well-known/{name}{path}"))
}

/// The `Authorization` value for HTTP Basic client authentication (RFC 6749 §2.3.1).
fn basic(id: JinjaValue, secret: JinjaValue) -> Result<String, JinjaError> {
    let id = urlencode(&text_of(&id)?);
    let secret = urlencode(&text_of(&secret)?);
    Ok(format!(
        "Basic {}",
        STANDARD.encode(format!("{id}:{secret}"))
    ))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    use serde_json::json;

    use super::*;

    #[test]
    fn well_known_inserts_the_segment_between_host_and_path() {
        let scope = Scope::with_verifier(RFC_VERIFIER.to_owned());
        let render = |t: &str| Templates::new().render_str(t, &scope).unwrap();
        assert_eq!(
            render("{{ well_known('http://h:8/auth/oauth', 'oauth-authorization-server') }}"),
            json!("http://h:8/.well-known/oauth-authorization-server/auth/oauth")
        );
        assert_eq!(
            render("{{ well_known('https://h/', 'oauth-protected-resource') }}"),
            json!("https://h/.well-known/oauth-protected-resource")
        );
        assert!(
            Templates::new()
                .render_str("{{ well_known('no', 'x') }}", &scope)
                .is_err()
        );
    }

    /// RFC 7636 Appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn scope() -> Scope {
        let mut scope = Scope::with_verifier(RFC_VERIFIER.to_owned());
        scope.set(
            "clients",
            json!({"static": {"id": "app", "secret": "s3cret", "redirect_uris": ["https://a/cb"]}}),
        );
        scope.set("expires_in", json!(3600));
        scope.set("flag", json!(true));
        scope.set("nothing", Value::Null);
        scope.set("name", json!("Ada"));
        scope
    }

    fn render(template: &str) -> Result<Value, TemplateError> {
        Templates::new().render_str(template, &scope())
    }

    fn text(template: &str) -> String {
        Templates::new().render_text(template, &scope()).unwrap()
    }

    fn hs256_claims(token: &str, key: &[u8]) -> Value {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<Value>(
            token,
            &DecodingKey::from_secret(key).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(data.header.typ.as_deref(), Some("JWT"));
        data.claims
    }

    #[test]
    fn rfc_7636_appendix_b_challenge() {
        assert_eq!(text("{{ s256(pkce_verifier()) }}"), RFC_CHALLENGE);
        assert_eq!(text("{{ pkce_verifier() }}"), RFC_VERIFIER);
        assert_eq!(text("{{ pkce_verifier() | s256 }}"), RFC_CHALLENGE);
    }

    #[test]
    fn fresh_verifiers_are_43_unreserved_characters_and_differ() {
        let templates = Templates::new();
        let first = templates
            .render_text("{{ pkce_verifier() }}", &Scope::new())
            .unwrap();
        let second = templates
            .render_text("{{ pkce_verifier() }}", &Scope::new())
            .unwrap();

        assert_eq!(first.len(), 43);
        assert!(first.bytes().all(|byte| UNRESERVED.contains(&byte)));
        assert_ne!(first, second);
    }

    #[test]
    fn the_verifier_is_stable_within_a_scope_and_shared_by_its_child() {
        let templates = Templates::new();
        let mut parent = Scope::new();
        parent.set("a", json!(1));
        let mut child = parent.child();
        child.set("b", json!(2));

        let verifier = |scope: &Scope| templates.render_text("{{ pkce_verifier() }}", scope);
        assert_eq!(verifier(&parent), verifier(&parent));
        assert_eq!(verifier(&parent), verifier(&child));
        assert_eq!(child.get("a"), Some(&json!(1)));
        assert_eq!(parent.get("b"), None);
    }

    #[test]
    fn set_replaces_and_vars_lists() {
        let mut scope = Scope::with_verifier(RFC_VERIFIER.to_owned());
        scope.set("x", json!(1));
        scope.set("x", json!("two"));

        assert_eq!(scope.get("x"), Some(&json!("two")));
        assert_eq!(scope.vars().len(), 1);
        assert!(!format!("{scope:?}").contains(RFC_VERIFIER));
    }

    #[test]
    fn an_unknown_variable_is_an_error_naming_it() {
        for template in [
            "{{ missing }}",
            "a {{ missing }} b",
            "{{ missing.id }}",
            "{{ [1, missing] }}",
            "{{ {'a': {'b': missing}} }}",
            "x{{ [missing] }}",
        ] {
            let err = render(template).unwrap_err();
            assert_eq!(err.template, template);
            assert!(err.message.contains("`missing`"), "{err}");
        }
    }

    #[test]
    fn an_unknown_attribute_is_an_error_naming_it() {
        for template in ["{{ clients.static.nope }}", "x{{ clients.static.nope }}"] {
            let err = render(template).unwrap_err();
            assert!(err.message.contains("`clients.static`"), "{err}");
            assert!(err.message.contains("`nope`"), "{err}");
        }
        assert!(
            render("{{ clients.other.id }}")
                .unwrap_err()
                .message
                .contains("`other`")
        );
    }

    #[test]
    fn is_defined_still_works_under_strict_undefined() {
        assert_eq!(render("{{ missing is defined }}").unwrap(), json!(false));
        assert_eq!(render("{{ name is defined }}").unwrap(), json!(true));
    }

    #[test]
    fn a_single_expression_keeps_its_type() {
        assert_eq!(render("{{ expires_in }}").unwrap(), json!(3600));
        assert_eq!(render("{{ 3600 }}").unwrap(), json!(3600));
        assert_eq!(render("{{ 1.5 }}").unwrap(), json!(1.5));
        assert_eq!(render("{{ flag }}").unwrap(), json!(true));
        assert_eq!(render("{{ nothing }}").unwrap(), Value::Null);
        assert_eq!(render("{{ none }}").unwrap(), Value::Null);
        assert_eq!(render("{{ [1, 'a'] }}").unwrap(), json!([1, "a"]));
        assert_eq!(
            render("{{ {'a': {'b': 1} } }}").unwrap(),
            json!({"a": {"b": 1}})
        );
        assert_eq!(
            render("{{ clients.static }}").unwrap(),
            scope().get("clients").unwrap()["static"]
        );
        assert_eq!(
            render("{{ clients.static.redirect_uris }}").unwrap(),
            json!(["https://a/cb"])
        );
    }

    #[test]
    fn whitespace_around_a_single_expression_is_allowed() {
        assert_eq!(render("  {{expires_in}}\n").unwrap(), json!(3600));
        assert_eq!(render("{{- expires_in -}}").unwrap(), json!(3600));
        assert_eq!(render(" {{ name }}\n").unwrap(), json!(" Ada\n"));
        assert_eq!(render(" {{- name }}").unwrap(), json!("Ada"));
    }

    #[test]
    fn mixed_text_renders_to_a_string() {
        assert_eq!(render("x{{ 1 }}").unwrap(), json!("x1"));
        assert_eq!(render("{{ 1 }}{{ 2 }}").unwrap(), json!("12"));
        assert_eq!(render("{{ 1 }} {{ 2 }}").unwrap(), json!("1 2"));
        assert_eq!(
            render("{{ {'a': {'b': 1}} }}").unwrap(),
            json!("{\"a\": {\"b\": 1}}")
        );
        assert_eq!(render("{% if flag %}yes{% endif %}").unwrap(), json!("yes"));
        assert_eq!(render("Hello {{ name }}\n").unwrap(), json!("Hello Ada\n"));
    }

    #[test]
    fn nothing_is_escaped() {
        assert_eq!(text("{{ '<a href=\"x\">&</a>' }}"), "<a href=\"x\">&</a>");
        assert_eq!(text("<{{ '&' }}>"), "<&>");
    }

    #[test]
    fn strings_without_template_syntax_pass_through() {
        for plain in [
            "",
            "plain",
            "a } b { c",
            "{ not: json }",
            "{# comment #}",
            "100%",
        ] {
            assert_eq!(render(plain).unwrap(), json!(plain));
        }
    }

    #[test]
    fn render_recurses_and_leaves_keys_alone() {
        let case = json!({
            "{{ name }}": "{{ expires_in }}",
            "list": ["{{ name }}", ["{{ flag }}"], {"deep": "id={{ clients.static.id }}"}],
            "number": 7,
            "null": null,
        });

        let rendered = Templates::new().render(&case, &scope()).unwrap();

        let expected = json!({
            "{{ name }}": 3600,
            "list": ["Ada", [true], {"deep": "id=app"}],
            "number": 7,
            "null": null,
        });
        assert_eq!(rendered, expected);
    }

    #[test]
    fn render_reports_the_failing_string() {
        let case = json!({"a": ["ok", "{{ missing }}"]});
        let err = Templates::new().render(&case, &scope()).unwrap_err();
        assert_eq!(err.template, "{{ missing }}");
    }

    #[test]
    fn render_text_prints_scalars_and_rejects_the_rest() {
        assert_eq!(text("{{ expires_in }}"), "3600");
        assert_eq!(text("{{ flag }}"), "true");
        assert_eq!(text("plain"), "plain");

        let templates = Templates::new();
        for (template, found) in [
            ("{{ clients.static }}", "an object"),
            ("{{ [1] }}", "a list"),
            ("{{ nothing }}", "null"),
        ] {
            let err = templates.render_text(template, &scope()).unwrap_err();
            assert_eq!(err.message, format!("expected text, found {found}"));
        }
    }

    #[test]
    fn a_syntax_error_is_an_error_not_a_panic() {
        for template in ["{{ 1 +  }}", "{% if %}", "{{ name ", "a {{ ) }} b", "{{ }}"] {
            let err = render(template).unwrap_err();
            assert_eq!(err.template, template);
            assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn random_hex_gives_fresh_hex_of_the_asked_length() {
        let first = text("{{ random_hex(16) }}");
        let second = text("{{ random_hex(16) }}");

        assert_eq!(first.len(), 32);
        assert!(first.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(first, second);
        assert_eq!(text("{{ random_hex(1024) }}").len(), 2048);
    }

    #[test]
    fn random_hex_rejects_sizes_out_of_range() {
        for template in [
            "{{ random_hex(0) }}",
            "{{ random_hex(-1) }}",
            "{{ random_hex(1025) }}",
        ] {
            let err = render(template).unwrap_err();
            assert!(err.message.contains("0 < n <= 1024"), "{err}");
        }
    }

    #[test]
    fn uuid_is_a_uuid() {
        let id = text("{{ uuid() }}");
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
        assert_ne!(id, text("{{ uuid() }}"));
    }

    #[test]
    fn now_is_unix_seconds() {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let rendered = render("{{ now() }}").unwrap().as_u64().unwrap();
        assert!(rendered.abs_diff(system) <= 5);
        assert_eq!(
            render("{{ now() + 60 - now() >= 59 }}").unwrap(),
            json!(true)
        );
    }

    #[test]
    fn jwt_hs256_verifies_with_the_raw_key() {
        let token = text("{{ jwt_hs256({'sub': name, 'n': 1}, 'k3y') }}");
        assert_eq!(hs256_claims(&token, b"k3y"), json!({"sub": "Ada", "n": 1}));
    }

    #[test]
    fn jwt_hs256_sha256_of_uses_the_digest_of_the_secret_as_key() {
        let token = text("{{ jwt_hs256_sha256_of({'iss': 'https://i', 'aud': ['a']}, 'secret') }}");
        let key = Sha256::digest(b"secret");

        assert_eq!(
            hs256_claims(&token, &key),
            json!({"iss": "https://i", "aud": ["a"]})
        );
        assert_eq!(
            text("{{ jwt_hs256({'iss': 'https://i', 'aud': ['a']}, sha256_key('secret')) }}"),
            token
        );
    }

    #[test]
    fn jwt_header_is_hs256_jwt() {
        let token = text("{{ jwt_hs256({}, 'k') }}");
        let header = token.split('.').next().unwrap();
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    }

    #[test]
    fn jwt_claims_must_be_a_map() {
        let err = render("{{ jwt_hs256('sub', 'k') }}").unwrap_err();
        assert!(err.message.contains("claims must be a map"), "{err}");
    }

    #[test]
    fn encodings() {
        assert_eq!(text("{{ urlencode('a b&c') }}"), "a+b%26c");
        assert_eq!(text("{{ 'a b&c' | urlencode }}"), "a+b%26c");
        assert_eq!(text("{{ base64url('??>') }}"), "Pz8-");
        assert_eq!(
            text("{{ basic('a:b', 'p w') }}"),
            format!("Basic {}", STANDARD.encode("a%3Ab:p+w"))
        );
        assert_eq!(text("{{ urlencode(12) }}"), "12");
        assert!(render("{{ urlencode([1]) }}").is_err());
    }

    #[test]
    fn builtin_filters_are_available() {
        assert_eq!(
            render("{{ clients.static.redirect_uris | tojson }}").unwrap(),
            json!("[\"https://a/cb\"]")
        );
        assert_eq!(
            render("{{ clients.static.redirect_uris | length }}").unwrap(),
            json!(1)
        );
        assert_eq!(text("{{ ['a', 'b'] | join(' ') }}"), "a b");
        assert_eq!(text("{{ 'ABC' | lower }}"), "abc");
        assert_eq!(text("{{ 'a-b' | replace('-', '_') }}"), "a_b");
    }

    #[test]
    fn templates_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Templates>();
        assert_send_sync::<Scope>();
    }

    #[test]
    fn rendering_is_not_absurdly_slow() {
        let templates = Templates::new();
        let scope = scope();
        let rounds = 2_000;

        let started = Instant::now();
        for _ in 0..rounds {
            templates
                .render_str("{{ clients.static.id }}", &scope)
                .unwrap();
            templates
                .render_str(
                    "Basic {{ basic(clients.static.id, clients.static.secret) }}",
                    &scope,
                )
                .unwrap();
        }
        let per_render = started.elapsed() / (2 * rounds);

        assert!(per_render.as_micros() < 500, "{per_render:?} per render");
    }
}
