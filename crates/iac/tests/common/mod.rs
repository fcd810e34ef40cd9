//! Shared helpers: the repository root, the example designs, and the
//! Python validators (cfn-lint, aws-sam-translator) in `.venv`.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use archsim_model::Design;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn examples() -> Vec<(String, Design)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(repo_root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".archsim.json"))
        .collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .trim_end_matches(".archsim.json")
            .to_string();
        let design = archsim_model::load(&p).expect("example loads");
        out.push((name, design));
    }
    out
}

/// Whether the validators should be skipped (quick local runs only).
pub fn skip_validators() -> bool {
    std::env::var("ARCHSIM_SKIP_CFN_LINT").as_deref() == Ok("1")
}

fn venv_bin(name: &str) -> PathBuf {
    let path = repo_root().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing. Set up the validators with:\n  python3 -m venv .venv && .venv/bin/pip install cfn-lint aws-sam-translator\n(or run scripts/test.sh, which does it; ARCHSIM_SKIP_CFN_LINT=1 skips them for a quick local run)",
        path.display()
    );
    path
}

/// Runs cfn-lint once over `files`; returns the error findings, each
/// naming its file and line (empty: no errors). Warnings and informational
/// findings do not fail a template.
pub fn cfn_lint_errors(files: &[PathBuf]) -> Vec<String> {
    if files.is_empty() {
        return Vec::new();
    }
    let out = Command::new(venv_bin("cfn-lint"))
        .arg("--format")
        .arg("parseable")
        .arg("--")
        .args(files)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("cfn-lint runs");
    let code = out.status.code().unwrap_or(-1);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    // The exit code is a bitmask: 2 = errors, 4 = warnings, 8 = info.
    if code >= 0 && code & 3 == 0 {
        if std::env::var_os("ARCHSIM_SHOW_CFN_LINT").is_some() {
            eprintln!("{text}");
        }
        return Vec::new();
    }
    if std::env::var_os("ARCHSIM_SHOW_CFN_LINT").is_some() {
        eprintln!("{text}");
    }
    let errors: Vec<String> = text
        .lines()
        .filter(|l| l.contains(":E"))
        .map(str::to_string)
        .collect();
    if errors.is_empty() {
        vec![format!("cfn-lint exit {code}: {text}")]
    } else {
        errors
    }
}

/// Transforms SAM templates with aws-sam-translator: each `(input,
/// output)` pair. Returns the translator's messages on failure.
pub fn sam_translate(pairs: &[(PathBuf, PathBuf)]) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    let script = repo_root().join("tests/iac/sam_translate.py");
    let mut cmd = Command::new(venv_bin("python"));
    cmd.arg(script);
    for (i, o) in pairs {
        cmd.arg(i).arg(o);
    }
    let res = cmd
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("python runs");
    if res.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&res.stderr).to_string()
            + &String::from_utf8_lossy(&res.stdout))
    }
}

