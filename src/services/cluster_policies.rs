//! The typed form of a cluster policy's definition, which the service sends and takes as a
//! JSON document inside a string.

use indexmap::IndexMap;

use crate::models::{Policy, PolicyRule};

/// A cluster policy's `definition`, typed: per attribute path of a cluster
/// (`spark_version`, `autoscale.max_workers`, `custom_tags.team`, `spark_conf.spark.x`) its
/// [`PolicyRule`] (`fixed`, `forbidden`, `allowlist`, `blocklist`, `regex`, `range`,
/// `unlimited`, with `defaultValue`, `isOptional` and `hidden`).
///
/// Lossless: the attributes keep their order, and a rule's fields this SDK does not know stay
/// in its `unknown_fields`, so [`PolicyDefinition::to_json_string`] of a parsed definition is
/// an equal JSON document (a rule's keys may come in another order, `10` as `10.0`). The string form stays available as [`Policy::definition`].
///
/// ```
/// use azure_databricks_sdk::PolicyDefinition;
/// use azure_databricks_sdk::models::{PolicyRule, PolicyRuleType};
///
/// let mut definition = PolicyDefinition::parse(r#"{"spark_version": {"type": "fixed", "value": "15.4.x-scala2.12"}}"#)?;
/// definition.rules.insert("num_workers".into(), PolicyRule {
///     type_: Some(PolicyRuleType::Range),
///     max_value: Some(10.0),
///     default_value: Some(2.into()),
///     ..Default::default()
/// });
/// let text = definition.to_json_string()?;
/// assert!(text.starts_with(r#"{"spark_version":"#), "attributes keep their order");
/// let value: serde_json::Value = serde_json::from_str(&text).unwrap();
/// assert_eq!(value["num_workers"], serde_json::json!({"type": "range", "maxValue": 10.0, "defaultValue": 2}));
/// # Ok::<(), azure_databricks_sdk::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyDefinition {
    /// The rules, by attribute path, in the document's order.
    pub rules: IndexMap<String, PolicyRule>,
}

impl PolicyDefinition {
    /// Reads a definition document.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Decode`] when `text` is not a JSON object of rules.
    pub fn parse(text: &str) -> crate::Result<Self> {
        let rules = serde_json::from_str(text).map_err(|source| crate::Error::Decode {
            operation: "cluster_policies.definition".into(),
            status: 200,
            path: "definition".into(),
            source,
        })?;
        Ok(Self { rules })
    }

    /// The definition of a policy (empty when it has none, e.g. one made from a family).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Decode`] when the policy's `definition` is not a JSON object of rules.
    pub fn of(policy: &Policy) -> crate::Result<Self> {
        policy
            .definition
            .as_deref()
            .map_or_else(|| Ok(Self::default()), Self::parse)
    }

    /// The definition as the JSON document the service takes in `definition`.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] if a rule cannot be written as JSON (a non-finite
    /// number).
    pub fn to_json_string(&self) -> crate::Result<String> {
        serde_json::to_string(&self.rules)
            .map_err(|e| crate::Error::invalid_input("definition", e.to_string()))
    }
}
