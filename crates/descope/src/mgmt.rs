//! mgmt calls on the facade client.
