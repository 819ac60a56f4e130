//! session calls on the facade client.
