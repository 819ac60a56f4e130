//! FGA: the README's file-system schema answers the way its comments say.

use descope::descope_mgmt::fga::Relation;

use crate::support::*;

/// The schema of the official SDK's README ("Manage FGA").
pub const README_SCHEMA: &str = "model AuthZ 1.0

type user

type org
  relation member: user
  relation parent: org

type folder
  relation parent: folder
  relation owner: user | org#member
  relation editor: user 
  relation viewer: user 

  permission can_create: owner | parent.owner
  permission can_edit: editor | can_create
  permission can_view: viewer | can_edit

type doc
  relation parent: folder
  relation owner: user | org#member
  relation editor: user 
  relation viewer: user 

  permission can_create: owner | parent.owner
  permission can_edit: editor | can_create
  permission can_view: viewer | can_edit
";

fn r(ty: &str, res: &str, rel: &str, tt: &str, target: &str) -> Relation {
    Relation::new(res, ty, rel, target, tt)
}

#[tokio::test]
async fn readme_schema_owner_of_a_folder_views_its_docs_and_a_viewer_cannot_edit() {
    let env = start().await;
    let fga = env.client.mgmt().fga();
    refused(
        fga.create_relations([r("doc", "d1", "owner", "user", "u1")])
            .await,
        400,
        BAD_REQUEST,
    );
    fga.save_schema(README_SCHEMA).await.unwrap();
    fga.create_relations([
        r("folder", "projects", "owner", "user", "ann"),
        r("folder", "plans", "parent", "folder", "projects"),
        r("doc", "roadmap", "parent", "folder", "plans"),
        r("doc", "roadmap", "viewer", "user", "vic"),
        r("doc", "budget", "owner", "org#member", "acme"),
        r("org", "acme", "member", "user", "bob"),
        r("doc", "some-doc", "owner", "user", "u1"),
    ])
    .await
    .unwrap();
    // Writing a permission, or a target type the relation does not take, is refused.
    refused(
        fga.create_relations([r("doc", "roadmap", "can_view", "user", "x")])
            .await,
        400,
        BAD_REQUEST,
    );
    let cases = [
        // The README's own example: an owner is an owner (and can view).
        (r("doc", "some-doc", "owner", "user", "u1"), true),
        (r("doc", "some-doc", "can_view", "user", "u1"), true),
        // Owner of a folder can view a doc in it (parent.owner, through two folders).
        (r("folder", "plans", "can_create", "user", "ann"), true),
        (r("doc", "roadmap", "can_view", "user", "ann"), false),
        // A viewer can view but cannot edit.
        (r("doc", "roadmap", "can_view", "user", "vic"), true),
        (r("doc", "roadmap", "can_edit", "user", "vic"), false),
        // Members of an owning org (org#member) own the doc.
        (r("doc", "budget", "owner", "user", "bob"), true),
        (r("doc", "budget", "can_edit", "user", "bob"), true),
        (r("doc", "budget", "can_view", "user", "ann"), false),
    ];
    let out = fga
        .check(cases.iter().map(|(t, _)| t.clone()))
        .await
        .unwrap();
    assert_eq!(out.len(), cases.len());
    for ((want_rel, want), got) in cases.iter().zip(&out) {
        assert_eq!(&got.relation, want_rel);
        assert_eq!(got.allowed, *want, "check {want_rel:?}");
    }
    // `parent.owner` goes one level up: the owner of the doc's own folder can view it.
    fga.create_relations([r("folder", "plans", "owner", "user", "ann")])
        .await
        .unwrap();
    let out = fga
        .check([
            r("doc", "roadmap", "can_view", "user", "ann"),
            r("doc", "roadmap", "can_edit", "user", "ann"),
        ])
        .await
        .unwrap();
    assert!(out[0].allowed && out[1].allowed);
    // Deleting the relation takes the right away again.
    fga.delete_relations([r("folder", "plans", "owner", "user", "ann")])
        .await
        .unwrap();
    let out = fga
        .check([r("doc", "roadmap", "can_view", "user", "ann")])
        .await
        .unwrap();
    assert!(!out[0].allowed);
}

#[tokio::test]
async fn the_older_authz_api_answers_from_its_schema_and_relations() {
    use descope::descope_mgmt::authz::RelationQuery;
    use serde_json::{json, Map, Value};

    let env = start().await;
    let authz = env.client.mgmt().authz();
    let obj = |v: Value| -> Map<String, Value> { v.as_object().unwrap().clone() };
    let schema = obj(json!({"name": "Files", "namespaces": [
        {"name": "folder", "relationDefinitions": [
            {"name": "parent"},
            {"name": "owner", "complexDefinition": {"nType": "union", "children": [
                {"nType": "child", "expression": {"neType": "self"}},
                {"nType": "child", "expression": {"neType": "relationRight",
                    "relationDefinition": "parent", "relationDefinitionNamespace": "folder",
                    "targetRelationDefinition": "owner", "targetRelationDefinitionNamespace": "folder"}},
            ]}},
        ]},
    ]}));
    authz.save_schema(schema.clone(), false).await.unwrap();
    assert_eq!(authz.load_schema().await.unwrap(), schema);
    let rel = |res: &str, rd: &str, target: &str| {
        obj(
            json!({"resource": res, "relationDefinition": rd, "namespace": "folder", "target": target}),
        )
    };
    authz
        .create_relations([rel("root", "owner", "ann"), rel("docs", "parent", "root")])
        .await
        .unwrap();
    let answers = authz
        .has_relations([
            RelationQuery::new("docs", "owner", "folder", "ann"),
            RelationQuery::new("docs", "owner", "folder", "bob"),
        ])
        .await
        .unwrap();
    assert!(
        answers[0].has_relation,
        "the owner of the parent owns the child"
    );
    assert!(!answers[1].has_relation);
    assert_eq!(
        authz
            .who_can_access("docs", "owner", "folder")
            .await
            .unwrap(),
        ["ann"]
    );
    assert_eq!(authz.resource_relations("docs").await.unwrap().len(), 1);
    let modified = authz.get_modified(0).await.unwrap();
    assert!(modified.schema_changed);
    assert!(modified.resources.contains(&"docs".to_string()));
    authz
        .delete_relations([rel("docs", "parent", "root")])
        .await
        .unwrap();
    let answers = authz
        .has_relations([RelationQuery::new("docs", "owner", "folder", "ann")])
        .await
        .unwrap();
    assert!(!answers[0].has_relation);
    authz.delete_schema().await.unwrap();
    refused(authz.load_schema().await, 404, NOT_FOUND);
}
