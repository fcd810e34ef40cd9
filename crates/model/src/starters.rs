//! Starter designs: the bundled examples, built through the same edit ops
//! a user's canvas uses. `archsim new --template NAME` writes them, and
//! `examples/*.archsim.json` are exactly their saved form (a test checks).

use std::collections::BTreeMap;

use crate::component::*;
use crate::connection::{
    Access, Connection, ConnectionKind, InvokeMode, Meaning, RuleCondition, StartingPosition,
};
use crate::design::{Design, Group, GroupKind};
use crate::edit::{EditError, Editor, Op};
use crate::scenario::{Scenario, ScenarioEvent, ScheduledEvent, TrafficPattern, TrafficProfile};

/// A starter: name for `--template`, one-line summary, and its builder.
pub struct Starter {
    pub name: &'static str,
    pub summary: &'static str,
    build: fn(&mut Builder) -> Result<(), EditError>,
}

impl Starter {
    pub fn build(&self) -> Result<Design, EditError> {
        let mut b = Builder::default();
        (self.build)(&mut b)?;
        Ok(b.editor.into_design())
    }
}

/// Every starter, in the order `archsim new --list` shows them.
pub const STARTERS: &[Starter] = &[
    Starter {
        name: "blank",
        summary: "An empty design",
        build: |_| Ok(()),
    },
    Starter {
        name: "s3-image-pipeline",
        summary: "S3 uploads -> Lambda resize -> DynamoDB metadata and a thumbnails bucket",
        build: image_pipeline,
    },
    Starter {
        name: "serverless-api",
        summary: "API Gateway (Cognito) -> Lambda -> DynamoDB with X-Ray tracing",
        build: serverless_api,
    },
    Starter {
        name: "alb-fargate",
        summary: "ALB path rules in front of two Fargate services pulling from ECR",
        build: alb_fargate,
    },
    Starter {
        name: "ecs-ec2-placement",
        summary: "ECS on EC2: binpack and spread placement, dynamic ports, a GPU service",
        build: ecs_ec2,
    },
    Starter {
        name: "queue-worker",
        summary: "API -> Lambda -> SQS -> ECS worker on Fargate Spot, Lambda invoking Lambda",
        build: queue_worker,
    },
    Starter {
        name: "eks-platform",
        summary: "EKS with a managed node group, a Fargate profile and workloads",
        build: eks_platform,
    },
];

pub fn starter(name: &str) -> Option<&'static Starter> {
    STARTERS.iter().find(|s| s.name == name)
}

/// Builds designs through edit ops, so starters obey the same rules as
/// a user's edits.
#[derive(Default)]
pub struct Builder {
    editor: Editor,
}

impl Builder {
    fn meta(&mut self, name: &str, description: &str, serverless: bool) -> Result<(), EditError> {
        for (path, value) in [
            ("name", serde_json::json!(name)),
            ("description", serde_json::json!(description)),
            ("serverless", serde_json::json!(serverless)),
        ] {
            self.editor.apply(Op::SetDesignProperty {
                path: path.into(),
                value,
            })?;
        }
        Ok(())
    }

    fn add(&mut self, id: &str, name: &str, x: f64, y: f64, props: Props) -> Result<(), EditError> {
        self.editor.apply(Op::AddComponent {
            component: Component {
                id: id.into(),
                name: name.into(),
                position: Position::new(x, y),
                props,
            },
        })
    }

    fn link(&mut self, from: &str, to: &str, kind: ConnectionKind) -> Result<(), EditError> {
        let id = format!("{from}--{to}");
        self.editor.apply(Op::Connect {
            connection: Connection::new(id, from, to, kind),
        })
    }

    fn link_as(&mut self, from: &str, to: &str, meaning: Meaning) -> Result<(), EditError> {
        self.link(from, to, meaning.default_kind())
    }

    fn group(
        &mut self,
        id: &str,
        name: &str,
        kind: GroupKind,
        owner: Option<&str>,
        members: &[&str],
    ) -> Result<(), EditError> {
        self.editor.apply(Op::CreateGroup {
            group: Group {
                id: id.into(),
                name: name.into(),
                kind,
                owner: owner.map(String::from),
                members: members.iter().map(|m| m.to_string()).collect(),
            },
        })
    }

    fn scenario(&mut self, scenario: Scenario) {
        // Scenarios are data, not graph edits.
        let mut design = std::mem::take(&mut self.editor).into_design();
        design.scenarios.push(scenario);
        self.editor = Editor::new(design);
    }
}

fn uses(access: Access) -> ConnectionKind {
    ConnectionKind::Uses { access }
}

fn route(priority: Option<u32>, paths: &[&str], port: u16) -> ConnectionKind {
    ConnectionKind::Route {
        priority,
        conditions: if paths.is_empty() {
            Vec::new()
        } else {
            vec![RuleCondition::path(paths)]
        },
        weight: 1,
        target_port: Some(port),
        listener_port: 80,
    }
}

fn runs_on(weight: u32, base: u32) -> ConnectionKind {
    ConnectionKind::RunsOn { weight, base }
}

fn role(purpose: RolePurpose) -> Props {
    Props::IamRole(IamRoleProps {
        purpose,
        managed_policy_arns: Vec::new(),
    })
}

