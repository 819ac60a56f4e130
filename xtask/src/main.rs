//! Project tasks: `cargo xtask <task>`.
//!
//! * `codegen [--check]`: regenerate the endpoint constants and `docs/endpoints.md` from
//!   `crates/descope-core/endpoints.table` (`--check` fails when they are stale).
//! * `test`: what CI runs (format check, clippy, the workspace tests, docs).
//! * `bench`: runs the benchmarks and prints their summary.
//! * `e2e-python`: the official Python SDK's flows against `descope-emulator`.

mod codegen;
mod e2e_python;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let rest = &args[args.len().min(1)..];
    let result = match task {
        "codegen" => codegen::run(rest.iter().any(|a| a == "--check")),
        "test" => run_test(),
        "bench" => run_bench(rest),
        "e2e-python" => e2e_python::run(),
        _ => {
            eprintln!("usage: cargo xtask <codegen [--check] | test | bench | e2e-python>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn cargo(args: &[&str]) -> Result<(), String> {
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(codegen::workspace_root())
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed ({status})", args.join(" ")))
    }
}

/// The same steps as `.ci/run`, in the same order.
fn run_test() -> Result<(), String> {
    codegen::run(true)?;
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&[
        "clippy",
        "-p",
        "descope-transport",
        "-p",
        "descope",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "--workspace"])?;
    std::env::set_var("RUSTDOCFLAGS", "-D warnings");
    cargo(&["doc", "--workspace", "--no-deps"])?;
    cargo(&["build", "--workspace", "--examples"])?;
    cargo(&["run", "--example", "quickstart"])?;
    e2e_python::run()
}

fn run_bench(rest: &[String]) -> Result<(), String> {
    // Session validation (ratios against raw ring verification), then the web layer's overhead.
    for package in ["descope-jwt", "descope-axum"] {
        let mut args = vec!["bench", "-p", package];
        args.extend(rest.iter().map(String::as_str));
        cargo(&args)?;
    }
    Ok(())
}
