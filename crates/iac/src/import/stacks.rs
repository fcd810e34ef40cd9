//! Several stacks as one design.
//!
//! The templates are read together: each `Fn::ImportValue` is resolved to
//! the output another of them exports under that name, so a service stack
//! attaches to the cluster and the listener of its networking stack. The
//! stacks are combined into one template for inference (names two stacks
//! share are prefixed with their stack's, and each import is replaced by
//! the value its export names), imported as one, and each stack's own
//! template is kept beside the components drawn from it, so that export
//! writes every stack back to its own file.
//!
//! A stack's name (`AWS::StackName` in its export names) is the one its
//! importers ask for (`!Join [':', [!Ref StackName, ClusterName]]` with
//! `StackName` defaulting to `production`), else its file's stem.

use std::collections::{BTreeMap, BTreeSet};

use archsim_model::edit::apply_op;
use archsim_model::{Design, Group, GroupKind, Op, Position};
use serde_json::{Map, Value, json};

use super::{Imported, Importer, words};
use crate::properties::lambda;
use crate::template::{Parsed, check_references, is_sam, parse};
use crate::{EXTENSION_KEY, ImportError};

/// Stands for `AWS::StackName` while an export's name is spelled out.
const STACK: &str = "\u{1}";

/// The sections whose keys a template's references name.
const NAMED: [&str; 4] = ["Parameters", "Conditions", "Mappings", "Resources"];

/// One template of several.
struct Stack {
    file: String,
    /// The file name without its directory.
    base: String,
    stem: String,
    parsed: Parsed,
    /// `AWS::StackName`, once bound.
    name: String,
    /// Name in the template -> name in the combined template.
    renames: BTreeMap<String, String>,
    /// The stack that nests this one, and its resource that does.
    parent: Option<(usize, String)>,
}

/// An `Fn::ImportValue` of one stack resolved to another's export.
struct Link {
    importer: usize,
    exporter: usize,
    output: String,
    export_name: String,
}

/// A template to read, and the stack that nests it.
struct Source {
    file: String,
    /// Where it is written back, relative to the first template's folder.
    base: String,
    text: String,
    /// The nesting stack and its `AWS::CloudFormation::Stack` (or
    /// `AWS::Serverless::Application`) resource.
    parent: Option<(usize, String)>,
}

/// How deep nested stacks are followed.
const MAX_NESTING: usize = 5;

/// Imports several templates as one design with a frame per stack.
pub fn import_stacks(files: &[(String, String)]) -> Result<Imported, ImportError> {
    let sources = files
        .iter()
        .map(|(file, text)| Source {
            file: file.clone(),
            base: file.rsplit(['/', '\\']).next().unwrap_or(file).to_string(),
            text: text.clone(),
            parent: None,
        })
        .collect();
    import_sources(sources, false)
}

/// Reads and imports several template files as one design, with the
/// nested stacks they name by a local path (`TemplateURL: ./vpc.yaml`,
/// SAM's `Location: ./vpc.yaml`) as stacks of their own.
pub fn import_stack_files(paths: &[std::path::PathBuf]) -> Result<Imported, ImportError> {
    let mut sources = Vec::new();
    for p in paths {
        let file = p.display().to_string();
        sources.push(Source {
            base: p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.clone()),
            text: super::read_template(p)?,
            file,
            parent: None,
        });
    }
    import_sources(sources, true)
}

/// The local template a nested stack resource names, if any.
fn nested_location(resource: &Value) -> Option<&str> {
    let props = resource.get("Properties")?;
    let location = match resource.get("Type")?.as_str()? {
        "AWS::CloudFormation::Stack" => props.get("TemplateURL")?,
        "AWS::Serverless::Application" => props.get("Location")?,
        _ => return None,
    };
    let location = location.as_str()?;
    let remote = ["http://", "https://", "s3://"]
        .iter()
        .any(|p| location.starts_with(p));
    (!remote).then_some(location)
}

