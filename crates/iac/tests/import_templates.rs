//! Import of real templates: the public SAM patterns in `../shared/templates`
//! (beside the clone) and our own container templates in
//! `tests/iac/templates`. Import -> export keeps every resource and every
//! property, Parameters, Conditions, Outputs and intrinsics; the imported
//! design draws the components and the connections the template implies.

mod common;

use std::path::PathBuf;

use archsim_iac::template::parse;
use archsim_iac::{ExportOptions, Flavour, Syntax, export, import_file};
use archsim_model::ComponentKind as K;
use archsim_model::Meaning;
use common::{cfn_lint_errors, repo_root, skip_validators};

fn templates(dir: PathBuf) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (shared/ must sit beside the clone)", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        })
        .collect();
    out.sort();
    out
}

fn shared() -> Vec<PathBuf> {
    templates(repo_root().join("../shared/templates"))
}

fn ours() -> Vec<PathBuf> {
    templates(repo_root().join("tests/iac/templates"))
}

fn opts_for(original: &serde_json::Value, syntax: Syntax) -> ExportOptions {
    ExportOptions {
        flavour: if archsim_iac::template::is_sam(original) {
            Flavour::Sam
        } else {
            Flavour::CloudFormation
        },
        syntax,
        ..Default::default()
    }
}

