//! The sign-in and sign-up pages and their form posts (R.9): they read the login context the
//! way a Belgie app's pages would, start a host session, and send the browser back to the
//! flow's `return_to`, or to the signed-in page.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::flow::{self, PageFlow};
use super::pages::{self, FormView};
use super::session;
use super::users::{self, CreateUserError, NewUser};
use crate::domain::Secret;
use crate::http::AppState;
use crate::http::params::{FormParams, Params, QueryParams};
use crate::protocol::Services;
use crate::store::User;

/// `GET /login`: the sign-in form, or the sign-up form when the flow's intent is `create` and
/// the login page stands in for a missing signup page (spec §2.3).
pub async fn login_page(
    State(state): State<AppState>,
    QueryParams(query): QueryParams,
) -> Response {
    let (view, status) = page_view(&state.services, &query).await;
    let page = if view.wants_signup() {
        pages::signup(&view)
    } else {
        pages::login(&view)
    };
    html(status, page)
}

/// `GET /signup`: the sign-up form.
pub async fn signup_page(
    State(state): State<AppState>,
    QueryParams(query): QueryParams,
) -> Response {
    let (view, status) = page_view(&state.services, &query).await;
    html(status, pages::signup(&view))
}

/// `POST /login`: checks the e-mail address and password, then signs in.
pub async fn login_submit(State(state): State<AppState>, FormParams(form): FormParams) -> Response {
    let services = &state.services;
    let email = form.last("email").unwrap_or_default().trim();
    let password = form.last("password").unwrap_or_default();
    let return_to = form.non_empty("return_to");

    let user = match users::authenticate(services, email, password).await {
        Ok(Some(user)) if !password.is_empty() => user,
        Ok(_) => {
            let view = FormView {
                notice: Some("The e-mail address or password is incorrect.".into()),
                email: email.to_owned(),
                ..form_view(services, return_to).await
            };
            return html(StatusCode::UNAUTHORIZED, pages::login(&view));
        }
        Err(_) => return failure(),
    };
    signed_in(services, &user, return_to).await
}

/// `POST /signup`: creates the user, then signs in.
pub async fn signup_submit(
    State(state): State<AppState>,
    FormParams(form): FormParams,
) -> Response {
    let services = &state.services;
    let email = form.last("email").unwrap_or_default().trim();
    let password = form.last("password").unwrap_or_default();
    let name = form.last("name").unwrap_or_default().trim();
    let return_to = form.non_empty("return_to");
    let retry = |notice: &str, view: FormView| FormView {
        notice: Some(notice.to_owned()),
        email: email.to_owned(),
        name: name.to_owned(),
        ..view
    };

    if !email.contains('@') || password.is_empty() {
        let notice = "Enter an e-mail address and a password.";
        let view = retry(notice, form_view(services, return_to).await);
        return html(StatusCode::BAD_REQUEST, pages::signup(&view));
    }
    let new = NewUser {
        email: email.to_owned(),
        password: Secret::new(password),
        name: Some(name.to_owned()),
        image: None,
        email_verified_at: None,
    };
    match users::create(services, new).await {
        Ok(user) => signed_in(services, &user, return_to).await,
        Err(CreateUserError::Duplicate) => {
            let notice = "An account with this e-mail address already exists. Sign in instead.";
            let view = retry(notice, form_view(services, return_to).await);
            html(StatusCode::CONFLICT, pages::signup(&view))
        }
        Err(CreateUserError::Failed) => failure(),
    }
}

/// The form's view for the flow named by a page's query; 400 when the flow is broken.
async fn page_view(services: &Services, query: &Params) -> (FormView, StatusCode) {
    let flow = flow::lookup(services, query.last("state"), query.last("return_to")).await;
    let status = match flow {
        PageFlow::Broken(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let view = FormView {
        email: query.last("login_hint").unwrap_or_default().to_owned(),
        ..FormView::for_flow(flow)
    };
    (view, status)
}

/// The view for re-showing a posted form.
async fn form_view(services: &Services, return_to: Option<&str>) -> FormView {
    FormView::for_flow(flow::lookup(services, None, return_to).await)
}

/// Starts a session for `user`, sets its cookie and sends the browser on (303).
async fn signed_in(services: &Services, user: &User, return_to: Option<&str>) -> Response {
    let Ok(session) = session::start(services, user.id).await else {
        return failure();
    };
    tracing::info!(user = %user.id, "signed in");
    let location = flow::next_location(services, return_to);
    let cookie = session::cookie(&services.config, &session);
    see_other(&location, Some(&cookie))
}

/// A 303 to `location`, optionally setting a cookie.
pub(super) fn see_other(location: &str, cookie: Option<&str>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    let Ok(location) = HeaderValue::from_str(location) else {
        return failure();
    };
    headers.insert(header::LOCATION, location);
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

/// An HTML page that must not be cached.
pub(super) fn html(status: StatusCode, page: String) -> Response {
    let mut response = (status, Html(page)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page for a failure of the server itself.
pub(super) fn failure() -> Response {
    let body = super::html::paragraph("Something went wrong. Please try again.");
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        super::html::document("Error", &body),
    )
}
