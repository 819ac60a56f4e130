//! Shared set-up: an in-process emulator per test and a client with its management key.

use descope::{Client, Error};
use descope_emulator::{Emulator, EmulatorHandle};

/// The emulator's error code for a malformed or invalid request.
pub const BAD_REQUEST: &str = "E011003";
/// The emulator's error code for refused credentials.
pub const UNAUTHORIZED: &str = "E061301";
/// The emulator's error code for a caller that is not allowed.
pub const FORBIDDEN: &str = "E062107";
/// The emulator's error code for something that does not exist.
pub const NOT_FOUND: &str = "E062108";
/// The emulator's error code for something that exists already.
pub const CONFLICT: &str = "E062109";

/// A valid password under the emulator's policy.
pub const PASSWORD: &str = "Sup3rSecret";

/// A running emulator and a client pointed at it.
pub struct Env {
    pub emu: EmulatorHandle,
    pub client: Client,
}

/// A fresh emulator and a client with its management key.
pub async fn start() -> Env {
    let emu = Emulator::builder()
        .start()
        .await
        .expect("the emulator starts");
    let client = client_for(&emu);
    Env { emu, client }
}

/// A client for `emu` with its management key.
pub fn client_for(emu: &EmulatorHandle) -> Client {
    Client::builder_without_env()
        .project_id(emu.project_id())
        .management_key(emu.management_key())
        .base_url(emu.base_url())
        .build()
        .expect("a client for the emulator")
}

/// Asserts the call was refused by the API with `status` and the Descope error `code`.
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
