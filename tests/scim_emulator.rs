//! SCIM against the workspace emulator: users, groups (built-in `admins` and `users`),
//! service principals, filters, paging, patches, and admin-only changes.

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::models::{
    AccessControlRequest, ClusterAttributes, ComplexValue, Group, ListSortOrder, Patch, PatchOp,
    PatchRequest, PermissionLevel, PermissionObjectType, ScimListRequest, ServicePrincipal,
    SetObjectPermissions, User,
};
use serde_json::json;

fn user(name: &str) -> User {
    User {
        user_name: Some(name.into()),
        ..Default::default()
    }
}

fn filter(f: &str) -> ScimListRequest {
    ScimListRequest {
        filter: Some(f.into()),
        ..Default::default()
    }
}

fn names(users: &[User]) -> Vec<&str> {
    users
        .iter()
        .filter_map(|u| u.user_name.as_deref())
        .collect()
}

fn member(id: &str) -> ComplexValue {
    ComplexValue {
        value: Some(id.into()),
        ..Default::default()
    }
}

#[test]
fn users_are_created_read_filtered_sorted_and_paged_lazily() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    for name in ["carol@example.com", "alice@example.com", "bob@contoso.com"] {
        admin.users().create(&user(name)).unwrap();
    }
    let me = admin.current_user().me().unwrap();
    assert_eq!(me.user_name.as_deref(), Some(ws.admin_user()));
    assert!(
        me.groups
            .iter()
            .any(|g| g.display.as_deref() == Some("admins"))
    );

    let all = admin.users().list(&ScimListRequest::default()).unwrap();
    assert_eq!(all.len(), 4, "the admin and three users");
    let found = admin
        .users()
        .list(&filter(r#"userName co "example.com" and userName sw "al""#))
        .unwrap();
    assert_eq!(names(&found), ["alice@example.com"]);
    let emails = admin
        .users()
        .list(&filter(r#"emails.value eq "BOB@contoso.com""#))
        .unwrap();
    assert_eq!(names(&emails), ["bob@contoso.com"]);

    let sorted = admin
        .users()
        .list(&ScimListRequest {
            sort_by: Some("userName".into()),
            sort_order: Some(ListSortOrder::Descending),
            filter: Some(r#"userName co "@""#.into()),
            count: Some(1),
            attributes: Some("userName".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        names(&sorted)[..3],
        ["carol@example.com", "bob@contoso.com", "alice@example.com"]
    );
    assert!(
        sorted
            .iter()
            .all(|u| u.display_name.is_none() && u.id.is_some())
    );

    // One page per item with count 1: four requests for four users.
    let before = ws.request_count();
    let mut pages = admin.users().list_iter(&ScimListRequest {
        count: Some(1),
        ..Default::default()
    });
    pages.next().unwrap().unwrap();
    assert_eq!(ws.request_count() - before, 1, "lazy: one page read");
    assert_eq!(pages.count(), 3);

    let page = admin
        .users()
        .list_page(&ScimListRequest {
            start_index: Some(2),
            count: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (page.total_results, page.start_index, page.items_per_page),
        (Some(4), Some(2), Some(2))
    );

    let bad = admin.users().list(&filter("userName gt 1")).unwrap_err();
    assert_eq!(bad.error_code(), Some("INVALID_PARAMETER_VALUE"));
    let dup = admin
        .users()
        .create(&user("alice@example.com"))
        .unwrap_err();
    assert_eq!(dup.status(), Some(409));
}

#[test]
fn replace_patch_and_delete_users() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let alice = admin.users().create(&user("alice@example.com")).unwrap();
    let id = alice.id.unwrap();
    assert_eq!(alice.active, Some(true));

    admin
        .users()
        .replace(
            &id,
            &User {
                user_name: Some("alice@example.com".into()),
                display_name: Some("Alice Smith".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let got = admin.users().get(&id).unwrap();
    assert_eq!(got.display_name.as_deref(), Some("Alice Smith"));
    assert!(
        got.emails.is_empty(),
        "replace clears what it does not give"
    );

    admin
        .users()
        .patch(
            &id,
            &PatchRequest {
                operations: vec![
                    Patch {
                        op: Some(PatchOp::Replace),
                        path: Some("active".into()),
                        value: Some(json!(false)),
                        ..Default::default()
                    },
                    Patch {
                        op: Some(PatchOp::Add),
                        path: Some("entitlements".into()),
                        value: Some(json!([{"value": "allow-cluster-create"}])),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        )
        .unwrap();
    let got = admin.users().get(&id).unwrap();
    assert_eq!(got.active, Some(false));
    assert_eq!(
        got.entitlements[0].value.as_deref(),
        Some("allow-cluster-create")
    );
    assert_eq!(got.display_name.as_deref(), Some("Alice Smith"));

    let rename = admin
        .users()
        .replace(&id, &user("mallory@example.com"))
        .unwrap_err();
    assert_eq!(rename.error_code(), Some("INVALID_PARAMETER_VALUE"));
    admin.users().delete(&id).unwrap();
    assert!(admin.users().get(&id).unwrap_err().is_not_found());
}

#[test]
fn groups_hold_members_and_admins_membership_makes_admins() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let bob_token = ws.add_user("bob@example.com");
    let bob = ws.client_as(&bob_token);
    let bob_id = bob.current_user().me().unwrap().id.unwrap();

    let builtin = admin.groups().list(&ScimListRequest::default()).unwrap();
    let builtin: Vec<&str> = builtin
        .iter()
        .filter_map(|g| g.display_name.as_deref())
        .collect();
    assert_eq!(builtin, ["users", "admins"]);

    let engineers = admin
        .groups()
        .create(&Group {
            display_name: Some("engineers".into()),
            members: vec![member(&bob_id)],
            ..Default::default()
        })
        .unwrap();
    let gid = engineers.id.unwrap();
    assert_eq!(engineers.members[0].value.as_deref(), Some(bob_id.as_str()));
    let me = bob.current_user().me().unwrap();
    let mine: Vec<&str> = me
        .groups
        .iter()
        .filter_map(|g| g.display.as_deref())
        .collect();
    assert_eq!(mine, ["users", "engineers"]);

    // A group grant reaches its members: bob restarts a cluster through `engineers`.
    let cluster = admin
        .clusters()
        .create(&ClusterAttributes {
            spark_version: "15.4.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            num_workers: Some(1),
            ..Default::default()
        })
        .unwrap()
        .cluster_id;
    ws.advance(std::time::Duration::from_secs(600));
    assert_eq!(
        bob.clusters().restart(&cluster).unwrap_err().status(),
        Some(403)
    );
    admin
        .permissions()
        .update(
            PermissionObjectType::Clusters,
            &cluster,
            &SetObjectPermissions {
                access_control_list: vec![AccessControlRequest {
                    group_name: Some("engineers".into()),
                    permission_level: Some(PermissionLevel::CanRestart),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    bob.clusters().restart(&cluster).unwrap();

    // Removing bob with a member selector.
    admin
        .groups()
        .patch(
            &gid,
            &PatchRequest {
                operations: vec![Patch {
                    op: Some(PatchOp::Remove),
                    path: Some(format!("members[value eq \"{bob_id}\"]")),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert!(admin.groups().get(&gid).unwrap().members.is_empty());

    // Non-admins read but do not change the directory.
    assert_eq!(
        bob.groups()
            .list(&ScimListRequest::default())
            .unwrap()
            .len(),
        3
    );
    let refused = bob.users().create(&user("eve@example.com")).unwrap_err();
    assert_eq!(refused.error_code(), Some("PERMISSION_DENIED"));

    // Adding bob to `admins` makes him an admin.
    let admins = admin
        .groups()
        .list(&filter(r#"displayName eq "admins""#))
        .unwrap();
    let admins_id = admins[0].id.clone().unwrap();
    admin
        .groups()
        .patch(
            &admins_id,
            &PatchRequest {
                operations: vec![Patch {
                    op: Some(PatchOp::Add),
                    value: Some(json!({"members": [{"value": bob_id}]})),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    bob.users().create(&user("eve@example.com")).unwrap();
    assert_eq!(
        admin.groups().delete(&admins_id).unwrap_err().error_code(),
        Some("INVALID_PARAMETER_VALUE")
    );
    // Replace: the name and the whole member list.
    let replaced = admin
        .groups()
        .replace(
            &gid,
            &Group {
                display_name: Some("engineering".into()),
                members: vec![member(&bob_id)],
                ..Default::default()
            },
        )
        .and_then(|()| admin.groups().get(&gid))
        .unwrap();
    assert_eq!(replaced.display_name.as_deref(), Some("engineering"));
    assert_eq!(replaced.members.len(), 1);
    admin.groups().delete(&gid).unwrap();
    assert!(admin.groups().get(&gid).unwrap_err().is_not_found());
}

#[test]
fn service_principals_are_created_with_an_application_id_and_get_obo_tokens() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let sp = admin
        .service_principals()
        .create(&ServicePrincipal {
            application_id: Some("6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f".into()),
            display_name: Some("etl".into()),
            ..Default::default()
        })
        .unwrap();
    let id = sp.id.unwrap();
    let listed = admin
        .service_principals()
        .list(&filter(r#"displayName eq "etl""#))
        .unwrap();
    assert_eq!(listed.len(), 1);
    let missing = admin
        .service_principals()
        .create(&ServicePrincipal::default())
        .unwrap_err();
    assert_eq!(missing.error_code(), Some("INVALID_PARAMETER_VALUE"));

    let token = admin
        .token_management()
        .create_obo_token(&azure_databricks_sdk::models::CreateOboTokenRequest {
            application_id: "6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f".into(),
            ..Default::default()
        })
        .unwrap();
    let as_sp = ws.client_as(token.token_value.unwrap().expose());
    let me = as_sp.current_user().me().unwrap();
    assert_eq!(
        me.user_name.as_deref(),
        Some("6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f")
    );

    admin
        .service_principals()
        .patch(
            &id,
            &PatchRequest {
                operations: vec![Patch {
                    op: Some(PatchOp::Replace),
                    path: Some("displayName".into()),
                    value: Some(json!("etl-prod")),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        admin
            .service_principals()
            .get(&id)
            .unwrap()
            .display_name
            .as_deref(),
        Some("etl-prod")
    );
    admin
        .service_principals()
        .replace(
            &id,
            &ServicePrincipal {
                application_id: Some("6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f".into()),
                active: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        admin.service_principals().get(&id).unwrap().active,
        Some(false)
    );
    admin.service_principals().delete(&id).unwrap();
    assert!(
        admin
            .service_principals()
            .get(&id)
            .unwrap_err()
            .is_not_found()
    );
}
