//! Shared set-up for the examples: connect to a real project when `DESCOPE_PROJECT_ID` is set,
//! otherwise start the local emulator in-process.

#![allow(dead_code)]

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};

use descope::Client;
use descope_emulator::{Emulator, EmulatorBuilder, EmulatorHandle};

/// Where the example runs.
pub struct Env {
    /// The client.
    pub client: Client,
    /// The embedded emulator, when no project was configured.
    pub emulator: Option<EmulatorHandle>,
    /// A human description of the target.
    pub target: String,
}

impl Env {
    /// Stops the embedded emulator, if any.
    pub async fn finish(self) {
        if let Some(e) = self.emulator {
            e.shutdown().await;
        }
    }
}

/// A client for `DESCOPE_PROJECT_ID` (with `DESCOPE_MANAGEMENT_KEY`), or for a fresh emulator.
pub async fn connect() -> Result<Env, Box<dyn Error>> {
    connect_with(Emulator::builder()).await
}

/// Like [`connect`], starting the embedded emulator (when no project is configured) from
/// `emulator` instead of the defaults, for examples that need, say, short session lifetimes.
pub async fn connect_with(emulator: EmulatorBuilder) -> Result<Env, Box<dyn Error>> {
    let project = std::env::var("DESCOPE_PROJECT_ID").unwrap_or_default();
    if !project.trim().is_empty() {
        if std::env::var("DESCOPE_MANAGEMENT_KEY")
            .unwrap_or_default()
            .trim()
            .is_empty()
        {
            return Err("DESCOPE_PROJECT_ID is set but DESCOPE_MANAGEMENT_KEY is not: the example needs a management key to create its test user (or unset DESCOPE_PROJECT_ID to use the embedded emulator)".into());
        }
        let client = Client::from_env()?;
        let target = client.config().base_url.clone();
        return Ok(Env {
            client,
            emulator: None,
            target,
        });
    }
    let emu = emulator.start().await?;
    let client = Client::builder_without_env()
        .project_id(emu.project_id())
        .management_key(emu.management_key())
        .base_url(emu.base_url())
        .build()?;
    Ok(Env {
        client,
        target: format!("the embedded Descope emulator at {}", emu.base_url()),
        emulator: Some(emu),
    })
}

static STEP: AtomicUsize = AtomicUsize::new(0);

/// Prints one numbered step.
pub fn step(text: impl AsRef<str>) {
    let n = STEP.fetch_add(1, Ordering::SeqCst) + 1;
    println!("{n:>2}. {}", text.as_ref());
}

/// A suffix that keeps names unique across runs against a real project.
pub fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", std::process::id(), nanos)
}

/// Fails the example with `message` unless `condition` holds.
pub fn check(condition: bool, message: impl Into<String>) -> Result<(), Box<dyn Error>> {
    if condition {
        Ok(())
    } else {
        Err(message.into().into())
    }
}

/// The `t` query parameter of a magic or enchanted link: the token the verify calls take.
pub fn link_token(link: &str) -> Result<String, Box<dyn Error>> {
    let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| "the link has no `t` query parameter".into())
}

/// The current code of an authenticator app holding `key` (the base32 key of a TOTP sign-up):
/// RFC 6238 with SHA-1, 6 digits and 30-second steps, as Descope provisions it.
pub fn totp_code(key: &str) -> Result<String, Box<dyn Error>> {
    let secret = totp_rs::Secret::Encoded(key.to_owned())
        .to_bytes()
        .map_err(|e| format!("the TOTP key is not base32: {e:?}"))?;
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret);
    Ok(totp.generate_current()?)
}

/// One line about an API refusal: the HTTP status, the Descope error code and its message.
pub fn describe(e: &descope::Error) -> String {
    match (e.status(), e.code()) {
        (Some(status), Some(code)) => format!(
            "HTTP {status}, Descope error {code} ({})",
            e.api_message().unwrap_or("no message")
        ),
        _ => e.to_string(),
    }
}

/// Reports a failed clean-up step on standard error without failing the example: on a real
/// project, whatever could not be deleted is named so it can be removed by hand.
pub fn cleanup_step(what: &str, result: descope::Result<()>) {
    match result {
        Ok(()) => step(format!("Deleted {what}")),
        Err(e) => eprintln!("warning: could not delete {what}: {e}"),
    }
}

/// A Unix time as an HTTP date, with how far away it is.
pub fn when(unix_seconds: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix_seconds.max(0) as u64);
    let from_now = at
        .duration_since(std::time::SystemTime::now())
        .map(|d| format!("in {} s", d.as_secs()))
        .unwrap_or_else(|_| "already passed".to_owned());
    format!("{} ({from_now})", httpdate::fmt_http_date(at))
}