fn import_sources(mut sources: Vec<Source>, follow: bool) -> Result<Imported, ImportError> {
    let mut stacks: Vec<Stack> = Vec::new();
    let mut notes = Vec::new();
    let mut i = 0;
    while i < sources.len() {
        let src = &sources[i];
        let parsed = parse(&src.text, &src.file)?;
        super::check_shape(&parsed, &src.file)?;
        check_references(&parsed, &src.file)?;
        let mut depth = 0;
        let mut up = src.parent.as_ref();
        while let Some((p, _)) = up {
            depth += 1;
            up = sources[*p].parent.as_ref();
        }
        let mut children = Vec::new();
        for (logical, r) in parsed.value["Resources"].as_object().into_iter().flatten() {
            let Some(location) = nested_location(r).filter(|_| follow) else {
                continue;
            };
            let said = format!("{}: {logical} nests {location}", src.base);
            let relative = location.trim_start_matches("./");
            let dir = std::path::Path::new(&src.file)
                .parent()
                .unwrap_or(std::path::Path::new(""));
            let path = dir.join(relative);
            let base_dir = std::path::Path::new(&src.base)
                .parent()
                .unwrap_or(std::path::Path::new(""));
            let base = base_dir.join(relative).to_string_lossy().replace('\\', "/");
            if relative.split(['/', '\\']).any(|part| part == "..") {
                notes.push(format!(
                    "{said}: outside the template's folder; kept as written, not drawn"
                ));
            } else if !path.is_file() {
                notes.push(format!(
                    "{said}: not there beside the template; kept as written, not drawn"
                ));
            } else if depth >= MAX_NESTING {
                notes.push(format!(
                    "{said}: nested more than {MAX_NESTING} deep; kept as written, not drawn"
                ));
            } else if sources.iter().any(|s| s.base == base) {
                notes.push(format!("{said}: already read as a stack; kept as written"));
            } else {
                children.push((logical.clone(), path, base));
            }
        }
        for (logical, path, base) in children {
            let text = super::read_template(&path)?;
            sources.push(Source {
                file: path.display().to_string(),
                base,
                text,
                parent: Some((i, logical)),
            });
        }
        let src = &sources[i];
        let file_name = src.base.rsplit('/').next().unwrap_or(&src.base);
        let stem = file_name
            .trim_end_matches(".json")
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml")
            .trim_end_matches(".template")
            .to_string();
        stacks.push(Stack {
            file: src.file.clone(),
            base: src.base.clone(),
            name: stem.clone(),
            stem,
            parsed,
            renames: BTreeMap::new(),
            parent: src.parent.clone(),
        });
        i += 1;
    }
    if stacks.len() == 1 {
        let mut imported = super::import(&sources[0].text, &sources[0].file)?;
        imported.report.stacks = notes;
        return Ok(imported);
    }
    let mut seen = BTreeMap::new();
    for (i, s) in stacks.iter().enumerate() {
        if let Some(j) = seen.insert(s.base.clone(), i) {
            return Err(ImportError::Stacks {
                file: s.file.clone(),
                line: 1,
                message: format!(
                    "{} and {} have the same file name; each stack is written back to its own file",
                    stacks[j].file, s.file
                ),
            });
        }
    }
    let links = bind_names(&mut stacks)?;
    rename_shared(&mut stacks);
    let combined = combine(&stacks, &links);
    let parsed = Parsed {
        value: combined,
        lines: Default::default(),
    };
    let first = &stacks[0].file;
    let mut imported = Importer::new(&parsed, first).run()?;
    split(&mut imported, &stacks, &links);
    imported.report.stacks.extend(notes);
    Ok(imported)
}

