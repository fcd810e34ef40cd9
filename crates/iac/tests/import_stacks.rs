//! Several stacks as one design: our own three stacks in
//! `tests/iac/templates/stacks` (a network stack whose exports a web
//! service and a worker import), and the Fargate application of the shared
//! corpus (a networking stack and three service stacks). Imports resolve
//! to exports, cross-stack connections are drawn, each stack gets a frame,
//! and each is written back to its own file, unchanged when nothing was
//! edited and byte-identical after a round trip.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use archsim_iac::template::parse;
use archsim_iac::{
    ExportError, ExportOptions, Flavour, ImportError, Imported, export, export_stacks,
    import_stack_files, import_stacks, stack_files,
};
use archsim_model::edit::apply_op;
use archsim_model::validate::has_errors;
use archsim_model::{Component, ComponentKind as K, Design, GroupKind, Op, validate};
use common::{assert_draws, cfn_lint_errors, corpus, repo_root, set, skip_validators};
use serde_json::json;

fn own(files: &[&str]) -> Vec<PathBuf> {
    files
        .iter()
        .map(|f| repo_root().join("tests/iac/templates/stacks").join(f))
        .collect()
}

const CFN: ExportOptions = ExportOptions {
    flavour: Flavour::CloudFormation,
    syntax: archsim_iac::Syntax::Yaml,
    network: archsim_iac::Network::Generated,
    profile: None,
};

/// Each frame's name and members.
fn frames(d: &Design) -> BTreeSet<(String, BTreeSet<String>)> {
    d.groups()
        .filter(|g| g.kind == GroupKind::Frame)
        .map(|g| (g.name.clone(), g.members.clone()))
        .collect()
}

/// Exports each stack, checks that an unedited stack is written back as
/// its file said, writes them to a directory, imports them from there and
/// exports again: the same bytes, file by file.
fn round_trip(imported: &Imported, originals: &[PathBuf], dir: &Path) {
    let named: Vec<(String, PathBuf)> = originals
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                p.clone(),
            )
        })
        .collect();
    round_trip_as(imported, &named, dir, named.len());
}

/// [`round_trip`] with each stack's file as export names it (a nested
/// stack's path relative to its parent), re-importing the first `given`
/// files (the others are nested in them).
fn round_trip_as(imported: &Imported, originals: &[(String, PathBuf)], dir: &Path, given: usize) {
    let first = export_stacks(&imported.design, &CFN).expect("exports");
    assert_eq!(first.len(), originals.len());
    let _ = std::fs::remove_dir_all(dir);
    let mut written = Vec::new();
    for (stack, (name, original)) in first.iter().zip(originals) {
        assert_eq!(&stack.file, name);
        let text = std::fs::read_to_string(original).unwrap();
        assert_eq!(
            parse(&stack.exported.template, &stack.file).unwrap().value,
            parse(&text, &stack.file).unwrap().value,
            "{name}: an unedited stack is written back as it was"
        );
        let path = dir.join(&stack.file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &stack.exported.template).unwrap();
        written.push(path);
    }
    let again = import_stack_files(&written[..given]).expect("re-imports");
    let second = export_stacks(&again.design, &CFN).expect("exports again");
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.file, b.file);
        assert_eq!(a.exported.template, b.exported.template, "{}", a.file);
    }
    assert_eq!(
        again.design.component_count(),
        imported.design.component_count()
    );
    assert_eq!(
        common::edges(&again.design),
        common::edges(&imported.design)
    );
    if !skip_validators() {
        assert_eq!(cfn_lint_errors(&written), Vec::<String>::new());
    }
}

