//! Wire tests of the cluster operations: method, path, query, headers and exact JSON body of
//! each request, and a realistic answer decoded field by field; the paged 2.1 list, `update`,
//! `get_by_name`, and the edit that keeps every setting of `get`.

mod common;

use azure_databricks_sdk::IndexMap;

use azure_databricks_sdk::models::*;
use httpmock::prelude::*;
use serde_json::json;

const ID: &str = "0923-164208-meows279";

fn json_ok(then: httpmock::Then, body: String) {
    then.status(200)
        .header("content-type", "application/json")
        .header("x-request-id", "6a1f4c2e-0000-4000-8000-000000000001")
        .body(body);
}

#[test]
fn list_decodes_every_cluster() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        json_ok(then, common::fixture("clusters/list.json"));
    });
    let clusters = common::client(&server).clusters().list().unwrap();
    mock.assert();
    let ids: Vec<&str> = clusters.iter().map(|c| c.cluster_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "1002-071455-lqp8z3vd",
            "1006-220004-k2m9w7hs",
            "1007-093512-7yxq3kfa"
        ]
    );
    let states: Vec<_> = clusters.iter().map(|c| c.state.clone()).collect();
    assert_eq!(
        states,
        [
            Some(ClusterState::Running),
            Some(ClusterState::Terminated),
            Some(ClusterState::Pending)
        ]
    );
    assert_eq!(clusters[0].num_workers, Some(3));
    assert_eq!(clusters[0].cluster_cores, Some(32.0));
    assert_eq!(clusters[1].cluster_source, Some(ClusterSource::Job));
    let reason = clusters[1].termination_reason.as_ref().unwrap();
    assert_eq!(reason.code, Some(TerminationCode::JobFinished));
    assert!(reason.parameters.is_empty());
    assert!(clusters[2].driver.is_none() && clusters[2].executors.is_empty());
}

#[test]
fn list_of_an_empty_workspace_is_an_empty_vec() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        json_ok(then, "{}".into());
    });
    assert!(
        common::client(&server)
            .clusters()
            .list()
            .unwrap()
            .is_empty()
    );
    mock.assert();
}

#[test]
fn list_node_types_decodes_the_catalog() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list-node-types", &[]);
        json_ok(then, common::fixture("clusters/list_node_types.json"));
    });
    let types = common::client(&server)
        .clusters()
        .list_node_types()
        .unwrap();
    mock.assert();
    assert_eq!(types.len(), 3);
    let ds3 = &types[0];
    assert_eq!(ds3.node_type_id, "Standard_DS3_v2");
    assert_eq!((ds3.memory_mb, ds3.num_cores), (14336, 4.0));
    assert_eq!(ds3.category.as_deref(), Some("General Purpose"));
    assert_eq!(ds3.photon_driver_capable, Some(true));
    let instance = ds3.node_instance_type.as_ref().unwrap();
    assert_eq!(
        (instance.local_disks, instance.local_disk_size_gb),
        (Some(1), Some(28))
    );
    let gpu = &types[2];
    assert_eq!(gpu.num_gpus, Some(1));
    let status = &gpu.node_info.as_ref().unwrap().status;
    assert_eq!(status, &[CloudProviderNodeStatus::NotAvailableInRegion]);
}

#[test]
fn spark_versions_decodes_keys_and_names() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/spark-versions", &[]);
        json_ok(then, common::fixture("clusters/spark_versions.json"));
    });
    let versions = common::client(&server).clusters().spark_versions().unwrap();
    mock.assert();
    assert_eq!(versions.len(), 5);
    assert_eq!(versions[4].key, "13.3.x-scala2.12");
    assert_eq!(
        versions[4].name.as_deref(),
        Some("13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)")
    );
}

