//! Every validation rule, triggered by one realistic mistake made on a
//! clean starter design. A test also checks that no rule goes untested.

use std::collections::BTreeSet;

use archsim_model::file::{DesignFile, parse_str};
use archsim_model::starters::starter;
use archsim_model::validate::{RULES, Severity, rule};
use archsim_model::{
    Component, ComponentKind as K, Connection, Design, Editor, Meaning, Op, validate,
};
use serde_json::{Value, json};

fn set(id: &str, path: &str, value: Value) -> Op {
    Op::SetProperty {
        id: id.into(),
        path: path.into(),
        value,
    }
}

fn add(id: &str, kind: K) -> Op {
    Op::AddComponent {
        component: Component::new(id, id, kind),
    }
}

fn connect(from: &str, to: &str, meaning: Meaning) -> Op {
    Op::Connect {
        connection: Connection::new(format!("{from}->{to}"), from, to, meaning.default_kind()),
    }
}

fn disconnect(id: &str) -> Op {
    Op::Disconnect { id: id.into() }
}

fn group(group: &str, member: &str) -> Op {
    Op::AddToGroup {
        group: group.into(),
        member: member.into(),
    }
}

/// A new ECS cluster `owner` (added before) with its group holding
/// `member`.
fn ecs_cluster_group(owner: &str, member: &str) -> Op {
    Op::CreateGroup {
        group: archsim_model::Group {
            id: format!("{owner}-group"),
            name: owner.into(),
            kind: archsim_model::GroupKind::EcsCluster,
            owner: Some(owner.into()),
            members: [member.to_string()].into(),
        },
    }
}

fn ungroup(group: &str, member: &str) -> Op {
    Op::RemoveFromGroup {
        group: group.into(),
        member: member.into(),
    }
}

fn edited(name: &str, ops: Vec<Op>) -> Design {
    let design = starter(name).unwrap().build().unwrap();
    assert!(
        validate(&design)
            .iter()
            .all(|p| p.code == "PRODUCTION_ALB_NO_CERTIFICATE"),
        "{name} should start clean (but for its public load balancers' certificates)"
    );
    let mut editor = Editor::new(design);
    for op in ops {
        editor
            .apply(op.clone())
            .unwrap_or_else(|e| panic!("{op:?}: {e}"));
    }
    editor.into_design()
}

/// The serverless API with an order workflow beside it: a Standard state
/// machine whose one Task invokes the orders function, then `ops`.
fn workflow(ops: Vec<Op>) -> Design {
    let mut all = vec![
        add("workflow", K::StepFunctions),
        connect("api", "workflow", Meaning::InvokeAsync),
        connect("workflow", "orders-fn", Meaning::InvokeSync),
        set(
            "workflow",
            "substitutions",
            json!({"OrdersFn": "orders-fn"}),
        ),
        set(
            "workflow",
            "definition",
            json!({"StartAt": "Charge", "States": {
                "Charge": {"Type": "Task", "Resource": "${OrdersFn}", "End": true}}}),
        ),
    ];
    all.extend(ops);
    edited("serverless-api", all)
}

/// Designs edits cannot produce (edits refuse them) but files can hold.
fn from_file(name: &str, change: impl FnOnce(&mut DesignFile)) -> Design {
    let design = starter(name).unwrap().build().unwrap();
    let mut file = DesignFile::from(&design);
    change(&mut file);
    parse_str(&serde_json::to_string(&file).unwrap(), "t.archsim.json").unwrap()
}

/// The image pipeline's uploader also publishes to a topic, whose
/// subscription (a function, `audit`) has the filter `filter`.
fn subscribed(filter: Value) -> Design {
    edited(
        "s3-image-pipeline",
        vec![
            add("events", K::SnsTopic),
            add("audit", K::LambdaFunction),
            connect("uploader", "events", Meaning::Publishes),
            connect("events", "audit", Meaning::InvokeAsync),
            set("events->audit", "filter_policy", filter),
        ],
    )
}

#[test]
fn a_scenario_whose_messages_carry_the_attribute_passes_the_filter() {
    let codes = |d: &Design| -> Vec<&'static str> { validate(d).iter().map(|p| p.code).collect() };
    let design = subscribed(json!({"policy": {"kind": ["order"]}}));
    assert!(codes(&design).contains(&"SNS_FILTER_NEVER_PASSES"));
    let mut file = DesignFile::from(&design);
    file.scenarios[0].traffic[0]
        .request
        .message_attributes
        .insert(
            "kind".into(),
            archsim_model::filter_policy::AttributeValue::String("order".into()),
        );
    let design = parse_str(&serde_json::to_string(&file).unwrap(), "t.archsim.json").unwrap();
    let codes = codes(&design);
    assert!(!codes.contains(&"SNS_FILTER_NEVER_PASSES"), "{codes:?}");
    assert!(!codes.contains(&"SNS_FILTER_POLICY_INVALID"), "{codes:?}");
}

#[test]
fn only_a_topics_subscriptions_take_a_filter_policy() {
    let mut editor = Editor::new(starter("s3-image-pipeline").unwrap().build().unwrap());
    let refused = editor.apply(set(
        "uploads--resize",
        "filter_policy",
        json!({"policy": {"kind": ["order"]}}),
    ));
    assert!(refused.unwrap_err().to_string().contains("SNS"));
    // A file may hold one: validation names it.
    let design = from_file("s3-image-pipeline", |f| {
        let c = f
            .connections
            .iter_mut()
            .find(|c| c.id == "uploads--resize")
            .unwrap();
        c.filter_policy = Some(archsim_model::filter_policy::SubscriptionFilter::new(
            json!({"kind": ["order"]}),
            Default::default(),
        ));
    });
    let p = validate(&design);
    let p = p
        .iter()
        .find(|p| p.code == "SNS_FILTER_POLICY_INVALID")
        .unwrap();
    assert!(
        p.message.contains("only an SNS topic's subscriptions"),
        "{}",
        p.message
    );
}

struct Case {
    code: &'static str,
    design: Design,
    /// A component the problem must name.
    involves: &'static str,
}

