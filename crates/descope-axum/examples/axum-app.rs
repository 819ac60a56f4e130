//! An axum app protected by Descope: a public page, a page for signed-in users, an admin page
//! behind a role, a tenant page behind a tenant permission, sign-in by one-time code or magic
//! link, and logout.
//!
//! ```text
//! cargo run -p descope-axum --example axum-app
//! ```
//!
//! Without `DESCOPE_PROJECT_ID` it starts the embedded Descope emulator, creates two demo users
//! (`alice@example.com`: role `admin`, and `analyst` in tenant `acme`; `bob@example.com`:
//! `analyst` in tenant `globex` only) and prints the codes it "sends" on the terminal. With
//! `DESCOPE_PROJECT_ID` (and `DESCOPE_MANAGEMENT_KEY` if you want the demo data) it uses your
//! Descope project instead. `APP_ADDR` sets the address (default `127.0.0.1:3000`).
//!
//! The integration tests of this crate run this very app (`tests/http/emulator.rs`).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use descope::endpoints;
use descope_axum::{
    require_roles, require_tenant_permissions, AuthRoutes, CookieOptions, DescopeLayer,
    DescopeSession, MaybeSession,
};
use serde_json::json;

/// The demo tenant whose reports page is guarded.
pub const TENANT: &str = "acme";
/// The demo admin.
pub const ALICE: &str = "alice@example.com";
/// The demo user without the admin role, with `reports.read` in another tenant.
pub const BOB: &str = "bob@example.com";

/// The app. `public_url` is where browsers reach it (for the magic links).
pub fn app(client: descope::Client, cookies: CookieOptions, public_url: &str) -> Router {
    let auth = AuthRoutes::new(client.clone())
        .cookies(cookies.clone())
        .magic_link_url(format!("{public_url}/auth/magic-link/verify"))
        .oauth_return_url(format!("{public_url}/auth/oauth/callback"));
    Router::new()
        .route("/", get(home))
        .route("/profile", get(profile))
        .route("/admin", get(admin).route_layer(require_roles(["admin"])))
        .route(
            "/tenants/acme/reports",
            get(reports).route_layer(require_tenant_permissions(TENANT, ["reports.read"])),
        )
        .nest("/auth", auth.into_router())
        .layer(DescopeLayer::new(client).cookies(cookies))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const SIGN_IN: &str = r#"
<form id="start"><input id="login" placeholder="alice@example.com"> <button>Send me a code</button></form>
<form id="verify" hidden><input id="code" placeholder="123456"> <button>Sign in</button></form>
<p id="status"></p>
<script>
const post = (path, body) => fetch(path, {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)});
const login = () => document.getElementById("login").value;
document.getElementById("start").onsubmit = async (e) => {
  e.preventDefault();
  const r = await post("/auth/otp/start", {method: "email", loginId: login()});
  const j = await r.json();
  document.getElementById("status").textContent = r.ok ? "Code sent to " + j.maskedAddress : j.message;
  if (r.ok) document.getElementById("verify").hidden = false;
};
document.getElementById("verify").onsubmit = async (e) => {
  e.preventDefault();
  const r = await post("/auth/otp/verify", {method: "email", loginId: login(), code: document.getElementById("code").value});
  if (r.ok) location.reload(); else document.getElementById("status").textContent = (await r.json()).message;
};
</script>"#;

const LOGOUT: &str = r#"<form method="post" action="/auth/logout"><button>Log out</button></form>"#;

const NAV: &str = r#"<p><a href="/">home</a> · <a href="/profile">profile</a> · <a href="/admin">admin</a> · <a href="/tenants/acme/reports">acme reports</a></p>"#;

/// Public: greets whoever comes.
async fn home(MaybeSession(session): MaybeSession) -> Html<String> {
    let body = match session {
        Some(s) => format!(
            "<p>Signed in as <code>{}</code>.</p>{LOGOUT}",
            escape(s.user_id())
        ),
        None => format!("<p>You are not signed in.</p>{SIGN_IN}"),
    };
    Html(format!("<h1>descope-axum demo</h1>{NAV}{body}"))
}

/// Any signed-in user.
async fn profile(session: DescopeSession) -> Html<String> {
    let tenants: Vec<&str> = session.tenants().keys().map(String::as_str).collect();
    Html(format!(
        "<h1>Profile</h1>{NAV}<p>user <code>{}</code></p><p>roles {}</p><p>tenants {}</p>{LOGOUT}",
        escape(session.user_id()),
        escape(&session.roles().join(", ")),
        escape(&tenants.join(", ")),
    ))
}