fn lognormal(mean_ms: f64, p99_ms: f64) -> Distribution {
    Distribution::Lognormal { mean_ms, p99_ms }
}

fn poisson(entry: &str, rps: f64, path: &str) -> TrafficProfile {
    TrafficProfile {
        entry: entry.into(),
        pattern: TrafficPattern::Poisson { rps },
        request: crate::scenario::RequestAttributes {
            path: path.into(),
            ..Default::default()
        },
    }
}

fn container(
    name: &str,
    image: &str,
    cpu: u32,
    memory_mb: u32,
    port: u16,
    host_port: Option<u16>,
) -> ContainerDefinition {
    ContainerDefinition {
        name: name.into(),
        image: image.into(),
        cpu,
        memory_mb: Some(memory_mb),
        port_mappings: vec![PortMapping {
            container_port: port,
            host_port,
            protocol: PortProtocol::Tcp,
        }],
        ..Default::default()
    }
}

fn task(
    family: &str,
    cpu: u32,
    memory_mb: u32,
    mode: NetworkMode,
    containers: Vec<ContainerDefinition>,
) -> Props {
    Props::TaskDefinition(TaskDefinitionProps {
        family: family.into(),
        cpu,
        memory_mb,
        network_mode: mode,
        containers,
        ..Default::default()
    })
}

fn image_pipeline(b: &mut Builder) -> Result<(), EditError> {
    b.meta(
        "S3 image pipeline",
        "Uploaded images are resized by a Lambda function; metadata goes to DynamoDB, thumbnails to a second bucket, failed events to a queue.",
        true,
    )?;
    b.add(
        "uploader",
        "Mobile app",
        0.0,
        100.0,
        Props::Client(ClientProps {
            description: "Users uploading photos".into(),
        }),
    )?;
    b.add(
        "uploads",
        "Uploads bucket",
        250.0,
        100.0,
        Props::S3Bucket(S3BucketProps {
            suffix: ".jpg".into(),
            stored_gb: 500.0,
            ..Default::default()
        }),
    )?;
    b.add(
        "resize",
        "Resize image",
        500.0,
        100.0,
        Props::LambdaFunction(LambdaProps {
            runtime: Runtime::Python,
            architecture: Architecture::Arm64,
            handler: "app.handler".into(),
            memory_mb: 1536,
            timeout_s: 30,
            work: Work {
                duration: lognormal(120.0, 450.0),
                cpu_share: 0.8,
            },
            ..Default::default()
        }),
    )?;
    b.add(
        "metadata",
        "Image metadata",
        750.0,
        40.0,
        Props::DynamoDbTable(DynamoDbTableProps {
            partition_key: "imageId".into(),
            ..Default::default()
        }),
    )?;
    b.add(
        "thumbnails",
        "Thumbnails bucket",
        750.0,
        160.0,
        Props::S3Bucket(S3BucketProps {
            events: Vec::new(),
            ..Default::default()
        }),
    )?;
    b.add(
        "resize-failures",
        "Failed resizes",
        500.0,
        260.0,
        Props::SqsQueue(SqsQueueProps {
            message_retention_s: 1_209_600,
            ..Default::default()
        }),
    )?;
    b.link("uploader", "uploads", uses(Access::Write))?;
    b.link_as("uploads", "resize", Meaning::InvokeAsync)?;
    b.link("resize", "metadata", uses(Access::Write))?;
    b.link("resize", "thumbnails", uses(Access::Write))?;
    b.link("resize", "uploads", uses(Access::Read))?;
    b.link_as("resize", "resize-failures", Meaning::DeadLetter)?;
    b.scenario(Scenario {
        name: "steady-uploads".into(),
        start: None,
        description: "20 uploads a second (uploads/cat.jpg) for ten minutes".into(),
        duration_s: 600.0,
        seed: 1,
        traffic: vec![poisson("uploader", 20.0, "/uploads/cat.jpg")],
        events: Vec::new(),
    });
    Ok(())
}

