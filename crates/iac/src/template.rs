//! Templates as ordered values: reading YAML (with the short-form intrinsic
//! tags) and JSON, writing both, and checking references.
//!
//! A template is a `serde_json::Value` built with `preserve_order`, so keys
//! keep the order they were written in. Intrinsics are always held in their
//! long form (`{"Ref": "X"}`, `{"Fn::GetAtt": ["X", "Arn"]}`); the YAML
//! writer turns them back into `!Ref X` / `!GetAtt X.Arn`.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::ImportError;

/// CloudFormation's own limit for a template body read from S3 is 1 MB; we
/// allow some slack for comments and still refuse anything absurd.
pub const MAX_TEMPLATE_BYTES: usize = 5 * 1024 * 1024;

/// How deep a template may nest (serde_json stops at 128 for JSON).
const MAX_DEPTH: usize = 100;

/// Intrinsic functions CloudFormation knows, by their short tag name.
pub const INTRINSICS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Length",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "ForEach",
];

/// A parsed template with the line of every node, for error messages.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub value: Value,
    /// JSON pointer (`/Resources/Fn/Properties`) -> 1-based line.
    pub lines: HashMap<String, usize>,
}

impl Parsed {
    /// The line of the node at `pointer`, or of its nearest ancestor.
    pub fn line_of(&self, pointer: &str) -> usize {
        let mut p = pointer;
        loop {
            if let Some(&l) = self.lines.get(p) {
                return l;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return 1,
            }
        }
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Reads a template from text, YAML or JSON.
pub fn parse(text: &str, file: &str) -> Result<Parsed, ImportError> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(ImportError::TooLarge {
            file: file.into(),
            bytes: text.len(),
            limit: MAX_TEMPLATE_BYTES,
        });
    }
    if text.trim().is_empty() {
        return Err(ImportError::Syntax {
            file: file.into(),
            line: 1,
            message: "the file is empty; expected a CloudFormation or SAM template".into(),
        });
    }
    if text.trim_start().starts_with('{') {
        let value: Value = serde_json::from_str(text).map_err(|e| ImportError::Syntax {
            file: file.into(),
            line: e.line().max(1),
            message: format!("not valid JSON: {e}"),
        })?;
        // The YAML reader also reads JSON; it gives us the lines.
        let lines = parse_yaml(text, file).map(|p| p.lines).unwrap_or_default();
        let parsed = Parsed { value, lines };
        check_intrinsics(&parsed, file)?;
        return Ok(parsed);
    }
    let parsed = parse_yaml(text, file)?;
    check_intrinsics(&parsed, file)?;
    Ok(parsed)
}

#[derive(Default)]
struct Events(Vec<(Event, Marker)>);

impl MarkedEventReceiver for Events {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        self.0.push((ev, mark));
    }
}

fn parse_yaml(text: &str, file: &str) -> Result<Parsed, ImportError> {
    let mut events = Events::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut events, false)
        .map_err(|e| ImportError::Syntax {
            file: file.into(),
            line: e.marker().line().max(1),
            message: format!("not valid YAML: {}", e.info()),
        })?;
    let mut builder = Builder {
        events: events.0,
        at: 0,
        lines: HashMap::new(),
        file,
    };
    // Skip StreamStart / DocumentStart.
    while builder.at < builder.events.len()
        && matches!(
            builder.events[builder.at].0,
            Event::StreamStart | Event::DocumentStart | Event::Nothing
        )
    {
        builder.at += 1;
    }
    if builder.at >= builder.events.len()
        || matches!(
            builder.events[builder.at].0,
            Event::StreamEnd | Event::DocumentEnd
        )
    {
        return Err(ImportError::Syntax {
            file: file.into(),
            line: 1,
            message: "the file holds no YAML document; expected a template".into(),
        });
    }
    let value = builder.node(String::new())?;
    Ok(Parsed {
        value,
        lines: builder.lines,
    })
}

struct Builder<'a> {
    events: Vec<(Event, Marker)>,
    at: usize,
    lines: HashMap<String, usize>,
    file: &'a str,
}

