//! Enforcing a cluster policy on a cluster's settings (as JSON): fixed values and defaults
//! filled in, every rule checked, the first broken one refused naming its attribute.
//!
//! An attribute path is a dotted path into the settings (`autoscale.max_workers`,
//! `azure_attributes.availability`); under `spark_conf.`, `spark_env_vars.` and
//! `custom_tags.` the rest is one key (`spark_conf.spark.databricks.io.cache.enabled`). Paths
//! into lists (`init_scripts.*`, `[*]`) are not checked by the emulator.

use azure_databricks_sdk::IndexMap;
use azure_databricks_sdk::models::{PolicyRule, PolicyRuleType};
use serde_json::{Map, Value};

use crate::error::ApiError;

const MAPS: &[&str] = &["spark_conf", "spark_env_vars", "custom_tags"];

/// The object holding the attribute and its key in it, creating objects on the way if asked.
fn slot<'a>(
    cluster: &'a mut Map<String, Value>,
    path: &str,
    create: bool,
) -> Option<(&'a mut Map<String, Value>, String)> {
    let mut parts: Vec<String> = match MAPS.iter().find(|m| path.starts_with(&format!("{m}."))) {
        Some(map) => vec![(*map).to_string(), path[map.len() + 1..].to_string()],
        None => path.split('.').map(str::to_string).collect(),
    };
    let last = parts.pop()?;
    let mut current = cluster;
    for part in parts {
        if create && !current.contains_key(&part) {
            current.insert(part.clone(), Value::Object(Map::new()));
        }
        current = current.get_mut(&part)?.as_object_mut()?;
    }
    Some((current, last))
}

fn get<'a>(cluster: &'a mut Map<String, Value>, path: &str) -> Option<&'a Value> {
    let (map, key) = slot(cluster, path, false)?;
    map.get(&key)
}

fn set(cluster: &mut Map<String, Value>, path: &str, value: Value) {
    if let Some((map, key)) = slot(cluster, path, true) {
        map.insert(key, value);
    }
}

/// The text of a scalar (`"a"` → `a`, `4` → `4`), for loose comparisons.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    a == b || text(a) == text(b) || (a.as_f64().is_some() && a.as_f64() == text(b).parse().ok())
}

fn number(value: &Value) -> Option<f64> {
    value.as_f64().or_else(|| text(value).parse().ok())
}

fn refuse(path: &str, reason: impl std::fmt::Display) -> ApiError {
    ApiError::invalid_parameter(format!("Validation failed for {path}, {reason}"))
}

