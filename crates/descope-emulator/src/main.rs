//! `descope-emulator`: runs the emulator until interrupted.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// A local emulator of the Descope API.
#[derive(Debug, Parser)]
#[command(name = "descope-emulator", version, about)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4500)]
    port: u16,
    /// Interface to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Project ID (generated on first start and kept in the data dir when not given).
    #[arg(long)]
    project_id: Option<String>,
    /// Management key (generated on first start and kept in the data dir when not given).
    #[arg(long)]
    management_key: Option<String>,
    /// Directory for persistent state (SQLite, keys, TLS certificate). In memory when absent.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Serve HTTPS with a generated certificate (its CA is written to the data dir).
    #[arg(long)]
    tls: bool,
    /// Answer 429 past this many API calls per minute.
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Session JWT lifetime in seconds.
    #[arg(long, default_value_t = 600)]
    session_ttl: u64,
    /// Refresh JWT lifetime in seconds.
    #[arg(long, default_value_t = 4 * 7 * 24 * 3600)]
    refresh_ttl: u64,
    /// OTP code and link lifetime in seconds.
    #[arg(long, default_value_t = 300)]
    code_ttl: u64,
    /// Do not print codes and links as they are sent.
    #[arg(long)]
    quiet: bool,
    /// Email of the identity the fake OAuth/SSO/SAML provider signs in without showing its
    /// page (otherwise the page asks).
    #[arg(long, value_name = "EMAIL")]
    fake_identity: Option<String>,
    /// Display name of that identity.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "",
        requires = "fake_identity"
    )]
    fake_name: String,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut b = descope_emulator::Emulator::builder()
        .host(args.host)
        .port(args.port)
        .tls(args.tls)
        .session_ttl(Duration::from_secs(args.session_ttl))
        .refresh_ttl(Duration::from_secs(args.refresh_ttl))
        .code_ttl(Duration::from_secs(args.code_ttl))
        .print_outbox(!args.quiet);
    if let Some(p) = args.project_id {
        b = b.project_id(p);
    }
    if let Some(k) = args.management_key {
        b = b.management_key(k);
    }
    if let Some(d) = &args.data_dir {
        b = b.data_dir(d);
    }
    if let Some(n) = args.rate_limit {
        b = b.rate_limit_per_minute(n);
    }
    if let Some(email) = &args.fake_identity {
        b = b.fake_identity(email, &args.fake_name);
    }
    let emu = match b.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("Descope emulator");
    println!("base URL: {}", emu.base_url());
    println!("project ID: {}", emu.project_id());
    println!("management key: {}", emu.management_key());
    match &args.data_dir {
        Some(d) => println!("data dir: {}", d.display()),
        None => println!("data dir: none (state is in memory)"),
    }
    if emu.ca_pem().is_some() {
        match &args.data_dir {
            Some(d) => println!("TLS CA: {}", d.join("tls-ca.pem").display()),
            None => println!(
                "TLS CA (not saved, no data dir):\n{}",
                emu.ca_pem().unwrap_or_default()
            ),
        }
    }
    println!("ready");
    wait_for_signal().await;
    println!("shutting down");
    emu.shutdown().await;
    std::process::ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
