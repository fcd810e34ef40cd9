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
    Rds(RdsUsage),
    Aurora(AuroraUsage),
    Kinesis(KinesisUsage),
    Firehose(FirehoseUsage),
    Sns(SnsUsage),
    #[serde(rename = "eventbridge")]
    EventBridge(EventBridgeUsage),
    StepFunctions(StepFunctionsUsage),
    Cognito(CognitoUsage),
    #[serde(rename = "cloudfront")]
    CloudFront(CloudFrontUsage),
    Lex(LexUsage),
    #[serde(rename = "xray")]
    XRay(XRayUsage),
    /// The network around the components: NAT gateways, public IPv4
    /// addresses, data transfer out and across zones.
    Network(NetworkUsage),
    /// CloudWatch Logs written by functions and tasks.
    Logs(LogsUsage),
    /// Customer-managed KMS keys (the production export profile's one key
    /// per stack).
    Kms(KmsUsage),
    SecretsManager(SecretsManagerUsage),
    /// Interface VPC endpoints (gateway endpoints have no charge).
    VpcEndpoint(VpcEndpointUsage),
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
    Rds(RdsUsage),
    Aurora(AuroraUsage),
    Kinesis(KinesisUsage),
    Firehose(FirehoseUsage),
    Sns(SnsUsage),
    EventBridge(EventBridgeUsage),
    StepFunctions(StepFunctionsUsage),
    Cognito(CognitoUsage),
    CloudFront(CloudFrontUsage),
    Lex(LexUsage),
    XRay(XRayUsage),
    Network(NetworkUsage),
    Logs(LogsUsage),
    Kms(KmsUsage),
    SecretsManager(SecretsManagerUsage),
    VpcEndpoint(VpcEndpointUsage),
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

/// Application, Network or Classic Load Balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBalancerKind {
    Alb,
    Nlb,
    /// Billed by the hour and the GB processed (no capacity units).
    Clb,
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

/// A DynamoDB table's month. On demand, its request units are billed;
/// with provisioned capacity, the capacity is billed by the hour and the
/// request units it serves are not billed again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamoDbUsage {
    #[serde(default)]
    pub write_request_units: f64,
    #[serde(default)]
    pub read_request_units: f64,
    #[serde(default)]
    pub storage_gb_month: f64,
    /// Provisioned capacity (mean over the month when auto scaling);
    /// `None` is on-demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<ProvisionedCapacity>,
    /// GetRecords read units on the table's stream by consumers other than
    /// Lambda triggers (whose reads are free).
    #[serde(default)]
    pub stream_read_request_units: f64,
    /// GB-months of table data under point-in-time recovery (continuous
    /// backups, billed on the table's size).
    #[serde(default)]
    pub pitr_storage_gb_month: f64,
}

impl DynamoDbUsage {
    /// An on-demand table.
    pub fn on_demand(writes: f64, reads: f64, storage_gb_month: f64) -> Self {
        DynamoDbUsage {
            write_request_units: writes,
            read_request_units: reads,
            storage_gb_month,
            provisioned: None,
            stream_read_request_units: 0.0,
            pitr_storage_gb_month: 0.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionedCapacity {
    pub read_capacity_units: f64,
    pub write_capacity_units: f64,
    /// Hours provisioned; `None` is the whole month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
}

/// RDS engine family, for the instance price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RdsEngine {
    #[default]
    Postgres,
    Mysql,
}

/// An RDS database instance's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdsUsage {
    #[serde(default)]
    pub engine: RdsEngine,
    /// e.g. `db.t3.medium`; must be in the price book.
    pub instance_class: String,
    /// A standby in a second zone: instance and storage cost the book's
    /// Multi-AZ factor times as much.
    #[serde(default)]
    pub multi_az: bool,
    /// Hours running; `None` is the whole month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// Allocated General Purpose (gp2) storage.
    pub storage_gb: f64,
}

/// An Aurora Serverless v2 cluster's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuroraUsage {
    /// Mean Aurora capacity units in use over the hours (at least the
    /// configured minimum, at most the maximum).
    pub mean_acu: f64,
    /// Hours running; `None` is the whole month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    #[serde(default)]
    pub storage_gb_month: f64,
    /// I/O requests (Aurora Standard).
    #[serde(default)]
    pub io_requests: f64,
}

/// Kinesis Data Streams capacity mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum KinesisMode {
    #[default]
    Provisioned,
    OnDemand,
}

/// A Kinesis data stream's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KinesisUsage {
    #[serde(default)]
    pub mode: KinesisMode,
    /// Shards (provisioned mode).
    #[serde(default)]
    pub shards: f64,
    /// Hours the stream exists; `None` is the whole month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// Records put in the month.
    #[serde(default)]
    pub records: f64,
    /// Mean record size in KB.
    #[serde(default = "one_f64")]
    pub record_kb: f64,
    /// Consumers reading every record (on-demand data out).
    #[serde(default = "one_f64")]
    pub consumers: f64,
}

/// A Firehose stream's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirehoseUsage {
    pub records: f64,
    /// Mean record size in KB (each record is billed rounded up to 5 KB).
    pub record_kb: f64,
}

