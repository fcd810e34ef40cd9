//! Inspector forms: one field per top-level property of a kind (or of a
//! connection's meaning), typed from the AWS default value and bounded by
//! the model's schema (ranges, units, sources). The UI draws these; the
//! model still checks every value when the edit arrives.

use archsim_model::schema::{PropertySpec, component_specs, connection_specs};
use archsim_model::{ComponentKind, Meaning, Props};
use serde::Serialize;
use serde_json::Value;

#[cfg(feature = "ts")]
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Boolean,
    Integer,
    Number,
    Text,
    /// Lists, nested objects and optional values: edited as JSON.
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct FormField {
    /// The property path a `SetProperty` edit names.
    pub path: String,
    pub field_type: FieldType,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub default: Value,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: Option<String>,
    /// Where the range comes from.
    pub source: Option<String>,
    /// Ranges of values nested inside a JSON field (`containers[].cpu 0..4096 units`).
    pub nested_ranges: Vec<String>,
    /// May be left empty (`null`): an optional number such as reserved concurrency.
    pub optional: bool,
}

fn fields(defaults: &Value, specs: &[PropertySpec]) -> Vec<FormField> {
    let Value::Object(map) = defaults else {
        return Vec::new();
    };
    map.iter()
        .map(|(key, value)| {
            let field_type = match value {
                Value::Bool(_) => FieldType::Boolean,
                Value::Number(n) if n.is_f64() => FieldType::Number,
                Value::Number(_) => FieldType::Integer,
                Value::String(_) => FieldType::Text,
                _ => FieldType::Json,
            };
            let exact = specs.iter().find(|s| s.path == key);
            let nested_ranges = specs
                .iter()
                .filter(|s| {
                    s.path != key
                        && (s.path.starts_with(&format!("{key}."))
                            || s.path.starts_with(&format!("{key}[]")))
                })
                .map(|s| format!("{} {}..{} {}", s.path, s.min, s.max, s.unit))
                .collect();
            FormField {
                path: key.clone(),
                // A float default like 0.0 serialises as an f64; a range
                // with fractions also means the field takes decimals.
                field_type: match (field_type, exact) {
                    (FieldType::Integer | FieldType::Json, Some(s))
                        if s.min.fract() != 0.0 || s.max.fract() != 0.0 =>
                    {
                        FieldType::Number
                    }
                    (FieldType::Json, Some(_)) if value.is_null() => FieldType::Integer,
                    (t, _) => t,
                },
                optional: value.is_null(),
                default: value.clone(),
                min: exact.map(|s| s.min),
                max: exact.map(|s| s.max),
                unit: exact.map(|s| s.unit.to_string()),
                source: exact.map(|s| s.source.to_string()),
                nested_ranges,
            }
        })
        .collect()
}

/// The form of a component kind.
pub fn component_form(kind: ComponentKind) -> Vec<FormField> {
    let defaults = serde_json::to_value(Props::default_for(kind)).unwrap_or(Value::Null);
    fields(&defaults, &component_specs(kind))
}

/// The form of a connection's parameters.
pub fn connection_form(meaning: Meaning) -> Vec<FormField> {
    let mut defaults = serde_json::to_value(meaning.default_kind()).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut defaults {
        map.remove("meaning");
    }
    fields(&defaults, &connection_specs(meaning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_memory_has_the_quota_range_and_unit() {
        let form = component_form(ComponentKind::LambdaFunction);
        let memory = form
            .iter()
            .find(|f| f.path == "memory_mb")
            .expect("memory_mb");
        assert_eq!(memory.field_type, FieldType::Integer);
        assert_eq!((memory.min, memory.max), (Some(128.0), Some(10_240.0)));
        assert_eq!(memory.unit.as_deref(), Some("MB"));
    }

    #[test]
    fn every_kind_has_a_form_matching_its_defaults() {
        for &kind in ComponentKind::ALL {
            let defaults = serde_json::to_value(Props::default_for(kind)).unwrap();
            let n = defaults.as_object().map(|m| m.len()).unwrap_or(0);
            assert_eq!(component_form(kind).len(), n, "{kind:?}");
        }
    }

    #[test]
    fn poll_connection_has_batch_size() {
        let form = connection_form(Meaning::Poll);
        assert!(
            form.iter()
                .any(|f| f.path == "batch_size" && f.max.is_some())
        );
        assert!(form.iter().all(|f| f.path != "meaning"));
    }
}
