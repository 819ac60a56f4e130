//! Access keys: create a key with the management API, exchange it for a session token the way
//! a machine client does, check the roles it carries, and see a deactivated key refused.
//!
//! ```sh
//! cargo run -p descope --example access_key
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator. With
//! `DESCOPE_PROJECT_ID` and `DESCOPE_MANAGEMENT_KEY` set, it runs against that project and
//! deletes the key, role and tenant it created at the end.

use std::error::Error;

use descope::descope_mgmt::AssociatedTenant;
use descope::AccessKeyLoginOptions;

#[path = "common/mod.rs"]
mod common;
use common::{check, step};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    let client = &env.client;
    step(format!("Connected to {}", env.target));

    let suffix = match env.emulator {
        Some(_) => String::new(),
        None => format!("-{}", common::unique_suffix()),
    };
    let role = format!("reporter{suffix}");
    let mgmt = client.mgmt();
    mgmt.role()
        .create(&role)
        .description("Reads reports")
        .await?;
    let tenant = mgmt
        .tenant()
        .create(format!("Machines Inc{suffix}"))
        .await?;

    // 1. Create the key: its cleartext is shown once; store it where the machine client runs.
    let created = mgmt
        .access_key()
        .create(format!("nightly-report{suffix}"))
        .description("The nightly report job")
        .role_names([role.clone()])
        .key_tenants([AssociatedTenant::new(&tenant).role_names([role.clone()])])
        .await?;
    let key_id = created.key.id.clone();
    step(format!(
        "Created access key {key_id} ({:?}) with role {role:?} in tenant {tenant}",
        created.key.name
    ));

    // 2. Exchange it for a session token, selecting the tenant and adding a custom claim.
    let options = AccessKeyLoginOptions::new()
        .selected_tenant(&tenant)
        .custom_claim("job", "nightly");
    let exchanged = client
        .exchange_access_key(created.cleartext.expose(), None, Some(&options))
        .await?;
    let session = &exchanged.session;
    step(format!(
        "Exchanged the key {}: a session token for subject {}, expiring at {}",
        exchanged.key_id,
        session.user_id(),
        session.expires_at()
    ));
    step(format!(
        "Its claims: roles {:?}, current tenant {:?}, custom claims {}",
        session.roles(),
        session.selected_tenant(),
        session
            .claim("nsec")
            .map(ToString::to_string)
            .unwrap_or_else(|| "none".into())
    ));
    check(
        client.validate_roles(session, &[role.as_str()]),
        "the key's session should hold its project role",
    )?;
    check(
        client.validate_tenant_roles(session, &tenant, &[role.as_str()]),
        "the key's session should hold its tenant role",
    )?;
    check(
        session.selected_tenant() == Some(tenant.as_str()),
        "the selected tenant should be in the session",
    )?;

    // 3. The token validates like any session token.
    let validated = client.validate_session(session.token(), None).await?;
    step(format!(
        "The token validates locally: subject {}",
        validated.user_id()
    ));

    // 4. A deactivated key is refused.
    mgmt.access_key().deactivate(&key_id).await?;
    match client
        .exchange_access_key(created.cleartext.expose(), None, None)
        .await
    {
        Err(e) if e.is_unauthorized() || e.is_forbidden() => step(format!(
            "After deactivation the key is refused: {}",
            common::describe(&e)
        )),
        Err(e) => return Err(format!("the deactivated key failed unexpectedly: {e}").into()),
        Ok(_) => return Err("a deactivated key still works".into()),
    }

    mgmt.access_key().delete(&key_id).await?;
    if env.emulator.is_none() {
        mgmt.tenant().delete(&tenant, true).await?;
        mgmt.role().delete(&role, None).await?;
        step("Deleted the key, tenant and role");
    } else {
        step("Deleted the key");
    }
    env.finish().await;
    println!("\nDone: access-key exchange.");
    Ok(())
}
