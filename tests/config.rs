//! Configuration resolution: code > environment > profile of the config file, the profile
//! rules, malformed files, ambiguity and `auth_type`. Every test injects its environment and
//! writes its own file: the developer's environment and `~/.databrickscfg` are never read.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use azure_databricks_sdk::{AUTH_TYPES, AzureCloud, Client, Config, ConfigBuilder, ValueSource};

const HOST: &str = "adb-1234567890123456.7.azuredatabricks.net";
const TOKEN: &str = "dapi0123456789abcdef0123456789abcd";
const SECRET: &str = "pass#word;with spaces";

/// A temporary directory holding `.databrickscfg` with `text`.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn with_file(text: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".databrickscfg"), text).unwrap();
        Home { dir }
    }

    fn empty() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join(".databrickscfg")
    }

    /// `HOME` pointing here (so `~/.databrickscfg` is this file), plus `pairs`; and an empty
    /// `PATH`, so that no real `az` is ever found.
    fn env(&self, pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let mut env = common::env(pairs);
        env.insert("HOME".into(), self.path().display().to_string());
        env.insert("USERPROFILE".into(), self.path().display().to_string());
        env.entry("PATH".into())
            .or_insert_with(|| self.path().join("no-bin").display().to_string());
        env
    }

    fn builder(&self, pairs: &[(&str, &str)]) -> ConfigBuilder {
        Config::builder().environment(self.env(pairs))
    }
}

fn from_env(variable: &str) -> ValueSource {
    ValueSource::Environment {
        variable: variable.into(),
    }
}

fn from_file(home: &Home, profile: &str) -> ValueSource {
    ValueSource::ConfigFile {
        path: home.file(),
        profile: profile.into(),
    }
}

const PROFILES: &str = "\
; written by hand
[DEFAULT]
host = https://default-host.azuredatabricks.net
token = dapi-default

[__settings__]
default_profile = DEFAULT

[prod]
host = https://prod.azuredatabricks.net   # inline comment
azure_client_id = 8a7c2f1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b
azure_client_secret = pass#word;with spaces
azure_tenant_id = 72f988bf-86f1-41af-91ab-2d7cd011db47
azure_workspace_resource_id = /subscriptions/s/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/ws
azure_environment = usgovernment
azure_use_msi = false
auth_type = azure-client-secret
cluster_id = 0923-164208-meows279
";

// ---------------------------------------------------------------------------------------------
// precedence

#[test]
fn code_beats_environment_beats_file() {
    let home = Home::with_file(
        "[DEFAULT]\nhost = file-host\ntoken = file-token\nazure_tenant_id = file-tenant\n",
    );
    let config = home
        .builder(&[
            ("DATABRICKS_HOST", "env-host"),
            ("DATABRICKS_TOKEN", "env-token"),
        ])
        .host("code-host")
        .build()
        .unwrap();
    // No profile named and host + token complete without the file: it is not read.
    assert_eq!(config.host(), Some("code-host"));
    assert_eq!(config.token().unwrap().expose(), "env-token");
    assert_eq!(config.azure_tenant_id(), None);
    assert_eq!(config.config_file(), None);

    let config = home
        .builder(&[("DATABRICKS_TOKEN", "env-token")])
        .azure_tenant_id("code-tenant")
        .build()
        .unwrap();
    assert_eq!(config.host(), Some("file-host"));
    assert_eq!(config.source("host"), Some(&from_file(&home, "DEFAULT")));
    assert_eq!(config.token().unwrap().expose(), "env-token");
    assert_eq!(config.source("token"), Some(&from_env("DATABRICKS_TOKEN")));
    assert_eq!(config.azure_tenant_id(), Some("code-tenant"));
    assert_eq!(config.source("azure_tenant_id"), Some(&ValueSource::Code));
    assert_eq!(config.config_file(), Some(home.file().as_path()));
}

