//! SNS subscription filter policies: AWS's JSON filter-policy language,
//! kept on the subscription as written ([`SubscriptionFilter`]) and read
//! here into a [`FilterPolicy`] that says whether a message passes.
//!
//! A message passes when every key of the policy is satisfied (AND across
//! keys, `$or` branches ORed), a key being satisfied by any of the
//! conditions in its array (OR across values). A String.Array attribute
//! (or a JSON array in the body) is satisfied when any one element is. A
//! key the message lacks satisfies only `{"exists": false}`, and that only
//! when the message carries at least one attribute (or body property).
//! Sources: Amazon SNS Developer Guide, "Amazon SNS message filtering",
//! "String value matching", "Numeric value matching", "Key matching",
//! "Filter policy constraints in Amazon SNS",
//! <https://docs.aws.amazon.com/sns/latest/dg/message-filtering.html>.
//!
//! ```
//! use std::collections::BTreeMap;
//! use archsim_model::filter_policy::{AttributeValue, FilterPolicy, FilterPolicyScope};
//!
//! let policy = serde_json::json!({"event": ["order_placed"], "price_usd": [{"numeric": [">=", 100]}]});
//! let policy = FilterPolicy::parse(&policy, FilterPolicyScope::MessageAttributes).unwrap();
//! let mut attributes = BTreeMap::new();
//! attributes.insert("event".to_string(), AttributeValue::String("order_placed".into()));
//! attributes.insert("price_usd".to_string(), AttributeValue::Number(210.75));
//! assert!(policy.passes(&attributes, None));
//! attributes.insert("price_usd".to_string(), AttributeValue::Number(99.0));
//! assert!(!policy.passes(&attributes, None));
//! ```

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// At most five keys in a policy ("Filter policy constraints in Amazon
/// SNS": "A filter policy can have a maximum of five keys").
pub const MAX_KEYS: usize = 5;

/// At most 150 value combinations: the product of the number of values in
/// each key's array ("Filter policy constraints in Amazon SNS": "The total
/// combination of values in a filter policy must not exceed 150").
pub const MAX_COMBINATIONS: u64 = 150;

/// Numbers a numeric condition may name: -10^9 to 10^9 (same page).
pub const NUMERIC_LIMIT: f64 = 1e9;

/// What a subscription's policy is applied to (`FilterPolicyScope`;
/// `MessageAttributes` when the subscription does not say).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FilterPolicyScope {
    #[default]
    MessageAttributes,
    MessageBody,
}

impl FilterPolicyScope {
    /// AWS's name of the scope (`MessageAttributes`, `MessageBody`).
    pub fn aws_name(self) -> &'static str {
        match self {
            Self::MessageAttributes => "MessageAttributes",
            Self::MessageBody => "MessageBody",
        }
    }

    pub fn from_aws_name(name: &str) -> Option<Self> {
        match name {
            "MessageAttributes" => Some(Self::MessageAttributes),
            "MessageBody" => Some(Self::MessageBody),
            _ => None,
        }
    }
}

/// An SNS subscription's filter policy as written, with its scope. Kept
/// on the topic -> subscriber connection (`Connection::filter_policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SubscriptionFilter {
    /// The policy, AWS's JSON (`{"event": ["order_placed"]}`).
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub policy: Value,
    #[serde(default)]
    pub scope: FilterPolicyScope,
}

impl SubscriptionFilter {
    pub fn new(policy: Value, scope: FilterPolicyScope) -> Self {
        Self { policy, scope }
    }

    /// The policy read, or what is wrong with it.
    pub fn parse(&self) -> Result<FilterPolicy, String> {
        FilterPolicy::parse(&self.policy, self.scope)
    }
}

/// An SNS message attribute's value: a String, a Number or a
/// String.Array (Binary attributes are ignored by filtering, so not kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AttributeValue {
    Number(f64),
    String(String),
    StringArray(Vec<String>),
}

/// One scalar a condition is compared with.
#[derive(Debug, Clone, PartialEq)]
enum Scalar<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
    Null,
}

/// A value written in the policy (exact match, an anything-but entry).
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

impl Literal {
    fn matches(&self, s: &Scalar) -> bool {
        match (self, s) {
            (Self::Str(a), Scalar::Str(b)) => a == b,
            (Self::Num(a), Scalar::Num(b)) => same_number(*a, *b),
            (Self::Bool(a), Scalar::Bool(b)) => a == b,
            (Self::Null, Scalar::Null) => true,
            _ => false,
        }
    }
}

