//! docs/cli.md's JSON examples against the real `--json` output: every key
//! documented is printed by some run of the command, and every key printed
//! is documented.
//!
//! The convention (docs/cli.md, "JSON output"): a heading `### JSON:` names
//! the command in backticks and the fenced `json` block right under it is
//! the example. Keys are compared, not values: objects by their keys, arrays
//! by the keys of all their elements together, maps (an example object
//! whose keys are `"<in angle brackets>"`) by the keys of all their values.
//! The value `"as above"` is the value at the same place in the example
//! before.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

/// Each documented command, the ways of running it that must match its
/// example, and their runs over the bundled examples.
fn runs(dir: &Path) -> Vec<(&'static str, &'static str, Vec<Vec<String>>)> {
    let usage = dir.join("usage.json");
    std::fs::write(
        &usage,
        r#"{"components": [{"component_id": "orders-fn",
            "usage": {"lambda": {"requests": 3000000, "duration_ms": 120, "memory_mb": 1536}}}]}"#,
    )
    .unwrap();
    let designs: Vec<String> = examples()
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let each = |command: &str, options: &[&str]| -> Vec<Vec<String>> {
        designs
            .iter()
            .map(|d| {
                std::iter::once(command.to_string())
                    .chain(std::iter::once(d.clone()))
                    .chain(options.iter().map(|o| o.to_string()))
                    .collect()
            })
            .collect()
    };
    // A design with a resource the bill cannot price, so that its
    // `not_priced` lines are printed too.
    let unpriced = dir.join("unpriced.archsim.json");
    let mut design: Value =
        serde_json::from_str(&std::fs::read_to_string(example("serverless-api")).unwrap()).unwrap();
    design["components"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": "waf", "kind": "generic", "name": "Web ACL",
            "position": {"x": 600.0, "y": 400.0},
            "props": {"resource_type": "AWS::WAFv2::WebACL", "properties": {}}
        }));
    std::fs::write(&unpriced, design.to_string()).unwrap();
    let mut cost = each("cost", &["--json"]);
    cost.push(vec![
        "cost".into(),
        unpriced.to_string_lossy().into_owned(),
        "--json".into(),
    ]);
    let mut cost_simulated = each("cost", &["--simulate", "--duration", "120", "--json"]);
    cost_simulated.push(vec![
        "cost".into(),
        unpriced.to_string_lossy().into_owned(),
        "--simulate".into(),
        "--duration".into(),
        "120".into(),
        "--json".into(),
    ]);
    let broken = root().join("tests/fixtures/broken.archsim.json");
    let mut validate = each("validate", &["--json"]);
    validate.push(vec![
        "validate".into(),
        broken.to_string_lossy().into_owned(),
        "--json".into(),
    ]);
    // Each example's project, written and then re-exported (so `kept` has
    // values too).
    let mut project = Vec::new();
    for d in &designs {
        let out = dir.join(format!(
            "project-{}",
            Path::new(d).file_name().unwrap().to_string_lossy()
        ));
        for _ in 0..2 {
            project.push(vec![
                "export".into(),
                d.clone(),
                "--project".into(),
                out.to_string_lossy().into_owned(),
                "--json".into(),
            ]);
        }
    }
    vec![
        (
            "archsim export --project DIR --json",
            "export --project DIR --json",
            project,
        ),
        ("archsim validate --json", "validate --json", validate),
        (
            "archsim cost --json",
            "cost --json (a scenario estimate)",
            cost,
        ),
        (
            "archsim cost --json",
            "cost --simulate --json",
            cost_simulated,
        ),
        (
            "archsim cost --json",
            "cost --usage FILE --json",
            vec![vec![
                "cost".into(),
                unpriced.to_string_lossy().into_owned(),
                "--usage".into(),
                usage.to_string_lossy().into_owned(),
                "--json".into(),
            ]],
        ),
        (
            "archsim simulate --json",
            "simulate --json",
            with_deploy(each("simulate", &["--duration", "2m", "--json"]), &[]),
        ),
        (
            "archsim simulate --seeds K --json",
            "simulate --seeds 2 --json",
            with_deploy(
                each("simulate", &["--duration", "2m", "--seeds", "2", "--json"]),
                &["--seeds", "2"],
            ),
        ),
    ]
}

