//! Target profiles: a YAML file that describes a deployment (its base URL and issuer, test
//! clients and users, how a test user signs in, the capabilities it claims, values to treat as
//! secrets, and the checks expected to fail), loaded with located diagnostics and turned into a
//! [`Target`] once the deployment's discovery documents have been read.
//!
//! Variables keep secrets out of the file: a profile value may be a template over
//! `vars.NAME`, and `NAME` comes from `--variable NAME=VALUE`, else the environment variable
//! `OAUTH_CONFORMANCE_VAR_<NAME>` (upper-case), else the default the profile's `variables:`
//! section gives. A variable whose name looks secret (`*secret*`, `*token*`, `*password`,
//! `session`, …) and whose value came from the command line or the environment is redacted, as
//! is every value the profile lists under `secrets:`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::{ClientInfo, Target, UserInfo, discover};
use crate::case::{Capabilities, Fragment, IdTokenSigning, Registration, ResourceSupport, Step};
use crate::load::{Diagnostic, FragmentFile, Library, nearest};
use crate::redact::{Redactor, is_secret_name};
use crate::template::{Scope, Templates};

/// The prefix of environment variables that set profile variables.
pub const ENV_PREFIX: &str = "OAUTH_CONFORMANCE_VAR_";

/// A profile file as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// The target's name, used in reports.
    pub name: String,
    /// The host base URL; `path:` requests are joined to it.
    pub base_url: String,
    /// The issuer; discovery documents are read from it.
    pub issuer: String,
    /// Variables: name → default; `~` (null) means it must be given.
    #[serde(default)]
    pub variables: IndexMap<String, Option<String>>,
    /// Endpoint URLs that replace (or add to) what discovery finds: `token` → URL.
    #[serde(default)]
    pub endpoints: BTreeMap<String, String>,
    /// Test clients by name (`static` is the one most cases use).
    #[serde(default)]
    pub clients: IndexMap<String, ClientInfo>,
    /// Test users by name (`default` is the one `sign-in` signs in).
    #[serde(default)]
    pub users: IndexMap<String, UserInfo>,
    /// The configured protected resource's URL (with `capabilities.resource: configured`).
    #[serde(default)]
    pub resource: Option<String>,
    /// The secret public clients' id_tokens are keyed with, when the deployment shares it.
    #[serde(default)]
    pub fallback_secret: Option<String>,
    /// What the deployment claims to support.
    pub capabilities: Capabilities,
    /// How a test user signs in: replaces the library's `sign-in` fragment.
    #[serde(default)]
    pub sign_in: Option<SignIn>,
    /// Other fragments the deployment replaces: name → fragment.
    #[serde(default)]
    pub fragments: BTreeMap<String, Fragment>,
    /// Further values to redact in every output (templates, usually `{{ vars.NAME }}`).
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Checks known to fail on this deployment.
    #[serde(default)]
    pub expected_failures: Vec<ExpectedFailure>,
}

/// How a test user signs in: steps (a form post with the case's cookie jar), or cookies the
/// operator supplies, put in the jar when a case calls `sign-in`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// Parameters, as a fragment's: name → default template.
    #[serde(default)]
    pub params: IndexMap<String, Value>,
    /// Steps to run, as a fragment's.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Cookies to put in the jar instead of (or before) running steps.
    #[serde(default)]
    pub cookies: Vec<PresetCookie>,
}

/// A cookie the operator supplies (a session copied from a browser, say).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PresetCookie {
    /// The cookie's name.
    pub name: String,
    /// Its value; usually `{{ vars.session }}`.
    pub value: String,
    /// The URL it is sent to (default: the base URL).
    #[serde(default)]
    pub url: Option<String>,
}

/// One check known to fail: the case, the check (as reports name it), optionally the step.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// The case's test name (`token::pkce_wrong_verifier`).
    pub case: String,
    /// The failing check, as reports print it (`status`, `json error`).
    pub check: String,
    /// The step, as reports print it; any step when omitted.
    #[serde(default)]
    pub step: Option<String>,
    /// Why it fails (an issue link, say).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A fragment a target replaces, with cookies to put in the jar before its steps.