fn case(code: &'static str, involves: &'static str, design: Design) -> Case {
    Case {
        code,
        design,
        involves,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case(
            "PROPERTY_OUT_OF_RANGE",
            "orders-fn",
            from_file("serverless-api", |f| {
                let c = f
                    .components
                    .iter_mut()
                    .find(|c| c.id == "orders-fn")
                    .unwrap();
                if let archsim_model::Props::LambdaFunction(l) = &mut c.props {
                    l.memory_mb = 64;
                }
            }),
        ),
        case(
            "CONNECTION_NOT_ALLOWED",
            "uploader",
            from_file("s3-image-pipeline", |f| {
                let c = f
                    .connections
                    .iter_mut()
                    .find(|c| c.id == "resize--metadata")
                    .unwrap();
                c.to = "uploader".into();
            }),
        ),
        case(
            "SCENARIO_UNKNOWN_COMPONENT",
            "",
            from_file("serverless-api", |f| {
                f.scenarios[0].traffic[0].entry = "nobody".into();
            }),
        ),
        case(
            "REGION_UNKNOWN",
            "",
            from_file("serverless-api", |f| {
                f.region = "sa-east-1".into();
            }),
        ),
        case(
            "DYNAMODB_SCALING_INVALID",
            "orders",
            edited(
                "serverless-api",
                vec![set(
                    "orders",
                    "read_scaling",
                    json!({"min_capacity": 5, "max_capacity": 100, "target_utilization_pct": 70.0}),
                )],
            ),
        ),
        case(
            "S3_FILTER_NEVER_PASSES",
            "uploads",
            from_file("s3-image-pipeline", |f| {
                f.scenarios[0].traffic[0].request.path = "/uploads/cat.png".into();
            }),
        ),
        case(
            "SNS_FILTER_POLICY_INVALID",
            "audit",
            subscribed(json!({"policy": {"kind": "order"}})),
        ),
        case(
            "SNS_FILTER_NEVER_PASSES",
            "audit",
            subscribed(json!({"policy": {"kind": ["order"]}})),
        ),
        case(
            "SCENARIO_INVALID",
            "",
            from_file("serverless-api", |f| {
                f.scenarios[0].duration_s = -5.0;
            }),
        ),
        case(
            "FARGATE_INVALID_SIZE",
            "orders-task",
            edited(
                "alb-fargate",
                vec![set("orders-task", "memory_mb", json!(3000))],
            ),
        ),
        case(
            "FARGATE_GPU",
            "orders-task",
            edited(
                "alb-fargate",
                vec![set("orders-task", "containers[0].gpus", json!(1))],
            ),
        ),
        case(
            "FARGATE_NETWORK_MODE",
            "orders-task",
            edited(
                "alb-fargate",
                vec![set("orders-task", "network_mode", json!("bridge"))],
            ),
        ),
        case(
            "GPU_INSTANCE_REQUIRED",
            "gpu-asg",
            edited(
                "ecs-ec2-placement",
                vec![set("gpu-asg", "instance_type", json!("m5.xlarge"))],
            ),
        ),
        case(
            "TASK_TOO_BIG_FOR_INSTANCE",
            "api-task",
            edited(
                "ecs-ec2-placement",
                vec![set("api-task", "cpu", json!(4096))],
            ),
        ),
        case(
            "ECS_DEPLOYMENT_STUCK",
            "api-svc",
            edited(
                "ecs-ec2-placement",
                vec![set("api-svc", "max_percent", json!(100))],
            ),
        ),
        case(
            // The worker has no load balancer: nothing to shift between.
            "ECS_BLUE_GREEN_NO_TARGET_GROUP_PAIR",
            "worker-svc",
            edited(
                "ecs-ec2-placement",
                vec![set(
                    "worker-svc",
                    "deployment_controller",
                    json!({"type": "code_deploy", "traffic_shift": {"type": "all_at_once"}}),
                )],
            ),
        ),
        case(
            // One GPU instance at most: the new inference task has nowhere
            // to start while the old one keeps serving.
            "ECS_DEPLOYMENT_NO_CAPACITY",
            "inference-svc",
            edited(
                "ecs-ec2-placement",
                vec![set("gpu-asg", "max_size", json!(1))],
            ),
        ),
        case(
            "TASK_USES_INSTANCE_ROLE",
            "api-task",
            edited("ecs-ec2-placement", vec![disconnect("api-task--api-role")]),
        ),
        case(
            "INSTANCE_ROLE_DATA_ACCESS",
            "general-asg",
            edited(
                "ecs-ec2-placement",
                vec![connect("general-asg", "results", Meaning::Uses)],
            ),
        ),
        case(
            "ROLE_PURPOSE_MISMATCH",
            "instance-role",
            edited(
                "ecs-ec2-placement",
                vec![set("instance-role", "purpose", json!("task_role"))],
            ),
        ),
        case(
            "TASK_NO_EXECUTION_ROLE",
            "orders-task",
            edited("alb-fargate", vec![disconnect("orders-task--exec-role")]),
        ),
        case(
            "LAMBDA_TIMEOUT_GT_APIGW",
            "orders-fn",
            edited(
                "serverless-api",
                vec![set("orders-fn", "timeout_s", json!(60))],
            ),
        ),
        case(
            "SQS_VISIBILITY_TIMEOUT_LOW",
            "jobs-dlq",
            edited(
                "queue-worker",
                vec![
                    add("reprocess", K::LambdaFunction),
                    set("reprocess", "timeout_s", json!(60)),
                    connect("jobs-dlq", "reprocess", Meaning::Poll),
                ],
            ),
        ),
        case(
            "LAMBDA_UNRESERVED_BELOW_MIN",
            "orders-fn",
            edited(
                "serverless-api",
                vec![set("orders-fn", "reserved_concurrency", json!(950))],
            ),
        ),
        case(
            "LAMBDA_PROVISIONED_GT_RESERVED",
            "orders-fn",
            edited(
                "serverless-api",
                vec![
                    set("orders-fn", "reserved_concurrency", json!(10)),
                    set("orders-fn", "provisioned_concurrency", json!(20)),
                ],
            ),
        ),
        case(
            "STEP_FUNCTIONS_DEFINITION_NOT_READ",
            "workflow",
            workflow(vec![set("workflow", "definition", Value::Null)]),
        ),
        case(
            "STEP_FUNCTIONS_DEFINITION_INVALID",
            "workflow",
            workflow(vec![set(
                "workflow",
                "definition",
                json!({"StartAt": "Charge", "States": {
                    "Charge": {"Type": "Task", "Resource": "${OrdersFn}", "Next": "Ship"}}}),
            )]),
        ),
        // The Task calls the orders table, mapped to its variable, but the
        // designer forgot to connect the state machine to it.
        case(
            "STEP_FUNCTIONS_TASK_NOT_CONNECTED",
            "workflow",
            workflow(vec![
                set(
                    "workflow",
                    "substitutions",
                    json!({"OrdersFn": "orders-fn", "OrdersTable": "orders"}),
                ),
                set(
                    "workflow",
                    "definition",
                    json!({"StartAt": "Charge", "States": {
                        "Charge": {"Type": "Task", "Resource": "${OrdersFn}", "Next": "Record"},
                        "Record": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                                   "Parameters": {"TableName": "${OrdersTable}"}, "End": true}}}),
                ),
            ]),
        ),
        // A 10-minute wait for a payment in an Express workflow.
        case(
            "STEP_FUNCTIONS_EXPRESS_LIMITS",
            "workflow",
            workflow(vec![
                set("workflow", "workflow_type", json!("express")),
                set(
                    "workflow",
                    "definition",
                    json!({"StartAt": "Charge", "States": {
                        "Charge": {"Type": "Task", "Resource": "${OrdersFn}", "Next": "Settle"},
                        "Settle": {"Type": "Wait", "Seconds": 600, "End": true}}}),
                ),
            ]),
        ),
        case(
            "STEP_FUNCTIONS_SIMULATION_SETTINGS",
            "workflow",
            workflow(vec![set(
                "workflow",
                "choice_weights",
                json!({"Charge": [0.5, 0.5]}),
            )]),
        ),
        case(
            "LAMBDA_COLD_START_INVALID",
            "orders-fn",
            edited(
                "serverless-api",
                vec![set(
                    "orders-fn",
                    "cold_start",
                    json!({"type": "lognormal", "mean_ms": 400.0, "p99_ms": 300.0}),
                )],
            ),
        ),
        case(
            "LAMBDA_SCALING_RATE_IGNORED",
            "orders-fn",
            edited(
                "serverless-api",
                vec![
                    set("orders-fn", "scaling_rate_per_10s", json!(500)),
                    Op::SetDesignProperty {
                        path: "account.lambda_scaling".into(),
                        value: json!("legacy_burst"),
                    },
                ],
            ),
        ),
        case(
            "VPC_ENDPOINT_TYPE",
            "sqs-endpoint",
            edited(
                "serverless-api",
                vec![
                    add("sqs-endpoint", K::VpcEndpoint),
                    set("sqs-endpoint", "service", json!("sqs")),
                ],
            ),
        ),
        case(
            "SECRET_WRITTEN",
            "api-key",
            edited(
                "serverless-api",
                vec![
                    add("api-key", K::Secret),
                    // drawn as read-write, the default for a data store
                    connect("orders-fn", "api-key", Meaning::Uses),
                ],
            ),
        ),
        case(
            "SECRET_READ_EVERY_REQUEST",
            "api-key",
            edited(
                "serverless-api",
                vec![
                    add("api-key", K::Secret),
                    Op::Connect {
                        connection: Connection::new(
                            "orders-fn->api-key",
                            "orders-fn",
                            "api-key",
                            Meaning::Uses.default_kind_to(K::Secret),
                        ),
                    },
                    set("api-key", "reads", json!("every_request")),
                ],
            ),
        ),
        case(
            "LAMBDA_DEPLOYMENT_NO_ALIAS",
            "orders-fn",
            edited(
                "serverless-api",
                vec![set(
                    "orders-fn",
                    "deployment",
                    json!({"alias": null, "preference": {"shift": {"type": "canary", "percent": 10, "interval_min": 5}}}),
                )],
            ),
        ),
        case(
            "LAMBDA_DEPLOYMENT_SHIFT_INVALID",
            "orders-fn",
            edited(
                "serverless-api",
                vec![set(
                    "orders-fn",
                    "deployment",
                    json!({"alias": "live", "preference": {"shift": {"type": "linear", "percent": 10, "interval_min": 0}}}),
                )],
            ),
        ),
        case(
            "LAMBDA_ALARM_NEVER_FIRES",
            "orders-fn",
            edited(
                "serverless-api",
                vec![set(
                    "orders-fn",
                    "deployment",
                    // An error rate in percent, written as if a count.
                    json!({"alias": "live", "preference": {"alarms": [
                        {"metric": "error_rate", "threshold": 150.0, "comparison": "GreaterThanThreshold"}
                    ]}}),
                )],
            ),
        ),
        case(
            "LAMBDA_HOOK_NOT_FUNCTION",
            "orders",
            edited(
                "serverless-api",
                vec![set(
                    "orders-fn",
                    "deployment",
                    // The table's id, not the hook function's.
                    json!({"alias": "live", "preference": {"pre_traffic_hook": "orders"}}),
                )],
            ),
        ),
        case(
            "LAMBDA_RECURSIVE_LOOP",
            "uploads",
            edited(
                "s3-image-pipeline",
                vec![set("resize--uploads", "access", json!("read_write"))],
            ),
        ),
        case(
            "LAMBDA_IMAGE_NO_REGISTRY",
            "orders-fn",
            edited(
                "serverless-api",
                vec![set("orders-fn", "packaging", json!("image"))],
            ),
        ),
        case(
            "LAMBDA_ASYNC_NO_FAILURE_DESTINATION",
            "resize",
            edited(
                "s3-image-pipeline",
                vec![disconnect("resize--resize-failures")],
            ),
        ),
        case(
            "INFERRED_CONNECTION_UNCONFIRMED",
            "orders-fn--orders",
            edited(
                "serverless-api",
                vec![Op::SetProperty {
                    id: "orders-fn--orders".into(),
                    path: "inferred".into(),
                    value: json!({"evidence": "statement dynamodb:* on *, named in its environment", "weak": true}),
                }],
            ),
        ),
        case(
            "LB_DUPLICATE_PRIORITY",
            "alb",
            edited(
                "alb-fargate",
                vec![set("alb--users-svc", "priority", json!(10))],
            ),
        ),
        case(
            "NLB_SEVERAL_TARGET_GROUPS",
            "tcp",
            edited(
                "alb-fargate",
                vec![
                    add("tcp", K::Nlb),
                    connect("tcp", "orders-svc", Meaning::Route),
                    connect("tcp", "users-svc", Meaning::Route),
                ],
            ),
        ),
        case(
            "LB_RULE_TOO_MANY_VALUES",
            "alb",
            edited(
                "alb-fargate",
                vec![set(
                    "alb--users-svc",
                    "conditions[0].values",
                    json!(["/a", "/b", "/c", "/d", "/e", "/f"]),
                )],
            ),
        ),
        case(
            "LB_NO_TARGETS",
            "alb",
            edited(
                "alb-fargate",
                vec![disconnect("alb--orders-svc"), disconnect("alb--users-svc")],
            ),
        ),
        case(
            "LB_SLOW_START_WITH_LOR",
            "alb",
            edited(
                "alb-fargate",
                vec![
                    set("alb", "slow_start_s", json!(60)),
                    set("alb", "algorithm", json!("least_outstanding_requests")),
                ],
            ),
        ),
        case(
            "LB_TARGET_PORT_UNKNOWN",
            "orders-task",
            edited(
                "alb-fargate",
                vec![set("alb--orders-svc", "target_port", json!(9999))],
            ),
        ),
        case(
            "PRODUCTION_ALB_NO_CERTIFICATE",
            "edge",
            edited("serverless-api", vec![add("edge", K::Alb)]),
        ),
        case(
            "CLB_LEGACY",
            "old-lb",
            edited("alb-fargate", vec![add("old-lb", K::Clb)]),
        ),
        case(
            "API_NO_INTEGRATION",
            "api",
            edited("serverless-api", vec![disconnect("api--orders-fn")]),
        ),
        // The starter's API has a Cognito authorizer; a Lambda authorizer
        // beside it cannot also be the default.
        case(
            "API_MULTIPLE_AUTHORIZERS",
            "authz",
            edited(
                "serverless-api",
                vec![
                    add("authz", K::LambdaFunction),
                    connect("authz", "api", Meaning::Authorizes),
                ],
            ),
        ),
        case(
            "API_AUTHORIZER_NO_IDENTITY",
            "api",
            edited(
                "serverless-api",
                vec![
                    disconnect("users--api"),
                    add("authz", K::LambdaFunction),
                    connect("authz", "api", Meaning::Authorizes),
                    set("api", "lambda_authorizer", json!({"identity_header": ""})),
                ],
            ),
        ),
        case(
            "SERVICE_MIN_GT_DESIRED",
            "orders-svc",
            edited(
                "alb-fargate",
                vec![set("orders-svc", "min_count", json!(3))],
            ),
        ),
        case(
            "SERVICE_DESIRED_GT_MAX",
            "orders-svc",
            edited(
                "alb-fargate",
                vec![set("orders-svc", "desired_count", json!(11))],
            ),
        ),
        case(
            "SERVICE_NO_CAPACITY",
            "orders-svc",
            edited("alb-fargate", vec![disconnect("orders-svc--fargate")]),
        ),
        case(
            "SERVICE_NO_TASK_DEFINITION",
            "orders-svc",
            edited("alb-fargate", vec![disconnect("orders-svc--orders-task")]),
        ),
        case(
            "SERVICE_NOT_IN_CLUSTER",
            "orders-svc",
            edited("alb-fargate", vec![ungroup("cluster-group", "orders-svc")]),
        ),
        case(
            // A spare group beside the cluster, its instance role drawn.
            "EC2_CAPACITY_NO_ECS_CLUSTER",
            "spare-asg",
            edited(
                "ecs-ec2-placement",
                vec![
                    add("spare-asg", K::Ec2AutoScalingGroup),
                    connect("spare-asg", "instance-role", Meaning::AssumesRole),
                ],
            ),
        ),
        case(
            // The worker service moved to a second cluster, still on the
            // first cluster's general group.
            "EC2_CAPACITY_SEVERAL_ECS_CLUSTERS",
            "general-asg",
            several_clusters(),
        ),
        case(
            // The resize pipeline's uploads bucket also sent to a
            // schedule rule.
            "S3_EVENTS_TO_UNMATCHED_RULE",
            "uploads",
            edited(
                "s3-image-pipeline",
                vec![
                    add("nightly", K::EventBridgeRule),
                    connect("uploads", "nightly", Meaning::Publishes),
                ],
            ),
        ),
        case(
            "CAPACITY_STRATEGY_MIXED",
            "api-svc",
            edited(
                "ecs-ec2-placement",
                vec![
                    add("fg", K::Fargate),
                    connect("api-svc", "fg", Meaning::RunsOn),
                ],
            ),
        ),
        case(
            "FARGATE_SPOT_ONLY",
            "worker-svc",
            edited("queue-worker", vec![disconnect("worker-svc--fargate")]),
        ),
        case(
            "BRIDGE_STATIC_PORT_CONFLICT",
            "api-svc",
            edited(
                "ecs-ec2-placement",
                vec![
                    set(
                        "api-task",
                        "containers[0].port_mappings[0].host_port",
                        json!(8080),
                    ),
                    set("general-asg", "max_size", json!(3)),
                ],
            ),
        ),
        case(
            "AWSVPC_ENI_CAPACITY",
            "worker-svc",
            edited(
                "ecs-ec2-placement",
                vec![
                    set("worker-svc", "max_count", json!(30)),
                    set("worker-svc", "desired_count", json!(25)),
                ],
            ),
        ),
        case(
            "DISTINCT_INSTANCE_CAPACITY",
            "worker-svc",
            edited(
                "ecs-ec2-placement",
                vec![
                    set("worker-svc", "desired_count", json!(6)),
                    set("general-asg", "max_size", json!(5)),
                ],
            ),
        ),
        case(
            "TASK_NO_CONTAINERS",
            "orders-task",
            edited(
                "alb-fargate",
                vec![set("orders-task", "containers", json!([]))],
            ),
        ),
        case(
            "TASK_NO_ESSENTIAL_CONTAINER",
            "orders-task",
            edited(
                "alb-fargate",
                vec![set("orders-task", "containers[0].essential", json!(false))],
            ),
        ),
        case(
            "TASK_CONTAINERS_EXCEED_TASK",
            "orders-task",
            edited(
                "alb-fargate",
                vec![set("orders-task", "containers[0].cpu", json!(1024))],
            ),
        ),
        case(
            "IMAGE_NO_REGISTRY",
            "orders-task",
            edited("alb-fargate", vec![disconnect("orders-task--orders-repo")]),
        ),
        case(
            "ASG_SIZE_ORDER",
            "general-asg",
            edited(
                "ecs-ec2-placement",
                vec![set("general-asg", "min_size", json!(5))],
            ),
        ),
        case(
            "UNKNOWN_INSTANCE_TYPE",
            "general-asg",
            edited(
                "ecs-ec2-placement",
                vec![set("general-asg", "instance_type", json!("z9.mega"))],
            ),
        ),
        case(
            "DDB_STREAM_DISABLED",
            "orders",
            edited(
                "serverless-api",
                vec![
                    add("indexer", K::LambdaFunction),
                    connect("orders", "indexer", Meaning::Poll),
                ],
            ),
        ),
        case(
            "ESM_INVALID_SETTINGS",
            "jobs",
            edited(
                "queue-worker",
                vec![set("jobs--worker-svc", "parallelization_factor", json!(2))],
            ),
        ),
        case(
            "PIPE_NO_SOURCE",
            "pipe",
            edited(
                "queue-worker",
                vec![
                    add("pipe", K::EventBridgePipe),
                    connect("pipe", "accept", Meaning::InvokeSync),
                ],
            ),
        ),
        case(
            "PIPE_NO_TARGET",
            "pipe",
            edited(
                "queue-worker",
                vec![
                    add("pipe", K::EventBridgePipe),
                    connect("jobs", "pipe", Meaning::Poll),
                ],
            ),
        ),
        case(
            "PIPE_MORE_THAN_ONE",
            "notify",
            edited(
                "queue-worker",
                vec![
                    add("pipe", K::EventBridgePipe),
                    add("notify", K::SnsTopic),
                    connect("jobs", "pipe", Meaning::Poll),
                    connect("pipe", "accept", Meaning::InvokeSync),
                    connect("pipe", "notify", Meaning::Publishes),
                ],
            ),
        ),
        case(
            "PIPE_RETRY_ON_QUEUE",
            "jobs",
            edited(
                "queue-worker",
                vec![
                    add("pipe", K::EventBridgePipe),
                    connect("jobs", "pipe", Meaning::Poll),
                    connect("pipe", "accept", Meaning::InvokeSync),
                    set("pipe", "max_retry_attempts", json!(3)),
                ],
            ),
        ),
        case(
            "PIPE_SOURCE_CONCURRENCY",
            "pipe",
            edited(
                "queue-worker",
                vec![
                    add("pipe", K::EventBridgePipe),
                    connect("jobs", "pipe", Meaning::Poll),
                    connect("pipe", "accept", Meaning::InvokeSync),
                    set("jobs->pipe", "max_concurrency", json!(50)),
                ],
            ),
        ),
        case(
            "RULE_SCHEDULE_INVALID",
            "nightly",
            edited(
                "queue-worker",
                vec![
                    add("nightly", K::EventBridgeRule),
                    // Unix cron's habit: both day fields given.
                    set("nightly", "schedule", json!("cron(0 3 * * * *)")),
                    connect("nightly", "accept", Meaning::InvokeAsync),
                ],
            ),
        ),
        case(
            "RULE_SCHEDULE_ON_CUSTOM_BUS",
            "nightly",
            edited(
                "queue-worker",
                vec![
                    add("bus", K::EventBus),
                    add("nightly", K::EventBridgeRule),
                    connect("accept", "bus", Meaning::Publishes),
                    connect("bus", "nightly", Meaning::Publishes),
                    connect("nightly", "accept", Meaning::InvokeAsync),
                ],
            ),
        ),
        case(
            "EVENT_BUS_NO_PRODUCER",
            "bus",
            edited(
                "queue-worker",
                vec![
                    add("bus", K::EventBus),
                    add("on-order", K::EventBridgeRule),
                    set("on-order", "schedule", json!("")),
                    set(
                        "on-order",
                        "event_pattern",
                        json!("{\"source\":[\"shop\"]}"),
                    ),
                    connect("bus", "on-order", Meaning::Publishes),
                    connect("on-order", "accept", Meaning::InvokeAsync),
                ],
            ),
        ),
        case(
            "SQS_DLQ_RETENTION",
            "jobs-dlq",
            edited(
                "queue-worker",
                vec![set("jobs-dlq", "message_retention_s", json!(60))],
            ),
        ),
        case(
            "SQS_FIFO_DLQ_MISMATCH",
            "jobs",
            edited("queue-worker", vec![set("jobs", "fifo", json!(true))]),
        ),
        case(
            "EKS_NOT_IN_CLUSTER",
            "nodes",
            edited("eks-platform", vec![ungroup("eks-group", "nodes")]),
        ),
        case(
            "EKS_WORKLOAD_NO_CAPACITY",
            "batch",
            edited("eks-platform", vec![disconnect("batch--batch-profile")]),
        ),
        case(
            // 4,000 m on a 4-vCPU m5.xlarge, which gives pods 3,920 m.
            "POD_TOO_BIG_FOR_NODE",
            "web",
            edited(
                "eks-platform",
                vec![set("web", "cpu_request_millicores", json!(4000))],
            ),
        ),
        case(
            // 9 GiB a pod: more than an m5.xlarge, and more than any type
            // of a Karpenter NodePool of 2- and 4-vCPU c5s (8 GiB at most).
            "POD_TOO_BIG_FOR_NODE",
            "nodes",
            edited(
                "eks-platform",
                vec![
                    set("nodes", "autoscaler", json!("karpenter")),
                    set(
                        "nodes",
                        "karpenter.instance_types",
                        json!(["c5.large", "c5.xlarge"]),
                    ),
                    set("nodes", "instance_type", json!("c5.large")),
                    set("web", "memory_limit_mb", json!(9216)),
                    set("web", "memory_request_mb", json!(9216)),
                ],
            ),
        ),
        case(
            "KARPENTER_NO_INSTANCE_TYPE",
            "nodes",
            edited(
                "eks-platform",
                vec![
                    set("nodes", "autoscaler", json!("karpenter")),
                    set("nodes", "karpenter.instance_types", json!([])),
                ],
            ),
        ),
        case(
            "UNKNOWN_INSTANCE_TYPE",
            "nodes",
            edited(
                "eks-platform",
                vec![
                    set("nodes", "autoscaler", json!("karpenter")),
                    set(
                        "nodes",
                        "karpenter.instance_types",
                        json!(["m5.large", "z9.mega"]),
                    ),
                ],
            ),
        ),
        case(
            "HPA_MIN_GT_MAX",
            "web",
            edited(
                "eks-platform",
                vec![set("web", "hpa.min_replicas", json!(40))],
            ),
        ),
        case(
            "AUTOSCALING_REQUEST_COUNT_NO_ALB",
            "worker-svc",
            edited(
                "queue-worker",
                vec![set(
                    "worker-svc",
                    "autoscaling.target_tracking[0].metric",
                    json!("alb_request_count_per_target"),
                )],
            ),
        ),
        case(
            "NOT_SERVERLESS",
            "db",
            edited(
                "serverless-api",
                vec![add("db", K::Rds), connect("orders-fn", "db", Meaning::Uses)],
            ),
        ),
        case(
            "ORPHAN_COMPONENT",
            "lonely",
            edited("serverless-api", vec![add("lonely", K::SnsTopic)]),
        ),
    ]
}

