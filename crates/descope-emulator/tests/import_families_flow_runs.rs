//! HTTP-level tests of user import, family associations and flow runs (sync and async),
//! including that their state is written through to the data dir.

mod common;

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use descope_emulator::Emulator;
use serde_json::{json, Value};

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

async fn ok(c: &Client, path: &str, body: Value) -> Value {
    let r = c.mgmt(path, body).await;
    assert_eq!(r.status, 200, "{path}: {}", r.json);
    r.json
}

async fn load(c: &Client, login_id: &str) -> Resp {
    c.mgmt_get(&format!("/v1/mgmt/user?loginId={login_id}"))
        .await
}

fn b64(v: &Value) -> String {
    STANDARD.encode(v.to_string())
}

async fn password_signin(c: &Client, login_id: &str, password: &str) -> u16 {
    c.post(
        "/v1/auth/password/signin",
        None,
        json!({"loginId": login_id, "password": password}),
    )
    .await
    .status
}

#[tokio::test]
async fn import_creates_users_and_reports_each_failure() {
    let (_h, c) = start_default().await;
    ok(&c, "/v1/mgmt/role/create", json!({"name": "editor"})).await;
    ok(
        &c,
        "/v1/mgmt/user/create",
        json!({"loginId": "taken@example.com"}),
    )
    .await;
    let users = json!([
        {"email": "ann@example.com", "name": "Ann", "roleNames": ["editor"], "verifiedEmail": true},
        {"loginIds": ["bob", "bob@example.com"], "email": "bob@example.com"},
        {"loginId": "taken@example.com"},
        {"loginId": "ghost-role@example.com", "roleNames": ["ghost"]},
        {"name": "no login ID"},
        {"loginId": "bob"},
    ]);
    let r = ok(
        &c,
        "/v1/mgmt/user/import",
        json!({"source": "auth0", "dryrun": false, "users": b64(&users)}),
    )
    .await;
    let created: Vec<&str> = r["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["loginIds"][0].as_str().unwrap())
        .collect();
    assert_eq!(created, ["ann@example.com", "bob"]);
    let failed: Vec<&str> = r["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["user"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        ["taken@example.com", "ghost-role@example.com", "", "bob"]
    );
    for f in r["failures"].as_array().unwrap() {
        assert!(!f["reason"].as_str().unwrap().is_empty(), "{f}");
    }
    // The created users are stored, with what the file gave; imported without hashes they
    // have no password.
    let ann = load(&c, "ann@example.com").await;
    assert_eq!(ann.status, 200, "{}", ann.json);
    assert_eq!(ann.json["user"]["name"], "Ann");
    assert_eq!(ann.json["user"]["roleNames"], json!(["editor"]));
    assert_eq!(ann.json["user"]["verifiedEmail"], true);
    assert_eq!(ann.json["user"]["password"], false);
    let bob = load(&c, "bob@example.com").await;
    assert_eq!(
        bob.json["user"]["loginIds"],
        json!(["bob", "bob@example.com"])
    );
    assert_descope_error(&load(&c, "ghost-role@example.com").await, 404);

    // A dry run checks the same way but stores nothing.
    let r = ok(
        &c,
        "/v1/mgmt/user/import",
        json!({"source": "firebase", "dryrun": true,
            "users": b64(&json!([{"email": "dry@example.com"}, {"email": "ann@example.com"}]))}),
    )
    .await;
    assert_eq!(r["users"][0]["loginIds"], json!(["dry@example.com"]));
    assert_eq!(r["failures"][0]["user"], "ann@example.com");
    assert_descope_error(&load(&c, "dry@example.com").await, 404);

    // A file that is not base64 JSON, and a missing source, are refused.
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/user/import",
            json!({"source": "auth0", "users": STANDARD.encode("not json")}),
        )
        .await,
        400,
    );
    assert_descope_error(
        &c.mgmt("/v1/mgmt/user/import", json!({"users": b64(&users)}))
            .await,
        400,
    );
}