#[test]
fn every_attribute_has_its_variable_and_profile_key() {
    let table = [
        ("host", "DATABRICKS_HOST", "h.azuredatabricks.net"),
        ("token", "DATABRICKS_TOKEN", "dapi1"),
        ("azure_client_id", "ARM_CLIENT_ID", "cid"),
        ("azure_client_secret", "ARM_CLIENT_SECRET", "sec"),
        ("azure_tenant_id", "ARM_TENANT_ID", "tid"),
        (
            "azure_workspace_resource_id",
            "DATABRICKS_AZURE_RESOURCE_ID",
            "/subscriptions/x",
        ),
        ("azure_use_msi", "ARM_USE_MSI", "true"),
        ("azure_environment", "ARM_ENVIRONMENT", "CHINA"),
        ("auth_type", "DATABRICKS_AUTH_TYPE", "pat"),
        ("client_id", "DATABRICKS_CLIENT_ID", "sp-app-id"),
        ("client_secret", "DATABRICKS_CLIENT_SECRET", "dose1"),
        (
            "databricks_cli_path",
            "DATABRICKS_CLI_PATH",
            "/opt/databricks",
        ),
        (
            "databricks_id_token_filepath",
            "DATABRICKS_OIDC_TOKEN_FILEPATH",
            "/var/run/token",
        ),
        (
            "cluster_id",
            "DATABRICKS_CLUSTER_ID",
            "0923-164208-meows279",
        ),
        ("rate_limit", "DATABRICKS_RATE_LIMIT", "15"),
        (
            "actions_id_token_request_url",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://gh/x",
        ),
        (
            "azure_federated_token_file",
            "AZURE_FEDERATED_TOKEN_FILE",
            "/f",
        ),
        (
            "azure_authority_host",
            "AZURE_AUTHORITY_HOST",
            "https://login/",
        ),
    ];
    for (key, variable, value) in table {
        let home = Home::with_file(&format!("[p]\n{key} = {value}\n"));
        let config = home
            .builder(&[("DATABRICKS_CONFIG_PROFILE", "p")])
            .build()
            .unwrap();
        assert_eq!(config.source(key), Some(&from_file(&home, "p")), "{key}");

        let config = home
            .builder(&[("DATABRICKS_CONFIG_PROFILE", "p"), (variable, value)])
            .build()
            .unwrap();
        assert_eq!(config.source(key), Some(&from_env(variable)), "{key}");
    }
    let home = Home::with_file(PROFILES);
    let config = home.builder(&[]).profile("prod").build().unwrap();
    assert_eq!(config.host(), Some("https://prod.azuredatabricks.net"));
    assert_eq!(config.azure_client_secret().unwrap().expose(), SECRET);
    assert_eq!(config.azure_cloud(), AzureCloud::UsGovernment);
    assert_eq!(config.auth_type(), Some("azure-client-secret"));
    assert!(!config.azure_use_msi());
    assert_eq!(config.cluster_id(), Some("0923-164208-meows279"));
    let home = Home::with_file("[p]\nwarehouse_id = w1\n");
    let config = home.builder(&[]).profile("p").build().unwrap();
    assert_eq!(
        config.source("warehouse_id"),
        None,
        "unknown keys are ignored"
    );
}

#[test]
fn empty_environment_values_count_as_unset() {
    let home = Home::with_file("[DEFAULT]\nhost = file-host\n");
    let config = home.builder(&[("DATABRICKS_HOST", "")]).build().unwrap();
    assert_eq!(config.host(), Some("file-host"));
}

#[test]
fn the_cloud_comes_from_arm_environment_else_the_host() {
    let home = Home::empty();
    let cloud = |pairs: &[(&str, &str)]| home.builder(pairs).build().unwrap().azure_cloud();
    assert_eq!(
        cloud(&[("DATABRICKS_HOST", "adb-1.2.databricks.azure.cn")]),
        AzureCloud::China
    );
    assert_eq!(
        cloud(&[
            ("DATABRICKS_HOST", "adb-1.2.databricks.azure.cn"),
            ("ARM_ENVIRONMENT", "PUBLIC")
        ]),
        AzureCloud::Public
    );
    assert_eq!(
        cloud(&[("DATABRICKS_HOST", "http://127.0.0.1:1")]),
        AzureCloud::Public
    );
}

// ---------------------------------------------------------------------------------------------
// the file and its profiles