#[test]
fn each_rule_fires_on_its_mistake_and_names_the_component() {
    for c in cases() {
        let problems = validate(&c.design);
        let hit = problems.iter().find(|p| p.code == c.code);
        let Some(p) = hit else {
            panic!("{} did not fire; got {problems:#?}", c.code);
        };
        if !c.involves.is_empty() {
            assert!(
                p.components.iter().any(|id| id == c.involves),
                "{}: {:?}",
                c.code,
                p.components
            );
        }
        let r = rule(c.code).unwrap();
        assert_eq!(p.severity, r.severity);
        assert_eq!(p.hint, r.hint);
        assert!(!p.message.is_empty());
    }
}

#[test]
fn every_rule_has_a_case() {
    let tested: BTreeSet<&str> = cases().iter().map(|c| c.code).collect();
    for r in RULES {
        assert!(tested.contains(r.code), "rule {} has no test case", r.code);
    }
}

#[test]
fn fixing_the_mistake_clears_the_problem() {
    let mut editor = Editor::new(starter("serverless-api").unwrap().build().unwrap());
    editor
        .apply(set("orders-fn", "timeout_s", json!(60)))
        .unwrap();
    assert!(
        validate(editor.design())
            .iter()
            .any(|p| p.code == "LAMBDA_TIMEOUT_GT_APIGW")
    );
    editor.undo();
    assert!(validate(editor.design()).is_empty());
}