#[test]
fn own_stacks_open_as_one_design() {
    let files = own(&["network.yaml", "web.yaml", "worker.yaml"]);
    let imported = import_stack_files(&files).expect("imports");
    let d = &imported.design;
    // `Environment` and `TaskDefinition` are in two stacks each: prefixed
    // with what tells the stacks apart, named as written.
    assert_eq!(
        d.component("WebTaskDefinition").unwrap().name,
        "Task Definition"
    );
    assert!(d.component("TaskDefinition").is_none());
    assert_draws(
        d,
        &set(&[
            // Across stacks: the web stack's listener rule on the network
            // stack's listener, its service in the network's cluster; the
            // worker's mapping on the network's queue.
            "LoadBalancer -route-> Service",
            "OrdersQueue -poll-> Worker",
            "Service -runs_task-> WebTaskDefinition",
            "Service -runs_on-> ClusterFargate",
            "WebTaskDefinition -pulls_image-> RegistryPublicEcrAws",
            "WorkerTaskDefinition -pulls_image-> RegistryPublicEcrAws",
        ]),
    );
    let cluster = d.group_owned_by("Cluster").expect("the cluster's group");
    assert!(cluster.members.contains("Service"), "{cluster:?}");
    assert_eq!(
        frames(d),
        [
            (
                "orders-network (network.yaml)",
                &["Cluster", "LoadBalancer", "OrdersQueue"][..]
            ),
            (
                "web (web.yaml)",
                &[
                    "ClusterFargate",
                    "Service",
                    "WebTaskDefinition",
                    "RegistryPublicEcrAws"
                ]
            ),
            ("worker (worker.yaml)", &["Worker", "WorkerTaskDefinition"]),
        ]
        .iter()
        .map(|(n, m)| (n.to_string(), m.iter().map(|s| s.to_string()).collect()))
        .collect()
    );
    // The worker function's own role is its wiring, not drawn.
    assert!(d.component("WorkerRole").is_none());
    assert!(
        imported.report.kept.iter().any(|k| k.starts_with(
            "WorkerRole (AWS::IAM::Role): Worker's own role (lambda.amazonaws.com assumes it), not drawn"
        )),
        "{:?}",
        imported.report.kept
    );
    let report = imported.report.stacks.join("\n");
    assert!(
        report.contains(
            "network.yaml: stack orders-network (the name its importers' parameters give)"
        ),
        "{report}"
    );
    assert!(
        report.contains(
            "worker.yaml: Fn::ImportValue orders-network-QueueArn -> network.yaml output QueueArn"
        ),
        "{report}"
    );
    assert!(
        report.contains("worker.yaml:62: Fn::ImportValue orders-network-NotExported: exported by none of these stacks; kept as written"),
        "{report}"
    );
    // The imports the worker makes twice are one line.
    assert_eq!(report.matches("output QueueArn").count(), 1, "{report}");
    assert!(!has_errors(&validate(d)), "{:?}", validate(d));
    // Each stack's components keep to their own band of the canvas.
    let band = |id: &str| d.component(id).unwrap().position.y;
    assert!(band("Worker") > band("Service") && band("Service") > band("OrdersQueue"));
    round_trip(
        &imported,
        &files,
        &std::env::temp_dir().join("archsim-stacks-own"),
    );
}

#[test]
fn edits_go_back_to_their_stack() {
    let files = own(&["network.yaml", "web.yaml", "worker.yaml"]);
    let mut d = import_stack_files(&files).expect("imports").design;
    apply_op(
        &mut d,
        Op::SetProperty {
            id: "Service".into(),
            path: "desired_count".into(),
            value: json!(5),
        },
    )
    .unwrap();
    apply_op(
        &mut d,
        Op::RemoveComponent {
            id: "Worker".into(),
        },
    )
    .unwrap();
    // A queue added in the web stack's frame goes with the web stack.
    let queue = Component::new("ReplyQueue", "Reply Queue", K::SqsQueue);
    apply_op(&mut d, Op::AddComponent { component: queue }).unwrap();
    let web = d
        .groups()
        .find(|g| g.name.starts_with("web "))
        .unwrap()
        .id
        .clone();
    apply_op(
        &mut d,
        Op::AddToGroup {
            group: web,
            member: "ReplyQueue".into(),
        },
    )
    .unwrap();
    let out = export_stacks(&d, &CFN).expect("exports");
    let value = |file: &str| {
        out.iter()
            .find(|s| s.file == file)
            .map(|s| s.exported.value.clone())
            .unwrap()
    };
    let original = |file: &str| {
        let text = std::fs::read_to_string(
            &files[["network.yaml", "web.yaml", "worker.yaml"]
                .iter()
                .position(|f| *f == file)
                .unwrap()],
        )
        .unwrap();
        parse(&text, file).unwrap().value
    };
    assert_eq!(value("network.yaml"), original("network.yaml"));
    let web = value("web.yaml");
    assert_eq!(web["Resources"]["Service"]["Properties"]["DesiredCount"], 5);
    assert_eq!(web["Resources"]["ReplyQueue"]["Type"], "AWS::SQS::Queue");
    let worker = value("worker.yaml");
    for gone in ["Worker", "Mapping"] {
        assert!(worker["Resources"].get(gone).is_none(), "{gone}: {worker}");
    }
    assert!(worker["Resources"].get("WorkerTaskDefinition").is_none());
    assert!(worker["Resources"].get("TaskDefinition").is_some());
    // One template for the whole design is refused, saying why.
    match export(&d, &CFN) {
        Err(e @ ExportError::SeveralStacks { .. }) => {
            assert!(
                e.to_string()
                    .contains("3 stacks (network.yaml, web.yaml, worker.yaml)"),
                "{e}"
            )
        }
        other => panic!("expected SeveralStacks, got {other:?}"),
    }
    assert_eq!(
        stack_files(&d).unwrap(),
        ["network.yaml", "web.yaml", "worker.yaml"]
    );
}