/// Numbers compare to five digits after the decimal point (AWS's stated
/// accuracy).
fn same_number(a: f64, b: f64) -> bool {
    (a * 1e5).round() == (b * 1e5).round()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum NumericOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Exact(Literal),
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(String),
    AnythingBut(Vec<Literal>),
    AnythingButPrefix(String),
    AnythingButSuffix(String),
    Numeric(Vec<(NumericOp, f64)>),
    Exists(bool),
    Cidr(IpAddr, u8),
}

impl Condition {
    /// Whether one present scalar satisfies the condition (`exists` is
    /// decided by the caller).
    fn matches(&self, s: &Scalar) -> bool {
        match self {
            Self::Exact(l) => l.matches(s),
            Self::Prefix(p) => matches!(s, Scalar::Str(v) if v.starts_with(p.as_str())),
            Self::Suffix(p) => matches!(s, Scalar::Str(v) if v.ends_with(p.as_str())),
            Self::EqualsIgnoreCase(p) => {
                matches!(s, Scalar::Str(v) if v.to_lowercase() == p.to_lowercase())
            }
            Self::AnythingBut(values) => {
                matches!(s, Scalar::Str(_) | Scalar::Num(_) | Scalar::Bool(_))
                    && !values.iter().any(|l| l.matches(s))
            }
            Self::AnythingButPrefix(p) => {
                matches!(s, Scalar::Str(v) if !v.starts_with(p.as_str()))
            }
            Self::AnythingButSuffix(p) => matches!(s, Scalar::Str(v) if !v.ends_with(p.as_str())),
            Self::Numeric(bounds) => match s {
                Scalar::Num(v) => bounds.iter().all(|(op, b)| match op {
                    NumericOp::Eq => same_number(*v, *b),
                    NumericOp::Lt => v < b,
                    NumericOp::Le => v <= b,
                    NumericOp::Gt => v > b,
                    NumericOp::Ge => v >= b,
                }),
                _ => false,
            },
            Self::Exists(_) => true,
            Self::Cidr(net, bits) => match s {
                Scalar::Str(v) => v
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| in_network(ip, *net, *bits)),
                _ => false,
            },
        }
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// One key of the policy: its path (one name for attributes; the names
/// down the body's objects) and its conditions, any of which satisfies it.
#[derive(Debug, Clone, PartialEq)]
struct Leaf {
    path: Vec<String>,
    conditions: Vec<Condition>,
}

/// Keys that must all be satisfied, and `$or` groups of which one branch
/// must be.
#[derive(Debug, Clone, PartialEq, Default)]
struct Conjunction {
    leaves: Vec<Leaf>,
    ors: Vec<Vec<Conjunction>>,
}

impl Conjunction {
    /// Value combinations, as AWS counts them: the product of each key's
    /// number of values; an `$or` adds up its branches'.
    fn combinations(&self) -> u64 {
        let leaves = self
            .leaves
            .iter()
            .fold(1u64, |n, l| n.saturating_mul(l.conditions.len() as u64));
        self.ors.iter().fold(leaves, |n, branches| {
            n.saturating_mul(
                branches
                    .iter()
                    .fold(0u64, |s, b| s.saturating_add(b.combinations())),
            )
        })
    }

    fn key_paths(&self, out: &mut Vec<Vec<String>>) {
        for l in &self.leaves {
            if !out.contains(&l.path) {
                out.push(l.path.clone());
            }
        }
        for branches in &self.ors {
            for b in branches {
                b.key_paths(out);
            }
        }
    }

    fn passes(&self, message: &MessageView) -> bool {
        self.leaves.iter().all(|l| message.satisfies(l))
            && self
                .ors
                .iter()
                .all(|branches| branches.iter().any(|b| b.passes(message)))
    }
}

/// A filter policy read and checked against AWS's syntax and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPolicy {
    scope: FilterPolicyScope,
    root: Conjunction,
}

