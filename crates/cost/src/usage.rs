//! What is billed: usage per component, in AWS's own quantities, and the
//! assumptions a bill is computed under.
//!
//! These types are the crate's input boundary. An adapter elsewhere maps a
//! design's components (or a simulation run's measurements) to a
//! [`UsageProfile`]; this crate never sees the design itself. All types
//! read from JSON (for `--usage FILE`) with unknown fields rejected.

use serde::{Deserialize, Serialize};

/// Usage of every priced component of a design for one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UsageProfile {
    pub components: Vec<ComponentUsage>,
}

/// One component's usage, keyed by the design's stable component id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentUsage {
    pub component_id: String,
    pub usage: ServiceUsage,
    /// How the usage follows a traffic multiplier on cost curves; `None`
    /// takes the service's default (see [`Scaling`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<Scaling>,
}

impl ComponentUsage {
    pub fn new(component_id: impl Into<String>, usage: impl Into<ServiceUsage>) -> Self {
        ComponentUsage {
            component_id: component_id.into(),
            usage: usage.into(),
            scaling: None,
        }
    }
}

/// How a component's usage follows traffic on a cost curve.
///
/// Request-driven quantities (requests, invocations, GB processed,
/// connections, read/write units) always scale linearly under `Linear` and
/// `WholeUnits`. Capacity counts (Fargate tasks, EC2 instances) scale
/// linearly under `Linear`, and under `WholeUnits` become
/// `max(min, ceil(count x multiplier))`, which is how an autoscaled service
/// behaves. Time-based quantities (hours enabled, cluster-hours, storage)
/// never scale. `Fixed` keeps everything as given (e.g. a service pinned to
/// a desired count). Defaults: `WholeUnits { min: 1 }` for Fargate and EC2,
/// `Linear` for everything else.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Scaling {
    Fixed,
    Linear,
    WholeUnits { min: u32 },
}

/// Usage of one AWS service by one component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ServiceUsage {
    Lambda(LambdaUsage),
    Fargate(FargateUsage),
    Ec2(Ec2Usage),
    LoadBalancer(LoadBalancerUsage),
    ApiGateway(ApiGatewayUsage),
    Eks(EksUsage),
    Ecr(EcrUsage),
    Sqs(SqsUsage),
    #[serde(rename = "dynamodb")]
    DynamoDb(DynamoDbUsage),
    S3(S3Usage),
}

macro_rules! into_service_usage {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for ServiceUsage {
            fn from(value: $ty) -> Self {
                ServiceUsage::$variant(value)
            }
        })*
    };
}

into_service_usage!(
    Lambda(LambdaUsage),
    Fargate(FargateUsage),
    Ec2(Ec2Usage),
    LoadBalancer(LoadBalancerUsage),
    ApiGateway(ApiGatewayUsage),
    Eks(EksUsage),
    Ecr(EcrUsage),
    Sqs(SqsUsage),
    DynamoDb(DynamoDbUsage),
    S3(S3Usage),
);

/// CPU architecture of a Lambda function or Fargate task.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    #[default]
    X86_64,
    Arm64,
}

impl Architecture {
    pub fn label(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86",
            Architecture::Arm64 => "Arm",
        }
    }
}

/// A Lambda function's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaUsage {
    /// Invocations (billed requests) in the month.
    pub requests: f64,
    /// Mean handler duration per invocation in ms (init included on cold
    /// starts), before rounding. Each invocation is assumed to take the
    /// mean and is rounded up to the billing granularity.
    pub duration_ms: f64,
    /// Sum of per-invocation durations already rounded up to the billing
    /// granularity (from a simulation run); replaces `requests x
    /// rounded(duration_ms)` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_duration_ms_total: Option<f64>,
    /// 128 to 10,240 MB.
    pub memory_mb: u32,
    #[serde(default)]
    pub architecture: Architecture,
    /// Configured /tmp size, 512 to 10,240 MB; above 512 MB is billed.
    #[serde(default = "default_lambda_ephemeral_mb")]
    pub ephemeral_storage_mb: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency: Option<ProvisionedConcurrencyUsage>,
}

fn default_lambda_ephemeral_mb() -> u32 {
    512
}

