//! Every example design exports in both flavours and both syntaxes; every
//! template passes cfn-lint with no errors, and every SAM template
//! transforms with aws-sam-translator into CloudFormation that passes
//! cfn-lint too. Snapshots pin the YAML of each flavour.

mod common;

use archsim_iac::{ExportOptions, Flavour, Network, Syntax, export, import};
use archsim_model::component::DeploymentController;
use archsim_model::{ComponentKind as K, ExportProfile};
use common::{cfn_lint_errors, examples, sam_translate, skip_validators};

const FLAVOURS: [Flavour; 2] = [Flavour::Sam, Flavour::CloudFormation];
const SYNTAXES: [Syntax; 2] = [Syntax::Yaml, Syntax::Json];
const PROFILES: [ExportProfile; 2] = [ExportProfile::Sandbox, ExportProfile::Production];

fn slug(f: Flavour, s: Syntax) -> &'static str {
    match (f, s) {
        (Flavour::Sam, Syntax::Yaml) => "sam.yaml",
        (Flavour::Sam, Syntax::Json) => "sam.json",
        (Flavour::CloudFormation, Syntax::Yaml) => "cfn.yaml",
        (Flavour::CloudFormation, Syntax::Json) => "cfn.json",
    }
}

#[test]
fn every_example_exports_and_passes_cfn_lint_and_the_sam_transform() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    let mut sam = Vec::new();
    let mut designs = examples();
    designs.push(("kitchen-sink".into(), common::kitchen_sink()));
    designs.push(("every-kind".into(), common::every_kind()));
    for (name, design) in designs {
        for (network, profile) in [Network::Generated, Network::Existing]
            .into_iter()
            .flat_map(|n| PROFILES.map(|p| (n, p)))
        {
            for flavour in FLAVOURS {
                for syntax in SYNTAXES {
                    // The production profile in YAML only: JSON spells the
                    // same template, and the validators' time adds up.
                    if profile == ExportProfile::Production && syntax == Syntax::Json {
                        continue;
                    }
                    let opts = ExportOptions {
                        flavour,
                        syntax,
                        network,
                        profile: Some(profile),
                    };
                    let out = export(&design, &opts)
                        .unwrap_or_else(|e| panic!("{name}: export failed: {e}"));
                    // Same design, same bytes.
                    assert_eq!(export(&design, &opts).unwrap().template, out.template);
                    let file = dir.path().join(format!(
                        "{name}-{}-{}{}",
                        profile.slug(),
                        if network == Network::Existing {
                            "existing-vpc-"
                        } else {
                            ""
                        },
                        slug(flavour, syntax)
                    ));
                    std::fs::write(&file, &out.template).expect("write template");
                    if flavour == Flavour::Sam {
                        sam.push((file.clone(), file.with_extension("transformed.json")));
                    }
                    files.push(file);
                }
            }
        }
    }
    assert_eq!(
        files.len(),
        8 * 2 * 2 * 2 + 8 * 2 * 2,
        "every example, flavour, syntax, network and profile"
    );
    if skip_validators() {
        return;
    }
    let mut failures = cfn_lint_errors(&files);
    match sam_translate(&sam) {
        Ok(()) => {
            let transformed: Vec<_> = sam.iter().map(|(_, o)| o.clone()).collect();
            failures.extend(cfn_lint_errors(&transformed));
        }
        Err(e) => failures.push(format!("SAM transform failed: {e}")),
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn all_designs() -> Vec<(String, archsim_model::Design)> {
    let mut designs = examples();
    designs.push(("kitchen-sink".into(), common::kitchen_sink()));
    designs
}

/// The sandbox profile's snapshots are the exports as they were before
/// profiles existed; the production profile's carry `.production` in
/// their name.
#[test]
fn exported_templates_match_snapshots() {
    for (name, design) in all_designs() {
        for (flavour, profile) in FLAVOURS.into_iter().flat_map(|f| PROFILES.map(|p| (f, p))) {
            let out = export(
                &design,
                &ExportOptions {
                    flavour,
                    profile: Some(profile),
                    ..Default::default()
                },
            )
            .unwrap();
            let suffix = match profile {
                ExportProfile::Sandbox => "",
                ExportProfile::Production => ".production",
            };
            insta::assert_snapshot!(
                format!("{name}{suffix}.{}", slug(flavour, Syntax::Yaml)),
                out.template
            );
            if profile == ExportProfile::Production {
                continue;
            }
            for m in &out.manifests {
                insta::assert_snapshot!(format!("{name}.{}", m.file_name), m.text);
            }
        }
    }
}

#[test]
fn export_import_export_is_byte_identical() {
    for (name, design) in all_designs() {
        for (flavour, profile) in FLAVOURS.into_iter().flat_map(|f| PROFILES.map(|p| (f, p))) {
            for syntax in SYNTAXES {
                let opts = ExportOptions {
                    flavour,
                    syntax,
                    network: Network::Generated,
                    profile: Some(profile),
                };
                let first = export(&design, &opts).unwrap();
                let back = import(
                    &first.template,
                    &format!("{name}.{}", slug(flavour, syntax)),
                )
                .unwrap_or_else(|e| panic!("{name}: import of our own export failed: {e}"));
                let second = export(&back.design, &opts).unwrap();
                assert_eq!(
                    second.template, first.template,
                    "{name} {flavour:?} {syntax:?} {profile:?}"
                );
                // The profile's additions are read back as the profile,
                // not drawn as components of their own.
                assert_eq!(back.design.export_profile, profile, "{name} {flavour:?}");
                // The roles the design draws come back, and no role the
                // export wrote for a component with none drawn (its own
                // role: a function's, a task's, CodeDeploy's) is drawn;
                // only an EKS workload's pod role is, the workloads being
                // Kubernetes manifests the import does not read.
                let roles = |d: &archsim_model::Design| d.components_of(K::IamRole).count();
                let pod_roles = back
                    .design
                    .components_of(K::IamRole)
                    .filter(|c| {
                        first.value["Resources"][&c.id]["Properties"]["AssumeRolePolicyDocument"]
                            .to_string()
                            .contains("pods.eks.amazonaws.com")
                    })
                    .count();
                assert_eq!(
                    roles(&back.design) - pod_roles,
                    roles(&design),
                    "{name} {flavour:?} {profile:?}: {:?}",
                    back.design
                        .components_of(K::IamRole)
                        .map(|c| &c.id)
                        .collect::<Vec<_>>()
                );
                for id in archsim_iac::export::PROFILE_RESOURCES {
                    assert!(
                        back.design.component(id).is_none(),
                        "{name} {flavour:?}: the profile's {id} is drawn as a component"
                    );
                }
                if profile == ExportProfile::Production {
                    assert!(
                        first.value["Resources"]["StackKey"]["Type"] == "AWS::KMS::Key",
                        "{name}: the production export has the stack key"
                    );
                    assert!(
                        back.report.kept.iter().any(|k| k.starts_with(
                            "StackKey (AWS::KMS::Key): added by the production export profile"
                        )),
                        "{name}: {:?}",
                        back.report.kept
                    );
                }
                let again = export(
                    &back.design,
                    &ExportOptions {
                        profile: None,
                        ..opts
                    },
                )
                .unwrap();
                assert_eq!(
                    again.template, first.template,
                    "{name}: the imported design's own profile"
                );
                // And the imported design draws the template's components.
                assert!(
                    back.design.component_count() > 0 && back.design.connection_count() > 0,
                    "{name}: nothing drawn"
                );
            }
        }
    }
}

#[test]
fn importing_our_export_draws_the_kinds_back() {
    use archsim_model::ComponentKind as K;
    let design = common::kitchen_sink();
    for flavour in FLAVOURS {
        let out = export(
            &design,
            &ExportOptions {
                flavour,
                ..Default::default()
            },
        )
        .unwrap();
        let back = import(&out.template, "kitchen.yaml").unwrap().design;
        for kind in [
            K::AuroraServerless,
            K::Rds,
            K::Firehose,
            K::LambdaFunction,
            K::EcsService,
            K::TaskDefinition,
            K::Alb,
            K::Nlb,
            K::ApiGateway,
            K::KinesisStream,
            K::DynamoDbTable,
            K::EcrRepository,
            K::Ec2Instance,
            K::Generic,
        ] {
            assert!(
                back.components_of(kind).next().is_some(),
                "{flavour:?}: no {kind:?}"
            );
        }
        let publishes_to_bucket = back.connections().any(|c| {
            back.component(&c.from).map(|f| f.kind()) == Some(K::Firehose)
                && back.component(&c.to).map(|t| t.kind()) == Some(K::S3Bucket)
        });
        assert!(publishes_to_bucket, "{flavour:?}");
        let polls = back
            .connections()
            .filter(|c| c.kind.meaning() == archsim_model::Meaning::Poll)
            .count();
        assert!(polls >= 3, "{flavour:?}: {polls} poll connections");
        // The user pool guards both APIs again: the REST API's Cognito
        // authorizer and the HTTP API's JWT one.
        let mut guarded: Vec<String> = back
            .connections()
            .filter(|c| matches!(c.kind, archsim_model::ConnectionKind::Authorizes))
            .filter(|c| back.component(&c.from).map(|f| f.kind()) == Some(K::Cognito))
            .filter_map(|c| back.component(&c.to))
            .map(|api| match &api.props {
                archsim_model::Props::ApiGateway(p) => format!("{:?}", p.api_type),
                _ => panic!("{flavour:?}: a user pool authorizes {}", api.name),
            })
            .collect();
        guarded.sort();
        assert_eq!(
            guarded,
            ["Http", "Rest"],
            "{flavour:?}: the pool authorizes one REST and one HTTP API"
        );
        // Each Lambda authorizer authorizes its API again, with its
        // settings; API Gateway does not invoke it as an integration (its
        // permission names the authorizer).
        let mut authorized: Vec<String> = back
            .connections()
            .filter(|c| matches!(c.kind, archsim_model::ConnectionKind::Authorizes))
            .filter(|c| back.component(&c.from).map(|f| f.kind()) == Some(K::LambdaFunction))
            .filter_map(|c| Some((back.component(&c.from)?, back.component(&c.to)?)))
            .map(|(f, api)| {
                let archsim_model::Props::ApiGateway(p) = &api.props else {
                    panic!("{flavour:?}: {} authorizes {}", f.name, api.name)
                };
                assert!(
                    !back.connections().any(|c| c.from == api.id && c.to == f.id),
                    "{flavour:?}: {} invokes its authorizer",
                    api.name
                );
                let a = &p.lambda_authorizer;
                format!(
                    "{:?} {:?} {} {} s simple={}",
                    p.api_type, a.payload, a.identity_header, a.result_ttl_s, a.simple_responses
                )
            })
            .collect();
        authorized.sort();
        assert_eq!(
            authorized,
            [
                "Http Request Authorization 60 s simple=true",
                "Rest Request Authorization 0 s simple=false",
                "Rest Token X-Partner-Token 120 s simple=false"
            ],
            "{flavour:?}: Lambda authorizers drawn back"
        );
        // The service integrations are drawn back: both APIs send to the
        // queue and the stream, the REST API publishes to the topic.
        let mut sent_to: Vec<String> = back
            .connections()
            .filter(|c| back.component(&c.from).map(|f| f.kind()) == Some(K::ApiGateway))
            .filter_map(|c| back.component(&c.to))
            .filter(|t| matches!(t.kind(), K::SqsQueue | K::SnsTopic | K::KinesisStream))
            .map(|t| format!("{:?}", t.kind()))
            .collect();
        sent_to.sort();
        assert_eq!(
            sent_to,
            [
                "KinesisStream",
                "KinesisStream",
                "SnsTopic",
                "SqsQueue",
                "SqsQueue"
            ],
            "{flavour:?}: API service integrations drawn back"
        );
        // The VPC links are drawn back: HTTP API -> ALB, REST API -> NLB.
        let mut linked: Vec<String> = back
            .connections()
            .filter_map(|c| Some((back.component(&c.from)?, back.component(&c.to)?)))
            .filter(|(f, t)| f.kind() == K::ApiGateway && matches!(t.kind(), K::Alb | K::Nlb))
            .map(|(_, t)| format!("{:?}", t.kind()))
            .collect();
        linked.sort();
        assert_eq!(linked, ["Alb", "Nlb"], "{flavour:?}: VPC links drawn back");
    }
}

/// What a function does, read back from our own export: every `Uses`,
/// `Publishes`, `Invoke`, `DeadLetter` and `Poll` connection of a Lambda
/// function comes back from its events and policies (SAM policy
/// templates, or the statements of its CloudFormation role), with the
/// same access, and nothing more: no publish for the send a dead-letter
/// queue needs, no write for a read.
#[test]
fn a_functions_connections_come_back_from_its_policies() {
    use archsim_model::{ComponentKind as K, ConnectionKind, Design};
    use std::collections::BTreeSet;
    /// A component's name without spaces or punctuation, lower case: the
    /// original's name and the imported one (from its logical id) agree.
    fn key(d: &Design, id: &str) -> String {
        d.component(id)
            .map(|c| {
                c.name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            })
            .unwrap_or_default()
            .to_lowercase()
    }
    fn of_functions(d: &Design) -> BTreeSet<String> {
        d.connections()
            .filter(|c| {
                [&c.from, &c.to]
                    .iter()
                    .any(|id| d.component(id).map(|x| x.kind()) == Some(K::LambdaFunction))
                    && d.component(&c.from).map(|x| x.kind()) != Some(K::Client)
            })
            .filter_map(|c| {
                let meaning = match &c.kind {
                    ConnectionKind::Uses { access } => format!("uses {access:?}"),
                    ConnectionKind::Invoke { mode } => format!("invoke {mode:?}"),
                    ConnectionKind::Publishes => "publishes".into(),
                    ConnectionKind::DeadLetter => "dead letter".into(),
                    ConnectionKind::Poll { .. } => "poll".into(),
                    _ => return None,
                };
                Some(format!(
                    "{} -{meaning}-> {}",
                    key(d, &c.from),
                    key(d, &c.to)
                ))
            })
            .collect()
    }
    // The bucket whose notification invokes the function is granted by
    // its name (joined from the stack's id, as the bucket names itself:
    // by reference it would be a circular dependency) and read back so.
    let mut compared = 0;
    for (name, design) in examples() {
        let want: BTreeSet<String> = of_functions(&design);
        compared += want.len();
        for flavour in FLAVOURS {
            let opts = ExportOptions {
                flavour,
                ..Default::default()
            };
            let out = export(&design, &opts).unwrap();
            let back = import(&out.template, &format!("{name}.yaml")).unwrap();
            assert_eq!(
                of_functions(&back.design),
                want,
                "{name} {flavour:?}: {:#?}",
                back.report.inferred
            );
        }
    }
    assert!(
        compared >= 10,
        "only {compared} connections of functions compared"
    );
}

/// The typed properties export writes are read back as written: every
/// function's runtime, architecture, memory, timeout, concurrency, storage,
/// SnapStart, tracing and asynchronous settings (on a CloudFormation
/// function, from its alias and event invoke config too), every queue's
/// settings, and every poll's batch settings, in both flavours.
#[test]
fn typed_properties_come_back_from_our_export() {
    use archsim_model::Props;
    use archsim_model::component::{Packaging, Runtime};
    let mut designs = examples();
    designs.push(("kitchen-sink".into(), common::kitchen_sink()));
    // Functions with every setting away from its default.
    let mut tuned = common::kitchen_sink();
    let functions: Vec<String> = tuned
        .components_of(archsim_model::ComponentKind::LambdaFunction)
        .map(|c| c.id.clone())
        .collect();
    for id in functions {
        for (path, value) in [
            ("runtime", serde_json::json!("java")),
            ("architecture", serde_json::json!("arm64")),
            ("memory_mb", serde_json::json!(2048)),
            ("timeout_s", serde_json::json!(20)),
            ("reserved_concurrency", serde_json::json!(50)),
            ("provisioned_concurrency", serde_json::json!(5)),
            ("ephemeral_storage_mb", serde_json::json!(1024)),
            ("snap_start", serde_json::json!(true)),
            ("tracing", serde_json::json!(true)),
            ("max_event_age_s", serde_json::json!(600)),
            ("max_retry_attempts", serde_json::json!(0)),
        ] {
            let op = archsim_model::Op::SetProperty {
                id: id.clone(),
                path: path.into(),
                value,
            };
            archsim_model::edit::apply_op(&mut tuned, op)
                .unwrap_or_else(|e| panic!("{id} {path}: {e}"));
        }
    }
    for (path, value) in [
        ("min_healthy_percent", serde_json::json!(50)),
        ("max_percent", serde_json::json!(150)),
        ("health_check_grace_s", serde_json::json!(120)),
        (
            "circuit_breaker",
            serde_json::json!({"enable": true, "rollback": false}),
        ),
    ] {
        let op = archsim_model::Op::SetProperty {
            id: "api-svc".into(),
            path: path.into(),
            value,
        };
        archsim_model::edit::apply_op(&mut tuned, op).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    designs.push(("tuned".into(), tuned));
    let summary = |d: &archsim_model::Design| -> Vec<String> {
        let mut out: Vec<String> = d
            .components()
            .filter_map(|c| {
                let key: String = c
                    .name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_lowercase();
                // A deployment's hooks by the hook function's name (ids
                // are the logical ids once imported).
                let deployment = |l: &archsim_model::component::LambdaProps| {
                    let mut dep = l.deployment.clone();
                    if let Some(p) = dep.as_mut().and_then(|d| d.preference.as_mut()) {
                        for h in [&mut p.pre_traffic_hook, &mut p.post_traffic_hook]
                            .into_iter()
                            .flatten()
                        {
                            *h = d
                                .component(h)
                                .map(|c| c.name.to_lowercase().replace(' ', ""))
                                .unwrap_or_default();
                        }
                    }
                    format!("{dep:?}")
                };
                match &c.props {
                    Props::LambdaFunction(l) => Some(format!(
                        "{key}: {} {:?} {:?} {} MB {} s reserved {:?} provisioned {} storage {} \
                         snap {} tracing {} age {} retries {} deployment {}",
                        // An image brings its runtime: the template
                        // names none.
                        match l.packaging {
                            Packaging::Zip => l.runtime_identifier(),
                            Packaging::Image => "image",
                        },
                        l.packaging,
                        l.architecture,
                        l.memory_mb,
                        l.timeout_s,
                        l.reserved_concurrency,
                        l.provisioned_concurrency,
                        l.ephemeral_storage_mb,
                        // Export writes SnapStart for Java (and images).
                        l.snap_start
                            && (l.runtime == Runtime::Java || l.packaging == Packaging::Image),
                        l.tracing,
                        l.max_event_age_s,
                        l.max_retry_attempts,
                        deployment(l)
                    )),
                    Props::SqsQueue(q) => Some(format!("{key}: {q:?}")),
                    Props::DynamoDbTable(t) => Some(format!(
                        "{key}: {:?} {} RCU {} WCU, scaling {:?} {:?}",
                        t.billing,
                        t.read_capacity,
                        t.write_capacity,
                        t.read_scaling,
                        t.write_scaling
                    )),
                    // The circuit breaker is the ECS controller's (not
                    // exported with CodeDeploy's).
                    Props::EcsService(s) => Some(format!(
                        "{key}: deployment min {}% max {}% grace {} s {}",
                        s.min_healthy_percent,
                        s.max_percent,
                        s.health_check_grace_s,
                        match &s.deployment_controller {
                            DeploymentController::Ecs => format!("{:?}", s.circuit_breaker),
                            blue_green => format!("{blue_green:?}"),
                        }
                    )),
                    _ => None,
                }
            })
            .collect();
        out.extend(
            d.connections()
                // A function's (a service's or workload's polling is not
                // read back from its task role yet).
                .filter(|c| matches!(c.kind, archsim_model::ConnectionKind::Poll { .. }))
                .filter(|c| {
                    d.component(&c.to).map(|t| t.kind())
                        == Some(archsim_model::ComponentKind::LambdaFunction)
                })
                .map(|c| format!("{:?}", c.kind)),
        );
        out.sort();
        out
    };
    for (name, design) in designs {
        for flavour in FLAVOURS {
            let out = export(
                &design,
                &ExportOptions {
                    flavour,
                    ..Default::default()
                },
            )
            .unwrap();
            let back = import(&out.template, &format!("{name}.yaml")).unwrap();
            assert_eq!(
                summary(&back.design),
                summary(&design),
                "{name} {flavour:?}"
            );
        }
    }
}

/// A blue/green service's traffic shift (CodeDeploy's predefined ECS
/// configurations by name, a custom one as its own resource), termination
/// wait and test listener come back from our export; its test listener
/// is not read as one of the load balancer's own, nor as a route.
#[test]
fn a_blue_green_service_comes_back_from_our_export() {
    use archsim_model::component::{BlueGreen, TrafficShift};
    use archsim_model::{ComponentKind, Design, Props};
    let listeners = |d: &Design| -> Vec<u16> {
        d.components_of(ComponentKind::Alb)
            .flat_map(|c| match &c.props {
                Props::Alb(lb) => lb.listeners.iter().map(|l| l.port).collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    let shifts = [
        TrafficShift::AllAtOnce,
        TrafficShift::Canary {
            percent: 10,
            interval_min: 15,
        },
        TrafficShift::Linear {
            percent: 10,
            interval_min: 3,
        },
        TrafficShift::Canary {
            percent: 30,
            interval_min: 7,
        },
    ];
    for (shift, test_listener_port) in shifts.into_iter().zip([Some(9000), None, Some(8443), None])
    {
        let bg = BlueGreen {
            traffic_shift: shift,
            termination_wait_min: 45,
            test_listener_port,
        };
        let mut d = common::kitchen_sink();
        archsim_model::edit::apply_op(
            &mut d,
            archsim_model::Op::SetProperty {
                id: "api-svc".into(),
                path: "deployment_controller".into(),
                value: serde_json::to_value(DeploymentController::CodeDeploy(bg)).unwrap(),
            },
        )
        .unwrap();
        for flavour in FLAVOURS {
            let opts = ExportOptions {
                flavour,
                ..Default::default()
            };
            let first = export(&d, &opts).unwrap();
            let group = &first.value["Resources"]["ApiSvcDeploymentGroup"]["Properties"];
            assert_eq!(
                group["DeploymentConfigName"].as_str().is_some(),
                bg.is_predefined(),
                "{shift:?}"
            );
            let back = import(&first.template, "bg.yaml").unwrap().design;
            let services: Vec<_> = back
                .components_of(ComponentKind::EcsService)
                .filter_map(|c| match &c.props {
                    Props::EcsService(s) => Some(s.deployment_controller),
                    _ => None,
                })
                .collect();
            assert_eq!(
                services,
                [DeploymentController::CodeDeploy(bg)],
                "{shift:?}"
            );
            let plain = import(
                &export(&common::kitchen_sink(), &opts).unwrap().template,
                "plain.yaml",
            )
            .unwrap()
            .design;
            assert_eq!(listeners(&back), listeners(&plain), "{shift:?}");
            assert_eq!(back.connection_count(), plain.connection_count());
            assert_eq!(export(&back, &opts).unwrap().template, first.template);
        }
    }
}

/// One listener rule forwarding to two target groups by weight is written
/// as a `ForwardConfig` (which cfn-lint accepts) and read back as two
/// routes with their weights.
#[test]
fn weighted_target_groups_come_back_with_their_weights() {
    use archsim_model::component::{ClientProps, LambdaProps};
    use archsim_model::edit::apply_op;
    use archsim_model::{Component, Connection, ConnectionKind, Design, Op, Props};
    let mut design = Design::new("Canary");
    for (id, props) in [
        ("users", Props::Client(ClientProps::default())),
        ("edge", Props::Alb(Default::default())),
        ("blue", Props::LambdaFunction(LambdaProps::default())),
        ("green", Props::LambdaFunction(LambdaProps::default())),
    ] {
        apply_op(
            &mut design,
            Op::AddComponent {
                component: Component::new(id, id, props.kind()).with(props),
            },
        )
        .unwrap();
    }
    let links = [
        (
            "users",
            "edge",
            archsim_model::Meaning::InvokeSync.default_kind(),
            "a",
        ),
        ("edge", "blue", canary(9), "b"),
        ("edge", "green", canary(1), "c"),
    ];
    // The listener's default action, to both functions by weight.
    fn canary(weight: u32) -> ConnectionKind {
        ConnectionKind::Route {
            priority: None,
            conditions: Vec::new(),
            weight,
            target_port: None,
            listener_port: 80,
        }
    }
    for (from, to, kind, id) in links {
        apply_op(
            &mut design,
            Op::Connect {
                connection: Connection::new(id, from, to, kind),
            },
        )
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for flavour in FLAVOURS {
        let opts = ExportOptions {
            flavour,
            profile: Some(ExportProfile::Sandbox),
            ..Default::default()
        };
        let out = export(&design, &opts).unwrap();
        assert!(out.template.contains("ForwardConfig"), "{flavour:?}");
        let file = dir.path().join(format!("canary-{flavour:?}.yaml"));
        std::fs::write(&file, &out.template).unwrap();
        files.push(file);
        let back = import(&out.template, "t.yaml").unwrap().design;
        let mut weights: Vec<u32> = back
            .connections()
            .filter_map(|c| match &c.kind {
                ConnectionKind::Route { weight, .. } => Some(*weight),
                _ => None,
            })
            .collect();
        weights.sort();
        assert_eq!(weights, [1, 9], "{flavour:?}");
    }
    if !skip_validators() {
        let out = dir.path().join("canary-sam.transformed.json");
        sam_translate(&[(files[0].clone(), out.clone())]).unwrap();
        assert_eq!(
            cfn_lint_errors(&[out, files[1].clone()]),
            Vec::<String>::new()
        );
    }
}

#[test]
fn sns_filter_policies_come_back_from_our_export_as_evidence() {
    let design = common::kitchen_sink();
    // (subscriber kind, filter); import names components anew.
    let filters = |d: &archsim_model::Design| -> Vec<(String, serde_json::Value)> {
        let mut v: Vec<(String, serde_json::Value)> = d
            .connections()
            .filter_map(|c| {
                let f = c.filter_policy.as_ref()?;
                let to = d.component(&c.to)?.kind();
                Some((format!("{to:?}"), serde_json::to_value(f).unwrap()))
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let before = filters(&design);
    assert_eq!(before.len(), 2);
    for flavour in FLAVOURS {
        let opts = ExportOptions {
            flavour,
            profile: Some(ExportProfile::Sandbox),
            ..Default::default()
        };
        let out = export(&design, &opts).unwrap();
        // Only the body-scope subscription names its scope.
        assert_eq!(
            out.template
                .matches("FilterPolicyScope: MessageBody")
                .count(),
            1,
            "{flavour:?}"
        );
        assert!(!out.template.contains("MessageAttributes"), "{flavour:?}");
        let back = import(&out.template, "t.yaml").unwrap();
        assert_eq!(filters(&back.design), before, "{flavour:?}");
        let evidence: Vec<&String> = back
            .report
            .inferred
            .iter()
            .filter(|l| l.contains("FilterPolicy on"))
            .collect();
        assert_eq!(evidence.len(), 2, "{flavour:?}: {:?}", back.report.inferred);
        assert!(
            evidence
                .iter()
                .any(|l| l.contains("FilterPolicy on MessageAttributes (event, amount)")),
            "{evidence:?}"
        );
        assert!(
            evidence
                .iter()
                .any(|l| l.contains("FilterPolicy on MessageBody (order)")),
            "{evidence:?}"
        );
    }
}

/// EC2 Auto Scaling capacity joins the ECS cluster whose group holds it,
/// or the cluster of a service that runs on it; with neither, or inside
/// an EKS cluster (which it used to join by its user data, silently), the
/// export refuses it with the component and what to do, as validation's
/// `EC2_CAPACITY_NO_ECS_CLUSTER` warns before.
#[test]
fn ec2_capacity_outside_an_ecs_cluster_is_refused_by_name() {
    use archsim_model::starters::starter;
    use archsim_model::{Component, ComponentKind, Editor, Op};
    let edited = |name: &str, ops: Vec<Op>| {
        let mut editor = Editor::new(starter(name).unwrap().build().unwrap());
        for op in ops {
            editor.apply(op).unwrap();
        }
        editor.into_design()
    };
    let ungroup = || Op::RemoveFromGroup {
        group: "cluster-group".into(),
        member: "general-asg".into(),
    };
    let opts = ExportOptions::default();

    // Out of the group, but its services' cluster is its cluster.
    let ungrouped = edited("ecs-ec2-placement", vec![ungroup()]);
    let out = export(&ungrouped, &opts).unwrap();
    let resources = &out.value["Resources"];
    assert!(
        resources["GeneralM5LargeLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]
            .to_string()
            .contains("ECS_CLUSTER=${ComputeCluster}"),
        "{}",
        out.template
    );
    assert_eq!(
        resources["ComputeClusterCapacityProviders"]["Properties"]["CapacityProviders"],
        serde_json::json!([
            {"Ref": "GeneralM5LargeCapacityProvider"},
            {"Ref": "GPUG4dnXlargeCapacityProvider"}
        ])
    );

    let alone = edited(
        "ecs-ec2-placement",
        vec![
            ungroup(),
            Op::Disconnect {
                id: "api-svc--general-asg".into(),
            },
            Op::Disconnect {
                id: "worker-svc--general-asg".into(),
            },
        ],
    );
    assert_eq!(
        export(&alone, &opts).unwrap_err().to_string(),
        "component \"general-asg\": General m5.large is in no ECS cluster, so its instances have no cluster to join: put it in its ECS cluster's group, or have a service of that cluster run on it (RunsOn)"
    );

    let in_eks = edited(
        "eks-platform",
        vec![
            Op::AddComponent {
                component: Component::new("asg", "Nodes ASG", ComponentKind::Ec2AutoScalingGroup),
            },
            Op::AddToGroup {
                group: "eks-group".into(),
                member: "asg".into(),
            },
        ],
    );
    assert_eq!(
        export(&in_eks, &opts).unwrap_err().to_string(),
        "component \"asg\": Nodes ASG is EC2 Auto Scaling capacity for ECS inside EKS cluster Platform cluster: EKS nodes are an EKS node group; replace it with one, or move it to an ECS cluster's group"
    );

    // Serving services of two clusters (`EC2_CAPACITY_SEVERAL_ECS_CLUSTERS`):
    // before, one capacity provider was associated with both clusters,
    // which ECS refuses.
    let two = edited(
        "ecs-ec2-placement",
        vec![
            Op::RemoveFromGroup {
                group: "cluster-group".into(),
                member: "worker-svc".into(),
            },
            Op::AddComponent {
                component: Component::new("batch", "Batch cluster", ComponentKind::EcsCluster),
            },
            Op::CreateGroup {
                group: archsim_model::Group {
                    id: "batch-group".into(),
                    name: "Batch cluster".into(),
                    kind: archsim_model::GroupKind::EcsCluster,
                    owner: Some("batch".into()),
                    members: ["worker-svc".to_string()].into(),
                },
            },
        ],
    );
    assert_eq!(
        export(&two, &opts).unwrap_err().to_string(),
        "component \"general-asg\": General m5.large serves ECS clusters Compute cluster and Batch cluster: an Auto Scaling group's capacity provider and instances belong to one cluster; give Batch cluster its own Auto Scaling group"
    );
}
