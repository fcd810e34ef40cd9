//! What a run produces: per-component counters, latency summaries, 1 s
//! time series, autoscaling decisions, sampled request traces and usage
//! for costing. Sizes depend on the design and the run's duration in
//! seconds, never on the number of requests.

use std::collections::BTreeMap;

use serde::Serialize;

/// The result of one simulated run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub design: String,
    pub scenario: String,
    pub seed: u64,
    /// Seconds measured: the run's duration less its warm-up. Every
    /// statistic, series and usage quantity covers these seconds only.
    pub duration_s: f64,
    /// Seconds discarded at the start (`RunOptions::warmup_s`).
    pub warmup_s: f64,
    /// Events the engine processed, warm-up included (for benchmarks).
    pub events: u64,
    /// Per component, in component id order.
    pub components: Vec<ComponentStats>,
    pub scale_decisions: Vec<ScaleDecision>,
    /// Where tasks run on EC2 capacity: every simulated minute and at the end.
    pub placements: Vec<PlacementSnapshot>,
    pub traces: Vec<RequestTrace>,
    /// Deployments the scenario started, in the order they started.
    pub deployments: Vec<Deployment>,
    pub usage: Usage,
    /// What the run could not do as the design asks, and what it did
    /// instead (e.g. a Karpenter NodePool without a price for a type).
    pub notes: Vec<String>,
}

impl Run {
    pub fn component(&self, id: &str) -> Option<&ComponentStats> {
        self.components.iter().find(|c| c.id == id)
    }
}

/// Latency percentiles, milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// One component's results.
///
/// Conservation: `requests = completed + errors + throttled + in_flight`.
/// `concurrency` is what occupies the component: busy execution
/// environments for Lambda, busy workers for services, requests in flight
/// elsewhere; `service_ms` is the matching time per request, so Little's
/// law reads `mean_concurrency = throughput x mean_service_ms`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentStats {
    pub id: String,
    /// The kind's slug (`lambda_function`).
    pub kind: String,
    pub requests: u64,
    pub completed: u64,
    pub errors: u64,
    pub throttled: u64,
    pub in_flight: u64,
    /// Errors by HTTP-like status (429, 502, 503, 504) or kind (`timeout`,
    /// `dead_letter`, `dropped`, `no_route`, `task_stopped`).
    pub errors_by_kind: BTreeMap<String, u64>,
    pub cold_starts: u64,
    /// Asynchronous or message retries.
    pub retries: u64,
    /// Events or messages sent to a dead-letter queue or destination.
    pub dead_lettered: u64,
    /// Throttles an asynchronous caller retried (not final).
    pub throttles_retried: u64,
    /// End-to-end latency seen by the caller of this component.
    pub latency_ms: LatencySummary,
    /// Requests that waited in a queue before service, and the mean wait
    /// over all served requests (queues: over the messages received).
    pub waited: u64,
    pub served: u64,
    pub mean_wait_ms: f64,
    pub mean_service_ms: f64,
    pub mean_concurrency: f64,
    pub max_concurrency: u64,
    pub mean_queue_depth: f64,
    pub max_queue_depth: u64,
    /// Services and workloads: tasks (or pods) not stopped.
    pub mean_tasks: f64,
    pub max_tasks: u64,
    pub scale_events: u64,
    /// EC2 capacity.
    pub mean_instances: f64,
    pub max_instances: u64,
    /// Lambda functions: their execution environments, as peers (SimFaaS)
    /// report them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environments: Option<EnvironmentStats>,
    /// Waiting points (Lambda functions, services, queues and streams):
    /// their queue as queueing theory reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueStats>,
    /// DynamoDB tables: capacity consumed, throttles and the SDK's retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TableStats>,
    pub series: Series,
}

