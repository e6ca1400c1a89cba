//! Resolution: code, then environment, then a profile of the configuration file.

use std::path::PathBuf;

use super::attributes::{Attr, Setting, Value, ValueSource};
use super::environment::Environment;
use super::file::{ConfigFile, DEFAULT_PROFILE};
use super::strategy::{self, Method};
use super::{Config, ConfigBuilder, FileState};
use crate::{AzureCloud, Error, Result};

type Settings = [Option<Setting>; Attr::ALL.len()];

pub(super) fn resolve(builder: ConfigBuilder) -> Result<Config> {
    let environment = match builder.environment {
        Some(map) => Environment::Given(map),
        None => Environment::Process,
    };
    let mut settings: Settings = Default::default();
    for (attr, value) in builder.code {
        settings[attr.index()] = Some(Setting {
            value,
            source: ValueSource::Code,
        });
    }
    for attr in Attr::ALL {
        if settings[attr.index()].is_none()
            && let Some(text) = environment.get(attr.env_var())
        {
            settings[attr.index()] = Some(Setting {
                value: Value::new(attr, text),
                source: ValueSource::Environment {
                    variable: attr.env_var().to_string(),
                },
            });
        }
    }

    let path = file_path(&settings, &environment);
    let explicit_profile = text(&settings, Attr::Profile).map(str::to_string);
    let file = if explicit_profile.is_none() && complete_without_file(&settings) {
        FileState::Skipped { path }
    } else {
        read_profile(&mut settings, path, explicit_profile)?
    };

    let use_msi = match settings[Attr::AzureUseMsi.index()].as_ref() {
        Some(setting) => parse_bool(setting.value.text()).ok_or_else(|| {
            invalid(
                Attr::AzureUseMsi,
                setting,
                "expected true or false (also 1/0, t/f)",
            )
        })?,
        None => false,
    };
    let cloud = match settings[Attr::AzureEnvironment.index()].as_ref() {
        Some(setting) => Some(setting.value.text().parse::<AzureCloud>().map_err(|_| {
            invalid(
                Attr::AzureEnvironment,
                setting,
                "expected PUBLIC, USGOVERNMENT or CHINA",
            )
        })?),
        None => None,
    };
    if let Some(setting) = settings[Attr::AuthType.index()].as_ref() {
        let why = format!("expected one of {}", strategy::AUTH_TYPES.join(", "));
        Method::from_name(setting.value.text())
            .ok_or_else(|| invalid(Attr::AuthType, setting, &why))?;
    }
    Ok(Config {
        settings,
        environment,
        file,
        use_msi,
        cloud,
        overrides: builder.overrides,
    })
}

fn text(settings: &Settings, attr: Attr) -> Option<&str> {
    settings[attr.index()].as_ref().map(|s| s.value.text())
}

fn invalid(attr: Attr, setting: &Setting, why: &str) -> Error {
    crate::error::ConfigError::attribute(
        attr.name(),
        format!("invalid value {:?}: {why}", setting.value),
    )
    .with_source(&setting.source)
    .into()
}

/// `strconv.ParseBool` of Go, as the official SDKs read `ARM_USE_MSI`.
fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// `config_file` / `DATABRICKS_CONFIG_FILE` with `~` expanded, else `~/.databrickscfg`.
fn file_path(settings: &Settings, environment: &Environment) -> Option<PathBuf> {
    let home = environment.home();
    match text(settings, Attr::ConfigFile) {
        Some(path) => match (path.strip_prefix('~'), home) {
            (Some(rest), Some(home)) => Some(home.join(rest.trim_start_matches(['/', '\\']))),
            _ => Some(PathBuf::from(path)),
        },
        None => home.map(|home| home.join(".databrickscfg")),
    }
}

/// Whether the host and a full set of credentials are known (then the file is not read,
/// unless a profile is named).
fn complete_without_file(settings: &Settings) -> bool {
    if text(settings, Attr::Host).is_none() {
        return false;
    }
    let has = |attr| text(settings, attr).is_some();
    let use_msi = text(settings, Attr::AzureUseMsi).and_then(parse_bool) == Some(true);
    let complete = |method: Method| match method {
        Method::Pat => has(Attr::Token),
        Method::AzureClientSecret => {
            has(Attr::AzureClientId) && has(Attr::AzureClientSecret) && has(Attr::AzureTenantId)
        }
        Method::AzureMsi => use_msi,
        Method::AzureCli => true,
    };
    match text(settings, Attr::AuthType).map(Method::from_name) {
        Some(Some(method)) => complete(method),
        // An unknown auth_type is reported after resolution.
        Some(None) => false,
        None => [Method::Pat, Method::AzureClientSecret, Method::AzureMsi]
            .into_iter()
            .any(complete),
    }
}

/// Reads the file and fills the unset attributes from the chosen profile.
fn read_profile(
    settings: &mut Settings,
    path: Option<PathBuf>,
    explicit_profile: Option<String>,
) -> Result<FileState> {
    let explicit_file = settings[Attr::ConfigFile.index()].clone();
    let Some(path) = path else {
        return match explicit_profile {
            Some(profile) => Err(crate::error::config_error(format!(
                "profile [{profile}] was asked for, but there is no config file: set \
                 DATABRICKS_CONFIG_FILE or HOME"
            ))),
            None => Ok(FileState::NoPath),
        };
    };
    let Some(file) = ConfigFile::load(&path)? else {
        if let Some(setting) = &explicit_file {
            return Err(crate::error::config_error(format!(
                "config file {} (from {}) does not exist",
                path.display(),
                setting.source
            )));
        }
        if let Some(profile) = explicit_profile {
            return Err(crate::error::config_error(format!(
                "profile [{profile}] was asked for, but config file {} does not exist",
                path.display()
            )));
        }
        return Ok(FileState::Missing { path });
    };
    let (profile, named_by) = match (&explicit_profile, file.default_profile()) {
        (Some(profile), _) => {
            let source = settings[Attr::Profile.index()]
                .as_ref()
                .map(|s| s.source.to_string())
                .unwrap_or_default();
            (profile.clone(), Some(source))
        }
        (None, Some(default)) => (
            default.to_string(),
            Some("[__settings__] default_profile".to_string()),
        ),
        (None, None) => (DEFAULT_PROFILE.to_string(), None),
    };
    let Some(values) = file.profile(&profile) else {
        return match named_by {
            Some(named_by) => Err(crate::error::config_error(format!(
                "config file {} has no profile [{profile}] (named by {named_by}); its profiles: {}",
                path.display(),
                file.profile_names().join(", ")
            ))),
            None => Ok(FileState::Read {
                path,
                profile: None,
            }),
        };
    };
    for attr in Attr::ALL.into_iter().filter(|a| a.in_profile()) {
        let slot = &mut settings[attr.index()];
        if slot.is_none()
            && let Some(text) = values.get(attr.name()).filter(|v| !v.is_empty())
        {
            *slot = Some(Setting {
                value: Value::new(attr, text.clone()),
                source: ValueSource::ConfigFile {
                    path: path.clone(),
                    profile: profile.clone(),
                },
            });
        }
    }
    Ok(FileState::Read {
        path,
        profile: Some(profile),
    })
}
