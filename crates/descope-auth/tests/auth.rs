//! Integration tests of descope-auth: the replay of every `auth.*` wire case recorded from the
//! official Python SDK, the enchanted-link polling, and the secrecy of arguments.

mod conformance;
mod flows;
mod polling;
mod support;
