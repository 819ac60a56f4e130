//! Passwords: policy, sign-up, sign-in, reset, update, replace. And TOTP.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::app::{Action, App, Pending};
use crate::error::{ApiError, ApiResult};
use crate::model::UserRecord;
use crate::routes::passwordless::{issue, new_user, Flow};
use crate::util::*;
use crate::ClientIp;

const ITERATIONS: u32 = 10_000;
const MIN_LENGTH: usize = 8;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/auth/password/policy", get(policy))
        .route("/v1/auth/password/signup", post(sign_up))
        .route("/v1/auth/password/signin", post(sign_in))
        .route("/v1/auth/password/reset", post(send_reset))
        .route("/v1/auth/password/update", post(update))
        .route("/v1/auth/password/replace", post(replace))
        .route("/v1/auth/totp/signup", post(totp_sign_up))
        .route("/v1/auth/totp/verify", post(totp_verify))
        .route("/v1/auth/totp/update", post(totp_update))
}

async fn policy() -> Json<Value> {
    Json(json!({
        "minLength": MIN_LENGTH,
        "lowercase": true,
        "uppercase": true,
        "number": true,
        "nonAlphanumeric": false,
        "expiration": false,
        "expirationWeeks": 0,
        "reuse": false,
        "reuseAmount": 0,
        "lock": false,
        "lockAttempts": 0,
    }))
}

/// Checks a password against the policy of [`policy`].
pub fn check_policy(password: &str) -> ApiResult<()> {
    let mut missing = Vec::new();
    if password.chars().count() < MIN_LENGTH {
        missing.push(format!("at least {MIN_LENGTH} characters"));
    }
    if !password.chars().any(|c| c.is_lowercase()) {
        missing.push("a lowercase letter".to_string());
    }
    if !password.chars().any(|c| c.is_uppercase()) {
        missing.push("an uppercase letter".to_string());
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        missing.push("a digit".to_string());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::weak_password(format!(
            "The password needs {}",
            missing.join(", ")
        )))
    }
}

/// PBKDF2-SHA256 hash in the stored format.
pub fn hash_password(password: &str) -> String {
    let salt = random_bytes(16);
    let mut out = [0u8; 32];
    let iters = NonZeroU32::new(ITERATIONS).unwrap_or(NonZeroU32::MIN);
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        iters,
        &salt,
        password.as_bytes(),
        &mut out,
    );
    format!(
        "pbkdf2-sha256${ITERATIONS}${}${}",
        STANDARD.encode(salt),
        STANDARD.encode(out)
    )
}

fn verify_password(stored: &str, password: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    if parts.len() != 4 || parts[0] != "pbkdf2-sha256" {
        return false;
    }
    let (Ok(iters), Ok(salt), Ok(hash)) = (
        parts[1].parse::<u32>(),
        STANDARD.decode(parts[2]),
        STANDARD.decode(parts[3]),
    ) else {
        return false;
    };
    let Some(iters) = NonZeroU32::new(iters) else {
        return false;
    };
    ring::pbkdf2::verify(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        iters,
        &salt,
        password.as_bytes(),
        &hash,
    )
    .is_ok()
}

async fn sign_up(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let password = req(&body, "password")?;
    check_policy(&password)?;
    let hash = hash_password(&password);
    app.tx(|core| {
        if core.store.data.user_by_login(&login_id).is_some() {
            return Err(ApiError::conflict(format!(
                "A user with login ID {login_id:?} already exists"
            )));
        }
        let mut user = new_user(&login_id, body.get("user").unwrap_or(&json!({})));
        if user.email.is_empty() && login_id.contains('@') {
            user.email = login_id.clone();
        }
        user.password_hash = Some(hash);
        let uid = user.user_id.clone();
        core.data().put_user(user);
        app.login(
            core,
            &uid,
            vec!["pwd".into()],
            &json!({}),
            None,
            true,
            &ip.0,
        )
        .map(Json)
    })
}

fn check_user_password(user: Option<&UserRecord>, password: &str) -> ApiResult<UserRecord> {
    let user = user.ok_or_else(|| ApiError::unauthorized("The login ID or password is wrong"))?;
    match &user.password_hash {
        Some(h) if verify_password(h, password) => Ok(user.clone()),
        _ => Err(ApiError::unauthorized("The login ID or password is wrong")),
    }
}

async fn sign_in(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let password = req(&body, "password")?;
    app.tx(|core| {
        let user = check_user_password(core.store.data.user_by_login(&login_id), &password)?;
        if user.password_expired {
            return Err(ApiError::unauthorized(
                "The password has expired or is temporary: replace it first",
            ));
        }
        app.login(
            core,
            &user.user_id,
            vec!["pwd".into()],
            &json!({}),
            None,
            false,
            &ip.0,
        )
        .map(Json)
    })
}

