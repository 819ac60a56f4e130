//! The layering rules of docs/ARCHITECTURE.md, checked against the real dependency graph.

use std::process::Command;

fn normal_dependencies(package: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "-p",
            package,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn core_jwt_auth_and_mgmt_never_depend_on_hyper_or_rustls() {
    for package in [
        "descope-core",
        "descope-jwt",
        "descope-auth",
        "descope-mgmt",
    ] {
        let deps = normal_dependencies(package);
        assert!(
            deps.iter().any(|d| d == package),
            "cargo tree did not list {package} itself: {deps:?}"
        );
        for forbidden in [
            "hyper",
            "hyper-util",
            "rustls",
            "hyper-rustls",
            "tokio-rustls",
        ] {
            assert!(
                !deps.iter().any(|d| d == forbidden),
                "{package} depends on {forbidden}"
            );
        }
    }
}

#[test]
fn the_facade_uses_hyper_over_rustls_by_default() {
    let deps = normal_dependencies("descope");
    for needed in ["hyper", "hyper-util", "rustls", "hyper-rustls"] {
        assert!(deps.iter().any(|d| d == needed), "descope lacks {needed}");
    }
}

#[test]
fn the_emulator_depends_on_no_sdk_layer_above_core() {
    let deps = normal_dependencies("descope-emulator");
    for forbidden in [
        "descope",
        "descope-transport",
        "descope-jwt",
        "descope-auth",
        "descope-mgmt",
    ] {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "descope-emulator depends on {forbidden}"
        );
    }
}