#[test]
fn get_sends_the_id_in_the_query_and_decodes_every_field() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", ID)]);
        json_ok(then, common::fixture("clusters/get.json"));
    });
    let c = common::client(&server).clusters().get(ID).unwrap();
    mock.assert();
    assert_eq!(c.cluster_id, ID);
    assert_eq!(c.cluster_name.as_deref(), Some("analytics-shared-alice"));
    assert_eq!(c.creator_user_name.as_deref(), Some("alice@example.com"));
    assert_eq!(c.spark_version.as_deref(), Some("13.3.x-scala2.12"));
    assert_eq!(c.node_type_id.as_deref(), Some("Standard_DS3_v2"));
    assert_eq!(c.state, Some(ClusterState::Running));
    assert_eq!(c.state_message.as_deref(), Some(""));
    assert_eq!(
        c.autoscale,
        Some(AutoScale {
            unknown_fields: Default::default(),
            min_workers: Some(2),
            max_workers: Some(8)
        })
    );
    assert_eq!(c.num_workers, None);
    assert_eq!(c.autotermination_minutes, Some(120));
    assert_eq!(c.enable_elastic_disk, Some(true));
    assert_eq!(c.enable_local_disk_encryption, Some(false));
    // int64 beyond 2^53 is exact.
    assert_eq!(c.spark_context_id, Some(7815212370318465421));
    assert_eq!(c.jdbc_port, Some(10000));
    assert_eq!(c.cluster_memory_mb, Some(43008));
    assert_eq!(c.cluster_cores, Some(12.5));
    assert_eq!(c.start_time, Some(1727109728000));
    assert_eq!(c.last_state_loss_time, Some(1728288942000));
    assert_eq!(c.last_restarted_time, Some(1728289263000));
    assert_eq!(c.policy_id.as_deref(), Some("E06216CAA0000360"));
    assert_eq!(
        c.instance_pool_id.as_deref(),
        Some("0923-160512-curd12-pool-b8c3f1d8")
    );
    assert_eq!(c.driver_instance_pool_id, c.instance_pool_id);
    assert_eq!(c.cluster_source, Some(ClusterSource::Ui));
    assert_eq!(c.data_security_mode, Some(DataSecurityMode::SingleUser));
    assert_eq!(c.single_user_name.as_deref(), Some("alice@example.com"));
    assert_eq!(c.runtime_engine, Some(RuntimeEngine::Photon));
    assert_eq!(c.custom_tags["Team"], "analytics");
    assert_eq!(c.default_tags["ClusterId"], ID);
    assert_eq!(c.spark_conf["spark.sql.shuffle.partitions"], "200");
    assert_eq!(c.spark_env_vars["ENVIRONMENT"], "prod");
    assert_eq!(c.ssh_public_keys.len(), 1);
    let azure = c.azure_attributes.as_ref().unwrap();
    assert_eq!(
        azure.availability,
        Some(AzureAvailability::SpotWithFallbackAzure)
    );
    assert_eq!(
        (azure.first_on_demand, azure.spot_bid_max_price),
        (Some(1), Some(-1.0))
    );
    assert!(azure.log_analytics_info.is_some());
    let kinds: Vec<String> = c
        .init_scripts
        .iter()
        .map(|s| {
            let kinds = [
                s.dbfs.as_ref().map(|d| format!("dbfs:{}", d.destination)),
                s.workspace
                    .as_ref()
                    .map(|d| format!("workspace:{}", d.destination)),
                s.volumes
                    .as_ref()
                    .map(|d| format!("volumes:{}", d.destination)),
                s.abfss.as_ref().map(|d| format!("abfss:{}", d.destination)),
                s.file.as_ref().map(|d| format!("file:{}", d.destination)),
            ];
            kinds.into_iter().flatten().collect::<Vec<_>>().join(",")
        })
        .collect();
    assert_eq!(kinds.len(), 5);
    for (kind, prefix) in kinds
        .iter()
        .zip(["dbfs:", "workspace:", "volumes:", "abfss:", "file:"])
    {
        assert!(kind.starts_with(prefix), "{kind}");
    }
    let driver = c.driver.as_ref().unwrap();
    assert_eq!(driver.private_ip.as_deref(), Some("10.139.64.4"));
    assert_eq!(c.executors.len(), 2);
    assert_eq!(
        c.cluster_log_conf
            .as_ref()
            .unwrap()
            .dbfs
            .as_ref()
            .unwrap()
            .destination,
        "dbfs:/cluster-logs/analytics-shared-alice"
    );
    let clients = c.workload_type.as_ref().unwrap().clients.as_ref().unwrap();
    assert_eq!((clients.notebooks, clients.jobs), (Some(true), Some(true)));
    let docker = c.docker_image.as_ref().unwrap();
    let auth = docker.basic_auth.as_ref().unwrap();
    assert_eq!(auth.username.as_deref(), Some("contosoregistry"));
    // Secrets inside models are masked in Debug.
    let password = auth.password.as_ref().unwrap().expose().to_string();
    assert!(!password.is_empty());
    assert!(!format!("{c:?}").contains(&password));
}