#[test]
fn import_then_export_keeps_everything() {
    let all: Vec<PathBuf> = shared().into_iter().chain(ours()).collect();
    assert!(
        all.len() >= 19,
        "expected the 16 shared and 3 own templates"
    );
    for path in all {
        let text = std::fs::read_to_string(&path).expect("readable");
        let original = parse(&text, &path.display().to_string())
            .expect("parses")
            .value;
        let imported = import_file(&path).unwrap_or_else(|e| panic!("{e}"));
        for syntax in [Syntax::Yaml, Syntax::Json] {
            let out = export(&imported.design, &opts_for(&original, syntax)).expect("exports");
            let back = parse(&out.template, "exported")
                .expect("our output parses")
                .value;
            // Every section, resource, property and intrinsic, as written.
            assert_eq!(back, original, "{}: {syntax:?}", path.display());
        }
        // The imported design is a design, not just a kept template.
        assert!(
            imported.design.component_count() > 0,
            "{}: nothing drawn",
            path.display()
        );
        assert!(!imported.report.mapped.is_empty());
        // ... and one the model's rules accept.
        let errors: Vec<_> = archsim_model::validate(&imported.design)
            .into_iter()
            .filter(|p| p.severity == archsim_model::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        // It survives a save and load.
        let text = archsim_model::file::to_string(&imported.design);
        let loaded = archsim_model::file::parse_str(&text, "imported.archsim.json").unwrap();
        assert_eq!(loaded, imported.design);
    }
}

#[test]
fn connections_are_inferred_from_real_templates() {
    let expect = [
        ("sqs-lambda.yaml", K::SqsQueue, Meaning::Poll),
        ("kinesis-lambda.yaml", K::KinesisStream, Meaning::Poll),
        ("dynamodb-lambda.yaml", K::DynamoDbTable, Meaning::Poll),
        ("sns-lambda.yaml", K::SnsTopic, Meaning::InvokeAsync),
        (
            "s3-lambda-resizing-python.yaml",
            K::S3Bucket,
            Meaning::InvokeAsync,
        ),
        (
            "apigw-http-api-lambda.yaml",
            K::ApiGateway,
            Meaning::InvokeSync,
        ),
        (
            "eventbridge-schedule-to-lambda.yaml",
            K::EventBridgeRule,
            Meaning::InvokeAsync,
        ),
    ];
    for (file, from_kind, meaning) in expect {
        let path = repo_root().join("../shared/templates").join(file);
        let imported = import_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let d = &imported.design;
        let found = d.connections().any(|c| {
            c.kind.meaning() == meaning
                && d.component(&c.from).map(|f| f.kind()) == Some(from_kind)
                && d.component(&c.to).map(|t| t.kind()) == Some(K::LambdaFunction)
        });
        assert!(
            found,
            "{file}: no {from_kind:?} -{meaning:?}-> Lambda; inferred: {:?}",
            imported.report.inferred
        );
    }
}

#[test]
fn container_templates_infer_routes_groups_and_roles() {
    let alb = import_file(&repo_root().join("tests/iac/templates/alb-fargate-paths.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let d = &alb.design;
    let routes: Vec<_> = d
        .connections()
        .filter(|c| c.kind.meaning() == Meaning::Route)
        .collect();
    assert_eq!(routes.len(), 2, "{:?}", alb.report.inferred);
    // The cluster groups both services and the Fargate / Fargate Spot
    // capacity their strategies name.
    let group = d.groups().next().expect("an ECS cluster group");
    assert_eq!(group.members.len(), 4, "{:?}", group.members);
    let runs_on = d
        .connections()
        .filter(|c| c.kind.meaning() == Meaning::RunsOn)
        .count();
    assert_eq!(runs_on, 3, "orders on Fargate + Spot, users on Fargate");
    assert!(d.components().any(|c| c.kind() == K::ExternalRegistry));
    assert!(
        archsim_model::validate(d)
            .iter()
            .all(|p| p.severity != archsim_model::Severity::Error),
        "{:?}",
        archsim_model::validate(d)
    );

    let eks = import_file(&repo_root().join("tests/iac/templates/eks-nodegroup-fargate.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let group = eks.design.groups().next().expect("an EKS cluster group");
    assert_eq!(group.members.len(), 2, "node group and Fargate profile");

    let ec2 = import_file(&repo_root().join("tests/iac/templates/ecs-ec2-capacity.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ec2.design
            .components()
            .any(|c| c.kind() == K::Ec2AutoScalingGroup)
    );
    // Capacity provider -> ASG -> launch template -> profile -> role.
    assert!(
        ec2.design
            .connections()
            .any(|c| c.kind.meaning() == Meaning::AssumesRole && c.from == "CapacityProvider"),
        "{:?}",
        ec2.report.inferred
    );
    assert!(
        ec2.design
            .connections()
            .any(|c| c.kind.meaning() == Meaning::RunsOn && c.to == "CapacityProvider")
    );
}

#[test]
fn own_templates_pass_cfn_lint() {
    if skip_validators() {
        return;
    }
    let errors = cfn_lint_errors(&ours());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn typed_properties_are_read_from_container_templates() {
    use archsim_model::Props;
    use archsim_model::component::{CapacityType, NetworkMode, PlacementStrategyType};
    let ec2 = import_file(&repo_root().join("tests/iac/templates/ecs-ec2-capacity.yaml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .design;
    let Some(Props::EcsService(svc)) = ec2.component("WorkerService").map(|c| &c.props) else {
        panic!("WorkerService is an ECS service")
    };
    assert_eq!(svc.desired_count, 3);
    let kinds: Vec<_> = svc.placement_strategies.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            PlacementStrategyType::Spread,
            PlacementStrategyType::Binpack
        ]
    );
    assert_eq!(svc.placement_constraints.len(), 1);
    let Some(Props::TaskDefinition(td)) = ec2.component("WorkerTask").map(|c| &c.props) else {
        panic!("WorkerTask is a task definition")
    };
    assert_eq!(td.network_mode, NetworkMode::Bridge);
    assert_eq!(td.containers[0].port_mappings[0].host_port, Some(0));
    assert_eq!(td.containers[0].memory_mb, Some(512));

    let eks = import_file(&repo_root().join("tests/iac/templates/eks-nodegroup-fargate.yaml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .design;
    let Some(Props::EksNodeGroup(ng)) = eks.component("NodeGroup").map(|c| &c.props) else {
        panic!("NodeGroup is a node group")
    };
    assert_eq!((ng.capacity_type, ng.max_size), (CapacityType::Spot, 4));
    let Some(Props::EksFargateProfile(fp)) = eks.component("BatchProfile").map(|c| &c.props) else {
        panic!("BatchProfile is a Fargate profile")
    };
    assert_eq!(fp.namespace, "batch");
    assert_eq!(fp.labels.get("tier").map(String::as_str), Some("jobs"));
}