#[test]
fn a_certificate_or_the_sandbox_profile_clears_the_certificate_warning() {
    let code = "PRODUCTION_ALB_NO_CERTIFICATE";
    let fires = |d: &Design| validate(d).iter().any(|p| p.code == code);
    let mut editor = Editor::new(starter("alb-fargate").unwrap().build().unwrap());
    assert!(fires(editor.design()), "a production design's public ALB");
    editor
        .apply(set(
            "alb",
            "certificate_arn",
            json!("arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c"),
        ))
        .unwrap();
    assert!(!fires(editor.design()), "the certificate is named");
    assert!(validate(editor.design()).is_empty());
    editor.undo();
    editor
        .apply(Op::SetDesignProperty {
            path: "export_profile".into(),
            value: json!("sandbox"),
        })
        .unwrap();
    assert!(!fires(editor.design()), "the sandbox profile keeps HTTP");
    editor.undo();
    editor
        .apply(set("alb", "scheme", json!("internal")))
        .unwrap();
    assert!(!fires(editor.design()), "an internal load balancer");
}

#[test]
fn blue_green_services_are_not_judged_by_the_rolling_rules() {
    // The same mistakes as the rolling cases, on services CodeDeploy
    // deploys blue/green: a whole green task set starts, the percentages
    // do not bound the deployment.
    let blue_green = json!({"type": "code_deploy", "traffic_shift": {"type": "all_at_once"}});
    let codes = |d: &Design, id: &str| -> Vec<String> {
        validate(d)
            .into_iter()
            .filter(|p| p.components.iter().any(|c| c == id))
            .map(|p| p.code.to_string())
            .collect()
    };
    let d = edited(
        "ecs-ec2-placement",
        vec![
            set("api-svc", "max_percent", json!(100)),
            set("api-svc", "deployment_controller", blue_green.clone()),
        ],
    );
    assert!(!codes(&d, "api-svc").contains(&"ECS_DEPLOYMENT_STUCK".to_string()));
    let d = edited(
        "ecs-ec2-placement",
        vec![
            set("gpu-asg", "max_size", json!(1)),
            set("inference-svc", "deployment_controller", blue_green),
        ],
    );
    assert!(
        !codes(&d, "inference-svc").contains(&"ECS_DEPLOYMENT_NO_CAPACITY".to_string()),
        "{:?}",
        codes(&d, "inference-svc")
    );
    // CodeDeploy waits at most two days before it stops the blue set.
    let mut editor = Editor::new(d);
    let wait = |m: u32| {
        set(
            "inference-svc",
            "deployment_controller.termination_wait_min",
            json!(m),
        )
    };
    editor.apply(wait(2_880)).unwrap();
    let err = editor.apply(wait(2_881)).unwrap_err().to_string();
    assert!(err.contains("termination_wait_min"), "{err}");
}