/// Role `admin` only.
async fn admin(session: DescopeSession) -> Html<String> {
    Html(format!(
        "<h1>Admin</h1>{NAV}<p>Welcome, administrator <code>{}</code>.</p>",
        escape(session.user_id())
    ))
}

/// Permission `reports.read` in tenant `acme` only.
async fn reports(session: DescopeSession) -> Html<String> {
    let perms = session
        .tenant(TENANT)
        .map(|t| t.permissions.join(", "))
        .unwrap_or_default();
    Html(format!(
        "<h1>Acme reports</h1>{NAV}<p>Your permissions in acme: {}</p>",
        escape(&perms)
    ))
}

/// Creates the demo permission, roles, tenants and users through the management API.
pub async fn seed(client: &descope::Client) -> descope::Result<()> {
    let api = client.api();
    let calls = [
        (
            &endpoints::MGMT_PERMISSION_CREATE,
            json!({"name": "reports.read"}),
        ),
        (&endpoints::MGMT_ROLE_CREATE, json!({"name": "admin"})),
        (
            &endpoints::MGMT_TENANT_CREATE,
            json!({"id": "acme", "name": "Acme"}),
        ),
        (
            &endpoints::MGMT_TENANT_CREATE,
            json!({"id": "globex", "name": "Globex"}),
        ),
        (
            &endpoints::MGMT_ROLE_CREATE,
            json!({"name": "analyst", "tenantId": "acme", "permissionNames": ["reports.read"]}),
        ),
        (
            &endpoints::MGMT_ROLE_CREATE,
            json!({"name": "analyst", "tenantId": "globex", "permissionNames": ["reports.read"]}),
        ),
        (
            &endpoints::MGMT_USER_CREATE,
            json!({"loginId": ALICE, "email": ALICE, "verifiedEmail": true, "roleNames": ["admin"],
                   "userTenants": [{"tenantId": "acme", "roleNames": ["analyst"]}]}),
        ),
        (
            &endpoints::MGMT_USER_CREATE,
            json!({"loginId": BOB, "email": BOB, "verifiedEmail": true,
                   "userTenants": [{"tenantId": "globex", "roleNames": ["analyst"]}]}),
        ),
    ];
    for (endpoint, body) in calls {
        match api.request(endpoint).json(&body).send().await {
            Ok(_) => {}
            // Already there (a persistent emulator or a project seeded before): fine.
            Err(e) if e.is_conflict() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Starts the embedded emulator and a client for it. `session_ttl` is the session tokens'
/// lifetime (the tests shorten it to see renewals).
pub async fn start_emulator(
    session_ttl: Duration,
    print_outbox: bool,
) -> Result<(descope_emulator::EmulatorHandle, descope::Client), Box<dyn std::error::Error>> {
    let emu = descope_emulator::Emulator::builder()
        .session_ttl(session_ttl)
        .print_outbox(print_outbox)
        .start()
        .await?;
    let client = descope::Client::builder_without_env()
        .project_id(emu.project_id())
        .management_key(emu.management_key().to_owned())
        .base_url(emu.base_url())
        .leeway(Duration::ZERO)
        .build()?;
    seed(&client).await?;
    Ok((emu, client))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::var("APP_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".to_owned())
        .parse()?;
    let public_url = std::env::var("APP_URL").unwrap_or_else(|_| format!("http://{addr}"));
    let (emulator, client, cookies) = if std::env::var("DESCOPE_PROJECT_ID").is_ok() {
        let client = descope::Client::from_env()?;
        if client.config().management_key.is_some() {
            seed(&client).await?;
        }
        (None, client, CookieOptions::default())
    } else {
        let (emu, client) = start_emulator(Duration::from_secs(600), true).await?;
        println!(
            "Descope emulator at {} (project {})",
            emu.base_url(),
            emu.project_id()
        );
        println!("Sign in as {ALICE} (admin, analyst in acme) or {BOB} (analyst in globex);");
        println!("the codes the emulator \"sends\" are printed here.");
        // Plain HTTP on a local address: some browsers drop `Secure` cookies there.
        (Some(emu), client, CookieOptions::default().secure(false))
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("Open {public_url}");
    axum::serve(listener, app(client, cookies, &public_url))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    if let Some(emu) = emulator {
        emu.shutdown().await;
    }
    Ok(())
}
