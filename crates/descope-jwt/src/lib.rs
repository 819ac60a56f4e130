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
#![deny(missing_docs)]

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
