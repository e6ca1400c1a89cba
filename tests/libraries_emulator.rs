//! Libraries against the workspace emulator: PENDING → INSTALLING → INSTALLED once the
//! cluster runs, the waiting form (success, failure naming each failed library, a terminated
//! cluster waited for), uninstall, and who may install.

use std::time::Duration;

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::models::{
    ClusterAttributes, ClusterLibraryStatuses, InstallLibrariesRequest, Library,
    LibraryInstallStatus, MavenLibrary, PythonPyPiLibrary,
};
use azure_databricks_sdk::{Client, Error, LibrariesWait, Wait};

fn pypi(package: &str) -> Library {
    Library {
        pypi: Some(PythonPyPiLibrary {
            package: package.into(),
            repo: None,
            unknown_fields: Default::default(),
        }),
        ..Default::default()
    }
}

fn running_cluster(client: &Client) -> String {
    client
        .clusters()
        .create_and_wait(
            &ClusterAttributes {
                spark_version: "15.4.x-scala2.12".into(),
                node_type_id: Some("Standard_DS3_v2".into()),
                num_workers: Some(1),
                ..Default::default()
            },
            Wait::default(),
        )
        .unwrap()
        .cluster_id
}

fn install(cluster: &str, libraries: Vec<Library>) -> InstallLibrariesRequest {
    InstallLibrariesRequest {
        cluster_id: cluster.into(),
        libraries,
        ..Default::default()
    }
}

fn statuses(client: &Client, cluster: &str) -> Vec<LibraryInstallStatus> {
    client
        .libraries()
        .cluster_status(cluster)
        .unwrap()
        .library_statuses
        .into_iter()
        .map(|s| s.status.unwrap())
        .collect()
}

#[test]
fn libraries_move_to_installed_in_emulated_time_and_the_wait_sees_each_change() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let cluster = running_cluster(&client);
    let request = install(
        &cluster,
        vec![
            pypi("simplejson==3.8.0"),
            Library {
                maven: Some(MavenLibrary {
                    coordinates: "org.jsoup:jsoup:1.7.2".into(),
                    repo: None,
                    exclusions: vec![],
                    unknown_fields: Default::default(),
                }),
                ..Default::default()
            },
        ],
    );
    let mut seen = Vec::new();
    let done = client
        .libraries()
        .install_and_wait(
            &request,
            LibrariesWait::default().on_change(|s: &ClusterLibraryStatuses| {
                seen.push(s.library_statuses[0].status.clone().unwrap().to_string());
            }),
        )
        .unwrap();
    assert!(
        done.library_statuses
            .iter()
            .all(|s| s.status == Some(LibraryInstallStatus::Installed))
    );
    assert_eq!(seen, ["RESOLVING", "INSTALLING", "INSTALLED"]);
    let all = client.libraries().all_cluster_statuses().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].cluster_id.as_deref(), Some(cluster.as_str()));

    // Uninstall: an installed library waits for the restart.
    client
        .libraries()
        .uninstall(&install(&cluster, vec![pypi("simplejson==3.8.0")]))
        .unwrap();
    assert_eq!(
        statuses(&client, &cluster),
        [
            LibraryInstallStatus::UninstallOnRestart,
            LibraryInstallStatus::Installed
        ]
    );
}

#[test]
fn a_failing_library_ends_the_wait_naming_it_with_its_messages() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let cluster = running_cluster(&client);
    let err = client
        .libraries()
        .install_and_wait(
            &install(
                &cluster,
                vec![pypi("simplejson"), pypi("does-not-exist==1.0")],
            ),
            Duration::from_secs(600),
        )
        .unwrap_err();
    let text = err.to_string();
    let Error::Wait(wait) = &err else {
        panic!("a wait error: {err:?}")
    };
    assert_eq!(wait.state(), Some("FAILED"));
    let message = wait.state_message().unwrap();
    assert!(
        message.contains("pypi does-not-exist==1.0 FAILED"),
        "{message}"
    );
    assert!(message.contains("could not be found"), "{message}");
    assert!(
        !message.contains("pypi simplejson "),
        "only the failed one: {message}"
    );
    let last: &ClusterLibraryStatuses = wait.last().unwrap();
    assert_eq!(last.library_statuses.len(), 2);
    assert!(text.contains("libraries of cluster"), "{text}");
}

#[test]
fn libraries_of_a_terminated_cluster_stay_pending_until_it_starts() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let cluster = running_cluster(&client);
    client
        .clusters()
        .delete_and_wait(&cluster, Wait::default())
        .unwrap();
    let request = install(&cluster, vec![pypi("simplejson")]);
    client.libraries().install(&request).unwrap();
    ws.advance(Duration::from_secs(3600));
    assert_eq!(statuses(&client, &cluster), [LibraryInstallStatus::Pending]);

    // The wait does not start the cluster: it times out, the library still PENDING.
    let err = client
        .libraries()
        .wait_installed(&cluster, &request.libraries, Duration::from_secs(120))
        .unwrap_err();
    let Error::Wait(wait) = &err else {
        panic!("a wait error: {err:?}")
    };
    assert!(wait.state_message().unwrap().contains("PENDING"), "{err}");
    assert!(wait.timed_out().is_some());

    // Once someone starts it, the same wait ends with the library installed.
    client.clusters().start(&cluster).unwrap();
    let done = client
        .libraries()
        .wait_installed(&cluster, &request.libraries, Duration::from_secs(1200))
        .unwrap();
    assert_eq!(
        done.library_statuses[0].status,
        Some(LibraryInstallStatus::Installed)
    );
}

#[test]
fn installing_needs_can_manage_and_a_library_of_one_kind() {
    let ws = Emulator::start().unwrap();
    let admin = ws.client();
    let cluster = running_cluster(&admin);
    let bob = ws.client_as(&ws.add_user("bob@example.com"));
    let err = bob
        .libraries()
        .install(&install(&cluster, vec![pypi("simplejson")]))
        .unwrap_err();
    assert_eq!(err.error_code(), Some("PERMISSION_DENIED"));
    let two_kinds = Library {
        jar: Some("/Volumes/a.jar".into()),
        ..pypi("x")
    };
    let err = admin
        .libraries()
        .install(&install(&cluster, vec![two_kinds]))
        .unwrap_err();
    assert_eq!(err.error_code(), Some("INVALID_PARAMETER_VALUE"));
    assert!(
        admin
            .libraries()
            .cluster_status("0101-000000-nothere1")
            .unwrap_err()
            .is_not_found()
    );
}