/// A design that touches every exported kind and connection the examples
/// leave out: ALB -> Lambda, HTTP and REST APIs with several functions and a
/// Cognito authorizer, SNS -> Lambda and SNS -> SQS, EventBridge schedules
/// and patterns, Kinesis and DynamoDB stream polling, S3 notifications with
/// filters, image packaging, provisioned concurrency, SnapStart, custom
/// async settings, NLB -> ECS, service autoscaling (target tracking and
/// step), and a generic resource.
pub fn kitchen_sink() -> Design {
    use archsim_model::component::*;
    use archsim_model::connection::{Access, RuleCondition, StartingPosition};
    use archsim_model::edit::apply_op;
    use archsim_model::{
        Component, ComponentKind as K, Connection, ConnectionKind, Group, GroupKind, Meaning, Op,
        Props,
    };

    let mut d = Design::new("Kitchen sink");
    let add = |d: &mut Design, id: &str, name: &str, props: Props| {
        apply_op(
            d,
            Op::AddComponent {
                component: Component::new(id, name, props.kind()).with(props),
            },
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    };
    let lambda = |runtime: Runtime| LambdaProps {
        runtime,
        ..Default::default()
    };
    add(&mut d, "users", "Users", Props::Client(Default::default()));
    add(&mut d, "edge", "Edge ALB", Props::Alb(Default::default()));
    add(
        &mut d,
        "tcp",
        "Internal NLB",
        Props::Nlb(LoadBalancerProps {
            scheme: Scheme::Internal,
            listeners: vec![Listener {
                port: 9000,
                protocol: ListenerProtocol::Tcp,
            }],
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "web",
        "Web fn",
        Props::LambdaFunction(lambda(Runtime::Python)),
    );
    add(
        &mut d,
        "http",
        "Public HTTP API",
        Props::ApiGateway(ApiGatewayProps {
            api_type: ApiType::Http,
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "admin",
        "Admin API",
        Props::ApiGateway(ApiGatewayProps {
            tracing: true,
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "pool",
        "Admins",
        Props::Cognito(CognitoProps {
            mfa: MfaMode::Optional,
            self_sign_up: false,
            ..CognitoProps::default()
        }),
    );
    add(
        &mut d,
        "http-fn",
        "Http fn",
        Props::LambdaFunction(lambda(Runtime::Go)),
    );
    add(
        &mut d,
        "admin-fn",
        "Admin fn",
        Props::LambdaFunction(LambdaProps {
            runtime: Runtime::Java,
            snap_start: true,
            tracing: true,
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "topic",
        "Events topic",
        Props::SnsTopic(Default::default()),
    );
    add(
        &mut d,
        "fanout",
        "Fanout queue",
        Props::SqsQueue(Default::default()),
    );
    add(
        &mut d,
        "notify",
        "Notify fn",
        Props::LambdaFunction(LambdaProps {
            max_retry_attempts: 0,
            max_event_age_s: 600,
            reserved_concurrency: Some(5),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "cron",
        "Nightly",
        Props::EventBridgeRule(EventBridgeRuleProps {
            schedule: "cron(0 3 * * ? *)".into(),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "orders-rule",
        "Order placed",
        Props::EventBridgeRule(EventBridgeRuleProps {
            schedule: String::new(),
            event_pattern: r#"{"source": ["shop.orders"]}"#.into(),
            event_bus: "default".into(),
        }),
    );
    add(
        &mut d,
        "shop-bus",
        "Shop bus",
        Props::EventBus(EventBusProps {
            archive: Some(EventArchive { retention_days: 7 }),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "ledger-pipe",
        "Ledger pipe",
        Props::EventBridgePipe(PipeProps {
            filter_patterns: vec![r#"{"eventName": ["INSERT"]}"#.into()],
            matching_share: 0.5,
            max_retry_attempts: Some(3),
            input_template: String::new(),
        }),
    );
    add(
        &mut d,
        "cron-fn",
        "Cron fn",
        Props::LambdaFunction(lambda(Runtime::Rust)),
    );
    add(
        &mut d,
        "clicks",
        "Clicks stream",
        Props::KinesisStream(Default::default()),
    );
    add(
        &mut d,
        "ledger",
        "Ledger",
        Props::DynamoDbTable(DynamoDbTableProps {
            sort_key: "sk".into(),
            billing: DynamoDbBilling::Provisioned,
            stream: Some(StreamView::NewImage),
            read_scaling: Some(CapacityScaling {
                min_capacity: 5,
                max_capacity: 500,
                target_utilization_pct: 70.0,
            }),
            write_scaling: Some(CapacityScaling {
                min_capacity: 5,
                max_capacity: 200,
                target_utilization_pct: 50.0,
            }),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "stream-fn",
        "Stream fn",
        Props::LambdaFunction(LambdaProps {
            packaging: Packaging::Image,
            architecture: Architecture::Arm64,
            provisioned_concurrency: 2,
            ephemeral_storage_mb: 1024,
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "inbox",
        "Inbox",
        Props::S3Bucket(S3BucketProps {
            versioning: true,
            prefix: "incoming/".into(),
            suffix: ".csv".into(),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "upload-fn",
        "Upload fn",
        Props::LambdaFunction(lambda(Runtime::Nodejs)),
    );
    add(
        &mut d,
        "cluster",
        "Core",
        Props::EcsCluster(Default::default()),
    );
    add(
        &mut d,
        "fargate",
        "Fargate",
        Props::Fargate(Default::default()),
    );
    add(
        &mut d,
        "api-svc",
        "Api svc",
        Props::EcsService(EcsServiceProps {
            autoscaling: Some(ServiceAutoScaling {
                target_tracking: vec![
                    TargetTrackingPolicy {
                        metric: ScalingMetric::CpuUtilization,
                        target: 60.0,
                        scale_out_cooldown_s: 60,
                        scale_in_cooldown_s: 300,
                    },
                    TargetTrackingPolicy {
                        metric: ScalingMetric::AlbRequestCountPerTarget,
                        target: 500.0,
                        scale_out_cooldown_s: 60,
                        scale_in_cooldown_s: 300,
                    },
                ],
                step: vec![StepScalingPolicy {
                    metric: ScalingMetric::MemoryUtilization,
                    alarm_threshold: 80.0,
                    steps: vec![StepAdjustment {
                        lower_bound: 0.0,
                        adjustment: 2,
                    }],
                    cooldown_s: 120,
                }],
            }),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "api-task",
        "api task",
        Props::TaskDefinition(Default::default()),
    );
    add(
        &mut d,
        "repo",
        "api repo",
        Props::EcrRepository(Default::default()),
    );
    add(
        &mut d,
        "param",
        "Feature flags",
        Props::Generic(GenericProps {
            resource_type: "AWS::SSM::Parameter".into(),
            properties: serde_json::json!({"Type": "String", "Value": "on"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        }),
    );

    add(
        &mut d,
        "aurora",
        "Orders DB",
        Props::AuroraServerless(Default::default()),
    );
    add(
        &mut d,
        "legacy",
        "Legacy DB",
        Props::Rds(Default::default()),
    );
    add(
        &mut d,
        "delivery",
        "Click delivery",
        Props::Firehose(Default::default()),
    );
    add(
        &mut d,
        "archive",
        "Archive",
        Props::S3Bucket(Default::default()),
    );
    add(
        &mut d,
        "cdn",
        "Site CDN",
        Props::CloudFront(Default::default()),
    );
    add(
        &mut d,
        "legacy-lb",
        "Legacy LB",
        Props::Clb(Default::default()),
    );
    add(
        &mut d,
        "box",
        "Report box",
        Props::Ec2Instance(Default::default()),
    );

    let mut n = 0;
    let mut link = |d: &mut Design, from: &str, to: &str, kind: ConnectionKind| {
        n += 1;
        apply_op(
            d,
            Op::Connect {
                connection: Connection::new(format!("c{n:02}"), from, to, kind),
            },
        )
        .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
    };
    let route = |priority: Option<u32>, paths: &[&str], port: Option<u16>| ConnectionKind::Route {
        priority,
        conditions: if paths.is_empty() {
            Vec::new()
        } else {
            vec![RuleCondition::path(paths)]
        },
        weight: 1,
        target_port: port,
        listener_port: 80,
    };
    link(&mut d, "users", "edge", Meaning::InvokeSync.default_kind());
    link(
        &mut d,
        "users",
        "cron-fn",
        Meaning::InvokeSync.default_kind(),
    );
    link(&mut d, "edge", "web", route(Some(5), &["/web/*"], None));
    link(
        &mut d,
        "edge",
        "api-svc",
        route(Some(10), &["/api/*"], Some(8080)),
    );
    // Second rules to the same targets share their target groups.
    link(
        &mut d,
        "edge",
        "api-svc",
        route(Some(11), &["/v2/api/*"], Some(8080)),
    );
    link(&mut d, "edge", "web", route(Some(6), &["/web2/*"], None));
    link(
        &mut d,
        "tcp",
        "api-svc",
        ConnectionKind::Route {
            priority: None,
            conditions: Vec::new(),
            weight: 1,
            target_port: Some(8080),
            listener_port: 9000,
        },
    );
    link(&mut d, "users", "http", Meaning::InvokeSync.default_kind());
    link(
        &mut d,
        "http",
        "http-fn",
        Meaning::InvokeSync.default_kind(),
    );
    link(
        &mut d,
        "admin",
        "admin-fn",
        Meaning::InvokeSync.default_kind(),
    );
    link(
        &mut d,
        "admin",
        "http-fn",
        Meaning::InvokeSync.default_kind(),
    );
    link(&mut d, "pool", "admin", ConnectionKind::Authorizes);
    link(&mut d, "pool", "http", ConnectionKind::Authorizes);
    // Both APIs also send straight to a queue (AWS service integrations).
    link(&mut d, "admin", "fanout", ConnectionKind::Publishes);
    link(&mut d, "http", "fanout", ConnectionKind::Publishes);
    // The REST API publishes to a topic; both put records on a stream.
    link(&mut d, "admin", "topic", ConnectionKind::Publishes);
    link(&mut d, "admin", "clicks", ConnectionKind::Publishes);
    link(&mut d, "http", "clicks", ConnectionKind::Publishes);
    // The HTTP API also reaches the ALB through a VPC link, the REST API
    // the NLB.
    link(&mut d, "http", "edge", Meaning::InvokeSync.default_kind());
    link(&mut d, "admin", "tcp", Meaning::InvokeSync.default_kind());
    link(
        &mut d,
        "topic",
        "notify",
        Meaning::InvokeAsync.default_kind(),
    );
    link(&mut d, "topic", "fanout", ConnectionKind::Publishes);
    // The topic's subscriptions filter: the function on the message's
    // attributes, the queue on its body.
    for (to, filter) in [
        (
            "notify",
            serde_json::json!({"policy": {"event": ["order_placed", {"prefix": "refund_"}], "amount": [{"numeric": [">=", 100]}]}}),
        ),
        (
            "fanout",
            serde_json::json!({"policy": {"order": {"region": [{"anything-but": ["test"]}]}}, "scope": "MessageBody"}),
        ),
    ] {
        let id = d
            .connections()
            .find(|c| c.from == "topic" && c.to == to)
            .map(|c| c.id.clone())
            .unwrap_or_else(|| panic!("topic -> {to}"));
        apply_op(
            &mut d,
            Op::SetProperty {
                id,
                path: "filter_policy".into(),
                value: filter,
            },
        )
        .unwrap_or_else(|e| panic!("topic -> {to}: {e}"));
    }
    link(&mut d, "admin-fn", "topic", ConnectionKind::Publishes);
    // Failed async events: to an on-failure destination function (with
    // the function's own async settings), and to a dead-letter topic.
    link(&mut d, "notify", "cron-fn", ConnectionKind::DeadLetter);
    link(&mut d, "cron-fn", "topic", ConnectionKind::DeadLetter);
    link(
        &mut d,
        "cron",
        "cron-fn",
        Meaning::InvokeAsync.default_kind(),
    );
    link(
        &mut d,
        "orders-rule",
        "cron-fn",
        Meaning::InvokeAsync.default_kind(),
    );
    link(&mut d, "orders-rule", "fanout", ConnectionKind::Publishes);
    link(
        &mut d,
        "clicks",
        "stream-fn",
        ConnectionKind::Poll {
            batch_size: 500,
            batching_window_s: 5,
            parallelization_factor: 2,
            max_concurrency: None,
            starting_position: StartingPosition::TrimHorizon,
        },
    );
    link(&mut d, "ledger", "stream-fn", Meaning::Poll.default_kind());
    link(
        &mut d,
        "fanout",
        "notify",
        ConnectionKind::Poll {
            batch_size: 10,
            batching_window_s: 0,
            parallelization_factor: 1,
            max_concurrency: Some(5),
            starting_position: StartingPosition::Latest,
        },
    );
    link(
        &mut d,
        "inbox",
        "upload-fn",
        Meaning::InvokeAsync.default_kind(),
    );
    link(
        &mut d,
        "upload-fn",
        "inbox",
        ConnectionKind::Uses {
            access: Access::Read,
        },
    );
    link(&mut d, "upload-fn", "clicks", ConnectionKind::Publishes);
    link(
        &mut d,
        "upload-fn",
        "ledger",
        ConnectionKind::Uses {
            access: Access::Write,
        },
    );
    link(
        &mut d,
        "http-fn",
        "ledger",
        ConnectionKind::Uses {
            access: Access::Read,
        },
    );
    link(
        &mut d,
        "notify",
        "upload-fn",
        Meaning::InvokeSync.default_kind(),
    );
    add(
        &mut d,
        "payment-key",
        "Payment key",
        Props::Secret(SecretProps {
            description: "Key of the payment provider's API".into(),
            ..Default::default()
        }),
    );
    let read = ConnectionKind::Uses {
        access: Access::Read,
    };
    add(
        &mut d,
        "ddb-endpoint",
        "DynamoDB endpoint",
        Props::VpcEndpoint(VpcEndpointProps {
            service: "dynamodb".into(),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "secrets-endpoint",
        "Secrets endpoint",
        Props::VpcEndpoint(VpcEndpointProps {
            service: "secretsmanager".into(),
            endpoint_type: EndpointType::Interface,
            ..Default::default()
        }),
    );
    link(&mut d, "web", "payment-key", read.clone());
    link(&mut d, "api-svc", "payment-key", read);
    link(&mut d, "api-svc", "api-task", ConnectionKind::RunsTask);
    link(
        &mut d,
        "api-svc",
        "fargate",
        ConnectionKind::RunsOn { weight: 1, base: 0 },
    );
    link(
        &mut d,
        "api-svc",
        "ledger",
        ConnectionKind::Uses {
            access: Access::ReadWrite,
        },
    );
    link(&mut d, "api-task", "repo", ConnectionKind::PullsImage);
    link(
        &mut d,
        "http-fn",
        "aurora",
        ConnectionKind::Uses {
            access: Access::ReadWrite,
        },
    );
    link(
        &mut d,
        "api-svc",
        "legacy",
        ConnectionKind::Uses {
            access: Access::Read,
        },
    );
    link(&mut d, "upload-fn", "delivery", ConnectionKind::Publishes);
    link(&mut d, "delivery", "archive", ConnectionKind::Publishes);
    link(
        &mut d,
        "delivery",
        "cron-fn",
        Meaning::InvokeSync.default_kind(),
    );
    link(&mut d, "users", "cdn", Meaning::InvokeSync.default_kind());
    link(&mut d, "cdn", "archive", route(None, &[], None));
    link(&mut d, "cdn", "edge", route(None, &["/app/*"], None));
    link(&mut d, "cdn", "admin", route(None, &["/admin/*"], None));
    link(
        &mut d,
        "users",
        "legacy-lb",
        Meaning::InvokeSync.default_kind(),
    );
    link(&mut d, "legacy-lb", "box", route(None, &[], None));
    link(
        &mut d,
        "edge",
        "box",
        route(Some(30), &["/reports/*"], Some(8080)),
    );
    // One rule forwarding to two target groups by weight (9 to 1).
    for (to, weight) in [("api-svc", 9), ("box", 1)] {
        let ConnectionKind::Route {
            priority,
            conditions,
            target_port,
            listener_port,
            ..
        } = route(Some(40), &["/canary/*"], Some(8080))
        else {
            unreachable!()
        };
        link(
            &mut d,
            "edge",
            to,
            ConnectionKind::Route {
                priority,
                conditions,
                weight,
                target_port,
                listener_port,
            },
        );
    }
    link(
        &mut d,
        "box",
        "archive",
        ConnectionKind::Uses {
            access: Access::Read,
        },
    );
    // A custom bus: a function and a pipe put events on it, the order
    // rule matches them. The pipe reads the ledger's stream, enriches each
    // batch with a function, and sends failed batches to a queue.
    link(&mut d, "admin-fn", "shop-bus", ConnectionKind::Publishes);
    link(&mut d, "shop-bus", "orders-rule", ConnectionKind::Publishes);
    link(
        &mut d,
        "ledger",
        "ledger-pipe",
        ConnectionKind::Poll {
            batch_size: 50,
            batching_window_s: 2,
            parallelization_factor: 1,
            max_concurrency: None,
            starting_position: StartingPosition::TrimHorizon,
        },
    );
    link(
        &mut d,
        "ledger-pipe",
        "web",
        ConnectionKind::Uses {
            access: Access::Read,
        },
    );
    link(&mut d, "ledger-pipe", "shop-bus", ConnectionKind::Publishes);
    link(&mut d, "ledger-pipe", "fanout", ConnectionKind::DeadLetter);
    apply_op(
        &mut d,
        Op::CreateGroup {
            group: Group {
                id: "core-group".into(),
                name: "Core".into(),
                kind: GroupKind::EcsCluster,
                owner: Some("cluster".into()),
                members: ["api-svc", "fargate"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            },
        },
    )
    .unwrap_or_else(|e| panic!("group: {e}"));
    // A deployment with a custom configuration, alarms of each kind and
    // both hooks; one with a predefined configuration.
    for (id, deployment) in [
        (
            "web",
            serde_json::json!({"alias": "prod", "preference": {
                "shift": {"type": "linear", "percent": 20, "interval_min": 2},
                "alarms": [
                    {"metric": "errors", "period_s": 60, "evaluation_periods": 2, "threshold": 5.0, "comparison": "GreaterThanOrEqualToThreshold"},
                    {"metric": "throttles", "period_s": 300, "evaluation_periods": 1, "threshold": 0.0, "comparison": "GreaterThanThreshold"},
                    {"metric": "error_rate", "period_s": 60, "evaluation_periods": 1, "threshold": 2.5, "comparison": "GreaterThanThreshold"},
                    {"metric": "p99_duration", "period_s": 60, "evaluation_periods": 3, "threshold": 1500.0, "comparison": "GreaterThanThreshold"}
                ],
                "pre_traffic_hook": "cron-fn",
                "post_traffic_hook": "http-fn"}}),
        ),
        (
            "http-fn",
            serde_json::json!({"alias": "live", "preference": {
                "shift": {"type": "canary", "percent": 10, "interval_min": 30}, "alarms": []}}),
        ),
    ] {
        apply_op(
            &mut d,
            Op::SetProperty {
                id: id.into(),
                path: "deployment".into(),
                value: deployment,
            },
        )
        .unwrap_or_else(|e| panic!("{id} deployment: {e}"));
    }
    // The service deploys blue/green through CodeDeploy, with a custom
    // configuration and a test listener.
    apply_op(
        &mut d,
        Op::SetProperty {
            id: "api-svc".into(),
            path: "deployment_controller".into(),
            value: serde_json::json!({"type": "code_deploy",
                "traffic_shift": {"type": "linear", "percent": 20, "interval_min": 2},
                "termination_wait_min": 10, "test_listener_port": 8443}),
        },
    )
    .unwrap_or_else(|e| panic!("api-svc deployment controller: {e}"));
    // An order workflow started by the orders rule: a function, a
    // table's write, a queue and a topic from its Task states, with a
    // Choice, a Map, a Parallel, a Wait, Retry and Catch.
    add(
        &mut d,
        "orders-flow",
        "Orders Flow",
        Props::StepFunctions(StepFunctionsProps {
            definition: serde_json::json!({"StartAt": "Price", "States": {
                "Price": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "${PriceFunction}", "Payload.$": "$"},
                    "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"],
                        "IntervalSeconds": 2, "BackoffRate": 2.0, "MaxAttempts": 3}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                    "Next": "Large"},
                "Large": {"Type": "Choice",
                    "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Hold"}],
                    "Default": "Lines"},
                "Hold": {"Type": "Wait", "Seconds": 60, "Next": "Lines"},
                "Lines": {"Type": "Map", "MaxConcurrency": 5, "ItemsPath": "$.lines",
                    "ItemProcessor": {"StartAt": "Record", "States": {
                        "Record": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                            "Parameters": {"TableName": "${Ledger}", "Item": {"pk": {"S.$": "$.id"}}},
                            "End": true}}},
                    "Next": "Tell"},
                "Tell": {"Type": "Parallel", "Branches": [
                    {"StartAt": "Queue", "States": {"Queue": {"Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage",
                        "Parameters": {"QueueUrl": "${Fanout}", "MessageBody.$": "$"}, "End": true}}},
                    {"StartAt": "Notify", "States": {"Notify": {"Type": "Task",
                        "Resource": "arn:aws:states:::sns:publish",
                        "Parameters": {"TopicArn": "${Topic}", "Message.$": "$"}, "End": true}}}],
                    "End": true},
                "Failed": {"Type": "Fail", "Error": "PricingFailed"}}}),
            substitutions: [
                ("PriceFunction", "cron-fn"),
                ("Ledger", "ledger"),
                ("Fanout", "fanout"),
                ("Topic", "topic"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            map_items: [("Lines".to_string(), 3)].into_iter().collect(),
            ..Default::default()
        }),
    );
    for (from, to, kind) in [
        (
            "orders-rule",
            "orders-flow",
            Meaning::InvokeAsync.default_kind(),
        ),
        ("orders-flow", "cron-fn", Meaning::InvokeSync.default_kind()),
        (
            "orders-flow",
            "ledger",
            ConnectionKind::Uses {
                access: Access::Write,
            },
        ),
        ("orders-flow", "fanout", ConnectionKind::Publishes),
        ("orders-flow", "topic", ConnectionKind::Publishes),
    ] {
        link(&mut d, from, to, kind);
    }
    // Lambda authorizers: a REST API's TOKEN authorizer on its own header,
    // an HTTP API's REQUEST authorizer with simple responses.
    add(
        &mut d,
        "partner",
        "Partner API",
        Props::ApiGateway(ApiGatewayProps {
            lambda_authorizer: LambdaAuthorizer {
                identity_header: "X-Partner-Token".into(),
                result_ttl_s: 120,
                ..Default::default()
            },
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "partner-auth",
        "Partner authorizer",
        Props::LambdaFunction(lambda(Runtime::Python)),
    );
    add(
        &mut d,
        "mobile",
        "Mobile HTTP API",
        Props::ApiGateway(ApiGatewayProps {
            api_type: ApiType::Http,
            lambda_authorizer: LambdaAuthorizer {
                payload: AuthorizerPayload::Request,
                result_ttl_s: 60,
                simple_responses: true,
                ..Default::default()
            },
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "mobile-auth",
        "Mobile authorizer",
        Props::LambdaFunction(lambda(Runtime::Nodejs)),
    );
    link(
        &mut d,
        "users",
        "partner",
        Meaning::InvokeSync.default_kind(),
    );
    link(
        &mut d,
        "users",
        "mobile",
        Meaning::InvokeSync.default_kind(),
    );
    link(&mut d, "partner", "web", Meaning::InvokeSync.default_kind());
    link(
        &mut d,
        "mobile",
        "http-fn",
        Meaning::InvokeSync.default_kind(),
    );
    link(
        &mut d,
        "partner-auth",
        "partner",
        ConnectionKind::Authorizes,
    );
    link(&mut d, "mobile-auth", "mobile", ConnectionKind::Authorizes);
    // A REST API's REQUEST authorizer that caches nothing: the partner
    // authorizer guards its webhooks too.
    add(
        &mut d,
        "hooks",
        "Webhook API",
        Props::ApiGateway(ApiGatewayProps {
            lambda_authorizer: LambdaAuthorizer {
                payload: AuthorizerPayload::Request,
                result_ttl_s: 0,
                ..Default::default()
            },
            ..Default::default()
        }),
    );
    link(&mut d, "users", "hooks", Meaning::InvokeSync.default_kind());
    link(&mut d, "hooks", "web", Meaning::InvokeSync.default_kind());
    link(&mut d, "partner-auth", "hooks", ConnectionKind::Authorizes);
    assert!(d.components().any(|c| c.kind() == K::Generic));
    d
}

/// One component of every kind, with the kind's default properties and no
/// connections (as the simulator's coverage test builds it), but for the
/// kinds export refuses alone (ECS services and capacity, EKS node groups,
/// Fargate profiles and workloads outside a cluster): the
/// examples and the kitchen sink scan those where they belong.
pub fn every_kind() -> archsim_model::Design {
    use archsim_model::{Component, ComponentKind, Editor, Op, Props};
    const REFUSED_ALONE: &[ComponentKind] = &[
        ComponentKind::EcsService,
        ComponentKind::Ec2AutoScalingGroup,
        ComponentKind::EksNodeGroup,
        ComponentKind::EksFargateProfile,
        ComponentKind::EksWorkload,
    ];
    let mut e = Editor::default();
    for (i, &kind) in ComponentKind::ALL.iter().enumerate() {
        if REFUSED_ALONE.contains(&kind) {
            continue;
        }
        let id = format!("{i:02}-{}", kind.slug());
        e.apply(Op::AddComponent {
            component: Component::new(&id, &id, kind).with(Props::default_for(kind)),
        })
        .unwrap_or_else(|err| panic!("add {id}: {err}"));
    }
    e.into_design()
}

/// checkov (IaC security scanner) in `.venv`, or why it is not run:
/// `Err(reason)` when it is missing and nothing requires it. scripts/test.sh
/// installs it and sets `ARCHSIM_REQUIRE_CHECKOV=1`, as CI (`CI` set) does,
/// so there a missing checkov fails instead.
pub fn checkov() -> Result<PathBuf, String> {
    let path = repo_root().join(".venv/bin/checkov");
    if path.exists() {
        return Ok(path);
    }
    let required = std::env::var("ARCHSIM_REQUIRE_CHECKOV").as_deref() == Ok("1")
        || std::env::var_os("CI").is_some();
    assert!(
        !required,
        "{} is missing. Install it with:\n  .venv/bin/pip install checkov\n(scripts/test.sh does it)",
        path.display()
    );
    Err(format!(
        "{} is missing (install it with `.venv/bin/pip install checkov`, or run scripts/test.sh)",
        path.display()
    ))
}

/// One check checkov ran on one resource.
#[derive(Debug, Clone)]
pub struct CheckovFinding {
    pub check: String,
    pub name: String,
    pub resource: String,
    pub file: String,
    /// The reason a skipped check gave (skips only).
    pub reason: String,
}

/// What checkov reported over a directory of templates.
#[derive(Debug, Default)]
pub struct CheckovReport {
    pub passed: usize,
    pub failed: Vec<CheckovFinding>,
    pub skipped: Vec<CheckovFinding>,
    pub parsing_errors: usize,
}

/// Writes each stack of a layered export into `dir` under its file name;
/// the files, in the stacks' order.
pub fn write_stacks(dir: &Path, stacks: &[archsim_iac::StackExport]) -> Vec<PathBuf> {
    stacks
        .iter()
        .map(|s| {
            let p = dir.join(&s.file);
            std::fs::write(&p, &s.exported.template).unwrap_or_else(|e| panic!("{e}"));
            p
        })
        .collect()
}

/// A design named `name` of `components` (id, name, settings) joined by
/// `links` (from, to, kind), the connections named `c0`, `c1`, ...
pub fn design_of(
    name: &str,
    components: Vec<(&str, &str, archsim_model::component::Props)>,
    links: Vec<(&str, &str, archsim_model::ConnectionKind)>,
) -> Design {
    use archsim_model::edit::apply_op;
    use archsim_model::{Component, Connection, Op};
    let mut d = Design::new(name);
    for (id, name, props) in components {
        let component = Component::new(id, name, props.kind()).with(props);
        apply_op(&mut d, Op::AddComponent { component }).unwrap_or_else(|e| panic!("{e}"));
    }
    for (i, (from, to, kind)) in links.into_iter().enumerate() {
        let connection = Connection::new(format!("c{i}"), from, to, kind);
        apply_op(&mut d, Op::Connect { connection }).unwrap_or_else(|e| panic!("{e}"));
    }
    d
}

/// Transforms the SAM templates of `sam` (source, output) and lints them
/// with the CloudFormation templates `files`: the test fails on a
/// transform error or any cfn-lint error.
pub fn assert_templates_lint_clean(sam: &[(PathBuf, PathBuf)], files: &[PathBuf]) {
    sam_translate(sam).unwrap_or_else(|e| panic!("SAM transform failed: {e}"));
    let mut all = files.to_vec();
    all.extend(sam.iter().map(|(_, out)| out.clone()));
    let errors = cfn_lint_errors(&all);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// checkov over every template in `dir` (`what` names them): every
/// template parsed, some check run, none failed, and every skip carries
/// its reason. `None`, said on standard error, where checkov is missing.
pub fn assert_checkov_clean(dir: &Path, what: &str) -> Option<CheckovReport> {
    let checkov = match checkov() {
        Ok(path) => path,
        Err(why) => {
            eprintln!("checkov skipped: {why}");
            return None;
        }
    };
    let report = checkov_scan(&checkov, dir);
    eprintln!(
        "checkov on {what}: {} passed, {} failed, {} skipped",
        report.passed,
        report.failed.len(),
        report.skipped.len()
    );
    assert_eq!(
        report.parsing_errors, 0,
        "checkov could not parse a template"
    );
    assert!(report.passed > 0, "checkov ran no check");
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|f| format!("{} {} ({}) {}", f.file, f.resource, f.check, f.name))
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed checks:\n{}",
        failed.len(),
        failed.join("\n")
    );
    let unexplained: Vec<String> = report
        .skipped
        .iter()
        .filter(|f| f.reason.trim().is_empty() || f.reason.contains("No comment provided"))
        .map(|f| format!("{} {} ({})", f.file, f.resource, f.check))
        .collect();
    assert!(
        unexplained.is_empty(),
        "skips without a reason:\n{}",
        unexplained.join("\n")
    );
    Some(report)
}

/// Runs checkov once over every template in `dir` (CloudFormation
/// framework: plain and transformed SAM templates alike).
pub fn checkov_scan(checkov: &Path, dir: &Path) -> CheckovReport {
    let out = Command::new(checkov)
        .args(["--directory"])
        .arg(dir)
        .args([
            "--framework",
            "cloudformation",
            "--output",
            "json",
            "--compact",
            "--skip-download",
        ])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .expect("checkov runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "checkov's output is not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let reports = match value {
        serde_json::Value::Array(a) => a,
        other => vec![other],
    };
    let finding = |f: &serde_json::Value| CheckovFinding {
        check: f["check_id"].as_str().unwrap_or_default().into(),
        name: f["check_name"].as_str().unwrap_or_default().into(),
        resource: f["resource"].as_str().unwrap_or_default().into(),
        file: f["file_path"].as_str().unwrap_or_default().into(),
        reason: f["check_result"]["suppress_comment"]
            .as_str()
            .unwrap_or_default()
            .into(),
    };
    let mut report = CheckovReport::default();
    for r in &reports {
        let results = &r["results"];
        report.passed += r["summary"]["passed"].as_u64().unwrap_or(0) as usize;
        for f in results["failed_checks"].as_array().into_iter().flatten() {
            report.failed.push(finding(f));
        }
        for f in results["skipped_checks"].as_array().into_iter().flatten() {
            report.skipped.push(finding(f));
        }
        report.parsing_errors += r["summary"]["parsing_errors"].as_u64().unwrap_or(0) as usize;
    }
    report
}

/// The corpus's `templates` folder: `$ARCHSIM_SHARED_DIR/templates`, by
/// default `../shared/templates` beside the repository.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("ARCHSIM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"))
        .join("templates")
}

/// The corpus folder when it is there; when it is not, one line on
/// standard error saying what `test` skips and why.
pub fn corpus(test: &str, skipped: &str) -> Option<PathBuf> {
    let dir = corpus_dir();
    if dir.is_dir() {
        return Some(dir);
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "{test}: skipped {skipped}: {} is not there (the shared template corpus is not part \
         of the repository; set ARCHSIM_SHARED_DIR to the folder that holds templates/ to run it)",
        dir.display()
    );
    None
}

/// Imports `file` of the corpus's `serverless-patterns` folder.
pub fn pattern(dir: &Path, file: &str) -> archsim_iac::Imported {
    archsim_iac::import_file(&dir.join("serverless-patterns").join(file))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Each connection of `d` as `from -meaning-> to` (`uses_read` for a use).
pub fn edges(d: &Design) -> BTreeSet<String> {
    use archsim_model::ConnectionKind;
    d.connections()
        .map(|c| {
            let snake = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
            let meaning = match &c.kind {
                ConnectionKind::Uses { access } => {
                    format!("uses_{}", snake(serde_json::json!(access)))
                }
                k => snake(serde_json::json!(k.meaning())),
            };
            format!("{} -{meaning}-> {}", c.from, c.to)
        })
        .collect()
}

/// Asserts `d` draws exactly `want`, naming what is missing and what is
/// not expected.
pub fn assert_draws(d: &Design, want: &BTreeSet<String>) {
    let got = edges(d);
    assert_eq!(
        &got,
        want,
        "missing {:?}, not expected {:?}",
        want.difference(&got).collect::<Vec<_>>(),
        got.difference(want).collect::<Vec<_>>()
    );
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Imports `text`, exports it as CloudFormation in YAML and in JSON, and
/// asserts each export parses to the template as written and that export
/// -> import -> export gives the same text again (and the same number of
/// connections). Returns the import.
pub fn assert_round_trips_as_written(text: &str, name: &str) -> archsim_iac::Imported {
    use archsim_iac::{ExportOptions, Flavour, Syntax};
    let original = archsim_iac::template::parse(text, name).unwrap().value;
    let imported = archsim_iac::import(text, name).unwrap();
    for syntax in [Syntax::Yaml, Syntax::Json] {
        let opts = ExportOptions {
            flavour: Flavour::CloudFormation,
            syntax,
            ..Default::default()
        };
        let first = archsim_iac::export(&imported.design, &opts)
            .unwrap()
            .template;
        let back = archsim_iac::template::parse(&first, "exported")
            .unwrap()
            .value;
        assert_eq!(back, original, "{name} {syntax:?}");
        let again = archsim_iac::import(&first, "exported").unwrap();
        assert_eq!(
            again.design.connections().count(),
            imported.design.connections().count(),
            "{name} {syntax:?}"
        );
        let second = archsim_iac::export(&again.design, &opts).unwrap().template;
        assert_eq!(second, first, "{name} {syntax:?}");
    }
    imported
}
