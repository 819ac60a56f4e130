//! End-to-end tests: every authentication flow of the SDK, over real HTTP, against an
//! in-process Descope emulator (one per test, bound to `127.0.0.1:0`).
//!
//! Codes and links come from the emulator's outbox (or from the management API's test-user
//! generators), TOTP codes are computed from the provisioning key, and every wrong code, link
//! or token is checked to be refused with the right HTTP status and Descope error code.

mod links;
mod otp;
mod sessions;
mod support;
mod totp_password;
mod updates_and_keys;