fn serverless_api(b: &mut Builder) -> Result<(), EditError> {
    b.meta(
        "Serverless REST API",
        "A REST API behind Cognito; a Lambda function reads and writes a DynamoDB table; X-Ray tracing on the API and the function.",
        true,
    )?;
    b.add(
        "clients",
        "Web and mobile clients",
        0.0,
        100.0,
        Props::Client(ClientProps::default()),
    )?;
    b.add(
        "users",
        "User pool",
        250.0,
        0.0,
        Props::Cognito(CognitoProps {
            mfa: MfaMode::Optional,
            self_sign_up: true,
            ..CognitoProps::default()
        }),
    )?;
    b.add(
        "api",
        "Orders API",
        250.0,
        100.0,
        Props::ApiGateway(ApiGatewayProps {
            tracing: true,
            ..Default::default()
        }),
    )?;
    b.add(
        "orders-fn",
        "Orders handler",
        500.0,
        100.0,
        Props::LambdaFunction(LambdaProps {
            runtime: Runtime::Nodejs,
            architecture: Architecture::Arm64,
            memory_mb: 1024,
            timeout_s: 10,
            tracing: true,
            work: Work {
                duration: lognormal(40.0, 180.0),
                cpu_share: 0.3,
            },
            environment: BTreeMap::from([("TABLE_NAME".to_string(), "orders".to_string())]),
            // New versions go to 10% of requests for 5 minutes; an error
            // rate over 1% in a minute, or a p99 over 2 s for two, rolls
            // them back.
            deployment: Some(Box::new(LambdaDeployment {
                alias: Some("live".into()),
                preference: Some(DeploymentPreference {
                    shift: TrafficShift::Canary {
                        percent: 10,
                        interval_min: 5,
                    },
                    alarms: vec![
                        DeploymentAlarm {
                            metric: AlarmMetric::ErrorRate,
                            period_s: 60,
                            evaluation_periods: 1,
                            threshold: 1.0,
                            comparison: AlarmComparison::GreaterThanThreshold,
                        },
                        DeploymentAlarm {
                            metric: AlarmMetric::P99Duration,
                            period_s: 60,
                            evaluation_periods: 2,
                            threshold: 2000.0,
                            comparison: AlarmComparison::GreaterThanThreshold,
                        },
                    ],
                    pre_traffic_hook: None,
                    post_traffic_hook: None,
                }),
            })),
            ..Default::default()
        }),
    )?;
    b.add(
        "orders",
        "Orders table",
        750.0,
        100.0,
        Props::DynamoDbTable(DynamoDbTableProps {
            partition_key: "orderId".into(),
            ..Default::default()
        }),
    )?;
    b.link_as("clients", "users", Meaning::InvokeSync)?;
    b.link_as("clients", "api", Meaning::InvokeSync)?;
    b.link_as("users", "api", Meaning::Authorizes)?;
    b.link_as("api", "orders-fn", Meaning::InvokeSync)?;
    b.link("orders-fn", "orders", uses(Access::ReadWrite))?;
    b.scenario(Scenario {
        name: "launch-day".into(),
        start: None,
        description: "10 rps, then a step to 500 rps after two minutes".into(),
        duration_s: 600.0,
        seed: 7,
        traffic: vec![TrafficProfile {
            entry: "clients".into(),
            pattern: TrafficPattern::Step {
                from_rps: 10.0,
                to_rps: 500.0,
                at_s: 120.0,
            },
            request: Default::default(),
        }],
        events: Vec::new(),
    });
    b.scenario(Scenario {
        name: "daily-cycle".into(),
        start: None,
        description: "A day of traffic around 50 rps".into(),
        duration_s: 86_400.0,
        seed: 11,
        traffic: vec![TrafficProfile {
            entry: "clients".into(),
            pattern: TrafficPattern::Diurnal {
                mean_rps: 50.0,
                amplitude: 0.8,
                period_s: 86_400.0,
                peak_at_s: 50_400.0,
            },
            request: Default::default(),
        }],
        events: Vec::new(),
    });
    b.scenario(Scenario {
        name: "bad-deploy".into(),
        start: None,
        description: "100 rps; at 2 minutes a new version that fails 20% of requests goes out as a canary, and its error-rate alarm rolls it back".into(),
        duration_s: 600.0,
        seed: 5,
        traffic: vec![TrafficProfile {
            entry: "clients".into(),
            pattern: TrafficPattern::Poisson { rps: 100.0 },
            request: Default::default(),
        }],
        events: vec![ScheduledEvent {
            at_s: 120.0,
            event: ScenarioEvent::Deploy {
                component: "orders-fn".into(),
                work: None,
                init_ms: Some(600.0),
                error_rate: 0.2,
                fails_health_checks: false,
            },
        }],
    });
    Ok(())
}

/// A task definition with its roles and registry, for ECS examples.
fn ecs_task(
    b: &mut Builder,
    (id, name, y): (&str, &str, f64),
    props: Props,
    registry: &str,
    exec_role: &str,
    task_role: Option<&str>,
) -> Result<(), EditError> {
    b.add(id, name, 750.0, y, props)?;
    b.link_as(id, registry, Meaning::PullsImage)?;
    b.link_as(id, exec_role, Meaning::AssumesRole)?;
    if let Some(r) = task_role {
        b.link_as(id, r, Meaning::AssumesRole)?;
    }
    Ok(())
}

fn cpu_target(target: f64) -> Option<ServiceAutoScaling> {
    Some(ServiceAutoScaling {
        target_tracking: vec![TargetTrackingPolicy {
            metric: ScalingMetric::CpuUtilization,
            target,
            scale_out_cooldown_s: 300,
            scale_in_cooldown_s: 300,
        }],
        step: Vec::new(),
    })
}