#[test]
fn the_file_is_not_read_when_host_and_credentials_are_complete() {
    // The file is malformed: reading it would fail.
    let home = Home::with_file("[DEFAULT\nthis is not ini\n");
    for pairs in [
        &[("DATABRICKS_HOST", HOST), ("DATABRICKS_TOKEN", TOKEN)][..],
        &[
            ("DATABRICKS_HOST", HOST),
            ("ARM_CLIENT_ID", "c"),
            ("ARM_CLIENT_SECRET", "s"),
            ("ARM_TENANT_ID", "t"),
        ],
        &[("DATABRICKS_HOST", HOST), ("ARM_USE_MSI", "1")],
        &[
            ("DATABRICKS_HOST", HOST),
            ("DATABRICKS_AUTH_TYPE", "azure-cli"),
        ],
    ] {
        let config = home.builder(pairs).build().unwrap();
        assert_eq!(config.config_file(), None, "{pairs:?}");
        assert!(format!("{config:?}").contains("not read (host and credentials were complete)"));
    }
    // Incomplete credentials, or a named profile: the file is read.
    for pairs in [
        &[("DATABRICKS_HOST", HOST)][..],
        &[("DATABRICKS_HOST", HOST), ("ARM_CLIENT_ID", "c")],
        &[("DATABRICKS_HOST", HOST), ("DATABRICKS_CLIENT_ID", "c")],
        &[
            ("DATABRICKS_HOST", HOST),
            ("DATABRICKS_TOKEN", TOKEN),
            ("DATABRICKS_CONFIG_PROFILE", "x"),
        ],
        &[
            ("DATABRICKS_HOST", HOST),
            ("DATABRICKS_TOKEN", TOKEN),
            ("DATABRICKS_AUTH_TYPE", "azure-client-secret"),
        ],
    ] {
        let err = home.builder(pairs).build().unwrap_err().to_string();
        assert!(err.contains("line 1"), "{pairs:?}: {err}");
    }
}

#[test]
fn the_profile_is_named_in_code_else_by_the_environment_else_by_settings_else_default() {
    let home = Home::with_file(
        "[__settings__]\ndefault_profile = dev\n[DEFAULT]\nhost = h-default\n[dev]\nhost = h-dev\n[env]\nhost = h-env\n[code]\nhost = h-code\n",
    );
    let host = |builder: ConfigBuilder| builder.build().unwrap().host().unwrap().to_string();
    assert_eq!(
        host(
            home.builder(&[("DATABRICKS_CONFIG_PROFILE", "env")])
                .profile("code")
        ),
        "h-code"
    );
    assert_eq!(
        host(home.builder(&[("DATABRICKS_CONFIG_PROFILE", "env")])),
        "h-env"
    );
    assert_eq!(host(home.builder(&[])), "h-dev");
    let config = home.builder(&[]).build().unwrap();
    assert_eq!(config.profile(), Some("dev"));

    let home = Home::with_file("[DEFAULT]\nhost = h-default\n[dev]\nhost = h-dev\n");
    assert_eq!(host(home.builder(&[])), "h-default");
}

#[test]
fn a_missing_named_profile_is_an_error_and_a_missing_default_is_not() {
    let home = Home::with_file("[dev]\nhost = h\n[prod]\nhost = p\n");
    let err = home
        .builder(&[("DATABRICKS_CONFIG_PROFILE", "staging")])
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no profile [staging]"), "{err}");
    assert!(
        err.contains("named by env DATABRICKS_CONFIG_PROFILE"),
        "{err}"
    );
    assert!(err.contains("its profiles: dev, prod"), "{err}");
    assert!(err.contains(&home.file().display().to_string()), "{err}");

    // No [DEFAULT]: nothing comes from the file, and that is fine.
    let config = home
        .builder(&[("DATABRICKS_TOKEN", TOKEN)])
        .build()
        .unwrap();
    assert_eq!(config.host(), None);
    assert!(format!("{config:?}").contains("has no [DEFAULT] profile"));
    let err = Client::from_config(&config).unwrap_err().to_string();
    assert!(err.contains("no workspace host"), "{err}");

    // [__settings__] naming a missing profile is an error too.
    let home = Home::with_file("[__settings__]\ndefault_profile = gone\n[DEFAULT]\nhost = h\n");
    let err = home.builder(&[]).build().unwrap_err().to_string();
    assert!(
        err.contains("no profile [gone] (named by [__settings__] default_profile)"),
        "{err}"
    );
}

