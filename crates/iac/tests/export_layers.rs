//! A design made in archsim exported as network, data and compute stacks
//! (`export_layers`): together the stacks hold exactly the resources of
//! the one-template export; a stack refers only to its own resources and
//! parameters and to what an earlier stack exports; each passes cfn-lint
//! (SAM ones after the transform); and `archsim import` of the files gives
//! back the connections of the one-template import, then writes each file
//! back byte for byte.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use archsim_iac::names::kebab;
use archsim_iac::template::{parse, sub_variables};
use archsim_iac::{
    ExportOptions, Flavour, StackExport, export, export_layers, export_stacks, import,
    import_stack_files,
};
use archsim_model::{Design, ExportProfile};
use common::{cfn_lint_errors, examples, kitchen_sink, sam_translate, skip_validators};
use serde_json::Value;

fn designs() -> Vec<(String, Design)> {
    let mut d = examples();
    d.push(("kitchen-sink".into(), kitchen_sink()));
    d
}

fn options(flavour: Flavour, profile: ExportProfile) -> ExportOptions {
    ExportOptions {
        flavour,
        profile: Some(profile),
        ..Default::default()
    }
}

/// Every (stack, name) an `Fn::ImportValue` in `v` asks for, spelled
/// `<parameter>:<name>`.
fn imports(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(i) = m.get("Fn::ImportValue") {
                out.insert(i["Fn::Sub"].as_str().unwrap_or("(not a Sub)").to_string());
                return;
            }
            m.values().for_each(|c| imports(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| imports(c, out)),
        _ => {}
    }
}

/// Every name a `Ref`, `Fn::GetAtt` or `Fn::Sub` variable in `v` refers to.
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                match (k.as_str(), c) {
                    ("Ref", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    ("Fn::GetAtt", Value::Array(a)) => {
                        out.insert(a[0].as_str().unwrap().to_string());
                    }
                    ("Fn::Sub", Value::String(s)) => {
                        for var in sub_variables(s) {
                            out.insert(var.split('.').next().unwrap().to_string());
                        }
                    }
                    ("Fn::Sub", Value::Array(a)) => {
                        let vars = &a[1];
                        for var in sub_variables(a[0].as_str().unwrap()) {
                            let name = var.split('.').next().unwrap();
                            if vars.get(name).is_none() {
                                out.insert(name.to_string());
                            }
                        }
                        refs(vars, out);
                        continue;
                    }
                    _ => {}
                }
                refs(c, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
        _ => {}
    }
}