#[test]
fn serverless_design_flags_only_server_kinds() {
    let d = edited(
        "serverless-api",
        vec![
            add("vm", K::Ec2Instance),
            add("db", K::Rds),
            add("table", K::DynamoDbTable),
            add("aurora", K::AuroraServerless),
            connect("orders-fn", "db", Meaning::Uses),
            connect("orders-fn", "table", Meaning::Uses),
            connect("orders-fn", "aurora", Meaning::Uses),
            connect("vm", "table", Meaning::Uses),
        ],
    );
    let flagged: BTreeSet<String> = validate(&d)
        .into_iter()
        .filter(|p| p.code == "NOT_SERVERLESS")
        .flat_map(|p| p.components)
        .collect();
    assert_eq!(
        flagged,
        BTreeSet::from(["vm".to_string(), "db".to_string()])
    );
    assert!(
        validate(&d)
            .iter()
            .filter(|p| p.code == "NOT_SERVERLESS")
            .all(|p| p.severity == Severity::Info)
    );
}

#[test]
fn unreserved_minimum_counts_every_function() {
    // Two functions each reserving 450 leave exactly 100: allowed.
    let mut ops = vec![
        add("f2", K::LambdaFunction),
        set("f2", "reserved_concurrency", json!(450)),
    ];
    ops.push(set("orders-fn", "reserved_concurrency", json!(450)));
    let d = edited("serverless-api", ops.clone());
    assert!(
        !validate(&d)
            .iter()
            .any(|p| p.code == "LAMBDA_UNRESERVED_BELOW_MIN")
    );
    ops.push(set("f2", "reserved_concurrency", json!(451)));
    let d = edited("serverless-api", ops);
    let p = validate(&d)
        .into_iter()
        .find(|p| p.code == "LAMBDA_UNRESERVED_BELOW_MIN")
        .unwrap();
    assert!(p.message.contains("leaving 99"), "{}", p.message);
}

