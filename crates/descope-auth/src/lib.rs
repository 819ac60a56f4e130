//! Descope authentication flows and session calls.
#![deny(missing_docs)]

pub mod session;