impl FilterPolicy {
    /// Reads `policy` for `scope`; the error says what is wrong and where
    /// (`"price": numeric needs an operator and a number`).
    pub fn parse(policy: &Value, scope: FilterPolicyScope) -> Result<Self, String> {
        let root = conjunction(policy, scope, &[])?;
        let mut keys = Vec::new();
        root.key_paths(&mut keys);
        if keys.len() > MAX_KEYS {
            return Err(format!(
                "{} keys ({}): a filter policy has at most {MAX_KEYS}",
                keys.len(),
                keys.iter()
                    .map(|k| k.join("."))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let combinations = root.combinations();
        if combinations > MAX_COMBINATIONS {
            return Err(format!(
                "{combinations} value combinations (the product of each key's number of values): a filter policy allows at most {MAX_COMBINATIONS}"
            ));
        }
        Ok(Self { scope, root })
    }

    pub fn scope(&self) -> FilterPolicyScope {
        self.scope
    }

    /// Whether a message with these attributes (attribute scope) or this
    /// JSON body (body scope) passes. A body-scope policy meets a message
    /// without a JSON object body as an empty one.
    pub fn passes(
        &self,
        attributes: &BTreeMap<String, AttributeValue>,
        body: Option<&Value>,
    ) -> bool {
        let view = match self.scope {
            FilterPolicyScope::MessageAttributes => MessageView::Attributes(attributes),
            FilterPolicyScope::MessageBody => MessageView::Body(body),
        };
        self.root.passes(&view)
    }
}

enum MessageView<'a> {
    Attributes(&'a BTreeMap<String, AttributeValue>),
    Body(Option<&'a Value>),
}

impl MessageView<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Self::Attributes(a) => a.is_empty(),
            Self::Body(b) => b
                .and_then(Value::as_object)
                .is_none_or(serde_json::Map::is_empty),
        }
    }

    /// The scalars at `path`: none when the key is absent (or holds null
    /// or an empty value, which `exists: true` does not count).
    fn scalars(&self, path: &[String]) -> Vec<Scalar<'_>> {
        match self {
            Self::Attributes(a) => match path.first().and_then(|k| a.get(k)) {
                None => Vec::new(),
                Some(AttributeValue::Number(n)) => vec![Scalar::Num(*n)],
                Some(AttributeValue::String(s)) => vec![Scalar::Str(s)],
                Some(AttributeValue::StringArray(v)) => {
                    v.iter().map(|s| Scalar::Str(s.as_str())).collect()
                }
            },
            Self::Body(body) => {
                let mut at = *body;
                for k in path {
                    at = at.and_then(|v| v.get(k));
                }
                match at {
                    None => Vec::new(),
                    Some(Value::Array(items)) => items.iter().filter_map(scalar).collect(),
                    Some(v) => scalar(v).into_iter().collect(),
                }
            }
        }
    }

    /// Whether the key is there for `exists`: "the key must have a
    /// non-null and non-empty value" (Key matching).
    fn present(&self, path: &[String]) -> bool {
        self.scalars(path)
            .iter()
            .any(|x| !matches!(x, Scalar::Null | Scalar::Str("")))
    }

    fn satisfies(&self, leaf: &Leaf) -> bool {
        let present = self.present(&leaf.path);
        let values = self.scalars(&leaf.path);
        leaf.conditions.iter().any(|c| match c {
            Condition::Exists(true) => present,
            Condition::Exists(false) => !present && !self.is_empty(),
            c => values.iter().any(|v| c.matches(v)),
        })
    }
}

