//! The Permissions API against the workspace emulator, as admins and as users without and with
//! grants: cluster owners manage, others need `CAN_RESTART` to restart and `CAN_MANAGE` to change
//! permissions; `set` replaces the list while `update` adds to it.

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::models::{
    AccessControlRequest, ClusterAttributes, PermissionLevel, PermissionObjectType,
    SetObjectPermissions,
};
use azure_databricks_sdk::{Client, Error};

fn cluster(client: &Client) -> String {
    client
        .clusters()
        .create(&ClusterAttributes {
            cluster_name: Some("shared".into()),
            spark_version: "15.4.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            num_workers: Some(1),
            ..Default::default()
        })
        .unwrap()
        .cluster_id
}

fn grant(user: Option<&str>, group: Option<&str>, level: PermissionLevel) -> SetObjectPermissions {
    SetObjectPermissions {
        access_control_list: vec![AccessControlRequest {
            user_name: user.map(str::to_string),
            group_name: group.map(str::to_string),
            permission_level: Some(level),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn denied(result: Result<impl std::fmt::Debug, Error>) -> Error {
    let err = result.expect_err("a non-admin without the level is refused");
    assert_eq!(err.status(), Some(403), "{err:?}");
    assert_eq!(err.error_code(), Some("PERMISSION_DENIED"), "{err:?}");
    err
}

/// The principals and levels of a list, direct ones only, as `name=LEVEL`.
fn direct(client: &Client, id: &str) -> Vec<String> {
    let acl = client
        .permissions()
        .get(PermissionObjectType::Clusters, id)
        .unwrap();
    let mut out = Vec::new();
    for entry in acl.access_control_list {
        let who = entry
            .user_name
            .or(entry.group_name)
            .or(entry.service_principal_name)
            .unwrap_or_default();
        for p in entry.all_permissions {
            if p.inherited != Some(true) {
                out.push(format!("{who}={}", p.permission_level.unwrap().as_str()));
            }
        }
    }
    out
}

#[test]
fn the_creator_manages_the_cluster_and_admins_inherit_manage() {
    let ws = Emulator::start().unwrap();
    let alice = ws.client_as(&ws.add_user("alice@example.com"));
    let id = cluster(&alice);

    let acl = alice
        .permissions()
        .get(PermissionObjectType::Clusters, &id)
        .unwrap();
    assert_eq!(acl.object_type.as_deref(), Some("cluster"));
    assert_eq!(
        acl.object_id.as_deref(),
        Some(format!("/clusters/{id}").as_str())
    );
    assert_eq!(direct(&alice, &id), ["alice@example.com=CAN_MANAGE"]);
    let admins = acl
        .access_control_list
        .iter()
        .find(|e| e.group_name.as_deref() == Some("admins"))
        .unwrap();
    assert_eq!(admins.all_permissions[0].inherited, Some(true));

    let levels = alice
        .permissions()
        .get_permission_levels(PermissionObjectType::Clusters, &id)
        .unwrap();
    let levels: Vec<&str> = levels
        .iter()
        .map(|l| l.permission_level.as_ref().unwrap().as_str())
        .collect();
    assert_eq!(levels, ["CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"]);
}

#[test]
fn a_user_without_can_restart_cannot_restart_until_granted_and_cannot_change_permissions() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let id = cluster(&admin);
    let bob = ws.client_as(&ws.add_user("bob@example.com"));
    ws.advance(std::time::Duration::from_secs(600));

    let err = denied(bob.clusters().restart(&id));
    assert!(err.to_string().contains("CAN_RESTART"), "{err}");
    denied(bob.permissions().update(
        PermissionObjectType::Clusters,
        &id,
        &grant(Some("bob@example.com"), None, PermissionLevel::CanManage),
    ));

    // CAN_ATTACH_TO is not enough; CAN_RESTART through the `users` group is.
    admin
        .permissions()
        .update(
            PermissionObjectType::Clusters,
            &id,
            &grant(Some("bob@example.com"), None, PermissionLevel::CanAttachTo),
        )
        .unwrap();
    denied(bob.clusters().restart(&id));
    admin
        .permissions()
        .update(
            PermissionObjectType::Clusters,
            &id,
            &grant(None, Some("users"), PermissionLevel::CanRestart),
        )
        .unwrap();
    bob.clusters().restart(&id).unwrap();
    // Restarting is not managing.
    denied(
        bob.clusters()
            .resize(&azure_databricks_sdk::models::ClusterResizeRequest {
                cluster_id: id.clone(),
                num_workers: Some(3),
                ..Default::default()
            }),
    );
    denied(bob.permissions().set(
        PermissionObjectType::Clusters,
        &id,
        &SetObjectPermissions::default(),
    ));
}

#[test]
fn set_replaces_the_whole_list_while_update_adds() {
    let ws = Emulator::start().unwrap();
    let alice = ws.client_as(&ws.add_user("alice@example.com"));
    ws.add_user("bob@example.com");
    ws.add_user("carol@example.com");
    let id = cluster(&alice);

    alice
        .permissions()
        .update(
            PermissionObjectType::Clusters,
            &id,
            &grant(Some("bob@example.com"), None, PermissionLevel::CanRestart),
        )
        .unwrap();
    assert_eq!(
        direct(&alice, &id),
        [
            "alice@example.com=CAN_MANAGE",
            "bob@example.com=CAN_RESTART"
        ]
    );

    let after = alice
        .permissions()
        .set(
            PermissionObjectType::Clusters,
            &id,
            &grant(Some("carol@example.com"), None, PermissionLevel::CanManage),
        )
        .unwrap();
    assert_eq!(after.access_control_list.len(), 2, "carol and the admins");
    let admin = ws.client();
    assert_eq!(direct(&admin, &id), ["carol@example.com=CAN_MANAGE"]);
    // Alice gave her own ownership away with `set`.
    denied(alice.clusters().delete(&id));
}

#[test]
fn unknown_principals_levels_and_clusters_are_refused() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let id = cluster(&admin);
    let err = admin
        .permissions()
        .update(
            PermissionObjectType::Clusters,
            &id,
            &grant(
                Some("mallory@example.com"),
                None,
                PermissionLevel::CanRestart,
            ),
        )
        .unwrap_err();
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"));
    let err = admin
        .permissions()
        .update(
            PermissionObjectType::Clusters,
            &id,
            &grant(None, Some("users"), PermissionLevel::CanUse),
        )
        .unwrap_err();
    assert!(err.to_string().contains("CAN_USE"), "{err}");
    let err = admin
        .permissions()
        .get(PermissionObjectType::Clusters, "0101-000000-nothere1")
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let tokens = admin
        .permissions()
        .set(
            PermissionObjectType::Authorization,
            "tokens",
            &grant(None, Some("users"), PermissionLevel::CanUse),
        )
        .unwrap();
    assert_eq!(tokens.object_type.as_deref(), Some("tokens"));
}
