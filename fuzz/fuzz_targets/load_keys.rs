//! Loading a pinned key or key set never panics, whatever the JSON.
#![no_main]

use std::sync::Arc;

use descope_core::Config;
use descope_jwt::SessionValidator;
use descope_transport::test_util::ScriptedTransport;
use descope_transport::ApiClient;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(config) = Config::builder()
        .project_id("P1")
        .base_url("https://api.descope.test")
        .public_key(text.into_owned())
        .build()
    else {
        return;
    };
    let _ = SessionValidator::new(ApiClient::new(config, Arc::new(ScriptedTransport::new())));
});
