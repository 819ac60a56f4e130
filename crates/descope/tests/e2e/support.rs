//! Shared set-up: an in-process emulator per test, a client for it, and small helpers to read
//! codes and links from the emulator's outbox and to assert refusals.

use std::time::Duration;

use descope::{Client, DeliveryMethod, Error, JwtResponse, Session};
use descope_emulator::{Emulator, EmulatorBuilder, EmulatorHandle};

/// The emulator's error code for a wrong, used or expired code, link token or pending reference.
pub const BAD_CODE: &str = "E061102";
/// The emulator's error code for refused credentials (password, refresh token, access key).
pub const UNAUTHORIZED: &str = "E061301";
/// The emulator's error code for an enchanted-link session nobody has verified yet.
pub const PENDING: &str = "E062503";
/// The emulator's error code for a malformed or invalid request.
pub const BAD_REQUEST: &str = "E011003";
/// The emulator's error code for a password that breaks the policy.
pub const WEAK_PASSWORD: &str = "E062909";
/// The emulator's error code for something that does not exist.
pub const NOT_FOUND: &str = "E062108";
/// The emulator's error code for something that exists already.
pub const CONFLICT: &str = "E062109";

/// A running emulator and a client pointed at it.
pub struct Env {
    pub emu: EmulatorHandle,
    pub client: Client,
}

/// An emulator with the defaults.
pub async fn start() -> Env {
    start_with(Emulator::builder(), None).await
}

/// An emulator from `builder`, and a client with `leeway` (default when `None`).
pub async fn start_with(builder: EmulatorBuilder, leeway: Option<Duration>) -> Env {
    let emu = builder.start().await.expect("the emulator starts");
    let mut b = Client::builder_without_env()
        .project_id(emu.project_id())
        .management_key(emu.management_key())
        .base_url(emu.base_url());
    if let Some(l) = leeway {
        b = b.leeway(l);
    }
    let client = b.build().expect("a client for the emulator");
    Env { emu, client }
}

impl Env {
    /// The newest OTP code sent to `login_id`.
    pub fn code(&self, login_id: &str) -> String {
        self.emu
            .last_message(login_id)
            .and_then(|m| m.code)
            .unwrap_or_else(|| panic!("no code in the outbox for {login_id}"))
    }

    /// The token of the newest link sent to `login_id`.
    pub fn link_token(&self, login_id: &str) -> String {
        let msg = self
            .emu
            .last_message(login_id)
            .unwrap_or_else(|| panic!("no message in the outbox for {login_id}"));
        let link = msg.link.expect("the message carries a link");
        let token = token_of(&link);
        assert_eq!(
            Some(&token),
            msg.token.as_ref(),
            "the link's `t` parameter is the token the emulator issued"
        );
        token
    }

    /// Creates a test user with an email address and a phone number.
    pub async fn test_user(&self, login_id: &str) -> String {
        self.client
            .mgmt()
            .user()
            .create_test_user(login_id)
            .email(login_id)
            .phone("+12025550188")
            .await
            .expect("test user created")
            .user_id
    }

    /// Signs a (new) user in with an emailed OTP, the way an app does.
    pub async fn sign_in_otp(&self, login_id: &str) -> JwtResponse {
        self.client
            .otp()
            .sign_up_or_in(DeliveryMethod::Email, login_id)
            .await
            .expect("OTP sent");
        self.client
            .otp()
            .verify_code(DeliveryMethod::Email, login_id, self.code(login_id))
            .await
            .expect("OTP verified")
    }

    /// Signs a test user in with a code from the management test-user generator.
    pub async fn sign_in_test_user(&self, login_id: &str) -> JwtResponse {
        let generated = self
            .client
            .mgmt()
            .user()
            .generate_otp_for_test_user(DeliveryMethod::Email, login_id)
            .await
            .expect("code generated");
        self.client
            .otp()
            .verify_code(DeliveryMethod::Email, login_id, generated.code)
            .await
            .expect("generated code verified")
    }
}

/// The `t` query parameter of a link.
pub fn token_of(link: &str) -> String {
    let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no `t` parameter in {link}"))
}

/// The current RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 key.
pub fn totp_code(key: &str) -> String {
    let secret = totp_rs::Secret::Encoded(key.to_owned())
        .to_bytes()
        .expect("the provisioning key is base32");
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret)
        .generate_current()
        .expect("the clock is after 1970")
}

/// A six-digit code that is not `code`.
pub fn other_code(code: &str) -> String {
    if code == "000000" {
        "111111".into()
    } else {
        "000000".into()
    }
}

/// The session of a JWT response (panics when there is none).
pub fn session(jwt: &JwtResponse) -> &Session {
    jwt.session
        .as_ref()
        .expect("the response carries a session token")
}

/// The refresh token of a JWT response (panics when there is none).
pub fn refresh(jwt: &JwtResponse) -> String {
    jwt.refresh_token()
        .expect("the response carries a refresh token")
        .to_owned()
}

/// Asserts the call was refused by the API with `status` and the Descope error `code`, and
/// returns the error.
#[track_caller]
pub fn refused<T>(result: descope::Result<T>, status: u16, code: &str) -> Error {
    match result {
        Ok(_) => panic!("expected a refusal with HTTP {status} {code}, but the call succeeded"),
        Err(e) => {
            assert_eq!(e.status(), Some(status), "HTTP status of: {e}");
            assert_eq!(e.code(), Some(code), "Descope error code of: {e}");
            e
        }
    }
}

/// Asserts the call was refused before sending, as an invalid argument.
#[track_caller]
pub fn invalid<T>(result: descope::Result<T>) -> Error {
    match result {
        Ok(_) => panic!("expected an invalid-argument refusal, but the call succeeded"),
        Err(e) => {
            assert!(
                e.is_invalid_argument(),
                "expected an invalid argument, got: {e}"
            );
            assert_eq!(
                e.status(),
                None,
                "nothing was sent, so there is no status: {e}"
            );
            e
        }
    }
}
