//! Management calls on the facade client.

use crate::Client;

/// The examples of `docs/management.md`, compiled by `cargo test --doc` so the guide cannot
/// drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/management.md")]
pub struct ManagementGuideExamples;

impl Client {
    /// The management API: tenants, users, access keys, SSO, roles, permissions, groups,
    /// flows, JWTs, audit, FGA, projects and SSO applications.
    ///
    /// Every management call needs a management key (`DESCOPE_MANAGEMENT_KEY` or
    /// [`ClientBuilder::management_key`](crate::ClientBuilder::management_key)); without one
    /// it fails with a configuration error before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: descope::Client) -> descope::Result<()> {
    /// let tenant_id = client.mgmt().tenant().create("My First Tenant").await?;
    /// let tenant = client.mgmt().tenant().load(tenant_id).await?;
    /// println!("{}", tenant.name);
    /// # Ok(()) }
    /// ```
    pub fn mgmt(&self) -> descope_mgmt::Management {
        descope_mgmt::Management::new(self.api().clone(), self.validator().clone())
    }
}