#[derive(Clone, Debug)]
pub struct FragmentOverride {
    /// The fragment (its file is the profile).
    pub file: FragmentFile,
    /// Cookies set before the steps run: (URL, `name=value`).
    pub cookies: Vec<(url::Url, String)>,
}

/// Variable values from the command line and the environment.
#[derive(Clone, Debug, Default)]
pub struct Variables {
    given: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
}

impl Variables {
    /// `--variable NAME=VALUE` pairs plus every `OAUTH_CONFORMANCE_VAR_*` in `env`.
    pub fn new(
        cli: &[String],
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, String> {
        let mut given = BTreeMap::new();
        for pair in cli {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`--variable {pair}` is not NAME=VALUE"))?;
            given.insert(name.trim().to_owned(), value.to_owned());
        }
        let env = env
            .into_iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(ENV_PREFIX)?.to_ascii_lowercase(), v)))
            .collect();
        Ok(Self { given, env })
    }

    /// The value of `name`: the command line, then the environment.
    fn lookup(&self, name: &str) -> Option<&String> {
        self.given.get(name).or_else(|| self.env.get(name))
    }
}

/// A loaded profile: its file, the variables resolved, ready to meet its deployment.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The file, with every value outside fragment steps rendered.
    pub file: ProfileFile,
    /// The resolved variables.
    pub variables: BTreeMap<String, String>,
    /// Fragments the profile replaces.
    pub overrides: BTreeMap<String, FragmentOverride>,
    /// Every secret value, for redaction.
    pub redactor: Redactor,
}

/// A claim of the profile that the deployment's metadata contradicts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Contradiction {
    /// The capability (`registration`).
    pub capability: String,
    /// What the profile claims.
    pub claimed: String,
    /// What the metadata says.
    pub metadata: String,
}

impl Profile {
    /// Reads and checks the profile at `path` against `library` (fragment names and
    /// parameters), resolving variables; every problem is located.
    pub fn load(
        path: &Path,
        library: &Library,
        variables: &Variables,
    ) -> Result<Self, Vec<Diagnostic>> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![Diagnostic::file(path, format!("unreadable profile: {e}"))])?;
        let file: ProfileFile = serde_saphyr::from_str(&text)
            .map_err(|e| vec![Diagnostic::from_yaml(path, &text, &e)])?;
        let mut problems = Vec::new();
        let resolved = resolve_variables(path, &text, &file, variables, &mut problems);
        check_claims(path, &text, &file, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let redactor = Redactor::new();
        for (name, value) in &resolved {
            if variables.lookup(name).is_some() && is_secret_name(name) {
                redactor.add(&format!("vars.{name}"), value);
            }
        }
        let file = render_values(path, &text, file, &resolved)?;
        for (index, secret) in file.secrets.iter().enumerate() {
            redactor.add(&format!("secrets.{index}"), secret);
        }
        let overrides = overrides(path, &text, &file, library)?;
        Ok(Self {
            path: path.to_owned(),
            file,
            variables: resolved,
            overrides,
            redactor,
        })
    }

    /// Reads the deployment's discovery documents and describes it as a target whose
    /// snapshots live in `snapshot_dir`. An unreachable deployment is an `Err`.
    pub async fn connect(&self, snapshot_dir: PathBuf) -> Result<Connected, String> {
        let file = &self.file;
        let discovered = discover(&file.issuer).await.map_err(|e| {
            format!(
                "the target `{}` is unreachable at {}: {e}",
                file.name, file.issuer
            )
        })?;
        let contradictions = contradictions(&file.capabilities, &discovered);
        let mut endpoints = discovered;
        endpoints.extend(file.endpoints.clone());
        let base_url = url::Url::parse(&file.base_url)
            .map_err(|e| format!("the base URL `{}` is not a URL: {e}", file.base_url))?;
        let target = Target {
            name: file.name.clone(),
            base_url,
            issuer: file.issuer.clone(),
            clients: file.clients.clone(),
            users: file.users.clone(),
            capabilities: file.capabilities.clone(),
            resource: file.resource.clone(),
            fallback_secret: file.fallback_secret.clone(),
            endpoints,
            fragment_overrides: self.overrides.clone(),
            variables: self.variables.clone(),
            redactor: self.redactor.child(),
            snapshot_dir,
        };
        target.learn_secrets();
        for contradiction in &contradictions {
            tracing::warn!(
                capability = %contradiction.capability,
                "the profile's claim is contradicted by the metadata"
            );
        }
        Ok(Connected {
            target,
            contradictions,
        })
    }
}