#[test]
fn cold_start_problems_name_the_function_and_the_bad_value() {
    let messages = |cold_start: Value, init_ms: Value| -> Vec<String> {
        let d = edited(
            "serverless-api",
            vec![
                set("orders-fn", "init_ms", init_ms),
                set("orders-fn", "cold_start", cold_start),
            ],
        );
        validate(&d)
            .into_iter()
            .filter(|p| p.code == "LAMBDA_COLD_START_INVALID")
            .map(|p| p.message)
            .collect()
    };
    let lognormal =
        |mean: f64, p99: f64| json!({"type": "lognormal", "mean_ms": mean, "p99_ms": p99});
    let m = messages(lognormal(100.0, 2000.0), Value::Null);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].contains("2000 ms") && m[0].contains("100 ms"), "{m:?}");
    assert!(
        messages(lognormal(100.0, 1400.0), Value::Null).is_empty(),
        "under 14.97x fits"
    );
    let m = messages(json!({"type": "empirical", "samples_ms": []}), Value::Null);
    assert!(m[0].contains("at least one measured"), "{m:?}");
    let m = messages(
        json!({"type": "exponential", "mean_ms": 200.0}),
        json!(150.0),
    );
    assert!(m[0].contains("init_ms (150 ms)"), "{m:?}");
    assert!(
        messages(
            json!({"type": "exponential", "mean_ms": 200.0}),
            Value::Null
        )
        .is_empty()
    );
    // A measured duration beyond the init phase's 10 s is refused, by path.
    let mut editor = Editor::new(starter("serverless-api").unwrap().build().unwrap());
    let refused = editor
        .apply(set(
            "orders-fn",
            "cold_start",
            json!({"type": "empirical", "samples_ms": [120.0, 12000.0]}),
        ))
        .unwrap_err();
    assert!(
        refused.to_string().contains("cold_start.samples_ms[1]"),
        "{refused}"
    );
}