/// A value spelled out as text: strings, parameters' defaults, `Fn::Join`
/// and `Fn::Sub` (a variable with no value kept as written);
/// `AWS::StackName` as `stack` (the sentinel while a name is still
/// unknown).
pub(super) fn spelled(v: &Value, params: Option<&Value>, stack: &str) -> Option<String> {
    let param = |name: &str| -> Option<String> {
        if name == "AWS::StackName" {
            return Some(stack.to_string());
        }
        match params?.get(name)?.get("Default")? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) if m.len() == 1 => {
            if let Some(Value::String(name)) = m.get("Ref") {
                return param(name);
            }
            if let Some(sub) = m.get("Fn::Sub") {
                let (text, vars) = match sub {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(a) => (a.first()?.as_str()?, a.get(1)),
                    _ => return None,
                };
                let mut out = text.to_string();
                for var in crate::template::sub_variables(text) {
                    let value = match vars.and_then(|m| m.get(&var)) {
                        Some(v) => spelled(v, params, stack)?,
                        None => match param(&var) {
                            Some(v) => v,
                            None => continue,
                        },
                    };
                    out = out.replace(&format!("${{{var}}}"), &value);
                }
                return Some(out);
            }
            let Value::Array(join) = m.get("Fn::Join")? else {
                return None;
            };
            let sep = join.first()?.as_str()?;
            let parts: Option<Vec<String>> = join
                .get(1)?
                .as_array()?
                .iter()
                .map(|p| spelled(p, params, stack))
                .collect();
            Some(parts?.join(sep))
        }
        _ => None,
    }
}

/// The stack name under which `pattern` (an export name with [`STACK`]
/// for `AWS::StackName`) is `name`: `Some(None)` when it needs none,
/// `None` when it cannot be.
fn matches(pattern: &str, name: &str) -> Option<Option<String>> {
    match pattern.split_once(STACK) {
        None => (pattern == name).then_some(None),
        Some((pre, post)) => {
            let middle = name.strip_prefix(pre)?.strip_suffix(post)?;
            if middle.is_empty() || pattern.replace(STACK, middle) != name {
                return None;
            }
            Some(Some(middle.to_string()))
        }
    }
}

