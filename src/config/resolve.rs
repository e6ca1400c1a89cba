//! Resolution: code, then environment, then a profile of the configuration file.

use std::path::PathBuf;

use super::attributes::{Attr, Setting, Settings, ValueSource, parse_bool};
use super::environment::Environment;
use super::file::{ConfigFile, DEFAULT_PROFILE};
use super::methods::{self, AuthMethod};
use super::{Config, ConfigBuilder, FileState};
use crate::{AzureCloud, Error, Result};

pub(super) fn resolve(builder: ConfigBuilder) -> Result<Config> {
    let environment = match builder.environment {
        Some(map) => Environment::Given(map),
        None => Environment::Process,
    };
    let mut settings = Settings::default();
    for (attr, value) in builder.code {
        settings.fill_value(attr, value, ValueSource::Code);
    }
    for &attr in Attr::ALL {
        let variable = match attr {
            // `oidc_token_env` names the variable of the env-oidc token.
            Attr::OidcToken => settings.text(Attr::OidcTokenEnv).map(str::to_string),
            _ => None,
        };
        let variables = variable.iter().map(String::as_str);
        for variable in variables.chain(attr.env_vars().iter().copied()) {
            if let Some(text) = environment.get(variable) {
                let variable = variable.to_string();
                settings.fill(attr, text, ValueSource::Environment { variable });
            }
        }
    }

    let path = file_path(&settings, &environment);
    let explicit_profile = settings.text(Attr::Profile).map(str::to_string);
    let complete = settings.has(Attr::Host)
        && (builder.provider.is_some() || methods::credentials_complete(&settings));
    let file = if explicit_profile.is_none() && complete {
        FileState::Skipped { path }
    } else {
        read_profile(&mut settings, path, explicit_profile)?
    };

    if let Some(setting) = settings.get(Attr::AzureUseMsi) {
        parse_bool(setting.value.text()).ok_or_else(|| {
            invalid(
                Attr::AzureUseMsi,
                setting,
                "expected true or false (also 1/0, t/f)",
            )
        })?;
    }
    if let Some(setting) = settings.get(Attr::RateLimit) {
        setting
            .value
            .text()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                invalid(
                    Attr::RateLimit,
                    setting,
                    "expected a number of requests per second, at least 1",
                )
            })?;
    }
    for attr in [Attr::HttpTimeoutSeconds, Attr::RetryTimeoutSeconds] {
        if let Some(setting) = settings.get(attr) {
            super::seconds(setting.value.text())
                .ok_or_else(|| invalid(attr, setting, "expected a number of seconds"))?;
        }
    }
    let cloud = match settings.get(Attr::AzureEnvironment) {
        Some(setting) => Some(setting.value.text().parse::<AzureCloud>().map_err(|_| {
            invalid(
                Attr::AzureEnvironment,
                setting,
                "expected PUBLIC, USGOVERNMENT or CHINA",
            )
        })?),
        None => None,
    };
    if let Some(setting) = settings.get(Attr::AuthType) {
        let why = format!("expected one of {}", methods::AUTH_TYPES.join(", "));
        AuthMethod::find(setting.value.text())
            .ok_or_else(|| invalid(Attr::AuthType, setting, &why))?;
    }
    Ok(Config {
        settings,
        environment,
        file,
        cloud,
        overrides: builder.overrides,
        provider: builder.provider,
    })
}

fn invalid(attr: Attr, setting: &Setting, why: &str) -> Error {
    crate::error::ConfigError::attribute(
        attr.name(),
        format!("invalid value {:?}: {why}", setting.value),
    )
    .with_source(&setting.source)
    .into()
}

/// `config_file` / `DATABRICKS_CONFIG_FILE` with `~` expanded, else `~/.databrickscfg`.
fn file_path(settings: &Settings, environment: &Environment) -> Option<PathBuf> {
    let home = environment.home();
    match settings.text(Attr::ConfigFile) {
        Some(path) => match (path.strip_prefix('~'), home) {
            (Some(rest), Some(home)) => Some(home.join(rest.trim_start_matches(['/', '\\']))),
            _ => Some(PathBuf::from(path)),
        },
        None => home.map(|home| home.join(".databrickscfg")),
    }
}

/// Reads the file and fills the unset attributes from the chosen profile.
fn read_profile(
    settings: &mut Settings,
    path: Option<PathBuf>,
    explicit_profile: Option<String>,
) -> Result<FileState> {
    let explicit_file = settings.get(Attr::ConfigFile).cloned();
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
            let source = settings
                .get(Attr::Profile)
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
    for &attr in Attr::ALL.iter().filter(|a| a.in_profile()) {
        if let Some(text) = values.get(attr.name()).filter(|v| !v.is_empty()) {
            let source = ValueSource::ConfigFile {
                path: path.clone(),
                profile: profile.clone(),
            };
            settings.fill(attr, text.clone(), source);
        }
    }
    Ok(FileState::Read {
        path,
        profile: Some(profile),
    })
}
