//! Cluster policies against the workspace emulator: admins manage them, a non-admin user with
//! `CAN_USE` creates and edits clusters under one, refused naming the broken attribute, with
//! the policy's defaults filled in when asked.

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::models::{
    AccessControlRequest, AutoScale, ClusterAttributes, CreatePolicyRequest, ListPoliciesRequest,
    ListPolicyFamiliesRequest, PermissionLevel, PermissionObjectType, SetObjectPermissions,
};
use azure_databricks_sdk::{Client, Error, PolicyDefinition};

const SMALL: &str = r#"{
  "spark_version": {"type": "fixed", "value": "15.4.x-scala2.12"},
  "node_type_id": {"type": "allowlist", "values": ["Standard_DS3_v2", "Standard_DS4_v2"], "defaultValue": "Standard_DS3_v2"},
  "autoscale.max_workers": {"type": "range", "maxValue": 4, "defaultValue": 2},
  "autoscale.min_workers": {"type": "fixed", "value": 1},
  "instance_pool_id": {"type": "forbidden"},
  "custom_tags.team": {"type": "regex", "pattern": "[a-z-]+", "isOptional": true},
  "autotermination_minutes": {"type": "range", "maxValue": 120, "defaultValue": 60}
}"#;

fn small_policy(admin: &Client) -> String {
    admin
        .cluster_policies()
        .create(&CreatePolicyRequest {
            name: Some("small".into()),
            definition: Some(SMALL.into()),
            ..Default::default()
        })
        .unwrap()
        .policy_id
        .unwrap()
}