/// The structural promises of a layered export, for one design.
fn check_stacks(name: &str, design: &str, whole: &Value, stacks: &[StackExport]) {
    assert!(stacks.len() >= 2, "{name}: one stack only");
    let mut all = BTreeSet::new();
    let mut exported: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in stacks {
        let t = &s.exported.value;
        let resources = t["Resources"].as_object().unwrap();
        for id in resources.keys() {
            assert!(all.insert(id.clone()), "{name}: {id} is in two stacks");
        }
        // What this stack may name: its resources, its parameters, pseudo
        // parameters, and (SAM) the resources SAM generates for its own.
        let params: BTreeSet<&String> = t["Parameters"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .collect();
        let mut named = BTreeSet::new();
        refs(&t["Resources"], &mut named);
        refs(&t["Outputs"], &mut named);
        for n in named {
            let known = n.starts_with("AWS::")
                || resources.contains_key(&n)
                || params.contains(&n)
                || resources.keys().any(|r| n.starts_with(r.as_str()));
            assert!(known, "{name}: {}: names {n}, which is not in it", s.file);
        }
        // Each import names an export of an earlier stack, through the
        // parameter whose default is that stack's name.
        let mut asked = BTreeSet::new();
        imports(&t["Resources"], &mut asked);
        for i in asked {
            let (param, export) = i
                .strip_prefix("${")
                .and_then(|r| r.split_once("}:"))
                .unwrap_or_else(|| panic!("{name}: {}: import {i}", s.file));
            let stack = t["Parameters"][param]["Default"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: {}: {param} is not a parameter", s.file));
            assert!(
                exported.get(stack).is_some_and(|e| e.contains(export)),
                "{name}: {} imports {export} from {stack}, which does not export it",
                s.file
            );
        }
        let stem = s.file.trim_end_matches(".yaml").trim_end_matches(".json");
        let stack_name = format!("{}-{stem}", kebab(design));
        for o in t["Outputs"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, o)| o)
        {
            if let Some(n) = o["Export"]["Name"]["Fn::Sub"].as_str() {
                let n = n
                    .strip_prefix("${AWS::StackName}:")
                    .expect("stack-named export");
                exported
                    .entry(stack_name.clone())
                    .or_default()
                    .insert(n.to_string());
            }
        }
    }
    let want: BTreeSet<String> = whole["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        all, want,
        "{name}: the stacks hold the whole template's resources"
    );
}

#[test]
fn the_layers_hold_the_whole_export_and_refer_only_to_earlier_stacks() {
    let dir = tempfile::tempdir().unwrap();
    let mut lint = Vec::new();
    let mut pairs = Vec::new();
    for (name, design) in designs() {
        for flavour in [Flavour::CloudFormation, Flavour::Sam] {
            for profile in [ExportProfile::Production, ExportProfile::Sandbox] {
                let opts = options(flavour, profile);
                let whole = export(&design, &opts).unwrap().value;
                let stacks = export_layers(&design, &opts).unwrap();
                check_stacks(
                    &format!("{name} {flavour:?} {profile:?}"),
                    &design.name,
                    &whole,
                    &stacks,
                );
                if profile == ExportProfile::Sandbox && flavour == Flavour::Sam {
                    continue;
                }
                for s in &stacks {
                    let file = dir.path().join(format!(
                        "{name}-{}-{}-{}",
                        flavour_slug(flavour),
                        profile.slug(),
                        s.file
                    ));
                    std::fs::write(&file, &s.exported.template).unwrap();
                    if s.exported.value.get("Transform").is_some() {
                        let out = file.with_extension("transformed.json");
                        pairs.push((file, out.clone()));
                        lint.push(out);
                    } else {
                        lint.push(file);
                    }
                }
            }
        }
    }
    if skip_validators() {
        eprintln!("skipped cfn-lint and the SAM transform: ARCHSIM_SKIP_CFN_LINT=1");
        return;
    }
    sam_translate(&pairs).unwrap_or_else(|e| panic!("SAM transform failed: {e}"));
    assert_eq!(cfn_lint_errors(&lint), Vec::<String>::new());
}

fn flavour_slug(f: Flavour) -> &'static str {
    match f {
        Flavour::CloudFormation => "cfn",
        Flavour::Sam => "sam",
    }
}

#[test]
fn the_layers_import_back_as_the_design_and_write_back_byte_for_byte() {
    for (name, design) in designs() {
        for flavour in [Flavour::CloudFormation, Flavour::Sam] {
            let opts = options(flavour, ExportProfile::Production);
            let stacks = export_layers(&design, &opts).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let files = common::write_stacks(dir.path(), &stacks);
            let layered =
                import_stack_files(&files).unwrap_or_else(|e| panic!("{name} {flavour:?}: {e}"));
            let single = import(&export(&design, &opts).unwrap().template, "t.yaml").unwrap();
            assert_eq!(
                common::edges(&layered.design),
                common::edges(&single.design),
                "{name} {flavour:?}: the stacks draw what the one template draws"
            );
            let again = export_stacks(&layered.design, &opts).unwrap();
            assert_eq!(again.len(), stacks.len());
            for (a, b) in stacks.iter().zip(&again) {
                assert_eq!(a.file, b.file);
                assert_eq!(
                    parse(&a.exported.template, &a.file).unwrap().value,
                    parse(&b.exported.template, &b.file).unwrap().value,
                    "{name} {flavour:?}: {} is written back as it was",
                    a.file
                );
            }
        }
    }
}

#[test]
fn an_imported_design_is_not_divided() {
    let (_, design) = examples().remove(0);
    let t = export(&design, &ExportOptions::default()).unwrap().template;
    let imported = import(&t, "t.yaml").unwrap().design;
    let err = export_layers(&imported, &ExportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not divided"), "{err}");
}