fn alb_fargate(b: &mut Builder) -> Result<(), EditError> {
    b.meta(
        "ALB and Fargate microservices",
        "An Application Load Balancer routes /orders/* and /users/* to two Fargate services whose images come from ECR.",
        false,
    )?;
    b.add(
        "browsers",
        "Browsers",
        0.0,
        150.0,
        Props::Client(ClientProps::default()),
    )?;
    b.add(
        "alb",
        "Public ALB",
        200.0,
        150.0,
        Props::Alb(LoadBalancerProps::default()),
    )?;
    b.add(
        "cluster",
        "Shop cluster",
        420.0,
        0.0,
        Props::EcsCluster(EcsClusterProps {
            container_insights: true,
        }),
    )?;
    let service = |work_ms: f64| {
        Props::EcsService(EcsServiceProps {
            desired_count: 2,
            min_count: 2,
            max_count: 10,
            autoscaling: cpu_target(60.0),
            work: Work {
                duration: lognormal(work_ms, work_ms * 4.0),
                cpu_share: 0.6,
            },
            ..Default::default()
        })
    };
    b.add("orders-svc", "Orders service", 450.0, 80.0, service(30.0))?;
    b.add("users-svc", "Users service", 450.0, 220.0, service(15.0))?;
    b.add(
        "fargate",
        "Fargate",
        450.0,
        360.0,
        Props::Fargate(FargateProps::default()),
    )?;
    b.add(
        "orders-repo",
        "orders (ECR)",
        1000.0,
        80.0,
        Props::EcrRepository(EcrRepositoryProps::default()),
    )?;
    b.add(
        "users-repo",
        "users (ECR)",
        1000.0,
        220.0,
        Props::EcrRepository(EcrRepositoryProps::default()),
    )?;
    b.add(
        "exec-role",
        "Task execution role",
        1000.0,
        360.0,
        role(RolePurpose::ExecutionRole),
    )?;
    b.add(
        "orders-role",
        "Orders task role",
        1000.0,
        0.0,
        role(RolePurpose::TaskRole),
    )?;
    b.add(
        "users-role",
        "Users task role",
        1000.0,
        300.0,
        role(RolePurpose::TaskRole),
    )?;
    b.add(
        "orders-table",
        "Orders table",
        750.0,
        -60.0,
        Props::DynamoDbTable(DynamoDbTableProps {
            partition_key: "orderId".into(),
            ..Default::default()
        }),
    )?;
    b.add(
        "users-table",
        "Users table",
        750.0,
        380.0,
        Props::DynamoDbTable(DynamoDbTableProps {
            partition_key: "userId".into(),
            ..Default::default()
        }),
    )?;
    ecs_task(
        b,
        ("orders-task", "orders task", 80.0),
        task(
            "orders",
            512,
            1024,
            NetworkMode::Awsvpc,
            vec![container("orders", "orders:1.4.2", 512, 1024, 8080, None)],
        ),
        "orders-repo",
        "exec-role",
        Some("orders-role"),
    )?;
    ecs_task(
        b,
        ("users-task", "users task", 220.0),
        task(
            "users",
            256,
            512,
            NetworkMode::Awsvpc,
            vec![container("users", "users:2.0.1", 256, 512, 8080, None)],
        ),
        "users-repo",
        "exec-role",
        Some("users-role"),
    )?;
    b.link_as("browsers", "alb", Meaning::InvokeSync)?;
    b.link("alb", "orders-svc", route(Some(10), &["/orders/*"], 8080))?;
    b.link("alb", "users-svc", route(Some(20), &["/users/*"], 8080))?;
    for (svc, task, table) in [
        ("orders-svc", "orders-task", "orders-table"),
        ("users-svc", "users-task", "users-table"),
    ] {
        b.link_as(svc, task, Meaning::RunsTask)?;
        b.link(svc, "fargate", runs_on(1, 0))?;
        b.link(svc, table, uses(Access::ReadWrite))?;
    }
    b.group(
        "cluster-group",
        "Shop cluster",
        GroupKind::EcsCluster,
        Some("cluster"),
        &["orders-svc", "users-svc", "fargate"],
    )?;
    b.scenario(Scenario {
        name: "shop-traffic".into(),
        start: None,
        description: "Orders and users traffic, with a spike on orders".into(),
        duration_s: 1_800.0,
        seed: 3,
        traffic: vec![
            TrafficProfile {
                entry: "browsers".into(),
                pattern: TrafficPattern::Spike {
                    base_rps: 100.0,
                    peak_rps: 600.0,
                    at_s: 600.0,
                    duration_s: 300.0,
                },
                request: crate::scenario::RequestAttributes {
                    path: "/orders/list".into(),
                    ..Default::default()
                },
            },
            poisson("browsers", 50.0, "/users/me"),
        ],
        events: Vec::new(),
    });
    Ok(())
}

fn ec2_capacity(instance_type: &str, min: u32, desired: u32, max: u32) -> Props {
    Props::Ec2AutoScalingGroup(Ec2CapacityProps {
        instance_type: instance_type.into(),
        min_size: min,
        desired_capacity: desired,
        max_size: max,
        ..Default::default()
    })
}

