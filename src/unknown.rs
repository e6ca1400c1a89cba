//! The fields of a JSON object that the models do not know, kept so nothing the service sends
//! is lost.

use std::fmt;

use indexmap::IndexMap;
use serde_json::Value;

/// Fields of a JSON object that this version of the SDK does not know, in the order they came.
///
/// Every model has one (`unknown_fields`): a field the service added after this SDK was
/// generated is kept here on decode and written back on encode, so a decoded answer encodes to
/// the same JSON (key order aside) and sending back what `get` returned never drops a setting.
/// An empty set costs one pointer and no allocation.
///
/// `Debug` shows only the field names: an unknown field may hold a secret.
///
/// ```
/// use azure_databricks_sdk::models::AutoScale;
/// let scale: AutoScale = serde_json::from_str(r#"{"min_workers": 1, "target_workers": 3}"#)?;
/// assert_eq!(scale.unknown_fields.get("target_workers"), Some(&serde_json::json!(3)));
/// assert_eq!(serde_json::to_string(&scale)?, r#"{"min_workers":1,"target_workers":3}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct UnknownFields(Option<Box<IndexMap<String, Value>>>);

impl UnknownFields {
    /// The value of the unknown field `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.as_ref()?.get(name)
    }

    /// Sets an unknown field (sent as is); returns its previous value.
    pub fn insert(&mut self, name: impl Into<String>, value: Value) -> Option<Value> {
        self.0
            .get_or_insert_with(Default::default)
            .insert(name.into(), value)
    }

    /// Removes an unknown field, so it is not sent.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.0.as_mut()?.shift_remove(name)
    }

    /// The fields, in the order they came.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0
            .iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |m| m.len())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for UnknownFields {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl fmt::Debug for UnknownFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(|(name, _)| name))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_shows_names_only_and_equality_ignores_order() {
        let mut a = UnknownFields::default();
        assert!(a.is_empty() && a == UnknownFields::default());
        a.insert("x", json!("secret-value"));
        a.insert("y", json!(1));
        assert_eq!(format!("{a:?}"), r#"{"x", "y"}"#);
        let mut b = UnknownFields::default();
        b.insert("y", json!(1));
        b.insert("x", json!("secret-value"));
        assert_eq!(a, b);
        b.remove("x");
        assert_ne!(a, b);
        assert_eq!(b.len(), 1);
    }
}
