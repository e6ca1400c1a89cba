//! Wire tests of the Libraries API: every library kind, statuses (unknown ones kept).

mod common;

use azure_databricks_sdk::models::{
    InstallLibrariesRequest, Library, LibraryInstallStatus, MavenLibrary, PythonPyPiLibrary,
    RCranLibrary,
};
use httpmock::prelude::*;
use serde_json::{Value, json};

const CLUSTER: &str = "0923-164208-meows279";

fn every_kind() -> Vec<Library> {
    vec![
        Library {
            jar: Some("/Volumes/main/default/libs/etl.jar".into()),
            ..Default::default()
        },
        Library {
            whl: Some("/Workspace/Shared/libs/etl-1.0-py3-none-any.whl".into()),
            ..Default::default()
        },
        Library {
            requirements: Some("/Workspace/Shared/requirements.txt".into()),
            ..Default::default()
        },
        Library {
            pypi: Some(PythonPyPiLibrary {
                package: "simplejson==3.8.0".into(),
                repo: Some("https://pypi.example.com/simple".into()),
                unknown_fields: Default::default(),
            }),
            ..Default::default()
        },
        Library {
            maven: Some(MavenLibrary {
                coordinates: "org.jsoup:jsoup:1.7.2".into(),
                repo: Some("https://maven.example.com".into()),
                exclusions: vec!["slf4j:slf4j".into(), "*:hadoop-client".into()],
                unknown_fields: Default::default(),
            }),
            ..Default::default()
        },
        Library {
            cran: Some(RCranLibrary {
                package: "ada".into(),
                repo: Some("https://cran.us.r-project.org".into()),
                unknown_fields: Default::default(),
            }),
            ..Default::default()
        },
    ]
}

fn every_kind_json() -> Value {
    json!([
        {"jar": "/Volumes/main/default/libs/etl.jar"},
        {"whl": "/Workspace/Shared/libs/etl-1.0-py3-none-any.whl"},
        {"requirements": "/Workspace/Shared/requirements.txt"},
        {"pypi": {"package": "simplejson==3.8.0", "repo": "https://pypi.example.com/simple"}},
        {"maven": {"coordinates": "org.jsoup:jsoup:1.7.2", "repo": "https://maven.example.com", "exclusions": ["slf4j:slf4j", "*:hadoop-client"]}},
        {"cran": {"package": "ada", "repo": "https://cran.us.r-project.org"}}
    ])
}

fn request() -> InstallLibrariesRequest {
    InstallLibrariesRequest {
        cluster_id: CLUSTER.into(),
        libraries: every_kind(),
        ..Default::default()
    }
}

#[test]
fn install_and_uninstall_post_every_library_kind() {
    let server = MockServer::start();
    let body = json!({"cluster_id": CLUSTER, "libraries": every_kind_json()});
    let install = server.mock(|when, then| {
        common::post(when, "/api/2.0/libraries/install", body.clone());
        then.status(200).json_body(json!({}));
    });
    let uninstall = server.mock(|when, then| {
        common::post(when, "/api/2.0/libraries/uninstall", body.clone());
        then.status(200).json_body(json!({}));
    });
    let client = common::client(&server);
    client.libraries().install(&request()).unwrap();
    client.libraries().uninstall(&request()).unwrap();
    install.assert();
    uninstall.assert();
    let err = client
        .libraries()
        .install(&InstallLibrariesRequest::default())
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
}

fn statuses_json() -> Value {
    let statuses = [
        "PENDING",
        "RESOLVING",
        "INSTALLING",
        "INSTALLED",
        "FAILED",
        "UNINSTALL_ON_RESTART",
        "SKIPPED",
        "RESTORED",
        "QUEUED_SOMEDAY",
    ];
    json!({
        "cluster_id": CLUSTER,
        "library_statuses": statuses.iter().map(|s| json!({
            "library": {"pypi": {"package": format!("pkg-{}", s.to_lowercase())}},
            "status": s,
            "messages": if *s == "FAILED" { json!(["Library installation failed: no matching distribution"]) } else { json!([]) },
            "is_library_for_all_clusters": false
        })).collect::<Vec<_>>()
    })
}

#[test]
fn cluster_status_decodes_every_status_and_keeps_unknown_ones() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(
            when,
            "/api/2.0/libraries/cluster-status",
            &[("cluster_id", CLUSTER)],
        );
        then.status(200).json_body(statuses_json());
    });
    let statuses = common::client(&server)
        .libraries()
        .cluster_status(CLUSTER)
        .unwrap();
    mock.assert();
    let kinds: Vec<LibraryInstallStatus> = statuses
        .library_statuses
        .iter()
        .map(|s| s.status.clone().unwrap())
        .collect();
    assert_eq!(kinds[3], LibraryInstallStatus::Installed);
    assert_eq!(kinds[5], LibraryInstallStatus::UninstallOnRestart);
    assert_eq!(kinds[8], LibraryInstallStatus::from("QUEUED_SOMEDAY"));
    assert_eq!(
        statuses.library_statuses[4].messages,
        ["Library installation failed: no matching distribution"]
    );
    let mut expected = statuses_json();
    // Empty lists are not written back.
    for s in expected["library_statuses"].as_array_mut().unwrap() {
        if s["messages"] == json!([]) {
            s.as_object_mut().unwrap().remove("messages");
        }
    }
    assert_eq!(serde_json::to_value(&statuses).unwrap(), expected);
}

#[test]
fn all_cluster_statuses_lists_each_cluster() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::get(when, "/api/2.0/libraries/all-cluster-statuses", &[]);
        then.status(200)
            .json_body(json!({"statuses": [statuses_json(), {"cluster_id": "other"}]}));
    });
    let all = common::client(&server)
        .libraries()
        .all_cluster_statuses()
        .unwrap();
    mock.assert();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].library_statuses.len(), 9);
    assert!(all[1].library_statuses.is_empty());
}
