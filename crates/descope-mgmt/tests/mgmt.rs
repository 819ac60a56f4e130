//! The integration tests of descope-mgmt (one test binary).
#![allow(deprecated)]

#[path = "mgmt/authz.rs"]
mod authz;
#[path = "mgmt/behaviour.rs"]
mod behaviour;
#[path = "mgmt/conformance.rs"]
mod conformance;