fn ecs_ec2(b: &mut Builder) -> Result<(), EditError> {
    b.meta(
        "ECS on EC2 with placement",
        "An EC2-backed ECS cluster: an API service binpacked on CPU with dynamic host ports behind an ALB, a worker spread across zones one per instance, and a GPU inference service on g4dn instances.",
        false,
    )?;
    b.add(
        "clients",
        "API clients",
        0.0,
        100.0,
        Props::Client(ClientProps::default()),
    )?;
    b.add(
        "alb",
        "Internal ALB",
        200.0,
        100.0,
        Props::Alb(LoadBalancerProps {
            scheme: Scheme::Internal,
            ..Default::default()
        }),
    )?;
    b.add(
        "cluster",
        "Compute cluster",
        420.0,
        -20.0,
        Props::EcsCluster(EcsClusterProps::default()),
    )?;
    b.add(
        "api-svc",
        "API service",
        450.0,
        60.0,
        Props::EcsService(EcsServiceProps {
            desired_count: 4,
            min_count: 2,
            max_count: 12,
            placement_strategies: vec![PlacementStrategy {
                kind: PlacementStrategyType::Binpack,
                field: "cpu".into(),
            }],
            autoscaling: cpu_target(70.0),
            ..Default::default()
        }),
    )?;
    b.add(
        "worker-svc",
        "Zone-spread worker",
        450.0,
        180.0,
        Props::EcsService(EcsServiceProps {
            desired_count: 3,
            min_count: 3,
            max_count: 6,
            placement_strategies: vec![
                PlacementStrategy::spread_zones(),
                PlacementStrategy {
                    kind: PlacementStrategyType::Spread,
                    field: "instanceId".into(),
                },
            ],
            placement_constraints: vec![PlacementConstraint {
                kind: PlacementConstraintType::DistinctInstance,
                expression: String::new(),
            }],
            ..Default::default()
        }),
    )?;
    b.add(
        "inference-svc",
        "GPU inference",
        450.0,
        300.0,
        Props::EcsService(EcsServiceProps {
            desired_count: 1,
            min_count: 1,
            max_count: 2,
            placement_strategies: vec![PlacementStrategy {
                kind: PlacementStrategyType::Binpack,
                field: "memory".into(),
            }],
            placement_constraints: vec![PlacementConstraint {
                kind: PlacementConstraintType::MemberOf,
                expression: "attribute:ecs.instance-type =~ g4dn.*".into(),
            }],
            work: Work {
                duration: lognormal(250.0, 900.0),
                cpu_share: 0.2,
            },
            ..Default::default()
        }),
    )?;
    b.add(
        "general-asg",
        "General m5.large",
        450.0,
        420.0,
        ec2_capacity("m5.large", 2, 3, 10),
    )?;
    b.add(
        "gpu-asg",
        "GPU g4dn.xlarge",
        650.0,
        420.0,
        ec2_capacity("g4dn.xlarge", 1, 1, 2),
    )?;
    b.add(
        "instance-role",
        "ECS instance role",
        650.0,
        540.0,
        role(RolePurpose::InstanceRole),
    )?;
    b.add(
        "exec-role",
        "Task execution role",
        1000.0,
        420.0,
        role(RolePurpose::ExecutionRole),
    )?;
    b.add(
        "api-role",
        "API task role",
        1000.0,
        -40.0,
        role(RolePurpose::TaskRole),
    )?;
    b.add(
        "registry",
        "platform (ECR)",
        1000.0,
        180.0,
        Props::EcrRepository(EcrRepositoryProps::default()),
    )?;
    b.add(
        "docker-hub",
        "Docker Hub",
        1000.0,
        300.0,
        Props::ExternalRegistry(ExternalRegistryProps::default()),
    )?;
    b.add(
        "results",
        "Results bucket",
        750.0,
        -60.0,
        Props::S3Bucket(S3BucketProps {
            events: Vec::new(),
            ..Default::default()
        }),
    )?;
    ecs_task(
        b,
        ("api-task", "api task", 60.0),
        task(
            "api",
            512,
            1024,
            NetworkMode::Bridge,
            vec![container("api", "api:3.2.0", 512, 1024, 8080, Some(0))],
        ),
        "registry",
        "exec-role",
        Some("api-role"),
    )?;
    ecs_task(
        b,
        ("worker-task", "worker task", 180.0),
        task(
            "worker",
            1024,
            2048,
            NetworkMode::Awsvpc,
            vec![container("worker", "worker:1.0.0", 1024, 2048, 9000, None)],
        ),
        "registry",
        "exec-role",
        None,
    )?;
    let mut gpu = container(
        "model",
        "pytorch/torchserve:0.12.0-gpu",
        2048,
        12_288,
        8080,
        Some(0),
    );
    gpu.gpus = 1;
    gpu.image_size_mb = 6_000.0;
    ecs_task(
        b,
        ("inference-task", "inference task", 300.0),
        task("inference", 2048, 12_288, NetworkMode::Bridge, vec![gpu]),
        "docker-hub",
        "exec-role",
        None,
    )?;
    b.link_as("clients", "alb", Meaning::InvokeSync)?;
    b.link("alb", "api-svc", route(Some(10), &["/api/*"], 8080))?;
    b.link("alb", "inference-svc", route(Some(20), &["/predict"], 8080))?;
    b.link("api-svc", "results", uses(Access::ReadWrite))?;
    for (svc, task, asg) in [
        ("api-svc", "api-task", "general-asg"),
        ("worker-svc", "worker-task", "general-asg"),
        ("inference-svc", "inference-task", "gpu-asg"),
    ] {
        b.link_as(svc, task, Meaning::RunsTask)?;
        b.link(svc, asg, runs_on(1, 0))?;
    }
    b.link_as("general-asg", "instance-role", Meaning::AssumesRole)?;
    b.link_as("gpu-asg", "instance-role", Meaning::AssumesRole)?;
    b.group(
        "cluster-group",
        "Compute cluster",
        GroupKind::EcsCluster,
        Some("cluster"),
        &[
            "api-svc",
            "worker-svc",
            "inference-svc",
            "general-asg",
            "gpu-asg",
        ],
    )?;
    b.scenario(Scenario {
        name: "busy-hour".into(),
        start: None,
        description: "An hour of API traffic with a zone lost halfway".into(),
        duration_s: 3_600.0,
        seed: 5,
        traffic: vec![
            poisson("clients", 200.0, "/api/items"),
            poisson("clients", 5.0, "/predict"),
        ],
        events: vec![ScheduledEvent {
            at_s: 1_800.0,
            event: ScenarioEvent::ZoneLoss {
                zone: "us-east-1a".into(),
            },
        }],
    });
    b.scenario(Scenario {
        name: "rolling-deploy".into(),
        start: None,
        description: "API traffic; at 5 minutes a new worker version rolls out (minimum 100%, maximum 200%): distinctInstance keeps each new task off the instances holding a worker, so managed scaling adds three instances before the old tasks can stop".into(),
        duration_s: 900.0,
        seed: 5,
        traffic: vec![
            poisson("clients", 200.0, "/api/items"),
            poisson("clients", 5.0, "/predict"),
        ],
        events: vec![ScheduledEvent {
            at_s: 300.0,
            event: ScenarioEvent::Deploy {
                component: "worker-svc".into(),
                work: None,
                init_ms: None,
                error_rate: 0.0,
                fails_health_checks: false,
            },
        }],
    });
    Ok(())
}