/// A target described from a profile and its discovery documents.
#[derive(Debug)]
pub struct Connected {
    /// The target.
    pub target: Target,
    /// Claims the metadata contradicts.
    pub contradictions: Vec<Contradiction>,
}

/// Every `vars.NAME` the text uses, with where; each must be defined somewhere.
fn resolve_variables(
    path: &Path,
    text: &str,
    file: &ProfileFile,
    variables: &Variables,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut resolved = BTreeMap::new();
    for (name, default) in &file.variables {
        let value = variables.lookup(name).or(default.as_ref());
        match value {
            Some(value) => {
                resolved.insert(name.clone(), value.clone());
            }
            None => problems.push(located(
                path,
                text,
                &format!("{name}:"),
                format!(
                    "the variable `{name}` has no value: pass `--variable {name}=VALUE` or set {ENV_PREFIX}{}",
                    name.to_ascii_uppercase()
                ),
            )),
        }
    }
    for (name, _) in uses_of_variables(text) {
        if file.variables.contains_key(&name) {
            continue;
        }
        let message = format!("`vars.{name}` is not declared under `variables:`");
        let mut problem = located(path, text, &format!("vars.{name}"), message);
        if let Some(near) = nearest(&name, file.variables.keys().map(String::as_str)) {
            problem = problem.with_help(format!("did you mean `vars.{near}`?"));
        }
        problems.push(problem);
    }
    resolved
}