#[test]
fn a_missing_default_file_is_fine_and_an_explicit_one_is_not() {
    let home = Home::empty();
    let config = home.builder(&[("DATABRICKS_HOST", HOST)]).build().unwrap();
    assert!(format!("{config:?}").contains("no config file at"));

    let missing = home.path().join("nope.cfg");
    let missing_text = missing.display().to_string();
    let err = home
        .builder(&[
            ("DATABRICKS_HOST", HOST),
            ("DATABRICKS_CONFIG_FILE", &missing_text),
        ])
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("does not exist") && err.contains("env DATABRICKS_CONFIG_FILE"),
        "{err}"
    );

    let err = home
        .builder(&[])
        .profile("dev")
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("profile [dev] was asked for"), "{err}");

    // Without HOME there is no default file, and nothing of the real home is read.
    let config = Config::builder()
        .environment(common::env(&[]))
        .build()
        .unwrap();
    assert!(format!("{config:?}").contains("no config file (no home directory)"));
    assert_eq!(config.host(), None);
}

#[test]
fn config_file_paths_expand_the_home_directory() {
    let home = Home::empty();
    std::fs::write(
        home.path().join("other.cfg"),
        "[DEFAULT]\nhost = from-other\n",
    )
    .unwrap();
    let config = home
        .builder(&[("DATABRICKS_CONFIG_FILE", "~/other.cfg")])
        .build()
        .unwrap();
    assert_eq!(config.host(), Some("from-other"));
    let config = home
        .builder(&[])
        .config_file(home.path().join("other.cfg"))
        .build()
        .unwrap();
    assert_eq!(config.host(), Some("from-other"));
}

#[test]
fn a_malformed_file_gives_the_line_number() {
    let home = Home::with_file("[DEFAULT]\nhost = h\n\n[prod\ntoken = t\n");
    let err = home.builder(&[]).build().unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "cannot parse config file {}: line 4:",
            home.file().display()
        )),
        "{err}"
    );
    let home = Home::with_file("[DEFAULT]\nhost = h\ntoken dapi123\n");
    let err = home.builder(&[]).build().unwrap_err().to_string();
    assert!(err.contains("line 3: expected `key = value`"), "{err}");
    assert!(
        !err.contains("dapi123"),
        "the line's text is not quoted: {err}"
    );
}

#[test]
fn hash_in_values_survives_and_spaced_hash_starts_a_comment() {
    let home = Home::with_file(
        "[DEFAULT]\nhost = https://h.azuredatabricks.net # the workspace\ntoken = dapi#123;x\nazure_client_secret = pass#word;with spaces ; note\n",
    );
    let config = home.builder(&[]).build().unwrap();
    assert_eq!(config.host(), Some("https://h.azuredatabricks.net"));
    assert_eq!(config.token().unwrap().expose(), "dapi#123;x");
    assert_eq!(config.azure_client_secret().unwrap().expose(), SECRET);
}