/// Every `Fn::ImportValue` in `v`, with its JSON pointer.
fn import_sites<'v>(v: &'v Value, at: String, out: &mut Vec<(String, &'v Value)>) {
    match v {
        Value::Object(m) => {
            if m.len() == 1
                && let Some(name) = m.get("Fn::ImportValue")
            {
                out.push((at, name));
                return;
            }
            for (k, c) in m {
                import_sites(c, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                import_sites(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Each stack's exports: (output, export name pattern).
fn exports(s: &Stack) -> Vec<(String, String)> {
    let params = s.parsed.value.get("Parameters");
    let Some(Value::Object(outputs)) = s.parsed.value.get("Outputs") else {
        return Vec::new();
    };
    outputs
        .iter()
        .filter_map(|(id, o)| {
            let name = spelled(o.get("Export")?.get("Name")?, params, STACK)?;
            Some((id.clone(), name))
        })
        .collect()
}

/// Resolves every stack's imports to the exports of the others, binding
/// each exporting stack's name to the one its importers ask for.
fn bind_names(stacks: &mut [Stack]) -> Result<Vec<Link>, ImportError> {
    let exported: Vec<Vec<(String, String)>> = stacks.iter().map(exports).collect();
    let mut wanted: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    let mut found = Vec::new();
    for (i, s) in stacks.iter().enumerate() {
        let params = s.parsed.value.get("Parameters");
        let mut sites = Vec::new();
        import_sites(&s.parsed.value, String::new(), &mut sites);
        for (at, name) in sites {
            let Some(name) = spelled(name, params, &s.stem) else {
                continue;
            };
            let mut candidates = Vec::new();
            for (j, outs) in exported.iter().enumerate() {
                if j == i {
                    continue;
                }
                if let Some((output, bound)) = outs
                    .iter()
                    .find_map(|(o, p)| Some((o.clone(), matches(p, &name)?)))
                {
                    candidates.push((j, output, bound));
                }
            }
            if candidates.len() > 1 {
                let files: Vec<&str> = candidates
                    .iter()
                    .map(|(j, ..)| stacks[*j].file.as_str())
                    .collect();
                return Err(ImportError::Stacks {
                    file: s.file.clone(),
                    line: s.parsed.line_of(&at),
                    message: format!(
                        "Fn::ImportValue {name} is exported by {}; import only one of them",
                        files.join(" and ")
                    ),
                });
            }
            if let Some((j, output, bound)) = candidates.pop()
                && !found
                    .iter()
                    .any(|l: &Link| l.importer == i && l.export_name == name)
            {
                if let Some(b) = bound {
                    wanted
                        .entry(j)
                        .or_default()
                        .insert(b, format!("{} (line {})", s.file, s.parsed.line_of(&at)));
                }
                found.push(Link {
                    importer: i,
                    exporter: j,
                    output,
                    export_name: name,
                });
            }
        }
    }
    for (j, names) in wanted {
        if names.len() > 1 {
            let asked: Vec<String> = names
                .iter()
                .map(|(n, by)| format!("\"{n}\" by {by}"))
                .collect();
            return Err(ImportError::Stacks {
                file: stacks[j].file.clone(),
                line: 1,
                message: format!(
                    "its exports are imported under different stack names: {}; give the importing stacks' parameters one default",
                    asked.join(", ")
                ),
            });
        }
        if let Some(name) = names.into_keys().next() {
            stacks[j].name = name;
        }
    }
    Ok(found)
}

/// Prefixes, in every stack that has it, each name two stacks share,
/// with what tells those stacks' file names apart (`Service` of
/// `service-stacks_public-subnet-public-loadbalancer.yml` and of
/// `service-stacks_private-subnet-public-loadbalancer.yml` become
/// `PublicSubnetPublicService` and `PrivateSubnetPublicService`).
fn rename_shared(stacks: &mut [Stack]) {
    let mut holders: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in stacks.iter().enumerate() {
        let names: BTreeSet<&String> = NAMED
            .iter()
            .filter_map(|sec| s.parsed.value.get(*sec)?.as_object())
            .flat_map(|m| m.keys())
            .collect();
        for n in names {
            holders.entry(n.clone()).or_default().push(i);
        }
    }
    for (name, at) in holders.into_iter().filter(|(_, at)| at.len() > 1) {
        let stems: Vec<&str> = at.iter().map(|&i| stacks[i].stem.as_str()).collect();
        let prefixes = distinguishing(&stems);
        for (&i, prefix) in at.iter().zip(prefixes) {
            stacks[i]
                .renames
                .insert(name.clone(), format!("{prefix}{name}"));
        }
    }
}

/// For each of several file stems, the words that tell it from the others
/// (their common leading and trailing words dropped), in camel case; the
/// whole stem where that leaves nothing or is not unique.
fn distinguishing(stems: &[&str]) -> Vec<String> {
    let words: Vec<Vec<&str>> = stems
        .iter()
        .map(|s| {
            s.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect()
        })
        .collect();
    let shortest = words.iter().map(Vec::len).min().unwrap_or(0);
    let lead = (0..shortest)
        .take_while(|&k| words.iter().all(|w| w[k] == words[0][k]))
        .count();
    let trail = (0..shortest - lead)
        .take_while(|&k| {
            let last = |w: &Vec<&str>| w[w.len() - 1 - k].to_string();
            words.iter().all(|w| last(w) == last(&words[0]))
        })
        .count();
    let out: Vec<String> = words
        .iter()
        .map(|w| crate::names::camel(&w[lead..w.len() - trail].join("-")))
        .collect();
    let unique: BTreeSet<&String> = out.iter().collect();
    if unique.len() == out.len() && words.iter().all(|w| w.len() > lead + trail) {
        out
    } else {
        stems.iter().map(|s| crate::names::camel(s)).collect()
    }
}

/// `v` with the names in `renames` changed wherever a template names them:
/// `Ref`, `Fn::GetAtt`, `Fn::Sub` variables, `Fn::If` and `Condition`,
/// `Fn::FindInMap` and `DependsOn`.
fn renamed(v: &Value, renames: &BTreeMap<String, String>) -> Value {
    let name = |s: &str| renames.get(s).cloned().unwrap_or_else(|| s.to_string());
    let first = |a: &[Value]| -> Vec<Value> {
        a.iter()
            .enumerate()
            .map(|(i, x)| match (i, x) {
                (0, Value::String(s)) => json!(name(s)),
                _ => renamed(x, renames),
            })
            .collect()
    };
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = match (k.as_str(), x) {
                        ("Ref" | "Condition", Value::String(s)) => json!(name(s)),
                        ("DependsOn", Value::String(s)) => json!(name(s)),
                        ("DependsOn", Value::Array(a)) => Value::Array(
                            a.iter()
                                .map(|d| d.as_str().map_or(d.clone(), |s| json!(name(s))))
                                .collect(),
                        ),
                        ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
                            Some((r, attr)) => json!(format!("{}.{attr}", name(r))),
                            None => json!(name(s)),
                        },
                        ("Fn::GetAtt" | "Fn::If" | "Fn::FindInMap", Value::Array(a)) => {
                            Value::Array(first(a))
                        }
                        ("Fn::Sub", Value::String(s)) => json!(renamed_sub(s, renames, None)),
                        ("Fn::Sub", Value::Array(a)) if a.first().is_some_and(Value::is_string) => {
                            let local = a.get(1).and_then(Value::as_object);
                            let mut out = vec![json!(renamed_sub(
                                a[0].as_str().unwrap_or_default(),
                                renames,
                                local
                            ))];
                            out.extend(a[1..].iter().map(|x| renamed(x, renames)));
                            Value::Array(out)
                        }
                        _ => renamed(x, renames),
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| renamed(x, renames)).collect()),
        other => other.clone(),
    }
}

/// A `Fn::Sub` string with its variables renamed (not those its own
/// variable map defines).
fn renamed_sub(
    text: &str,
    renames: &BTreeMap<String, String>,
    local: Option<&Map<String, Value>>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start + 2]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            rest = after;
            break;
        };
        let var = &after[..end];
        let (head, tail) = match var.split_once('.') {
            Some((h, t)) => (h, Some(t)),
            None => (var, None),
        };
        match renames.get(head) {
            Some(new) if !var.starts_with('!') && local.is_none_or(|l| !l.contains_key(var)) => {
                out.push_str(new);
                if let Some(t) = tail {
                    out.push('.');
                    out.push_str(t);
                }
            }
            _ => out.push_str(var),
        }
        out.push('}');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `v` with each import that `links` resolves replaced by the value its
/// export names (renamed as the exporting stack's names are).
fn substituted(v: &Value, me: usize, stacks: &[Stack], links: &[Link]) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::ImportValue") => {
            let s = &stacks[me];
            let params = renamed_keys(s.parsed.value.get("Parameters"), &s.renames);
            let name = spelled(&m["Fn::ImportValue"], Some(&params), &s.stem);
            links
                .iter()
                .find(|l| l.importer == me && Some(&l.export_name) == name.as_ref())
                .and_then(|l| {
                    let ex = &stacks[l.exporter];
                    let value = ex
                        .parsed
                        .value
                        .get("Outputs")?
                        .get(&l.output)?
                        .get("Value")?;
                    Some(renamed(value, &ex.renames))
                })
                .unwrap_or_else(|| v.clone())
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), substituted(x, me, stacks, links)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| substituted(x, me, stacks, links))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `v` (stack `me`'s, renamed) with what nesting decides put in: a
/// parameter its parent passes (`Parameters: {VpcId: !Ref Vpc}` on the
/// nesting resource) as the parent's value, and a nested stack's output
/// (`!GetAtt Network.Outputs.VpcId`) as the value the nested stack
/// outputs.
fn nested(v: &Value, me: usize, stacks: &[Stack], links: &[Link], depth: usize) -> Value {
    if depth > 2 * MAX_NESTING {
        return v.clone();
    }
    let s = &stacks[me];
    let original = |renamed_name: &str| -> String {
        s.renames
            .iter()
            .find(|(_, r)| r.as_str() == renamed_name)
            .map(|(o, _)| o.clone())
            .unwrap_or_else(|| renamed_name.to_string())
    };
    match v {
        Value::Object(m) if m.len() == 1 => {
            if let Some(Value::String(r)) = m.get("Ref")
                && let Some((p, logical)) = &s.parent
                && let Some(given) = stacks[*p].parsed.value["Resources"][logical]
                    .get("Properties")
                    .and_then(|props| props.get("Parameters"))
                    .and_then(|ps| ps.get(original(r)))
            {
                let given = renamed(given, &stacks[*p].renames);
                let given = substituted(&given, *p, stacks, links);
                return nested(&given, *p, stacks, links, depth + 1);
            }
            let att = match m.get("Fn::GetAtt") {
                Some(Value::Array(a)) => a
                    .first()
                    .and_then(Value::as_str)
                    .zip(a.get(1).and_then(Value::as_str)),
                Some(Value::String(t)) => t.split_once('.'),
                _ => None,
            };
            if let Some((res, attr)) = att
                && let Some(output) = attr.strip_prefix("Outputs.")
                && let Some(c) = stacks.iter().position(|c| {
                    c.parent
                        .as_ref()
                        .is_some_and(|(p, l)| *p == me && *l == original(res))
                })
                && let Some(value) = stacks[c].parsed.value["Outputs"]
                    .get(output)
                    .and_then(|o| o.get("Value"))
            {
                let value = renamed(value, &stacks[c].renames);
                let value = substituted(&value, c, stacks, links);
                return nested(&value, c, stacks, links, depth + 1);
            }
            Value::Object(
                m.iter()
                    .map(|(k, x)| (k.clone(), nested(x, me, stacks, links, depth)))
                    .collect(),
            )
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), nested(x, me, stacks, links, depth)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| nested(x, me, stacks, links, depth))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A section with its keys renamed.
fn renamed_keys(section: Option<&Value>, renames: &BTreeMap<String, String>) -> Value {
    let Some(Value::Object(m)) = section else {
        return Value::Null;
    };
    Value::Object(
        m.iter()
            .map(|(k, v)| {
                (
                    renames.get(k).cloned().unwrap_or_else(|| k.clone()),
                    v.clone(),
                )
            })
            .collect(),
    )
}

/// A SAM function's properties with its stack's `Globals.Function` under
/// them (what the function sets wins; environment variables merge).
fn with_globals(props: &Value, globals: &Value) -> Value {
    let (Some(p), Some(g)) = (props.as_object(), globals.as_object()) else {
        return props.clone();
    };
    let mut out = g.clone();
    out.extend(p.clone());
    let mut vars = lambda::ENVIRONMENT
        .get(g)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(own) = lambda::ENVIRONMENT.get(p).and_then(Value::as_object) {
        vars.extend(own.clone());
    }
    if !vars.is_empty() {
        lambda::ENVIRONMENT.put_value(&mut out, Value::Object(vars));
    }
    Value::Object(out)
}

/// The stacks as one template, for inference.
fn combine(stacks: &[Stack], links: &[Link]) -> Value {
    let mut out = Map::new();
    out.insert(
        "Description".into(),
        json!(format!(
            "{} stacks: {}",
            stacks.len(),
            stacks
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    );
    if stacks.iter().any(|s| is_sam(&s.parsed.value)) {
        out.insert("Transform".into(), json!("AWS::Serverless-2016-10-31"));
    }
    let with_globals_count = stacks
        .iter()
        .filter(|s| s.parsed.value.get("Globals").is_some())
        .count();
    for (i, s) in stacks.iter().enumerate() {
        let value = renamed(&s.parsed.value, &s.renames);
        let value = substituted(&value, i, stacks, links);
        let value = nested(&value, i, stacks, links, 0);
        // A nested stack is drawn as its own frame, not as a resource.
        let nests: BTreeSet<String> = stacks
            .iter()
            .filter_map(|c| c.parent.as_ref())
            .filter(|(p, _)| *p == i)
            .map(|(_, l)| l.clone())
            .collect();
        let globals = value
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .cloned();
        for sec in NAMED {
            let Some(Value::Object(m)) = value.get(sec) else {
                continue;
            };
            let target = out
                .entry(sec)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("a section is a mapping");
            for (k, v) in m {
                if sec == "Resources" && nests.contains(k) {
                    continue;
                }
                let key = s.renames.get(k).cloned().unwrap_or_else(|| k.clone());
                let mut v = v.clone();
                // Globals of several stacks cannot share one section:
                // each stack's functions take theirs.
                if sec == "Resources"
                    && with_globals_count > 1
                    && v["Type"] == "AWS::Serverless::Function"
                    && let Some(g) = &globals
                {
                    let props = v.get("Properties").cloned().unwrap_or(json!({}));
                    v["Properties"] = with_globals(&props, g);
                }
                target.insert(key, v);
            }
        }
        if with_globals_count == 1
            && let Some(g) = value.get("Globals")
        {
            out.insert("Globals".into(), g.clone());
        }
    }
    let production = stacks.iter().all(|s| {
        crate::export::profile_of(&s.parsed.value) == archsim_model::ExportProfile::Production
    });
    if production && let Some(m) = stacks[0].parsed.value.get("Metadata") {
        out.insert("Metadata".into(), m.clone());
    }
    Value::Object(out)
}

/// Splits the combined import back into stacks: each stack's template and
/// the components drawn from it kept for export, a frame per stack, its
/// components laid out in a band of their own.
fn split(imported: &mut Imported, stacks: &[Stack], links: &[Link]) {
    let design = &mut imported.design;
    let kept = design.extensions.remove(EXTENSION_KEY).unwrap_or_default();
    // Combined name -> (stack, name in its template).
    let mut origin: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (i, s) in stacks.iter().enumerate() {
        for sec in NAMED {
            if let Some(Value::Object(m)) = s.parsed.value.get(sec) {
                for k in m.keys() {
                    let combined = s.renames.get(k).cloned().unwrap_or_else(|| k.clone());
                    origin.insert(combined, (i, k.clone()));
                }
            }
        }
    }
    let mut per_stack: Vec<(Map<String, Value>, Map<String, Value>)> =
        vec![(Map::new(), Map::new()); stacks.len()];
    let mapping = kept.get("components").and_then(Value::as_object);
    let snapshots = kept.get("props").and_then(Value::as_object);
    let mut members: Vec<BTreeSet<String>> = vec![BTreeSet::new(); stacks.len()];
    for (component, logical) in mapping.into_iter().flatten() {
        let Some(logical) = logical.as_str() else {
            continue;
        };
        // A component drawn for something a resource names
        // (`Service#ServiceFargate`) belongs to that resource's stack.
        let (owner, what) = match logical.split_once('#') {
            Some((o, w)) => (o, Some(w)),
            None => (logical, None),
        };
        let Some((i, original)) = origin.get(owner) else {
            continue;
        };
        let kept_as = match what {
            Some(w) => format!("{original}#{w}"),
            None => original.clone(),
        };
        per_stack[*i].0.insert(component.clone(), json!(kept_as));
        if let Some(p) = snapshots.and_then(|s| s.get(component)) {
            per_stack[*i].1.insert(component.clone(), p.clone());
        }
        members[*i].insert(component.clone());
        if what.is_none() && original != owner {
            let _ = apply_op(
                design,
                Op::Rename {
                    id: component.clone(),
                    name: words(original),
                },
            );
        }
    }
    let entries: Vec<Value> = stacks
        .iter()
        .zip(per_stack)
        .map(|(s, (components, props))| {
            json!({"file": s.base, "name": s.name, "template": s.parsed.value,
                "components": components, "props": props})
        })
        .collect();
    design.extensions.insert(
        EXTENSION_KEY.into(),
        json!({"stacks": entries, "parameters": kept.get("parameters").cloned().unwrap_or(json!({}))}),
    );
    lay_out(design, &members);
    for (s, members) in stacks.iter().zip(members) {
        let group = Group {
            id: design.fresh_id(&format!("stack-{}", crate::names::camel(&s.name))),
            name: format!("{} ({})", s.name, s.base),
            kind: GroupKind::Frame,
            owner: None,
            members,
        };
        let _ = apply_op(design, Op::CreateGroup { group });
    }
    let report = &mut imported.report;
    for s in stacks {
        let asked = if let Some((p, logical)) = &s.parent {
            format!("nested in {} as {logical}", stacks[*p].base)
        } else if s.name == s.stem {
            "its file's name".to_string()
        } else {
            "the name its importers' parameters give".to_string()
        };
        report.stacks.push(format!(
            "{}: stack {} ({asked}), {} resource(s)",
            s.base,
            s.name,
            s.parsed.value["Resources"].as_object().map_or(0, Map::len)
        ));
    }
    for l in links {
        report.stacks.push(format!(
            "{}: Fn::ImportValue {} -> {} output {}",
            stacks[l.importer].base, l.export_name, stacks[l.exporter].base, l.output
        ));
    }
    for (i, s) in stacks.iter().enumerate() {
        let mut sites = Vec::new();
        import_sites(&s.parsed.value, String::new(), &mut sites);
        for (at, name) in sites {
            let name = spelled(name, s.parsed.value.get("Parameters"), &s.stem);
            if !links
                .iter()
                .any(|l| l.importer == i && Some(&l.export_name) == name.as_ref())
            {
                report.stacks.push(format!(
                    "{}:{}: Fn::ImportValue {}: exported by none of these stacks; kept as written",
                    s.base,
                    s.parsed.line_of(&at),
                    name.unwrap_or_else(|| "(a name not spelled out)".into())
                ));
            }
        }
    }
}

/// Each stack's components in a band of their own, one under the other,
/// each keeping its column.
fn lay_out(design: &mut Design, members: &[BTreeSet<String>]) {
    let mut top = 0.0;
    for set in members {
        let mut rows: BTreeMap<i64, f64> = BTreeMap::new();
        let mut ordered: Vec<(f64, String)> = set
            .iter()
            .filter_map(|id| Some((design.component(id)?.position.y, id.clone())))
            .collect();
        ordered.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut height: f64 = 0.0;
        for (_, id) in ordered {
            let Some(x) = design.component(&id).map(|c| c.position.x) else {
                continue;
            };
            let row = rows.entry(x.round() as i64).or_insert(0.0);
            let position = Position::new(x, top + *row);
            *row += 140.0;
            height = height.max(*row);
            let _ = apply_op(design, Op::Move { id, position });
        }
        top += height + 100.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::Props;

    const SAM_STACK: &str = "
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    MemorySize: MEMORY
    Environment:
      Variables:
        STAGE: prod
Resources:
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE: orders
";

    #[test]
    fn each_stack_keeps_its_own_globals() {
        let files = vec![
            ("small.yaml".to_string(), SAM_STACK.replace("MEMORY", "256")),
            (
                "large.yaml".to_string(),
                SAM_STACK.replace("MEMORY", "2048"),
            ),
        ];
        let d = import_stacks(&files).expect("imports").design;
        let function = |id: &str| match &d.component(id).expect(id).props {
            Props::LambdaFunction(f) => f.clone(),
            other => panic!("{id}: {other:?}"),
        };
        let (small, large) = (function("SmallHandler"), function("LargeHandler"));
        assert_eq!((small.memory_mb, large.memory_mb), (256, 2048));
        for f in [small, large] {
            assert_eq!(f.environment.get("STAGE").map(String::as_str), Some("prod"));
            assert_eq!(
                f.environment.get("TABLE").map(String::as_str),
                Some("orders")
            );
        }
    }

    #[test]
    fn distinguishing_words() {
        assert_eq!(
            distinguishing(&["service_public-lb", "service_private-lb"]),
            ["Public", "Private"]
        );
        // Nothing left to tell one apart: the whole stem.
        assert_eq!(distinguishing(&["api", "api-v2"]), ["Api", "ApiV2"]);
    }

    #[test]
    fn export_names_bind_the_stack_name() {
        assert_eq!(
            matches("\u{1}:Cluster", "prod:Cluster"),
            Some(Some("prod".into()))
        );
        assert_eq!(matches("\u{1}:Cluster", ":Cluster"), None);
        assert_eq!(matches("fixed-name", "fixed-name"), Some(None));
        assert_eq!(matches("fixed-name", "other"), None);
        let sub = json!({"Fn::Sub": ["${Stack}-${Env}", {"Env": "dev"}]});
        let params = json!({"Stack": {"Default": "net"}});
        assert_eq!(
            spelled(&sub, Some(&params), STACK).as_deref(),
            Some("net-dev")
        );
    }
}