fn scalar(v: &Value) -> Option<Scalar<'_>> {
    match v {
        Value::String(s) => Some(Scalar::Str(s)),
        Value::Number(n) => n.as_f64().map(Scalar::Num),
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Null => Some(Scalar::Null),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn conjunction(
    policy: &Value,
    scope: FilterPolicyScope,
    path: &[String],
) -> Result<Conjunction, String> {
    let Value::Object(map) = policy else {
        return Err(if path.is_empty() {
            "a filter policy is a JSON object of keys and their arrays of values".into()
        } else {
            format!("\"{}\": expected an object", path.join("."))
        });
    };
    let mut out = Conjunction::default();
    for (key, value) in map {
        if key == "$or" {
            let Value::Array(branches) = value else {
                return Err("\"$or\" takes an array of policies".into());
            };
            if branches.len() < 2 {
                return Err("\"$or\" takes at least two policies".into());
            }
            let mut group = Vec::new();
            for b in branches {
                group.push(conjunction(b, scope, path)?);
            }
            out.ors.push(group);
            continue;
        }
        let mut here = path.to_vec();
        here.push(key.clone());
        let name = here.join(".");
        match value {
            Value::Array(values) => {
                if values.is_empty() {
                    return Err(format!("\"{name}\": an empty array matches nothing"));
                }
                let conditions = values
                    .iter()
                    .map(|v| condition(v, &name))
                    .collect::<Result<Vec<_>, _>>()?;
                out.leaves.push(Leaf {
                    path: here,
                    conditions,
                });
            }
            Value::Object(_) if scope == FilterPolicyScope::MessageBody => {
                let inner = conjunction(value, scope, &here)?;
                out.leaves.extend(inner.leaves);
                out.ors.extend(inner.ors);
            }
            Value::Object(_) => {
                return Err(format!(
                    "\"{name}\": a nested policy filters the message body: set the scope to MessageBody"
                ));
            }
            _ => {
                return Err(format!(
                    "\"{name}\": a key's values are an array (`\"{key}\": [...]`)"
                ));
            }
        }
    }
    Ok(out)
}

fn literal(v: &Value, name: &str) -> Result<Literal, String> {
    Ok(match v {
        Value::String(s) => Literal::Str(s.clone()),
        Value::Number(n) => Literal::Num(number(n.as_f64(), name)?),
        Value::Bool(b) => Literal::Bool(*b),
        Value::Null => Literal::Null,
        _ => {
            return Err(format!(
                "\"{name}\": expected a string, number, true, false or null"
            ));
        }
    })
}

fn number(n: Option<f64>, name: &str) -> Result<f64, String> {
    match n {
        Some(n) if n.abs() <= NUMERIC_LIMIT => Ok(n),
        _ => Err(format!(
            "\"{name}\": numbers range from -1,000,000,000 to 1,000,000,000"
        )),
    }
}

fn text<'a>(v: &'a Value, name: &str, op: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("\"{name}\": {op} takes a string"))
}

