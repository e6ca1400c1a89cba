//! Wire tests of SCIM 2.0: users, groups and service principals (create, get, list with its
//! query and index paging, replace, patch, delete) and `Me`.

mod common;

use azure_databricks_sdk::models::{
    ComplexValue, Group, ListSortOrder, Name, Patch, PatchOp, PatchRequest, PatchSchema,
    ScimListRequest, ServicePrincipal, User, UserSchema,
};
use httpmock::prelude::*;
use serde_json::{Value, json};

const USERS: &str = "/api/2.0/preview/scim/v2/Users";
const ALICE: &str = "/api/2.0/preview/scim/v2/Users/4000000000007919";

fn alice_json() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "4000000000007919",
        "userName": "alice@example.com",
        "displayName": "Alice Smith",
        "name": {"givenName": "Alice", "familyName": "Smith"},
        "active": true,
        "emails": [{"value": "alice@example.com", "type": "work", "primary": true}],
        "groups": [{"value": "4000000000015838", "display": "data-engineers", "type": "direct", "$ref": "Groups/4000000000015838"}],
        "entitlements": [{"value": "allow-cluster-create"}],
        "externalId": "8d4f1c2e-0b3a-4f6d-9e8c-7a6b5c4d3e2f"
    })
}

fn page(resources: Vec<Value>, start: i64, total: i64) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources
    })
}

#[test]
fn me_reads_the_caller_as_a_user_and_keeps_the_ref_of_its_groups() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/preview/scim/v2/Me", &[]);
        then.status(200).json_body(alice_json());
    });
    let me = common::client(&server).current_user().me().unwrap();
    mock.assert();
    assert_eq!(me.user_name.as_deref(), Some("alice@example.com"));
    assert_eq!(
        me.name.as_ref().unwrap().given_name.as_deref(),
        Some("Alice")
    );
    assert_eq!(me.groups[0].display.as_deref(), Some("data-engineers"));
    assert_eq!(me.schemas, [UserSchema::UrnIetfParamsScimSchemasCore20User]);
    // `$ref` is not a field, but it survives in unknown_fields.
    assert_eq!(serde_json::to_value(&me).unwrap(), alice_json());
}

#[test]
fn users_create_posts_camel_case_attributes() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            USERS,
            json!({
                "userName": "alice@example.com",
                "displayName": "Alice Smith",
                "name": {"givenName": "Alice", "familyName": "Smith"},
                "entitlements": [{"value": "allow-cluster-create"}]
            }),
        );
        then.status(201).json_body(alice_json());
    });
    let created = common::client(&server)
        .users()
        .create(&User {
            user_name: Some("alice@example.com".into()),
            display_name: Some("Alice Smith".into()),
            name: Some(Name {
                given_name: Some("Alice".into()),
                family_name: Some("Smith".into()),
                ..Default::default()
            }),
            entitlements: vec![ComplexValue {
                value: Some("allow-cluster-create".into()),
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap();
    mock.assert();
    assert_eq!(created.id.as_deref(), Some("4000000000007919"));
}

#[test]
fn users_get_replace_patch_and_delete_put_the_id_in_the_path() {
    let server = MockServer::start();
    let get = server.mock(|when, then| {
        common::get(when, ALICE, &[]);
        then.status(200).json_body(alice_json());
    });
    let replace = server.mock(|when, then| {
        common::put(
            when,
            ALICE,
            json!({"userName": "alice@example.com", "active": false}),
        );
        then.status(200).json_body(alice_json());
    });
    let patch = server.mock(|when, then| {
        common::patch(
            when,
            ALICE,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "replace", "path": "active", "value": false},
                    {"op": "remove", "path": "entitlements[value eq \"allow-cluster-create\"]"}
                ]
            }),
        );
        then.status(204);
    });
    let delete = server.mock(|when, then| {
        common::delete(when, ALICE, &[]);
        then.status(204);
    });
    let client = common::client(&server);
    let users = client.users();

    assert_eq!(users.get("4000000000007919").unwrap().active, Some(true));
    users
        .replace(
            "4000000000007919",
            &User {
                user_name: Some("alice@example.com".into()),
                active: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    users
        .patch(
            "4000000000007919",
            &PatchRequest {
                schemas: vec![PatchSchema::UrnIetfParamsScimApiMessages20PatchOp],
                operations: vec![
                    Patch {
                        op: Some(PatchOp::Replace),
                        path: Some("active".into()),
                        value: Some(json!(false)),
                        ..Default::default()
                    },
                    Patch {
                        op: Some(PatchOp::Remove),
                        path: Some("entitlements[value eq \"allow-cluster-create\"]".into()),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        )
        .unwrap();
    users.delete("4000000000007919").unwrap();

    get.assert();
    replace.assert();
    patch.assert();
    delete.assert();
    assert!(users.get("").unwrap_err().is_invalid_input());
}

#[test]
fn users_list_page_sends_every_query_parameter() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/preview/scim/v2/Users",
            &[
                ("attributes", "userName,displayName"),
                ("count", "10"),
                ("excludedAttributes", "groups"),
                ("filter", "userName sw \"a\" and active eq true"),
                ("sortBy", "userName"),
                ("sortOrder", "descending"),
                ("startIndex", "11"),
            ],
        );
        then.status(200).json_body(page(vec![alice_json()], 11, 11));
    });
    let answer = common::client(&server)
        .users()
        .list_page(&ScimListRequest {
            filter: Some("userName sw \"a\" and active eq true".into()),
            attributes: Some("userName,displayName".into()),
            excluded_attributes: Some("groups".into()),
            sort_by: Some("userName".into()),
            sort_order: Some(ListSortOrder::Descending),
            start_index: Some(11),
            count: Some(10),
            ..Default::default()
        })
        .unwrap();
    mock.assert();
    assert_eq!(
        (answer.total_results, answer.start_index),
        (Some(11), Some(11))
    );
    assert_eq!(answer.resources.len(), 1);
}

