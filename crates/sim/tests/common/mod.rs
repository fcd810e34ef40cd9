//! Small designs for the engine's tests, built through the model's edit
//! ops like a user's canvas.
#![allow(dead_code)]

use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::design::{Group, GroupKind};
use archsim_model::scenario::{Scenario, ScheduledEvent, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Design, Editor, Op};

pub struct Build(Editor);

impl Build {
    pub fn new() -> Self {
        Build(Editor::default())
    }
    pub fn add(mut self, id: &str, props: Props) -> Self {
        let kind = props.kind();
        self.0
            .apply(Op::AddComponent {
                component: Component::new(id, id, kind).with(props),
            })
            .unwrap_or_else(|e| panic!("add {id}: {e}"));
        self
    }
    pub fn link(mut self, from: &str, to: &str, kind: ConnectionKind) -> Self {
        self.0
            .apply(Op::Connect {
                connection: Connection::new(format!("{from}--{to}"), from, to, kind),
            })
            .unwrap_or_else(|e| panic!("link {from} -> {to}: {e}"));
        self
    }
    pub fn link_as(self, from: &str, to: &str, m: Meaning) -> Self {
        self.link(from, to, m.default_kind())
    }
    pub fn cluster(mut self, cluster: &str, members: &[&str]) -> Self {
        self.0
            .apply(Op::CreateGroup {
                group: Group {
                    id: format!("{cluster}-group"),
                    name: cluster.into(),
                    kind: GroupKind::EcsCluster,
                    owner: Some(cluster.into()),
                    members: members.iter().map(|m| m.to_string()).collect(),
                },
            })
            .unwrap();
        self
    }
    /// Sets the filter policy of the subscription `from` -> `to`.
    pub fn filter(mut self, from: &str, to: &str, filter: serde_json::Value) -> Self {
        self.0
            .apply(Op::SetProperty {
                id: format!("{from}--{to}"),
                path: "filter_policy".into(),
                value: filter,
            })
            .unwrap_or_else(|e| panic!("filter {from} -> {to}: {e}"));
        self
    }
    pub fn design(self) -> Design {
        self.0.into_design()
    }
}

pub fn scenario(entry: &str, pattern: TrafficPattern, duration_s: f64) -> Scenario {
    Scenario {
        name: "test".into(),
        start: None,
        description: String::new(),
        duration_s,
        seed: 1,
        traffic: vec![TrafficProfile {
            entry: entry.into(),
            pattern,
            request: Default::default(),
        }],
        events: Vec::<ScheduledEvent>::new(),
    }
}

/// Client -> Lambda (function URL): a function with reserved concurrency
/// `c`, no cold start, and exponential handler time at a full vCPU.
pub fn capped_lambda(c: u32, mean_ms: f64) -> Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1769,
                timeout_s: 900,
                reserved_concurrency: Some(c),
                init_ms: Some(0.0),
                work: Work {
                    duration: Distribution::Exponential { mean_ms },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .link_as("client", "fn", Meaning::InvokeSync)
        .design()
}

/// Client -> API Gateway (10,000 rps: never reached here) -> ECS service of `c`
/// single-worker Fargate tasks sharing one FIFO queue.
pub fn single_worker_service(
    c: u32,
    mean_ms: f64,
    autoscaling: Option<ServiceAutoScaling>,
) -> Design {
    let (min, max) = if autoscaling.is_some() {
        (c, 20)
    } else {
        (c, c)
    };
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("api", Props::ApiGateway(ApiGatewayProps::default()))
        .add("cluster", Props::EcsCluster(EcsClusterProps::default()))
        .add(
            "svc",
            Props::EcsService(EcsServiceProps {
                desired_count: c,
                min_count: min,
                max_count: max,
                workers_per_task: 1,
                autoscaling,
                work: Work {
                    duration: Distribution::Exponential { mean_ms },
                    cpu_share: 1.0,
                },
                ..Default::default()
            }),
        )
        .add(
            "task",
            Props::TaskDefinition(TaskDefinitionProps::default()),
        )
        .add("fargate", Props::Fargate(FargateProps::default()))
        .add("repo", Props::EcrRepository(EcrRepositoryProps::default()))
        .add(
            "exec-role",
            Props::IamRole(IamRoleProps {
                purpose: RolePurpose::ExecutionRole,
                managed_policy_arns: Vec::new(),
            }),
        )
        .link_as("task", "repo", Meaning::PullsImage)
        .link_as("task", "exec-role", Meaning::AssumesRole)
        .link_as("client", "api", Meaning::InvokeSync)
        .link_as("api", "svc", Meaning::InvokeSync)
        .link_as("svc", "task", Meaning::RunsTask)
        .link_as("svc", "fargate", Meaning::RunsOn)
        .cluster("cluster", &["svc", "fargate"])
        .design()
}

/// API Gateway -> Lambda -> DynamoDB, the serverless reference path.
pub fn api_lambda_dynamo() -> Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("api", Props::ApiGateway(ApiGatewayProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1024,
                timeout_s: 10,
                ..Default::default()
            }),
        )
        .add("table", Props::DynamoDbTable(DynamoDbTableProps::default()))
        .link_as("client", "api", Meaning::InvokeSync)
        .link_as("api", "fn", Meaning::InvokeSync)
        .link(
            "fn",
            "table",
            ConnectionKind::Uses {
                access: Access::ReadWrite,
            },
        )
        .design()
}

/// Erlang B by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)).
pub fn erlang_b(a: f64, c: u32) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Erlang C from Erlang B: C = c B / (c - a (1 - B)).
pub fn erlang_c(a: f64, c: u32) -> f64 {
    let b = erlang_b(a, c);
    f64::from(c) * b / (f64::from(c) - a * (1.0 - b))
}

/// An EKS cluster with a workload of `replicas` pods (`cpu` millicores,
/// `mem` MiB each) on one node group `nodes`. No traffic: placement alone.
pub fn eks(replicas: u32, (cpu, mem): (u32, u32), nodes: EksNodeGroupProps) -> Design {
    Build::new()
        .add("eks", Props::EksCluster(EksClusterProps::default()))
        .add(
            "web",
            Props::EksWorkload(EksWorkloadProps {
                replicas,
                cpu_request_millicores: cpu,
                memory_request_mb: mem,
                ..Default::default()
            }),
        )
        .add("nodes", Props::EksNodeGroup(nodes))
        .link_as("web", "nodes", Meaning::RunsOn)
        .design()
}

/// Availability zone `zone` lost at `at_s` (a scenario event).
pub fn zone_loss(at_s: f64, zone: &str) -> ScheduledEvent {
    ScheduledEvent {
        at_s,
        event: archsim_model::scenario::ScenarioEvent::ZoneLoss { zone: zone.into() },
    }
}

/// A scenario of `duration_s` with no traffic (seed 1).
pub fn quiet(duration_s: f64) -> Scenario {
    Scenario {
        name: "nodes".into(),
        start: None,
        description: String::new(),
        duration_s,
        seed: 1,
        traffic: Vec::new(),
        events: Vec::new(),
    }
}