impl Builder<'_> {
    fn err(&self, line: usize, message: String) -> ImportError {
        ImportError::Syntax {
            file: self.file.into(),
            line: line.max(1),
            message,
        }
    }

    fn node(&mut self, pointer: String) -> Result<Value, ImportError> {
        let Some((event, mark)) = self.events.get(self.at).cloned() else {
            return Err(self.err(0, "unexpected end of the document".into()));
        };
        // Templates nest a few dozen levels; a deeper file is not one, and
        // following it would only exhaust the stack.
        if pointer.matches('/').count() > MAX_DEPTH {
            return Err(self.err(
                mark.line(),
                format!("nested more than {MAX_DEPTH} levels deep; expected a template"),
            ));
        }
        self.at += 1;
        let line = mark.line().max(1);
        self.lines.insert(pointer.clone(), line);
        let (value, tag) = match event {
            Event::Scalar(text, style, _, tag) => {
                let v = if matches!(style, TScalarStyle::Plain) && tag.is_none() {
                    resolve_plain(&text)
                } else {
                    Value::String(text)
                };
                (v, tag)
            }
            Event::SequenceStart(_, tag) => {
                let mut items = Vec::new();
                loop {
                    if matches!(self.events.get(self.at), Some((Event::SequenceEnd, _))) {
                        self.at += 1;
                        break;
                    }
                    let p = format!("{pointer}/{}", items.len());
                    items.push(self.node(p)?);
                }
                (Value::Array(items), tag)
            }
            Event::MappingStart(_, tag) => {
                let mut map = Map::new();
                loop {
                    if matches!(self.events.get(self.at), Some((Event::MappingEnd, _))) {
                        self.at += 1;
                        break;
                    }
                    let key_line = self.events.get(self.at).map_or(line, |e| e.1.line());
                    let key = match self.node(format!("{pointer}/~key"))? {
                        Value::String(s) => s,
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        other => {
                            return Err(self.err(
                                key_line,
                                format!("a mapping key must be a plain value, found {other}"),
                            ));
                        }
                    };
                    if map.contains_key(&key) {
                        return Err(self.err(key_line, format!("duplicate key \"{key}\"")));
                    }
                    let p = format!("{pointer}/{}", escape_pointer(&key));
                    let v = self.node(p)?;
                    map.insert(key, v);
                }
                self.lines.remove(&format!("{pointer}/~key"));
                (Value::Object(map), tag)
            }
            Event::Alias(_) => {
                return Err(self.err(
                    line,
                    "YAML aliases (*name) are not supported by CloudFormation; expected a value"
                        .into(),
                ));
            }
            other => {
                return Err(self.err(line, format!("unexpected YAML event {other:?}")));
            }
        };
        match tag {
            None => Ok(value),
            Some(tag) => self.apply_tag(tag, value, line),
        }
    }

    fn apply_tag(&self, tag: Tag, value: Value, line: usize) -> Result<Value, ImportError> {
        if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" {
            return Ok(match (tag.suffix.as_str(), value) {
                ("str", Value::String(s)) => Value::String(s),
                (_, Value::String(s)) => resolve_plain(&s),
                (_, v) => v,
            });
        }
        if tag.handle != "!" {
            return Err(self.err(
                line,
                format!(
                    "unknown YAML tag {}{}; expected an intrinsic function such as !Ref or !GetAtt",
                    tag.handle, tag.suffix
                ),
            ));
        }
        let name = tag.suffix.as_str();
        match name {
            "Ref" => Ok(single("Ref", value)),
            "Condition" => Ok(single("Condition", value)),
            "GetAtt" => match value {
                Value::String(s) => match s.split_once('.') {
                    Some((res, att)) => Ok(single(
                        "Fn::GetAtt",
                        Value::Array(vec![res.into(), att.into()]),
                    )),
                    None => {
                        Err(self.err(line, format!("!GetAtt {s}: expected Resource.Attribute")))
                    }
                },
                v => Ok(single("Fn::GetAtt", v)),
            },
            n if INTRINSICS.contains(&n) => Ok(single(&format!("Fn::{n}"), value)),
            n => Err(self.err(
                line,
                format!(
                    "unknown intrinsic function !{n}; expected one of !Ref, !Condition, {}",
                    INTRINSICS
                        .iter()
                        .map(|i| format!("!{i}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
}

fn single(key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.into(), value);
    Value::Object(m)
}

/// How a plain (unquoted, untagged) YAML scalar reads: YAML 1.2 core schema.
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Leading zeros (`0755`, `012345678901` account ids) stay strings in
        // CloudFormation's eyes; so do numbers too long for i64.
        if !(digits.len() > 1 && digits.starts_with('0'))
            && let Ok(i) = s.parse::<i64>()
        {
            return Value::from(i);
        }
        return Value::String(s.into());
    }
    let looks_float = digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() == 1
        && digits.bytes().any(|b| b.is_ascii_digit())
        && !digits.ends_with('.');
    if looks_float && let Some(n) = s.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        return Value::Number(n);
    }
    Value::String(s.into())
}

/// Rejects `Fn::Unknown` keys wherever they are.
fn check_intrinsics(parsed: &Parsed, file: &str) -> Result<(), ImportError> {
    fn walk(v: &Value, pointer: &str, parsed: &Parsed, file: &str) -> Result<(), ImportError> {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let p = format!("{pointer}/{}", escape_pointer(k));
                    if let Some(name) = k.strip_prefix("Fn::")
                        && !INTRINSICS.contains(&name)
                    {
                        return Err(ImportError::Syntax {
                            file: file.into(),
                            line: parsed.line_of(&p),
                            message: format!(
                                "unknown intrinsic function {k}; expected Ref or one of Fn::{}",
                                INTRINSICS.join(", Fn::")
                            ),
                        });
                    }
                    walk(child, &p, parsed, file)?;
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    walk(child, &format!("{pointer}/{i}"), parsed, file)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(&parsed.value, "", parsed, file)
}

/// Checks that every `Ref`, `Fn::GetAtt` and `${...}` in `Fn::Sub` names a
/// parameter, a resource, a pseudo parameter, or (with the SAM transform)
/// a resource SAM generates from one of the template's resources.
pub fn check_references(parsed: &Parsed, file: &str) -> Result<(), ImportError> {
    let t = &parsed.value;
    let mut known: HashSet<String> = HashSet::new();
    for section in ["Parameters", "Resources"] {
        if let Some(m) = t.get(section).and_then(Value::as_object) {
            known.extend(m.keys().cloned());
        }
    }
    let sam = is_sam(t);
    let resources: Vec<String> = t
        .get("Resources")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let exists = |name: &str| -> bool {
        name.starts_with("AWS::")
            || known.contains(name)
            || (sam
                && (name.starts_with("ServerlessRestApi")
                    || name.starts_with("ServerlessHttpApi")
                    || resources.iter().any(|r| name.starts_with(r.as_str()))))
    };
    let dangling = |pointer: &str, name: &str, how: &str| ImportError::DanglingReference {
        file: file.into(),
        line: parsed.line_of(pointer),
        name: name.into(),
        how: how.into(),
    };
    fn walk(
        v: &Value,
        pointer: &str,
        check: &mut dyn FnMut(&str, &str, &str) -> Result<(), ImportError>,
    ) -> Result<(), ImportError> {
        match v {
            Value::Object(m) => {
                if m.len() == 1 {
                    if let Some(Value::String(name)) = m.get("Ref") {
                        check(pointer, name, "!Ref")?;
                    }
                    if let Some(Value::Array(a)) = m.get("Fn::GetAtt")
                        && let Some(Value::String(name)) = a.first()
                    {
                        check(pointer, name, "!GetAtt")?;
                    }
                    if let Some(sub) = m.get("Fn::Sub") {
                        let (text, vars) = match sub {
                            Value::String(s) => (Some(s.as_str()), None),
                            Value::Array(a) => (a.first().and_then(Value::as_str), a.get(1)),
                            _ => (None, None),
                        };
                        if let Some(text) = text {
                            for var in sub_variables(text) {
                                let base = var.split('.').next().unwrap_or(&var);
                                let local = vars
                                    .and_then(Value::as_object)
                                    .is_some_and(|m| m.contains_key(base) || m.contains_key(&var));
                                if !local {
                                    check(pointer, base, "${} in !Sub")?;
                                }
                            }
                        }
                    }
                }
                for (k, child) in m {
                    walk(child, &format!("{pointer}/{}", escape_pointer(k)), check)?;
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    walk(child, &format!("{pointer}/{i}"), check)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut check = |pointer: &str, name: &str, how: &str| {
        if exists(name) {
            Ok(())
        } else {
            Err(dangling(pointer, name, how))
        }
    };
    for section in ["Resources", "Outputs", "Conditions"] {
        if let Some(v) = t.get(section) {
            walk(v, &format!("/{section}"), &mut check)?;
        }
    }
    Ok(())
}

/// Every logical id `v` names, anywhere inside it, into `out`: by `Ref`,
/// `Fn::GetAtt` (list or dotted string), a `${Name}` or `${Name.Attr}` of
/// a `Fn::Sub` (not one of the `Fn::Sub`'s own variables) and, with
/// `depends_on`, a `DependsOn`. Pseudo parameters (`AWS::Region`) and
/// parameters come out too: callers look up what they hold.
pub fn names(v: &Value, depends_on: bool, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                match (k.as_str(), c) {
                    ("Ref", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    ("Fn::GetAtt", Value::Array(a)) => {
                        if let Some(s) = a.first().and_then(Value::as_str) {
                            out.insert(s.to_string());
                        }
                    }
                    ("Fn::GetAtt", Value::String(s)) => {
                        out.insert(s.split('.').next().unwrap_or_default().to_string());
                    }
                    ("Fn::Sub", _) => {
                        let (text, vars) = match c {
                            Value::String(s) => (Some(s.as_str()), None),
                            Value::Array(a) => (a.first().and_then(Value::as_str), a.get(1)),
                            _ => (None, None),
                        };
                        for var in text.map(sub_variables).unwrap_or_default() {
                            let name = var.split('.').next().unwrap_or_default();
                            if vars.and_then(|v| v.get(name)).is_none() {
                                out.insert(name.to_string());
                            }
                        }
                    }
                    ("DependsOn", Value::String(s)) if depends_on => {
                        out.insert(s.clone());
                    }
                    ("DependsOn", Value::Array(a)) if depends_on => {
                        out.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
                    }
                    _ => {}
                }
                names(c, depends_on, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| names(c, depends_on, out)),
        _ => {}
    }
}

/// The `${Name}` variables of a `Fn::Sub` string (not `${!Literal}`).
pub fn sub_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let var = &after[..end];
        if !var.starts_with('!') && !var.is_empty() {
            out.push(var.trim().to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

/// Whether the template uses the SAM transform.
pub fn is_sam(t: &Value) -> bool {
    match t.get("Transform") {
        Some(Value::String(s)) => s.starts_with("AWS::Serverless"),
        Some(Value::Array(a)) => a
            .iter()
            .any(|v| v.as_str().is_some_and(|s| s.starts_with("AWS::Serverless"))),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Writing

/// Pretty JSON with a final newline.
pub fn to_json(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Block-style YAML with short-form intrinsic tags and a final newline.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        other => {
            out.push_str(&inline(other).unwrap_or_else(|| "{}".into()));
            out.push('\n');
        }
    }
    out
}

/// The short tag of an intrinsic and its argument, if `m` is one.
fn as_intrinsic(m: &Map<String, Value>) -> Option<(String, Value)> {
    if m.len() != 1 {
        return None;
    }
    let (k, v) = m.iter().next()?;
    // `!Base64 !Sub x` is not YAML (one node, two tags): an intrinsic whose
    // argument is itself an intrinsic is written in long form,
    // `Fn::Base64: !Sub x`.
    if v.as_object().is_some_and(|inner| {
        inner.len() == 1
            && inner
                .keys()
                .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
    }) {
        return None;
    }
    match k.as_str() {
        "Ref" if v.is_string() => Some(("!Ref".into(), v.clone())),
        "Condition" if v.is_string() => Some(("!Condition".into(), v.clone())),
        "Fn::GetAtt" => match v.as_array().map(Vec::as_slice) {
            Some([Value::String(a), Value::String(b)]) => {
                Some(("!GetAtt".into(), Value::String(format!("{a}.{b}"))))
            }
            _ => Some(("!GetAtt".into(), v.clone())),
        },
        k => {
            let name = k.strip_prefix("Fn::")?;
            INTRINSICS
                .contains(&name)
                .then(|| (format!("!{name}"), v.clone()))
        }
    }
}

/// The value on the same line as its key or dash, if it fits there.
fn inline(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(scalar(s)),
        Value::Array(a) if a.is_empty() => Some("[]".into()),
        Value::Object(m) if m.is_empty() => Some("{}".into()),
        Value::Object(m) => match as_intrinsic(m) {
            Some((tag, arg)) => inline(&arg).map(|a| format!("{tag} {a}")),
            None => None,
        },
        Value::Array(_) => None,
    }
}

fn write_value_after_key(out: &mut String, v: &Value, indent: usize) {
    if let Some(s) = inline(v) {
        out.push(' ');
        out.push_str(&s);
        out.push('\n');
        return;
    }
    match v {
        Value::Object(m) => match as_intrinsic(m) {
            Some((tag, arg)) => {
                out.push(' ');
                out.push_str(&tag);
                write_value_after_key(out, &arg, indent);
            }
            None => {
                out.push('\n');
                write_map(out, m, indent + 2);
            }
        },
        Value::Array(a) => {
            out.push('\n');
            write_seq(out, a, indent + 2);
        }
        _ => unreachable!("scalars are always inline"),
    }
}

fn write_map(out: &mut String, m: &Map<String, Value>, indent: usize) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar(k));
        out.push(':');
        write_value_after_key(out, v, indent);
    }
}

fn write_seq(out: &mut String, a: &[Value], indent: usize) {
    for v in a {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match v {
            Value::Object(m) if inline(v).is_none() && as_intrinsic(m).is_none() => {
                // `- Key: value` with the rest of the map under the first key.
                let mut first = true;
                for (k, child) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    out.push_str(&scalar(k));
                    out.push(':');
                    write_value_after_key(out, child, indent + 2);
                }
            }
            // A sequence in a sequence: `- - a` with the rest under it.
            Value::Array(inner) if !inner.is_empty() => {
                let mut nested = String::new();
                write_seq(&mut nested, inner, indent + 2);
                out.push(' ');
                out.push_str(nested.trim_start_matches(' '));
            }
            _ => write_value_after_key(out, v, indent),
        }
    }
}

/// A string as a YAML scalar: plain when it cannot be misread (by YAML 1.2
/// or by the YAML 1.1 readers cfn-lint and many tools use), otherwise
/// double-quoted with JSON escapes, which YAML reads the same way.
fn scalar(s: &str) -> String {
    let plain_char = |c: char| c.is_ascii_alphanumeric() || " _-./:$(){}*@+=,;".contains(c);
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '_' || c == '$');
    let ambiguous = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    );
    let plain = first_ok
        && !ambiguous
        && s.chars().all(plain_char)
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.ends_with(' ');
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_tags_read_as_long_form_and_write_back() {
        let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Role.Arn\n      Code: !Sub \"${AWS::StackName}-x\"\n      Layers:\n        - !Ref Layer\n        - !If\n          - IsProd\n          - a\n          - !Ref AWS::NoValue\n  Role:\n    Type: AWS::IAM::Role\n  Layer:\n    Type: X::Y\n";
        let p = parse(text, "t.yaml").unwrap();
        let props = &p.value["Resources"]["Fn"]["Properties"];
        assert_eq!(props["Role"], json!({"Fn::GetAtt": ["Role", "Arn"]}));
        assert_eq!(props["Layers"][0], json!({"Ref": "Layer"}));
        assert_eq!(
            props["Layers"][1]["Fn::If"][2],
            json!({"Ref": "AWS::NoValue"})
        );
        let yaml = to_yaml(&p.value);
        assert!(yaml.contains("Role: !GetAtt Role.Arn"), "{yaml}");
        assert!(yaml.contains("- !Ref Layer"), "{yaml}");
        assert!(yaml.contains("- !If\n"), "{yaml}");
        let nested = to_yaml(&json!({"A": [[1, [2, 3]], {"B": [[]]}]}));
        assert_eq!(
            nested,
            "A:\n  - - 1\n    - - 2\n      - 3\n  - B:\n      - []\n"
        );
        assert_eq!(
            parse(&nested, "t").unwrap().value,
            json!({"A": [[1, [2, 3]], {"B": [[]]}]})
        );
        let again = parse(&yaml, "t.yaml").unwrap();
        assert_eq!(again.value, p.value);
        assert_eq!(p.line_of("/Resources/Fn/Properties/Role"), 5);
    }

    #[test]
    fn scalars_that_would_be_misread_are_quoted() {
        let v = json!({"A": "true", "B": "2010-09-09", "C": "yes", "D": "a: b", "E": "", "F": "line\nbreak", "G": "0123", "H": "plain text/ok"});
        let yaml = to_yaml(&v);
        let back = parse(&yaml, "t").unwrap();
        assert_eq!(back.value, v, "{yaml}");
        assert!(yaml.contains("H: plain text/ok"));
    }

    #[test]
    fn numbers_and_bools_resolve() {
        let p = parse("A: 30\nB: 0.5\nC: true\nD: '30'\nE: 012\nF: null\n", "t").unwrap();
        assert_eq!(
            p.value,
            json!({"A": 30, "B": 0.5, "C": true, "D": "30", "E": "012", "F": null})
        );
    }

    #[test]
    fn unknown_tags_and_functions_are_errors_with_lines() {
        let e = parse("A:\n  B: !Frobnicate x\n", "t.yaml").unwrap_err();
        assert!(e.to_string().starts_with("t.yaml:2:"), "{e}");
        assert!(e.to_string().contains("!Frobnicate"), "{e}");
        let e = parse("{\n  \"A\": {\"Fn::Nope\": 1}\n}", "t.json").unwrap_err();
        assert!(e.to_string().starts_with("t.json:2:"), "{e}");
    }

    #[test]
    fn sub_variables_skip_literals() {
        assert_eq!(
            sub_variables("${A}-${B.Arn}-${!Lit}"),
            vec!["A".to_string(), "B.Arn".to_string()]
        );
    }
}