#[test]
fn stacks_that_do_not_fit_are_refused() {
    let text = |f: &str| std::fs::read_to_string(&own(&[f])[0]).unwrap();
    let refused = |files: Vec<(&str, String)>| -> String {
        let files: Vec<(String, String)> =
            files.into_iter().map(|(f, t)| (f.to_string(), t)).collect();
        match import_stacks(&files) {
            Err(e @ ImportError::Stacks { .. }) => e.to_string(),
            other => panic!("expected a Stacks error, got {:?}", other.map(|i| i.report)),
        }
    };
    // Two files of one name cannot be written back side by side.
    let e = refused(vec![
        ("a/network.yaml", text("network.yaml")),
        ("b/network.yaml", text("network.yaml")),
    ]);
    assert!(
        e.contains("a/network.yaml and b/network.yaml have the same file name"),
        "{e}"
    );
    // Two stacks export what the web stack imports.
    let e = refused(vec![
        ("network.yaml", text("network.yaml")),
        ("network-copy.yaml", text("network.yaml")),
        ("web.yaml", text("web.yaml")),
    ]);
    assert!(
        e.starts_with("web.yaml:30: Fn::ImportValue orders-network-VpcId is exported by network.yaml and network-copy.yaml"),
        "{e}"
    );
    // The web and worker stacks ask for the network under two names.
    let e = refused(vec![
        ("network.yaml", text("network.yaml")),
        ("web.yaml", text("web.yaml")),
        (
            "worker.yaml",
            text("worker.yaml").replace("Default: orders-network", "Default: shared-network"),
        ),
    ]);
    assert!(
        e.starts_with("network.yaml:1: its exports are imported under different stack names"),
        "{e}"
    );
    assert!(
        e.contains("\"orders-network\" by web.yaml")
            && e.contains("\"shared-network\" by worker.yaml"),
        "{e}"
    );
}

