//! Inspector forms: one field per top-level property of a kind (or of a
//! connection's meaning), typed from the AWS default value and bounded by
//! the model's schema (ranges, units, sources). A component's fields also
//! carry the JSON Schema of their value, generated from the model's Rust
//! types (schemars): enums become choices, and the UI draws structured
//! editors (containers, listener rules, scaling, placement) from it. The
//! model still checks every value when the edit arrives.

use archsim_model::component::LAMBDA_RUNTIMES;
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
    /// One of `choices` (an enum of the model, or Lambda's runtime identifiers).
    Choice,
    /// Lists, nested objects and optional values: a structured editor made
    /// from `schema`, with JSON behind an "advanced" toggle.
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
    /// The values a `Choice` field allows, in the model's order.
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub choices: Vec<Value>,
    /// What the property means (the model's doc comment).
    pub description: Option<String>,
    /// The JSON Schema of the value (every subschema inlined); `null` where
    /// the model has none (a connection's parameters).
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub schema: Value,
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
                choices: Vec::new(),
                description: None,
                schema: Value::Null,
            }
        })
        .collect()
}

/// The values a property's schema allows when it is a plain choice: a
/// string `enum`, or a `oneOf` of constants (an enum whose variants carry
/// doc comments). `null` (an `Option`) is not a choice: the field says
/// `optional`.
fn choices_of(schema: &Value) -> Vec<Value> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().filter(|v| !v.is_null()).cloned().collect();
    }
    let Some(variants) = schema.get("oneOf").and_then(Value::as_array) else {
        return Vec::new();
    };
    let consts: Option<Vec<Value>> = variants
        .iter()
        .map(|v| v.get("const").cloned().or_else(|| single_enum(v)))
        .collect();
    consts.unwrap_or_default()
}

fn single_enum(v: &Value) -> Option<Value> {
    match v.get("enum").and_then(Value::as_array).map(Vec::as_slice) {
        Some([one]) => Some(one.clone()),
        _ => None,
    }
}

/// The schema a spec's path names inside a field's schema (`.key` is a
/// property, `[]` a list's items), through `Option`s and tagged variants.
fn schema_at<'a>(schema: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let Some((head, rest)) = split_step(path) else {
        return Some(schema);
    };
    let next = match head {
        Step::Items => schema.get_mut("items")?,
        Step::Key(key) => {
            if schema
                .get("properties")
                .is_some_and(|p| p.get(key).is_some())
            {
                schema.get_mut("properties")?.get_mut(key)?
            } else {
                // An Option<Struct> or a tagged variant: the alternative that has it.
                let variants = schema.get_mut("oneOf")?.as_array_mut()?;
                let found = variants
                    .iter_mut()
                    .find(|v| v.get("properties").is_some_and(|p| p.get(key).is_some()))?;
                found.get_mut("properties")?.get_mut(key)?
            }
        }
    };
    schema_at(next, rest)
}

enum Step<'a> {
    Key(&'a str),
    Items,
}

fn split_step(path: &str) -> Option<(Step<'_>, &str)> {
    let path = path.strip_prefix('.').unwrap_or(path);
    if path.is_empty() {
        return None;
    }
    if let Some(rest) = path.strip_prefix("[]") {
        return Some((Step::Items, rest));
    }
    let end = path.find(['.', '[']).unwrap_or(path.len());
    Some((Step::Key(&path[..end]), &path[end..]))
}

/// Puts the model's ranges and units (its `PropertySpec`s) on the nested
/// values of a field's schema: `minimum`, `maximum`, `x-unit`, `x-source`.
/// A default outside the range (a new port mapping's port 0) moves into it,
/// so "Add" makes an item the model accepts.
fn with_ranges(schema: &mut Value, field: &str, specs: &[PropertySpec]) {
    for spec in specs {
        let Some(rest) = spec.path.strip_prefix(field) else {
            continue;
        };
        if !(rest.starts_with('.') || rest.starts_with("[]")) {
            continue;
        }
        let Some(at) = schema_at(schema, rest) else {
            continue;
        };
        let Value::Object(map) = at else { continue };
        map.insert("minimum".into(), spec.min.into());
        map.insert("maximum".into(), spec.max.into());
        map.insert("x-unit".into(), spec.unit.into());
        map.insert("x-source".into(), spec.source.into());
        if let Some(d) = map.get("default").and_then(Value::as_f64)
            && (d < spec.min || d > spec.max)
        {
            let clamped = d.clamp(spec.min, spec.max);
            let value = if clamped.fract() == 0.0 {
                Value::from(clamped as i64)
            } else {
                Value::from(clamped)
            };
            map.insert("default".into(), value);
        }
    }
}

