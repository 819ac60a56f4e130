//! Shared test set-up: an [`Auth`] over a scripted transport, with the conformance keys pinned.

use std::sync::Arc;

use descope_auth::{Auth, SessionValidator};
use descope_core::ConfigBuilder;
use descope_transport::test_util::ScriptedTransport;
use descope_transport::ApiClient;

pub const PROJECT_ID: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";
pub const BASE_URL: &str = "http://127.0.0.1:9";
pub const JWKS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../conformance/keys/jwks.json"
));

/// An `Auth` whose requests go to `transport`, verifying tokens with the conformance keys.
pub fn auth_over(transport: &ScriptedTransport) -> Auth {
    let config = ConfigBuilder::default()
        .project_id(PROJECT_ID)
        .base_url(BASE_URL)
        .public_key(JWKS)
        .build()
        .expect("test configuration");
    let api = ApiClient::new(config, Arc::new(transport.clone()));
    let validator = SessionValidator::new(api.clone()).expect("validator");
    Auth::new(api, validator)
}