#[test]
fn the_fargate_application_opens_as_one_design() {
    let Some(dir) = corpus(
        "the_fargate_application_opens_as_one_design",
        "the five-stack Fargate application",
    ) else {
        return;
    };
    let dir = dir.join("fargate-stacks");
    let file = |f: &str| dir.join(format!("{f}.yml"));
    let services = [
        "service-stacks_private-subnet-private-loadbalancer",
        "service-stacks_private-subnet-public-loadbalancer",
        "service-stacks_public-subnet-public-loadbalancer",
    ];
    let mut files = vec![file("fargate-networking-stacks_public-private-vpc")];
    files.extend(services.iter().map(|s| file(s)));
    let imported = import_stack_files(&files).expect("imports");
    let d = &imported.design;
    assert_draws(
        d,
        &set(&[
            // The service stacks' listener rules on the networking stack's
            // listeners: the public load balancer fronts two services, the
            // private one the third.
            "PrivateLoadBalancer -route-> PrivateSubnetPrivateService",
            "PublicLoadBalancer -route-> PrivateSubnetPublicService",
            "PublicLoadBalancer -route-> PublicSubnetPublicService",
            "PrivateSubnetPrivateService -runs_task-> PrivateSubnetPrivateTaskDefinition",
            "PrivateSubnetPublicService -runs_task-> PrivateSubnetPublicTaskDefinition",
            "PublicSubnetPublicService -runs_task-> PublicSubnetPublicTaskDefinition",
            "PrivateSubnetPrivateService -runs_on-> ECSClusterFargate",
            "PrivateSubnetPublicService -runs_on-> ECSClusterFargate",
            "PublicSubnetPublicService -runs_on-> ECSClusterFargate",
            // The networking stack's execution role, exported.
            "PrivateSubnetPrivateTaskDefinition -assumes_role-> ECSTaskExecutionRole",
            "PrivateSubnetPublicTaskDefinition -assumes_role-> ECSTaskExecutionRole",
            "PublicSubnetPublicTaskDefinition -assumes_role-> ECSTaskExecutionRole",
            "PrivateSubnetPrivateTaskDefinition -pulls_image-> RegistryDockerIo",
            "PrivateSubnetPublicTaskDefinition -pulls_image-> RegistryDockerIo",
            "PublicSubnetPublicTaskDefinition -pulls_image-> RegistryDockerIo",
        ]),
    );
    // The services run in the networking stack's cluster, not in a
    // stand-in for "another stack's".
    let cluster = d.group_owned_by("ECSCluster").expect("cluster group");
    for s in [
        "PrivateSubnetPrivateService",
        "PrivateSubnetPublicService",
        "PublicSubnetPublicService",
    ] {
        assert!(cluster.members.contains(s), "{s}: {cluster:?}");
    }
    assert_eq!(d.components_of(K::EcsCluster).count(), 1);
    assert_eq!(frames(d).len(), 4);
    assert!(!has_errors(&validate(d)), "{:?}", validate(d));
    assert!(
        imported
            .report
            .stacks
            .iter()
            .all(|l| !l.contains("exported by none")),
        "{:?}",
        imported.report.stacks
    );
    round_trip(
        &imported,
        &files,
        &std::env::temp_dir().join("archsim-stacks-fargate"),
    );

    // Both networking stacks export what the services import: one of them.
    let mut all = files.clone();
    all.push(file("fargate-networking-stacks_public-vpc"));
    let e = import_stack_files(&all).expect_err("refused").to_string();
    assert!(
        e.contains("is exported by")
            && e.contains("public-private-vpc.yml and")
            && e.contains("public-vpc.yml; import only one of them"),
        "{e}"
    );
    // The public VPC has no private subnets or listener: the private
    // service's imports of them are kept and said, not invented.
    let partial = import_stack_files(&[
        file("fargate-networking-stacks_public-vpc"),
        file(services[0]),
    ])
    .expect("imports");
    let unresolved: Vec<&String> = partial
        .report
        .stacks
        .iter()
        .filter(|l| l.contains("exported by none"))
        .collect();
    assert_eq!(unresolved.len(), 3, "{unresolved:?}");
    assert!(
        unresolved
            .iter()
            .any(|l| l.contains("production:PrivateListener"))
    );
}

#[test]
fn nested_stacks_are_stacks_of_their_own() {
    let dir = repo_root().join("tests/iac/templates/stacks/nested");
    let imported = archsim_iac::import_file(&dir.join("app.yaml")).expect("imports");
    let d = &imported.design;
    // The function's policy names the table through the nested stack's
    // output; the table's name is the parameter the parent passes.
    assert_draws(
        d,
        &set(&[
            "ServerlessHttpApi -invoke_sync-> Api",
            "Api -uses_read_write-> Orders",
        ]),
    );
    assert_eq!(
        frames(d).into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
        [
            "app (app.yaml)",
            "data (data.yaml)",
            "vpc (network/vpc.yaml)"
        ]
    );
    let report = imported.report.stacks.join("\n");
    for line in [
        "data.yaml: stack data (nested in app.yaml as Data), 1 resource(s)",
        "network/vpc.yaml: stack vpc (nested in app.yaml as Network), 1 resource(s)",
        "app.yaml: Missing nests ./not-here.yaml: not there beside the template; kept as written, not drawn",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
    // A nested stack is its frame, not a component; one from the
    // Serverless Application Repository, or missing, is kept generic.
    for id in ["Data", "Network"] {
        assert!(d.component(id).is_none(), "{id}");
    }
    for id in ["Missing", "Published"] {
        assert_eq!(d.component(id).unwrap().kind(), K::Generic);
    }
    assert!(!has_errors(&validate(d)), "{:?}", validate(d));
    let originals: Vec<(String, PathBuf)> = ["app.yaml", "data.yaml", "network/vpc.yaml"]
        .iter()
        .map(|f| (f.to_string(), dir.join(f)))
        .collect();
    let out = std::env::temp_dir().join("archsim-stacks-nested");
    let first = export_stacks(&d.clone(), &CFN).unwrap();
    assert_eq!(first.len(), 3);
    round_trip_as(&imported, &originals, &out, 1);
}