#[test]
fn users_list_iter_advances_start_index_until_total_results_are_read() {
    let server = MockServer::start();
    let user = |n: usize| json!({"id": n.to_string(), "userName": format!("u{n}@example.com")});
    let first = server.mock(|when, then| {
        common::get(when, USERS, &[("count", "2")]);
        then.status(200)
            .json_body(page(vec![user(1), user(2)], 1, 5));
    });
    let second = server.mock(|when, then| {
        common::get(when, USERS, &[("count", "2"), ("startIndex", "3")]);
        then.status(200)
            .json_body(page(vec![user(3), user(4)], 3, 5));
    });
    let third = server.mock(|when, then| {
        common::get(when, USERS, &[("count", "2"), ("startIndex", "5")]);
        then.status(200).json_body(page(vec![user(5)], 5, 5));
    });
    let request = ScimListRequest {
        count: Some(2),
        ..Default::default()
    };
    let client = common::client(&server);
    let mut iter = client.users().list_iter(&request);
    // Lazy: nothing is asked before the first item is wanted, and one page at a time.
    first.assert_calls(0);
    assert_eq!(iter.next().unwrap().unwrap().id.as_deref(), Some("1"));
    second.assert_calls(0);
    let rest: Vec<String> = iter.map(|u| u.unwrap().id.unwrap()).collect();
    assert_eq!(rest, ["2", "3", "4", "5"]);
    first.assert();
    second.assert();
    third.assert();
    let all = client.users().list(&request).unwrap();
    assert_eq!(all.len(), 5);
}