#[test]
fn get_of_a_terminated_cluster_has_its_termination_reason() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.1/clusters/get",
            &[("cluster_id", "0918-130527-fjord512")],
        );
        json_ok(then, common::fixture("clusters/get_terminated.json"));
    });
    let c = common::client(&server)
        .clusters()
        .get("0918-130527-fjord512")
        .unwrap();
    mock.assert();
    assert_eq!(c.state, Some(ClusterState::Terminated));
    assert_eq!(
        (c.num_workers, c.terminated_time),
        (Some(0), Some(1728244111000))
    );
    assert!(c.executors.is_empty() && c.driver.is_none());
    let reason = c.termination_reason.unwrap();
    assert_eq!(reason.code, Some(TerminationCode::Inactivity));
    assert_eq!(reason.type_, Some(TerminationType::Success));
    assert_eq!(
        reason.parameters,
        IndexMap::from([("inactivity_duration_min".to_string(), "120".to_string())])
    );
}

#[test]
fn get_percent_encodes_the_query() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.1/clusters/get",
            &[("cluster_id", "a b&c=d/é")],
        );
        json_ok(then, json!({"cluster_id": "a b&c=d/é"}).to_string());
    });
    let c = common::client(&server).clusters().get("a b&c=d/é").unwrap();
    mock.assert();
    assert_eq!(c.cluster_id, "a b&c=d/é");
}

#[test]
fn events_posts_the_request_and_decodes_the_page() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/events",
            json!({"cluster_id": ID, "order": "ASC", "event_types": ["CREATING", "RUNNING", "RESIZING"], "limit": 3}),
        );
        json_ok(then, common::fixture("clusters/events.json"));
    });
    let page = common::client(&server)
        .clusters()
        .events(&ClusterEventRequest {
            cluster_id: ID.into(),
            order: Some(ListOrder::Asc),
            event_types: vec![
                ClusterEventType::Creating,
                ClusterEventType::Running,
                ClusterEventType::Resizing,
            ],
            limit: Some(3),
            ..Default::default()
        })
        .unwrap();
    mock.assert();
    assert_eq!(page.total_count, Some(17));
    let types: Vec<_> = page.events.iter().map(|e| e.type_.clone()).collect();
    assert_eq!(
        types,
        [
            Some(ClusterEventType::Creating),
            Some(ClusterEventType::Running),
            Some(ClusterEventType::Resizing)
        ]
    );
    let created = page.events[0].details.as_ref().unwrap();
    assert_eq!(created.user.as_deref(), Some("alice@example.com"));
    let attributes = created.attributes.as_ref().unwrap();
    assert_eq!(attributes.spark_version, "13.3.x-scala2.12");
    assert_eq!(attributes.runtime_engine, Some(RuntimeEngine::Photon));
    let running = page.events[1].details.as_ref().unwrap();
    assert_eq!(
        (running.current_num_workers, running.target_num_workers),
        (Some(2), Some(2))
    );
    let resized = page.events[2].details.as_ref().unwrap();
    assert_eq!(resized.cause, Some(ResizeCause::UserRequest));
    assert_eq!(resized.cluster_size.as_ref().unwrap().num_workers, Some(6));
    let previous = resized.previous_cluster_size.as_ref().unwrap();
    assert_eq!(previous.autoscale.as_ref().unwrap().max_workers, Some(8));
    let next = page.next_page.unwrap();
    assert_eq!(
        (next.cluster_id.as_str(), next.offset, next.limit),
        (ID, Some(3), Some(3))
    );
    assert_eq!(next.order, Some(ListOrder::Asc));
}

#[test]
fn events_with_only_the_id_sends_only_the_id() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/events", json!({"cluster_id": ID}));
        json_ok(then, "{}".into());
    });
    let request = ClusterEventRequest {
        cluster_id: ID.into(),
        ..Default::default()
    };
    let page = common::client(&server).clusters().events(&request).unwrap();
    mock.assert();
    assert!(page.events.is_empty() && page.next_page.is_none() && page.total_count.is_none());
}

