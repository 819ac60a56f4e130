//! OTP, magic link and enchanted link: start, verify, update email/phone.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::app::{Action, App, Core, Enchanted, Pending};
use crate::error::{ApiError, ApiResult};
use crate::model::UserRecord;
use crate::util::*;
use crate::{ClientIp, OutboxMessage};

/// Which passwordless family a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Flow {
    Otp,
    MagicLink,
    EnchantedLink,
}

impl Flow {
    fn kind(self) -> &'static str {
        match self {
            Flow::Otp => "otp",
            Flow::MagicLink => "magiclink",
            Flow::EnchantedLink => "enchantedlink",
        }
    }
}

#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    SignUp,
    SignIn,
    SignUpOrIn,
}

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/v1/auth/otp/signup/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::Otp, Start::SignUp)),
        )
        .route(
            "/v1/auth/otp/signin/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::Otp, Start::SignIn)),
        )
        .route(
            "/v1/auth/otp/signup-in/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::Otp, Start::SignUpOrIn)),
        )
        .route("/v1/auth/otp/verify/{m}", post(otp_verify))
        .route(
            "/v1/auth/otp/update/email",
            post(|s, h, b| update(s, h, b, Flow::Otp, "email".to_string())),
        )
        .route(
            "/v1/auth/otp/update/phone/{m}",
            post(|s, h, Path(m): Path<String>, b| update(s, h, b, Flow::Otp, m)),
        )
        .route(
            "/v1/auth/magiclink/signup/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::MagicLink, Start::SignUp)),
        )
        .route(
            "/v1/auth/magiclink/signin/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::MagicLink, Start::SignIn)),
        )
        .route(
            "/v1/auth/magiclink/signup-in/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::MagicLink, Start::SignUpOrIn)),
        )
        .route("/v1/auth/magiclink/verify", post(magiclink_verify))
        .route(
            "/v1/auth/magiclink/update/email",
            post(|s, h, b| update(s, h, b, Flow::MagicLink, "email".to_string())),
        )
        .route(
            "/v1/auth/magiclink/update/phone",
            post(|s, h, b| update(s, h, b, Flow::MagicLink, "sms".to_string())),
        )
        .route(
            "/v1/auth/magiclink/update/phone/{m}",
            post(|s, h, Path(m): Path<String>, b| update(s, h, b, Flow::MagicLink, m)),
        )
        .route(
            "/v1/auth/enchantedlink/signup/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::EnchantedLink, Start::SignUp)),
        )
        .route(
            "/v1/auth/enchantedlink/signin/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::EnchantedLink, Start::SignIn)),
        )
        .route(
            "/v1/auth/enchantedlink/signup-in/{m}",
            post(|s, h, p, b| start(s, h, p, b, Flow::EnchantedLink, Start::SignUpOrIn)),
        )
        .route("/v1/auth/enchantedlink/verify", post(enchanted_verify))
        .route(
            "/v1/auth/enchantedlink/pending-session",
            post(pending_session),
        )
        .route(
            "/v1/auth/enchantedlink/update/email",
            post(|s, h, b| update(s, h, b, Flow::EnchantedLink, "email".to_string())),
        )
        .route(
            "/v1/auth/enchantedlink/update/phone/{m}",
            post(|s, h, Path(m): Path<String>, b| update(s, h, b, Flow::EnchantedLink, m)),
        )
}

fn check_method(m: &str) -> ApiResult<()> {
    match m {
        "email" | "sms" | "voice" | "whatsapp" => Ok(()),
        _ => Err(ApiError::bad_request(format!(
            "Unknown delivery method {m:?}"
        ))),
    }
}

fn is_phone_method(m: &str) -> bool {
    matches!(m, "sms" | "voice" | "whatsapp")
}

/// The masked-address member of a start response.
fn masked(method: &str, address: &str) -> Value {
    if method == "email" {
        json!({"maskedEmail": mask_email(address)})
    } else {
        json!({"maskedPhone": mask_phone(address)})
    }
}

/// Where a code for `login_id` goes.
fn address_for(
    method: &str,
    login_id: &str,
    user: Option<&UserRecord>,
    signup: Option<&Value>,
) -> ApiResult<String> {
    let from_user = user.map(|u| {
        if method == "email" {
            u.email.clone()
        } else {
            u.phone.clone()
        }
    });
    let from_signup = signup.map(|u| s(u, if method == "email" { "email" } else { "phone" }));
    let addr = from_user
        .filter(|a| !a.is_empty())
        .or(from_signup.filter(|a| !a.is_empty()))
        .unwrap_or_else(|| login_id.to_string());
    let ok = if method == "email" {
        addr.contains('@')
    } else {
        addr.chars().filter(char::is_ascii_digit).count() >= 4
    };
    if ok {
        Ok(addr)
    } else {
        Err(ApiError::bad_request(format!(
            "No {} address is known for login ID {login_id:?}",
            if method == "email" { "email" } else { "phone" }
        )))
    }
}

