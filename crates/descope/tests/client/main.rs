//! Tests of the client foundation: configuration, the request pipeline, the default transport
//! and the `client.*` conformance cases.

mod common;
mod conformance;
mod pipeline;
mod transport;
