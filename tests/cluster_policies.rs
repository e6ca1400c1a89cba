//! Wire tests of the Cluster Policies API and policy families, and the typed policy
//! definition.

mod common;

use azure_databricks_sdk::PolicyDefinition;
use azure_databricks_sdk::models::{
    CreatePolicyRequest, ListPoliciesRequest, ListPolicyFamiliesRequest, PolicyRuleType,
    PolicySortColumn, PolicySortOrder,
};
use httpmock::prelude::*;
use serde_json::{Value, json};

const DEFINITION: &str = r#"{"spark_version":{"type":"fixed","value":"15.4.x-scala2.12","hidden":true},"instance_pool_id":{"type":"forbidden"},"node_type_id":{"type":"allowlist","values":["Standard_DS3_v2","Standard_DS4_v2"],"defaultValue":"Standard_DS3_v2"},"driver_node_type_id":{"type":"blocklist","values":["Standard_NC6"]},"custom_tags.team":{"type":"regex","pattern":"[a-z]+","isOptional":true},"autoscale.max_workers":{"type":"range","minValue":1,"maxValue":10,"defaultValue":4},"autotermination_minutes":{"type":"unlimited","defaultValue":60},"spark_conf.spark.x":{"type":"fixed","value":"1","newRuleField":[1]}}"#;

fn policy_json() -> Value {
    json!({
        "policy_id": "D6E8A12C34000F3B",
        "name": "small",
        "definition": DEFINITION,
        "description": "Small clusters",
        "creator_user_name": "admin@example.com",
        "created_at_timestamp": 1_726_664_901_234_i64,
        "is_default": false,
        "max_clusters_per_user": 2,
        "libraries": [{"pypi": {"package": "simplejson==3.8.0"}}, {"maven": {"coordinates": "org.jsoup:jsoup:1.7.2", "exclusions": ["slf4j:slf4j"]}}]
    })
}

#[test]
fn the_typed_definition_reads_every_rule_kind_and_writes_an_equal_document() {
    let definition = PolicyDefinition::parse(DEFINITION).unwrap();
    let kinds: Vec<&str> = definition
        .rules
        .values()
        .map(|r| r.type_.as_ref().unwrap().as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "fixed",
            "forbidden",
            "allowlist",
            "blocklist",
            "regex",
            "range",
            "unlimited",
            "fixed"
        ]
    );
    let range = &definition.rules["autoscale.max_workers"];
    assert_eq!((range.min_value, range.max_value), (Some(1.0), Some(10.0)));
    assert_eq!(range.default_value, Some(json!(4)));
    assert_eq!(definition.rules["spark_version"].hidden, Some(true));
    assert_eq!(definition.rules["custom_tags.team"].is_optional, Some(true));
    assert_eq!(
        definition.rules["node_type_id"].type_,
        Some(PolicyRuleType::Allowlist)
    );

    let text = definition.to_json_string().unwrap();
    let again: Value = serde_json::from_str(&text).unwrap();
    let original: Value = serde_json::from_str(DEFINITION).unwrap();
    // Equal as JSON (1 may come back as 1.0): compare after a round trip of the original.
    let normalized: Value = serde_json::from_str(
        &PolicyDefinition::parse(&text)
            .unwrap()
            .to_json_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(again, normalized);
    assert_eq!(
        again["spark_conf.spark.x"]["newRuleField"],
        json!([1]),
        "unknown fields kept"
    );
    assert_eq!(original.as_object().unwrap().keys().count(), 8);
    let keys: Vec<&String> = again.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 8);
    assert!(
        text.starts_with(r#"{"spark_version":"#),
        "order kept: {text}"
    );
    assert!(
        PolicyDefinition::parse("[1]")
            .unwrap_err()
            .to_string()
            .contains("definition")
    );
}

#[test]
fn create_posts_the_definition_as_a_string() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/policies/clusters/create",
            json!({"name": "small", "definition": DEFINITION, "max_clusters_per_user": 2}),
        );
        then.status(200)
            .json_body(json!({"policy_id": "D6E8A12C34000F3B"}));
    });
    let created = common::client(&server)
        .cluster_policies()
        .create(&CreatePolicyRequest {
            name: Some("small".into()),
            definition: Some(DEFINITION.into()),
            max_clusters_per_user: Some(2),
            ..Default::default()
        })
        .unwrap();
    mock.assert();
    assert_eq!(created.policy_id.as_deref(), Some("D6E8A12C34000F3B"));
}