/// `uri?t=token`, or an emulator URL when no redirect URL was given.
pub fn build_link(app: &App, uri: &str, token: &str) -> String {
    if uri.is_empty() {
        format!("{}/emulator/verify?t={token}", app.base_url)
    } else if uri.contains('?') {
        format!("{uri}&t={token}")
    } else {
        format!("{uri}?t={token}")
    }
}

/// The body's `user` for a sign-up, with the delivery address filled in.
fn signup_user(body: &Value, method: &str, login_id: &str) -> Value {
    let mut user = body
        .get("user")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let key = if method == "email" { "email" } else { "phone" };
    let from_body = if method == "email" {
        s(body, "email")
    } else {
        let p = s(body, "phone");
        if p.is_empty() {
            s(body, method)
        } else {
            p
        }
    };
    if s(&user, key).is_empty() {
        let v = if !from_body.is_empty() {
            from_body
        } else if (method == "email") == login_id.contains('@') {
            login_id.to_string()
        } else {
            String::new()
        };
        if !v.is_empty() {
            user[key] = json!(v);
        }
    }
    user
}

/// Creates a pending code/link for `pending` and sends it. Returns the start response.
pub fn issue(
    app: &App,
    core: &mut Core,
    flow: Flow,
    pending: Pending,
    address: &str,
    uri: &str,
) -> Value {
    let method = pending.method.clone();
    let login_id = pending.login_id.clone();
    let mut msg = OutboxMessage {
        kind: flow.kind().to_string(),
        method: method.clone(),
        login_id: login_id.clone(),
        to: address.to_string(),
        code: None,
        link: None,
        token: None,
        link_id: None,
        pending_ref: None,
        time: now(),
    };
    let mut resp = masked(&method, address);
    match flow {
        Flow::Otp => {
            let code = random_digits(6);
            msg.code = Some(code.clone());
            core.eph.codes.insert(
                login_id,
                Pending {
                    secret: code,
                    ..pending
                },
            );
        }
        Flow::MagicLink => {
            let token = random_id("", 40);
            msg.link = Some(build_link(app, uri, &token));
            msg.token = Some(token.clone());
            core.eph.links.insert(
                token.clone(),
                Pending {
                    secret: token,
                    ..pending
                },
            );
        }
        Flow::EnchantedLink => {
            let token = random_id("", 40);
            let pending_ref = random_id("", 32);
            let link_id = format!("{:02}", random_bytes(1)[0] % 100);
            msg.link = Some(build_link(app, uri, &token));
            msg.token = Some(token.clone());
            msg.link_id = Some(link_id.clone());
            msg.pending_ref = Some(pending_ref.clone());
            core.eph.enchanted.insert(
                pending_ref.clone(),
                Enchanted {
                    expires: pending.expires,
                    result: None,
                },
            );
            core.eph.links.insert(
                token.clone(),
                Pending {
                    secret: token,
                    pending_ref: Some(pending_ref.clone()),
                    ..pending
                },
            );
            resp["linkId"] = json!(link_id);
            resp["pendingRef"] = json!(pending_ref);
        }
    }
    app.send(core, msg);
    resp
}

async fn start(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(method): Path<String>,
    body: Bytes,
    flow: Flow,
    kind: Start,
) -> ApiResult<Json<Value>> {
    check_method(&method)?;
    if flow == Flow::EnchantedLink && !matches!(method.as_str(), "email" | "sms") {
        return Err(ApiError::bad_request("Enchanted links go by email or sms"));
    }
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let options = body
        .get("loginOptions")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let uri = s(&body, "URI");
    app.tx(|core| {
        let prior = if b(&options, "stepup") || b(&options, "mfa") {
            Some(app.session_of(core, &headers)?.0)
        } else {
            None
        };
        let existing = core.store.data.user_by_login(&login_id).cloned();
        let (action, signup) = match kind {
            Start::SignUp => {
                if existing.is_some() {
                    return Err(ApiError::conflict(format!(
                        "A user with login ID {login_id:?} already exists"
                    )));
                }
                let u = signup_user(&body, &method, &login_id);
                (Action::SignUp(u.clone()), Some(u))
            }
            Start::SignIn => {
                if existing.is_none() {
                    return Err(ApiError::not_found(format!(
                        "No user has login ID {login_id:?}"
                    )));
                }
                (Action::SignIn, None)
            }
            Start::SignUpOrIn => {
                let u = signup_user(&body, &method, &login_id);
                (Action::SignUpOrIn(u.clone()), Some(u))
            }
        };
        if let Some(u) = &existing {
            if u.status == "disabled" {
                return Err(ApiError::forbidden("The user is disabled"));
            }
        }
        let address = address_for(&method, &login_id, existing.as_ref(), signup.as_ref())?;
        let pending = Pending {
            secret: String::new(),
            login_id: login_id.clone(),
            method: method.clone(),
            expires: now() + app.settings.code_ttl,
            action,
            options: options.clone(),
            prior,
            pending_ref: None,
        };
        Ok(Json(issue(&app, core, flow, pending, &address, &uri)))
    })
}

