//! Instance pools against the workspace emulator: clusters on a pool take its node type, and
//! the pool's statistics follow its clusters.

use std::time::Duration;

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::Client;
use azure_databricks_sdk::models::{ClusterAttributes, InstancePoolAttributes, InstancePoolState};

fn pool(client: &Client, name: &str, node: &str) -> String {
    client
        .instance_pools()
        .create(&InstancePoolAttributes {
            instance_pool_name: name.into(),
            node_type_id: node.into(),
            min_idle_instances: Some(2),
            max_capacity: Some(6),
            preloaded_spark_versions: vec!["15.4.x-scala2.12".into()],
            ..Default::default()
        })
        .unwrap()
        .instance_pool_id
        .unwrap()
}

fn stats(client: &Client, id: &str) -> (i32, i32) {
    let stats = client.instance_pools().get(id).unwrap().stats.unwrap();
    (stats.idle_count.unwrap(), stats.used_count.unwrap())
}

#[test]
fn clusters_take_the_pools_node_types_and_pools_count_their_nodes() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let workers = pool(&client, "workers", "Standard_DS4_v2");
    let drivers = pool(&client, "drivers", "Standard_DS3_v2");
    let got = client.instance_pools().get(&workers).unwrap();
    assert_eq!(got.state, Some(InstancePoolState::Active));
    assert_eq!(got.preloaded_spark_versions, ["15.4.x-scala2.12"]);
    assert_eq!(got.default_tags["DatabricksInstancePoolId"], workers);
    assert_eq!(stats(&client, &workers), (2, 0));

    let cluster = client
        .clusters()
        .create(&ClusterAttributes {
            spark_version: "15.4.x-scala2.12".into(),
            num_workers: Some(3),
            instance_pool_id: Some(workers.clone()),
            driver_instance_pool_id: Some(drivers.clone()),
            ..Default::default()
        })
        .unwrap()
        .cluster_id;
    let info = client.clusters().get(&cluster).unwrap();
    assert_eq!(info.node_type_id.as_deref(), Some("Standard_DS4_v2"));
    assert_eq!(info.driver_node_type_id.as_deref(), Some("Standard_DS3_v2"));
    // Six instances at most: three used leave room for the two idle ones.
    assert_eq!(stats(&client, &workers), (2, 3));
    assert_eq!(stats(&client, &drivers), (2, 1));

    // Once the cluster terminates, its nodes go back.
    client.clusters().delete(&cluster).unwrap();
    ws.advance(Duration::from_secs(600));
    assert_eq!(stats(&client, &workers), (2, 0));

    // A cluster naming another node type than its pool's, or an unknown pool, is refused.
    let err = client
        .clusters()
        .create(&ClusterAttributes {
            spark_version: "15.4.x-scala2.12".into(),
            num_workers: Some(1),
            node_type_id: Some("Standard_DS5_v2".into()),
            instance_pool_id: Some(workers.clone()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"), "{err}");
    let err = client
        .clusters()
        .create(&ClusterAttributes {
            spark_version: "15.4.x-scala2.12".into(),
            num_workers: Some(1),
            instance_pool_id: Some("0101-000000-pool-nothere".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn edit_changes_sizes_not_the_node_type_and_delete_removes() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let id = pool(&client, "etl", "Standard_DS3_v2");
    let mut edit = InstancePoolAttributes {
        instance_pool_id: Some(id.clone()),
        instance_pool_name: "etl-renamed".into(),
        node_type_id: "Standard_DS3_v2".into(),
        min_idle_instances: Some(1),
        max_capacity: Some(4),
        ..Default::default()
    };
    client.instance_pools().edit(&edit).unwrap();
    let got = client.instance_pools().get(&id).unwrap();
    assert_eq!(got.instance_pool_name.as_deref(), Some("etl-renamed"));
    assert_eq!(stats(&client, &id), (1, 0));
    edit.node_type_id = "Standard_DS4_v2".into();
    let err = client.instance_pools().edit(&edit).unwrap_err();
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"));
    let bad = client
        .instance_pools()
        .create(&InstancePoolAttributes {
            instance_pool_name: "bad".into(),
            node_type_id: "Standard_Nope".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(bad.error_code(), Some("INVALID_PARAMETER_VALUE"));
    assert_eq!(client.instance_pools().list().unwrap().len(), 1);
    client.instance_pools().delete(&id).unwrap();
    assert!(client.instance_pools().get(&id).unwrap_err().is_not_found());
    assert!(client.instance_pools().list().unwrap().is_empty());
}
