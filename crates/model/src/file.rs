//! The `*.archsim.json` file format: versioned, pretty, stable key order,
//! ids rather than indices; strict reading with errors that name the file,
//! line and JSON path; atomic saving.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::component::{Component, ComponentKind, Position, Props};
use crate::connection::Connection;
use crate::design::{AccountSettings, Design, ExportProfile, Group};
use crate::scenario::Scenario;

/// The format version this build writes.
pub const FORMAT_VERSION: u32 = 1;

/// The file's shape, field for field. Lists are in id order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignFile {
    pub format: u32,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default)]
    pub serverless: bool,
    #[serde(default)]
    pub account: AccountSettings,
    /// Absent in files written before the profile existed: those read as
    /// `sandbox`, so their exports do not change under them.
    #[serde(default = "profile_before_it_existed")]
    pub export_profile: ExportProfile,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default)]
    pub connections: Vec<Connection>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
    /// See [`Design::extensions`]; skipped when empty so files without it
    /// stay byte-identical.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub extensions: std::collections::BTreeMap<String, serde_json::Value>,
}

fn profile_before_it_existed() -> ExportProfile {
    ExportProfile::Sandbox
}

fn default_region() -> String {
    "us-east-1".into()
}

impl From<&Design> for DesignFile {
    fn from(d: &Design) -> Self {
        Self {
            format: FORMAT_VERSION,
            name: d.name.clone(),
            description: d.description.clone(),
            region: d.region.clone(),
            serverless: d.serverless,
            account: d.account.clone(),
            export_profile: d.export_profile,
            components: d.components().cloned().collect(),
            connections: d.connections().cloned().collect(),
            groups: d.groups().cloned().collect(),
            scenarios: d.scenarios.clone(),
            extensions: d.extensions.clone(),
        }
    }
}

/// Why a design file could not be read. Each message names the file and
/// the place in it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: is a directory, not a design file")]
    Directory { file: String },
    #[error("{file}: the file is empty; expected an archsim design (JSON with \"format\": 1)")]
    Empty { file: String },
    #[error("{file}: not UTF-8 text (invalid byte at offset {offset}); expected an archsim design")]
    NotUtf8 { file: String, offset: usize },
    #[error("{file}:{line}:{column}: {message}{}", at_path(.json_path))]
    Json {
        file: String,
        line: usize,
        column: usize,
        json_path: String,
        message: String,
    },
    #[error("{file}: no \"format\" field at the top level: this is not an archsim design")]
    NotADesign { file: String },
    #[error(
        "{file}: format {found} was written by a newer archsim; this build reads format {FORMAT_VERSION} and older. Update archsim to open it."
    )]
    FutureFormat { file: String, found: u64 },
    #[error("{file}: format {found} is not a known archsim format")]
    UnknownFormat { file: String, found: String },
    #[error("{file}{}: {message}{}", .line.map(|l| format!(":{l}")).unwrap_or_default(), at_path(.json_path))]
    Invalid {
        file: String,
        line: Option<usize>,
        json_path: String,
        message: String,
    },
}

fn at_path(path: &str) -> String {
    if path.is_empty() || path == "." {
        String::new()
    } else {
        format!(" (at {path})")
    }
}

/// Why a design could not be saved. The previous file, if any, is intact.
#[derive(Debug, thiserror::Error)]
#[error("{file}: cannot save: {source}")]
pub struct SaveError {
    pub file: String,
    pub source: std::io::Error,
}

/// Reads a design file.
pub fn load(path: impl AsRef<Path>) -> Result<Design, LoadError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    if path.is_dir() {
        return Err(LoadError::Directory { file });
    }
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        file: file.clone(),
        source,
    })?;
    parse_bytes(&bytes, &file)
}

/// Reads a design from bytes; `file` names the source in errors.
pub fn parse_bytes(bytes: &[u8], file: &str) -> Result<Design, LoadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        file: file.to_string(),
        offset: e.valid_up_to(),
    })?;
    parse_str(text, file)
}

/// Reads a design from text; `file` names the source in errors.
pub fn parse_str(text: &str, file: &str) -> Result<Design, LoadError> {
    if text.trim().is_empty() {
        return Err(LoadError::Empty {
            file: file.to_string(),
        });
    }
    #[derive(Deserialize)]
    struct Probe {
        format: Option<serde_json::Value>,
    }
    let probe: Probe = deserialize_json(text, file)?;
    match probe.format {
        None => {
            return Err(LoadError::NotADesign {
                file: file.to_string(),
            });
        }
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some_and(|v| v > 1) => {
            return Err(LoadError::FutureFormat {
                file: file.to_string(),
                found: n.as_u64().unwrap_or_default(),
            });
        }
        // Format 1 is the first; older formats would be migrated here.
        Some(other) => {
            return Err(LoadError::UnknownFormat {
                file: file.to_string(),
                found: other.to_string(),
            });
        }
    }
    let doc: DesignFile = deserialize_json(text, file)?;
    into_design(doc, text, file)
}