async fn send_reset(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let uri = s(&body, "redirectUrl");
    app.tx(|core| {
        let user = core
            .store
            .data
            .user_by_login(&login_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No user has login ID {login_id:?}")))?;
        let address = if !user.email.is_empty() {
            user.email.clone()
        } else if login_id.contains('@') {
            login_id.clone()
        } else {
            return Err(ApiError::bad_request(
                "The user has no email address to send a reset link to",
            ));
        };
        let pending = Pending {
            secret: String::new(),
            login_id: login_id.clone(),
            method: "email".into(),
            expires: now() + app.settings.code_ttl,
            action: Action::SignIn,
            options: json!({}),
            prior: None,
            pending_ref: None,
        };
        let mut resp = issue(&app, core, Flow::MagicLink, pending, &address, &uri);
        resp["resetMethod"] = json!("magiclink");
        Ok(Json(resp))
    })
}

async fn update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let password = req(&body, "newPassword")?;
    check_policy(&password)?;
    let hash = hash_password(&password);
    app.tx(|core| {
        let (_, mut user) = app.session_of(core, &headers)?;
        if !user.login_ids.contains(&login_id) {
            return Err(ApiError::bad_request(
                "The login ID does not belong to the refresh token's user",
            ));
        }
        user.password_hash = Some(hash);
        user.password_expired = false;
        core.data().put_user(user);
        Ok(Json(json!({})))
    })
}

async fn replace(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let old = req(&body, "oldPassword")?;
    let new = req(&body, "newPassword")?;
    check_policy(&new)?;
    let hash = hash_password(&new);
    app.tx(|core| {
        let mut user = check_user_password(core.store.data.user_by_login(&login_id), &old)?;
        user.password_hash = Some(hash);
        user.password_expired = false;
        let uid = user.user_id.clone();
        core.data().put_user(user);
        app.login(
            core,
            &uid,
            vec!["pwd".into()],
            &json!({}),
            None,
            false,
            &ip.0,
        )
        .map(Json)
    })
}

// ---- TOTP ----

/// A TOTP checker over a base32 secret (SHA-1, 6 digits, 30 s, one step of skew).
fn totp_for(secret_b32: &str) -> ApiResult<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|e| ApiError::internal(format!("stored TOTP secret is unusable: {e:?}")))?;
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes)
        .map_err(|e| ApiError::internal(format!("TOTP setup failed: {e}")))
}

/// A fresh secret and the sign-up response for it.
fn totp_enrol(app: &App, login_id: &str) -> ApiResult<(String, Value)> {
    let secret = totp_rs::Secret::Raw(random_bytes(20))
        .to_encoded()
        .to_string();
    let url = format!(
        "otpauth://totp/{issuer}:{account}?algorithm=SHA1&digits=6&issuer={issuer}&period=30&secret={secret}",
        issuer = enc(&app.project_id),
        account = enc(login_id),
    );
    let image = crate::qr::png_base64(&url).map_err(ApiError::internal)?;
    Ok((
        secret.clone(),
        json!({"provisioningURL": url, "image": image, "key": secret}),
    ))
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

async fn totp_sign_up(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let (secret, resp) = totp_enrol(&app, &login_id)?;
    app.tx(|core| {
        if core.store.data.user_by_login(&login_id).is_some() {
            return Err(ApiError::conflict(format!(
                "A user with login ID {login_id:?} already exists"
            )));
        }
        let mut user = new_user(&login_id, body.get("user").unwrap_or(&json!({})));
        user.totp_secret = Some(secret);
        core.data().put_user(user);
        Ok(Json(resp))
    })
}

async fn totp_update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let (secret, resp) = totp_enrol(&app, &login_id)?;
    app.tx(|core| {
        let (_, mut user) = app.session_of(core, &headers)?;
        if !user.login_ids.contains(&login_id) {
            return Err(ApiError::bad_request(
                "The login ID does not belong to the refresh token's user",
            ));
        }
        user.totp_secret = Some(secret);
        core.data().put_user(user);
        Ok(Json(resp))
    })
}

async fn totp_verify(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let code = req(&body, "code")?;
    let options = body
        .get("loginOptions")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    app.tx(|core| {
        let prior = if b(&options, "stepup") || b(&options, "mfa") {
            Some(app.session_of(core, &headers)?.0)
        } else {
            None
        };
        let user = core
            .store
            .data
            .user_by_login(&login_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No user has login ID {login_id:?}")))?;
        let secret = user.totp_secret.clone().ok_or_else(|| {
            ApiError::bad_request("The user has no TOTP authenticator: sign up with TOTP first")
        })?;
        let totp = totp_for(&secret)?;
        let t = now().max(0) as u64;
        if !totp.check(&code, t) {
            return Err(ApiError::bad_code("The TOTP code is wrong"));
        }
        app.login(
            core,
            &user.user_id,
            vec!["totp".into()],
            &options,
            prior.as_ref(),
            false,
            &ip.0,
        )
        .map(Json)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_needs_length_cases_and_a_digit() {
        assert!(check_policy("Passw0rd").is_ok());
        for weak in ["Pass0rd", "password1", "PASSWORD1", "Passwords"] {
            assert_eq!(
                check_policy(weak).unwrap_err().status.as_u16(),
                400,
                "{weak}"
            );
        }
    }

    #[test]
    fn hashes_verify_only_the_right_password_and_are_salted() {
        let h = hash_password("Passw0rd");
        assert!(verify_password(&h, "Passw0rd"));
        assert!(!verify_password(&h, "Passw0rD"));
        assert_ne!(h, hash_password("Passw0rd"));
        assert!(!verify_password("garbage", "Passw0rd"));
    }
}
