//! The host pages as HTML: the sign-in form, the sign-up form and the signed-in page. Every
//! value from a request passes through [`html::escape`].

use super::flow::{Flow, PageFlow};
use super::html;
use crate::store::{Intent, User};

/// What a sign-in or sign-up form shows.
#[derive(Clone, Debug, Default)]
pub struct FormView {
    /// The flow the form serves, if any.
    pub flow: Option<Flow>,
    /// A message above the form.
    pub notice: Option<String>,
    /// The e-mail address to prefill.
    pub email: String,
    /// The name to prefill (sign-up).
    pub name: String,
}

impl FormView {
    /// A form for `flow`, carrying its message when the flow is broken.
    pub fn for_flow(flow: PageFlow) -> Self {
        match flow {
            PageFlow::None => Self::default(),
            PageFlow::Pending(flow) => Self {
                flow: Some(flow),
                ..Self::default()
            },
            PageFlow::Broken(message) => Self {
                notice: Some(message.to_owned()),
                ..Self::default()
            },
        }
    }

    /// Whether the flow asks for an account to be created (`prompt=create`).
    pub fn wants_signup(&self) -> bool {
        self.flow
            .as_ref()
            .is_some_and(|f| f.context.intent == Intent::Create)
    }

    fn return_to(&self) -> Option<&str> {
        self.flow.as_ref().map(|f| f.context.return_to.as_str())
    }

    /// A sentence saying what the form is for.
    fn purpose(&self, action: &str) -> String {
        let intent = self.flow.as_ref().map(|f| f.context.intent.as_str());
        match (
            self.flow.as_ref().and_then(|f| f.client_id.as_deref()),
            intent,
        ) {
            (Some(client), Some(intent)) => {
                format!("{action} to continue to {client} (intent: {intent}).")
            }
            (None, Some(intent)) => format!("{action} to continue (intent: {intent})."),
            _ => format!("{action} to this server."),
        }
    }
}

/// The sign-in form.
pub fn login(view: &FormView) -> String {
    let mut body = html::paragraph(&view.purpose("Sign in"));
    if let Some(notice) = &view.notice {
        body.push_str(&html::notice(notice));
    }
    body.push_str("<form method=\"post\" action=\"/login\">\n");
    body.push_str(&html::field(
        "email",
        "E-mail address",
        "email",
        &view.email,
        "username",
    ));
    body.push_str(&html::field(
        "password",
        "Password",
        "password",
        "",
        "current-password",
    ));
    push_return_to(&mut body, view);
    body.push_str("<p><button type=\"submit\">Sign in</button></p>\n</form>\n");
    body.push_str(&format!(
        "<p>No account yet? {}</p>\n",
        html::link(&with_return_to("/signup", view.return_to()), "Create one")
    ));
    html::document("Sign in", &body)
}

/// The sign-up form.
pub fn signup(view: &FormView) -> String {
    let mut body = html::paragraph(&view.purpose("Create an account"));
    if let Some(notice) = &view.notice {
        body.push_str(&html::notice(notice));
    }
    body.push_str("<form method=\"post\" action=\"/signup\">\n");
    body.push_str(&html::field("name", "Name", "text", &view.name, "name"));
    body.push_str(&html::field(
        "email",
        "E-mail address",
        "email",
        &view.email,
        "username",
    ));
    body.push_str(&html::field(
        "password",
        "Password",
        "password",
        "",
        "new-password",
    ));
    push_return_to(&mut body, view);
    body.push_str("<p><button type=\"submit\">Create account</button></p>\n</form>\n");
    body.push_str(&format!(
        "<p>Already have an account? {}</p>\n",
        html::link(&with_return_to("/login", view.return_to()), "Sign in")
    ));
    html::document("Create an account", &body)
}

/// The page a signed-in user lands on when no flow is waiting.
pub fn account(user: &User) -> String {
    let mut body = html::paragraph(&format!("You are signed in as {}.", user.email));
    if let Some(name) = &user.name {
        body.push_str(&html::paragraph(&format!("Name: {name}")));
    }
    body.push_str(
        "<form method=\"post\" action=\"/logout\">\n\
         <p><button type=\"submit\">Sign out</button></p>\n</form>\n",
    );
    html::document("Signed in", &body)
}

fn push_return_to(body: &mut String, view: &FormView) {
    if let Some(return_to) = view.return_to() {
        body.push_str(&html::hidden("return_to", return_to));
    }
}

/// `path`, with `return_to` in its query when there is one.
fn with_return_to(path: &str, return_to: Option<&str>) -> String {
    match return_to {
        Some(return_to) => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", return_to)
                .finish();
            format!("{path}?{query}")
        }
        None => path.to_owned(),
    }
}
