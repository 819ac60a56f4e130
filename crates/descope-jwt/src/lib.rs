//! Descope session-token verification.
//!
//! [`SessionValidator`] checks a token's signature with [ring](https://docs.rs/ring) (RS256,
//! RS384, RS512, PS256, PS384, PS512, ES256, ES384; the header `alg` must equal the key's),
//! its time claims (`exp` required, `nbf`/`iat` not in the future, with the configured
//! leeway), its issuer (the project ID, or a URL ending with it) and its audience, and returns
//! a typed [`Session`]. Keys come from the project's key set, fetched once and refetched only
//! for an unknown `kid` (at most once per cooldown, one fetch shared by concurrent callers), or
//! from a pinned key. Tokens already verified are answered from a bounded in-memory cache.
//!
//! Every failure is a [`descope_core::Error`] whose [`token_kind`](descope_core::Error::token_kind)
//! says why: expired, not yet valid, bad signature, unknown key, algorithm not allowed, wrong
//! issuer, wrong audience, malformed.
//!
//! The role and permission helpers ([`Session::validate_roles`] and its seven siblings) follow
//! the official SDKs exactly.
//!
//! ```no_run
//! # async fn run(api: descope_transport::ApiClient, token: &str) -> descope_core::Result<()> {
//! let validator = descope_jwt::SessionValidator::new(api)?;
//! let session = validator.validate(token, None).await?;
//! if session.validate_tenant_roles("T2abc", &["admin"]) {
//!     println!("{} administers T2abc until {}", session.user_id(), session.expires_at());
//! }
//! # Ok(()) }
//! ```
//!
//! Applications normally use it through the `descope` facade (`client.validate_session(..)`).
#![deny(missing_docs)]

#[cfg(test)]
mod assertions {
    fn send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn public_types_and_validation_futures_are_send_and_sync() {
        send_sync::<crate::Session>();
        send_sync::<crate::SessionValidator>();
        send_sync::<crate::JwtResponse>();
        send_sync::<crate::AccessKeyResponse>();
        fn future_is_send<F: std::future::Future + Send>(_: F) {}
        let api = descope_transport::ApiClient::new(
            descope_core::Config::builder()
                .project_id("P1")
                .build()
                .unwrap(),
            std::sync::Arc::new(descope_transport::test_util::ScriptedTransport::new()),
        );
        let v = crate::SessionValidator::new(api).unwrap();
        future_is_send(v.validate("t", None));
    }
}

mod cache;
mod jws;
mod keys;
mod response;
mod session;
mod validator;

pub use jws::MAX_TOKEN_LEN;
pub use keys::Algorithm;
pub use response::{
    AccessKeyResponse, CookieData, JwtResponse, REFRESH_COOKIE_NAME, SESSION_COOKIE_NAME,
};
pub use session::{Session, TenantClaims};
pub use validator::{SessionValidator, ValidatorOptions};
