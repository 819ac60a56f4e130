//! Shared set-up for the examples: connect to a real project when `DESCOPE_PROJECT_ID` is set,
//! otherwise start the local emulator in-process.

#![allow(dead_code)]

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};

use descope::Client;
use descope_emulator::{Emulator, EmulatorHandle};

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
    let project = std::env::var("DESCOPE_PROJECT_ID").unwrap_or_default();
    if !project.trim().is_empty() {
        if std::env::var("DESCOPE_MANAGEMENT_KEY").unwrap_or_default().trim().is_empty() {
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
    let emu = Emulator::builder().start().await?;
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
