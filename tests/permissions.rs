//! Wire tests of the Permissions API: get, permission levels, set (PUT, replaces) and update
//! (PATCH, adds), with typed object types and levels.

mod common;

use azure_databricks_sdk::models::{
    AccessControlRequest, PermissionLevel, PermissionObjectType, SetObjectPermissions,
};
use httpmock::prelude::*;
use serde_json::{Value, json};

const CLUSTER: &str = "0923-164208-meows279";

/// An access control list as the service answers it: a direct user grant, a group grant, the
/// inherited `admins` entry, and a level and a field this SDK does not know.
fn cluster_acl() -> Value {
    json!({
        "object_id": "/clusters/0923-164208-meows279",
        "object_type": "cluster",
        "access_control_list": [
            {
                "user_name": "alice@example.com",
                "display_name": "Alice Smith",
                "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": false}]
            },
            {
                "group_name": "data-engineers",
                "all_permissions": [
                    {"permission_level": "CAN_RESTART", "inherited": false},
                    {"permission_level": "CAN_DEPLOY_LATER", "inherited": false, "since": 3}
                ]
            },
            {
                "group_name": "admins",
                "all_permissions": [{
                    "permission_level": "CAN_MANAGE",
                    "inherited": true,
                    "inherited_from_object": ["/clusters/"]
                }]
            }
        ]
    })
}

fn grants() -> SetObjectPermissions {
    SetObjectPermissions {
        access_control_list: vec![
            AccessControlRequest {
                group_name: Some("data-engineers".into()),
                permission_level: Some(PermissionLevel::CanRestart),
                ..Default::default()
            },
            AccessControlRequest {
                service_principal_name: Some("6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f".into()),
                permission_level: Some(PermissionLevel::CanAttachTo),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

fn grants_json() -> Value {
    json!({"access_control_list": [
        {"group_name": "data-engineers", "permission_level": "CAN_RESTART"},
        {"service_principal_name": "6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f", "permission_level": "CAN_ATTACH_TO"}
    ]})
}

#[test]
fn get_reads_the_list_of_a_typed_object_and_keeps_unknown_levels_and_fields() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/permissions/clusters/0923-164208-meows279",
            &[],
        );
        then.status(200).json_body(cluster_acl());
    });

    let acl = common::client(&server)
        .permissions()
        .get(PermissionObjectType::Clusters, CLUSTER)
        .unwrap();

    mock.assert();
    assert_eq!(acl.object_type.as_deref(), Some("cluster"));
    assert_eq!(acl.access_control_list.len(), 3);
    let alice = &acl.access_control_list[0];
    assert_eq!(alice.user_name.as_deref(), Some("alice@example.com"));
    assert_eq!(
        alice.all_permissions[0].permission_level,
        Some(PermissionLevel::CanManage)
    );
    let group = &acl.access_control_list[1];
    assert_eq!(
        group.all_permissions[1].permission_level,
        Some(PermissionLevel::from("CAN_DEPLOY_LATER"))
    );
    let admins = &acl.access_control_list[2];
    assert_eq!(admins.all_permissions[0].inherited, Some(true));
    assert_eq!(
        admins.all_permissions[0].inherited_from_object,
        ["/clusters/"]
    );
    // Lossless: the unknown level and field are written back unchanged.
    assert_eq!(serde_json::to_value(&acl).unwrap(), cluster_acl());
}