/// The six operations that take only a cluster id and answer `{}`.
#[test]
fn id_operations_post_the_id_and_return_unit() {
    type Op = fn(&azure_databricks_sdk::Clusters<'_>, &str) -> azure_databricks_sdk::Result<()>;
    let ops: [(&str, Op); 6] = [
        ("/api/2.1/clusters/pin", |c, id| c.pin(id)),
        ("/api/2.1/clusters/unpin", |c, id| c.unpin(id)),
        ("/api/2.1/clusters/delete", |c, id| c.delete(id)),
        ("/api/2.1/clusters/permanent-delete", |c, id| {
            c.permanent_delete(id)
        }),
        ("/api/2.1/clusters/restart", |c, id| c.restart(id)),
        ("/api/2.1/clusters/start", |c, id| c.start(id)),
    ];
    for (path, op) in ops {
        let server = MockServer::start();
        let mock = server.mock(|when, then| {
            common::post(when, path, json!({"cluster_id": ID}));
            json_ok(then, "{}".into());
        });
        let client = common::client(&server);
        op(&client.clusters(), ID).unwrap_or_else(|e| panic!("{path}: {e}"));
        mock.assert();
    }
}

#[test]
fn id_operations_accept_an_empty_body_answer() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/start", json!({"cluster_id": ID}));
        then.status(200);
    });
    common::client(&server).clusters().start(ID).unwrap();
    mock.assert();
}

#[test]
fn resize_to_a_fixed_size_sends_only_num_workers() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/resize",
            json!({"cluster_id": ID, "num_workers": 5}),
        );
        json_ok(then, "{}".into());
    });
    let request = ClusterResizeRequest {
        cluster_id: ID.into(),
        num_workers: Some(5),
        ..Default::default()
    };
    common::client(&server).clusters().resize(&request).unwrap();
    mock.assert();
}

#[test]
fn resize_to_autoscale_sends_the_range() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/resize",
            json!({"cluster_id": ID, "autoscale": {"min_workers": 1, "max_workers": 4}}),
        );
        json_ok(then, "{}".into());
    });
    let request = ClusterResizeRequest {
        cluster_id: ID.into(),
        autoscale: Some(AutoScale {
            unknown_fields: Default::default(),
            min_workers: Some(1),
            max_workers: Some(4),
        }),
        ..Default::default()
    };
    common::client(&server).clusters().resize(&request).unwrap();
    mock.assert();
}

#[test]
fn resize_with_both_or_neither_size_is_refused_before_sending() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200).body("{}");
    });
    let clusters = common::client(&server);
    let both = ClusterResizeRequest {
        unknown_fields: Default::default(),
        cluster_id: ID.into(),
        num_workers: Some(2),
        autoscale: Some(AutoScale {
            unknown_fields: Default::default(),
            min_workers: Some(1),
            max_workers: Some(4),
        }),
    };
    let neither = ClusterResizeRequest {
        cluster_id: ID.into(),
        ..Default::default()
    };
    for request in [both, neither] {
        let err = clusters.clusters().resize(&request).unwrap_err();
        assert!(err.is_invalid_input(), "{err}");
        assert!(
            err.to_string().contains("`num_workers` or `autoscale`"),
            "{err}"
        );
    }
    mock.assert_calls(0);
}

