//! The Azure clouds: where Azure AD issues tokens and what the management resource is called.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// An Azure cloud (`ARM_ENVIRONMENT`): it decides the Azure AD authority and the management
/// resource of the service principal management token.
///
/// [`crate::Config`] takes it from `azure_environment` / `ARM_ENVIRONMENT` when set, else from
/// the workspace host (`*.azuredatabricks.net` → public, `*.databricks.azure.us` → US
/// Government, `*.databricks.azure.cn` → China), else public.
///
/// ```
/// use azure_databricks_sdk::AzureCloud;
/// assert_eq!(AzureCloud::from_host("adb-1.2.databricks.azure.us"), Some(AzureCloud::UsGovernment));
/// assert_eq!("china".parse::<AzureCloud>().unwrap().authority(), "https://login.chinacloudapi.cn/");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AzureCloud {
    /// Azure public cloud (`PUBLIC`). The default.
    #[default]
    Public,
    /// Azure US Government (`USGOVERNMENT`).
    UsGovernment,
    /// Azure China, operated by 21Vianet (`CHINA`).
    China,
}

impl AzureCloud {
    /// The cloud of a workspace host (a bare host or a URL), if its DNS zone tells.
    pub fn from_host(host: &str) -> Option<Self> {
        let host = host.trim();
        let host = host.split_once("://").map_or(host, |(_, rest)| rest);
        let host = host.split(['/', ':']).next().unwrap_or_default();
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host.ends_with(".azuredatabricks.net") {
            Some(Self::Public)
        } else if host.ends_with(".databricks.azure.us") {
            Some(Self::UsGovernment)
        } else if host.ends_with(".databricks.azure.cn") {
            Some(Self::China)
        } else {
            None
        }
    }

    /// The name used by `ARM_ENVIRONMENT`: `PUBLIC`, `USGOVERNMENT` or `CHINA`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::UsGovernment => "USGOVERNMENT",
            Self::China => "CHINA",
        }
    }

    /// The Azure AD authority (login endpoint), with a trailing slash, e.g.
    /// `https://login.microsoftonline.com/`.
    pub fn authority(self) -> &'static str {
        match self {
            Self::Public => "https://login.microsoftonline.com/",
            Self::UsGovernment => "https://login.microsoftonline.us/",
            Self::China => "https://login.chinacloudapi.cn/",
        }
    }

    /// The resource of the management token sent as `X-Databricks-Azure-SP-Management-Token`,
    /// e.g. `https://management.core.windows.net/`.
    pub fn management_resource(self) -> &'static str {
        match self {
            Self::Public => "https://management.core.windows.net/",
            Self::UsGovernment => "https://management.core.usgovcloudapi.net/",
            Self::China => "https://management.core.chinacloudapi.cn/",
        }
    }
}

impl fmt::Display for AzureCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AzureCloud {
    type Err = Error;

    /// `PUBLIC`, `USGOVERNMENT` or `CHINA`, in any case (the Azure CLI's `AzureCloud`,
    /// `AzureUSGovernment` and `AzureChinaCloud` are accepted too).
    fn from_str(name: &str) -> Result<Self, Error> {
        match name.trim().to_ascii_uppercase().as_str() {
            "PUBLIC" | "AZURECLOUD" | "AZUREPUBLICCLOUD" => Ok(Self::Public),
            "USGOVERNMENT" | "AZUREUSGOVERNMENT" | "AZUREUSGOVERNMENTCLOUD" => {
                Ok(Self::UsGovernment)
            }
            "CHINA" | "AZURECHINACLOUD" => Ok(Self::China),
            _ => Err(crate::error::ConfigError::attribute(
                "azure_environment",
                format!(
                    "unknown Azure environment `{name}`: expected PUBLIC, USGOVERNMENT or CHINA"
                ),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_map_to_their_cloud() {
        for (host, cloud) in [
            ("adb-123.4.azuredatabricks.net", Some(AzureCloud::Public)),
            (
                "https://ADB-123.4.AzureDatabricks.net/",
                Some(AzureCloud::Public),
            ),
            (
                "https://adb-1.2.databricks.azure.us:443",
                Some(AzureCloud::UsGovernment),
            ),
            ("adb-1.2.databricks.azure.cn", Some(AzureCloud::China)),
            ("http://127.0.0.1:8080", None),
            ("azuredatabricks.net.evil.com", None),
        ] {
            assert_eq!(AzureCloud::from_host(host), cloud, "{host}");
        }
    }

    #[test]
    fn names_parse_case_insensitively() {
        assert_eq!(
            "usgovernment".parse::<AzureCloud>().unwrap(),
            AzureCloud::UsGovernment
        );
        assert_eq!(
            "AzureChinaCloud".parse::<AzureCloud>().unwrap(),
            AzureCloud::China
        );
        let err = "mars".parse::<AzureCloud>().unwrap_err().to_string();
        assert!(err.contains("PUBLIC, USGOVERNMENT or CHINA"), "{err}");
    }
}