#[test]
fn object_types_are_path_segments_and_ids_are_percent_encoded() {
    let server = MockServer::start();
    let tokens = server.mock(|when, then| {
        common::get(when, "/api/2.0/permissions/authorization/tokens", &[]);
        then.status(200).json_body(json!({
            "object_id": "/authorization/tokens",
            "object_type": "tokens",
            "access_control_list": [{"group_name": "users", "all_permissions": [{"permission_level": "CAN_USE"}]}]
        }));
    });
    let pool = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/permissions/instance-pools/0101-120000-pool%2Fx",
            &[],
        );
        then.status(200)
            .json_body(json!({"object_type": "instance-pool"}));
    });
    let client = common::client(&server);

    let acl = client
        .permissions()
        .get(PermissionObjectType::Authorization, "tokens")
        .unwrap();
    assert_eq!(
        acl.access_control_list[0].all_permissions[0].permission_level,
        Some(PermissionLevel::CanUse)
    );
    client
        .permissions()
        .get(PermissionObjectType::InstancePools, "0101-120000-pool/x")
        .unwrap();

    tokens.assert();
    pool.assert();
    assert_eq!(
        PermissionObjectType::ClusterPolicies.as_str(),
        "cluster-policies"
    );
}

#[test]
fn an_empty_object_id_is_refused_before_sending() {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200).body("{}");
    });
    let err = common::client(&server)
        .permissions()
        .get(PermissionObjectType::Jobs, "")
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
    any.assert_calls(0);
}

#[test]
fn get_permission_levels_returns_the_levels_of_the_object() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/permissions/jobs/1042/permissionLevels", &[]);
        then.status(200).json_body(json!({"permission_levels": [
            {"permission_level": "CAN_VIEW", "description": "Can view the job"},
            {"permission_level": "CAN_MANAGE_RUN", "description": "Can trigger and cancel runs"},
            {"permission_level": "IS_OWNER", "description": "Is the owner of the job"},
            {"permission_level": "CAN_MANAGE", "description": "Can manage the job"}
        ]}));
    });

    let levels = common::client(&server)
        .permissions()
        .get_permission_levels(PermissionObjectType::Jobs, "1042")
        .unwrap();

    mock.assert();
    let names: Vec<&str> = levels
        .iter()
        .filter_map(|l| l.permission_level.as_ref().map(PermissionLevel::as_str))
        .collect();
    assert_eq!(
        names,
        ["CAN_VIEW", "CAN_MANAGE_RUN", "IS_OWNER", "CAN_MANAGE"]
    );
    assert_eq!(levels[0].description.as_deref(), Some("Can view the job"));
}

#[test]
fn set_puts_the_whole_list_and_returns_the_new_one() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::put(
            when,
            "/api/2.0/permissions/clusters/0923-164208-meows279",
            grants_json(),
        );
        then.status(200).json_body(cluster_acl());
    });

    let acl = common::client(&server)
        .permissions()
        .set(PermissionObjectType::Clusters, CLUSTER, &grants())
        .unwrap();

    mock.assert();
    assert_eq!(acl.access_control_list.len(), 3);
}

#[test]
fn update_patches_with_the_grants_to_add() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::patch(
            when,
            "/api/2.0/permissions/cluster-policies/D6E8A12C34000F3B",
            grants_json(),
        );
        then.status(200).json_body(json!({
            "object_id": "/cluster-policies/D6E8A12C34000F3B",
            "object_type": "cluster-policy",
            "access_control_list": []
        }));
    });

    let acl = common::client(&server)
        .permissions()
        .update(
            PermissionObjectType::ClusterPolicies,
            "D6E8A12C34000F3B",
            &grants(),
        )
        .unwrap();

    mock.assert();
    assert_eq!(acl.object_type.as_deref(), Some("cluster-policy"));
    assert!(acl.access_control_list.is_empty());
}

#[test]
fn a_refused_change_is_an_api_error_with_the_service_code() {
    let server = MockServer::start();
    server.mock(|when, then| {
        common::put(
            when,
            "/api/2.0/permissions/clusters/0923-164208-meows279",
            json!({}),
        );
        then.status(403).json_body(json!({
            "error_code": "PERMISSION_DENIED",
            "message": "User bob@example.com does not have CAN_MANAGE permission on cluster 0923-164208-meows279."
        }));
    });
    let err = common::client(&server)
        .permissions()
        .set(
            PermissionObjectType::Clusters,
            CLUSTER,
            &SetObjectPermissions::default(),
        )
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.error_code(), Some("PERMISSION_DENIED"));
}
