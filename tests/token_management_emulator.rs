//! The Token Management API against the workspace emulator: admins see, filter and revoke
//! every user's tokens and create tokens for service principals; other users are refused.

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::models::{
    CreateOboTokenRequest, CreateTokenRequest, ListManagedTokensRequest,
};

fn by(username: &str) -> ListManagedTokensRequest {
    ListManagedTokensRequest {
        created_by_username: Some(username.into()),
        ..Default::default()
    }
}

#[test]
fn admins_list_filter_get_and_revoke_every_users_tokens() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let alice_token = ws.add_user("alice@example.com");
    let alice = ws.client_as(&alice_token);
    let created = alice
        .tokens()
        .create(&CreateTokenRequest {
            comment: Some("notebook".into()),
            lifetime_seconds: Some(3600),
            ..Default::default()
        })
        .unwrap();
    let id = created.token_info.unwrap().token_id;

    let all = admin
        .token_management()
        .list(&ListManagedTokensRequest::default())
        .unwrap();
    // The admin's own token, alice's registered one and the new one.
    assert_eq!(all.len(), 3, "{all:?}");
    let alices = admin
        .token_management()
        .list(&by("alice@example.com"))
        .unwrap();
    assert_eq!(alices.len(), 2);
    let alice_id = alices[0].created_by_id.unwrap();
    let by_id = admin
        .token_management()
        .list(&ListManagedTokensRequest {
            created_by_id: Some(alice_id),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_id.len(), 2);

    let info = admin
        .token_management()
        .get(&id)
        .unwrap()
        .token_info
        .unwrap();
    assert_eq!(info.comment.as_deref(), Some("notebook"));
    assert_eq!(info.owner_id, Some(alice_id));

    admin.token_management().delete(&id).unwrap();
    assert!(
        admin
            .token_management()
            .get(&id)
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        admin
            .token_management()
            .delete(&id)
            .unwrap_err()
            .is_not_found()
    );
    assert_eq!(alice.tokens().list().unwrap().len(), 1);
}

#[test]
fn non_admins_are_refused_every_operation() {
    let ws = Emulator::start().unwrap();
    let bob = ws.client_as(&ws.add_user("bob@example.com"));
    let err = bob
        .token_management()
        .list(&ListManagedTokensRequest::default())
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.error_code(), Some("PERMISSION_DENIED"));
    assert_eq!(
        bob.token_management().get("abc").unwrap_err().status(),
        Some(403)
    );
    assert_eq!(
        bob.token_management().delete("abc").unwrap_err().status(),
        Some(403)
    );
    let sp = ws.add_service_principal("etl");
    let err = bob
        .token_management()
        .create_obo_token(&CreateOboTokenRequest {
            application_id: sp.client_id,
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
}

#[test]
fn a_token_created_on_behalf_of_a_service_principal_authenticates_as_it() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let sp = ws.add_service_principal("etl");
    let created = admin
        .token_management()
        .create_obo_token(&CreateOboTokenRequest {
            application_id: sp.client_id.clone(),
            comment: Some("etl".into()),
            lifetime_seconds: Some(3600),
            ..Default::default()
        })
        .unwrap();
    let info = created.token_info.unwrap();
    assert_eq!(info.created_by_username.as_deref(), Some(ws.admin_user()));
    assert_ne!(info.owner_id, info.created_by_id);

    // The token works as the service principal: its own token list shows it.
    let as_sp = ws.client_as(created.token_value.unwrap().expose());
    let own = as_sp.tokens().list().unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(Some(own[0].token_id.clone()), info.token_id);

    let err = admin
        .token_management()
        .create_obo_token(&CreateOboTokenRequest {
            application_id: "00000000-0000-0000-0000-000000000000".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}