#[tokio::test]
async fn imported_password_hashes_from_a_project_export_sign_in() {
    let (_h, source) = start_default().await;
    ok(
        &source,
        "/v1/mgmt/user/create",
        json!({"loginId": "pw@example.com", "email": "pw@example.com", "password": "Passw0rdOk"}),
    )
    .await;
    let files = ok(&source, "/v1/mgmt/project/export", json!({})).await;
    let exported = files["files"]["users.json"].clone();
    let hash = exported[0]["passwordHash"].as_str().unwrap().to_string();

    let (_h2, c) = start_default().await;
    // The hash carried on the user (the export's own shape).
    let r = ok(
        &c,
        "/v1/mgmt/user/import",
        json!({"source": "descope", "users": b64(&exported)}),
    )
    .await;
    assert_eq!(r["failures"], json!([]));
    assert_eq!(r["users"][0]["password"], true);
    assert_eq!(
        password_signin(&c, "pw@example.com", "Passw0rdOk").await,
        200
    );
    assert_eq!(
        password_signin(&c, "pw@example.com", "Wr0ngPassword").await,
        401
    );

    // The hash in the separate hashes file, keyed by login ID; a hash the emulator cannot
    // check is a failure for that user only.
    let r = ok(
        &c,
        "/v1/mgmt/user/import",
        json!({"source": "auth0",
            "users": b64(&json!([{"email": "h1@example.com"}, {"email": "h2@example.com"}])),
            "hashes": b64(&json!({"h1@example.com": hash, "h2@example.com": "$2b$10$bcrypt"}))}),
    )
    .await;
    assert_eq!(r["users"][0]["loginIds"], json!(["h1@example.com"]));
    assert_eq!(r["failures"][0]["user"], "h2@example.com");
    assert!(r["failures"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("pbkdf2-sha256"));
    assert_eq!(
        password_signin(&c, "h1@example.com", "Passw0rdOk").await,
        200
    );
    assert_descope_error(&load(&c, "h2@example.com").await, 404);
}

#[tokio::test]
async fn families_added_and_removed_show_on_load() {
    let (_h, c) = start_default().await;
    ok(
        &c,
        "/v1/mgmt/user/create",
        json!({"loginId": "kid@example.com"}),
    )
    .await;
    let r = ok(
        &c,
        "/v1/mgmt/user/update/family/add",
        json!({"loginId": "kid@example.com", "familyAssociations": [
            {"familyId": "fam1", "roleNames": ["parent"], "familyScopedAttributes": {"k": "v"}},
            {"familyId": "fam2"}]}),
    )
    .await;
    assert_eq!(r["user"]["familyAssociations"][1]["familyId"], "fam2");
    // Adding a family again merges: roles granted on top, scoped attributes merged, an omitted
    // field left as it was.
    ok(
        &c,
        "/v1/mgmt/user/update/family/add",
        json!({"loginId": "kid@example.com", "familyAssociations": [
            {"familyId": "fam1", "roleNames": ["guardian", "parent"], "familyScopedAttributes": {"j": 2}},
            {"familyId": "fam2", "roleNames": ["child"]}]}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/user/update/family/add",
        json!({"loginId": "kid@example.com", "familyAssociations": [{"familyId": "fam2"}]}),
    )
    .await;
    let u = load(&c, "kid@example.com").await.json;
    assert_eq!(
        u["user"]["familyAssociations"],
        json!([
            {"familyId": "fam1", "roleNames": ["parent", "guardian"],
                "familyScopedAttributes": {"k": "v", "j": 2}},
            {"familyId": "fam2", "roleNames": ["child"]}
        ])
    );
    let r = ok(
        &c,
        "/v1/mgmt/user/update/family/remove",
        json!({"loginId": "kid@example.com", "familyIds": ["fam1"]}),
    )
    .await;
    assert_eq!(
        r["user"]["familyAssociations"],
        json!([{"familyId": "fam2", "roleNames": ["child"]}])
    );
    let u = load(&c, "kid@example.com").await.json;
    assert_eq!(
        u["user"]["familyAssociations"],
        r["user"]["familyAssociations"]
    );
    // Errors: an unknown user, an association without familyId, nothing to remove.
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/user/update/family/add",
            json!({"loginId": "nobody@example.com", "familyAssociations": [{"familyId": "f"}]}),
        )
        .await,
        404,
    );
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/user/update/family/add",
            json!({"loginId": "kid@example.com", "familyAssociations": [{"roleNames": ["x"]}]}),
        )
        .await,
        400,
    );
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/user/update/family/remove",
            json!({"loginId": "kid@example.com", "familyIds": []}),
        )
        .await,
        400,
    );
}