#[test]
fn groups_operations_and_members() {
    let server = MockServer::start();
    let group = json!({
        "id": "4000000000015838",
        "displayName": "data-engineers",
        "members": [{"value": "4000000000007919", "display": "alice", "$ref": "Users/4000000000007919"}],
        "meta": {"resourceType": "WorkspaceGroup"},
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]
    });
    let body = json!({"displayName": "data-engineers", "members": [{"value": "4000000000007919"}]});
    let create = server.mock(|when, then| {
        common::post(when, "/api/2.0/preview/scim/v2/Groups", body.clone());
        then.status(201).json_body(group.clone());
    });
    let get = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/preview/scim/v2/Groups/4000000000015838",
            &[],
        );
        then.status(200).json_body(group.clone());
    });
    let list = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/preview/scim/v2/Groups",
            &[("filter", "displayName eq \"data-engineers\"")],
        );
        then.status(200).json_body(page(vec![group.clone()], 1, 1));
    });
    let replace = server.mock(|when, then| {
        common::put(
            when,
            "/api/2.0/preview/scim/v2/Groups/4000000000015838",
            body.clone(),
        );
        then.status(200).json_body(group.clone());
    });
    let patch = server.mock(|when, then| {
        common::patch(
            when,
            "/api/2.0/preview/scim/v2/Groups/4000000000015838",
            json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": "4000000000023757"}]}]}),
        );
        then.status(200).json_body(group.clone());
    });
    let delete = server.mock(|when, then| {
        common::delete(
            when,
            "/api/2.0/preview/scim/v2/Groups/4000000000015838",
            &[],
        );
        then.status(204);
    });
    let client = common::client(&server);
    let groups = client.groups();
    let request = Group {
        display_name: Some("data-engineers".into()),
        members: vec![ComplexValue {
            value: Some("4000000000007919".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let created = groups.create(&request).unwrap();
    assert_eq!(
        created.meta.unwrap().resource_type.as_deref(),
        Some("WorkspaceGroup")
    );
    assert_eq!(groups.get("4000000000015838").unwrap().members.len(), 1);
    let found = groups
        .list(&ScimListRequest {
            filter: Some("displayName eq \"data-engineers\"".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    groups.replace("4000000000015838", &request).unwrap();
    groups
        .patch(
            "4000000000015838",
            &PatchRequest {
                operations: vec![Patch {
                    op: Some(PatchOp::Add),
                    path: Some("members".into()),
                    value: Some(json!([{"value": "4000000000023757"}])),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    groups.delete("4000000000015838").unwrap();
    for mock in [create, get, list, replace, patch, delete] {
        mock.assert();
    }
}

#[test]
fn service_principals_operations() {
    let server = MockServer::start();
    let sp = json!({
        "id": "4000000000031676",
        "applicationId": "6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f",
        "displayName": "etl",
        "active": true,
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"]
    });
    let body =
        json!({"applicationId": "6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f", "displayName": "etl"});
    let one = "/api/2.0/preview/scim/v2/ServicePrincipals/4000000000031676";
    let create = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/preview/scim/v2/ServicePrincipals",
            body.clone(),
        );
        then.status(201).json_body(sp.clone());
    });
    let get = server.mock(|when, then| {
        common::get(when, one, &[]);
        then.status(200).json_body(sp.clone());
    });
    let list = server.mock(|when, then| {
        common::get(when, "/api/2.0/preview/scim/v2/ServicePrincipals", &[]);
        then.status(200).json_body(page(vec![sp.clone()], 1, 1));
    });
    let replace = server.mock(|when, then| {
        common::put(when, one, body.clone());
        then.status(200).json_body(sp.clone());
    });
    let patch = server.mock(|when, then| {
        common::patch(
            when,
            one,
            json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}),
        );
        then.status(204);
    });
    let delete = server.mock(|when, then| {
        common::delete(when, one, &[]);
        then.status(204);
    });
    let client = common::client(&server);
    let sps = client.service_principals();
    let request = ServicePrincipal {
        application_id: Some("6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f".into()),
        display_name: Some("etl".into()),
        ..Default::default()
    };
    assert_eq!(
        sps.create(&request).unwrap().display_name.as_deref(),
        Some("etl")
    );
    assert_eq!(sps.get("4000000000031676").unwrap().active, Some(true));
    assert_eq!(sps.list(&ScimListRequest::default()).unwrap().len(), 1);
    sps.replace("4000000000031676", &request).unwrap();
    sps.patch(
        "4000000000031676",
        &PatchRequest {
            operations: vec![Patch {
                op: Some(PatchOp::Replace),
                path: Some("active".into()),
                value: Some(json!(false)),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .unwrap();
    sps.delete("4000000000031676").unwrap();
    for mock in [create, get, list, replace, patch, delete] {
        mock.assert();
    }
}