/// Adds the schema of each field's value (from the model's types), its
/// description, and the choices of an enum.
fn with_schema(mut form: Vec<FormField>, root: &Value, specs: &[PropertySpec]) -> Vec<FormField> {
    let properties = root.get("properties");
    // Properties the defaults leave out (an `Option` that is not written
    // when unset, such as a runtime identifier) still get a field.
    if let Some(Value::Object(all)) = properties {
        for (key, schema) in all {
            if form.iter().any(|f| &f.path == key) {
                continue;
            }
            let types: Vec<&str> = match schema.get("type") {
                Some(Value::String(t)) => vec![t.as_str()],
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let field_type = if types.contains(&"boolean") {
                FieldType::Boolean
            } else if types.contains(&"integer") {
                FieldType::Integer
            } else if types.contains(&"number") {
                FieldType::Number
            } else if types.contains(&"string") {
                FieldType::Text
            } else {
                FieldType::Json
            };
            form.push(FormField {
                path: key.clone(),
                field_type,
                default: Value::Null,
                min: None,
                max: None,
                unit: None,
                source: None,
                nested_ranges: Vec::new(),
                optional: true,
                choices: Vec::new(),
                description: None,
                schema: Value::Null,
            });
        }
    }
    for field in &mut form {
        let Some(schema) = properties.and_then(|p| p.get(&field.path)) else {
            continue;
        };
        field.description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(|d| d.split("\n\n").next().unwrap_or(d).replace('\n', " "));
        field.choices = choices_of(schema);
        if !field.choices.is_empty() {
            field.field_type = FieldType::Choice;
        }
        field.schema = schema.clone();
        with_ranges(&mut field.schema, &field.path, specs);
    }
    form
}

/// The form of a component kind.
pub fn component_form(kind: ComponentKind) -> Vec<FormField> {
    let defaults = serde_json::to_value(Props::default_for(kind)).unwrap_or(Value::Null);
    let root = serde_json::to_value(Props::schema_for(kind)).unwrap_or(Value::Null);
    let specs = component_specs(kind);
    let mut form = with_schema(fields(&defaults, &specs), &root, &specs);
    // A runtime identifier is a string in the model (a template may name
    // one archsim does not list); the form offers Lambda's current ones.
    if let Some(field) = form.iter_mut().find(|f| f.path == "runtime_id") {
        field.field_type = FieldType::Choice;
        field.choices = LAMBDA_RUNTIMES
            .iter()
            .map(|(id, _)| Value::from(*id))
            .collect();
    }
    form
}

fn defaults_tag(meaning: Meaning) -> Value {
    serde_json::to_value(meaning.default_kind())
        .ok()
        .and_then(|v| v.get("meaning").cloned())
        .unwrap_or(Value::Null)
}

/// The form of a connection's parameters, with the schema of the
/// meaning's variant of the model's `ConnectionKind` (so an access mode or
/// a starting position is a choice, listener rule conditions a structured
/// list).
pub fn connection_form(meaning: Meaning) -> Vec<FormField> {
    let mut defaults = serde_json::to_value(meaning.default_kind()).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut defaults {
        map.remove("meaning");
    }
    let specs = connection_specs(meaning);
    let root = serde_json::to_value(archsim_model::ConnectionKind::schema()).unwrap_or(Value::Null);
    // The variant's tag (`invoke` for both invoke meanings).
    let slug = defaults_tag(meaning);
    let variant = root
        .get("oneOf")
        .and_then(Value::as_array)
        .and_then(|variants| {
            variants.iter().find(|v| {
                let tag = v.get("properties").and_then(|p| p.get("meaning"));
                tag.and_then(|t| t.get("const")) == Some(&slug)
                    || tag.and_then(single_enum).as_ref() == Some(&slug)
            })
        })
        .cloned()
        .unwrap_or(Value::Null);
    let mut form = with_schema(fields(&defaults, &specs), &variant, &specs);
    form.retain(|f| f.path != "meaning");
    form
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
    fn every_kind_has_a_field_per_property() {
        for &kind in ComponentKind::ALL {
            let defaults = serde_json::to_value(Props::default_for(kind)).unwrap();
            let schema = serde_json::to_value(Props::schema_for(kind)).unwrap();
            let properties = schema["properties"].as_object().unwrap();
            let form = component_form(kind);
            assert_eq!(form.len(), properties.len(), "{kind:?}");
            // Every property the defaults write is a field, with its default.
            for (key, value) in defaults.as_object().unwrap() {
                let field = form.iter().find(|f| &f.path == key).unwrap();
                assert_eq!(&field.default, value, "{kind:?}.{key}");
            }
        }
    }

    #[test]
    fn enums_are_choices_in_the_models_order() {
        let form = component_form(ComponentKind::TaskDefinition);
        let mode = form.iter().find(|f| f.path == "network_mode").unwrap();
        assert_eq!(mode.field_type, FieldType::Choice);
        assert_eq!(mode.choices, ["awsvpc", "bridge", "host", "none"]);
        let api = component_form(ComponentKind::ApiGateway);
        let api_type = api.iter().find(|f| f.path == "api_type").unwrap();
        assert_eq!(api_type.choices, ["rest", "http"]);
    }

    #[test]
    fn every_enum_of_every_kind_is_a_choice_the_model_accepts() {
        // No enum is a free text box: a string field whose schema lists
        // values is a choice, and each choice deserialises into the kind.
        for &kind in ComponentKind::ALL {
            for field in component_form(kind) {
                let listed = !choices_of(&field.schema).is_empty();
                assert_eq!(
                    field.field_type == FieldType::Choice,
                    listed || field.path == "runtime_id",
                    "{kind:?}.{}",
                    field.path
                );
                for choice in &field.choices {
                    let mut props = serde_json::to_value(Props::default_for(kind)).unwrap();
                    props[&field.path] = choice.clone();
                    let text = props.to_string();
                    let mut de = serde_json::Deserializer::from_str(&text);
                    assert!(
                        Props::deserialize_for(kind, &mut de).is_ok(),
                        "{kind:?}.{} = {choice}",
                        field.path
                    );
                }
            }
        }
    }

    #[test]
    fn structured_fields_carry_their_schema() {
        let form = component_form(ComponentKind::TaskDefinition);
        let containers = form.iter().find(|f| f.path == "containers").unwrap();
        assert_eq!(containers.field_type, FieldType::Json);
        assert_eq!(containers.schema["type"], "array");
        let item = &containers.schema["items"]["properties"];
        assert_eq!(
            item["port_mappings"]["items"]["properties"]["protocol"]["enum"][0],
            "tcp"
        );
        assert!(
            containers.description.is_none()
                || !containers.description.as_ref().unwrap().is_empty()
        );
        let lambda = component_form(ComponentKind::LambdaFunction);
        let runtime_id = lambda.iter().find(|f| f.path == "runtime_id").unwrap();
        assert!(runtime_id.choices.contains(&Value::from("nodejs24.x")));
    }

    #[test]
    fn nested_values_carry_the_models_ranges_and_units() {
        let form = component_form(ComponentKind::TaskDefinition);
        let containers = form.iter().find(|f| f.path == "containers").unwrap();
        let item = &containers.schema["items"]["properties"];
        assert_eq!(item["cpu"]["x-unit"], "CPU units");
        assert_eq!(item["cpu"]["maximum"], 196_608.0);
        let port = &item["port_mappings"]["items"]["properties"]["container_port"];
        assert_eq!(port["minimum"], 1.0);
        // The type's default (0) is outside the range: a new item gets the minimum.
        assert_eq!(port["default"], 1);
    }

    /// A node group's provisioner is a choice with Karpenter, and its
    /// NodePool one structured field with Karpenter's limits and units.
    #[test]
    fn a_node_groups_karpenter_node_pool_is_a_form_with_its_limits() {
        let form = component_form(ComponentKind::EksNodeGroup);
        let autoscaler = form.iter().find(|f| f.path == "autoscaler").unwrap();
        assert_eq!(
            autoscaler.choices,
            ["cluster_autoscaler", "none", "karpenter"]
        );
        let pool = form.iter().find(|f| f.path == "karpenter").unwrap();
        let fields = &pool.schema["properties"];
        assert_eq!(fields["batch_max_s"]["x-unit"], "s");
        assert_eq!(fields["batch_idle_s"]["minimum"], 1.0);
        assert_eq!(fields["node_ready_s"]["maximum"], 3_600.0);
        assert_eq!(pool.default["batch_idle_s"], 1);
        assert_eq!(pool.default["consolidate_after_s"], 0);
        assert_eq!(pool.default["instance_types"][0], "m5.large");
    }

    /// An API's Lambda authorizer settings are one structured field whose
    /// TTL and callers carry API Gateway's and archsim's limits, and whose
    /// payload is a choice of the model's values.
    #[test]
    fn an_apis_lambda_authorizer_is_a_form_with_its_limits() {
        let form = component_form(ComponentKind::ApiGateway);
        let authorizer = form
            .iter()
            .find(|f| f.path == "lambda_authorizer")
            .expect("lambda_authorizer");
        let fields = &authorizer.schema["properties"];
        assert_eq!(fields["result_ttl_s"]["maximum"], 3_600.0);
        assert_eq!(fields["result_ttl_s"]["x-unit"], "s");
        assert_eq!(fields["callers"]["minimum"], 1.0);
        assert_eq!(
            fields["payload"]["enum"],
            serde_json::json!(["token", "request"])
        );
        assert_eq!(authorizer.default["result_ttl_s"], 300);
    }

    #[test]
    fn poll_connection_has_batch_size() {
        let form = connection_form(Meaning::Poll);
        assert!(
            form.iter()
                .any(|f| f.path == "batch_size" && f.max.is_some())
        );
        assert!(form.iter().all(|f| f.path != "meaning"));
        // The starting position is a choice of the model's values.
        let start = form
            .iter()
            .find(|f| f.path == "starting_position")
            .expect("starting position");
        assert_eq!(start.field_type, FieldType::Choice);
        assert_eq!(start.choices, ["LATEST", "TRIM_HORIZON"].map(Value::from));
    }

    /// No connection parameter that is an enum of the model is free text,
    /// and every meaning's form is made from its own variant's schema.
    #[test]
    fn connection_enums_are_choices() {
        let uses = connection_form(Meaning::Uses);
        let access = uses.iter().find(|f| f.path == "access").expect("access");
        assert_eq!(access.field_type, FieldType::Choice);
        assert_eq!(
            access.choices,
            ["read", "write", "read_write"].map(Value::from)
        );
        let route = connection_form(Meaning::Route);
        let conditions = route
            .iter()
            .find(|f| f.path == "conditions")
            .expect("conditions");
        assert!(
            conditions.schema["items"]["properties"]["field"].is_object(),
            "{}",
            conditions.schema
        );
        use Meaning as M;
        for m in [
            M::InvokeSync,
            M::InvokeAsync,
            M::Poll,
            M::Route,
            M::RunsOn,
            M::RunsTask,
            M::PullsImage,
            M::Uses,
            M::Publishes,
            M::DeadLetter,
            M::AssumesRole,
            M::Authorizes,
            M::References,
        ] {
            for f in connection_form(m) {
                assert!(
                    f.field_type != FieldType::Text || f.choices.is_empty(),
                    "{m:?} {}",
                    f.path
                );
                assert!(!f.schema.is_null(), "{m:?} {} has no schema", f.path);
            }
        }
    }
}