#[tokio::test]
async fn flow_runs_echo_the_input_for_stored_flows_and_404_otherwise() {
    let (_h, c) = start_default().await;
    ok(
        &c,
        "/v1/mgmt/tenant/create",
        json!({"name": "T", "id": "t1"}),
    )
    .await;
    assert_descope_error(
        &c.mgmt("/v1/mgmt/flow/run", json!({"flowId": "sign-up-or-in"}))
            .await,
        404,
    );
    ok(
        &c,
        "/v1/mgmt/flow/import",
        json!({"flowId": "sign-up-or-in", "flow": {"name": "S"}, "screens": []}),
    )
    .await;
    let r = ok(
        &c,
        "/v1/mgmt/flow/run",
        json!({"flowId": "sign-up-or-in", "input": {"a": 1}, "preview": true, "tenant": "t1"}),
    )
    .await;
    assert_eq!(
        r,
        json!({"status": "completed", "output":
            {"flowId": "sign-up-or-in", "input": {"a": 1}, "tenant": "t1", "preview": true}})
    );
    let r = ok(&c, "/v1/mgmt/flow/run", json!({"flowId": "sign-up-or-in"})).await;
    assert_eq!(r["output"]["input"], json!({}));
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/flow/run",
            json!({"flowId": "sign-up-or-in", "tenant": "nope"}),
        )
        .await,
        400,
    );
    // A disabled flow does not run.
    ok(
        &c,
        "/v1/mgmt/flow/import",
        json!({"flowId": "off", "flow": {"name": "Off", "disabled": true}, "screens": []}),
    )
    .await;
    assert_descope_error(
        &c.mgmt("/v1/mgmt/flow/run", json!({"flowId": "off"})).await,
        400,
    );
}

#[tokio::test]
async fn async_runs_give_an_execution_id_whose_result_survives_a_restart() {
    let dir = temp_dir("flowexec");
    let h = Emulator::builder().data_dir(&dir).start().await.unwrap();
    let c = Client::for_handle(&h);
    assert_descope_error(
        &c.mgmt("/v1/mgmt/flow/async/run", json!({"flowId": "missing"}))
            .await,
        404,
    );
    ok(
        &c,
        "/v1/mgmt/flow/import",
        json!({"flowId": "f1", "flow": {"name": "F"}, "screens": []}),
    )
    .await;
    let first = ok(
        &c,
        "/v1/mgmt/flow/async/run",
        json!({"flowId": "f1", "input": {"k": "v"}}),
    )
    .await;
    let second = ok(&c, "/v1/mgmt/flow/async/run", json!({"flowId": "f1"})).await;
    let id = first["executionId"].as_str().unwrap().to_string();
    assert!(!id.is_empty());
    assert_ne!(first["executionId"], second["executionId"]);
    let expected = json!({"executionId": id, "flowId": "f1", "status": "completed",
        "output": {"flowId": "f1", "input": {"k": "v"}, "tenant": "", "preview": false}});
    assert_eq!(
        ok(&c, "/v1/mgmt/flow/async/result", json!({"executionId": id})).await,
        expected
    );
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/flow/async/result",
            json!({"executionId": "EXnope"}),
        )
        .await,
        404,
    );
    // Executions and family associations are written to the data dir.
    ok(
        &c,
        "/v1/mgmt/user/import",
        json!({"source": "auth0", "users": b64(&json!([{"email": "fam@example.com",
            "familyAssociations": [{"familyId": "fam9"}]}]))}),
    )
    .await;
    h.shutdown().await;
    let h2 = Emulator::builder().data_dir(&dir).start().await.unwrap();
    let c2 = Client::for_handle(&h2);
    assert_eq!(
        ok(
            &c2,
            "/v1/mgmt/flow/async/result",
            json!({"executionId": id})
        )
        .await,
        expected
    );
    assert_eq!(
        load(&c2, "fam@example.com").await.json["user"]["familyAssociations"],
        json!([{"familyId": "fam9"}])
    );
    h2.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