#[test]
fn create_sends_only_the_fields_set_and_returns_the_id() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/create",
            json!({
                "cluster_name": "etl",
                "spark_version": "13.3.x-scala2.12",
                "node_type_id": "Standard_DS3_v2",
                "num_workers": 0,
                "autotermination_minutes": 30,
                "enable_elastic_disk": false,
                "spark_conf": {"spark.master": "local[*]"},
                "custom_tags": {"ResourceClass": "SingleNode"},
                "azure_attributes": {"availability": "ON_DEMAND_AZURE", "first_on_demand": 1},
                "init_scripts": [{"workspace": {"destination": "/Users/a@b.c/init.sh"}},
                                 {"volumes": {"destination": "/Volumes/main/default/s/init.sh"}},
                                 {"abfss": {"destination": "abfss://c@a.dfs.core.windows.net/init.sh"}}],
                "data_security_mode": "SINGLE_USER",
                "single_user_name": "alice@example.com",
                "runtime_engine": "STANDARD",
                "ssh_public_keys": ["ssh-ed25519 AAAA alice"],
                "idempotency_token": "etl-2026-11-30"
            }),
        );
        json_ok(then, common::fixture("clusters/create.json"));
    });
    let created = common::client(&server)
        .clusters()
        .create(&ClusterAttributes {
            cluster_name: Some("etl".into()),
            spark_version: "13.3.x-scala2.12".into(),
            node_type_id: Some("Standard_DS3_v2".into()),
            num_workers: Some(0),
            autotermination_minutes: Some(30),
            // A false value is sent, not dropped.
            enable_elastic_disk: Some(false),
            spark_conf: IndexMap::from([("spark.master".into(), "local[*]".into())]),
            custom_tags: IndexMap::from([("ResourceClass".into(), "SingleNode".into())]),
            azure_attributes: Some(AzureAttributes {
                availability: Some(AzureAvailability::OnDemandAzure),
                first_on_demand: Some(1),
                ..Default::default()
            }),
            init_scripts: vec![
                InitScriptInfo {
                    workspace: Some(WorkspaceStorageInfo {
                        unknown_fields: Default::default(),
                        destination: "/Users/a@b.c/init.sh".into(),
                    }),
                    ..Default::default()
                },
                InitScriptInfo {
                    volumes: Some(VolumesStorageInfo {
                        unknown_fields: Default::default(),
                        destination: "/Volumes/main/default/s/init.sh".into(),
                    }),
                    ..Default::default()
                },
                InitScriptInfo {
                    abfss: Some(AbfssStorageInfo {
                        unknown_fields: Default::default(),
                        destination: "abfss://c@a.dfs.core.windows.net/init.sh".into(),
                    }),
                    ..Default::default()
                },
            ],
            data_security_mode: Some(DataSecurityMode::SingleUser),
            single_user_name: Some("alice@example.com".into()),
            runtime_engine: Some(RuntimeEngine::Standard),
            ssh_public_keys: vec!["ssh-ed25519 AAAA alice".into()],
            // The caller's token is sent as is (without one the SDK sets a random one).
            idempotency_token: Some("etl-2026-11-30".into()),
            ..Default::default()
        })
        .unwrap();
    mock.assert();
    assert_eq!(created.cluster_id, "1007-093512-7yxq3kfa");
}

#[test]
fn create_without_spark_version_or_with_two_sizes_is_refused() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200).body("{}");
    });
    let client = common::client(&server);
    let err = client
        .clusters()
        .create(&ClusterAttributes::default())
        .unwrap_err();
    assert!(
        err.is_invalid_input() && err.to_string().contains("spark_version"),
        "{err}"
    );
    let both = ClusterAttributes {
        spark_version: "13.3.x-scala2.12".into(),
        num_workers: Some(1),
        autoscale: Some(AutoScale::default()),
        ..Default::default()
    };
    assert!(
        client
            .clusters()
            .create(&both)
            .unwrap_err()
            .is_invalid_input()
    );
    mock.assert_calls(0);
}

#[test]
fn edit_sends_the_full_configuration_with_the_id() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/edit",
            json!({"cluster_id": ID, "spark_version": "14.3.x-scala2.12", "node_type_id": "Standard_E8ds_v4",
                   "autoscale": {"min_workers": 2, "max_workers": 10}, "policy_id": "E06216CAA0000360",
                   "apply_policy_default_values": true}),
        );
        json_ok(then, "{}".into());
    });
    common::client(&server)
        .clusters()
        .edit(&ClusterAttributes {
            cluster_id: Some(ID.into()),
            spark_version: "14.3.x-scala2.12".into(),
            node_type_id: Some("Standard_E8ds_v4".into()),
            autoscale: Some(AutoScale {
                unknown_fields: Default::default(),
                min_workers: Some(2),
                max_workers: Some(10),
            }),
            policy_id: Some("E06216CAA0000360".into()),
            apply_policy_default_values: Some(true),
            ..Default::default()
        })
        .unwrap();
    mock.assert();
}

#[test]
fn edit_without_cluster_id_is_refused_before_sending() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200).body("{}");
    });
    let request = ClusterAttributes {
        spark_version: "13.3.x-scala2.12".into(),
        num_workers: Some(1),
        ..Default::default()
    };
    let err = common::client(&server)
        .clusters()
        .edit(&request)
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert_eq!(err.to_string(), "invalid cluster_id: must be set");
    mock.assert_calls(0);
}

#[test]
fn empty_or_blank_cluster_ids_are_refused_before_sending() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200).body("{}");
    });
    let client = common::client(&server);
    for id in ["", "   "] {
        assert!(client.clusters().get(id).unwrap_err().is_invalid_input());
        assert!(client.clusters().start(id).unwrap_err().is_invalid_input());
        assert!(
            client
                .clusters()
                .permanent_delete(id)
                .unwrap_err()
                .is_invalid_input()
        );
    }
    mock.assert_calls(0);
}

