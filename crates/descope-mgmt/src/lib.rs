//! The Descope management API (filled in by the management step).
#![deny(missing_docs)]
