//! Session calls: refresh, tenant selection, logout, me, history, my tenants, access-key exchange.