#[test]
fn edit_and_delete_post_the_policy_id() {
    let server = MockServer::start();
    let edit = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/policies/clusters/edit",
            json!({"policy_id": "D6E8A12C34000F3B", "name": "small", "policy_family_id": "personal-vm",
                   "policy_family_definition_overrides": "{\"autotermination_minutes\":{\"type\":\"fixed\",\"value\":60}}"}),
        );
        then.status(200).json_body(json!({}));
    });
    let delete = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/policies/clusters/delete",
            json!({"policy_id": "D6E8A12C34000F3B"}),
        );
        then.status(200).json_body(json!({}));
    });
    let client = common::client(&server);
    client
        .cluster_policies()
        .edit(&CreatePolicyRequest {
            policy_id: Some("D6E8A12C34000F3B".into()),
            name: Some("small".into()),
            policy_family_id: Some("personal-vm".into()),
            policy_family_definition_overrides: Some(
                r#"{"autotermination_minutes":{"type":"fixed","value":60}}"#.into(),
            ),
            ..Default::default()
        })
        .unwrap();
    client
        .cluster_policies()
        .delete("D6E8A12C34000F3B")
        .unwrap();
    edit.assert();
    delete.assert();
    let err = client
        .cluster_policies()
        .edit(&CreatePolicyRequest {
            name: Some("small".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
}

#[test]
fn get_and_list_decode_policies_with_libraries() {
    let server = MockServer::start();
    let get = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/policies/clusters/get",
            &[("policy_id", "D6E8A12C34000F3B")],
        );
        then.status(200).json_body(policy_json());
    });
    let list = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/policies/clusters/list",
            &[("sort_column", "POLICY_NAME"), ("sort_order", "ASC")],
        );
        then.status(200)
            .json_body(json!({"policies": [policy_json()]}));
    });
    let client = common::client(&server);
    let policy = client.cluster_policies().get("D6E8A12C34000F3B").unwrap();
    assert_eq!(
        policy.libraries[0].pypi.as_ref().unwrap().package,
        "simplejson==3.8.0"
    );
    assert_eq!(
        policy.libraries[1].maven.as_ref().unwrap().exclusions,
        ["slf4j:slf4j"]
    );
    assert_eq!(PolicyDefinition::of(&policy).unwrap().rules.len(), 8);
    assert_eq!(serde_json::to_value(&policy).unwrap(), policy_json());
    let policies = client
        .cluster_policies()
        .list(&ListPoliciesRequest {
            sort_column: Some(PolicySortColumn::PolicyName),
            sort_order: Some(PolicySortOrder::Asc),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(policies.len(), 1);
    get.assert();
    list.assert();
}

#[test]
fn policy_families_get_and_list_by_page_token() {
    let server = MockServer::start();
    let family = |id: &str| json!({"policy_family_id": id, "name": id, "definition": "{}"});
    let get = server.mock(|when, then| {
        common::get(when, "/api/2.0/policy-families/personal-vm", &[]);
        then.status(200).json_body(family("personal-vm"));
    });
    let first = server.mock(|when, then| {
        common::get(when, "/api/2.0/policy-families", &[("max_results", "1")]);
        then.status(200)
            .json_body(json!({"policy_families": [family("a")], "next_page_token": "1"}));
    });
    let second = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/policy-families",
            &[("max_results", "1"), ("page_token", "1")],
        );
        then.status(200)
            .json_body(json!({"policy_families": [family("b")]}));
    });
    let client = common::client(&server);
    assert_eq!(
        client
            .policy_families()
            .get("personal-vm")
            .unwrap()
            .name
            .as_deref(),
        Some("personal-vm")
    );
    let all = client
        .policy_families()
        .list(&ListPolicyFamiliesRequest {
            max_results: Some(1),
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<&str> = all
        .iter()
        .filter_map(|f| f.policy_family_id.as_deref())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    get.assert();
    first.assert();
    second.assert();
}
