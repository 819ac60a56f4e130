//! Roles and permissions: the eight authorization helpers on a validated session, at project
//! level and per tenant.
//!
//! ```sh
//! cargo run -p descope --example roles
//! ```
//!
//! The example creates two permissions, a project role, a tenant role, a tenant and a test user
//! holding both roles, signs the user in, and asks the helpers questions whose answers it knows.
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator. With
//! `DESCOPE_PROJECT_ID` and `DESCOPE_MANAGEMENT_KEY` set, it runs against that project and
//! deletes everything it created at the end.

use std::error::Error;

use descope::descope_mgmt::AssociatedTenant;
use descope::DeliveryMethod;

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
    let names = Names {
        read: format!("docs.read{suffix}"),
        write: format!("docs.write{suffix}"),
        editor: format!("editor{suffix}"),
        owner: format!("tenant-owner{suffix}"),
        tenant: format!("Roles Inc{suffix}"),
        login_id: format!("roles-demo{suffix}@example.com"),
    };

    let outcome = story(&env, &names).await;
    // On a real project, delete what the example created even when a step failed.
    if env.emulator.is_none() {
        let mgmt = env.client.mgmt();
        let n = &names;
        common::cleanup_step("the test user", mgmt.user().delete(&n.login_id).await);
        let tenant_id = mgmt
            .tenant()
            .search_all()
            .names([n.tenant.clone()])
            .await
            .ok()
            .and_then(|found| found.into_iter().next().map(|t| t.id));
        if let Some(id) = tenant_id {
            common::cleanup_step("the tenant", mgmt.tenant().delete(id, true).await);
        }
        common::cleanup_step("the tenant role", mgmt.role().delete(&n.owner, None).await);
        common::cleanup_step(
            "the project role",
            mgmt.role().delete(&n.editor, None).await,
        );
        common::cleanup_step("a permission", mgmt.permission().delete(&n.write).await);
        common::cleanup_step("a permission", mgmt.permission().delete(&n.read).await);
    }
    env.finish().await;
    outcome?;
    println!("\nDone: the eight role and permission helpers.");
    Ok(())
}

/// The names the example creates (unique per run on a real project).
struct Names {
    read: String,
    write: String,
    editor: String,
    owner: String,
    tenant: String,
    login_id: String,
}

/// The walk-through.
async fn story(env: &Env, names: &Names) -> Result<(), Box<dyn Error>> {
    let client = &env.client;
    let Names {
        read,
        write,
        editor,
        owner,
        tenant: tenant_name,
        login_id,
    } = names;

    // Set-up: `editor` (project role) grants docs.read; `tenant-owner` (tenant role) grants both.
    let mgmt = client.mgmt();
    mgmt.permission()
        .create(read, Some("Read documents"))
        .await?;
    mgmt.permission()
        .create(write, Some("Write documents"))
        .await?;
    mgmt.role()
        .create(editor)
        .permission_names([read.clone()])
        .await?;
    mgmt.role()
        .create(owner)
        .permission_names([read.clone(), write.clone()])
        .await?;
    let tenant = mgmt.tenant().create(tenant_name).await?;
    mgmt.user()
        .create_test_user(login_id)
        .email(login_id)
        .role_names([editor.clone()])
        .user_tenants([AssociatedTenant::new(&tenant).role_names([owner.clone()])])
        .await?;
    step(format!(
        "Created {login_id}: project role {editor:?} ({read}), role {owner:?} ({read}, {write}) in tenant {tenant}"
    ));

    let code = mgmt
        .user()
        .generate_otp_for_test_user(DeliveryMethod::Email, login_id)
        .await?
        .code;
    let jwt = client
        .otp()
        .verify_code(DeliveryMethod::Email, login_id, code)
        .await?;
    let token = jwt.session_token().ok_or("no session token")?;
    let session = client.validate_session(token, None).await?;
    step(format!(
        "Signed in and validated the session: roles {:?}, permissions {:?}, tenants {:?}",
        session.roles(),
        session.permissions(),
        session.tenants().keys().collect::<Vec<_>>()
    ));

    // Project level: only the top-level claims count.
    let has_read = client.validate_permissions(&session, &[read.as_str()]);
    let has_write = client.validate_permissions(&session, &[write.as_str()]);
    step(format!(
        "validate_permissions([{read}]) = {has_read}; ([{write}]) = {has_write}"
    ));
    check(
        has_read && !has_write,
        "project permissions are docs.read only",
    )?;

    let is_editor = client.validate_roles(&session, &[editor.as_str()]);
    let is_owner = client.validate_roles(&session, &[owner.as_str()]);
    step(format!(
        "validate_roles([{editor}]) = {is_editor}; ([{owner}]) = {is_owner} (a tenant role)"
    ));
    check(
        is_editor && !is_owner,
        "the tenant role must not count at project level",
    )?;

    let perms = client.get_matched_permissions(&session, &[write.as_str(), read.as_str(), "x"]);
    step(format!(
        "get_matched_permissions([{write}, {read}, x]) = {perms:?}"
    ));
    check(
        perms == [read.clone()],
        "only docs.read matches at project level",
    )?;

    let roles = client.get_matched_roles(&session, &[owner.as_str(), editor.as_str()]);
    step(format!(
        "get_matched_roles([{owner}, {editor}]) = {roles:?}"
    ));
    check(
        roles == [editor.clone()],
        "only editor matches at project level",
    )?;

    // Tenant level: the tenant's roles and the permissions they grant.
    let t_write = client.validate_tenant_permissions(&session, &tenant, &[write.as_str()]);
    let other = client.validate_tenant_permissions(&session, "T-no-such-tenant", &[read.as_str()]);
    step(format!(
        "validate_tenant_permissions({tenant}, [{write}]) = {t_write}; in an unknown tenant = {other}"
    ));
    check(
        t_write && !other,
        "docs.write is granted in the tenant only",
    )?;

    let t_owner = client.validate_tenant_roles(&session, &tenant, &[owner.as_str()]);
    let t_editor = client.validate_tenant_roles(&session, &tenant, &[editor.as_str()]);
    step(format!(
        "validate_tenant_roles({tenant}, [{owner}]) = {t_owner}; ([{editor}]) = {t_editor} (a project role)"
    ));
    check(t_owner && !t_editor, "tenant roles are the tenant's own")?;

    let t_perms = client.get_matched_tenant_permissions(
        &session,
        &tenant,
        &[write.as_str(), "x", read.as_str()],
    );
    step(format!(
        "get_matched_tenant_permissions({tenant}, [{write}, x, {read}]) = {t_perms:?}"
    ));
    check(
        t_perms == [write.clone(), read.clone()],
        "both permissions, in request order",
    )?;

    let t_roles =
        client.get_matched_tenant_roles(&session, &tenant, &[editor.as_str(), owner.as_str()]);
    step(format!(
        "get_matched_tenant_roles({tenant}, [{editor}, {owner}]) = {t_roles:?}"
    ));
    check(
        t_roles == [owner.clone()],
        "only the tenant role matches in the tenant",
    )?;

    Ok(())
}
