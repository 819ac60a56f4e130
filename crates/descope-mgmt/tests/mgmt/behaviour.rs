//! Behaviour of the management API beyond the wire format: the management-key guard, secrets
//! kept out of `Debug`, errors, and paged user searches as a stream.

use std::sync::Arc;

use descope_core::{ConfigBuilder, RetryPolicy};
use descope_jwt::SessionValidator;
use descope_mgmt::{BatchUser, Management, PasswordHash, UserPassword};
use descope_transport::test_util::ScriptedTransport;
use descope_transport::ApiClient;
use futures_util::StreamExt;
use serde_json::{json, Value};

fn mgmt_with(transport: &ScriptedTransport, key: Option<&str>) -> Management {
    let mut b = ConfigBuilder::default()
        .project_id("P2aAc4T2V93bddihGEx2Ryhc8e5Z")
        .base_url("http://127.0.0.1:9")
        .retry_policy(RetryPolicy::never());
    if let Some(k) = key {
        b = b.management_key(k);
    }
    let api = ApiClient::new(b.build().expect("config"), Arc::new(transport.clone()));
    let validator = SessionValidator::new(api.clone()).expect("validator");
    Management::new(api, validator)
}

fn mgmt(transport: &ScriptedTransport) -> Management {
    mgmt_with(transport, Some("K2-test-key"))
}

fn user(n: usize) -> Value {
    json!({"userId": format!("U{n}"), "loginIds": [format!("user{n}@x.com")]})
}

fn sent_bodies(t: &ScriptedTransport) -> Vec<Value> {
    t.requests()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

#[tokio::test]
async fn management_calls_without_a_management_key_fail_before_sending() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({}));
    let m = mgmt_with(&t, None);
    let err = m.tenant().load("t1").await.unwrap_err();
    assert!(err.is_config(), "{err}");
    assert!(err.to_string().contains("DESCOPE_MANAGEMENT_KEY"), "{err}");
    assert_eq!(t.request_count(), 0);
}

#[tokio::test]
async fn access_key_cleartext_is_returned_once_as_a_secret_hidden_from_debug() {
    let t = ScriptedTransport::new();
    t.push_json(
        200,
        json!({"key": {"id": "K1", "name": "ci"}, "cleartext": "very-secret-key"}),
    );
    let created = mgmt(&t).access_key().create("ci").await.unwrap();
    assert_eq!(created.key.id, "K1");
    assert_eq!(created.cleartext.expose(), "very-secret-key");
    let shown = format!("{created:?}");
    assert!(!shown.contains("very-secret-key"), "{shown}");
}

#[test]
fn passwords_hashes_and_seeds_never_show_in_debug() {
    let t = ScriptedTransport::new();
    let m = mgmt(&t);
    let req = m.user().set_active_password("u1", "hunter2-password");
    assert!(!format!("{req:?}").contains("hunter2"));
    let u = BatchUser::new("u1")
        .password(UserPassword::cleartext("hunter2-password"))
        .seed("TOTPSEEDVALUE");
    let shown = format!("{u:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("TOTPSEEDVALUE"),
        "{shown}"
    );
    let h = PasswordHash::Bcrypt {
        hash: "$2a$10$secrethash".into(),
    };
    assert!(!format!("{h:?}").contains("secrethash"));
    let batch = m.user().invite_batch([u]);
    assert!(!format!("{batch:?}").contains("hunter2"));
}

#[tokio::test]
async fn an_api_error_is_returned_with_its_status_and_code() {
    let t = ScriptedTransport::new();
    t.push_json(
        400,
        json!({"errorCode": "E011002", "errorDescription": "Request is invalid"}),
    );
    let err = mgmt(&t).user().load("nobody").await.unwrap_err();
    assert!(err.is_api());
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("E011002"));
}

#[tokio::test]
async fn user_pages_stream_until_a_page_shorter_than_the_limit() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({"users": [user(1), user(2)]}));
    t.push_json(200, json!({"users": [user(3)]}));
    t.push_json(200, json!({"users": [user(4)]})); // must never be asked for
    let pages: Vec<_> = mgmt(&t)
        .user()
        .search_all()
        .limit(2)
        .pages()
        .collect()
        .await;
    let ids: Vec<Vec<String>> = pages
        .into_iter()
        .map(|p| p.unwrap().into_iter().map(|u| u.user_id).collect())
        .collect();
    assert_eq!(ids, vec![vec!["U1", "U2"], vec!["U3"]]);
    let pages_asked: Vec<Value> = sent_bodies(&t).iter().map(|b| b["page"].clone()).collect();
    assert_eq!(pages_asked, vec![json!(0), json!(1)]);
}

