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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use descope_transport::test_util::ScriptedTransport;
    use serde_json::json;

    use crate::Client;

    fn client(transport: &ScriptedTransport, key: Option<&str>) -> Client {
        let mut b = Client::builder_without_env()
            .project_id("P2aAc4T2V93bddihGEx2Ryhc8e5Z")
            .base_url("http://127.0.0.1:9")
            .transport(Arc::new(transport.clone()));
        if let Some(k) = key {
            b = b.management_key(k);
        }
        b.build().expect("client")
    }

    #[tokio::test]
    async fn client_mgmt_sends_the_management_key_of_the_client() {
        let t = ScriptedTransport::new();
        t.push_json(200, json!({"id": "T1"}));
        let c = client(&t, Some("K-facade"));
        let id = c.mgmt().tenant().create("Acme").await.unwrap();
        assert_eq!(id, "T1");
        let sent = t.requests();
        assert_eq!(sent.len(), 1);
        assert!(sent[0].url.ends_with("/v1/mgmt/tenant/create"));
        assert_eq!(
            sent[0].headers["authorization"],
            "Bearer P2aAc4T2V93bddihGEx2Ryhc8e5Z:K-facade"
        );
    }

    #[tokio::test]
    async fn client_mgmt_without_a_management_key_refuses_before_sending() {
        let t = ScriptedTransport::new();
        t.push_json(200, json!({}));
        let c = client(&t, None);
        let err = c.mgmt().user().delete("u1").await.unwrap_err();
        assert!(err.is_config(), "{err}");
        assert_eq!(t.request_count(), 0);
    }
}
