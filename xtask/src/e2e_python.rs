//! `cargo xtask e2e-python`: the official Python SDK against the emulator.
//!
//! Creates a virtualenv under `target/`, installs `descope` from PyPI (`descope==2.16.1` by
//! default; set `DESCOPE_PY_SDK` to another pip requirement such as `descope` for the latest),
//! builds and starts `descope-emulator` on 127.0.0.1 with a free port, runs
//! `crates/descope-emulator/e2e/python_sdk_e2e.py` (which prints `N passed, M failed`), and
//! stops the emulator.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::codegen::workspace_root;

const DEFAULT_SDK: &str = "descope==2.16.1";

fn run_cmd(cmd: &mut Command, what: &str) -> Result<(), String> {
    eprintln!("$ {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"))
}

/// Kills the emulator when dropped, so it never outlives the task.
struct Emulator(Child);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run() -> Result<(), String> {
    let root = workspace_root();
    let target = target_dir(&root);
    let venv = target.join("e2e-python-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        run_cmd(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv target/e2e-python-venv",
        )?;
    }
    let sdk = std::env::var("DESCOPE_PY_SDK").unwrap_or_else(|_| DEFAULT_SDK.to_string());
    run_cmd(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &sdk,
        ]),
        &format!("pip install {sdk}"),
    )?;
    crate::cargo(&[
        "build",
        "-p",
        "descope-emulator",
        "--bin",
        "descope-emulator",
    ])?;

    let exe = target.join("debug").join("descope-emulator");
    eprintln!("$ {} --host 127.0.0.1 --port 0 --quiet", exe.display());
    let mut child = Command::new(&exe)
        .args(["--host", "127.0.0.1", "--port", "0", "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", exe.display()))?;
    let stdout = child.stdout.take().ok_or("no emulator stdout")?;
    let emulator = Emulator(child);
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // Keep draining after the banner so the emulator never writes to a closed pipe.
            let _ = tx.send(line);
        }
    });
    let (mut base, mut pid, mut key) = (String::new(), String::new(), String::new());
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .map_err(|_| "the emulator did not print its banner within 120 s".to_string())?;
        eprintln!(
            "emulator: {}",
            if line.starts_with("management key") {
                "management key: <redacted>"
            } else {
                &line
            }
        );
        if let Some(v) = line.strip_prefix("base URL: ") {
            base = v.to_string();
        } else if let Some(v) = line.strip_prefix("project ID: ") {
            pid = v.to_string();
        } else if let Some(v) = line.strip_prefix("management key: ") {
            key = v.to_string();
        } else if line == "ready" {
            break;
        }
    }
    let script = root.join("crates/descope-emulator/e2e/python_sdk_e2e.py");
    let result = run_cmd(
        Command::new(&python)
            .arg(&script)
            .env("DESCOPE_EMULATOR_URL", &base)
            .env("DESCOPE_PROJECT_ID", &pid)
            .env("DESCOPE_MANAGEMENT_KEY", &key)
            .env_remove("DESCOPE_BASE_URI"),
        "python crates/descope-emulator/e2e/python_sdk_e2e.py",
    );
    drop(emulator);
    result
}