fn queue_worker(b: &mut Builder) -> Result<(), EditError> {
    b.meta(
        "Queue-backed workers",
        "An API accepts jobs through a Lambda function that queues them in SQS and asynchronously invokes an audit function; an ECS worker service on Fargate Spot (with an on-demand base) drains the queue.",
        false,
    )?;
    b.add(
        "clients",
        "Partners",
        0.0,
        100.0,
        Props::Client(ClientProps::default()),
    )?;
    b.add(
        "api",
        "Jobs API",
        200.0,
        100.0,
        Props::ApiGateway(ApiGatewayProps {
            api_type: ApiType::Http,
            ..Default::default()
        }),
    )?;
    let function = |timeout_s: u32| {
        Props::LambdaFunction(LambdaProps {
            runtime: Runtime::Go,
            architecture: Architecture::Arm64,
            memory_mb: 512,
            timeout_s,
            work: Work {
                duration: lognormal(20.0, 80.0),
                cpu_share: 0.5,
            },
            ..Default::default()
        })
    };
    b.add("accept", "Accept job", 400.0, 100.0, function(10))?;
    b.add("audit", "Audit log", 400.0, 260.0, function(30))?;
    b.add(
        "audit-table",
        "Audit table",
        650.0,
        260.0,
        Props::DynamoDbTable(DynamoDbTableProps {
            partition_key: "jobId".into(),
            ..Default::default()
        }),
    )?;
    b.add(
        "audit-dlq",
        "Audit failures",
        400.0,
        400.0,
        Props::SqsQueue(SqsQueueProps {
            message_retention_s: 1_209_600,
            ..Default::default()
        }),
    )?;
    b.add(
        "jobs",
        "Jobs queue",
        650.0,
        100.0,
        Props::SqsQueue(SqsQueueProps {
            visibility_timeout_s: 300,
            max_receive_count: 3,
            ..Default::default()
        }),
    )?;
    b.add(
        "jobs-dlq",
        "Jobs dead letters",
        650.0,
        -40.0,
        Props::SqsQueue(SqsQueueProps {
            message_retention_s: 1_209_600,
            ..Default::default()
        }),
    )?;
    b.add(
        "cluster",
        "Workers cluster",
        880.0,
        20.0,
        Props::EcsCluster(EcsClusterProps::default()),
    )?;
    b.add(
        "worker-svc",
        "Job worker",
        900.0,
        100.0,
        Props::EcsService(EcsServiceProps {
            desired_count: 2,
            min_count: 1,
            max_count: 20,
            workers_per_task: 4,
            autoscaling: cpu_target(70.0),
            work: Work {
                duration: lognormal(2_000.0, 8_000.0),
                cpu_share: 0.7,
            },
            ..Default::default()
        }),
    )?;
    b.add(
        "fargate",
        "Fargate",
        900.0,
        240.0,
        Props::Fargate(FargateProps::default()),
    )?;
    b.add(
        "spot",
        "Fargate Spot",
        1050.0,
        240.0,
        Props::FargateSpot(FargateProps::default()),
    )?;
    b.add(
        "worker-repo",
        "worker (ECR)",
        1350.0,
        100.0,
        Props::EcrRepository(EcrRepositoryProps::default()),
    )?;
    b.add(
        "exec-role",
        "Task execution role",
        1350.0,
        240.0,
        role(RolePurpose::ExecutionRole),
    )?;
    b.add(
        "worker-role",
        "Worker task role",
        1350.0,
        -20.0,
        role(RolePurpose::TaskRole),
    )?;
    b.add(
        "results",
        "Results table",
        1150.0,
        -60.0,
        Props::DynamoDbTable(DynamoDbTableProps {
            partition_key: "jobId".into(),
            ..Default::default()
        }),
    )?;
    b.add(
        "worker-task",
        "worker task",
        1150.0,
        100.0,
        task(
            "worker",
            1024,
            2048,
            NetworkMode::Awsvpc,
            vec![container("worker", "worker:5.1.0", 1024, 2048, 8080, None)],
        ),
    )?;
    b.link_as("worker-task", "worker-repo", Meaning::PullsImage)?;
    b.link_as("worker-task", "exec-role", Meaning::AssumesRole)?;
    b.link_as("worker-task", "worker-role", Meaning::AssumesRole)?;
    b.link_as("clients", "api", Meaning::InvokeSync)?;
    b.link_as("api", "accept", Meaning::InvokeSync)?;
    b.link_as("accept", "jobs", Meaning::Publishes)?;
    b.link(
        "accept",
        "audit",
        ConnectionKind::Invoke {
            mode: InvokeMode::Async,
        },
    )?;
    b.link("audit", "audit-table", uses(Access::Write))?;
    b.link_as("audit", "audit-dlq", Meaning::DeadLetter)?;
    b.link_as("jobs", "jobs-dlq", Meaning::DeadLetter)?;
    b.link(
        "jobs",
        "worker-svc",
        ConnectionKind::Poll {
            batch_size: 1,
            batching_window_s: 0,
            parallelization_factor: 1,
            max_concurrency: None,
            starting_position: StartingPosition::Latest,
        },
    )?;
    b.link_as("worker-svc", "worker-task", Meaning::RunsTask)?;
    b.link("worker-svc", "fargate", runs_on(1, 1))?;
    b.link("worker-svc", "spot", runs_on(3, 0))?;
    b.link("worker-svc", "results", uses(Access::Write))?;
    b.group(
        "cluster-group",
        "Workers cluster",
        GroupKind::EcsCluster,
        Some("cluster"),
        &["worker-svc", "fargate", "spot"],
    )?;
    b.scenario(Scenario {
        name: "batch-burst".into(),
        start: None,
        description: "Steady jobs, a burst, and a Spot interruption".into(),
        duration_s: 3_600.0,
        seed: 9,
        traffic: vec![TrafficProfile {
            entry: "clients".into(),
            pattern: TrafficPattern::Spike {
                base_rps: 2.0,
                peak_rps: 40.0,
                at_s: 900.0,
                duration_s: 300.0,
            },
            request: Default::default(),
        }],
        events: vec![ScheduledEvent {
            at_s: 1_500.0,
            event: ScenarioEvent::SpotInterruption {
                service: "worker-svc".into(),
                share: 0.5,
            },
        }],
    });
    Ok(())
}