#[test]
fn an_order_workflow_whose_task_calls_its_connected_function_is_clean() {
    let problems = validate(&workflow(Vec::new()));
    assert!(problems.is_empty(), "{problems:?}");
}

/// API Gateway caches an authorizer's answer for at most an hour: an edit
/// past it is refused, and a file holding one is flagged with the limit's
/// source.
#[test]
fn an_authorizer_ttl_past_an_hour_is_refused_and_a_file_holding_one_flagged() {
    let mut editor = Editor::new(starter("serverless-api").unwrap().build().unwrap());
    let refused = editor.apply(set(
        "api",
        "lambda_authorizer",
        json!({"result_ttl_s": 3_601}),
    ));
    assert!(refused.is_err(), "{refused:?}");
    editor
        .apply(set(
            "api",
            "lambda_authorizer",
            json!({"result_ttl_s": 3_600}),
        ))
        .unwrap();
    let design = from_file("serverless-api", |f| {
        let api = f.components.iter_mut().find(|c| c.id == "api").unwrap();
        if let archsim_model::Props::ApiGateway(a) = &mut api.props {
            a.lambda_authorizer.result_ttl_s = 7_200;
        }
    });
    let flagged: Vec<_> = validate(&design)
        .into_iter()
        .filter(|p| p.code == "PROPERTY_OUT_OF_RANGE")
        .collect();
    assert_eq!(flagged.len(), 1, "{flagged:#?}");
    assert!(
        flagged[0]
            .message
            .contains("lambda_authorizer.result_ttl_s = 7200 is outside 0..3600 s"),
        "{}",
        flagged[0].message
    );
}

/// A REQUEST authorizer that caches nothing needs no identity source (AWS
/// accepts it); a TOKEN one, or one that caches, does.
#[test]
fn an_uncached_request_authorizer_needs_no_identity_header() {
    let code = "API_AUTHORIZER_NO_IDENTITY";
    let with = |settings: Value| {
        edited(
            "serverless-api",
            vec![
                disconnect("users--api"),
                add("authz", K::LambdaFunction),
                connect("authz", "api", Meaning::Authorizes),
                set("api", "lambda_authorizer", settings),
            ],
        )
    };
    let fires = |d: &Design| validate(d).iter().any(|p| p.code == code);
    assert!(!fires(&with(json!({
        "payload": "request", "identity_header": "", "result_ttl_s": 0
    }))));
    assert!(fires(&with(json!({
        "payload": "request", "identity_header": "", "result_ttl_s": 60
    }))));
    assert!(fires(&with(json!({
        "payload": "token", "identity_header": "", "result_ttl_s": 0
    }))));
}