#[test]
fn invalid_values_are_refused_with_their_source() {
    let home = Home::empty();
    for (pairs, want) in [
        (
            &[("ARM_USE_MSI", "maybe")][..],
            "azure_use_msi (from env ARM_USE_MSI): invalid value \"maybe\": expected true or false",
        ),
        (
            &[("ARM_ENVIRONMENT", "MARS")],
            "azure_environment (from env ARM_ENVIRONMENT): invalid value \"MARS\"",
        ),
        (
            &[("DATABRICKS_AUTH_TYPE", "basic")],
            "auth_type (from env DATABRICKS_AUTH_TYPE): invalid value \"basic\": expected one of pat, oauth-m2m, databricks-cli, env-oidc, file-oidc, github-oidc-azure, azure-workload-identity, azure-msi, azure-client-secret, azure-cli",
        ),
        (
            &[("DATABRICKS_RATE_LIMIT", "0")],
            "rate_limit (from env DATABRICKS_RATE_LIMIT): invalid value \"0\": expected a number of requests per second, at least 1",
        ),
    ] {
        let err = home.builder(pairs).build().unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
    // Go's chain order, restricted to the methods of this SDK.
    assert_eq!(
        AUTH_TYPES,
        [
            "pat",
            "oauth-m2m",
            "databricks-cli",
            "env-oidc",
            "file-oidc",
            "github-oidc-azure",
            "azure-workload-identity",
            "azure-msi",
            "azure-client-secret",
            "azure-cli"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// choosing the method

fn method(config: &Config) -> String {
    config.auth().unwrap().method().to_string()
}

#[test]
fn a_token_selects_pat() {
    let home = Home::empty();
    let config = home
        .builder(&[("DATABRICKS_HOST", HOST), ("DATABRICKS_TOKEN", TOKEN)])
        .build()
        .unwrap();
    assert_eq!(method(&config), "pat");
    let client = Client::from_config(&config).unwrap();
    assert_eq!(client.base_url(), format!("https://{HOST}"));
    assert!(!format!("{client:?}").contains(TOKEN));
}

#[test]
fn service_principal_inputs_select_azure_client_secret() {
    let home = Home::with_file(PROFILES);
    let config = home
        .builder(&[("DATABRICKS_CONFIG_PROFILE", "prod")])
        .build()
        .unwrap();
    assert_eq!(method(&config), "azure-client-secret");
    let debug = format!("{:?}", Client::from_config(&config).unwrap());
    assert!(!debug.contains("pass#word"), "{debug}");
}

#[test]
fn a_token_and_a_client_secret_are_ambiguous_until_auth_type_picks_one() {
    let home = Home::empty();
    let pairs = [
        ("DATABRICKS_HOST", HOST),
        ("DATABRICKS_TOKEN", TOKEN),
        ("ARM_CLIENT_ID", "c"),
        ("ARM_CLIENT_SECRET", "s3cr3t-value"),
        ("ARM_TENANT_ID", "t"),
    ];
    let config = home.builder(&pairs).build().unwrap();
    let err = config.auth().unwrap_err().to_string();
    assert!(
        err.contains(
            "more than one authentication method is configured: pat (token from env DATABRICKS_TOKEN) and azure-client-secret (azure_client_secret from env ARM_CLIENT_SECRET)"
        ),
        "{err}"
    );
    assert!(err.contains("set auth_type (DATABRICKS_AUTH_TYPE"), "{err}");
    assert!(
        !err.contains(TOKEN) && !err.contains("s3cr3t-value"),
        "{err}"
    );
    assert!(Client::from_config(&config).is_err());

    let mut pinned = pairs.to_vec();
    pinned.push(("DATABRICKS_AUTH_TYPE", "pat"));
    assert_eq!(method(&home.builder(&pinned).build().unwrap()), "pat");
    let config = home
        .builder(&pairs)
        .auth_type("azure-client-secret")
        .build()
        .unwrap();
    assert_eq!(method(&config), "azure-client-secret");
}

#[test]
fn a_token_and_the_managed_identity_are_ambiguous_too() {
    let home = Home::empty();
    let config = home
        .builder(&[("DATABRICKS_TOKEN", TOKEN), ("ARM_USE_MSI", "true")])
        .build()
        .unwrap();
    let err = config.auth().unwrap_err().to_string();
    assert!(err.contains("pat (token from env DATABRICKS_TOKEN) and azure-msi (azure_use_msi from env ARM_USE_MSI)"), "{err}");
}

#[test]
fn a_pinned_method_must_have_its_inputs() {
    let home = Home::empty();
    let config = home
        .builder(&[("DATABRICKS_TOKEN", TOKEN), ("ARM_CLIENT_ID", "c")])
        .auth_type("azure-client-secret")
        .build()
        .unwrap();
    let err = config.auth().unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid configuration: auth_type is `azure-client-secret` (from code), but azure_client_secret (ARM_CLIENT_SECRET) is not set"
    );
    let config = home.builder(&[]).auth_type("pat").build().unwrap();
    assert!(
        config
            .auth()
            .unwrap_err()
            .to_string()
            .contains("token (DATABRICKS_TOKEN) is not set")
    );
    // Pinned methods that need nothing more are taken as they are.
    assert_eq!(
        method(&home.builder(&[]).auth_type("azure-msi").build().unwrap()),
        "azure-msi"
    );
    assert_eq!(
        method(&home.builder(&[]).auth_type("azure-cli").build().unwrap()),
        "azure-cli"
    );
}

#[test]
fn with_nothing_configured_the_error_lists_every_method() {
    let home = Home::empty();
    let config = home.builder(&[("DATABRICKS_HOST", HOST)]).build().unwrap();
    // `Display` is the fix; `Debug` (what `main` prints) adds a line per method.
    let err = format!("{:?}", Client::from_config(&config).unwrap_err());
    for part in [
        "no credentials found: set DATABRICKS_TOKEN, or run `databricks auth login --host",
        "\n  pat: skipped, token (DATABRICKS_TOKEN) is not set",
        "oauth-m2m: skipped, client_id (DATABRICKS_CLIENT_ID) and client_secret (DATABRICKS_CLIENT_SECRET) are not set",
        "databricks-cli: failed, the Databricks CLI (`databricks`) was not found on PATH",
        "env-oidc: skipped, oidc_token (DATABRICKS_OIDC_TOKEN) is not set",
        "file-oidc: skipped, databricks_id_token_filepath (DATABRICKS_OIDC_TOKEN_FILEPATH) is not set",
        "github-oidc-azure: skipped, actions_id_token_request_url (ACTIONS_ID_TOKEN_REQUEST_URL)",
        "azure-workload-identity: skipped, azure_federated_token_file (AZURE_FEDERATED_TOKEN_FILE)",
        "azure-client-secret: skipped, azure_client_id (ARM_CLIENT_ID) and azure_client_secret (ARM_CLIENT_SECRET) are not set",
        "azure-msi: skipped, azure_use_msi (ARM_USE_MSI) is not true",
        "azure-cli: failed, the Azure CLI (`az`) was not found on PATH",
        "\n  found: host from env DATABRICKS_HOST",
        "no config file at",
    ] {
        assert!(err.contains(part), "missing {part:?} in: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Debug

#[test]
fn debug_shows_what_is_set_and_where_with_secrets_masked() {
    let home = Home::with_file(PROFILES);
    let config = home
        .builder(&[
            ("DATABRICKS_CONFIG_PROFILE", "prod"),
            ("DATABRICKS_TOKEN", TOKEN),
        ])
        .host("https://code.azuredatabricks.net")
        .build()
        .unwrap();
    let debug = format!("{config:?}");
    for part in [
        "host: \"https://code.azuredatabricks.net\" (code)",
        "token: \"****\" (env DATABRICKS_TOKEN)",
        &format!(
            "azure_client_secret: \"****\" (profile [prod] of {})",
            home.file().display()
        ),
        "profile: \"prod\" (env DATABRICKS_CONFIG_PROFILE)",
        "(profile [prod])",
    ] {
        assert!(debug.contains(part), "missing {part:?} in: {debug}");
    }
    assert!(
        !debug.contains(TOKEN) && !debug.contains("pass#word"),
        "{debug}"
    );
    assert!(!debug.contains("azure_use_msi: \"true\""), "{debug}");

    let builder = Config::builder()
        .token(TOKEN)
        .azure_client_secret("s3cr3t")
        .environment(common::env(&[("ARM_CLIENT_SECRET", "env-s3cr3t")]));
    let debug = format!("{builder:?}");
    assert!(
        !debug.contains(TOKEN) && !debug.contains("s3cr3t"),
        "{debug}"
    );
    assert!(debug.contains("given (1 variables)"), "{debug}");
}

// ---------------------------------------------------------------------------------------------
// a credentials provider given in code

#[derive(Debug)]
struct Broker;

impl azure_databricks_sdk::CredentialsProvider for Broker {
    fn auth_type(&self) -> &str {
        "token-broker"
    }

    fn credentials(
        &self,
        headers: &mut azure_databricks_sdk::CredentialHeaders,
    ) -> azure_databricks_sdk::Result<()> {
        headers.bearer("from-the-broker");
        Ok(())
    }
}

#[test]
fn a_credentials_provider_in_code_wins_over_every_attribute() {
    use httpmock::prelude::*;
    let workspace = MockServer::start();
    let list = workspace.mock(|when, then| {
        when.method(GET)
            .path("/api/2.1/clusters/list")
            .header("authorization", "Bearer from-the-broker");
        then.status(200).body("{}");
    });
    // A malformed file: it is not read, the host and the provider being enough.
    let home = Home::with_file("[DEFAULT\n");
    let config = home
        .builder(&[
            ("DATABRICKS_HOST", &workspace.base_url()),
            ("DATABRICKS_TOKEN", TOKEN),
            ("ARM_CLIENT_SECRET", "s3cr3t"),
            ("DATABRICKS_AUTH_TYPE", "azure-cli"),
        ])
        .credentials_provider(std::sync::Arc::new(Broker))
        .no_proxy()
        .build()
        .unwrap();
    assert_eq!(method(&config), "token-broker");
    assert!(format!("{config:?}").contains("credentials_provider: Broker"));
    let client = Client::from_config(&config).unwrap();
    assert_eq!(client.auth_method(), "token-broker");
    client.clusters().list().unwrap();
    list.assert();

    let client = Client::builder(workspace.base_url())
        .credentials_provider(std::sync::Arc::new(Broker))
        .no_proxy()
        .build()
        .unwrap();
    client.clusters().list().unwrap();
    list.assert_calls(2);
}