/// A DynamoDB table's capacity over the run. Its `throttled` requests
/// (in [`ComponentStats`]) are calls that failed with every SDK attempt
/// throttled; `retries` are the attempts after a throttle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableStats {
    /// `on_demand` or `provisioned`.
    pub billing: String,
    /// Successful reads and writes, and the units they consumed.
    pub reads: u64,
    pub writes: u64,
    pub read_units: f64,
    pub write_units: f64,
    /// Consumed units per second, averaged over the run.
    pub mean_read_units_per_s: f64,
    pub mean_write_units_per_s: f64,
    /// Provisioned capacity, units per second averaged over the run (it
    /// moves under auto scaling); `None` on demand.
    pub mean_read_capacity: Option<f64>,
    pub mean_write_capacity: Option<f64>,
    /// Attempts refused with a throughput exception (each retry counted).
    pub throttled_attempts: u64,
    pub retries: u64,
}

/// A waiting point's queue: Lambda's internal queue of asynchronous events
/// waiting for a retry (after a throttle or an error), a service's requests
/// waiting for a worker, a queue's or stream's visible messages waiting for
/// a consumer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueStats {
    /// Requests that started service (invocations started, requests a
    /// worker took; queues: messages received, each receive counted).
    pub served: u64,
    /// Of those, the ones that waited first.
    pub waited: u64,
    /// `waited / served`: the probability of waiting (Erlang C for an
    /// M/M/c service).
    pub p_wait: f64,
    /// Mean wait over all served, waiting or not.
    pub mean_wait_ms: f64,
    /// Time-averaged number waiting, and the most at once.
    pub mean_length: f64,
    pub max_length: u64,
}

/// A function's execution environments over the run: time averages of
/// those alive (initialised, not yet reclaimed), busy (serving an
/// invocation) and idle (alive, not busy), how long one lives, and the
/// share of invocations that started one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvironmentStats {
    pub mean_alive: f64,
    pub mean_busy: f64,
    pub mean_idle: f64,
    pub max_alive: u64,
    /// Environments created (cold starts, and provisioned ones at the start).
    pub created: u64,
    /// Mean seconds from creation to reclaim (or to the end of the run for
    /// those still alive).
    pub mean_lifetime_s: f64,
    /// Cold starts over invocations started.
    pub cold_start_share: f64,
}

/// 1 s time series, one value per second of simulated time. Counters
/// count events in the second; gauges are sampled at its end.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Series {
    pub arrivals: Vec<u32>,
    pub completions: Vec<u32>,
    pub errors: Vec<u32>,
    pub throttles: Vec<u32>,
    pub cold_starts: Vec<u32>,
    pub concurrency: Vec<u32>,
    pub tasks: Vec<u32>,
    pub queue_depth: Vec<u32>,
    /// EC2 capacity: instances in service.
    pub instances: Vec<u32>,
    /// Lambda functions: execution environments alive.
    pub environments: Vec<u32>,
}

impl Series {
    /// Averages (gauges) and sums (counters) over windows of `step` seconds.
    pub fn downsample(&self, step: usize) -> Series {
        let step = step.max(1);
        let sum = |v: &[u32]| -> Vec<u32> { v.chunks(step).map(|c| c.iter().sum()).collect() };
        let avg = |v: &[u32]| -> Vec<u32> {
            v.chunks(step)
                .map(|c| (c.iter().map(|&x| u64::from(x)).sum::<u64>() / c.len() as u64) as u32)
                .collect()
        };
        Series {
            arrivals: sum(&self.arrivals),
            completions: sum(&self.completions),
            errors: sum(&self.errors),
            throttles: sum(&self.throttles),
            cold_starts: sum(&self.cold_starts),
            concurrency: avg(&self.concurrency),
            tasks: avg(&self.tasks),
            queue_depth: avg(&self.queue_depth),
            instances: avg(&self.instances),
            environments: avg(&self.environments),
        }
    }
}

/// A new version deployed under traffic (a scenario's `deploy` event).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployment {
    pub component: String,
    /// The deployment configuration (`Canary10Percent5Minutes`,
    /// `AllAtOnce` for a function without a deployment preference).
    pub strategy: String,
    pub started_at_s: f64,
    /// When it succeeded or was rolled back; `None` while in progress.
    pub finished_at_s: Option<f64>,
    pub outcome: DeploymentOutcome,
    /// The new version's share of traffic after each change, from the
    /// first shift to the last (0 on a rollback).
    pub shifts: Vec<TrafficShiftAt>,
    /// The alarm that stopped it (`alarms[0]: error_rate > 1 for 1 x 60 s`).
    pub alarm: Option<String>,
    /// The old version, then the new one, while the deployment ran.
    pub versions: Vec<VersionStats>,
}