async fn update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    flow: Flow,
    method: String,
) -> ApiResult<Json<Value>> {
    check_method(&method)?;
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let is_email = method == "email";
    let address = if is_email {
        req(&body, "email")?
    } else {
        req(&body, "phone")?
    };
    if is_email && !address.contains('@') {
        return Err(ApiError::bad_request(format!(
            "{address:?} is not an email address"
        )));
    }
    let add = b(&body, "addToLoginIDs");
    let uri = s(&body, "URI");
    app.tx(|core| {
        let (session, user) = app.session_of(core, &headers)?;
        if !user.login_ids.contains(&login_id) {
            return Err(ApiError::bad_request(
                "The login ID does not belong to the refresh token's user",
            ));
        }
        if add {
            if let Some(other) = core.store.data.user_by_login(&address) {
                if other.user_id != user.user_id && !b(&body, "onMergeUseExisting") {
                    return Err(ApiError::conflict(format!(
                        "The login ID {address:?} is taken by another user"
                    )));
                }
            }
        }
        let action = if is_email {
            Action::UpdateEmail {
                user_id: user.user_id.clone(),
                email: address.clone(),
                add_login_id: add,
            }
        } else {
            Action::UpdatePhone {
                user_id: user.user_id.clone(),
                phone: address.clone(),
                add_login_id: add,
            }
        };
        let pending = Pending {
            secret: String::new(),
            login_id: login_id.clone(),
            method: method.clone(),
            expires: now() + app.settings.code_ttl,
            action,
            options: json!({}),
            // With `mfa`, the new factor is added to the session's factors.
            prior: if b(&body, "mfa") { Some(session) } else { None },
            pending_ref: None,
        };
        Ok(Json(issue(&app, core, flow, pending, &address, &uri)))
    })
}

/// Applies a verified code or link: creates or updates the user and starts a session.
pub fn complete(
    app: &App,
    core: &mut Core,
    pending: Pending,
    method: &str,
    ip: &str,
) -> ApiResult<Value> {
    let login_id = pending.login_id.clone();
    let existing = core.store.data.user_by_login(&login_id).cloned();
    let mut first_seen = false;
    let mut user = match &pending.action {
        Action::SignUp(u) | Action::SignUpOrIn(u) => match existing {
            Some(_) if matches!(pending.action, Action::SignUp(_)) => {
                return Err(ApiError::conflict(format!(
                    "A user with login ID {login_id:?} already exists"
                )))
            }
            Some(e) => e,
            None => {
                first_seen = true;
                new_user(&login_id, u)
            }
        },
        Action::SignIn => existing
            .ok_or_else(|| ApiError::not_found(format!("No user has login ID {login_id:?}")))?,
        Action::UpdateEmail {
            user_id,
            email,
            add_login_id,
        } => {
            let mut u = core
                .store
                .data
                .users
                .get(user_id)
                .cloned()
                .ok_or_else(|| ApiError::not_found("The user does not exist"))?;
            u.email = email.clone();
            u.verified_email = true;
            if *add_login_id && !u.login_ids.contains(email) {
                if core
                    .store
                    .data
                    .user_by_login(email)
                    .is_some_and(|o| o.user_id != u.user_id)
                {
                    return Err(ApiError::conflict(format!(
                        "The login ID {email:?} is taken by another user"
                    )));
                }
                u.login_ids.push(email.clone());
            }
            u
        }
        Action::UpdatePhone {
            user_id,
            phone,
            add_login_id,
        } => {
            let mut u = core
                .store
                .data
                .users
                .get(user_id)
                .cloned()
                .ok_or_else(|| ApiError::not_found("The user does not exist"))?;
            u.phone = phone.clone();
            u.verified_phone = true;
            if *add_login_id && !u.login_ids.contains(phone) {
                if core
                    .store
                    .data
                    .user_by_login(phone)
                    .is_some_and(|o| o.user_id != u.user_id)
                {
                    return Err(ApiError::conflict(format!(
                        "The login ID {phone:?} is taken by another user"
                    )));
                }
                u.login_ids.push(phone.clone());
            }
            u
        }
    };
    let amr_method = if method == "embedded" {
        "email"
    } else {
        method
    };
    if matches!(
        pending.action,
        Action::SignIn | Action::SignUp(_) | Action::SignUpOrIn(_)
    ) {
        if amr_method == "email" && !user.email.is_empty() {
            user.verified_email = true;
        } else if is_phone_method(amr_method) && !user.phone.is_empty() {
            user.verified_phone = true;
        }
    }
    let user_id = user.user_id.clone();
    core.data().put_user(user);
    app.login(
        core,
        &user_id,
        vec![amr_method.to_string()],
        &pending.options,
        pending.prior.as_ref(),
        first_seen,
        ip,
    )
}

