//! End-to-end tests of every management module: our SDK (`client.mgmt()`) against the
//! in-process emulator, checking that what is written loads back, what is deleted is gone, and
//! that the state shows where it should (JWT claims, FGA checks, the audit trail, an export
//! imported into a fresh emulator).

mod audit_jwt;
mod directory;
mod fga;
mod project;
mod sso;
mod support;