impl Deployment {
    /// A deployment of `component` with `strategy` that starts at `at_s`:
    /// in progress, nothing shifted yet.
    pub(crate) fn started(component: String, strategy: String, at_s: f64) -> Self {
        Self {
            component,
            strategy,
            started_at_s: at_s,
            finished_at_s: None,
            outcome: DeploymentOutcome::InProgress,
            shifts: Vec::new(),
            alarm: None,
            versions: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentOutcome {
    Succeeded,
    RolledBack,
    /// Stopped without a rollback (an ECS circuit breaker with rollback
    /// off).
    Failed,
    /// The run ended first.
    InProgress,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrafficShiftAt {
    pub at_s: f64,
    pub percent: u32,
}

/// One version's invocations while a deployment ran. `p99_ms` is of the
/// invocation's duration (init included); for a service, of a request's
/// time at the service (waiting for a worker included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionStats {
    /// `old` or `new`.
    pub version: String,
    pub requests: u64,
    pub errors: u64,
    pub throttles: u64,
    pub cold_starts: u64,
    pub p99_ms: f64,
}

/// A service autoscaling (or capacity) decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleDecision {
    pub at_s: f64,
    pub component: String,
    pub from: u32,
    pub to: u32,
    pub reason: String,
}

/// The instances of one EC2 capacity provider at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacementSnapshot {
    pub at_s: f64,
    pub capacity: String,
    pub instances: Vec<InstancePlacement>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstancePlacement {
    /// `i-<n>`, numbered in launch order within the group.
    pub instance: String,
    pub zone: String,
    /// The service of each task placed there (PENDING or RUNNING).
    pub tasks: Vec<String>,
}

/// An X-Ray-like sampled request: one segment per component it visited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestTrace {
    pub entry: String,
    pub start_s: f64,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub component: String,
    pub start_ms: f64,
    pub end_ms: f64,
    /// Time waiting (a queue, an asynchronous retry) before service.
    pub queued_ms: f64,
    /// Cold start (Lambda init) inside the segment.
    pub init_ms: f64,
    /// `ok`, or the error kind.
    pub outcome: String,
}

/// AWS usage quantities for costing, per component id.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Usage {
    pub lambda: BTreeMap<String, LambdaUsage>,
    pub tasks: BTreeMap<String, TaskUsage>,
    pub instances: BTreeMap<String, InstanceUsage>,
    /// API Gateway requests received (throttled ones are not billed).
    pub api_requests: BTreeMap<String, u64>,
    /// SQS API requests (send, receive, delete), 64 KB chunks not split.
    pub sqs_requests: BTreeMap<String, u64>,
    /// Requests to DynamoDB, Aurora, RDS and S3 from the design.
    pub data_requests: BTreeMap<String, u64>,
    /// DynamoDB tables: (read, write) units consumed, by table id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dynamodb_units: BTreeMap<String, (f64, f64)>,
    /// Provisioned tables: (read, write) capacity provisioned, units per
    /// second averaged over the run, by table id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dynamodb_capacity: BTreeMap<String, (f64, f64)>,
    /// Load balancer inputs for LCUs.
    pub load_balancer: BTreeMap<String, LoadBalancerUsage>,
    /// EventBridge Pipes: events that passed each pipe's filters (billed
    /// requests, 64 KB chunks not split).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pipe_requests: BTreeMap<String, u64>,
    /// Step Functions state machines: executions, state transitions and
    /// (Express) billed duration.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub step_functions: BTreeMap<String, WorkflowUsage>,
    /// SNS subscriptions with a filter policy, by connection id: the
    /// messages delivered and those the policy filtered out (not billed
    /// as deliveries).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sns_subscriptions: BTreeMap<String, SubscriptionUsage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SubscriptionUsage {
    pub delivered: u64,
    pub filtered_out: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WorkflowUsage {
    pub express: bool,
    /// Executions started (Express: billed requests).
    pub executions: u64,
    /// States entered and retries (Standard: billed transitions).
    pub transitions: u64,
    /// Express: each execution's duration rounded up to 100 ms, at the
    /// 64 MB AWS bills at the least.
    pub gb_seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LambdaUsage {
    pub requests: u64,
    pub gb_seconds: f64,
    pub memory_mb: u32,
    pub arm64: bool,
    pub provisioned_gb_seconds: f64,
    /// Invocations served by provisioned environments, and their billed
    /// GB-seconds (a part of `requests` and `gb_seconds`).
    pub provisioned_requests: u64,
    pub provisioned_gb_seconds_served: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TaskUsage {
    pub cpu_units: u32,
    pub memory_mb: u32,
    /// `fargate`, `fargate_spot` or `ec2`.
    pub capacity: String,
    pub task_seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct InstanceUsage {
    /// The group's own instance type.
    pub instance_type: String,
    /// Instance-seconds of every type together, each instance from its
    /// launch (boot included, as EC2 bills it) to its termination.
    pub instance_seconds: f64,
    /// Instance-seconds per instance type: the group's own and each type
    /// a Karpenter NodePool launched, each billed at its own price.
    pub by_type: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LoadBalancerUsage {
    pub requests: u64,
    /// One new connection per request: clients are modelled without
    /// keep-alive (an upper bound for LCUs).
    pub new_connections: u64,
    pub processed_bytes: u64,
    pub rule_evaluations: u64,
}

/// Where every task is now, for the live placement view: EC2 capacity
/// with each instance's CPU and memory filled by its tasks, and every
/// service's tasks (Fargate ones included) with their state.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PlacementNow {
    pub at_s: f64,
    pub capacities: Vec<CapacityNow>,
    pub services: Vec<ServiceTasksNow>,
}

/// One EC2 capacity provider (an Auto Scaling group or node group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityNow {
    pub capacity: String,
    /// The component's kind: `ec2_capacity` (ECS) or `eks_node_group`.
    pub kind: String,
    pub instance_type: String,
    /// Per instance, what tasks (pods) can take: CPU units (1024 per
    /// vCPU) for ECS, millicores for EKS nodes (allocatable, after the
    /// kubelet's reservations), and memory, MiB.
    pub cpu_units: u64,
    pub memory_mb: u64,
    pub instances: Vec<InstanceNow>,
    /// Instances launched but not yet in service.
    pub launching: u32,
    /// Tasks waiting for an instance (PROVISIONING).
    pub waiting_tasks: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceNow {
    pub instance: String,
    pub zone: String,
    /// Its type: the group's, or the one a Karpenter NodePool chose.
    pub instance_type: String,
    /// What tasks (pods) can take on it, in the capacity's units.
    pub cpu_units: u64,
    pub memory_mb: u64,
    pub cpu_used: u64,
    pub memory_used: u64,
    /// Task ids placed there (`service#n`).
    pub tasks: Vec<String>,
}

/// The tasks (or pods) of one service or workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceTasksNow {
    pub service: String,
    pub desired: u32,
    pub tasks: Vec<TaskNow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskNow {
    /// `service#n`, stable for the task's life (slots are reused after a
    /// task stops, with a new number).
    pub id: String,
    /// `provisioning`, `pending`, `running` or `draining`.
    pub state: String,
    /// `fargate`, `fargate_spot` or `ec2`.
    pub capacity_kind: String,
    /// The capacity component (EC2 and named Fargate providers).
    pub capacity: Option<String>,
    pub zone: String,
    /// EC2: the instance it sits on.
    pub instance: Option<String>,
    /// Requests being served now.
    pub busy: u32,
    /// Requests it has started serving since it launched.
    pub served: u64,
    /// When it started serving (registered and healthy), seconds into the
    /// run; `None` before. Under an ALB's slow start its share of requests
    /// grows from here.
    pub serving_since_s: Option<f64>,
}