fn deserialize_json<'a, T: Deserialize<'a>>(text: &'a str, file: &str) -> Result<T, LoadError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(e, file))?;
    de.end().map_err(|e| LoadError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        json_path: String::new(),
        message: "unexpected text after the design".into(),
    })?;
    Ok(value)
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>, file: &str) -> LoadError {
    let json_path = e.path().to_string();
    let inner = e.into_inner();
    let mut message = inner.to_string();
    // serde_json appends " at line L column C"; we print the position first.
    if let Some(cut) = message.rfind(" at line ") {
        message.truncate(cut);
    }
    LoadError::Json {
        file: file.to_string(),
        line: inner.line(),
        column: inner.column(),
        json_path,
        message,
    }
}

/// Finds the line of `"key": "value"` as archsim writes it, for errors
/// about references that parse but point nowhere.
fn line_of(text: &str, key: &str, value: &str) -> Option<usize> {
    let needle = format!("\"{key}\": {}", serde_json::Value::from(value));
    let offset = text.find(&needle)?;
    Some(text[..offset].matches('\n').count() + 1)
}

fn into_design(doc: DesignFile, text: &str, file: &str) -> Result<Design, LoadError> {
    let invalid = |json_path: String, line: Option<usize>, message: String| LoadError::Invalid {
        file: file.to_string(),
        line,
        json_path,
        message,
    };
    let mut design = Design::new(doc.name);
    design.description = doc.description;
    design.region = doc.region;
    design.serverless = doc.serverless;
    design.account = doc.account;
    design.export_profile = doc.export_profile;
    design.scenarios = doc.scenarios;
    design.extensions = doc.extensions;
    for (i, c) in doc.components.into_iter().enumerate() {
        if c.id.is_empty() {
            return Err(invalid(
                format!("components[{i}].id"),
                None,
                "empty id".into(),
            ));
        }
        if design.contains_id(&c.id) {
            let line = line_of(text, "id", &c.id);
            return Err(invalid(
                format!("components[{i}].id"),
                line,
                format!("duplicate id \"{}\"", c.id),
            ));
        }
        design.insert_component(c);
    }
    for (i, c) in doc.connections.into_iter().enumerate() {
        if c.id.is_empty() || design.contains_id(&c.id) {
            return Err(invalid(
                format!("connections[{i}].id"),
                line_of(text, "id", &c.id),
                format!("duplicate or empty id \"{}\"", c.id),
            ));
        }
        for (end, id) in [("from", &c.from), ("to", &c.to)] {
            if design.component(id).is_none() {
                return Err(invalid(
                    format!("connections[{i}].{end}"),
                    line_of(text, end, id),
                    format!(
                        "connection \"{}\" refers to component \"{id}\", which does not exist",
                        c.id
                    ),
                ));
            }
        }
        design.insert_connection(c);
    }
    for (i, g) in doc.groups.into_iter().enumerate() {
        if g.id.is_empty() || design.contains_id(&g.id) {
            return Err(invalid(
                format!("groups[{i}].id"),
                line_of(text, "id", &g.id),
                format!("duplicate or empty id \"{}\"", g.id),
            ));
        }
        let dangling = g
            .members
            .iter()
            .chain(g.owner.iter())
            .find(|m| design.component(m).is_none());
        if let Some(m) = dangling {
            return Err(invalid(
                format!("groups[{i}]"),
                line_of(text, "id", &g.id),
                format!(
                    "group \"{}\" refers to component \"{m}\", which does not exist",
                    g.id
                ),
            ));
        }
        design.insert_group(g);
    }
    Ok(design)
}

/// The file's text for a design: pretty JSON with a final newline.
pub fn to_string(design: &Design) -> String {
    let mut text = serde_json::to_string_pretty(&DesignFile::from(design))
        .unwrap_or_else(|e| unreachable!("a design always serialises: {e}"));
    text.push('\n');
    text
}