fn eks_platform(b: &mut Builder) -> Result<(), EditError> {
    b.meta(
        "EKS platform",
        "An EKS cluster with a managed node group for the web tier (with a Horizontal Pod Autoscaler) and a Fargate profile for batch jobs.",
        false,
    )?;
    b.add(
        "clients",
        "Users",
        0.0,
        100.0,
        Props::Client(ClientProps::default()),
    )?;
    b.add(
        "importer",
        "Partner importer",
        0.0,
        240.0,
        Props::Client(ClientProps {
            description: "Batch job submissions".into(),
        }),
    )?;
    b.add(
        "alb",
        "Ingress ALB",
        200.0,
        100.0,
        Props::Alb(LoadBalancerProps::default()),
    )?;
    b.add(
        "eks",
        "Platform cluster",
        420.0,
        -20.0,
        Props::EksCluster(EksClusterProps::default()),
    )?;
    b.add(
        "web",
        "web deployment",
        450.0,
        60.0,
        Props::EksWorkload(EksWorkloadProps {
            image: "web:4.2.0".into(),
            replicas: 3,
            cpu_request_millicores: 500,
            memory_request_mb: 1024,
            memory_limit_mb: Some(1024),
            hpa: Some(HorizontalPodAutoscaler {
                min_replicas: 3,
                max_replicas: 30,
                target_cpu_percent: 60,
            }),
            ..Default::default()
        }),
    )?;
    b.add(
        "batch",
        "batch jobs",
        450.0,
        200.0,
        Props::EksWorkload(EksWorkloadProps {
            namespace: "batch".into(),
            image: "batch:1.3.0".into(),
            replicas: 2,
            cpu_request_millicores: 1000,
            memory_request_mb: 2048,
            memory_limit_mb: Some(2048),
            work: Work {
                duration: lognormal(5_000.0, 20_000.0),
                cpu_share: 0.9,
            },
            ..Default::default()
        }),
    )?;
    b.add(
        "nodes",
        "General nodes",
        450.0,
        340.0,
        Props::EksNodeGroup(EksNodeGroupProps {
            instance_type: "m5.xlarge".into(),
            min_size: 2,
            desired_size: 3,
            max_size: 10,
            ..Default::default()
        }),
    )?;
    b.add(
        "batch-profile",
        "batch Fargate profile",
        650.0,
        340.0,
        Props::EksFargateProfile(EksFargateProfileProps {
            namespace: "batch".into(),
            ..Default::default()
        }),
    )?;
    b.add(
        "repo",
        "platform (ECR)",
        900.0,
        100.0,
        Props::EcrRepository(EcrRepositoryProps::default()),
    )?;
    b.add(
        "jobs",
        "Batch queue",
        200.0,
        240.0,
        Props::SqsQueue(SqsQueueProps {
            visibility_timeout_s: 900,
            ..Default::default()
        }),
    )?;
    b.add(
        "jobs-dlq",
        "Batch dead letters",
        200.0,
        360.0,
        Props::SqsQueue(SqsQueueProps {
            message_retention_s: 1_209_600,
            ..Default::default()
        }),
    )?;
    b.add(
        "assets",
        "Assets bucket",
        900.0,
        220.0,
        Props::S3Bucket(S3BucketProps {
            events: Vec::new(),
            ..Default::default()
        }),
    )?;
    b.add(
        "cluster-role",
        "Cluster role",
        650.0,
        -80.0,
        role(RolePurpose::EksRole),
    )?;
    b.add(
        "node-role",
        "Node role",
        650.0,
        460.0,
        role(RolePurpose::EksRole),
    )?;
    b.add(
        "pod-exec-role",
        "Pod execution role",
        850.0,
        460.0,
        role(RolePurpose::EksRole),
    )?;
    b.link_as("clients", "alb", Meaning::InvokeSync)?;
    b.link("alb", "web", route(None, &[], 8080))?;
    b.link_as("importer", "jobs", Meaning::Publishes)?;
    b.link_as("jobs", "batch", Meaning::Poll)?;
    b.link_as("jobs", "jobs-dlq", Meaning::DeadLetter)?;
    b.link("batch", "assets", uses(Access::Write))?;
    b.link("web", "assets", uses(Access::Read))?;
    b.link_as("web", "nodes", Meaning::RunsOn)?;
    b.link_as("batch", "batch-profile", Meaning::RunsOn)?;
    b.link_as("web", "repo", Meaning::PullsImage)?;
    b.link_as("batch", "repo", Meaning::PullsImage)?;
    b.link_as("eks", "cluster-role", Meaning::AssumesRole)?;
    b.link_as("nodes", "node-role", Meaning::AssumesRole)?;
    b.link_as("batch-profile", "pod-exec-role", Meaning::AssumesRole)?;
    b.group(
        "eks-group",
        "Platform cluster",
        GroupKind::EksCluster,
        Some("eks"),
        &["web", "batch", "nodes", "batch-profile"],
    )?;
    b.scenario(Scenario {
        name: "evening-peak".into(),
        start: None,
        description: "Web traffic ramping up through the evening; batch jobs arrive steadily"
            .into(),
        duration_s: 3_600.0,
        seed: 13,
        traffic: vec![
            TrafficProfile {
                entry: "clients".into(),
                pattern: TrafficPattern::Ramp {
                    from_rps: 100.0,
                    to_rps: 800.0,
                },
                request: Default::default(),
            },
            poisson("importer", 2.0, "/"),
        ],
        events: Vec::new(),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::validate;

    #[test]
    fn every_starter_builds_and_validates_clean() {
        for s in STARTERS {
            let d = s.build().unwrap_or_else(|e| panic!("{}: {e}", s.name));
            d.check_integrity().unwrap();
            // Starters are production designs: a public ALB in one cannot
            // know the user's certificate, and validation says so. Nothing
            // else may be found.
            let problems: Vec<_> = validate(&d)
                .into_iter()
                .filter(|p| p.code != "PRODUCTION_ALB_NO_CERTIFICATE")
                .collect();
            assert!(problems.is_empty(), "{}: {problems:#?}", s.name);
        }
    }

    #[test]
    fn starters_cover_every_domain_system() {
        let mut kinds = std::collections::BTreeSet::new();
        let mut meanings = std::collections::BTreeSet::new();
        for s in STARTERS {
            let d = s.build().unwrap();
            kinds.extend(d.components().map(|c| c.kind()));
            meanings.extend(d.connections().map(|c| format!("{:?}", c.kind.meaning())));
        }
        use ComponentKind as K;
        for k in [
            K::S3Bucket,
            K::LambdaFunction,
            K::DynamoDbTable,
            K::ApiGateway,
            K::Cognito,
            K::Alb,
            K::EcsCluster,
            K::EcsService,
            K::TaskDefinition,
            K::Fargate,
            K::FargateSpot,
            K::Ec2AutoScalingGroup,
            K::EcrRepository,
            K::ExternalRegistry,
            K::SqsQueue,
            K::EksCluster,
            K::EksNodeGroup,
            K::EksFargateProfile,
            K::EksWorkload,
            K::IamRole,
        ] {
            assert!(kinds.contains(&k), "no starter uses {k:?}");
        }
        assert!(meanings.len() >= 11, "{meanings:?}");
    }
}
