//! Shared test set-up: an [`Auth`] over a scripted transport, with the conformance keys pinned.

use std::sync::Arc;

use descope_auth::{Auth, SessionValidator};
use descope_core::ConfigBuilder;
use descope_transport::test_util::ScriptedTransport;
use descope_transport::{ApiClient, HttpRequest};
use serde_json::Value;

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

/// The path and the query pairs of a recorded request.
pub fn path_and_query(req: &HttpRequest) -> (String, Vec<(String, String)>) {
    let rest = req.url.strip_prefix(BASE_URL).unwrap_or(&req.url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let pairs = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (path.to_owned(), pairs)
}

/// The JSON body of a recorded request (`null` when empty).
pub fn body_json(req: &HttpRequest) -> Value {
    if req.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&req.body).unwrap_or(Value::Null)
    }
}