#[tokio::test]
async fn user_pages_stop_at_the_total_or_at_an_empty_page() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({"users": [user(1), user(2)], "total": 2}));
    t.push_json(200, json!({"users": [user(3)]}));
    let pages: Vec<_> = mgmt(&t)
        .user()
        .search_all_test_users()
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 1, "the total was reached on the first page");
    assert_eq!(t.request_count(), 1);

    let t = ScriptedTransport::new();
    t.push_json(200, json!({"users": [user(1)]}));
    t.push_json(200, json!({"users": []}));
    let pages: Vec<_> = mgmt(&t).user().search_all().page(3).pages().collect().await;
    assert_eq!(
        pages.len(),
        1,
        "an empty page ends the stream without an item"
    );
    let pages_asked: Vec<Value> = sent_bodies(&t).iter().map(|b| b["page"].clone()).collect();
    assert_eq!(pages_asked, vec![json!(3), json!(4)]);
}

#[tokio::test]
async fn a_failed_page_is_yielded_and_ends_the_stream() {
    let t = ScriptedTransport::new();
    t.push_json(500, json!({"errorCode": "E000000"}));
    let mut pages = mgmt(&t).user().search_all().limit(10).pages();
    assert!(pages.next().await.unwrap().is_err());
    assert!(pages.next().await.is_none());
    assert_eq!(t.request_count(), 1);
}

#[tokio::test]
async fn a_refused_search_sends_nothing_even_as_a_stream() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({"users": []}));
    let mut pages = mgmt(&t).user().search_all().limit(-5).pages();
    let err = pages.next().await.unwrap().unwrap_err();
    assert!(err.is_invalid_argument());
    assert_eq!(t.request_count(), 0);
}

#[tokio::test]
async fn unknown_response_fields_stay_reachable() {
    let t = ScriptedTransport::new();
    t.push_json(
        200,
        json!({"id": "T1", "name": "Acme", "brandNewField": {"x": 1}}),
    );
    let tenant = mgmt(&t).tenant().load("T1").await.unwrap();
    assert_eq!(tenant.name, "Acme");
    assert_eq!(tenant.extra["brandNewField"], json!({"x": 1}));
}

#[tokio::test]
async fn sso_client_secrets_never_show_in_debug() {
    let mut settings = descope_mgmt::sso::SsoOidcSettings::new("idp", "client-1");
    settings.client_secret = Some("oidc-client-secret".into());
    assert!(!format!("{settings:?}").contains("oidc-client-secret"));

    let t = ScriptedTransport::new();
    t.push_json(
        200,
        json!({"tenant": {"id": "T1"}, "oidc": {"clientId": "c", "clientSecret": "oidc-client-secret"}}),
    );
    let loaded = mgmt(&t).sso().load_settings("T1").await.unwrap();
    assert_eq!(loaded.oidc["clientSecret"], "oidc-client-secret");
    assert!(!format!("{loaded:?}").contains("oidc-client-secret"));
}

#[tokio::test]
async fn next_page_walks_the_same_pages_as_the_stream() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({"users": [user(1)], "total": 2}));
    t.push_json(200, json!({"users": [user(2)], "total": 2}));
    let mut pages = mgmt(&t).user().search_all().pages();
    let mut seen = Vec::new();
    while let Some(page) = pages.next_page().await {
        seen.extend(page.unwrap().into_iter().map(|u| u.user_id));
    }
    assert_eq!(seen, vec!["U1", "U2"]);
    assert_eq!(t.request_count(), 2);
}

#[tokio::test]
async fn a_project_export_shows_only_file_names_in_debug_and_imports_back_unchanged() {
    let t = ScriptedTransport::new();
    t.push_json(
        200,
        json!({"files": {"connectors/smtp.json": {"password": "smtp-password"}}}),
    );
    t.push_json(200, json!({}));
    let project = mgmt(&t).project();
    let files = project.export_project().await.unwrap();
    let shown = format!("{files:?}");
    assert!(shown.contains("connectors/smtp.json") && !shown.contains("smtp-password"));
    project.import_project(files).await.unwrap();
    let bodies = sent_bodies(&t);
    assert_eq!(
        bodies[1],
        json!({"files": {"connectors/smtp.json": {"password": "smtp-password"}}})
    );
}

#[tokio::test]
async fn tenant_and_audit_searches_stream_their_single_page() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({"tenants": [{"id": "T1"}, {"id": "T2"}]}));
    let pages: Vec<_> = mgmt(&t)
        .tenant()
        .search_all()
        .names(["Acme"])
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    let ids: Vec<String> = pages[0]
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| t.id.clone())
        .collect();
    assert_eq!(ids, vec!["T1", "T2"]);
    assert_eq!(t.request_count(), 1);

    let t = ScriptedTransport::new();
    t.push_json(200, json!({"audits": [{"action": "LoginSucceed", "occurred": "1700000000000", "externalIds": ["a@x.com"]}]}));
    let mut pages = mgmt(&t).audit().search().actions(["LoginSucceed"]).pages();
    let page = pages.next_page().await.unwrap().unwrap();
    assert_eq!(page[0].occurred, 1_700_000_000_000);
    assert_eq!(page[0].login_ids, vec!["a@x.com"]);
    assert!(pages.next_page().await.is_none());
    assert_eq!(t.request_count(), 1);
}