/// The names after `vars.` in `text`, each once, in order.
fn uses_of_variables(text: &str) -> Vec<(String, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    for (at, _) in text.match_indices("vars.") {
        let preceded = text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if preceded {
            continue;
        }
        let name: String = text[at + 5..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !found.iter().any(|(n, _)| *n == name) {
            found.push((name, at));
        }
    }
    found
}

/// A diagnostic at the first occurrence of `needle` in `text` (the whole file if absent).
fn located(path: &Path, text: &str, needle: &str, message: String) -> Diagnostic {
    for (index, line) in text.lines().enumerate() {
        if let Some(column) = line.find(needle) {
            return Diagnostic::at(path, text, index as u64 + 1, column as u64 + 1, message);
        }
    }
    Diagnostic::file(path, message)
}

/// Claims that need something else in the profile.
fn check_claims(path: &Path, text: &str, file: &ProfileFile, problems: &mut Vec<Diagnostic>) {
    let claims = &file.capabilities;
    if claims.resource == ResourceSupport::Configured && file.resource.is_none() {
        problems.push(located(
            path,
            text,
            "resource:",
            "`capabilities.resource: configured` needs the resource's URL under `resource:`".into(),
        ));
    }
    if claims.login && !file.users.contains_key("default") {
        problems.push(located(
            path,
            text,
            "login:",
            "`capabilities.login: true` needs a user named `default` under `users:`".into(),
        ));
    }
    if claims.flavour == "belgie" && !file.clients.contains_key("static") {
        problems.push(located(
            path,
            text,
            "flavour:",
            "the belgie flavour's cases use `clients.static`: name one client `static`".into(),
        ));
    }
}

/// Renders every value outside fragment steps over `vars`.
fn render_values(
    path: &Path,
    text: &str,
    mut file: ProfileFile,
    variables: &BTreeMap<String, String>,
) -> Result<ProfileFile, Vec<Diagnostic>> {
    let templates = Templates::new();
    let mut scope = Scope::new();
    scope.set("vars", serde_json::to_value(variables).unwrap_or_default());
    let mut problems = Vec::new();
    let mut render = |value: &mut String| match templates.render_text(value, &scope) {
        Ok(rendered) => *value = rendered,
        Err(error) => problems.push(located(path, text, value, error.to_string())),
    };
    render(&mut file.base_url);
    render(&mut file.issuer);
    file.endpoints.values_mut().for_each(&mut render);
    for client in file.clients.values_mut() {
        render(&mut client.id);
        client.secret.iter_mut().for_each(&mut render);
        client.redirect_uris.iter_mut().for_each(&mut render);
        client.scope.iter_mut().for_each(&mut render);
        client
            .post_logout_redirect_uris
            .iter_mut()
            .for_each(&mut render);
    }
    for user in file.users.values_mut() {
        render(&mut user.email);
        render(&mut user.password);
        user.name.iter_mut().for_each(&mut render);
    }
    file.resource.iter_mut().for_each(&mut render);
    file.fallback_secret.iter_mut().for_each(&mut render);
    file.secrets.iter_mut().for_each(&mut render);
    if let Some(sign_in) = &mut file.sign_in {
        for cookie in &mut sign_in.cookies {
            render(&mut cookie.value);
            cookie.url.iter_mut().for_each(&mut render);
        }
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(problems)
    }
}

/// The fragments the profile replaces, checked against the library's.
fn overrides(
    path: &Path,
    text: &str,
    file: &ProfileFile,
    library: &Library,
) -> Result<BTreeMap<String, FragmentOverride>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut overrides = BTreeMap::new();
    for (name, fragment) in &file.fragments {
        check_override(path, text, name, &fragment.params, library, &mut problems);
        let file = fragment_file(path, text, fragment.clone());
        overrides.insert(
            name.clone(),
            FragmentOverride {
                file,
                cookies: vec![],
            },
        );
    }
    if let Some(sign_in) = &file.sign_in {
        if sign_in.steps.is_empty() && sign_in.cookies.is_empty() {
            problems.push(located(
                path,
                text,
                "sign_in:",
                "`sign_in` needs `steps`, `cookies`, or both".into(),
            ));
        }
        check_override(
            path,
            text,
            "sign-in",
            &sign_in.params,
            library,
            &mut problems,
        );
        let cookies = preset_cookies(path, text, &file.base_url, sign_in, &mut problems);
        let fragment = Fragment {
            description: format!("Sign a test user in to {}", file.name),
            params: sign_in.params.clone(),
            steps: sign_in.steps.clone(),
        };
        let file = fragment_file(path, text, fragment);
        overrides.insert("sign-in".to_owned(), FragmentOverride { file, cookies });
    }
    for replaced in overrides.values() {
        check_calls(
            path,
            text,
            &replaced.file.fragment.steps,
            library,
            &mut problems,
        );
    }
    if problems.is_empty() {
        Ok(overrides)
    } else {
        Err(problems)
    }
}

fn fragment_file(path: &Path, text: &str, fragment: Fragment) -> FragmentFile {
    FragmentFile {
        path: path.to_owned(),
        text: text.to_owned(),
        fragment,
    }
}

/// An override replaces a fragment the library has, and needs no argument callers do not give.
fn check_override(
    path: &Path,
    text: &str,
    name: &str,
    params: &IndexMap<String, Value>,
    library: &Library,
    problems: &mut Vec<Diagnostic>,
) {
    let Some(original) = library.fragments.get(name) else {
        let mut problem = located(
            path,
            text,
            &format!("{name}:"),
            format!("the library has no fragment `{name}` to replace"),
        );
        if let Some(near) = nearest(name, library.fragments.keys().map(String::as_str)) {
            problem = problem.with_help(format!("did you mean `{near}`?"));
        }
        problems.push(problem);
        return;
    };
    for (param, default) in params {
        if default.is_null() && !original.fragment.params.contains_key(param) {
            problems.push(located(
                path,
                text,
                &format!("{param}:"),
                format!(
                    "`{param}` has no default, and callers of `{name}` never give it; give it a default"
                ),
            ));
        }
    }
}