impl LambdaUsage {
    /// A function on x86 with the default 512 MB of /tmp.
    pub fn new(requests: f64, duration_ms: f64, memory_mb: u32) -> Self {
        LambdaUsage {
            requests,
            duration_ms,
            billed_duration_ms_total: None,
            memory_mb,
            architecture: Architecture::X86_64,
            ephemeral_storage_mb: 512,
            provisioned_concurrency: None,
        }
    }
}

/// Provisioned concurrency configured on a function (or alias).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionedConcurrencyUsage {
    /// Configured concurrency (environments kept initialised).
    pub concurrency: u32,
    /// Hours enabled in the month (rounded up to 5 minutes); `None` is the
    /// whole month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_enabled: Option<f64>,
    /// Invocations served by the provisioned environments (the rest of
    /// `requests` overflowed to on-demand).
    pub requests_served: f64,
    /// Mean duration in ms of the invocations served by provisioned
    /// environments, before rounding (each is rounded up to the billing
    /// granularity); `None` takes the function's `duration_ms`. AWS bills
    /// these at the provisioned duration rate and the rest on demand, each
    /// with its own duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_duration_ms: Option<f64>,
    /// Sum of the served invocations' durations, already rounded up per
    /// invocation (from a simulation run, which knows which environment
    /// served each); replaces `requests_served x rounded(served_duration_ms)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_billed_duration_ms_total: Option<f64>,
}

impl ProvisionedConcurrencyUsage {
    /// `concurrency` environments enabled all month, serving
    /// `requests_served` invocations of the function's mean duration.
    pub fn new(concurrency: u32, requests_served: f64) -> Self {
        ProvisionedConcurrencyUsage {
            concurrency,
            hours_enabled: None,
            requests_served,
            served_duration_ms: None,
            served_billed_duration_ms_total: None,
        }
    }
}

/// An ECS service or set of tasks on Fargate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FargateUsage {
    /// Tasks (running in parallel, or counted per schedule).
    pub tasks: f64,
    /// Runs of each task in the month (a scheduled task: 30); default 1.
    #[serde(default = "one_f64")]
    pub runs_per_task: f64,
    /// Seconds per run (billed per second, 1-minute minimum); `None` runs
    /// the whole month (always on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_per_run: Option<f64>,
    pub vcpu: f64,
    pub memory_gb: f64,
    #[serde(default)]
    pub architecture: Architecture,
    /// Configured ephemeral storage in GB (20 to 200); above 20 is billed.
    #[serde(default = "default_fargate_ephemeral_gb")]
    pub ephemeral_storage_gb: f64,
    /// Runs on Fargate Spot (the book's discount applies).
    #[serde(default)]
    pub spot: bool,
}

fn one_f64() -> f64 {
    1.0
}

fn default_fargate_ephemeral_gb() -> f64 {
    20.0
}

impl FargateUsage {
    /// `tasks` always-on x86 tasks of the given size, 20 GB of storage.
    pub fn always_on(tasks: f64, vcpu: f64, memory_gb: f64) -> Self {
        FargateUsage {
            tasks,
            runs_per_task: 1.0,
            seconds_per_run: None,
            vcpu,
            memory_gb,
            architecture: Architecture::X86_64,
            ephemeral_storage_gb: 20.0,
            spot: false,
        }
    }
}

/// EC2 instances (e.g. an ECS capacity provider's Auto Scaling group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ec2Usage {
    /// API name, e.g. `m5.large`; must be in the price book.
    pub instance_type: String,
    pub instances: f64,
    /// Hours each instance runs (per second, 60 s minimum); `None` is the
    /// whole month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_instance: Option<f64>,
}

/// Application or Network Load Balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBalancerKind {
    Alb,
    Nlb,
}

/// A load balancer's month, as hourly averages of the LCU dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerUsage {
    pub kind: LoadBalancerKind,
    /// Hours provisioned; `None` is the whole month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    #[serde(default)]
    pub new_connections_per_s: f64,
    #[serde(default)]
    pub active_connections_per_min: f64,
    #[serde(default)]
    pub gb_processed_per_hour: f64,
    /// Requests per second (ALB rule evaluations).
    #[serde(default)]
    pub requests_per_s: f64,
    /// Listener rules processed per request (ALB); the first 10 are free.
    #[serde(default)]
    pub rules_processed: f64,
    /// The ALB's targets are Lambda functions (bytes cost more LCUs).
    #[serde(default)]
    pub lambda_targets: bool,
}