fn condition(v: &Value, name: &str) -> Result<Condition, String> {
    let Value::Object(op) = v else {
        return Ok(Condition::Exact(literal(v, name)?));
    };
    if op.len() != 1 {
        return Err(format!(
            "\"{name}\": an operator object has one operator (prefix, suffix, anything-but, numeric, exists, equals-ignore-case, cidr)"
        ));
    }
    let (kind, arg) = op.iter().next().expect("one entry");
    Ok(match kind.as_str() {
        "prefix" => Condition::Prefix(text(arg, name, "prefix")?.to_string()),
        "suffix" => Condition::Suffix(text(arg, name, "suffix")?.to_string()),
        "equals-ignore-case" => {
            Condition::EqualsIgnoreCase(text(arg, name, "equals-ignore-case")?.to_string())
        }
        "exists" => Condition::Exists(
            arg.as_bool()
                .ok_or_else(|| format!("\"{name}\": exists takes true or false"))?,
        ),
        "anything-but" => match arg {
            Value::Array(values) if !values.is_empty() => Condition::AnythingBut(
                values
                    .iter()
                    .map(|v| match v {
                        Value::String(_) | Value::Number(_) => literal(v, name),
                        _ => Err(format!("\"{name}\": anything-but lists strings or numbers")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Value::String(_) | Value::Number(_) => {
                Condition::AnythingBut(vec![literal(arg, name)?])
            }
            Value::Object(inner) if inner.len() == 1 => {
                let (k, a) = inner.iter().next().expect("one entry");
                match k.as_str() {
                    "prefix" => {
                        Condition::AnythingButPrefix(text(a, name, "anything-but prefix")?.into())
                    }
                    "suffix" => {
                        Condition::AnythingButSuffix(text(a, name, "anything-but suffix")?.into())
                    }
                    _ => {
                        return Err(format!(
                            "\"{name}\": anything-but takes values, or one prefix or suffix"
                        ));
                    }
                }
            }
            _ => {
                return Err(format!(
                    "\"{name}\": anything-but takes values, or one prefix or suffix"
                ));
            }
        },
        "numeric" => {
            let bad = || {
                format!(
                    "\"{name}\": numeric takes an operator (=, <, <=, >, >=) and a number, or a lower and an upper bound"
                )
            };
            let Value::Array(items) = arg else {
                return Err(bad());
            };
            if items.is_empty() || items.len() % 2 != 0 || items.len() > 4 {
                return Err(bad());
            }
            let mut bounds = Vec::new();
            for pair in items.chunks(2) {
                let op = match pair[0].as_str() {
                    Some("=") => NumericOp::Eq,
                    Some("<") => NumericOp::Lt,
                    Some("<=") => NumericOp::Le,
                    Some(">") => NumericOp::Gt,
                    Some(">=") => NumericOp::Ge,
                    _ => return Err(bad()),
                };
                let Value::Number(n) = &pair[1] else {
                    return Err(bad());
                };
                bounds.push((op, number(n.as_f64(), name)?));
            }
            if let [(lo, _), (hi, _)] = bounds.as_slice()
                && !(matches!(lo, NumericOp::Gt | NumericOp::Ge)
                    && matches!(hi, NumericOp::Lt | NumericOp::Le))
            {
                return Err(bad());
            }
            Condition::Numeric(bounds)
        }
        "cidr" => {
            let s = text(arg, name, "cidr")?;
            let bad =
                || format!("\"{name}\": cidr takes an address and a prefix length (10.0.0.0/24)");
            let (ip, bits) = s.split_once('/').ok_or_else(bad)?;
            let ip: IpAddr = ip.parse().map_err(|_| bad())?;
            let bits: u8 = bits.parse().map_err(|_| bad())?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            if bits > max {
                return Err(bad());
            }
            Condition::Cidr(ip, bits)
        }
        other => {
            return Err(format!(
                "\"{name}\": {other} is not a filter policy operator (prefix, suffix, anything-but, numeric, exists, equals-ignore-case, cidr)"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(pairs: &[(&str, AttributeValue)]) -> BTreeMap<String, AttributeValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }
    fn s(v: &str) -> AttributeValue {
        AttributeValue::String(v.into())
    }
    fn n(v: f64) -> AttributeValue {
        AttributeValue::Number(v)
    }
    fn passes(policy: Value, a: &BTreeMap<String, AttributeValue>) -> bool {
        FilterPolicy::parse(&policy, FilterPolicyScope::MessageAttributes)
            .unwrap()
            .passes(a, None)
    }

    #[test]
    fn exact_values_are_ored_and_keys_anded() {
        let p = json!({"store": ["example_corp"], "event": ["order_placed", "order_cancelled"]});
        assert!(passes(
            p.clone(),
            &attrs(&[
                ("store", s("example_corp")),
                ("event", s("order_cancelled"))
            ])
        ));
        assert!(!passes(
            p.clone(),
            &attrs(&[("store", s("example_corp")), ("event", s("order_shipped"))])
        ));
        assert!(!passes(p, &attrs(&[("event", s("order_placed"))])));
    }

    #[test]
    fn string_arrays_match_on_any_element() {
        let p = json!({"customer_interests": ["rugby", "tennis"]});
        let a = |v: &[&str]| {
            attrs(&[(
                "customer_interests",
                AttributeValue::StringArray(v.iter().map(|x| x.to_string()).collect()),
            )])
        };
        assert!(passes(p.clone(), &a(&["rugby", "tennis"])));
        assert!(!passes(p, &a(&["baseball"])));
        // The documented example: anything-but matches an array with one
        // element outside the list.
        let p = json!({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]});
        assert!(passes(p.clone(), &a(&["rugby", "baseball"])));
        assert!(!passes(p, &a(&["rugby", "tennis"])));
    }

    #[test]
    fn operators() {
        let one = |p: Value, v: AttributeValue| passes(p, &attrs(&[("k", v)]));
        assert!(one(json!({"k": [{"prefix": "bl"}]}), s("blue")));
        assert!(!one(json!({"k": [{"prefix": "bl"}]}), s("red")));
        assert!(one(json!({"k": [{"suffix": ".jpg"}]}), s("cat.jpg")));
        assert!(one(json!({"k": [{"equals-ignore-case": "RED"}]}), s("red")));
        assert!(!one(json!({"k": ["RED"]}), s("red")));
        assert!(one(json!({"k": [{"anything-but": "red"}]}), s("blue")));
        assert!(!one(
            json!({"k": [{"anything-but": {"prefix": "bl"}}]}),
            s("blue")
        ));
        assert!(one(
            json!({"k": [{"anything-but": {"suffix": "x"}}]}),
            s("blue")
        ));
        assert!(one(
            json!({"k": [{"numeric": [">", 0, "<=", 150]}]}),
            n(150.0)
        ));
        assert!(!one(
            json!({"k": [{"numeric": [">", 0, "<=", 150]}]}),
            n(150.5)
        ));
        assert!(one(json!({"k": [{"numeric": ["=", 3.5]}]}), n(3.5)));
        assert!(!one(json!({"k": [{"numeric": ["=", 3.5]}]}), s("3.5")));
        assert!(one(json!({"k": [100]}), n(100.0)));
        assert!(one(json!({"k": [{"cidr": "10.0.0.0/24"}]}), s("10.0.0.77")));
        assert!(!one(json!({"k": [{"cidr": "10.0.0.0/24"}]}), s("10.0.1.1")));
    }

    #[test]
    fn a_missing_key_passes_only_exists_false_and_only_beside_other_attributes() {
        let absent = json!({"store": [{"exists": false}]});
        assert!(passes(absent.clone(), &attrs(&[("event", s("x"))])));
        assert!(!passes(absent.clone(), &attrs(&[])));
        assert!(!passes(absent, &attrs(&[("store", s("x"))])));
        assert!(passes(
            json!({"store": [{"exists": true}]}),
            &attrs(&[("store", s("x"))])
        ));
        // An empty value is no value.
        assert!(!passes(
            json!({"store": [{"exists": true}]}),
            &attrs(&[("store", s(""))])
        ));
        let body = FilterPolicy::parse(
            &json!({"store": [{"exists": true}]}),
            FilterPolicyScope::MessageBody,
        )
        .unwrap();
        assert!(!body.passes(&BTreeMap::new(), Some(&json!({"store": null, "a": 1}))));
        assert!(body.passes(&BTreeMap::new(), Some(&json!({"store": "fans"}))));
        // anything-but does not match a missing key; with exists false it does.
        assert!(!passes(
            json!({"store": [{"anything-but": "a"}]}),
            &attrs(&[("event", s("x"))])
        ));
        assert!(passes(
            json!({"store": [{"anything-but": "a"}, {"exists": false}]}),
            &attrs(&[("event", s("x"))])
        ));
    }

    #[test]
    fn or_and_body_scope() {
        let p = json!({"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": [{"prefix": "AWS/"}]}]});
        assert!(passes(
            p.clone(),
            &attrs(&[("source", s("aws.cloudwatch")), ("namespace", s("AWS/EC2"))])
        ));
        assert!(!passes(
            p,
            &attrs(&[("source", s("aws.cloudwatch")), ("namespace", s("Custom"))])
        ));
        let body = FilterPolicy::parse(
            &json!({"order": {"total": [{"numeric": [">=", 50]}]}}),
            FilterPolicyScope::MessageBody,
        )
        .unwrap();
        assert!(body.passes(&BTreeMap::new(), Some(&json!({"order": {"total": 60}}))));
        assert!(!body.passes(&BTreeMap::new(), Some(&json!({"order": {"total": 10}}))));
        assert!(!body.passes(&BTreeMap::new(), None));
    }

    #[test]
    fn syntax_and_limits() {
        let attr = |p: Value| FilterPolicy::parse(&p, FilterPolicyScope::MessageAttributes);
        assert!(attr(json!(["x"])).is_err());
        assert!(attr(json!({"k": "x"})).is_err());
        assert!(attr(json!({"k": []})).is_err());
        assert!(
            attr(json!({"k": {"nested": ["x"]}}))
                .unwrap_err()
                .contains("MessageBody")
        );
        assert!(attr(json!({"k": [{"starts-with": "x"}]})).is_err());
        assert!(attr(json!({"k": [{"numeric": ["<", 5, ">", 1]}]})).is_err());
        assert!(attr(json!({"k": [{"numeric": [">", 2e9]}]})).is_err());
        assert!(attr(json!({"k": [{"cidr": "10.0.0.0/40"}]})).is_err());
        let six = json!({"a": ["x"], "b": ["x"], "c": ["x"], "d": ["x"], "e": ["x"], "f": ["x"]});
        assert!(attr(six).unwrap_err().contains("at most 5"));
        let five: Vec<Value> = (0..5).map(|i| json!(format!("v{i}"))).collect();
        let many = json!({"a": five, "b": five, "c": five, "d": ["x", "y"]});
        // 5 x 5 x 5 x 2 = 250 combinations.
        assert!(attr(many).unwrap_err().contains("250"));
        let ok = json!({"a": five, "b": five, "c": five});
        assert!(attr(ok).is_ok());
    }
}