#[test]
fn unknown_enum_values_and_unknown_fields_survive_a_round_trip() {
    let server = MockServer::start();
    let body = json!({
        "cluster_id": ID,
        "state": "HIBERNATING",
        "data_security_mode": "DATA_SECURITY_MODE_AUTO",
        "brand_new_field": {"nested": [1, 2, 3]},
        "termination_reason": {"code": "SOME_FUTURE_CODE", "type": "SUCCESS", "parameters": {"k": "v"}},
        "kind": "CLASSIC_PREVIEW"
    });
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", ID)]);
        json_ok(then, body.to_string());
    });
    let c = common::client(&server).clusters().get(ID).unwrap();
    mock.assert();
    assert_eq!(c.state, Some(ClusterState::Unknown("HIBERNATING".into())));
    assert_eq!(c.state.as_ref().unwrap().as_str(), "HIBERNATING");
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(back["state"], "HIBERNATING");
    assert_eq!(back["data_security_mode"], "DATA_SECURITY_MODE_AUTO");
    assert_eq!(back["termination_reason"]["code"], "SOME_FUTURE_CODE");
    assert_eq!(
        back, body,
        "decode then encode gives back what the service sent"
    );
    assert_eq!(
        c.unknown_fields.get("brand_new_field"),
        Some(&json!({"nested": [1, 2, 3]}))
    );
}

fn cluster(id: &str, name: &str) -> serde_json::Value {
    json!({"cluster_id": id, "cluster_name": name, "state": "RUNNING", "spark_version": "15.4.x-scala2.12"})
}

#[test]
fn list_with_sends_nested_filters_as_dotted_repeated_query_keys() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.1/clusters/list",
            &[
                ("filter_by.cluster_sources", "UI"),
                ("filter_by.cluster_sources", "API"),
                ("filter_by.cluster_states", "RUNNING"),
                ("filter_by.cluster_states", "PENDING"),
                ("filter_by.is_pinned", "true"),
                ("filter_by.policy_id", "E06216CAA0000360"),
                ("page_size", "50"),
                ("sort_by.direction", "DESC"),
                ("sort_by.field", "CLUSTER_NAME"),
            ],
        );
        json_ok(then, json!({"clusters": [cluster("a", "etl")]}).to_string());
    });
    let clusters = common::client(&server)
        .clusters()
        .list_with(&ListClustersRequest {
            filter_by: Some(ListClustersFilterBy {
                cluster_sources: vec![ClusterSource::Ui, ClusterSource::Api],
                cluster_states: vec![ClusterState::Running, ClusterState::Pending],
                is_pinned: Some(true),
                policy_id: Some("E06216CAA0000360".into()),
                ..Default::default()
            }),
            page_size: Some(50),
            sort_by: Some(ListClustersSortBy {
                direction: Some(ListClustersSortByDirection::Desc),
                field: Some(ListClustersSortByField::ClusterName),
                ..Default::default()
            }),
            ..Default::default()
        })
        .unwrap();
    mock.assert();
    assert_eq!(clusters.len(), 1);
}

#[test]
fn list_follows_page_tokens_until_a_page_has_none() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        json_ok(
            then,
            json!({"clusters": [cluster("a", "one"), cluster("b", "two")], "next_page_token": "t2"})
                .to_string(),
        );
    });
    let second = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[("page_token", "t2")]);
        json_ok(
            then,
            json!({"clusters": [cluster("c", "three")], "next_page_token": "", "prev_page_token": "t1"})
                .to_string(),
        );
    });
    let client = common::client(&server);
    let mut lazy = client.clusters().list_iter(&ListClustersRequest::default());
    first.assert_calls(0);
    assert_eq!(lazy.next().unwrap().unwrap().cluster_id, "a");
    first.assert_calls(1);
    second.assert_calls(0);
    let ids: Vec<String> = client
        .clusters()
        .list()
        .unwrap()
        .into_iter()
        .map(|c| c.cluster_id)
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    first.assert_calls(2);
    second.assert_calls(1);
}