/// Fills in fixed values (and, with `defaults`, default values) and checks every rule.
///
/// # Errors
///
/// `INVALID_PARAMETER_VALUE` "Validation failed for <attribute>, ..." for the first rule the
/// settings break.
pub(crate) fn enforce(
    rules: &IndexMap<String, PolicyRule>,
    cluster: &mut Map<String, Value>,
    defaults: bool,
) -> Result<(), ApiError> {
    for (path, rule) in rules {
        if path.contains('[') || path.contains('*') {
            continue;
        }
        let kind = rule.type_.clone().unwrap_or(PolicyRuleType::Unlimited);
        if matches!(kind, PolicyRuleType::Fixed) {
            let want = rule.value.clone().unwrap_or(Value::Null);
            match get(cluster, path) {
                None => set(cluster, path, want),
                Some(have) if same(have, &want) => {}
                Some(have) => {
                    return Err(refuse(
                        path,
                        format!("the value must be {} (is {})", text(&want), text(have)),
                    ));
                }
            }
            continue;
        }
        if matches!(kind, PolicyRuleType::Forbidden) {
            if get(cluster, path).is_some() {
                return Err(refuse(path, "the attribute is forbidden"));
            }
            continue;
        }
        if get(cluster, path).is_none()
            && defaults
            && let Some(default) = &rule.default_value
        {
            set(cluster, path, default.clone());
        }
        let Some(value) = get(cluster, path).cloned() else {
            let required = match kind {
                PolicyRuleType::Unlimited | PolicyRuleType::Blocklist => {
                    rule.is_optional == Some(false)
                }
                _ => rule.is_optional != Some(true),
            };
            if required {
                return Err(refuse(path, "the attribute is required"));
            }
            continue;
        };
        match kind {
            PolicyRuleType::Allowlist if !rule.values.iter().any(|v| same(v, &value)) => {
                let allowed: Vec<String> = rule.values.iter().map(text).collect();
                return Err(refuse(
                    path,
                    format!(
                        "the value must be one of [{}] (is {})",
                        allowed.join(", "),
                        text(&value)
                    ),
                ));
            }
            PolicyRuleType::Blocklist if rule.values.iter().any(|v| same(v, &value)) => {
                return Err(refuse(
                    path,
                    format!("the value {} is not allowed", text(&value)),
                ));
            }
            PolicyRuleType::Regex => {
                let pattern = rule.pattern.clone().unwrap_or_default();
                let matches = regex::Regex::new(&format!("^(?:{pattern})$"))
                    .map(|re| re.is_match(&text(&value)))
                    .unwrap_or(false);
                if !matches {
                    return Err(refuse(
                        path,
                        format!("the value must match {pattern} (is {})", text(&value)),
                    ));
                }
            }
            PolicyRuleType::Range => {
                let n = number(&value).ok_or_else(|| refuse(path, "the value must be a number"))?;
                if let Some(max) = rule.max_value
                    && n > max
                {
                    return Err(refuse(
                        path,
                        format!("the value must be at most {max} (is {n})"),
                    ));
                }
                if let Some(min) = rule.min_value
                    && n < min
                {
                    return Err(refuse(
                        path,
                        format!("the value must be at least {min} (is {n})"),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(doc: Value) -> IndexMap<String, PolicyRule> {
        serde_json::from_value(doc).unwrap()
    }

    fn cluster(doc: Value) -> Map<String, Value> {
        doc.as_object().unwrap().clone()
    }

    #[test]
    fn every_rule_kind_and_defaults() {
        let policy = rules(json!({
            "spark_version": {"type": "fixed", "value": "15.4.x-scala2.12", "hidden": true},
            "instance_pool_id": {"type": "forbidden"},
            "node_type_id": {"type": "allowlist", "values": ["Standard_DS3_v2", "Standard_DS4_v2"], "defaultValue": "Standard_DS3_v2"},
            "driver_node_type_id": {"type": "blocklist", "values": ["Standard_NC6"]},
            "custom_tags.team": {"type": "regex", "pattern": "[a-z]+"},
            "autoscale.max_workers": {"type": "range", "maxValue": 10, "defaultValue": 4},
            "autotermination_minutes": {"type": "unlimited", "defaultValue": 30, "isOptional": true},
            "spark_conf.spark.databricks.io.cache.enabled": {"type": "fixed", "value": "true"}
        }));
        let mut c = cluster(json!({"custom_tags": {"team": "data"}}));
        enforce(&policy, &mut c, true).unwrap();
        assert_eq!(c["spark_version"], "15.4.x-scala2.12");
        assert_eq!(c["node_type_id"], "Standard_DS3_v2");
        assert_eq!(c["autoscale"]["max_workers"], 4);
        assert_eq!(c["autotermination_minutes"], 30);
        assert_eq!(c["spark_conf"]["spark.databricks.io.cache.enabled"], "true");

        let broken = [
            (
                json!({"spark_version": "14.3.x-scala2.12"}),
                "spark_version",
            ),
            (json!({"instance_pool_id": "p"}), "instance_pool_id"),
            (json!({"node_type_id": "Standard_E8s_v3"}), "node_type_id"),
            (
                json!({"driver_node_type_id": "Standard_NC6"}),
                "driver_node_type_id",
            ),
            (
                json!({"custom_tags": {"team": "Data Eng"}}),
                "custom_tags.team",
            ),
            (
                json!({"autoscale": {"max_workers": 20}}),
                "autoscale.max_workers",
            ),
        ];
        for (settings, attribute) in broken {
            let mut c = cluster(json!({"custom_tags": {"team": "data"}}));
            for (k, v) in settings.as_object().unwrap() {
                if let (Some(Value::Object(old)), Value::Object(new)) = (c.get_mut(k), v) {
                    old.extend(new.clone());
                } else {
                    c.insert(k.clone(), v.clone());
                }
            }
            let err = enforce(&policy, &mut c, true).unwrap_err();
            assert!(
                err.message
                    .starts_with(&format!("Validation failed for {attribute},")),
                "{}",
                err.message
            );
        }
        // Without defaults, a required attribute that is absent is refused.
        let mut c = cluster(json!({"custom_tags": {"team": "data"}}));
        let err = enforce(&policy, &mut c, false).unwrap_err();
        assert!(
            err.message.ends_with("the attribute is required"),
            "{}",
            err.message
        );
    }
}
