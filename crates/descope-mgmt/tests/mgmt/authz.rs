//! The older ReBAC API has no recorded conformance cases: its requests are checked here against
//! the wire format documented for the official SDK (`authz` module: every call is a POST; empty
//! optional names are left out; `delete_schema` and `load_schema` send no body).

use std::sync::Arc;

use descope_core::ConfigBuilder;
use descope_jwt::SessionValidator;
use descope_mgmt::authz::RelationQuery;
use descope_mgmt::Management;
use descope_transport::test_util::ScriptedTransport;
use descope_transport::ApiClient;
use serde_json::{json, Map, Value};

type Out = std::pin::Pin<Box<dyn std::future::Future<Output = Value> + Send>>;
type Call = Box<dyn Fn(Management) -> Out>;
/// (call, path, expected body (`Null`: no body), answer, expected result)
type AuthzCase = (Call, &'static str, Value, Value, Value);

fn mgmt(t: &ScriptedTransport) -> Management {
    let config = ConfigBuilder::default()
        .project_id("P2aAc4T2V93bddihGEx2Ryhc8e5Z")
        .management_key("K2-test-key")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let api = ApiClient::new(config, Arc::new(t.clone()));
    Management::new(api.clone(), SessionValidator::new(api).unwrap())
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

macro_rules! out {
    ($e:expr) => {
        Box::pin(async move { serde_json::to_value($e.await.unwrap()).unwrap() }) as Out
    };
}

#[tokio::test]
async fn authz_requests_match_the_documented_wire_format() {
    let relation = json!({"resource": "doc1", "relationDefinition": "owner", "namespace": "doc", "target": "u1"});
    let cases: Vec<AuthzCase> = vec![
        (
            Box::new(|m| {
                out!(m
                    .authz()
                    .save_schema(obj(json!({"name": "s1", "namespaces": []})), true))
            }),
            "/v1/mgmt/authz/schema/save",
            json!({"schema": {"name": "s1", "namespaces": []}, "upgrade": true}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(|m| out!(m.authz().delete_schema())),
            "/v1/mgmt/authz/schema/delete",
            Value::Null,
            json!({}),
            Value::Null,
        ),
        (
            Box::new(|m| out!(m.authz().load_schema())),
            "/v1/mgmt/authz/schema/load",
            Value::Null,
            json!({"schema": {"name": "s1"}}),
            json!({"name": "s1"}),
        ),
        (
            Box::new(|m| {
                out!(m
                    .authz()
                    .save_namespace(obj(json!({"name": "doc"})), None, Some("")))
            }),
            "/v1/mgmt/authz/ns/save",
            json!({"namespace": {"name": "doc"}}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(|m| {
                out!(m
                    .authz()
                    .save_namespace(obj(json!({"name": "doc"})), Some("old"), Some("v2")))
            }),
            "/v1/mgmt/authz/ns/save",
            json!({"namespace": {"name": "doc"}, "oldName": "old", "schemaName": "v2"}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(|m| out!(m.authz().delete_namespace("doc", Some("v2")))),
            "/v1/mgmt/authz/ns/delete",
            json!({"name": "doc", "schemaName": "v2"}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(|m| {
                out!(m.authz().save_relation_definition(
                    obj(json!({"name": "owner"})),
                    "doc",
                    Some("own"),
                    None
                ))
            }),
            "/v1/mgmt/authz/rd/save",
            json!({"relationDefinition": {"name": "owner"}, "namespace": "doc", "oldName": "own"}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(|m| out!(m.authz().delete_relation_definition("owner", "doc", None))),
            "/v1/mgmt/authz/rd/delete",
            json!({"name": "owner", "namespace": "doc"}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(move |m| {
                let r = obj(
                    json!({"resource": "doc1", "relationDefinition": "owner", "namespace": "doc", "target": "u1"}),
                );
                out!(m.authz().create_relations([r]))
            }),
            "/v1/mgmt/authz/re/create",
            json!({"relations": [relation.clone()]}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(move |m| {
                let r = obj(
                    json!({"resource": "doc1", "relationDefinition": "owner", "namespace": "doc", "target": "u1"}),
                );
                out!(m.authz().delete_relations([r]))
            }),
            "/v1/mgmt/authz/re/delete",
            json!({"relations": [relation.clone()]}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(|m| out!(m.authz().delete_relations_for_resources(["doc1", "doc2"]))),
            "/v1/mgmt/authz/re/deleteresources",
            json!({"resources": ["doc1", "doc2"]}),
            json!({}),
            Value::Null,
        ),
        (
            Box::new(|m| {
                out!(m
                    .authz()
                    .has_relations([RelationQuery::new("doc1", "owner", "doc", "u1")]))
            }),
            "/v1/mgmt/authz/re/has",
            json!({"relationQueries": [relation.clone()]}),
            json!({"relationQueries": [{"resource": "doc1", "relationDefinition": "owner", "namespace": "doc", "target": "u1", "hasRelation": true}]}),
            json!([{"resource": "doc1", "relationDefinition": "owner", "namespace": "doc", "target": "u1", "hasRelation": true}]),
        ),
        (
            Box::new(|m| out!(m.authz().who_can_access("doc1", "owner", "doc"))),
            "/v1/mgmt/authz/re/who",
            json!({"resource": "doc1", "relationDefinition": "owner", "namespace": "doc"}),
            json!({"targets": ["u1", "u2"]}),
            json!(["u1", "u2"]),
        ),
        (
            Box::new(|m| out!(m.authz().resource_relations("doc1"))),
            "/v1/mgmt/authz/re/resource",
            json!({"resource": "doc1"}),
            json!({"relations": [relation.clone()]}),
            json!([relation.clone()]),
        ),
        (
            Box::new(|m| out!(m.authz().targets_relations(["u1"]))),
            "/v1/mgmt/authz/re/targets",
            json!({"targets": ["u1"]}),
            json!({"relations": [relation.clone()]}),
            json!([relation.clone()]),
        ),
        (
            Box::new(|m| out!(m.authz().what_can_target_access("u1"))),
            "/v1/mgmt/authz/re/targetall",
            json!({"target": "u1"}),
            json!({"relations": []}),
            json!([]),
        ),
        (
            Box::new(|m| {
                out!(m
                    .authz()
                    .what_can_target_access_with_relation("u1", "owner", "doc"))
            }),
            "/v1/mgmt/authz/re/targetwithrelation",
            json!({"target": "u1", "relationDefinition": "owner", "namespace": "doc"}),
            json!({"relations": [relation.clone()]}),
            json!([relation.clone()]),
        ),
        (
            Box::new(|m| out!(m.authz().get_modified(1_700_000_000_000))),
            "/v1/mgmt/authz/getmodified",
            json!({"since": 1_700_000_000_000_i64}),
            json!({"resources": ["doc1"], "targets": ["u1"], "schemaChanged": false}),
            json!({"resources": ["doc1"], "targets": ["u1"], "schemaChanged": false}),
        ),
    ];
    assert_eq!(cases.len(), 18, "every authz call, one of them twice");
    for (call, path, body, answer, result) in cases {
        let t = ScriptedTransport::new();
        t.push_json(200, answer);
        let got = call(mgmt(&t)).await;
        let sent = t.requests();
        assert_eq!(sent.len(), 1, "{path}");
        assert_eq!(sent[0].method, http::Method::POST, "{path}");
        assert!(sent[0].url.ends_with(path), "{} != {path}", sent[0].url);
        assert_eq!(
            sent[0].headers["authorization"],
            "Bearer P2aAc4T2V93bddihGEx2Ryhc8e5Z:K2-test-key"
        );
        let sent_body = if sent[0].body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&sent[0].body).unwrap()
        };
        assert_eq!(sent_body, body, "{path}");
        assert_eq!(got, result, "{path}");
    }
}
