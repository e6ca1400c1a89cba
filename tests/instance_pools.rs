//! Wire tests of the Instance Pools API.

mod common;

use azure_databricks_sdk::models::{
    AzureDiskVolumeType, DiskSpec, DiskType, InstancePoolAttributes, InstancePoolAzureAttributes,
    InstancePoolAzureAvailability, InstancePoolState,
};
use httpmock::prelude::*;
use serde_json::{Value, json};

const POOL: &str = "1207-013416-pool-a1b2c3d4";

fn pool_json() -> Value {
    json!({
        "instance_pool_id": POOL,
        "instance_pool_name": "etl-pool",
        "node_type_id": "Standard_DS3_v2",
        "min_idle_instances": 2,
        "max_capacity": 10,
        "idle_instance_autotermination_minutes": 15,
        "azure_attributes": {"availability": "SPOT_AZURE", "spot_bid_max_price": -1.0},
        "custom_tags": {"team": "etl"},
        "default_tags": {"Vendor": "Databricks", "DatabricksInstancePoolId": POOL},
        "disk_spec": {"disk_count": 1, "disk_size": 128, "disk_type": {"azure_disk_volume_type": "PREMIUM_LRS"}},
        "enable_elastic_disk": true,
        "preloaded_spark_versions": ["15.4.x-scala2.12"],
        "state": "ACTIVE",
        "stats": {"idle_count": 2, "used_count": 3, "pending_idle_count": 0, "pending_used_count": 1},
        "status": {"pending_instance_errors": [{"instance_id": "i-1", "message": "SkuNotAvailable"}]},
        "new_field": 1
    })
}

fn attributes() -> InstancePoolAttributes {
    InstancePoolAttributes {
        instance_pool_name: "etl-pool".into(),
        node_type_id: "Standard_DS3_v2".into(),
        min_idle_instances: Some(2),
        max_capacity: Some(10),
        azure_attributes: Some(InstancePoolAzureAttributes {
            availability: Some(InstancePoolAzureAvailability::SpotAzure),
            spot_bid_max_price: Some(-1.0),
            ..Default::default()
        }),
        disk_spec: Some(DiskSpec {
            disk_count: Some(1),
            disk_size: Some(128),
            disk_type: Some(DiskType {
                azure_disk_volume_type: Some(AzureDiskVolumeType::PremiumLrs),
                ..Default::default()
            }),
            ..Default::default()
        }),
        preloaded_spark_versions: vec!["15.4.x-scala2.12".into()],
        ..Default::default()
    }
}

#[test]
fn create_posts_the_settings_and_returns_the_id() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/instance-pools/create",
            json!({
                "instance_pool_name": "etl-pool",
                "node_type_id": "Standard_DS3_v2",
                "min_idle_instances": 2,
                "max_capacity": 10,
                "azure_attributes": {"availability": "SPOT_AZURE", "spot_bid_max_price": -1.0},
                "disk_spec": {"disk_count": 1, "disk_size": 128, "disk_type": {"azure_disk_volume_type": "PREMIUM_LRS"}},
                "preloaded_spark_versions": ["15.4.x-scala2.12"]
            }),
        );
        then.status(200).json_body(json!({"instance_pool_id": POOL}));
    });
    let created = common::client(&server)
        .instance_pools()
        .create(&attributes())
        .unwrap();
    mock.assert();
    assert_eq!(created.instance_pool_id.as_deref(), Some(POOL));
}

#[test]
fn edit_and_delete_post_the_pool_id() {
    let server = MockServer::start();
    let edit = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/instance-pools/edit",
            json!({"instance_pool_id": POOL, "instance_pool_name": "etl", "node_type_id": "Standard_DS3_v2", "max_capacity": 20}),
        );
        then.status(200).json_body(json!({}));
    });
    let delete = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.0/instance-pools/delete",
            json!({"instance_pool_id": POOL}),
        );
        then.status(200).json_body(json!({}));
    });
    let client = common::client(&server);
    client
        .instance_pools()
        .edit(&InstancePoolAttributes {
            instance_pool_id: Some(POOL.into()),
            instance_pool_name: "etl".into(),
            node_type_id: "Standard_DS3_v2".into(),
            max_capacity: Some(20),
            ..Default::default()
        })
        .unwrap();
    client.instance_pools().delete(POOL).unwrap();
    edit.assert();
    delete.assert();
    let no_id = client.instance_pools().edit(&attributes()).unwrap_err();
    assert!(no_id.is_invalid_input(), "{no_id:?}");
    let no_name = client
        .instance_pools()
        .create(&InstancePoolAttributes::default())
        .unwrap_err();
    assert!(no_name.is_invalid_input(), "{no_name:?}");
}

#[test]
fn get_and_list_decode_state_stats_and_errors_losslessly() {
    let server = MockServer::start();
    let get = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/instance-pools/get",
            &[("instance_pool_id", POOL)],
        );
        then.status(200).json_body(pool_json());
    });
    let list = server.mock(|when, then| {
        common::get(when, "/api/2.0/instance-pools/list", &[]);
        then.status(200)
            .json_body(json!({"instance_pools": [pool_json()]}));
    });
    let client = common::client(&server);
    let pool = client.instance_pools().get(POOL).unwrap();
    assert_eq!(pool.state, Some(InstancePoolState::Active));
    let stats = pool.stats.clone().unwrap();
    assert_eq!(
        (stats.idle_count, stats.used_count, stats.pending_used_count),
        (Some(2), Some(3), Some(1))
    );
    assert_eq!(
        pool.status.clone().unwrap().pending_instance_errors[0]
            .message
            .as_deref(),
        Some("SkuNotAvailable")
    );
    assert_eq!(serde_json::to_value(&pool).unwrap(), pool_json());
    assert_eq!(client.instance_pools().list().unwrap().len(), 1);
    get.assert();
    list.assert();
}