/// The runs, and the serverless example's scenario with a deployment
/// rolled back (so `deployments` is printed with its entries).
fn with_deploy(mut runs: Vec<Vec<String>>, extra: &[&str]) -> Vec<Vec<String>> {
    let mut run: Vec<String> = [
        "simulate",
        &example("serverless-api"),
        "--scenario",
        "bad-deploy",
        "--duration",
        "4m",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    run.extend(extra.iter().map(|s| s.to_string()));
    runs.push(run);
    runs
}

/// The documented examples of docs/cli.md, by command, with `"as above"`
/// replaced.
fn documented() -> BTreeMap<String, Value> {
    let path = root().join("docs/cli.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = BTreeMap::new();
    let mut previous: Option<Value> = None;
    let mut i = 0;
    while i < lines.len() {
        let heading = lines[i].trim_start_matches('#');
        let is_json_heading =
            lines[i].starts_with('#') && heading.trim_start().starts_with("JSON:");
        i += 1;
        if !is_json_heading {
            continue;
        }
        let at = i;
        let command = heading
            .split('`')
            .nth(1)
            .unwrap_or_else(|| panic!("docs/cli.md:{at}: name the command in backticks"))
            .to_string();
        // The first fenced block after the heading, with only prose between.
        while i < lines.len() && !lines[i].starts_with("```") {
            assert!(
                !lines[i].starts_with('#'),
                "docs/cli.md:{at}: no ```json block under the heading"
            );
            i += 1;
        }
        assert!(
            i < lines.len() && lines[i].trim() == "```json",
            "docs/cli.md:{}: the block under `{command}` must be fenced ```json",
            i + 1
        );
        let start = i + 1;
        i = start;
        while i < lines.len() && lines[i].trim() != "```" {
            i += 1;
        }
        let json = lines[start..i].join("\n");
        let mut value: Value = serde_json::from_str(&json).unwrap_or_else(|e| {
            panic!(
                "docs/cli.md:{}: the example of `{command}` is not JSON: {e}",
                start + e.line()
            )
        });
        as_above(&mut value, previous.as_ref(), &command);
        previous = Some(value.clone());
        assert!(
            out.insert(command.clone(), value).is_none(),
            "docs/cli.md:{at}: `{command}` documented twice"
        );
    }
    out
}

/// Replaces every `"as above"` with the value at the same place in `above`.
fn as_above(value: &mut Value, above: Option<&Value>, command: &str) {
    match value {
        Value::String(s) if s == "as above" => {
            *value = above
                .unwrap_or_else(|| panic!("`{command}`: \"as above\" with nothing above"))
                .clone();
        }
        Value::Object(o) => {
            for (k, v) in o.iter_mut() {
                as_above(v, above.and_then(|a| a.get(k)), command);
            }
        }
        Value::Array(a) => {
            for v in a {
                as_above(v, above.and_then(|a| a.get(0)), command);
            }
        }
        _ => {}
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn is_placeholder(key: &str) -> bool {
    key.starts_with('<') && key.ends_with('>')
}

/// Key paths of a documented example (`report.line_items.[].unit`,
/// `usage.lambda.<>.requests`) and the paths that are maps.
fn documented_paths(
    v: &Value,
    at: &str,
    paths: &mut BTreeSet<String>,
    maps: &mut BTreeSet<String>,
) {
    match v {
        Value::Object(o) if !o.is_empty() && o.keys().all(|k| is_placeholder(k)) => {
            maps.insert(at.to_string());
            let entry = join(at, "<>");
            paths.insert(entry.clone());
            for v in o.values() {
                documented_paths(v, &entry, paths, maps);
            }
        }
        Value::Object(o) => {
            for (k, v) in o {
                assert!(
                    !is_placeholder(k),
                    "{at}: a map's keys are all placeholders"
                );
                let path = join(at, k);
                paths.insert(path.clone());
                documented_paths(v, &path, paths, maps);
            }
        }
        Value::Array(a) => {
            for v in a {
                documented_paths(v, &join(at, "[]"), paths, maps);
            }
        }
        _ => {}
    }
}

/// Key paths of a real output, with the documented maps' keys as `<>`.
fn output_paths(v: &Value, at: &str, maps: &BTreeSet<String>, paths: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                let path = join(at, if maps.contains(at) { "<>" } else { k });
                paths.insert(path.clone());
                output_paths(v, &path, maps, paths);
            }
        }
        Value::Array(a) => {
            for v in a {
                output_paths(v, &join(at, "[]"), maps, paths);
            }
        }
        _ => {}
    }
}

/// What differs between a documented example and the outputs of one way of
/// running its command: keys printed but not documented (in any run), and
/// keys documented but printed by no run. A map may be empty in every run
/// when its values are plain numbers or strings (nothing to check there).
fn differences(documented: &Value, outputs: &[(String, Value)]) -> Vec<String> {
    let (mut doc, mut maps) = (BTreeSet::new(), BTreeSet::new());
    documented_paths(documented, "", &mut doc, &mut maps);
    let mut seen = BTreeSet::new();
    let mut undocumented = BTreeMap::new();
    for (run, output) in outputs {
        let mut paths = BTreeSet::new();
        output_paths(output, "", &maps, &mut paths);
        for p in paths.difference(&doc) {
            undocumented.entry(p.clone()).or_insert(run);
        }
        seen.extend(paths);
    }
    let mut found: Vec<String> = undocumented
        .iter()
        .map(|(p, run)| format!("printed but not documented: {p} (archsim {run})"))
        .collect();
    for p in doc.difference(&seen) {
        let scalar_map_entry =
            p.ends_with("<>") && !doc.iter().any(|d| d.starts_with(&format!("{p}.")));
        if !scalar_map_entry {
            found.push(format!("documented but printed by no run: {p}"));
        }
    }
    found
}

#[test]
fn documented_json_has_the_keys_of_the_real_output() {
    let dir = tempfile::tempdir().unwrap();
    let documented = documented();
    let runs = runs(dir.path());
    let mut failures = Vec::new();
    for command in documented.keys() {
        if !runs.iter().any(|(c, _, _)| c == command) {
            failures.push(format!(
                "docs/cli.md documents `{command}`, which this test does not run: add its runs"
            ));
        }
    }
    for (command, way, runs) in &runs {
        let Some(example) = documented.get(*command) else {
            failures.push(format!(
                "`{command}` has no `### JSON:` example in docs/cli.md"
            ));
            continue;
        };
        let outputs: Vec<(String, Value)> = runs
            .iter()
            .map(|args| {
                let o = archsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
                let line = args.join(" ");
                let ok = o.status.code() == Some(0)
                    || (args[0] == "validate" && o.status.code() == Some(1));
                assert!(ok, "archsim {line}: {}", stderr(&o));
                let v = serde_json::from_slice(&o.stdout)
                    .unwrap_or_else(|e| panic!("archsim {line}: not JSON: {e}"));
                (line, v)
            })
            .collect();
        for d in differences(example, &outputs) {
            failures.push(format!("`{command}` against {way}: {d}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every command whose `--json` help points at docs/cli.md has an example
/// there (and so is checked above).
#[test]
fn every_json_command_is_documented() {
    let documented = documented();
    let help = stdout(&archsim(&["--help"]));
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.contains(&"simulate"), "{help}");
    for command in commands {
        let help = stdout(&archsim(&[command, "--help"]));
        // The help of `--json` is on its line, or on the next when clap
        // lays the options out one under the other (as for `export`).
        let lines: Vec<&str> = help.lines().collect();
        let has_json = lines.iter().enumerate().any(|(i, l)| {
            l.trim_start().starts_with("--json")
                && (l.contains("docs/cli.md")
                    || lines.get(i + 1).is_some_and(|n| n.contains("docs/cli.md")))
        });
        let prefix = format!("archsim {command} ");
        assert_eq!(
            has_json,
            documented.keys().any(|c| c.starts_with(&prefix)),
            "archsim {command}: --json in its help and a `### JSON:` example in docs/cli.md go together"
        );
    }
}

#[test]
fn differences_name_keys_missing_either_way() {
    let doc: Value = serde_json::json!({
        "a": 1,
        "items": [{"x": 1}, {"y": 2}],
        "by_id": {"<id>": {"n": 1}},
        "counts": {"<kind>": 3}
    });
    let run = |v: Value| vec![("run".to_string(), v)];
    let full = serde_json::json!({
        "a": 1, "items": [{"x": 1, "y": 2}], "by_id": {"f": {"n": 2}}, "counts": {}
    });
    assert_eq!(differences(&doc, &run(full)), Vec::<String>::new());
    let extra = serde_json::json!({
        "a": 1, "b": 2, "items": [{"x": 1, "y": 2, "z": 3}], "by_id": {"f": {"n": 2}}, "counts": {}
    });
    assert_eq!(
        differences(&doc, &run(extra)),
        [
            "printed but not documented: b (archsim run)",
            "printed but not documented: items.[].z (archsim run)"
        ]
    );
    let missing = serde_json::json!({"a": 1, "items": [], "by_id": {}, "counts": {}});
    assert_eq!(
        differences(&doc, &run(missing)),
        [
            "documented but printed by no run: by_id.<>",
            "documented but printed by no run: by_id.<>.n",
            "documented but printed by no run: items.[].x",
            "documented but printed by no run: items.[].y"
        ]
    );
}