#[test]
fn a_pod_too_big_for_the_group_type_fits_a_type_karpenter_may_launch() {
    let big_pods = |pool: Value| {
        edited(
            "eks-platform",
            vec![
                set("nodes", "instance_type", json!("c5.large")),
                set("nodes", "autoscaler", json!("karpenter")),
                set("nodes", "karpenter.instance_types", pool),
                set("web", "memory_limit_mb", json!(9216)),
                set("web", "memory_request_mb", json!(9216)),
            ],
        )
    };
    let fires = |d: &Design| validate(d).iter().any(|p| p.code == "POD_TOO_BIG_FOR_NODE");
    // An m5.xlarge gives pods about 15 GiB: Karpenter launches one.
    assert!(!fires(&big_pods(json!(["c5.large", "m5.xlarge"]))));
    assert!(fires(&big_pods(json!(["c5.large", "c5.xlarge"]))));
}

/// ecs-ec2-placement with its worker service moved to a cluster of its
/// own (`batch`), still running on the first cluster's general group.
fn several_clusters() -> Design {
    edited(
        "ecs-ec2-placement",
        vec![
            ungroup("cluster-group", "worker-svc"),
            add("batch", K::EcsCluster),
            ecs_cluster_group("batch", "worker-svc"),
        ],
    )
}

/// One Auto Scaling group serves one ECS cluster: the one whose group
/// holds it and those of the services on it, named in the finding.
#[test]
fn ec2_capacity_serving_two_ecs_clusters_is_an_error_naming_both() {
    let d = several_clusters();
    let served: Vec<&str> = d
        .ecs_clusters_served_by_capacity("general-asg")
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(served, ["cluster", "batch"]);
    let found: Vec<_> = validate(&d)
        .into_iter()
        .filter(|p| p.code == "EC2_CAPACITY_SEVERAL_ECS_CLUSTERS")
        .map(|p| (p.components, p.message))
        .collect();
    assert_eq!(
        found,
        vec![(
            vec!["general-asg".to_string(), "cluster".to_string(), "batch".to_string()],
            "General m5.large serves services of ECS clusters Compute cluster and batch: its capacity provider and its instances belong to one cluster".to_string()
        )]
    );
    // The GPU group serves the first cluster alone.
    assert_eq!(d.ecs_clusters_served_by_capacity("gpu-asg").len(), 1);
}

/// An EC2 Auto Scaling group joins the ECS cluster whose group holds it,
/// or, outside every cluster group, the cluster of a service that runs
/// on it; in an EKS cluster it joins none (EKS nodes are node groups).
#[test]
fn ec2_capacity_is_judged_by_the_ecs_cluster_its_instances_join() {
    let code = "EC2_CAPACITY_NO_ECS_CLUSTER";
    let found = |d: &Design| -> Vec<(Vec<String>, String)> {
        validate(d)
            .into_iter()
            .filter(|p| p.code == code)
            .map(|p| (p.components, p.message))
            .collect()
    };
    // Out of the cluster's group, but its services are in the cluster.
    let ungrouped = edited(
        "ecs-ec2-placement",
        vec![ungroup("cluster-group", "general-asg")],
    );
    assert_eq!(found(&ungrouped), vec![]);
    assert_eq!(
        ungrouped
            .ecs_cluster_of_capacity("general-asg")
            .map(|c| c.id.as_str()),
        Some("cluster")
    );
    // ... and then no service runs on it.
    let alone = edited(
        "ecs-ec2-placement",
        vec![
            ungroup("cluster-group", "general-asg"),
            disconnect("api-svc--general-asg"),
            disconnect("worker-svc--general-asg"),
        ],
    );
    assert_eq!(
        found(&alone),
        vec![(
            vec!["general-asg".to_string()],
            "General m5.large is in no ECS cluster's group and no service of an ECS cluster runs on it: it is simulated and priced, but the template export refuses it (it cannot say which cluster the instances join)".to_string()
        )]
    );
    // In an EKS cluster's group.
    let in_eks = edited(
        "eks-platform",
        vec![
            add("asg", K::Ec2AutoScalingGroup),
            group("eks-group", "asg"),
        ],
    );
    assert_eq!(
        found(&in_eks),
        vec![(
            vec!["asg".to_string(), "eks".to_string()],
            "asg is ECS capacity (an EC2 Auto Scaling group for ECS) inside EKS cluster Platform cluster, whose nodes are EKS node groups: it is simulated and priced, but the template export refuses it".to_string()
        )]
    );
    assert!(in_eks.ecs_cluster_of_capacity("asg").is_none());
    // Every starter's EC2 capacity joins its cluster.
    for name in ["ecs-ec2-placement", "eks-platform"] {
        assert_eq!(found(&starter(name).unwrap().build().unwrap()), vec![]);
    }
}

/// A bucket's events reach a rule on the default bus whose pattern
/// matches `source: aws.s3`; a schedule, another source or a custom bus
/// gets none, which the warning says (the simulation delivers them).
#[test]
fn bucket_events_reach_only_a_default_bus_rule_matching_aws_s3() {
    let found = |pattern: &str| -> Vec<String> {
        let d = edited(
            "s3-image-pipeline",
            vec![
                add("created", K::EventBridgeRule),
                set("created", "schedule", json!("")),
                set("created", "event_pattern", json!(pattern)),
                connect("uploads", "created", Meaning::Publishes),
            ],
        );
        validate(&d)
            .into_iter()
            .filter(|p| p.code == "S3_EVENTS_TO_UNMATCHED_RULE")
            .map(|p| p.message)
            .collect()
    };
    assert_eq!(found(r#"{"source": ["aws.s3"]}"#), Vec::<String>::new());
    assert_eq!(
        found(r#"{"source": ["orders"]}"#),
        [
            "Uploads bucket sends its events to created, which does not match S3's events (source aws.s3 on the default bus): in AWS it would receive none; the simulation delivers them"
        ]
    );
}