impl LoadBalancerUsage {
    /// An ALB with no traffic, provisioned all month.
    pub fn alb() -> Self {
        LoadBalancerUsage {
            kind: LoadBalancerKind::Alb,
            hours: None,
            new_connections_per_s: 0.0,
            active_connections_per_min: 0.0,
            gb_processed_per_hour: 0.0,
            requests_per_s: 0.0,
            rules_processed: 0.0,
            lambda_targets: false,
        }
    }
}

/// API Gateway flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKind {
    Rest,
    Http,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGatewayUsage {
    pub kind: ApiKind,
    /// API calls in the month.
    pub requests: f64,
}

/// EKS support tier of a cluster's Kubernetes version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EksSupport {
    #[default]
    Standard,
    Extended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EksUsage {
    #[serde(default = "one_f64")]
    pub clusters: f64,
    /// Hours per cluster; `None` is the whole month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    #[serde(default)]
    pub support: EksSupport,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcrUsage {
    /// Average GB stored over the month.
    pub storage_gb_month: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum QueueType {
    #[default]
    Standard,
    Fifo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqsUsage {
    #[serde(default)]
    pub queue_type: QueueType,
    /// API requests in the month (send, receive, delete, ...).
    pub requests: f64,
    /// Mean payload per request in KB; each 64 KB chunk is billed as a
    /// request. Default 64 (one chunk).
    #[serde(default = "default_sqs_payload_kb")]
    pub payload_kb: f64,
}

fn default_sqs_payload_kb() -> f64 {
    64.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamoDbUsage {
    #[serde(default)]
    pub write_request_units: f64,
    #[serde(default)]
    pub read_request_units: f64,
    #[serde(default)]
    pub storage_gb_month: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Usage {
    #[serde(default)]
    pub storage_gb_month: f64,
    #[serde(default)]
    pub put_requests: f64,
    #[serde(default)]
    pub get_requests: f64,
}

/// Lambda duration billing granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum LambdaBilling {
    /// Rounded up to 1 ms, tiered rates (since December 2020).
    #[default]
    #[serde(rename = "1ms")]
    Millisecond,
    /// Rounded up to 100 ms at the legacy flat rate (x86). Arm functions,
    /// which never had that rate, keep their tiers but round to 100 ms.
    #[serde(rename = "100ms")]
    Legacy100Ms,
}

/// What a bill is computed under; shown in every report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumptions {
    /// Hours in the billed month: 720 (30 days), 730 (AWS's average), 744
    /// (31 days). Whole-month usage (always-on tasks, load balancer hours)
    /// lasts this long.
    pub month_hours: f64,
    /// Apply the monthly free-tier allowances in the book (Lambda, API
    /// Gateway for new accounts, SQS). Off by default: the free tier
    /// belongs to the account, shared by all its workloads, so a design's
    /// cost should not count on it.
    pub free_tier: bool,
    pub lambda_billing: LambdaBilling,
    /// A negotiated discount on the whole bill, 0 to 100.
    pub discount_percent: f64,
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions {
            month_hours: 730.0,
            free_tier: false,
            lambda_billing: LambdaBilling::Millisecond,
            discount_percent: 0.0,
        }
    }
}

/// A usage value the engine cannot bill.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UsageError {
    #[error("component `{component_id}`: `{field}` is {value}; {expected}")]
    InvalidValue {
        component_id: String,
        field: String,
        value: String,
        expected: String,
    },
    #[error(
        "component `{component_id}`: instance type `{instance_type}` is not in the {region} price book; use one of {known} or add it with a price overrides file"
    )]
    UnknownInstanceType {
        component_id: String,
        instance_type: String,
        region: String,
        known: String,
    },
    #[error("assumptions: `{field}` is {value}; {expected}")]
    InvalidAssumption {
        field: String,
        value: String,
        expected: String,
    },
}