fn grant_use(admin: &Client, policy: &str, user: &str) {
    admin
        .permissions()
        .update(
            PermissionObjectType::ClusterPolicies,
            policy,
            &SetObjectPermissions {
                access_control_list: vec![AccessControlRequest {
                    user_name: Some(user.into()),
                    permission_level: Some(PermissionLevel::CanUse),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
}

fn under(policy: &str) -> ClusterAttributes {
    ClusterAttributes {
        cluster_name: Some("governed".into()),
        // The SDK needs a runtime; the policy fixes the same one.
        spark_version: "15.4.x-scala2.12".into(),
        policy_id: Some(policy.into()),
        apply_policy_default_values: Some(true),
        ..Default::default()
    }
}

fn refused(result: Result<impl std::fmt::Debug, Error>, attribute: &str) {
    let err = result.expect_err("the policy refuses it");
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("Validation failed for {attribute},")),
        "{attribute}: {err}"
    );
}

#[test]
fn a_user_with_can_use_gets_defaults_and_is_refused_naming_the_broken_attribute() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let policy = small_policy(&admin);
    let alice = ws.client_as(&ws.add_user("alice@example.com"));

    // Without CAN_USE the policy cannot be used, and it is not listed.
    let err = alice.clusters().create(&under(&policy)).unwrap_err();
    assert_eq!(err.error_code(), Some("PERMISSION_DENIED"));
    assert!(
        alice
            .cluster_policies()
            .list(&ListPoliciesRequest::default())
            .unwrap()
            .is_empty()
    );
    grant_use(&admin, &policy, "alice@example.com");
    assert_eq!(
        alice
            .cluster_policies()
            .list(&ListPoliciesRequest::default())
            .unwrap()
            .len(),
        1
    );

    // Defaults and fixed values fill in what the user left out.
    let id = alice.clusters().create(&under(&policy)).unwrap().cluster_id;
    let cluster = alice.clusters().get(&id).unwrap();
    assert_eq!(cluster.spark_version.as_deref(), Some("15.4.x-scala2.12"));
    assert_eq!(cluster.node_type_id.as_deref(), Some("Standard_DS3_v2"));
    let autoscale = cluster.autoscale.clone().unwrap();
    assert_eq!(
        (autoscale.min_workers, autoscale.max_workers),
        (Some(1), Some(2))
    );
    assert_eq!(cluster.autotermination_minutes, Some(60));
    assert_eq!(cluster.policy_id.as_deref(), Some(policy.as_str()));

    let too_big = ClusterAttributes {
        autoscale: Some(AutoScale {
            min_workers: Some(1),
            max_workers: Some(8),
            ..Default::default()
        }),
        ..under(&policy)
    };
    refused(alice.clusters().create(&too_big), "autoscale.max_workers");
    refused(
        alice.clusters().create(&ClusterAttributes {
            node_type_id: Some("Standard_E8s_v3".into()),
            ..under(&policy)
        }),
        "node_type_id",
    );
    refused(
        alice.clusters().create(&ClusterAttributes {
            spark_version: "14.3.x-scala2.12".into(),
            ..under(&policy)
        }),
        "spark_version",
    );
    refused(
        alice.clusters().create(&ClusterAttributes {
            instance_pool_id: Some("0101-120000-pool".into()),
            ..under(&policy)
        }),
        "instance_pool_id",
    );
    refused(
        alice.clusters().create(&ClusterAttributes {
            custom_tags: [("team".to_string(), "Data Eng".to_string())]
                .into_iter()
                .collect(),
            ..under(&policy)
        }),
        "custom_tags.team",
    );
    // Without apply_policy_default_values a required attribute must be given.
    refused(
        alice.clusters().create(&ClusterAttributes {
            apply_policy_default_values: None,
            ..under(&policy)
        }),
        "node_type_id",
    );

    // Edit is checked too: the cluster's own settings breaking the policy are refused.
    ws.advance(std::time::Duration::from_secs(600));
    let mut edit = ClusterAttributes::from(cluster.spec.clone().unwrap_or_default());
    edit.cluster_id = Some(id.clone());
    edit.autoscale = Some(AutoScale {
        min_workers: Some(1),
        max_workers: Some(10),
        ..Default::default()
    });
    refused(alice.clusters().edit(&edit), "autoscale.max_workers");
    edit.autoscale = Some(AutoScale {
        min_workers: Some(1),
        max_workers: Some(3),
        ..Default::default()
    });
    alice.clusters().edit(&edit).unwrap();
}

#[test]
fn only_admins_manage_policies_and_families_feed_definitions() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let bob = ws.client_as(&ws.add_user("bob@example.com"));
    let err = bob
        .cluster_policies()
        .create(&CreatePolicyRequest {
            name: Some("mine".into()),
            definition: Some("{}".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.error_code(), Some("PERMISSION_DENIED"));

    let families = admin
        .policy_families()
        .list(&ListPolicyFamiliesRequest {
            max_results: Some(1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(families.len(), 3);
    let personal = admin.policy_families().get("personal-vm").unwrap();
    let id = admin
        .cluster_policies()
        .create(&CreatePolicyRequest {
            name: Some("personal".into()),
            policy_family_id: personal.policy_family_id.clone(),
            policy_family_definition_overrides: Some(
                r#"{"autotermination_minutes": {"type": "fixed", "value": 30}}"#.into(),
            ),
            ..Default::default()
        })
        .unwrap()
        .policy_id
        .unwrap();
    let policy = admin.cluster_policies().get(&id).unwrap();
    let rules = PolicyDefinition::of(&policy).unwrap().rules;
    assert_eq!(rules["autotermination_minutes"].value, Some(30.into()));
    assert!(rules.contains_key("node_type_id"));

    let duplicate = admin
        .cluster_policies()
        .create(&CreatePolicyRequest {
            name: Some("personal".into()),
            definition: Some("{}".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(duplicate.error_code(), Some("INVALID_PARAMETER_VALUE"));
    let bad = admin
        .cluster_policies()
        .create(&CreatePolicyRequest {
            name: Some("bad".into()),
            definition: Some("not json".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(bad.error_code(), Some("INVALID_PARAMETER_VALUE"));

    admin
        .cluster_policies()
        .edit(&CreatePolicyRequest {
            policy_id: Some(id.clone()),
            name: Some("personal-renamed".into()),
            definition: Some("{}".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        admin.cluster_policies().get(&id).unwrap().name.as_deref(),
        Some("personal-renamed")
    );
    assert_eq!(
        bob.cluster_policies().delete(&id).unwrap_err().status(),
        Some(403)
    );
    admin.cluster_policies().delete(&id).unwrap();
    assert!(
        admin
            .cluster_policies()
            .get(&id)
            .unwrap_err()
            .is_not_found()
    );
}
