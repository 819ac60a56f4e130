//! State that survives: kill -9 and restart on the same data dir; no update lost under concurrency.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use descope_emulator::Emulator;
use serde_json::json;

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!(
        "descope-emulator-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Spawned {
    child: Child,
    base: String,
    pid: String,
    mk: String,
}

/// Starts the binary and reads its banner (base URL, project ID, management key).
fn spawn(dir: &Path) -> Spawned {
    let mut child = Command::new(env!("CARGO_BIN_EXE_descope-emulator"))
        .args(["--port", "0", "--quiet", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the emulator binary");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        // Keep draining so the child never writes to a closed pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let (mut base, mut pid, mut mk) = (String::new(), String::new(), String::new());
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("emulator banner");
        if let Some(v) = line.strip_prefix("base URL: ") {
            base = v.to_string();
        } else if let Some(v) = line.strip_prefix("project ID: ") {
            pid = v.to_string();
        } else if let Some(v) = line.strip_prefix("management key: ") {
            mk = v.to_string();
        } else if line == "ready" {
            break;
        }
    }
    Spawned {
        child,
        base,
        pid,
        mk,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_and_old_refresh_tokens_still_refresh() {
    let dir = temp_dir("kill9");
    let mut first = spawn(&dir);
    let c = Client::new(&first.base, &first.pid, &first.mk, None);
    assert_eq!(
        c.mgmt(
            "/v1/mgmt/tenant/create",
            json!({"name": "Durable", "id": "T-dur"})
        )
        .await
        .status,
        200
    );
    let u = c.mgmt("/v1/mgmt/user/create/test", json!({"loginId": "dur@example.com", "email": "dur@example.com", "userTenants": [{"tenantId": "T-dur", "roleNames": []}]})).await;
    assert_eq!(u.status, 200);
    let k = c
        .mgmt(
            "/v1/mgmt/accesskey/create",
            json!({"name": "dk", "keyTenants": [{"tenantId": "T-dur"}]}),
        )
        .await;
    let key_id = k.json["key"]["id"].as_str().unwrap().to_string();
    let secret = k.json["cleartext"].as_str().unwrap().to_string();
    let login = c.otp_login("dur@example.com").await;
    let rt = login["refreshJwt"].as_str().unwrap().to_string();
    // The last write, then kill -9 right after its response.
    let last = c
        .mgmt(
            "/v1/mgmt/user/update/name",
            json!({"loginId": "dur@example.com", "displayName": "Last Write"}),
        )
        .await;
    assert_eq!(last.status, 200);
    first.child.kill().expect("kill -9");
    let _ = first.child.wait();

    let mut second = spawn(&dir);
    assert_eq!(
        second.pid, first.pid,
        "the project ID is kept in the data dir"
    );
    assert_eq!(
        second.mk, first.mk,
        "the management key is kept in the data dir"
    );
    let c2 = Client::new(&second.base, &second.pid, &second.mk, None);
    let user = c2.mgmt_get("/v1/mgmt/user?loginId=dur@example.com").await;
    assert_eq!(user.status, 200, "{}", user.json);
    assert_eq!(user.json["user"]["name"], "Last Write");
    assert_eq!(user.json["user"]["userTenants"][0]["tenantId"], "T-dur");
    assert_eq!(c2.mgmt_get("/v1/mgmt/tenant?id=T-dur").await.status, 200);
    assert_eq!(
        c2.mgmt_get(&format!("/v1/mgmt/accesskey?id={key_id}"))
            .await
            .status,
        200
    );
    let r = c2.post("/v1/auth/refresh", Some(&rt), json!({})).await;
    assert_eq!(
        r.status, 200,
        "a refresh token issued before the crash still refreshes: {}",
        r.json
    );
    let x = c2
        .post(
            "/v1/auth/accesskey/exchange",
            Some(&secret),
            json!({"loginOptions": {}}),
        )
        .await;
    assert_eq!(x.status, 200, "the access key still exchanges");
    // Revocation is durable too.
    assert_eq!(
        c2.post("/v1/auth/logout", Some(&rt), json!({}))
            .await
            .status,
        200
    );
    second.child.kill().unwrap();
    let _ = second.child.wait();
    let mut third = spawn(&dir);
    let c3 = Client::new(&third.base, &third.pid, &third.mk, None);
    assert_descope_error(
        &c3.post("/v1/auth/refresh", Some(&rt), json!({})).await,
        401,
    );
    third.child.kill().unwrap();
    let _ = third.child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creations_lose_nothing_and_duplicates_get_exactly_one_success() {
    let dir = temp_dir("conc");
    let h = Emulator::builder().data_dir(&dir).start().await.unwrap();
    let c = Arc::new(Client::for_handle(&h));
    let mut tasks = Vec::new();
    for i in 0..100 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.mgmt(
                "/v1/mgmt/user/create",
                json!({"loginId": format!("user{i}@example.com")}),
            )
            .await
            .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    for i in 0..100 {
        let r = c
            .mgmt_get(&format!("/v1/mgmt/user?loginId=user{i}@example.com"))
            .await;
        assert_eq!(r.status, 200, "user{i} loads");
    }
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let r = c
                .mgmt(
                    "/v1/mgmt/user/create",
                    json!({"loginId": "same@example.com"}),
                )
                .await;
            (r.status, r.json)
        }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => ok += 1,
            409 => {
                assert!(body["errorCode"].is_string() && body["errorMessage"].is_string());
                conflicts += 1
            }
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 99));
    let s = c
        .mgmt("/v2/mgmt/user/search", json!({"limit": 1000, "page": 0}))
        .await;
    assert_eq!(s.json["users"].as_array().unwrap().len(), 101);
    h.shutdown().await;
    // And all of it was written to disk.
    let h2 = Emulator::builder().data_dir(&dir).start().await.unwrap();
    let c2 = Client::for_handle(&h2);
    let s = c2
        .mgmt("/v2/mgmt/user/search", json!({"limit": 1000, "page": 0}))
        .await;
    assert_eq!(s.json["users"].as_array().unwrap().len(), 101);
    h2.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn tls_certificate_is_kept_in_the_data_dir() {
    let dir = temp_dir("tls");
    let h = Emulator::builder()
        .data_dir(&dir)
        .tls(true)
        .start()
        .await
        .unwrap();
    let ca = h.ca_pem().unwrap().to_string();
    assert_eq!(std::fs::read_to_string(dir.join("tls-ca.pem")).unwrap(), ca);
    h.shutdown().await;
    let h2 = Emulator::builder()
        .data_dir(&dir)
        .tls(true)
        .start()
        .await
        .unwrap();
    assert_eq!(
        h2.ca_pem().unwrap(),
        ca,
        "the same CA on restart, so clients keep trusting it"
    );
    let c = Client::new(
        h2.base_url(),
        h2.project_id(),
        h2.management_key(),
        Some(&ca),
    );
    assert_eq!(
        c.call(
            http::Method::GET,
            &format!("/v2/keys/{}", h2.project_id()),
            None,
            None
        )
        .await
        .status,
        200
    );
    h2.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