/// An SNS topic's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsUsage {
    pub publishes: f64,
    /// Mean payload in KB; each 64 KB chunk is one request.
    #[serde(default = "one_f64")]
    pub payload_kb: f64,
    #[serde(default)]
    pub http_deliveries: f64,
    #[serde(default)]
    pub email_deliveries: f64,
    /// Deliveries to SQS queues and Lambda functions: free, listed for
    /// the record.
    #[serde(default)]
    pub free_deliveries: f64,
}

/// A Step Functions state machine's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFunctionsUsage {
    /// Express (requests and duration) or Standard (state transitions).
    #[serde(default)]
    pub express: bool,
    /// Executions started.
    #[serde(default)]
    pub executions: f64,
    /// Standard: states entered, retries included.
    #[serde(default)]
    pub transitions: f64,
    /// Express: GB-seconds billed (each execution's duration rounded up
    /// to 100 ms, memory in 64 MB chunks).
    #[serde(default)]
    pub gb_seconds: f64,
}

/// EventBridge's month for one rule, bus or pipe.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBridgeUsage {
    /// Custom or partner events put on a bus (AWS service events are free).
    #[serde(default)]
    pub custom_events: f64,
    /// Mean event size in KB; each 64 KB chunk is one event.
    #[serde(default = "one_f64")]
    pub payload_kb: f64,
    /// EventBridge Scheduler invocations.
    #[serde(default)]
    pub scheduler_invocations: f64,
    /// Targets invoked by a rule's own schedule: free, listed for the
    /// record.
    #[serde(default)]
    pub scheduled_rule_invocations: f64,
    /// A bus's archive: GB of events written to it this month.
    #[serde(default)]
    pub archive_processed_gb: f64,
    /// A bus's archive: GB-months stored.
    #[serde(default)]
    pub archive_storage_gb_month: f64,
    /// EventBridge Pipes requests: events that passed the pipe's filters
    /// (filtered ones are not billed); each 64 KB chunk is one request.
    #[serde(default)]
    pub pipe_requests: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CognitoUsage {
    pub monthly_active_users: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudFrontUsage {
    /// HTTPS requests.
    pub requests: f64,
    /// GB sent to viewers.
    pub data_out_gb: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexUsage {
    #[serde(default)]
    pub text_requests: f64,
    #[serde(default)]
    pub speech_requests: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XRayUsage {
    pub traces_recorded: f64,
    #[serde(default)]
    pub traces_retrieved: f64,
}

/// What the network around the components is billed for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NetworkUsage {
    #[serde(default)]
    pub nat_gateways: f64,
    /// GB through the NAT gateways.
    #[serde(default)]
    pub nat_gb_processed: f64,
    /// Public IPv4 addresses held all month.
    #[serde(default)]
    pub public_ipv4_addresses: f64,
    /// GB sent to the internet (not through CloudFront).
    #[serde(default)]
    pub internet_out_gb: f64,
    /// GB crossing availability zones (billed in each direction).
    #[serde(default)]
    pub inter_az_gb: f64,
}

/// Customer-managed KMS keys kept for the month. Requests are not
/// counted: the stack's services reuse data keys (SQS and SNS for five
/// minutes, S3 bucket keys, DynamoDB's table key), which keeps them within
/// the 20,000 free a month for the designs archsim models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KmsUsage {
    pub keys: f64,
}

/// An interface VPC endpoint: its network interfaces (one per
/// availability zone) for the month, and the GB the VPC's calls to its
/// service sent through it (which the NAT gateway no longer processes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VpcEndpointUsage {
    pub availability_zones: f64,
    pub gb_processed: f64,
}

/// Secrets kept for the month and the API calls made on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsManagerUsage {
    pub secrets: f64,
    pub api_calls: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsUsage {
    pub ingested_gb: f64,
    /// Mean GB stored over the month.
    #[serde(default)]
    pub stored_gb_month: f64,
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
    /// CloudWatch Logs written per Lambda invocation or container request,
    /// in KB. Default 1 KB: Lambda's own START, END and REPORT lines take
    /// about 0.3 KB, the rest is the handler's logging.
    #[serde(default = "default_log_kb")]
    pub log_kb_per_request: f64,
    /// Savings Plans the account holds, applied as AWS applies them (see
    /// [`SavingsPlan`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub savings_plans: Vec<SavingsPlan>,
}

/// A Savings Plan: a commitment in $ an hour for a term, which buys
/// eligible usage at the plan's discount. AWS applies EC2 Instance Savings
/// Plans before Compute Savings Plans, and each plan to the eligible usage
/// with the highest discount first; the commitment is billed whether used
/// or not, and usage beyond it is billed on demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavingsPlan {
    pub kind: SavingsPlanKind,
    /// Dollars an hour of discounted usage committed to.
    pub commitment_usd_per_hour: f64,
    /// 1 or 3 years (no upfront payment).
    pub term_years: u8,
}

/// What a Savings Plan covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavingsPlanKind {
    /// Lambda duration and provisioned concurrency, Fargate (not Spot)
    /// and EC2 instances.
    Compute,
    /// EC2 instances only, at a deeper discount (the family is taken as
    /// the design's).
    Ec2Instance,
}

fn default_log_kb() -> f64 {
    1.0
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions {
            month_hours: 730.0,
            free_tier: false,
            lambda_billing: LambdaBilling::Millisecond,
            discount_percent: 0.0,
            log_kb_per_request: default_log_kb(),
            savings_plans: Vec::new(),
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
