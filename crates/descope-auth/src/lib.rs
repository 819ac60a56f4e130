//! Descope authentication flows (filled in by the authentication step).
#![deny(missing_docs)]
