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

/// The first part of each bucket name made of a stack's id that `v`
/// spells (`Fn::Join` of `-`, the name, the account and the stack id's
/// suffix) or spells the ARN of (`arn:`, partition, `:s3:::`, those
/// parts...): only the bucket's own stack spells them right.
fn spelled_buckets(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(list) = m.get("Fn::Join").and_then(|j| j[1].as_array()) {
                if list.get(2) == Some(&Value::from(":s3:::")) {
                    out.insert(list[3].as_str().unwrap_or("?").to_string());
                } else if m["Fn::Join"][0] == "-"
                    && Value::Array(list.clone())
                        .to_string()
                        .contains("{\"Ref\":\"AWS::StackId\"}")
                {
                    out.insert(list[0].as_str().unwrap_or("?").to_string());
                }
            }
            m.values().for_each(|c| spelled_buckets(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| spelled_buckets(c, out)),
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
        // A bucket named after its stack's id is spelled only where it is.
        let fixed: BTreeSet<String> = resources
            .values()
            .filter(|r| r["Type"] == "AWS::S3::Bucket")
            .filter_map(|r| r["Properties"]["BucketName"]["Fn::Join"][1][0].as_str())
            .map(str::to_string)
            .collect();
        let mut spelled = BTreeSet::new();
        spelled_buckets(&t["Resources"], &mut spelled);
        for b in spelled {
            assert!(
                fixed.contains(&b),
                "{name}: {}: spells bucket {b}'s ARN from its own stack id, but the bucket is not in it",
                s.file
            );
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

/// Queues and topics whose senders sit in two layers. Inbox hears the
/// Orders topic, the Uploads bucket and the Nightly rule (compute);
/// Alerts, the Nightly rule and the Photos bucket; Archive, the Orders
/// topic and the Reports bucket, which also invokes the Indexer function
/// and is read by the Reader function; Ledger, the Orders topic and the
/// Exports bucket only.
fn shared_senders() -> Design {
    use archsim_model::ConnectionKind;
    use archsim_model::component::Props;
    use archsim_model::connection::{Access, InvokeMode};
    let mut components = vec![
        ("orders", "Orders", Props::SnsTopic(Default::default())),
        ("alerts", "Alerts", Props::SnsTopic(Default::default())),
        (
            "nightly",
            "Nightly",
            Props::EventBridgeRule(Default::default()),
        ),
    ];
    for (id, name) in [
        ("inbox", "Inbox"),
        ("archive", "Archive"),
        ("ledger", "Ledger"),
    ] {
        components.push((id, name, Props::SqsQueue(Default::default())));
    }
    for (id, name) in [
        ("uploads", "Uploads"),
        ("photos", "Photos"),
        ("reports", "Reports"),
        ("exports", "Exports"),
    ] {
        components.push((id, name, Props::S3Bucket(Default::default())));
    }
    for (id, name) in [("indexer", "Indexer"), ("reader", "Reader")] {
        components.push((id, name, Props::LambdaFunction(Default::default())));
    }
    let publishes = |from, to| (from, to, ConnectionKind::Publishes);
    common::design_of(
        "Shared senders",
        components,
        vec![
            publishes("orders", "inbox"),
            publishes("uploads", "inbox"),
            publishes("nightly", "inbox"),
            publishes("nightly", "alerts"),
            publishes("photos", "alerts"),
            publishes("orders", "archive"),
            publishes("reports", "archive"),
            (
                "reports",
                "indexer",
                ConnectionKind::Invoke {
                    mode: InvokeMode::Async,
                },
            ),
            (
                "reader",
                "reports",
                ConnectionKind::Uses {
                    access: Access::Read,
                },
            ),
            publishes("orders", "ledger"),
            publishes("exports", "ledger"),
            (
                "reader",
                "exports",
                ConnectionKind::Uses {
                    access: Access::Read,
                },
            ),
        ],
    )
}

/// Who a statement's condition names as the sender: a resource of the
/// stack, an import (`${DataStack}:Orders`), or a bucket by the name it
/// is given in its stack (`reports-...`).
fn sender(arn: &Value) -> String {
    if let Some(id) = arn["Ref"].as_str().or(arn["Fn::GetAtt"][0].as_str()) {
        return id.to_string();
    }
    if let Some(i) = arn["Fn::ImportValue"]["Fn::Sub"].as_str() {
        return i.to_string();
    }
    format!("{}-...", arn["Fn::Join"][1][3].as_str().unwrap_or("?"))
}

/// A queue or topic policy: its logical id, what it is on, and each
/// statement's service and sender.
type Policy = (String, String, Vec<String>);

/// Each queue or topic policy of a stack.
fn policies(t: &Value) -> Vec<Policy> {
    let mut out = Vec::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        let on = match r["Type"].as_str() {
            Some("AWS::SQS::QueuePolicy") => &r["Properties"]["Queues"],
            Some("AWS::SNS::TopicPolicy") => &r["Properties"]["Topics"],
            _ => continue,
        };
        let statements = r["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|st| {
                format!(
                    "{} <- {}",
                    st["Principal"]["Service"].as_str().unwrap(),
                    sender(&st["Condition"]["ArnEquals"]["aws:SourceArn"])
                )
            })
            .collect();
        let [target] = on.as_array().unwrap().as_slice() else {
            panic!("{id}: {on}");
        };
        out.push((id.clone(), sender(target), statements));
    }
    out
}

/// The layered export writes the one-template export's policies: one per
/// queue or topic (each `AWS::SQS::QueuePolicy` replaces the queue's whole
/// policy), all its senders' statements in it, in the stack that can name
/// every sender; a bucket named after its stack's id is spelled only in
/// its own stack (a later one imports its ARN), and the bucket waits for
/// its policies in that stack.
#[test]
fn a_queues_senders_in_two_stacks_share_one_policy() {
    let design = shared_senders();
    let dir = tempfile::tempdir().unwrap();
    let (mut files, mut sam) = (Vec::new(), Vec::new());
    for flavour in [Flavour::CloudFormation, Flavour::Sam] {
        let opts = options(flavour, ExportProfile::Sandbox);
        let whole = export(&design, &opts).unwrap().value;
        let stacks = export_layers(&design, &opts).unwrap();
        check_stacks(&format!("{flavour:?}"), &design.name, &whole, &stacks);
        let per_stack: Vec<(&str, Vec<Policy>)> = stacks
            .iter()
            .map(|s| (s.file.as_str(), policies(&s.exported.value)))
            .collect();
        let statements = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let imported = |name: &str| format!("${{DataStack}}:{name}");
        assert_eq!(
            per_stack,
            vec![
                (
                    "data.yaml",
                    vec![(
                        "LedgerFromExportsPolicy".to_string(),
                        "Ledger".to_string(),
                        statements(&[
                            "s3.amazonaws.com <- exports-...",
                            "sns.amazonaws.com <- Orders"
                        ])
                    )]
                ),
                (
                    "compute.yaml",
                    vec![
                        (
                            "InboxFromNightlyPolicy".to_string(),
                            imported("Inbox"),
                            statements(&[
                                "events.amazonaws.com <- Nightly",
                                "sns.amazonaws.com <- ${DataStack}:Orders",
                                "s3.amazonaws.com <- uploads-..."
                            ])
                        ),
                        (
                            "AlertsFromNightlyPolicy".to_string(),
                            imported("Alerts"),
                            statements(&[
                                "events.amazonaws.com <- Nightly",
                                "s3.amazonaws.com <- photos-..."
                            ])
                        ),
                        (
                            "ArchiveFromOrdersPolicy".to_string(),
                            imported("Archive"),
                            statements(&[
                                "sns.amazonaws.com <- ${DataStack}:Orders",
                                "s3.amazonaws.com <- reports-..."
                            ])
                        ),
                    ]
                ),
            ],
            "{flavour:?}"
        );
        // Each bucket waits for its policies (and permission) in its stack.
        for s in &stacks {
            let resources = s.exported.value["Resources"].as_object().unwrap();
            for (id, r) in resources {
                if r["Type"] == "AWS::S3::Bucket" {
                    assert_eq!(
                        r.get("DependsOn"),
                        whole["Resources"][id].get("DependsOn"),
                        "{flavour:?} {}: {id}",
                        s.file
                    );
                }
            }
        }
        // The Reader's role (compute) names the Reports bucket, in the
        // compute stack, by the name it has there, and the Exports bucket
        // of the data stack by its imported ARN.
        let compute = &stacks[1].exported.value["Resources"];
        assert_eq!(compute["Reports"]["Type"], "AWS::S3::Bucket");
        let import_of =
            |name: &str| format!(r#"{{"Fn::ImportValue":{{"Fn::Sub":"${{DataStack}}:{name}"}}}}"#);
        let reader = format!("{}{}", compute["Reader"], compute["ReaderRole"]);
        for spelled in [
            import_of("Exports"),
            import_of("Exports-Arn"),
            format!(r#"{{"Fn::Join":["",[{},"/*"]]}}"#, import_of("Exports-Arn")),
        ] {
            assert!(
                reader.contains(&spelled),
                "{flavour:?}: {spelled} in {reader}"
            );
        }
        for s in &stacks {
            std::fs::write(
                dir.path()
                    .join(format!("{}-{}", flavour_slug(flavour), s.file)),
                &s.exported.template,
            )
            .unwrap();
            let file = dir
                .path()
                .join(format!("{}-{}", flavour_slug(flavour), s.file));
            if s.exported.value.get("Transform").is_some() {
                sam.push((file.clone(), file.with_extension("transformed.json")));
            } else {
                files.push(file);
            }
        }
        // Read back, the stacks draw what the one template draws: the
        // Reader's access to Exports and Reports, which the one template
        // spells by the buckets' names (joined from the stack id, as the
        // buckets name themselves) and the compute stack by the ARN it
        // imports; and they are written back as they were.
        let sub = tempfile::tempdir().unwrap();
        let written = common::write_stacks(sub.path(), &stacks);
        let layered = import_stack_files(&written).unwrap();
        let single = import(&export(&design, &opts).unwrap().template, "t.yaml").unwrap();
        let want = common::edges(&single.design);
        for bucket in ["Exports", "Reports"] {
            assert!(
                want.contains(&format!("Reader -uses_read-> {bucket}")),
                "{flavour:?}: {want:#?}"
            );
        }
        assert_eq!(common::edges(&layered.design), want, "{flavour:?}");
        let again = export_stacks(&layered.design, &opts).unwrap();
        for (a, b) in stacks.iter().zip(&again) {
            assert_eq!(
                a.exported.template, b.exported.template,
                "{flavour:?} {}",
                a.file
            );
        }
    }
    if skip_validators() {
        eprintln!("skipped cfn-lint and the SAM transform: ARCHSIM_SKIP_CFN_LINT=1");
        return;
    }
    common::assert_templates_lint_clean(&sam, &files);
}
