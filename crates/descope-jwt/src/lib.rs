//! Descope session-token verification (filled in by the session-validation step).
#![deny(missing_docs)]