#[test]
fn a_page_token_the_service_repeats_ends_the_listing_with_an_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        json_ok(
            then,
            json!({"clusters": [cluster("a", "one")], "next_page_token": "t2"}).to_string(),
        );
    });
    let again = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[("page_token", "t2")]);
        json_ok(
            then,
            json!({"clusters": [cluster("b", "two")], "next_page_token": "t2"}).to_string(),
        );
    });
    let err = common::client(&server).clusters().list().unwrap_err();
    again.assert_calls(1);
    assert!(
        matches!(err, azure_databricks_sdk::Error::RepeatedPage { .. }),
        "{err:?}"
    );
}

#[test]
fn update_sends_the_id_the_mask_and_only_the_fields_set() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/update",
            json!({"cluster_id": ID, "cluster": {"autotermination_minutes": 60, "num_workers": 4},
                   "update_mask": "autotermination_minutes,num_workers"}),
        );
        json_ok(then, "{}".into());
    });
    let spec = ClusterSpec {
        autotermination_minutes: Some(60),
        num_workers: Some(4),
        ..Default::default()
    };
    common::client(&server)
        .clusters()
        .update(ID, &spec, "autotermination_minutes,num_workers")
        .unwrap();
    mock.assert();
    let err = common::client(&server)
        .clusters()
        .update(ID, &spec, " ")
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
    mock.assert_calls(1);
}

/// `get` answers with a `spec` holding a setting this SDK does not know; `ClusterAttributes::from`
/// turns it into an edit that sends every setting back, the unknown one included.
#[test]
fn get_then_edit_of_one_setting_sends_every_other_setting_unchanged() {
    let server = MockServer::start();
    let spec = json!({
        "spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2", "num_workers": 2,
        "data_security_mode": "SINGLE_USER", "single_user_name": "alice@example.com",
        "kind": "CLASSIC_PREVIEW", "is_single_node": false, "custom_tags": {"team": "data"},
        "spark_conf": {"spark.speculation": "true"}, "autotermination_minutes": 30,
        "future_setting": {"enabled": true, "level": 3}
    });
    let mut info = spec.clone();
    info["cluster_id"] = json!(ID);
    info["state"] = json!("RUNNING");
    info["spec"] = spec.clone();
    info["default_tags"] = json!({"Vendor": "Databricks"});
    server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", ID)]);
        json_ok(then, info.to_string());
    });
    let mut expected = spec.clone();
    expected["cluster_id"] = json!(ID);
    expected["autotermination_minutes"] = json!(120);
    let edit = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/edit", expected);
        json_ok(then, "{}".into());
    });
    let client = common::client(&server);
    let cluster = client.clusters().get(ID).unwrap();
    let mut request = ClusterAttributes::from(&cluster);
    request.autotermination_minutes = Some(120);
    client.clusters().edit(&request).unwrap();
    edit.assert();
}

#[test]
fn without_a_spec_the_edit_comes_from_the_setting_fields_of_the_cluster() {
    let info = json!({
        "cluster_id": ID, "state": "TERMINATED", "spark_version": "15.4.x-scala2.12",
        "node_type_id": "Standard_DS3_v2", "autoscale": {"min_workers": 1, "max_workers": 4},
        "default_tags": {"Vendor": "Databricks"}, "start_time": 1727000000000i64,
        "read_only_novelty": 1
    });
    let cluster: ClusterInfo = serde_json::from_value(info).unwrap();
    let request = ClusterAttributes::from(&cluster);
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"cluster_id": ID, "spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2",
               "autoscale": {"min_workers": 1, "max_workers": 4}}),
        "read-only fields, known or not, are not sent back"
    );
}

#[test]
fn get_by_name_finds_one_cluster_none_or_refuses_to_guess() {
    let server = MockServer::start();
    server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/list", &[]);
        json_ok(
            then,
            json!({"clusters": [cluster("a", "etl"), cluster("b", "adhoc"), cluster("c", "adhoc")]})
                .to_string(),
        );
    });
    let get = server.mock(|when, then| {
        common::get(when, "/api/2.1/clusters/get", &[("cluster_id", "a")]);
        json_ok(then, cluster("a", "etl").to_string());
    });
    let clusters = common::client(&server);
    let clusters = clusters.clusters();
    assert_eq!(
        clusters.get_by_name("etl").unwrap().unwrap().cluster_id,
        "a"
    );
    get.assert();
    assert!(clusters.get_by_name("nope").unwrap().is_none());
    let err = clusters.get_by_name("adhoc").unwrap_err();
    assert_eq!(
        err.to_string(),
        "2 match cluster name `adhoc`: b, c; use the id"
    );
}
