//! auth calls on the facade client.