/// Fragment calls inside the profile's steps name fragments the library has.
fn check_calls(
    path: &Path,
    text: &str,
    steps: &[Step],
    library: &Library,
    problems: &mut Vec<Diagnostic>,
) {
    for step in steps {
        let Step::Call(call) = step else { continue };
        let name = &call.fragment.value;
        if library.fragments.contains_key(name) {
            continue;
        }
        let at = &call.fragment.referenced;
        let message = format!("no fragment named `{name}` in the library");
        let mut problem = Diagnostic::at(path, text, at.line(), at.column(), message);
        if let Some(near) = nearest(name, library.fragments.keys().map(String::as_str)) {
            problem = problem.with_help(format!("did you mean `{near}`?"));
        }
        problems.push(problem);
    }
}

fn preset_cookies(
    path: &Path,
    text: &str,
    base_url: &str,
    sign_in: &SignIn,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(url::Url, String)> {
    let mut cookies = Vec::new();
    for cookie in &sign_in.cookies {
        let raw = cookie.url.as_deref().unwrap_or(base_url);
        match url::Url::parse(raw) {
            Ok(url) => cookies.push((url, format!("{}={}", cookie.name, cookie.value))),
            Err(error) => problems.push(located(
                path,
                text,
                &cookie.name,
                format!("the cookie `{}` has no valid URL: {error}", cookie.name),
            )),
        }
    }
    cookies
}

/// Claims the discovered endpoints contradict.
pub fn contradictions(
    claims: &Capabilities,
    endpoints: &BTreeMap<String, String>,
) -> Vec<Contradiction> {
    let mut found = Vec::new();
    let mut contradict = |capability: &str, claimed: &str, metadata: &str| {
        found.push(Contradiction {
            capability: capability.to_owned(),
            claimed: claimed.to_owned(),
            metadata: metadata.to_owned(),
        })
    };
    if claims.registration != Registration::Off && !endpoints.contains_key("registration") {
        let claimed = match serde_json::to_value(claims.registration) {
            Ok(Value::String(text)) => text,
            _ => "on".to_owned(),
        };
        contradict(
            "registration",
            &claimed,
            "the metadata has no registration_endpoint",
        );
    }
    if claims.end_session && !endpoints.contains_key("end_session") {
        contradict(
            "end_session",
            "true",
            "the metadata has no end_session_endpoint",
        );
    }
    if claims.id_token_signing == IdTokenSigning::Jwks && !endpoints.contains_key("jwks") {
        contradict("id_token_signing", "jwks", "the metadata has no jwks_uri");
    }
    if claims.login && !endpoints.contains_key("authorization") {
        contradict(
            "login",
            "true",
            "the metadata has no authorization_endpoint",
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = "\
name: staging
variables:
  base: http://127.0.0.1:9
  secret: ~
base_url: \"{{ vars.base }}\"
issuer: \"{{ vars.base }}/oauth\"
clients:
  static:
    id: c1
    secret: \"{{ vars.secret }}\"
    auth_method: client_secret_post
    redirect_uris: [http://127.0.0.1:3030/callback]
users:
  default: { email: a@example.com, password: pass-word-1 }
capabilities:
  flavour: belgie
  registration: signed-in
  resource: none
  signup: false
  end_session: true
  login: true
  id_token_signing: hs256-sha256-secret
sign_in:
  cookies:
    - { name: belgie_session, value: \"{{ vars.secret }}\" }
expected_failures:
  - { case: token::x, check: status }
";

    fn write(text: &str) -> (tempdir::Dir, PathBuf) {
        let dir = tempdir::Dir::new();
        let path = dir.0.join("profile.yaml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    /// A throwaway folder removed on drop.
    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let path = std::env::temp_dir().join(format!("profile-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    fn library_with_sign_in() -> Library {
        let fragment: Fragment = serde_saphyr::from_str(
            "description: x\nparams: { user: \"{{ users.default }}\" }\nsteps: []\n",
        )
        .unwrap();
        let mut library = Library::default();
        library.fragments.insert(
            "sign-in".into(),
            fragment_file(Path::new("f.yaml"), "", fragment),
        );
        library
    }

    #[test]
    fn variables_come_from_the_command_line_before_the_environment() {
        let env = [(format!("{ENV_PREFIX}SECRET"), "from-env-secret".to_owned())];
        let variables = Variables::new(&["secret=from-cli-secret".into()], env).unwrap();
        let (_dir, path) = write(PROFILE);
        let profile = Profile::load(&path, &library_with_sign_in(), &variables).unwrap();
        let client = &profile.file.clients["static"];
        assert_eq!(client.secret.as_deref(), Some("from-cli-secret"));
        assert_eq!(profile.file.issuer, "http://127.0.0.1:9/oauth");
        assert_eq!(
            profile.redactor.redact("x from-cli-secret"),
            "x [vars.secret]"
        );
        let cookies = &profile.overrides["sign-in"].cookies;
        assert_eq!(cookies[0].1, "belgie_session=from-cli-secret");
        assert_eq!(cookies[0].0.as_str(), "http://127.0.0.1:9/");
    }

    #[test]
    fn the_environment_sets_a_variable() {
        let env = [(format!("{ENV_PREFIX}SECRET"), "from-env-secret".to_owned())];
        let variables = Variables::new(&[], env).unwrap();
        let (_dir, path) = write(PROFILE);
        let profile = Profile::load(&path, &library_with_sign_in(), &variables).unwrap();
        assert_eq!(profile.variables["secret"], "from-env-secret");
    }

    #[test]
    fn a_missing_variable_is_located_and_says_how_to_give_it() {
        let (_dir, path) = write(PROFILE);
        let problems =
            Profile::load(&path, &library_with_sign_in(), &Variables::default()).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(4));
        assert!(problems[0].message.contains("--variable secret=VALUE"));
        assert!(problems[0].message.contains("OAUTH_CONFORMANCE_VAR_SECRET"));
    }

    #[test]
    fn an_undeclared_variable_gets_the_nearest_name() {
        let text = PROFILE.replace("vars.secret }}\"\n    auth", "vars.secrt }}\"\n    auth");
        let (_dir, path) = write(&text);
        let variables = Variables::new(&["secret=s3cret-value".into()], []).unwrap();
        let problems = Profile::load(&path, &library_with_sign_in(), &variables).unwrap_err();
        assert_eq!(problems[0].line, Some(10));
        assert_eq!(
            problems[0].help.as_deref(),
            Some("did you mean `vars.secret`?")
        );
    }

    #[test]
    fn a_misspelt_key_is_located() {
        let text = PROFILE.replace("expected_failures:", "expected_failure:");
        let (_dir, path) = write(&text);
        let variables = Variables::new(&["secret=s3cret-value".into()], []).unwrap();
        let problems = Profile::load(&path, &library_with_sign_in(), &variables).unwrap_err();
        assert_eq!(problems[0].line, Some(26));
        assert_eq!(
            problems[0].help.as_deref(),
            Some("did you mean `expected_failures`?")
        );
    }

    #[test]
    fn replacing_a_fragment_the_library_lacks_is_refused() {
        let text = PROFILE.replace(
            "expected_failures:",
            "fragments:\n  sign-inn: { description: x, steps: [] }\nexpected_failures:",
        );
        let (_dir, path) = write(&text);
        let variables = Variables::new(&["secret=s3cret-value".into()], []).unwrap();
        let problems = Profile::load(&path, &library_with_sign_in(), &variables).unwrap_err();
        assert!(problems[0].message.contains("no fragment `sign-inn`"));
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `sign-in`?"));
    }

    #[test]
    fn metadata_without_the_claimed_endpoints_contradicts_the_claims() {
        let claims = Capabilities {
            flavour: "x".into(),
            registration: Registration::Anonymous,
            resource: ResourceSupport::None,
            signup: false,
            end_session: true,
            login: true,
            id_token_signing: IdTokenSigning::Jwks,
            authorization_server_metadata: false,
            protected_resource_metadata: false,
            bundled: false,
        };
        let endpoints = BTreeMap::from([("authorization".to_owned(), "http://x/a".to_owned())]);
        let found: Vec<_> = contradictions(&claims, &endpoints)
            .into_iter()
            .map(|c| c.capability)
            .collect();
        assert_eq!(found, ["registration", "end_session", "id_token_signing"]);
    }
}