/// Saves atomically: writes a temporary file beside the target, flushes
/// it to disk, then renames it over the target. A crash leaves either the
/// old file or the new one, never half of one.
pub fn save(design: &Design, path: impl AsRef<Path>) -> Result<(), SaveError> {
    let path = path.as_ref();
    let err = |source| SaveError {
        file: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".archsim-save-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(err)?;
    tmp.write_all(to_string(design).as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

// --- Component: `{"id", "kind", "name", "position", "props"}` -----------------
//
// Written by hand so the properties are read as the type their kind names,
// with unknown fields rejected and positions kept for error messages.

impl Serialize for Component {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Component", 5)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("kind", &self.kind())?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("position", &self.position)?;
        st.serialize_field("props", &self.props)?;
        st.end()
    }
}

const COMPONENT_FIELDS: &[&str] = &["id", "kind", "name", "position", "props"];

struct PropsSeed(ComponentKind);

impl<'de> DeserializeSeed<'de> for PropsSeed {
    type Value = Props;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Props, D::Error> {
        Props::deserialize_for(self.0, d)
    }
}

impl<'de> Deserialize<'de> for Component {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ComponentVisitor;
        impl<'de> Visitor<'de> for ComponentVisitor {
            type Value = Component;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a component with id, kind, name, position and props")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Component, A::Error> {
                let mut id: Option<String> = None;
                let mut kind: Option<ComponentKind> = None;
                let mut name: Option<String> = None;
                let mut position: Option<Position> = None;
                let mut props: Option<Props> = None;
                // Properties met before the kind wait here, untyped.
                let mut early_props: Option<serde_json::Value> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "id" => id = Some(map.next_value()?),
                        "kind" => kind = Some(map.next_value()?),
                        "name" => name = Some(map.next_value()?),
                        "position" => position = Some(map.next_value()?),
                        "props" => match kind {
                            Some(k) => props = Some(map.next_value_seed(PropsSeed(k))?),
                            None => early_props = Some(map.next_value()?),
                        },
                        other => return Err(de::Error::unknown_field(other, COMPONENT_FIELDS)),
                    }
                }
                let kind = kind.ok_or_else(|| de::Error::missing_field("kind"))?;
                let props = match (props, early_props) {
                    (Some(p), _) => p,
                    (None, Some(v)) => {
                        Props::deserialize_for(kind, v).map_err(de::Error::custom)?
                    }
                    (None, None) => Props::default_for(kind),
                };
                let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
                Ok(Component {
                    name: name.unwrap_or_else(|| id.clone()),
                    id,
                    position: position.unwrap_or_default(),
                    props,
                })
            }
        }
        d.deserialize_struct("Component", COMPONENT_FIELDS, ComponentVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::{ComponentKind as K, LambdaProps};
    use crate::connection::{ConnectionKind, InvokeMode};

    fn sample() -> Design {
        let mut d = Design::new("Sample");
        d.insert_component(Component::new("bucket", "Uploads", K::S3Bucket).at(10.0, 20.0));
        d.insert_component(Component::new("fn", "Resize", K::LambdaFunction).at(200.0, 20.0));
        d.insert_connection(Connection::new(
            "bucket-fn",
            "bucket",
            "fn",
            ConnectionKind::Invoke {
                mode: InvokeMode::Async,
            },
        ));
        d
    }

    fn err_of(text: &str) -> String {
        parse_str(text, "x.archsim.json").unwrap_err().to_string()
    }

    #[test]
    fn text_round_trips() {
        let d = sample();
        let text = to_string(&d);
        let back = parse_str(&text, "t").unwrap();
        assert_eq!(back, d);
        assert_eq!(to_string(&back), text);
        assert!(text.starts_with("{\n  \"format\": 1,"), "{text}");
    }

    #[test]
    fn extensions_round_trip_and_are_absent_when_empty() {
        let mut d = sample();
        assert!(!to_string(&d).contains("extensions"));
        d.extensions.insert(
            "cloudformation".into(),
            serde_json::json!({"Parameters": {"Stage": {"Type": "String"}}}),
        );
        let text = to_string(&d);
        let back = parse_str(&text, "t").unwrap();
        assert_eq!(back.extensions, d.extensions);
        assert_eq!(to_string(&back), text);
    }

    #[test]
    fn component_keys_are_in_stable_order() {
        let text = to_string(&sample());
        let id = text.find("\"id\": \"bucket\"").unwrap();
        let kind = text[id..].find("\"kind\"").unwrap();
        let props = text[id..].find("\"props\"").unwrap();
        assert!(kind < props);
    }

    #[test]
    fn wrong_property_type_names_path_and_line() {
        let text = to_string(&sample()).replace("\"memory_mb\": 128", "\"memory_mb\": \"lots\"");
        let msg = err_of(&text);
        assert!(msg.contains("components[1].props.memory_mb"), "{msg}");
        let line = text.lines().position(|l| l.contains("\"lots\"")).unwrap() + 1;
        assert!(msg.starts_with(&format!("x.archsim.json:{line}:")), "{msg}");
    }

    #[test]
    fn unknown_fields_are_rejected_everywhere() {
        let base = to_string(&sample());
        let top = base.replacen(
            "\"name\": \"Sample\"",
            "\"name\": \"Sample\", \"colour\": 1",
            1,
        );
        assert!(err_of(&top).contains("unknown field `colour`"));
        let comp = base.replacen(
            "\"name\": \"Uploads\"",
            "\"name\": \"Uploads\", \"colour\": 1",
            1,
        );
        let msg = err_of(&comp);
        assert!(
            msg.contains("unknown field `colour`") && msg.contains("components[0]"),
            "{msg}"
        );
        let prop = base.replacen("\"memory_mb\": 128", "\"memory_mb\": 128, \"memroy\": 1", 1);
        let msg = err_of(&prop);
        assert!(
            msg.contains("memroy") && msg.contains("components[1].props"),
            "{msg}"
        );
    }

    #[test]
    fn props_before_kind_still_read() {
        let text = r#"{"format": 1, "name": "x", "components": [
            {"props": {"memory_mb": 512}, "id": "f", "kind": "lambda_function"}]}"#;
        let d = parse_str(text, "t").unwrap();
        match &d.component("f").unwrap().props {
            Props::LambdaFunction(LambdaProps { memory_mb, .. }) => assert_eq!(*memory_mb, 512),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_inputs_get_one_line_errors() {
        assert!(err_of("").contains("empty"));
        assert!(err_of("  \n").contains("empty"));
        assert!(err_of("[1, 2]").contains("x.archsim.json:1:"));
        assert!(err_of("{\"name\": \"x\"}").contains("no \"format\""));
        assert!(err_of("{\"format\": 7, \"name\": \"x\"}").contains("newer archsim"));
        assert!(err_of("{\"format\": \"one\", \"name\": \"x\"}").contains("not a known"));
        assert!(err_of("{\"format\": 1, \"name\": \"x\"").contains("x.archsim.json:1:"));
        assert!(err_of("{\"format\": 1, \"name\": \"x\"} trailing").contains("after the design"));
        let unknown_kind =
            r#"{"format": 1, "name": "x", "components": [{"id": "a", "kind": "mainframe"}]}"#;
        let msg = err_of(unknown_kind);
        assert!(
            msg.contains("mainframe") && msg.contains("components[0].kind"),
            "{msg}"
        );
        for e in [err_of(""), err_of(unknown_kind)] {
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn invalid_utf8_is_reported() {
        let e = parse_bytes(b"{\"format\": 1, \xff}", "bad.json").unwrap_err();
        assert!(e.to_string().contains("offset 14"), "{e}");
    }

    #[test]
    fn dangling_and_duplicate_ids_are_reported_with_place() {
        let text = to_string(&sample()).replace("\"to\": \"fn\"", "\"to\": \"ghost\"");
        let msg = err_of(&text);
        assert!(
            msg.contains("connections[0].to") && msg.contains("ghost"),
            "{msg}"
        );
        let line = text.lines().position(|l| l.contains("ghost")).unwrap() + 1;
        assert!(msg.starts_with(&format!("x.archsim.json:{line}:")), "{msg}");
        let dup = to_string(&sample()).replace("\"id\": \"fn\"", "\"id\": \"bucket\"");
        assert!(err_of(&dup).contains("duplicate id \"bucket\""));
    }

    #[test]
    fn save_is_atomic_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.archsim.json");
        save(&sample(), &path).unwrap();
        let mut other = sample();
        other.name = "Changed".into();
        save(&other, &path).unwrap();
        assert_eq!(load(&path).unwrap(), other);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn failed_save_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.archsim.json");
        save(&sample(), &path).unwrap();
        let before = std::fs::read(&path).unwrap();
        // Saving "into" a path whose parent is a file fails before rename.
        let bad = path.join("nested.archsim.json");
        assert!(save(&sample(), &bad).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn directory_and_missing_file_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            load(dir.path())
                .unwrap_err()
                .to_string()
                .contains("directory")
        );
        let missing = dir.path().join("none.archsim.json");
        assert!(
            load(&missing)
                .unwrap_err()
                .to_string()
                .contains("cannot read")
        );
    }
}