/// A new enabled user from a sign-up `user` object.
pub fn new_user(login_id: &str, u: &Value) -> UserRecord {
    UserRecord {
        user_id: random_id("U", 27),
        login_ids: vec![login_id.to_string()],
        email: s(u, "email"),
        phone: s(u, "phone"),
        name: s(u, "name"),
        given_name: s(u, "givenName"),
        middle_name: s(u, "middleName"),
        family_name: s(u, "familyName"),
        picture: s(u, "picture"),
        status: "enabled".into(),
        created_time: now(),
        ..Default::default()
    }
}

async fn otp_verify(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    Path(method): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    check_method(&method)?;
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let code = s(&body, "code");
    app.tx(|core| {
        let pending = core
            .eph
            .codes
            .get(&login_id)
            .cloned()
            .ok_or_else(|| ApiError::bad_code("No code is pending for this login ID"))?;
        if pending.expires <= now() {
            core.eph.codes.remove(&login_id);
            return Err(ApiError::bad_code("The code has expired"));
        }
        if pending.method != method && pending.method != "embedded" {
            return Err(ApiError::bad_code(format!(
                "The pending code was sent by {}, not {method}",
                pending.method
            )));
        }
        if !secret_eq(&pending.secret, &code) {
            return Err(ApiError::bad_code("The code is wrong"));
        }
        core.eph.codes.remove(&login_id);
        let m = pending.method.clone();
        complete(&app, core, pending, &m, &ip.0).map(Json)
    })
}

/// Takes a link token out of the pending set, checking it exists and has not expired.
/// Uses up a link token of the expected kind. A token of the other kind (magic vs enchanted)
/// is refused and stays usable at its own verify call.
fn take_link(core: &mut Core, token: &str, enchanted: bool) -> ApiResult<Pending> {
    let is_enchanted = core
        .eph
        .links
        .get(token)
        .map(|p| p.pending_ref.is_some())
        .ok_or_else(|| ApiError::bad_code("The link token is unknown or was already used"))?;
    if is_enchanted != enchanted {
        return Err(ApiError::bad_code(if is_enchanted {
            "Enchanted link tokens are verified with enchantedlink/verify"
        } else {
            "This token is not an enchanted link"
        }));
    }
    let pending = core
        .eph
        .links
        .remove(token)
        .ok_or_else(|| ApiError::bad_code("The link token is unknown or was already used"))?;
    if pending.expires <= now() {
        return Err(ApiError::bad_code("The link has expired"));
    }
    Ok(pending)
}

async fn magiclink_verify(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let token = req(&body, "token")?;
    app.tx(|core| {
        let pending = take_link(core, &token, false)?;
        let m = pending.method.clone();
        complete(&app, core, pending, &m, &ip.0).map(Json)
    })
}

async fn enchanted_verify(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let token = req(&body, "token")?;
    app.tx(|core| {
        let pending = take_link(core, &token, true)?;
        let Some(pref) = pending.pending_ref.clone() else {
            return Err(ApiError::bad_code("This token is not an enchanted link"));
        };
        let m = pending.method.clone();
        let result = complete(&app, core, pending, &m, &ip.0)?;
        if let Some(e) = core.eph.enchanted.get_mut(&pref) {
            e.result = Some(result);
        }
        Ok(Json(json!({})))
    })
}

async fn pending_session(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let pref = req(&body, "pendingRef")?;
    app.tx(|core| {
        let e = core.eph.enchanted.get(&pref).cloned().ok_or_else(|| {
            ApiError::bad_code("The pending reference is unknown or was already used")
        })?;
        if e.result.is_none() && e.expires <= now() {
            core.eph.enchanted.remove(&pref);
            return Err(ApiError::bad_code("The enchanted link has expired"));
        }
        match e.result {
            None => Err(ApiError::pending()),
            Some(r) => {
                core.eph.enchanted.remove(&pref);
                Ok(Json(r))
            }
        }
    })
}
