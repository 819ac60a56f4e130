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
use common::{check, step, Env};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    step(format!("Connected to {}", env.target));
    let suffix = match env.emulator {
        Some(_) => String::new(),
        None => format!("-{}", common::unique_suffix()),
    };

    let mut created = Created::default();
    let outcome = story(&env, &suffix, &mut created).await;
    // On a real project, delete what the example created even when a step failed.
    if env.emulator.is_none() {
        let mgmt = env.client.mgmt();
        if let Some(key_id) = created.key_id {
            common::cleanup_step("the access key", mgmt.access_key().delete(key_id).await);
        }
        if let Some(tenant) = created.tenant {
            common::cleanup_step("the tenant", mgmt.tenant().delete(tenant, true).await);
        }
        if let Some(role) = created.role {
            common::cleanup_step("the role", mgmt.role().delete(role, None).await);
        }
    }
    env.finish().await;
    outcome?;
    println!("\nDone: access-key exchange.");
    Ok(())
}

/// What the example created, for the clean-up.
#[derive(Default)]
struct Created {
    role: Option<String>,
    tenant: Option<String>,
    key_id: Option<String>,
}

/// The walk-through; `suffix` keeps names unique on a real project.
async fn story(env: &Env, suffix: &str, created: &mut Created) -> Result<(), Box<dyn Error>> {
    let client = &env.client;
    let role = format!("reporter{suffix}");
    let mgmt = client.mgmt();
    mgmt.role()
        .create(&role)
        .description("Reads reports")
        .await?;
    created.role = Some(role.clone());
    let tenant = mgmt
        .tenant()
        .create(format!("Machines Inc{suffix}"))
        .await?;
    created.tenant = Some(tenant.clone());

    // 1. Create the key: its cleartext is shown once; store it where the machine client runs.
    let key = mgmt
        .access_key()
        .create(format!("nightly-report{suffix}"))
        .description("The nightly report job")
        .role_names([role.clone()])
        .key_tenants([AssociatedTenant::new(&tenant).role_names([role.clone()])])
        .await?;
    let key_id = key.key.id.clone();
    created.key_id = Some(key_id.clone());
    step(format!(
        "Created access key {key_id} ({:?}) with role {role:?} in tenant {tenant}",
        key.key.name
    ));

    // 2. Exchange it for a session token, selecting the tenant and adding a custom claim.
    let options = AccessKeyLoginOptions::new()
        .selected_tenant(&tenant)
        .custom_claim("job", "nightly");
    let exchanged = client
        .exchange_access_key(key.cleartext.expose(), None, Some(&options))
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
        .exchange_access_key(key.cleartext.expose(), None, None)
        .await
    {
        Err(e) if e.is_unauthorized() || e.is_forbidden() => step(format!(
            "After deactivation the key is refused: {}",
            common::describe(&e)
        )),
        Err(e) => return Err(format!("the deactivated key failed unexpectedly: {e}").into()),
        Ok(_) => return Err("a deactivated key still works".into()),
    }

    // 5. Keys that are no longer needed are deleted.
    mgmt.access_key().delete(&key_id).await?;
    created.key_id = None;
    step("Deleted the key");
    Ok(())
}
