//! Token parsing and validation never panic, whatever the token.
//!
//! The first input byte picks the shape: raw text, or three parts of the input each
//! base64url-encoded and joined with dots (so the header and payload parsers see arbitrary
//! JSON-ish bytes behind a well-formed frame).
#![no_main]

use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use descope_core::{Config, FixedClock, RetryPolicy};
use descope_jwt::SessionValidator;
use descope_transport::test_util::ScriptedTransport;
use descope_transport::{ApiClient, TokioSleep};
use libfuzzer_sys::fuzz_target;

const JWKS: &str = include_str!("../../conformance/keys/jwks-all.json");

fn setup() -> &'static (tokio::runtime::Runtime, SessionValidator) {
    static S: OnceLock<(tokio::runtime::Runtime, SessionValidator)> = OnceLock::new();
    S.get_or_init(|| {
        let config = Config::builder()
            .project_id("P2aAc4T2V93bddihGEx2Ryhc8e5Z")
            .base_url("https://api.descope.test")
            .public_key(JWKS)
            .retry_policy(RetryPolicy::never())
            .build()
            .unwrap();
        let api = ApiClient::with_parts(
            Arc::new(config),
            Arc::new(ScriptedTransport::new()),
            Arc::new(TokioSleep),
            Arc::new(FixedClock::at(1_750_000_000)),
        );
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        (rt, SessionValidator::new(api).unwrap())
    })
}

fuzz_target!(|data: &[u8]| {
    let (rt, v) = setup();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = if mode % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let a = rest.len() / 3;
        let b = 2 * rest.len() / 3;
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(&rest[..a]),
            URL_SAFE_NO_PAD.encode(&rest[a..b]),
            URL_SAFE_NO_PAD.encode(&rest[b..])
        )
    };
    let aud = if mode & 2 == 0 { None } else { Some("aud") };
    if let Ok(s) = rt.block_on(v.validate(&token, aud)) {
        // Every accessor works on whatever a validated token holds.
        let _ = (s.user_id(), s.roles(), s.tenants(), s.amr(), s.claims());
        let _ = s.validate_tenant_roles("t", &["r"]);
    }
});
