//! The environment a configuration is resolved from: the process's, or one given in code
//! (tests), so that nothing of the real environment or home directory leaks in.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Environment variables, read on demand.
#[derive(Debug, Clone)]
pub(crate) enum Environment {
    /// The variables of the process.
    Process,
    /// Exactly these variables; the process's are never read.
    Given(Arc<HashMap<String, String>>),
}

impl Environment {
    /// The value of `name`; an empty value counts as unset (as in the official SDKs).
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        let value = match self {
            Environment::Process => std::env::var(name).ok(),
            Environment::Given(map) => map.get(name).cloned(),
        };
        value.filter(|v| !v.is_empty())
    }

    /// The home directory: `HOME`, or `USERPROFILE` on Windows.
    pub(crate) fn home(&self) -> Option<PathBuf> {
        let home = self.get("HOME");
        let home = if cfg!(windows) {
            self.get("USERPROFILE").or(home)
        } else {
            home
        };
        home.map(PathBuf::from)
    }

    /// The given variables, or `None` for the process's.
    pub(crate) fn given(&self) -> Option<Arc<HashMap<String, String>>> {
        match self {
            Environment::Process => None,
            Environment::Given(map) => Some(map.clone()),
        }
    }
}
