//! The descope-rs quickstart: a whole sign-in story, end to end.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it starts the local Descope emulator in-process (real HTTP,
//! real keys, real JWTs) and runs against it: nothing to configure. With `DESCOPE_PROJECT_ID` and
//! `DESCOPE_MANAGEMENT_KEY` set, it runs the same story against that project, with a test user,
//! tenant and roles that it deletes at the end.

use std::error::Error;

use descope::descope_mgmt::AssociatedTenant;
use descope::DeliveryMethod;

#[path = "common/mod.rs"]
mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    let client = &env.client;
    // Against a real project, names get a unique suffix so runs never collide.
    let suffix = match env.emulator {
        Some(_) => String::new(),
        None => format!("-{}", common::unique_suffix()),
    };
    let login_id = format!("quickstart{suffix}@example.com");

    common::step(format!(
        "Connected to {} (project {})",
        env.target,
        client.project_id()
    ));

    // 1. A tenant, a permission, a tenant role that grants it, and a project role.
    let permission = format!("reports.read{suffix}");
    let tenant_role = format!("tenant-admin{suffix}");
    let project_role = format!("viewer{suffix}");
    let mgmt = client.mgmt();
    mgmt.permission()
        .create(&permission, Some("Read the tenant's reports"))
        .await?;
    mgmt.role()
        .create(&tenant_role)
        .description("Administers one tenant")
        .permission_names([permission.clone()])
        .await?;
    mgmt.role()
        .create(&project_role)
        .description("Reads things")
        .await?;
    let tenant_id = mgmt
        .tenant()
        .create(format!("Quickstart Inc{suffix}"))
        .await?;
    common::step(format!(
        "Created tenant {tenant_id}, tenant role {tenant_role:?} (grants {permission:?}) and project role {project_role:?}"
    ));

    // 2. A test user in that tenant, with both roles.
    let user = mgmt
        .user()
        .create_test_user(&login_id)
        .email(&login_id)
        .display_name("Quinn Quickstart")
        .role_names([project_role.clone()])
        .user_tenants([AssociatedTenant::new(&tenant_id).role_names([tenant_role.clone()])])
        .await?;
    common::step(format!("Created test user {} ({})", login_id, user.user_id));

    // 3. Sign in with a one-time code. A test user's code comes from the management API
    //    instead of an inbox.
    let code = mgmt
        .user()
        .generate_otp_for_test_user(DeliveryMethod::Email, &login_id)
        .await?;
    common::step("Generated a one-time code for the test user (its value stays secret)");
    let signed_in = client
        .otp()
        .verify_code(DeliveryMethod::Email, &login_id, code.code)
        .await?;
    let session_token = signed_in
        .session
        .as_ref()
        .ok_or("the verify call returned no session token")?
        .token()
        .to_owned();
    let refresh_token = signed_in
        .refresh
        .as_ref()
        .ok_or("the verify call returned no refresh token")?
        .token()
        .to_owned();
    common::step(format!(
        "Verified the code: signed in as user {}",
        signed_in.user_id
    ));

    // 4. Validate the session the way every request of an app does: locally, no network call
    //    once the project's keys are cached.
    let session = client.validate_session(&session_token, None).await?;
    common::step(format!(
        "Validated the session: user {}, roles {:?}, expires {}",
        session.user_id(),
        session.roles(),
        common::when(session.expires_at())
    ));

    // 5. Authorization checks.
    let has_role = client.validate_roles(&session, &[project_role.as_str()]);
    let has_admin = client.validate_roles(&session, &["admin"]);
    let can_read = client.validate_tenant_permissions(&session, &tenant_id, &[permission.as_str()]);
    common::step(format!(
        "Role {project_role:?}: {has_role}; role \"admin\": {has_admin}; permission {permission:?} in tenant {tenant_id}: {can_read}"
    ));
    if !has_role || has_admin || !can_read {
        return Err("the authorization checks did not match the user's roles".into());
    }

    // 6. Select the tenant: the new session token carries it as `dct`.
    let selected = client.select_tenant(&tenant_id, &refresh_token).await?;
    let selected_session = selected
        .session
        .as_ref()
        .ok_or("tenant selection returned no session token")?;
    common::step(format!(
        "Selected tenant: the session's current tenant is now {}",
        selected_session.selected_tenant().unwrap_or("none")
    ));

    // 7. Refresh the session.
    let refreshed = client.refresh_session(&refresh_token, None).await?;
    let refreshed_session = refreshed
        .session
        .as_ref()
        .ok_or("refresh returned no session token")?;
    common::step(format!(
        "Refreshed: a new session token, expires {}",
        common::when(refreshed_session.expires_at())
    ));

    // 8. Log out, then show that the refresh token is refused.
    client.logout(&refresh_token).await?;
    common::step("Logged out");
    match client.refresh_session(&refresh_token, None).await {
        Err(e) if e.is_unauthorized() => common::step(format!(
            "The old refresh token is refused, as it should be: {e}"
        )),
        Err(e) => {
            return Err(format!("refresh after logout failed in an unexpected way: {e}").into())
        }
        Ok(_) => return Err("the refresh token still works after logout".into()),
    }

    // Clean up what a real project would keep.
    if env.emulator.is_none() {
        mgmt.user().delete(&login_id).await?;
        mgmt.tenant().delete(&tenant_id, true).await?;
        mgmt.role().delete(&tenant_role, None).await?;
        mgmt.role().delete(&project_role, None).await?;
        mgmt.permission().delete(&permission).await?;
        common::step("Deleted the test user, tenant, roles and permission");
    }
    env.finish().await;
    println!("\nDone: the whole story ran. Next: see docs/auth.md and the other examples.");
    Ok(())
}
