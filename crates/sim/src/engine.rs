//! The discrete-event engine: the event queue, requests, and the AWS
//! behaviours of each component kind.
//!
//! Events sit in a binary heap keyed by (time in integer microseconds,
//! sequence number), so ties resolve in scheduling order and a run is
//! reproducible bit for bit. Events are small `Copy` values that name
//! requests, environments and tasks by index into slabs (`Vec`s with free
//! lists): the hot path allocates nothing per event.
//!
//! A request is one hop: a client request, the API Gateway request it
//! causes, the Lambda invocation behind that. Each hop has its own slab
//! entry and points at its caller (`parent`); when a hop finishes it tells
//! its caller, which continues. Synchronous callers therefore see their
//! callee's latency, throttles and errors.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::path::PathBuf;

use archsim_model::component::{ComponentKind, LbAlgorithm, Props, ScalingMetric};
use archsim_model::connection::{Access, ConditionField, ConnectionKind, InvokeMode};
use archsim_model::design::LambdaScalingRule;
use archsim_model::scenario::{ScenarioEvent, TrafficPattern};
use archsim_model::{Design, Scenario};
use hdrhistogram::Histogram;

use crate::placement::{Instance, PlacementRules, Strategy, TaskNeeds, choose};
use crate::rng::{Sampler, Stream, exp1, stream, uniform};
use crate::run::*;
use crate::traffic::{RateCurve, read_trace};
use crate::{RunOptions, SimError};

/// Microseconds.
pub(crate) type Us = u64;
pub(crate) const SEC: Us = 1_000_000;
const NONE: u32 = u32::MAX;

/// Lambda reclaims an idle execution environment this long after its last
/// request (observed since 2019; SPEC-SIM.md).
pub const LAMBDA_IDLE_EXPIRY: Us = 600 * SEC;
/// CPU scales with memory; 1,769 MB is one full vCPU.
pub const LAMBDA_FULL_VCPU_MB: f64 = 1769.0;
/// Per-function scaling since Nov 2023: 1,000 new environments per 10 s.
const LAMBDA_SCALING_BUCKET: f64 = 1000.0;
const LAMBDA_SCALING_REFILL_PER_S: f64 = 100.0;
/// Pre-2023 rule: account burst of 3,000 (largest regions), then +500/min.
const LEGACY_BURST: f64 = 3000.0;
const LEGACY_REFILL_PER_S: f64 = 500.0 / 60.0;
/// Asynchronous invocation: throttle retries back off from 1 s to 5 min.
const ASYNC_BACKOFF_MAX: Us = 300 * SEC;
/// Asynchronous invocation: function errors are retried 1 min, then 2 min later.
const ASYNC_ERROR_RETRY: Us = 60 * SEC;
/// SQS event source mapping: pollers start at 5 concurrent batches, add up
/// to 300 a minute while messages wait, up to 1,000.
const ESM_START_POLLERS: u32 = 5;
const ESM_POLLER_STEP: u32 = 300;
const ESM_MAX_POLLERS: u32 = 1000;
/// Fargate Spot gives two minutes' warning.
const SPOT_WARNING: Us = 120 * SEC;
/// Service auto scaling alarms: 3 breaching minutes out, 15 in.
const SCALE_OUT_MINUTES: u32 = 3;
const SCALE_IN_MINUTES: u32 = 15;
/// S3 has no latency property in the model; GET/PUT of small objects is
/// typically tens of milliseconds (assumption, documented in the report).
const S3_LATENCY_MEAN_MS: f64 = 20.0;
const S3_LATENCY_P99_MS: f64 = 100.0;

// ---------------------------------------------------------------------------
// Events

#[derive(Debug, Clone, Copy)]
enum Ev {
    Arrival {
        profile: u32,
        generation: u32,
    },
    Tick,
    /// A Lambda invocation's or a worker's own work is over.
    WorkDone {
        req: u32,
    },
    /// A data store (or the edge) answered.
    Answer {
        req: u32,
    },
    AsyncRetry {
        req: u32,
    },
    TaskReady {
        node: u32,
        task: u32,
        generation: u32,
    },
    TaskStop {
        node: u32,
        task: u32,
        generation: u32,
    },
    ScaleEval {
        node: u32,
    },
    CapacityEval {
        node: u32,
    },
    InstanceReady {
        node: u32,
    },
    PollerScale {
        node: u32,
    },
    /// An SQS message's visibility timeout ran out.
    Visible {
        req: u32,
    },
    Scheduled {
        index: u32,
    },
    SlowdownEnd {
        node: u32,
    },
    RuleFires {
        node: u32,
    },
}

#[derive(Debug, Clone, Copy)]
struct Event {
    at: Us,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.at == o.at && self.seq == o.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Event {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest event must
    /// come out first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

// ---------------------------------------------------------------------------
// Requests

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The caller waits (RequestResponse, HTTP).
    Sync,
    /// Lambda's internal queue: retried, may dead-letter.
    Async,
    /// An SQS/Kinesis message.
    Message,
    /// A Lambda invocation by an event source mapping, carrying messages.
    Batch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrKind {
    Throttle429,
    Bad502,
    Unavailable503,
    Timeout504,
    FunctionTimeout,
    NoRoute,
    DeadLetter,
    Dropped,
    TaskStopped,
}

impl ErrKind {
    const ALL: [ErrKind; 9] = [
        ErrKind::Throttle429,
        ErrKind::Bad502,
        ErrKind::Unavailable503,
        ErrKind::Timeout504,
        ErrKind::FunctionTimeout,
        ErrKind::NoRoute,
        ErrKind::DeadLetter,
        ErrKind::Dropped,
        ErrKind::TaskStopped,
    ];
    fn name(self) -> &'static str {
        match self {
            ErrKind::Throttle429 => "429",
            ErrKind::Bad502 => "502",
            ErrKind::Unavailable503 => "503",
            ErrKind::Timeout504 => "504",
            ErrKind::FunctionTimeout => "timeout",
            ErrKind::NoRoute => "no_route",
            ErrKind::DeadLetter => "dead_letter",
            ErrKind::Dropped => "dropped",
            ErrKind::TaskStopped => "task_stopped",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// Refused at the door (429 to a synchronous caller).
    Throttled,
    Error(ErrKind),
}

#[derive(Debug, Clone, Copy)]
struct Req {
    node: u32,
    parent: u32,
    mode: Mode,
    /// Arrival at this component.
    arrived: Us,
    /// Start of service (a worker or environment took it); for a message,
    /// when it was last received.
    service_start: Us,
    init_us: Us,
    path: u32,
    /// Traffic profile whose work distribution overrides the handler's.
    profile: u32,
    trace: u32,
    /// Batch: first message; message: next message in its batch.
    link: u32,
    /// Lambda: environment; service: task; batch: source queue.
    slot: u32,
    slot_generation: u32,
    /// Next synchronous downstream call to make.
    step: u16,
    /// Async: throttle retries; message: receive count.
    attempts: u16,
    /// Async: function errors so far.
    errors: u16,
    timed_out: bool,
    /// A synchronous downstream call failed: the request fails.
    failed: bool,
    /// When the caller was answered, if before this hop finished (a
    /// gateway that timed out answered at its timeout); 0: at the finish.
    answered: Us,
}

// ---------------------------------------------------------------------------
// Per-component state

/// A gauge and its time integral (for means).
#[derive(Debug, Clone, Copy, Default)]
struct Gauge {
    v: u64,
    integral: f64,
    last: Us,
    max: u64,
}

impl Gauge {
    #[inline]
    fn set(&mut self, now: Us, v: u64) {
        self.integral += self.v as f64 * (now - self.last) as f64;
        self.last = now;
        self.v = v;
        self.max = self.max.max(v);
    }
    #[inline]
    fn inc(&mut self, now: Us) {
        self.set(now, self.v + 1);
    }
    #[inline]
    fn dec(&mut self, now: Us) {
        self.set(now, self.v.saturating_sub(1));
    }
    fn mean(&self, end: Us) -> f64 {
        if end == 0 {
            return self.v as f64;
        }
        (self.integral + self.v as f64 * (end - self.last) as f64) / end as f64
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct SecondCounts {
    arrivals: u32,
    completions: u32,
    errors: u32,
    throttles: u32,
    cold_starts: u32,
}

#[derive(Debug, Default)]
struct Counters {
    requests: u64,
    completed: u64,
    errors: u64,
    throttled: u64,
    in_flight: u64,
    by_kind: [u64; 9],
    cold_starts: u64,
    retries: u64,
    dead_lettered: u64,
    throttles_retried: u64,
    waited: u64,
    served: u64,
    wait_sum: f64,
    service_sum: f64,
    scale_events: u64,
}

struct Node {
    id: String,
    kind: ComponentKind,
    rng: Stream,
    behaviour: Behaviour,
    sync_calls: Vec<u32>,
    async_calls: Vec<u32>,
    /// Data stores called synchronously, and whether the call writes.
    stores: Vec<(u32, bool)>,
    publishes: Vec<u32>,
    dead_letter: u32,
    /// Dependency slowdown factor.
    slow: f64,
    c: Counters,
    latency: Histogram<u64>,
    concurrency: Gauge,
    queue: Gauge,
    tasks: Gauge,
    instances: Gauge,
    second: SecondCounts,
    series: Series,
    /// API Gateway requests, SQS API calls, data-store requests: the
    /// quantity the component is billed by.
    billed_requests: u64,
    lb: LoadBalancerUsage,
}

struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Us,
}

impl TokenBucket {
    fn new(rate: f64, burst: f64) -> Self {
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            at: 0,
        }
    }
    #[inline]
    fn take(&mut self, now: Us) -> bool {
        self.tokens =
            (self.tokens + self.rate * (now - self.at) as f64 / SEC as f64).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct Rule {
    priority: u32,
    patterns: Vec<Vec<u8>>,
    target: u32,
}

#[derive(Debug, Clone, Copy, Default)]
struct Env {
    created: u64,
    last_used: Us,
    busy: bool,
    alive: bool,
    provisioned: bool,
}

struct Lambda {
    memory_mb: u32,
    arm64: bool,
    timeout: Us,
    init_us: f64,
    work: Sampler,
    /// Handler time multiplier from memory-to-CPU scaling.
    cpu_factor: f64,
    reserved: Option<u32>,
    provisioned: u32,
    envs: Vec<Env>,
    free_envs: Vec<u32>,
    /// Idle environments by creation order: the newest is reused first.
    idle: BinaryHeap<(u64, u32)>,
    busy: u32,
    created: u64,
    scaling: TokenBucket,
    max_event_age: Us,
    max_retry: u16,
    billed_mb_us: f64,
    invocations: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskState {
    /// Waiting for EC2 capacity.
    Provisioning,
    /// Starting: image pull and application start.
    Pending,
    Running,
    /// Finishing in-flight work before stopping (scale-in, Spot warning).
    Draining,
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CapacityKind {
    Fargate,
    FargateSpot,
    Ec2,
}

impl CapacityKind {
    fn slug(self) -> &'static str {
        match self {
            CapacityKind::Fargate => "fargate",
            CapacityKind::FargateSpot => "fargate_spot",
            CapacityKind::Ec2 => "ec2",
        }
    }
}

struct Provider {
    /// The capacity component, NONE for the default Fargate.
    node: u32,
    kind: CapacityKind,
    weight: u32,
    base: u32,
    live: u32,
    start_us: Us,
    zones: Vec<u8>,
    task_seconds: f64,
}

struct Task {
    state: TaskState,
    busy: u32,
    queue: VecDeque<u32>,
    provider: u8,
    zone: u8,
    /// EC2: the instance it is placed on (NONE on Fargate).
    instance: u32,
    generation: u32,
    since: Us,
}

struct Policy {
    metric: ScalingMetric,
    target: f64,
    out_cooldown: Us,
    in_cooldown: Us,
    high: u32,
    low: u32,
}

/// A step scaling policy: a one-minute alarm on `metric > threshold`,
/// then the step whose lower bound the breach reaches.
struct StepPolicy {
    metric: ScalingMetric,
    threshold: f64,
    /// (lower bound of metric - threshold, adjustment), sorted by bound.
    steps: Vec<(f64, i32)>,
    cooldown: Us,
    last: Option<Us>,
}

/// The Kubernetes Horizontal Pod Autoscaler: every 15 s, desired =
/// ceil(current x CPU / target) outside a 10% tolerance; up at once (at
/// most double or +4 pods a sync), down to the highest recommendation of
/// the last 5 minutes (the stabilisation window).
struct Hpa {
    target: f64,
    recommendations: VecDeque<(Us, u32)>,
}

const HPA_SYNC: Us = 15 * SEC;
const HPA_STABILISATION: Us = 300 * SEC;

struct Service {
    workers: u32,
    work: Sampler,
    cpu_units: u32,
    memory_mb: u32,
    tasks: Vec<Task>,
    free_tasks: Vec<u32>,
    /// The service-wide FIFO queue for callers that are not load balancers.
    queue: VecDeque<u32>,
    polled: Vec<u32>,
    desired: u32,
    min: u32,
    max: u32,
    policies: Vec<Policy>,
    step_policies: Vec<StepPolicy>,
    hpa: Option<Hpa>,
    /// Load balancer target: health check interval and deregistration
    /// delay (0 when no load balancer routes to the service).
    health_check: Us,
    deregistration: Us,
    last_out: Option<Us>,
    last_in: Option<Us>,
    providers: Vec<Provider>,
    round_robin: u32,
    busy_workers: u64,
    free_workers: u64,
    serving: u32,
    busy_integral: f64,
    capacity_integral: f64,
    integral_at: Us,
    minute_requests: u64,
    /// EC2 placement: what a task takes and where it may go.
    needs: TaskNeeds,
    rules: PlacementRules,
}

struct Queue {
    /// Kinesis: each shard takes 1,000 records/s (excess is throttled).
    write_limit: Option<TokenBucket>,
    visible: VecDeque<u32>,
    visibility: Us,
    retention: Us,
    max_receive: u16,
    consumer: Consumer,
}

enum Consumer {
    None,
    Lambda {
        node: u32,
        batch: u32,
        pollers: u32,
        max_pollers: u32,
        active: u32,
        scales: bool,
    },
    Service {
        node: u32,
    },
}

struct Capacity {
    instance_type: String,
    cpu_units: u64,
    memory_mb: u64,
    min: u32,
    max: u32,
    managed: bool,
    target_percent: u32,
    max_step: u32,
    launch: Us,
    pending: u32,
    gpus: u32,
    enis: u32,
    /// The group's zones (indices into the engine's zone list).
    zones: Vec<u8>,
    instances: Vec<Instance>,
    next_id: u32,
    /// Tasks in PROVISIONING: (service, task).
    waiting: VecDeque<(u32, u32)>,
    low_minutes: u32,
    instance_seconds: f64,
}

enum Behaviour {
    Client {
        target: u32,
    },
    Api {
        bucket: TokenBucket,
        timeout: Us,
        target: u32,
    },
    LoadBalancer {
        rules: Vec<Rule>,
        idle_timeout: Us,
        algorithm: LbAlgorithm,
    },
    Edge {
        hit_ratio: f64,
        target: u32,
    },
    Lambda(Box<Lambda>),
    Service(Box<Service>),
    Queue(Box<Queue>),
    Store {
        latency: Sampler,
        notifies: bool,
    },
    /// SNS, EventBridge: fan out to every subscriber.
    FanOut {
        period: Option<Us>,
    },
    Capacity(Box<Capacity>),
    Passive,
}

struct Profile {
    entry: u32,
    curve: Option<RateCurve>,
    trace: Vec<(Us, u32)>,
    pos: usize,
    factor: f64,
    generation: u32,
    path: u32,
    work: Option<Sampler>,
    rng: Stream,
    last: Us,
    /// Constant pattern: when the current rate began.
    origin: Us,
    /// Request plus response size, for load balancer LCUs.
    bytes: u64,
}

/// A frame of the live view: the state at one instant.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Frame {
    pub at_s: f64,
    pub finished: bool,
    pub components: Vec<FrameComponent>,
    /// Where every task and instance is.
    pub placement: PlacementNow,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FrameComponent {
    pub id: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub requests: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub completed: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub errors: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub throttled: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cold_starts: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub concurrency: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub queue_depth: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tasks: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub instances: u64,
    /// 99th percentile latency of the requests completed so far, ms.
    pub p99_ms: f64,
}

/// One simulation in progress. [`crate::simulate`] runs it to the end; the
/// live runner advances it in slices.
pub struct Simulation {
    design_name: String,
    scenario: Scenario,
    seed: u64,
    now: Us,
    end: Us,
    seq: u64,
    events: u64,
    heap: BinaryHeap<Event>,
    reqs: Vec<Req>,
    free_reqs: Vec<u32>,
    nodes: Vec<Node>,
    profiles: Vec<Profile>,
    paths: Vec<String>,
    zones: Vec<String>,
    zone_down: Vec<bool>,
    pool_used: u32,
    pool_limit: u32,
    legacy: Option<TokenBucket>,
    traces: Vec<RequestTrace>,
    trace_every: u64,
    max_traces: usize,
    client_requests: u64,
    decisions: Vec<ScaleDecision>,
    placements: Vec<PlacementSnapshot>,
    usage: Usage,
    /// When the hop that just finished answered its caller.
    child_answered: Us,
}

fn lognormal(mean_ms: f64, p99_ms: f64) -> Sampler {
    Sampler::new(&archsim_model::component::Distribution::Lognormal { mean_ms, p99_ms })
}

/// Matches an ALB path pattern: case-sensitive, `*` any run, `?` one byte.
pub fn path_matches(pattern: &[u8], path: &[u8]) -> bool {
    let (mut p, mut s) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while s < path.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == path[s]) {
            p += 1;
            s += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            mark = s;
            p += 1;
        } else if let Some(sp) = star {
            p = sp + 1;
            mark += 1;
            s = mark;
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

/// `rate(5 minutes)` -> period; `cron(...)` is not simulated (None).
fn parse_rate(schedule: &str) -> Option<Us> {
    let inner = schedule.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let mut it = inner.split_whitespace();
    let n: u64 = it.next()?.parse().ok()?;
    let unit = it.next()?;
    let s = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        _ => return None,
    };
    (n > 0).then_some(n * s * SEC)
}

impl Simulation {
    /// Prepares a run of `scenario` over `design`.
    pub fn new(design: &Design, scenario: &Scenario, opts: &RunOptions) -> Result<Self, SimError> {
        let seed = opts.seed.unwrap_or(scenario.seed);
        let duration_s = opts.duration_s.unwrap_or(scenario.duration_s);
        if !duration_s.is_finite() || duration_s <= 0.0 || duration_s > 366.0 * 86_400.0 {
            return Err(SimError::BadScenario(format!(
                "scenario \"{}\": duration {duration_s} s is not between 0 and one year",
                scenario.name
            )));
        }
        let end = (duration_s * SEC as f64).round() as Us;
        let ids: Vec<&str> = design.components().map(|c| c.id.as_str()).collect();
        let index = |id: &str| ids.binary_search(&id).ok().map(|i| i as u32);

        let mut zones = design.account.availability_zones.clone();
        if zones.is_empty() {
            zones.push("us-east-1a".into());
        }
        let mut reserved_total = 0u32;
        let mut nodes = Vec::with_capacity(ids.len());
        for comp in design.components() {
            let mut node = Node {
                id: comp.id.clone(),
                kind: comp.kind(),
                rng: stream(seed, &comp.id),
                behaviour: Behaviour::Passive,
                sync_calls: Vec::new(),
                async_calls: Vec::new(),
                stores: Vec::new(),
                publishes: Vec::new(),
                dead_letter: NONE,
                slow: 1.0,
                c: Counters::default(),
                latency: Histogram::new(3).expect("3 significant figures is valid"),
                concurrency: Gauge::default(),
                queue: Gauge::default(),
                tasks: Gauge::default(),
                instances: Gauge::default(),
                second: SecondCounts::default(),
                series: Series::default(),
                billed_requests: 0,
                lb: LoadBalancerUsage::default(),
            };
            for (conn, to) in design.outgoing(&comp.id) {
                let Some(t) = index(&to.id) else { continue };
                match &conn.kind {
                    ConnectionKind::Invoke {
                        mode: InvokeMode::Sync,
                    } if to.kind() != ComponentKind::Cognito => node.sync_calls.push(t),
                    ConnectionKind::Invoke {
                        mode: InvokeMode::Async,
                    } => node.async_calls.push(t),
                    ConnectionKind::Uses { access } if to.kind().is_data_store() => node
                        .stores
                        .push((t, access.writes() && *access != Access::Read)),
                    ConnectionKind::Publishes => node.publishes.push(t),
                    ConnectionKind::DeadLetter => node.dead_letter = t,
                    _ => {}
                }
            }
            node.behaviour = match &comp.props {
                Props::Client(_) => Behaviour::Client { target: NONE },
                Props::ApiGateway(p) => Behaviour::Api {
                    bucket: TokenBucket::new(p.throttle_rate_rps, f64::from(p.throttle_burst)),
                    timeout: u64::from(p.integration_timeout_ms) * 1000,
                    target: NONE,
                },
                Props::Alb(p) | Props::Nlb(p) => {
                    let mut rules: Vec<Rule> = Vec::new();
                    for (conn, to) in design.outgoing(&comp.id) {
                        if let ConnectionKind::Route {
                            priority,
                            conditions,
                            ..
                        } = &conn.kind
                        {
                            let Some(t) = index(&to.id) else { continue };
                            let patterns = conditions
                                .iter()
                                .filter(|c| c.field == ConditionField::PathPattern)
                                .flat_map(|c| c.values.iter().map(|v| v.as_bytes().to_vec()))
                                .collect();
                            rules.push(Rule {
                                priority: priority.unwrap_or(u32::MAX),
                                patterns,
                                target: t,
                            });
                        }
                    }
                    // Lowest priority number first; the default rule last.
                    rules.sort_by_key(|r| r.priority);
                    Behaviour::LoadBalancer {
                        rules,
                        idle_timeout: u64::from(p.idle_timeout_s) * SEC,
                        algorithm: p.algorithm,
                    }
                }
                Props::CloudFront(p) => Behaviour::Edge {
                    hit_ratio: p.cache_hit_ratio.clamp(0.0, 1.0),
                    target: NONE,
                },
                Props::LambdaFunction(p) => {
                    if let Some(r) = p.reserved_concurrency {
                        reserved_total += r;
                    }
                    let share = p.work.cpu_share.clamp(0.0, 1.0);
                    let mem = f64::from(p.memory_mb.max(1));
                    // Below 1,769 MB the CPU-bound share slows in proportion
                    // to memory; above it a single-threaded handler gains
                    // nothing (documented choice).
                    let cpu_factor = (1.0 - share) + share * (LAMBDA_FULL_VCPU_MB / mem).max(1.0);
                    let mut l = Lambda {
                        memory_mb: p.memory_mb,
                        arm64: p.architecture == archsim_model::component::Architecture::Arm64,
                        timeout: u64::from(p.timeout_s.max(1)) * SEC,
                        init_us: if p.snap_start && p.init_ms.is_none() {
                            // SnapStart restore, ~100-150 ms (SPEC-SIM.md).
                            125_000.0
                        } else {
                            p.effective_init_ms().max(0.0) * 1e3
                        },
                        work: Sampler::new(&p.work.duration),
                        cpu_factor,
                        reserved: p.reserved_concurrency,
                        provisioned: p.provisioned_concurrency,
                        envs: Vec::new(),
                        free_envs: Vec::new(),
                        idle: BinaryHeap::new(),
                        busy: 0,
                        created: 0,
                        scaling: TokenBucket::new(
                            LAMBDA_SCALING_REFILL_PER_S,
                            LAMBDA_SCALING_BUCKET,
                        ),
                        max_event_age: u64::from(p.max_event_age_s) * SEC,
                        max_retry: p.max_retry_attempts.min(2) as u16,
                        billed_mb_us: 0.0,
                        invocations: 0,
                    };
                    // Provisioned environments are initialised before the run.
                    for _ in 0..p.provisioned_concurrency {
                        let e = l.envs.len() as u32;
                        l.envs.push(Env {
                            created: l.created,
                            last_used: 0,
                            busy: false,
                            alive: true,
                            provisioned: true,
                        });
                        l.idle.push((l.created, e));
                        l.created += 1;
                    }
                    Behaviour::Lambda(Box::new(l))
                }
                Props::EcsService(_) | Props::EksWorkload(_) => Behaviour::Service(Box::new(
                    Self::build_service(design, comp, &ids, &mut zones),
                )),
                Props::SqsQueue(p) => Behaviour::Queue(Box::new(Queue {
                    write_limit: None,
                    visible: VecDeque::new(),
                    visibility: u64::from(p.visibility_timeout_s) * SEC,
                    retention: u64::from(p.message_retention_s) * SEC,
                    max_receive: p.max_receive_count.clamp(1, u32::from(u16::MAX)) as u16,
                    consumer: Consumer::None,
                })),
                Props::KinesisStream(p) => Behaviour::Queue(Box::new(Queue {
                    // On-demand streams scale their shards: no write limit
                    // simulated there.
                    write_limit: (p.mode == archsim_model::component::StreamMode::Provisioned)
                        .then(|| {
                            let r = 1000.0 * f64::from(p.shards.max(1));
                            TokenBucket::new(r, r)
                        }),
                    visible: VecDeque::new(),
                    // A failed batch is retried (after a second) until it
                    // succeeds or the record expires; no redrive.
                    visibility: SEC,
                    retention: u64::from(p.retention_hours) * 3600 * SEC,
                    max_receive: u16::MAX,
                    consumer: Consumer::None,
                })),
                Props::DynamoDbTable(p) => Behaviour::Store {
                    latency: Sampler::new(&p.latency),
                    notifies: false,
                },
                Props::AuroraServerless(p) => Behaviour::Store {
                    latency: Sampler::new(&p.latency),
                    notifies: false,
                },
                Props::Rds(p) => Behaviour::Store {
                    latency: Sampler::new(&p.latency),
                    notifies: false,
                },
                Props::S3Bucket(p) => Behaviour::Store {
                    latency: lognormal(S3_LATENCY_MEAN_MS, S3_LATENCY_P99_MS),
                    notifies: !p.events.is_empty(),
                },
                Props::SnsTopic(_) => Behaviour::FanOut { period: None },
                Props::EventBridgeRule(p) => Behaviour::FanOut {
                    period: parse_rate(&p.schedule),
                },
                Props::Ec2AutoScalingGroup(p) => {
                    let it = archsim_model::catalog::instance_type(&p.instance_type);
                    let start = p
                        .desired_capacity
                        .clamp(p.min_size, p.max_size.max(p.min_size));
                    node.instances.set(0, u64::from(start));
                    Behaviour::Capacity(Box::new(Capacity {
                        instance_type: p.instance_type.clone(),
                        cpu_units: u64::from(it.map_or(2048, |t| t.cpu_units())),
                        memory_mb: u64::from(it.map_or(8192, |t| t.memory_mib)),
                        min: p.min_size,
                        max: p.max_size.max(p.min_size),
                        managed: p.managed_scaling,
                        target_percent: p.target_capacity_percent.clamp(1, 100),
                        max_step: p.maximum_scaling_step.max(1),
                        launch: (p.launch_s.max(0.0) * SEC as f64) as Us,
                        pending: 0,
                        gpus: it.map_or(0, |t| t.gpus),
                        enis: it.map_or(2, |t| t.awsvpc_task_capacity(p.awsvpc_trunking)),
                        zones: {
                            let mut v: Vec<u8> = p
                                .availability_zones
                                .iter()
                                .map(|z| match zones.iter().position(|x| x == z) {
                                    Some(i) => i as u8,
                                    None => {
                                        zones.push(z.clone());
                                        (zones.len() - 1) as u8
                                    }
                                })
                                .collect();
                            if v.is_empty() {
                                v = (0..zones.len() as u8).collect();
                            }
                            v
                        },
                        instances: Vec::new(),
                        next_id: 0,
                        waiting: VecDeque::new(),
                        low_minutes: 0,
                        instance_seconds: 0.0,
                    }))
                }
                _ => Behaviour::Passive,
            };
            // The entry's single forward target: the first synchronous
            // callee, else the first store, else the first publish target.
            // (A client drawn to several services sends each scenario
            // profile to the first, in connection id order.)
            let forward = node
                .sync_calls
                .first()
                .copied()
                .or_else(|| node.stores.first().map(|s| s.0))
                .unwrap_or(NONE);
            match &mut node.behaviour {
                Behaviour::Client { target } | Behaviour::Edge { target, .. } => *target = forward,
                Behaviour::Api { target, .. } => {
                    *target = node.sync_calls.first().copied().unwrap_or(NONE)
                }
                _ => {}
            }
            nodes.push(node);
        }
        // Event source mappings: the queue or stream knows its consumer.
        for conn in design.connections() {
            if let ConnectionKind::Poll {
                batch_size,
                parallelization_factor,
                max_concurrency,
                ..
            } = &conn.kind
            {
                let (Some(q), Some(c)) = (index(&conn.from), index(&conn.to)) else {
                    continue;
                };
                let is_kinesis = nodes[q as usize].kind == ComponentKind::KinesisStream;
                let shards = match &design.component(&conn.from).map(|c| &c.props) {
                    Some(Props::KinesisStream(k)) => k.shards.max(1),
                    _ => 1,
                };
                let consumer = match nodes[c as usize].behaviour {
                    Behaviour::Lambda(_) if is_kinesis => {
                        let n = shards * (*parallelization_factor).clamp(1, 10);
                        Consumer::Lambda {
                            node: c,
                            batch: (*batch_size).max(1),
                            pollers: n,
                            max_pollers: n,
                            active: 0,
                            scales: false,
                        }
                    }
                    Behaviour::Lambda(_) => {
                        let max = max_concurrency
                            .unwrap_or(ESM_MAX_POLLERS)
                            .clamp(2, ESM_MAX_POLLERS);
                        Consumer::Lambda {
                            node: c,
                            batch: (*batch_size).max(1),
                            pollers: ESM_START_POLLERS.min(max),
                            max_pollers: max,
                            active: 0,
                            scales: true,
                        }
                    }
                    Behaviour::Service(_) => Consumer::Service { node: c },
                    _ => Consumer::None,
                };
                if let Behaviour::Service(s) = &mut nodes[c as usize].behaviour {
                    s.polled.push(q);
                }
                if let Behaviour::Queue(qs) = &mut nodes[q as usize].behaviour {
                    qs.consumer = consumer;
                }
            }
        }

        let mut paths = vec!["/".to_string()];
        let mut profiles = Vec::new();
        for (i, t) in scenario.traffic.iter().enumerate() {
            let where_ = format!("scenario \"{}\" traffic[{i}]", scenario.name);
            let entry = index(&t.entry).ok_or_else(|| {
                SimError::BadScenario(format!(
                    "{where_}: entry \"{}\" is not a component of the design",
                    t.entry
                ))
            })?;
            let path = intern(&mut paths, &t.request.path);
            let (curve, trace) = match &t.pattern {
                TrafficPattern::Trace { file, format } => {
                    let base = opts.base_dir.clone().unwrap_or_else(|| PathBuf::from("."));
                    let arrivals = read_trace(&base, file, *format)?;
                    let trace = arrivals
                        .into_iter()
                        .map(|a| {
                            let p = a.path.map_or(path, |p| intern(&mut paths, &p));
                            (a.at_us, p)
                        })
                        .collect();
                    (None, trace)
                }
                p => (Some(RateCurve::new(p, duration_s, &where_)?), Vec::new()),
            };
            profiles.push(Profile {
                entry,
                curve,
                trace,
                pos: 0,
                factor: 1.0,
                generation: 0,
                path,
                work: t.request.work.as_ref().map(Sampler::new),
                rng: stream(seed, &format!("traffic/{}/{i}", t.entry)),
                last: 0,
                origin: 0,
                bytes: u64::from(t.request.payload_bytes) + u64::from(t.request.response_bytes),
            });
        }
        for (i, e) in scenario.events.iter().enumerate() {
            let ok = match &e.event {
                ScenarioEvent::TrafficChange { factor, .. } => factor.is_finite() && *factor >= 0.0,
                ScenarioEvent::SpotInterruption { share, .. } => (0.0..=1.0).contains(share),
                ScenarioEvent::DependencySlowdown {
                    factor, duration_s, ..
                } => factor.is_finite() && *factor > 0.0 && *duration_s >= 0.0,
                ScenarioEvent::ZoneLoss { .. } => true,
            };
            if !ok || !e.at_s.is_finite() || e.at_s < 0.0 {
                return Err(SimError::BadScenario(format!(
                    "scenario \"{}\" events[{i}]: a time, factor or share is out of range",
                    scenario.name
                )));
            }
        }

        let account = &design.account;
        let pool_limit = account
            .lambda_concurrency_limit
            .saturating_sub(reserved_total);
        let zone_count = zones.len();
        let mut sim = Simulation {
            design_name: design.name.clone(),
            scenario: scenario.clone(),
            seed,
            now: 0,
            end,
            seq: 0,
            events: 0,
            heap: BinaryHeap::with_capacity(1024),
            reqs: Vec::with_capacity(1024),
            free_reqs: Vec::new(),
            nodes,
            profiles,
            paths,
            zones,
            zone_down: vec![false; zone_count],
            pool_used: 0,
            pool_limit,
            legacy: (account.lambda_scaling == LambdaScalingRule::LegacyBurst)
                .then(|| TokenBucket::new(LEGACY_REFILL_PER_S, LEGACY_BURST)),
            traces: Vec::new(),
            trace_every: opts.trace_every.max(1),
            max_traces: opts.max_traces,
            client_requests: 0,
            decisions: Vec::new(),
            placements: Vec::new(),
            usage: Usage::default(),
            child_answered: 0,
        };
        sim.start();
        Ok(sim)
    }

    fn build_service(
        design: &Design,
        comp: &archsim_model::Component,
        ids: &[&str],
        zones: &mut Vec<String>,
    ) -> Service {
        let index = |id: &str| ids.binary_search(&id).ok().map(|i| i as u32);
        let mut step_policies = Vec::new();
        let mut hpa = None;
        let (workers, work, desired, min, max, policies, app_start) = match &comp.props {
            Props::EcsService(p) => {
                let mut policies = Vec::new();
                if let Some(a) = &p.autoscaling {
                    for sp in &a.step {
                        let mut steps: Vec<(f64, i32)> = sp
                            .steps
                            .iter()
                            .map(|s| (s.lower_bound, s.adjustment))
                            .collect();
                        steps.sort_by(|a, b| a.0.total_cmp(&b.0));
                        step_policies.push(StepPolicy {
                            metric: sp.metric,
                            threshold: sp.alarm_threshold,
                            steps,
                            cooldown: u64::from(sp.cooldown_s) * SEC,
                            last: None,
                        });
                    }
                    for t in &a.target_tracking {
                        policies.push(Policy {
                            metric: t.metric,
                            target: t.target.max(1e-9),
                            out_cooldown: u64::from(t.scale_out_cooldown_s) * SEC,
                            in_cooldown: u64::from(t.scale_in_cooldown_s) * SEC,
                            high: 0,
                            low: 0,
                        });
                    }
                }
                (
                    p.workers_per_task.max(1),
                    Sampler::new(&p.work.duration),
                    p.desired_count,
                    p.min_count,
                    p.max_count.max(p.min_count),
                    policies,
                    p.app_start_s,
                )
            }
            Props::EksWorkload(p) => {
                let (min, max) = match &p.hpa {
                    Some(h) => {
                        hpa = Some(Hpa {
                            target: f64::from(h.target_cpu_percent.max(1)),
                            recommendations: VecDeque::new(),
                        });
                        (h.min_replicas, h.max_replicas.max(h.min_replicas))
                    }
                    None => (p.replicas, p.replicas),
                };
                (
                    p.workers_per_pod.max(1),
                    Sampler::new(&p.work.duration),
                    p.replicas,
                    min,
                    max,
                    Vec::new(),
                    5.0,
                )
            }
            _ => unreachable!("build_service is only called for services and workloads"),
        };
        // Task size and image from the task definition.
        let mut cpu_units = 256;
        let mut memory_mb = 512;
        let mut image_mb = 200.0;
        let (mut health_check, mut deregistration) = (0, 0);
        for (conn, from) in design.incoming(&comp.id) {
            if let (ConnectionKind::Route { .. }, Props::Alb(lb) | Props::Nlb(lb)) =
                (&conn.kind, &from.props)
            {
                health_check = u64::from(lb.health_check.interval_s) * SEC;
                deregistration = u64::from(lb.deregistration_delay_s) * SEC;
            }
        }
        let mut needs = TaskNeeds::default();
        let mut providers = Vec::new();
        let mut pull_rates: Vec<f64> = Vec::new();
        for (conn, to) in design.outgoing(&comp.id) {
            match (&conn.kind, &to.props) {
                (ConnectionKind::RunsTask, Props::TaskDefinition(t)) => {
                    needs = TaskNeeds::of(t);
                    cpu_units = t.cpu;
                    memory_mb = t.memory_mb;
                    image_mb = t.image_size_mb();
                }
                (ConnectionKind::RunsOn { weight, base }, props) => {
                    let (kind, overhead, pull, azs) = match props {
                        Props::Fargate(f) => (
                            CapacityKind::Fargate,
                            f.start_overhead_s,
                            f.pull_mb_per_s,
                            vec![],
                        ),
                        Props::FargateSpot(f) => (
                            CapacityKind::FargateSpot,
                            f.start_overhead_s,
                            f.pull_mb_per_s,
                            vec![],
                        ),
                        Props::Ec2AutoScalingGroup(a) => (
                            CapacityKind::Ec2,
                            0.0,
                            a.pull_mb_per_s,
                            a.availability_zones.clone(),
                        ),
                        Props::EksNodeGroup(n) => {
                            (CapacityKind::Ec2, 0.0, 50.0, n.availability_zones.clone())
                        }
                        Props::EksFargateProfile(_) => (CapacityKind::Fargate, 15.0, 25.0, vec![]),
                        _ => continue,
                    };
                    let zone_ix = azs
                        .iter()
                        .map(|z| match zones.iter().position(|x| x == z) {
                            Some(i) => i as u8,
                            None => {
                                zones.push(z.clone());
                                (zones.len() - 1) as u8
                            }
                        })
                        .collect();
                    providers.push(Provider {
                        node: if matches!(props, Props::Ec2AutoScalingGroup(_)) {
                            index(&to.id).unwrap_or(NONE)
                        } else {
                            NONE
                        },
                        kind,
                        weight: *weight,
                        base: *base,
                        live: 0,
                        // Completed below: the image size may come from
                        // a later connection.
                        start_us: (overhead.max(0.0) * SEC as f64) as Us,
                        zones: zone_ix,
                        task_seconds: 0.0,
                    });
                    pull_rates.push(pull.max(0.1));
                }
                _ => {}
            }
        }
        if let Props::EksWorkload(p) = &comp.props {
            cpu_units = (p.cpu_request_millicores * 1024).div_ceil(1000);
            memory_mb = p.memory_request_mb;
            image_mb = p.image_size_mb;
        }
        if providers.is_empty() {
            // No capacity drawn: Fargate with its defaults (or the launch type).
            let f = archsim_model::component::FargateProps::default();
            providers.push(Provider {
                node: NONE,
                kind: CapacityKind::Fargate,
                weight: 1,
                base: 0,
                live: 0,
                start_us: (f.start_overhead_s * SEC as f64) as Us,
                zones: Vec::new(),
                task_seconds: 0.0,
            });
            pull_rates.push(f.pull_mb_per_s.max(0.1));
        }
        for (p, pull) in providers.iter_mut().zip(&pull_rates) {
            // Fargate: fixed overhead + image size / pull rate + app start
            // (no image cache). EC2: the pull and the app start (the
            // per-instance image cache is not simulated yet).
            let pull_s = image_mb / pull;
            p.start_us += ((pull_s + app_start.max(0.0)) * SEC as f64) as Us;
            if p.zones.is_empty() {
                p.zones = (0..zones.len() as u8).collect();
            }
        }
        Service {
            workers,
            work,
            cpu_units,
            memory_mb,
            tasks: Vec::new(),
            free_tasks: Vec::new(),
            queue: VecDeque::new(),
            polled: Vec::new(),
            desired: desired.clamp(min, max),
            min,
            max,
            policies,
            step_policies,
            hpa,
            health_check,
            deregistration,
            last_out: None,
            last_in: None,
            providers,
            round_robin: 0,
            busy_workers: 0,
            free_workers: 0,
            serving: 0,
            busy_integral: 0.0,
            capacity_integral: 0.0,
            integral_at: 0,
            minute_requests: 0,
            needs,
            rules: match &comp.props {
                Props::EcsService(p) => {
                    PlacementRules::new(&p.placement_strategies, &p.placement_constraints)
                }
                _ => PlacementRules::default(),
            },
        }
    }

    /// Schedules the first arrivals, ticks, evaluations and scenario events,
    /// and starts the initial tasks.
    fn start(&mut self) {
        for p in 0..self.profiles.len() {
            self.schedule_next_arrival(p as u32);
        }
        self.push(SEC, Ev::Tick);
        for i in 0..self.events_len() {
            let at = (self.scenario.events[i].event_at() * SEC as f64).round() as Us;
            self.push(at, Ev::Scheduled { index: i as u32 });
        }
        // Capacity first, so the initial tasks find their instances.
        let is_capacity = |n: &Node| matches!(n.behaviour, Behaviour::Capacity(_));
        let order: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| is_capacity(&self.nodes[n]))
            .chain((0..self.nodes.len()).filter(|&n| !is_capacity(&self.nodes[n])))
            .collect();
        for n in order {
            let node = n as u32;
            match &self.nodes[n].behaviour {
                Behaviour::Service(s) => {
                    let desired = s.desired;
                    // The run starts in steady state: the desired tasks
                    // are already running (documented choice).
                    for _ in 0..desired {
                        self.launch_task(node, true);
                    }
                    let s = self.svc(node);
                    if s.hpa.is_some() {
                        self.push(HPA_SYNC, Ev::ScaleEval { node });
                    } else if !s.policies.is_empty() || !s.step_policies.is_empty() {
                        self.push(60 * SEC, Ev::ScaleEval { node });
                    }
                }
                Behaviour::Queue(q) => {
                    if matches!(q.consumer, Consumer::Lambda { scales: true, .. }) {
                        self.push(60 * SEC, Ev::PollerScale { node });
                    }
                }
                Behaviour::Capacity(c) => {
                    let managed = c.managed;
                    // The group starts at its desired capacity, balanced
                    // across its zones.
                    for _ in 0..self.nodes[n].instances.v {
                        self.add_instance(node);
                    }
                    if managed {
                        self.push(60 * SEC, Ev::CapacityEval { node });
                    }
                }
                Behaviour::FanOut { period: Some(p) } => {
                    let p = *p;
                    self.push(p, Ev::RuleFires { node });
                }
                _ => {}
            }
        }
    }

    fn events_len(&self) -> usize {
        self.scenario.events.len()
    }

    #[inline]
    fn push(&mut self, at: Us, ev: Ev) {
        self.seq += 1;
        self.heap.push(Event {
            at,
            seq: self.seq,
            ev,
        });
    }

    /// Simulated time, seconds.
    pub fn now_s(&self) -> f64 {
        self.now as f64 / SEC as f64
    }

    pub fn duration_s(&self) -> f64 {
        self.end as f64 / SEC as f64
    }

    pub fn is_finished(&self) -> bool {
        self.heap.peek().is_none_or(|e| e.at > self.end)
    }

    /// Processes every event up to `t_s` seconds (capped at the end).
    pub fn run_until(&mut self, t_s: f64) {
        let limit = ((t_s.max(0.0) * SEC as f64) as Us).min(self.end);
        while let Some(e) = self.heap.peek() {
            if e.at > limit {
                break;
            }
            let e = self.heap.pop().expect("peeked");
            self.now = e.at;
            self.events += 1;
            self.handle(e.ev);
        }
        self.now = self.now.max(limit);
    }

    /// Applies a scenario event now (the live runner's "inject").
    pub fn inject(&mut self, event: ScenarioEvent) {
        self.apply_event(&event);
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival {
                profile,
                generation,
            } => self.on_arrival(profile, generation),
            Ev::Tick => self.on_tick(),
            Ev::WorkDone { req } => self.on_work_done(req),
            Ev::Answer { req } => self.finish(req, Outcome::Ok),
            Ev::AsyncRetry { req } => self.lambda_start(req),
            Ev::TaskReady {
                node,
                task,
                generation,
            } => self.on_task_ready(node, task, generation),
            Ev::TaskStop {
                node,
                task,
                generation,
            } => {
                if self.svc(node).tasks[task as usize].generation == generation {
                    self.stop_task(node, task);
                    self.reconcile(node);
                }
            }
            Ev::ScaleEval { node } => self.on_scale_eval(node),
            Ev::CapacityEval { node } => self.on_capacity_eval(node),
            Ev::InstanceReady { node } => {
                if let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour {
                    c.pending = c.pending.saturating_sub(1);
                }
                self.add_instance(node);
                self.place_waiting(node);
            }
            Ev::PollerScale { node } => self.on_poller_scale(node),
            Ev::Visible { req } => self.on_visible(req),
            Ev::Scheduled { index } => {
                let e = self.scenario.events[index as usize].event.clone();
                self.apply_event(&e);
            }
            Ev::SlowdownEnd { node } => self.nodes[node as usize].slow = 1.0,
            Ev::RuleFires { node } => {
                self.arrive(node, NONE, Mode::Async, NONE, NONE);
                if let Behaviour::FanOut { period: Some(p) } = self.nodes[node as usize].behaviour {
                    self.push(self.now + p, Ev::RuleFires { node });
                }
            }
        }
    }

    // --- traffic -----------------------------------------------------------

    fn schedule_next_arrival(&mut self, p: u32) {
        let end = self.end;
        let prof = &mut self.profiles[p as usize];
        let next = if let Some(curve) = &prof.curve {
            match curve {
                RateCurve::Constant(r) => {
                    let rate = r * prof.factor;
                    if rate <= 0.0 {
                        None
                    } else {
                        // The k-th arrival after the last rate change, from
                        // the exact spacing: rounding each gap would drift.
                        let k = prof.pos as f64;
                        prof.pos += 1;
                        Some(prof.origin + (k * SEC as f64 / rate).round() as Us)
                    }
                }
                _ => {
                    let peak = curve.peak() * prof.factor;
                    if peak <= 0.0 {
                        None
                    } else {
                        let mut t = prof.last as f64 / SEC as f64;
                        let end_s = end as f64 / SEC as f64;
                        loop {
                            t += exp1(&mut prof.rng) / peak;
                            if t > end_s {
                                break None;
                            }
                            // A homogeneous process keeps every candidate.
                            if matches!(curve, RateCurve::Poisson(_))
                                || uniform(&mut prof.rng) * peak <= curve.rate(t) * prof.factor
                            {
                                break Some((t * SEC as f64) as Us);
                            }
                        }
                    }
                }
            }
        } else {
            let mut found = None;
            while prof.pos < prof.trace.len() {
                let (at, _) = prof.trace[prof.pos];
                // A traffic change thins a replayed trace (factors above 1
                // cannot add requests that were never logged).
                if prof.factor >= 1.0 || uniform(&mut prof.rng) < prof.factor {
                    found = Some(at);
                    break;
                }
                prof.pos += 1;
            }
            found
        };
        // The run covers [0, end): an arrival at the end falls outside.
        if let Some(at) = next.filter(|&at| at < end) {
            let generation = prof.generation;
            prof.last = at;
            self.push(
                at,
                Ev::Arrival {
                    profile: p,
                    generation,
                },
            );
        }
    }

    fn on_arrival(&mut self, p: u32, generation: u32) {
        let prof = &mut self.profiles[p as usize];
        if prof.generation != generation {
            return;
        }
        let (entry, path) = if prof.curve.is_none() {
            let (_, path) = prof.trace[prof.pos];
            prof.pos += 1;
            (prof.entry, path)
        } else {
            (prof.entry, prof.path)
        };
        self.client_requests += 1;
        let trace = if self.traces.len() < self.max_traces
            && (self.client_requests - 1).is_multiple_of(self.trace_every)
        {
            self.traces.push(RequestTrace {
                entry: self.nodes[entry as usize].id.clone(),
                start_s: self.now as f64 / SEC as f64,
                segments: Vec::new(),
            });
            (self.traces.len() - 1) as u32
        } else {
            NONE
        };
        self.arrive_with(entry, NONE, Mode::Sync, path, p, trace);
        self.schedule_next_arrival(p);
    }

    // --- requests ----------------------------------------------------------

    fn alloc(&mut self, r: Req) -> u32 {
        if let Some(i) = self.free_reqs.pop() {
            self.reqs[i as usize] = r;
            i
        } else {
            self.reqs.push(r);
            (self.reqs.len() - 1) as u32
        }
    }

    /// A request arrives at `node` from `parent`, inheriting its attributes.
    fn arrive(&mut self, node: u32, parent: u32, mode: Mode, path: u32, trace: u32) -> u32 {
        let (path, profile, trace) = if parent != NONE {
            let p = self.reqs[parent as usize];
            (p.path, p.profile, p.trace)
        } else {
            (if path == NONE { 0 } else { path }, NONE, trace)
        };
        self.arrive_with(node, parent, mode, path, profile, trace)
    }

    fn arrive_with(
        &mut self,
        node: u32,
        parent: u32,
        mode: Mode,
        path: u32,
        profile: u32,
        trace: u32,
    ) -> u32 {
        let now = self.now;
        let r = self.alloc(Req {
            node,
            parent,
            mode,
            arrived: now,
            service_start: now,
            init_us: 0,
            path,
            profile,
            trace,
            link: NONE,
            slot: NONE,
            slot_generation: 0,
            step: 0,
            attempts: 0,
            errors: 0,
            timed_out: false,
            failed: false,
            answered: 0,
        });
        let n = &mut self.nodes[node as usize];
        n.c.requests += 1;
        n.c.in_flight += 1;
        n.second.arrivals += 1;
        if !matches!(n.behaviour, Behaviour::Lambda(_) | Behaviour::Service(_)) {
            n.concurrency.inc(now);
        }
        self.dispatch(r);
        r
    }

    fn dispatch(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        match &mut n.behaviour {
            Behaviour::Client { target } | Behaviour::Edge { target, .. } if *target == NONE => {
                // Nothing to call synchronously: a client that only sends
                // messages or events (SQS, SNS, EventBridge).
                self.side_effects(r);
                self.finish(r, Outcome::Ok)
            }
            Behaviour::Client { target } => {
                let t = *target;
                self.call(r, t);
            }
            Behaviour::Edge { hit_ratio, target } => {
                let (h, t) = (*hit_ratio, *target);
                if uniform(&mut n.rng) < h {
                    self.finish(r, Outcome::Ok);
                } else {
                    self.call(r, t);
                }
            }
            Behaviour::Api { bucket, target, .. } => {
                if !bucket.take(now) {
                    self.finish(r, Outcome::Throttled);
                    return;
                }
                let t = *target;
                n.billed_requests += 1;
                if t != NONE {
                    self.call(r, t);
                } else {
                    self.side_effects(r);
                    self.finish(r, Outcome::Ok);
                }
            }
            Behaviour::LoadBalancer { rules, .. } => {
                let path = self.paths[self.reqs[r as usize].path as usize].as_bytes();
                let mut evaluated = 0;
                let mut target = NONE;
                for rule in rules.iter() {
                    evaluated += 1;
                    if rule.patterns.is_empty()
                        || rule.patterns.iter().any(|p| path_matches(p, path))
                    {
                        target = rule.target;
                        break;
                    }
                }
                let u = &mut n.lb;
                u.requests += 1;
                u.new_connections += 1;
                u.rule_evaluations += evaluated;
                let profile = self.reqs[r as usize].profile;
                u.processed_bytes += if profile == NONE {
                    1_024 + 4_096
                } else {
                    self.profiles[profile as usize].bytes
                };
                if target == NONE {
                    self.finish(r, Outcome::Error(ErrKind::NoRoute));
                } else {
                    self.call(r, target);
                }
            }
            Behaviour::Lambda(_) => self.lambda_start(r),
            Behaviour::Service(_) => self.service_arrive(r),
            Behaviour::Queue(q) => {
                if let Some(limit) = &mut q.write_limit
                    && !limit.take(now)
                {
                    self.finish(r, Outcome::Throttled);
                    return;
                }
                n.billed_requests += 1;
                self.enqueue(node, r)
            }
            Behaviour::Store { .. } => {
                let lat = self.store_call(node, true);
                self.push(now + lat, Ev::Answer { req: r });
            }
            Behaviour::FanOut { .. } => {
                self.side_effects(r);
                self.finish(r, Outcome::Ok);
            }
            Behaviour::Capacity(_) | Behaviour::Passive => self.finish(r, Outcome::Ok),
        }
    }

    /// A synchronous call from request `r` to `target`.
    fn call(&mut self, r: u32, target: u32) {
        self.arrive(target, r, Mode::Sync, NONE, NONE);
    }

    /// Fire-and-forget effects of a successful handler: asynchronous
    /// invocations, messages published, and fan-out of topics and rules.
    fn side_effects(&mut self, r: u32) {
        let node = self.reqs[r as usize].node as usize;
        let fanout = matches!(self.nodes[node].behaviour, Behaviour::FanOut { .. });
        for i in 0..self.nodes[node].async_calls.len() {
            let t = self.nodes[node].async_calls[i];
            self.arrive(t, NONE, Mode::Async, self.reqs[r as usize].path, NONE);
        }
        if fanout {
            for i in 0..self.nodes[node].sync_calls.len() {
                let t = self.nodes[node].sync_calls[i];
                self.arrive(t, NONE, Mode::Async, self.reqs[r as usize].path, NONE);
            }
        }
        for i in 0..self.nodes[node].publishes.len() {
            let t = self.nodes[node].publishes[i];
            let mode = if matches!(self.nodes[t as usize].behaviour, Behaviour::Queue(_)) {
                Mode::Message
            } else {
                Mode::Async
            };
            self.arrive(t, NONE, mode, self.reqs[r as usize].path, NONE);
        }
    }

    /// A synchronous data-store call made inline by a handler: counted at
    /// the store, its latency returned. S3 writes notify subscribers.
    fn store_call(&mut self, store: u32, writes: bool) -> Us {
        let n = &mut self.nodes[store as usize];
        let Behaviour::Store { latency, notifies } = &n.behaviour else {
            return 0;
        };
        let notifies = *notifies && writes;
        let lat = (latency.sample(&mut n.rng) * n.slow) as Us;
        n.billed_requests += 1;
        if notifies {
            for i in 0..n.async_calls.len() {
                let t = self.nodes[store as usize].async_calls[i];
                self.arrive(t, NONE, Mode::Async, 0, NONE);
            }
        }
        lat
    }

    /// Inline store calls of a handler: counted at the stores (a request
    /// that completes at once with the sampled latency).
    fn handler_store_latency(&mut self, node: u32) -> Us {
        let mut total = 0;
        for i in 0..self.nodes[node as usize].stores.len() {
            let (s, writes) = self.nodes[node as usize].stores[i];
            let lat = self.store_call(s, writes);
            let sn = &mut self.nodes[s as usize];
            sn.c.requests += 1;
            sn.c.completed += 1;
            sn.c.served += 1;
            sn.c.service_sum += lat as f64;
            sn.second.arrivals += 1;
            sn.second.completions += 1;
            let _ = sn.latency.record(lat.max(1));
            // Little's law for stores: the call occupies the store for its
            // latency; account the integral directly.
            sn.concurrency.integral += lat as f64;
            total += lat;
        }
        total
    }

    fn work_sample(&mut self, node: u32, profile: u32) -> f64 {
        let n = &mut self.nodes[node as usize];
        let s = if profile != NONE {
            self.profiles[profile as usize].work.as_ref()
        } else {
            None
        };
        let base = match (&n.behaviour, s) {
            (_, Some(s)) => s.sample(&mut n.rng),
            (Behaviour::Lambda(l), None) => l.work.sample(&mut n.rng),
            (Behaviour::Service(sv), None) => sv.work.sample(&mut n.rng),
            _ => 0.0,
        };
        base * n.slow
    }

    /// A request leaves its component with `outcome`; its caller continues.
    fn finish(&mut self, r: u32, outcome: Outcome) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let n = &mut self.nodes[req.node as usize];
        n.c.in_flight -= 1;
        // A gateway that timed out answered its caller at the timeout.
        let end = if req.answered > 0 {
            req.answered.min(now)
        } else {
            now
        };
        let lat = end - req.arrived;
        match outcome {
            Outcome::Ok => {
                n.c.completed += 1;
                n.second.completions += 1;
                let _ = n.latency.record(lat.max(1));
            }
            Outcome::Throttled => {
                n.c.throttled += 1;
                n.second.throttles += 1;
            }
            Outcome::Error(k) => {
                n.c.errors += 1;
                n.c.by_kind[k as usize] += 1;
                n.second.errors += 1;
                let _ = n.latency.record(lat.max(1));
            }
        }
        if !matches!(n.behaviour, Behaviour::Lambda(_) | Behaviour::Service(_)) {
            n.concurrency.dec(now);
            if outcome != Outcome::Throttled {
                n.c.served += 1;
                n.c.service_sum += lat as f64;
            }
        }
        if req.trace != NONE {
            let seg = Segment {
                component: n.id.clone(),
                start_ms: req.arrived as f64 / 1e3,
                end_ms: end as f64 / 1e3,
                queued_ms: req.service_start.saturating_sub(req.arrived) as f64 / 1e3,
                init_ms: req.init_us as f64 / 1e3,
                outcome: match outcome {
                    Outcome::Ok => "ok".into(),
                    Outcome::Throttled => "throttled".into(),
                    Outcome::Error(k) => k.name().into(),
                },
            };
            self.traces[req.trace as usize].segments.push(seg);
        }
        self.free_reqs.push(r);
        if req.parent != NONE {
            self.child_answered = end;
            self.child_returned(req.parent, outcome);
        }
    }

    fn child_returned(&mut self, p: u32, outcome: Outcome) {
        let now = self.now;
        let parent = self.reqs[p as usize];
        let node = parent.node;
        let elapsed = now - parent.arrived;
        // Pass-through components answer when their callee answered.
        let answered = self.child_answered;
        match &self.nodes[node as usize].behaviour {
            Behaviour::Client { .. } | Behaviour::Edge { .. } => {
                self.reqs[p as usize].answered = answered;
                let o = match outcome {
                    Outcome::Throttled => Outcome::Error(ErrKind::Throttle429),
                    o => o,
                };
                self.finish(p, o);
            }
            Behaviour::Api { timeout, .. } => {
                let timeout = *timeout;
                self.reqs[p as usize].answered = answered;
                let o = if elapsed > timeout {
                    // The client got a 504 at the timeout; the callee kept
                    // running. The 504 is counted when the callee returns
                    // (no timer per request on the hot path), with the
                    // latency the client saw.
                    self.reqs[p as usize].answered = parent.arrived + timeout;
                    Outcome::Error(ErrKind::Timeout504)
                } else {
                    match outcome {
                        Outcome::Ok => {
                            self.side_effects(p);
                            Outcome::Ok
                        }
                        Outcome::Throttled | Outcome::Error(ErrKind::Throttle429) => {
                            Outcome::Error(ErrKind::Throttle429)
                        }
                        Outcome::Error(ErrKind::Timeout504) => Outcome::Error(ErrKind::Timeout504),
                        Outcome::Error(_) => Outcome::Error(ErrKind::Bad502),
                    }
                };
                self.finish(p, o);
            }
            Behaviour::LoadBalancer { idle_timeout, .. } => {
                let idle_timeout = *idle_timeout;
                self.reqs[p as usize].answered = answered;
                let o = if elapsed > idle_timeout {
                    self.reqs[p as usize].answered = parent.arrived + idle_timeout;
                    Outcome::Error(ErrKind::Timeout504)
                } else {
                    match outcome {
                        Outcome::Ok => Outcome::Ok,
                        Outcome::Error(ErrKind::Unavailable503) => {
                            Outcome::Error(ErrKind::Unavailable503)
                        }
                        Outcome::Error(ErrKind::Timeout504) => Outcome::Error(ErrKind::Timeout504),
                        _ => Outcome::Error(ErrKind::Bad502),
                    }
                };
                self.finish(p, o);
            }
            Behaviour::Lambda(_) | Behaviour::Service(_) => {
                if outcome != Outcome::Ok {
                    self.reqs[p as usize].failed = true;
                }
                self.continue_handler(p);
            }
            Behaviour::Queue(_) => {
                // A service consumer processed the message.
                if outcome == Outcome::Ok {
                    // DeleteMessage.
                    self.nodes[node as usize].billed_requests += 1;
                    self.finish(p, Outcome::Ok);
                } else {
                    self.message_failed(p);
                }
            }
            _ => self.finish(p, outcome),
        }
    }

    // --- Lambda ------------------------------------------------------------

    fn lambda(&mut self, node: u32) -> &mut Lambda {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Lambda(l) => l,
            _ => unreachable!("not a Lambda function"),
        }
    }

    /// Takes an execution environment: `Some((env, cold))`, or `None` when
    /// throttled by concurrency or the scaling rate.
    fn lambda_acquire(&mut self, node: u32) -> Option<(u32, bool)> {
        let now = self.now;
        let (pool_used, pool_limit) = (self.pool_used, self.pool_limit);
        let n = &mut self.nodes[node as usize];
        let Behaviour::Lambda(l) = &mut n.behaviour else {
            return None;
        };
        match l.reserved {
            Some(cap) if l.busy >= cap => return None,
            None if pool_used >= pool_limit => return None,
            _ => {}
        }
        let (env, cold) = if let Some((_, e)) = l.idle.pop() {
            (e, false)
        } else {
            let token = match &mut self.legacy {
                Some(b) => b.take(now),
                None => l.scaling.take(now),
            };
            if !token {
                return None;
            }
            let env = Env {
                created: l.created,
                last_used: now,
                busy: false,
                alive: true,
                provisioned: false,
            };
            l.created += 1;
            let e = match l.free_envs.pop() {
                Some(e) => {
                    l.envs[e as usize] = env;
                    e
                }
                None => {
                    l.envs.push(env);
                    (l.envs.len() - 1) as u32
                }
            };
            n.c.cold_starts += 1;
            n.second.cold_starts += 1;
            (e, true)
        };
        l.envs[env as usize].busy = true;
        l.busy += 1;
        if l.reserved.is_none() {
            self.pool_used += 1;
        }
        let b = u64::from(l.busy);
        n.concurrency.set(now, b);
        Some((env, cold))
    }

    fn lambda_start(&mut self, r: u32) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let node = req.node;
        let Some((env, cold)) = self.lambda_acquire(node) else {
            self.lambda_throttled(r);
            return;
        };
        let batch = if req.mode == Mode::Batch {
            self.batch_len(r)
        } else {
            1
        };
        let mut work = 0.0;
        for _ in 0..batch {
            work += self.work_sample(node, req.profile);
        }
        let stores = self.handler_store_latency(node);
        let l = self.lambda(node);
        let init = if cold { l.init_us as Us } else { 0 };
        let duration = init + (work * l.cpu_factor) as Us + stores;
        let timeout = l.timeout;
        l.invocations += 1;
        let rq = &mut self.reqs[r as usize];
        rq.slot = env;
        rq.service_start = now;
        rq.init_us = init;
        rq.step = 0;
        rq.failed = false;
        rq.timed_out = duration > timeout;
        let n = &mut self.nodes[node as usize];
        let wait = now - req.arrived;
        n.c.served += 1;
        n.c.wait_sum += wait as f64;
        if wait > 0 {
            n.c.waited += 1;
        }
        self.push(now + duration.min(timeout), Ev::WorkDone { req: r });
    }

    fn batch_len(&self, r: u32) -> u32 {
        let mut n = 0;
        let mut m = self.reqs[r as usize].link;
        while m != NONE {
            n += 1;
            m = self.reqs[m as usize].link;
        }
        n
    }

    fn lambda_throttled(&mut self, r: u32) {
        let now = self.now;
        let req = self.reqs[r as usize];
        match req.mode {
            Mode::Sync | Mode::Message => self.finish(r, Outcome::Throttled),
            Mode::Async => {
                // Lambda's internal queue retries throttles with backoff
                // (1 s doubling, up to 5 min) for up to the maximum event age.
                let backoff = (SEC << req.attempts.min(20)).min(ASYNC_BACKOFF_MAX);
                let l = self.lambda(req.node);
                let age_limit = l.max_event_age;
                let n = &mut self.nodes[req.node as usize];
                n.c.throttles_retried += 1;
                n.second.throttles += 1;
                if now + backoff - req.arrived > age_limit {
                    self.dead_letter(r);
                } else {
                    n.c.retries += 1;
                    self.reqs[r as usize].attempts += 1;
                    self.push(now + backoff, Ev::AsyncRetry { req: r });
                }
            }
            Mode::Batch => {
                self.batch_done(r, false);
                self.finish(r, Outcome::Throttled);
            }
        }
    }

    fn on_work_done(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        if matches!(self.nodes[node as usize].behaviour, Behaviour::Service(_)) {
            let req = self.reqs[r as usize];
            let task = &self.svc(node).tasks[req.slot as usize];
            if task.generation != req.slot_generation {
                // The task stopped under the request (zone loss, Spot).
                self.finish(r, Outcome::Error(ErrKind::TaskStopped));
                return;
            }
        }
        if self.reqs[r as usize].timed_out {
            self.handler_done(r, Outcome::Error(ErrKind::FunctionTimeout));
            return;
        }
        self.continue_handler(r);
    }

    /// After its own work, a handler makes its synchronous calls in order,
    /// then completes.
    fn continue_handler(&mut self, r: u32) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let node = req.node;
        if let Behaviour::Lambda(l) = &self.nodes[node as usize].behaviour
            && now - req.service_start > l.timeout
        {
            self.handler_done(r, Outcome::Error(ErrKind::FunctionTimeout));
            return;
        }
        let calls = &self.nodes[node as usize].sync_calls;
        if (req.step as usize) < calls.len() && !req.failed {
            let t = calls[req.step as usize];
            self.reqs[r as usize].step += 1;
            self.call(r, t);
            return;
        }
        if req.failed {
            self.handler_done(r, Outcome::Error(ErrKind::Bad502));
        } else {
            self.side_effects(r);
            self.handler_done(r, Outcome::Ok);
        }
    }

    /// Releases the environment or worker and reports the result.
    fn handler_done(&mut self, r: u32, outcome: Outcome) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let node = req.node;
        let n = &mut self.nodes[node as usize];
        match &mut n.behaviour {
            Behaviour::Lambda(l) => {
                let e = &mut l.envs[req.slot as usize];
                e.busy = false;
                e.last_used = now;
                l.idle.push((e.created, req.slot));
                l.busy -= 1;
                if l.reserved.is_none() {
                    self.pool_used -= 1;
                }
                // Billed in 1 ms steps; a timed-out invocation is billed for
                // the timeout. Init is billed too (AWS bills INIT since 2025).
                let used = (now - req.service_start).min(l.timeout);
                l.billed_mb_us += f64::from(l.memory_mb) * (used.div_ceil(1000) * 1000) as f64;
                n.c.service_sum += (now - req.service_start) as f64;
                let b = u64::from(l.busy);
                n.concurrency.set(now, b);
                self.lambda_result(r, outcome);
            }
            Behaviour::Service(_) => {
                let task = req.slot;
                n.c.service_sum += (now - req.service_start) as f64;
                self.release_worker(node, task);
                self.finish(r, outcome);
                self.service_pull(node);
            }
            _ => self.finish(r, outcome),
        }
    }

    fn lambda_result(&mut self, r: u32, outcome: Outcome) {
        let now = self.now;
        let req = self.reqs[r as usize];
        match req.mode {
            Mode::Sync | Mode::Message => self.finish(r, outcome),
            Mode::Async => {
                if outcome == Outcome::Ok {
                    self.finish(r, Outcome::Ok);
                    return;
                }
                let max_retry = self.lambda(req.node).max_retry;
                let age_limit = self.lambda(req.node).max_event_age;
                // Function errors: retried twice, 1 min then 2 min later.
                let delay = ASYNC_ERROR_RETRY * (u64::from(req.errors) + 1);
                if req.errors < max_retry && now + delay - req.arrived <= age_limit {
                    self.reqs[r as usize].errors += 1;
                    self.nodes[req.node as usize].c.retries += 1;
                    self.push(now + delay, Ev::AsyncRetry { req: r });
                } else {
                    self.dead_letter(r);
                }
            }
            Mode::Batch => {
                self.batch_done(r, outcome == Outcome::Ok);
                self.finish(r, outcome);
            }
        }
    }

    /// An asynchronous event that ran out of retries or age: to the DLQ or
    /// on-failure destination if there is one, else dropped.
    fn dead_letter(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let dlq = self.nodes[node as usize].dead_letter;
        if dlq != NONE {
            self.nodes[node as usize].c.dead_lettered += 1;
            let path = self.reqs[r as usize].path;
            let mode = if matches!(self.nodes[dlq as usize].behaviour, Behaviour::Queue(_)) {
                Mode::Message
            } else {
                Mode::Async
            };
            self.arrive(dlq, NONE, mode, path, NONE);
            self.finish(r, Outcome::Error(ErrKind::DeadLetter));
        } else {
            self.finish(r, Outcome::Error(ErrKind::Dropped));
        }
    }

    fn expire_idle(&mut self) {
        let now = self.now;
        for n in &mut self.nodes {
            let Behaviour::Lambda(l) = &mut n.behaviour else {
                continue;
            };
            if l.idle.is_empty() {
                continue;
            }
            let envs = &mut l.envs;
            let free = &mut l.free_envs;
            l.idle.retain(|&(_, e)| {
                let env = &mut envs[e as usize];
                if !env.provisioned && env.last_used + LAMBDA_IDLE_EXPIRY <= now {
                    env.alive = false;
                    free.push(e);
                    false
                } else {
                    true
                }
            });
        }
    }

    // --- SQS and event source mappings -----------------------------------

    fn queue(&mut self, node: u32) -> &mut Queue {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Queue(q) => q,
            _ => unreachable!("not a queue"),
        }
    }

    fn enqueue(&mut self, node: u32, r: u32) {
        let now = self.now;
        self.queue(node).visible.push_back(r);
        let n = &mut self.nodes[node as usize];
        n.queue.inc(now);
        self.poll(node);
    }

    /// Hands visible messages to the consumer while it has room.
    fn poll(&mut self, node: u32) {
        let now = self.now;
        let q = self.queue(node);
        match q.consumer {
            Consumer::None => {}
            Consumer::Service { node: svc } => self.service_pull(svc),
            Consumer::Lambda {
                node: f,
                batch,
                pollers,
                active,
                ..
            } => {
                let mut active = active;
                while active < pollers && !self.queue(node).visible.is_empty() {
                    let take = (batch as usize).min(self.queue(node).visible.len());
                    let mut head = NONE;
                    let mut tail = NONE;
                    for _ in 0..take {
                        let m = self.queue(node).visible.pop_front().expect("non-empty");
                        let rm = &mut self.reqs[m as usize];
                        rm.attempts += 1;
                        rm.service_start = now;
                        rm.link = NONE;
                        if head == NONE {
                            head = m;
                        } else {
                            self.reqs[tail as usize].link = m;
                        }
                        tail = m;
                    }
                    let n = &mut self.nodes[node as usize];
                    let depth = n.queue.v - take as u64;
                    n.queue.set(now, depth);
                    n.billed_requests += 1;
                    active += 1;
                    if let Consumer::Lambda { active: a, .. } = &mut self.queue(node).consumer {
                        *a = active;
                    }
                    let path = self.reqs[head as usize].path;
                    let b = self.alloc_batch(f, node, head, path);
                    self.dispatch(b);
                    active = match self.queue(node).consumer {
                        Consumer::Lambda { active, .. } => active,
                        _ => active,
                    };
                }
            }
        }
    }

    fn alloc_batch(&mut self, f: u32, queue: u32, head: u32, path: u32) -> u32 {
        let now = self.now;
        let b = self.alloc(Req {
            node: f,
            parent: NONE,
            mode: Mode::Batch,
            arrived: now,
            service_start: now,
            init_us: 0,
            path,
            profile: NONE,
            trace: NONE,
            link: head,
            slot: NONE,
            slot_generation: queue,
            step: 0,
            attempts: 0,
            errors: 0,
            timed_out: false,
            failed: false,
            answered: 0,
        });
        let n = &mut self.nodes[f as usize];
        n.c.requests += 1;
        n.c.in_flight += 1;
        n.second.arrivals += 1;
        b
    }

    /// A batch finished: its messages are deleted, or return to the queue
    /// after the visibility timeout.
    fn batch_done(&mut self, b: u32, ok: bool) {
        let queue = self.reqs[b as usize].slot_generation;
        let mut m = self.reqs[b as usize].link;
        while m != NONE {
            let next = self.reqs[m as usize].link;
            self.reqs[m as usize].link = NONE;
            if ok {
                self.finish(m, Outcome::Ok);
            } else {
                self.message_failed(m);
            }
            m = next;
        }
        if ok {
            // DeleteMessageBatch.
            self.nodes[queue as usize].billed_requests += 1;
        }
        if let Consumer::Lambda { active, .. } = &mut self.queue(queue).consumer {
            *active = active.saturating_sub(1);
        }
        self.poll(queue);
    }

    fn message_failed(&mut self, m: u32) {
        let req = self.reqs[m as usize];
        let q = self.queue(req.node);
        let at = req.service_start + q.visibility;
        self.push(at.max(self.now), Ev::Visible { req: m });
    }

    fn on_visible(&mut self, m: u32) {
        let now = self.now;
        let req = self.reqs[m as usize];
        let node = req.node;
        let q = self.queue(node);
        let (max_receive, retention) = (q.max_receive, q.retention);
        if req.attempts >= max_receive {
            // Redrive: after maxReceiveCount the message goes to the DLQ.
            let dlq = self.nodes[node as usize].dead_letter;
            if dlq != NONE {
                self.nodes[node as usize].c.dead_lettered += 1;
                self.arrive(dlq, NONE, Mode::Message, req.path, NONE);
                self.finish(m, Outcome::Error(ErrKind::DeadLetter));
                return;
            }
        }
        if now - req.arrived > retention {
            self.finish(m, Outcome::Error(ErrKind::Dropped));
            return;
        }
        self.nodes[node as usize].c.retries += 1;
        self.enqueue(node, m);
    }

    fn on_poller_scale(&mut self, node: u32) {
        let waiting = !self.queue(node).visible.is_empty();
        if let Consumer::Lambda {
            pollers,
            max_pollers,
            active,
            ..
        } = &mut self.queue(node).consumer
        {
            *pollers = if waiting {
                (*pollers + ESM_POLLER_STEP).min(*max_pollers)
            } else {
                (*active).max(ESM_START_POLLERS).min(*max_pollers)
            };
        }
        self.poll(node);
        self.push(self.now + 60 * SEC, Ev::PollerScale { node });
    }

    // --- ECS services ------------------------------------------------------

    fn svc(&mut self, node: u32) -> &mut Service {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Service(s) => s,
            _ => unreachable!("not a service"),
        }
    }

    /// Keeps the CPU-utilisation integrals up to date before a change.
    #[inline]
    fn svc_account(&mut self, node: u32) {
        let now = self.now;
        let s = self.svc(node);
        let dt = (now - s.integral_at) as f64;
        s.busy_integral += s.busy_workers as f64 * dt;
        s.capacity_integral += f64::from(s.serving) * f64::from(s.workers) * dt;
        s.integral_at = now;
    }

    fn service_arrive(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let parent = self.reqs[r as usize].parent;
        let algorithm = match parent {
            NONE => None,
            p => match &self.nodes[self.reqs[p as usize].node as usize].behaviour {
                Behaviour::LoadBalancer { algorithm, .. } => Some(*algorithm),
                _ => None,
            },
        };
        let now = self.now;
        let pick = match algorithm {
            Some(LbAlgorithm::WeightedRandom) => {
                // Equal weights: every registered target is equally likely.
                let serving = self.svc(node).serving;
                let n = &mut self.nodes[node as usize];
                (serving > 0).then(|| (uniform(&mut n.rng) * f64::from(serving)) as u32)
            }
            _ => None,
        };
        let s = self.svc(node);
        s.minute_requests += 1;
        if let Some(algorithm) = algorithm {
            if s.serving == 0 {
                self.finish(r, Outcome::Error(ErrKind::Unavailable503));
                return;
            }
            let running = |t: &Task| t.state == TaskState::Running;
            let t = match algorithm {
                // Round robin over the targets registered and serving.
                LbAlgorithm::RoundRobin => {
                    let count = s.tasks.len() as u32;
                    let mut t = s.round_robin;
                    loop {
                        t = (t + 1) % count;
                        if running(&s.tasks[t as usize]) {
                            break t;
                        }
                    }
                }
                LbAlgorithm::LeastOutstandingRequests => s
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| running(t))
                    .min_by_key(|(i, t)| (t.busy as usize + t.queue.len(), *i))
                    .map_or(0, |(i, _)| i as u32),
                LbAlgorithm::WeightedRandom => {
                    let k = pick.unwrap_or(0) as usize;
                    s.tasks
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| running(t))
                        .nth(k)
                        .map_or(0, |(i, _)| i as u32)
                }
            };
            s.round_robin = t;
            if s.tasks[t as usize].busy < s.workers {
                self.start_work(node, t, r);
            } else {
                s.tasks[t as usize].queue.push_back(r);
                self.nodes[node as usize].queue.inc(now);
            }
        } else if let Some(t) = self.free_task(node) {
            self.start_work(node, t, r);
        } else {
            self.svc(node).queue.push_back(r);
            self.nodes[node as usize].queue.inc(now);
        }
    }

    fn free_task(&mut self, node: u32) -> Option<u32> {
        let s = self.svc(node);
        if s.free_workers == 0 {
            return None;
        }
        s.tasks
            .iter()
            .position(|t| t.state == TaskState::Running && t.busy < s.workers)
            .map(|i| i as u32)
    }

    fn start_work(&mut self, node: u32, task: u32, r: u32) {
        let now = self.now;
        self.svc_account(node);
        let s = self.svc(node);
        let tk = &mut s.tasks[task as usize];
        tk.busy += 1;
        let generation = tk.generation;
        s.busy_workers += 1;
        s.free_workers -= 1;
        let busy = s.busy_workers;
        let profile = self.reqs[r as usize].profile;
        let work = self.work_sample(node, profile) as Us;
        let stores = self.handler_store_latency(node);
        let n = &mut self.nodes[node as usize];
        n.concurrency.set(now, busy);
        let req = &mut self.reqs[r as usize];
        let wait = now - req.arrived;
        req.slot = task;
        req.slot_generation = generation;
        req.service_start = now;
        req.step = 0;
        req.failed = false;
        req.timed_out = false;
        n.c.served += 1;
        n.c.wait_sum += wait as f64;
        if wait > 0 {
            n.c.waited += 1;
        }
        self.push(now + work + stores, Ev::WorkDone { req: r });
    }

    fn release_worker(&mut self, node: u32, task: u32) {
        let now = self.now;
        self.svc_account(node);
        let s = self.svc(node);
        let tk = &mut s.tasks[task as usize];
        tk.busy -= 1;
        s.busy_workers -= 1;
        let state = tk.state;
        if state == TaskState::Running {
            s.free_workers += 1;
        }
        let busy = s.busy_workers;
        self.nodes[node as usize].concurrency.set(now, busy);
        let s = self.svc(node);
        let tk = &mut s.tasks[task as usize];
        if state == TaskState::Running {
            if let Some(next) = tk.queue.pop_front() {
                self.nodes[node as usize].queue.dec(now);
                self.start_work(node, task, next);
            }
        } else if state == TaskState::Draining
            && tk.busy == 0
            && tk.queue.is_empty()
            && self.svc(node).deregistration == 0
        {
            self.stop_task(node, task);
        }
    }

    /// Idle workers take work from the service queue, then from polled SQS
    /// queues.
    fn service_pull(&mut self, node: u32) {
        let now = self.now;
        loop {
            let Some(t) = self.free_task(node) else {
                return;
            };
            if let Some(r) = self.svc(node).queue.pop_front() {
                self.nodes[node as usize].queue.dec(now);
                self.start_work(node, t, r);
                continue;
            }
            let mut took = false;
            for i in 0..self.svc(node).polled.len() {
                let q = self.svc(node).polled[i];
                if let Some(m) = self.queue(q).visible.pop_front() {
                    let qn = &mut self.nodes[q as usize];
                    qn.queue.dec(now);
                    qn.billed_requests += 1;
                    let rm = &mut self.reqs[m as usize];
                    rm.attempts += 1;
                    rm.service_start = now;
                    self.arrive(node, m, Mode::Sync, NONE, NONE);
                    took = true;
                    break;
                }
            }
            if !took {
                return;
            }
        }
    }

    /// Picks the capacity provider for a new task: bases first, then by
    /// weight (the provider furthest below its weighted share).
    fn pick_provider(s: &Service) -> usize {
        if let Some(i) = s.providers.iter().position(|p| p.live < p.base) {
            return i;
        }
        let mut best = 0;
        let mut best_score = f64::INFINITY;
        for (i, p) in s.providers.iter().enumerate() {
            if p.weight == 0 {
                continue;
            }
            let score = f64::from(p.live.saturating_sub(p.base) + 1) / f64::from(p.weight);
            if score < best_score {
                best_score = score;
                best = i;
            }
        }
        best
    }

    fn launch_task(&mut self, node: u32, immediate: bool) {
        let now = self.now;
        let zone_down = self.zone_down.clone();
        let s = self.svc(node);
        let pi = Self::pick_provider(s);
        // Spread across the provider's live zones: the zone with fewest tasks.
        let zones: Vec<u8> = s.providers[pi]
            .zones
            .iter()
            .copied()
            .filter(|&z| !zone_down[z as usize])
            .collect();
        if zones.is_empty() {
            return;
        }
        let zone = *zones
            .iter()
            .min_by_key(|&&z| {
                s.tasks
                    .iter()
                    .filter(|t| t.zone == z && t.state != TaskState::Stopped)
                    .count()
            })
            .expect("non-empty");
        s.providers[pi].live += 1;
        let provider = &s.providers[pi];
        let (cap_node, start) = (provider.node, provider.start_us);
        let task = Task {
            state: TaskState::Pending,
            busy: 0,
            queue: VecDeque::new(),
            provider: pi as u8,
            zone,
            instance: NONE,
            generation: 0,
            since: now,
        };
        let t = match s.free_tasks.pop() {
            Some(t) => {
                let generation = s.tasks[t as usize].generation + 1;
                s.tasks[t as usize] = Task { generation, ..task };
                t
            }
            None => {
                s.tasks.push(task);
                (s.tasks.len() - 1) as u32
            }
        };
        let generation = s.tasks[t as usize].generation;
        let n = &mut self.nodes[node as usize];
        n.tasks.inc(now);
        if cap_node != NONE && !self.place_task(node, t, cap_node) {
            self.svc(node).tasks[t as usize].state = TaskState::Provisioning;
            if let Behaviour::Capacity(c) = &mut self.nodes[cap_node as usize].behaviour {
                c.waiting.push_back((node, t));
            }
            return;
        }
        if immediate {
            self.on_task_ready(node, t, generation);
        } else {
            let wait = self.health_check_wait(node);
            self.push(
                now + start + wait,
                Ev::TaskReady {
                    node,
                    task: t,
                    generation,
                },
            );
        }
    }

    /// A new instance of an Auto Scaling group, in its live zone with the
    /// fewest instances (ASG zone balancing).
    fn add_instance(&mut self, cap: u32) {
        let now = self.now;
        let zone_down = &self.zone_down;
        let n = &mut self.nodes[cap as usize];
        let Behaviour::Capacity(c) = &mut n.behaviour else {
            return;
        };
        let Some(&zone) = c
            .zones
            .iter()
            .filter(|&&z| !zone_down[z as usize])
            .min_by_key(|&&z| {
                c.instances
                    .iter()
                    .filter(|i| i.alive && i.zone == z)
                    .count()
            })
        else {
            return;
        };
        let inst = Instance {
            id: c.next_id,
            zone,
            alive: true,
            cpu_free: c.cpu_units,
            mem_free: c.memory_mb,
            gpu_free: c.gpus,
            eni_free: c.enis,
            ports: Vec::new(),
            tasks: 0,
        };
        c.next_id += 1;
        c.instances.push(inst);
        let alive = c.instances.iter().filter(|i| i.alive).count() as u64;
        n.instances.set(now, alive);
    }

    /// Places task `t` of service `svc` on an instance of `cap`.
    fn place_task(&mut self, svc: u32, t: u32, cap: u32) -> bool {
        let Behaviour::Capacity(c) = &self.nodes[cap as usize].behaviour else {
            return true;
        };
        let mut mine = vec![0u32; c.instances.len()];
        let Behaviour::Service(s) = &self.nodes[svc as usize].behaviour else {
            return false;
        };
        for tk in &s.tasks {
            if tk.state != TaskState::Stopped
                && tk.instance != NONE
                && s.providers[tk.provider as usize].node == cap
            {
                mine[tk.instance as usize] += 1;
            }
        }
        let (needs, rules) = (s.needs.clone(), s.rules.clone());
        let (zones, zone_down) = (&self.zones, &self.zone_down);
        let node = &mut self.nodes[cap as usize];
        let Behaviour::Capacity(c) = &mut node.behaviour else {
            return false;
        };
        let Some(i) = choose(
            &c.instances,
            &needs,
            &rules,
            &c.instance_type,
            zones,
            zone_down,
            &mine,
            &mut node.rng,
        ) else {
            return false;
        };
        needs.take(&mut c.instances[i]);
        let zone = c.instances[i].zone;
        let tk = &mut self.svc(svc).tasks[t as usize];
        tk.instance = i as u32;
        tk.zone = zone;
        true
    }

    /// Tasks in PROVISIONING take the room that has appeared, in order.
    fn place_waiting(&mut self, cap: u32) {
        let waiting = match &mut self.nodes[cap as usize].behaviour {
            Behaviour::Capacity(c) => std::mem::take(&mut c.waiting),
            _ => return,
        };
        let mut still = VecDeque::new();
        for (svc, t) in waiting {
            let (state, generation, start) = {
                let s = self.svc(svc);
                let tk = &s.tasks[t as usize];
                (
                    tk.state,
                    tk.generation,
                    s.providers[tk.provider as usize].start_us,
                )
            };
            if state != TaskState::Provisioning {
                continue;
            }
            if !self.place_task(svc, t, cap) {
                still.push_back((svc, t));
                continue;
            }
            self.svc(svc).tasks[t as usize].state = TaskState::Pending;
            let now = self.now;
            let wait = self.health_check_wait(svc);
            self.push(
                now + start + wait,
                Ev::TaskReady {
                    node: svc,
                    task: t,
                    generation,
                },
            );
        }
        if let Behaviour::Capacity(c) = &mut self.nodes[cap as usize].behaviour {
            c.waiting = still;
        }
    }

    /// Behind a load balancer a new target serves once it passes one
    /// health check; the first check comes some time within the interval
    /// (uniform, from the service's stream).
    fn health_check_wait(&mut self, node: u32) -> Us {
        let interval = self.svc(node).health_check;
        if interval == 0 {
            return 0;
        }
        let n = &mut self.nodes[node as usize];
        (uniform(&mut n.rng) * interval as f64) as Us
    }

    fn on_task_ready(&mut self, node: u32, task: u32, generation: u32) {
        self.svc_account(node);
        let s = self.svc(node);
        let tk = &mut s.tasks[task as usize];
        if tk.generation != generation || tk.state != TaskState::Pending {
            return;
        }
        tk.state = TaskState::Running;
        s.serving += 1;
        s.free_workers += u64::from(s.workers);
        self.service_pull(node);
    }

    fn stop_task(&mut self, node: u32, task: u32) {
        let now = self.now;
        self.svc_account(node);
        let s = self.svc(node);
        let workers = s.workers;
        let needs = s.needs.clone();
        let tk = &mut s.tasks[task as usize];
        if tk.state == TaskState::Stopped {
            return;
        }
        let instance = std::mem::replace(&mut tk.instance, NONE);
        let was = tk.state;
        if was == TaskState::Running {
            s.serving -= 1;
            s.free_workers -= u64::from(workers - tk.busy);
        }
        s.busy_workers -= u64::from(tk.busy);
        tk.busy = 0;
        tk.state = TaskState::Stopped;
        tk.generation += 1;
        let provider = tk.provider as usize;
        let since = tk.since;
        let orphans: Vec<u32> = tk.queue.drain(..).collect();
        s.free_tasks.push(task);
        s.providers[provider].live -= 1;
        s.providers[provider].task_seconds += (now - since) as f64 / SEC as f64;
        let cap = s.providers[provider].node;
        let busy = s.busy_workers;
        let n = &mut self.nodes[node as usize];
        n.tasks.dec(now);
        n.concurrency.set(now, busy);
        // Requests queued on the stopped task go back to the service queue.
        for r in orphans {
            self.svc(node).queue.push_back(r);
        }
        if cap != NONE && instance != NONE {
            if let Behaviour::Capacity(c) = &mut self.nodes[cap as usize].behaviour {
                let i = &mut c.instances[instance as usize];
                if i.alive {
                    needs.give_back(i);
                }
            }
            self.place_waiting(cap);
        }
        self.service_pull(node);
    }

    /// Starts or drains tasks until the live count matches `desired`.
    fn reconcile(&mut self, node: u32) {
        loop {
            let s = self.svc(node);
            let live = s
                .tasks
                .iter()
                .filter(|t| !matches!(t.state, TaskState::Stopped | TaskState::Draining))
                .count() as u32;
            if live < s.desired {
                self.launch_task(node, false);
                if self
                    .svc(node)
                    .tasks
                    .iter()
                    .filter(|t| !matches!(t.state, TaskState::Stopped | TaskState::Draining))
                    .count() as u32
                    == live
                {
                    return; // nowhere to launch (every zone lost)
                }
            } else if live > s.desired {
                // Scale-in: tasks not yet serving first, then the newest
                // task in the zone with most tasks (keeps zones balanced).
                let pick = s
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| {
                        matches!(t.state, TaskState::Provisioning | TaskState::Pending)
                    })
                    .map(|(i, _)| i)
                    .next_back()
                    .or_else(|| {
                        // Binpack: from the emptiest instance (the one
                        // holding fewest of this service's tasks), so the
                        // full ones stay full.
                        let binpack = matches!(
                            s.rules.strategies.first(),
                            Some(Strategy::BinpackCpu | Strategy::BinpackMemory)
                        );
                        if !binpack {
                            return None;
                        }
                        let on = |inst: u32| {
                            s.tasks
                                .iter()
                                .filter(|t| t.state != TaskState::Stopped && t.instance == inst)
                                .count()
                        };
                        s.tasks
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| t.state == TaskState::Running && t.instance != NONE)
                            .min_by_key(|(i, t)| (on(t.instance), std::cmp::Reverse(*i)))
                            .map(|(i, _)| i)
                    })
                    .or_else(|| {
                        let mut per_zone = [0u32; 256];
                        for t in s.tasks.iter().filter(|t| t.state == TaskState::Running) {
                            per_zone[t.zone as usize] += 1;
                        }
                        s.tasks
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| t.state == TaskState::Running)
                            .max_by_key(|(i, t)| (per_zone[t.zone as usize], t.since, *i))
                            .map(|(i, _)| i)
                    });
                let Some(i) = pick else { return };
                let t = &s.tasks[i];
                let deregistration = s.deregistration;
                if t.state == TaskState::Running
                    && (t.busy > 0 || !t.queue.is_empty() || deregistration > 0)
                {
                    // Behind a load balancer the target drains for the
                    // deregistration delay (and is billed for it), then
                    // stops; otherwise it stops once its work is done.
                    self.svc_account(node);
                    let s = self.svc(node);
                    let workers = s.workers;
                    let t = &mut s.tasks[i];
                    t.state = TaskState::Draining;
                    let generation = t.generation;
                    let free = u64::from(workers - t.busy);
                    s.serving -= 1;
                    s.free_workers -= free;
                    if deregistration > 0 {
                        let at = self.now + deregistration;
                        self.push(
                            at,
                            Ev::TaskStop {
                                node,
                                task: i as u32,
                                generation,
                            },
                        );
                    }
                } else {
                    self.stop_task(node, i as u32);
                }
            } else {
                return;
            }
        }
    }

    fn on_scale_eval(&mut self, node: u32) {
        let now = self.now;
        self.svc_account(node);
        let s = self.svc(node);
        let cpu = if s.capacity_integral > 0.0 {
            100.0 * s.busy_integral / s.capacity_integral
        } else {
            0.0
        };
        // The HPA counts pods that are not ready yet at 0% CPU when it
        // scales up, so starting pods damp the next step.
        let hpa_cpu = 100.0 * s.busy_integral
            / (f64::from(s.desired.max(1)) * f64::from(s.workers) * HPA_SYNC as f64);
        let per_target = s.minute_requests as f64 / f64::from(s.serving.max(1));
        s.busy_integral = 0.0;
        s.capacity_integral = 0.0;
        s.minute_requests = 0;
        let current = s.desired;
        if let Some(h) = &mut s.hpa {
            let target = h.target;
            let cpu = hpa_cpu;
            let ratio = cpu / target;
            let rec = if (ratio - 1.0).abs() <= 0.1 {
                current
            } else {
                (f64::from(current) * ratio).ceil() as u32
            };
            h.recommendations.push_back((now, rec));
            while h
                .recommendations
                .front()
                .is_some_and(|&(t, _)| now - t > HPA_STABILISATION)
            {
                h.recommendations.pop_front();
            }
            let stable = h
                .recommendations
                .iter()
                .map(|&(_, r)| r)
                .max()
                .unwrap_or(rec);
            let to = if rec > current {
                rec.min((current * 2).max(current + 4))
            } else {
                stable.min(current)
            }
            .clamp(s.min, s.max);
            if to != current {
                s.desired = to;
                self.nodes[node as usize].c.scale_events += 1;
                self.decisions.push(ScaleDecision {
                    at_s: now as f64 / SEC as f64,
                    component: self.nodes[node as usize].id.clone(),
                    from: current,
                    to,
                    reason: format!("HPA: CPU {cpu:.1}% against target {target:.0}%"),
                });
                self.reconcile(node);
            }
            self.push(now + HPA_SYNC, Ev::ScaleEval { node });
            return;
        }
        let mut out_to: Option<(u32, String)> = None;
        let mut all_low = !s.policies.is_empty();
        let mut in_to = 0u32;
        let mut in_cooldown = 0;
        for p in &mut s.policies {
            // Memory utilisation is taken as proportional to busy workers
            // too (no memory model yet).
            let m = match p.metric {
                ScalingMetric::CpuUtilization | ScalingMetric::MemoryUtilization => cpu,
                ScalingMetric::AlbRequestCountPerTarget => per_target,
            };
            if m > p.target {
                p.high += 1;
            } else {
                p.high = 0;
            }
            if m < 0.9 * p.target {
                p.low += 1;
            } else {
                p.low = 0;
            }
            let want = (f64::from(current) * m / p.target).ceil() as u32;
            let cooled = s.last_out.is_none_or(|t| now - t >= p.out_cooldown);
            if p.high >= SCALE_OUT_MINUTES && cooled && want > current {
                let reason = format!(
                    "{:?} {m:.1} above target {} for {} min",
                    p.metric, p.target, p.high
                );
                if out_to.as_ref().is_none_or(|(n, _)| want > *n) {
                    out_to = Some((want, reason));
                }
            }
            if p.low < SCALE_IN_MINUTES {
                all_low = false;
            }
            in_to = in_to.max(want);
            in_cooldown = in_cooldown.max(p.in_cooldown);
        }
        // Step scaling: out if any asks, like target tracking; in only when
        // no target tracking policy objects.
        let mut step_in: Option<(u32, String)> = None;
        for p in &mut s.step_policies {
            let m = match p.metric {
                ScalingMetric::CpuUtilization | ScalingMetric::MemoryUtilization => cpu,
                ScalingMetric::AlbRequestCountPerTarget => per_target,
            };
            let breach = m - p.threshold;
            let Some(&(_, adj)) = p.steps.iter().rev().find(|(lb, _)| breach >= *lb) else {
                continue;
            };
            if (adj > 0 && breach <= 0.0) || p.last.is_some_and(|t| now - t < p.cooldown) {
                continue;
            }
            let want = (i64::from(current) + i64::from(adj)).max(0) as u32;
            let reason = format!(
                "step scaling: {:?} {m:.1} vs alarm {} ({adj:+})",
                p.metric, p.threshold
            );
            if want > current {
                p.last = Some(now);
                if out_to.as_ref().is_none_or(|(n, _)| want > *n) {
                    out_to = Some((want, reason));
                }
            } else if want < current && (s.policies.is_empty() || all_low) {
                p.last = Some(now);
                if step_in.as_ref().is_none_or(|(n, _)| want < *n) {
                    step_in = Some((want, reason));
                }
            }
        }
        let (min, max) = (s.min, s.max);
        let mut decision = None;
        if out_to.is_none()
            && let Some((want, reason)) = step_in
        {
            let to = want.max(min);
            if to < current {
                s.desired = to;
                s.last_in = Some(now);
                decision = Some((current, to, reason));
            }
        } else if let Some((want, reason)) = out_to {
            let to = want.min(max);
            if to > current {
                s.desired = to;
                s.last_out = Some(now);
                decision = Some((current, to, reason));
            }
        } else if all_low
            && s.last_in.is_none_or(|t| now - t >= in_cooldown)
            && s.last_out.is_none_or(|t| now - t >= in_cooldown)
        {
            // Scale in gradually: at most 10% (at least one task) a step.
            let step = (current / 10).max(1);
            let to = in_to.max(current.saturating_sub(step)).max(min);
            if to < current {
                s.desired = to;
                s.last_in = Some(now);
                decision = Some((current, to, "below 90% of target for 15 min".to_string()));
            }
        }
        if let Some((from, to, reason)) = decision {
            self.nodes[node as usize].c.scale_events += 1;
            self.decisions.push(ScaleDecision {
                at_s: now as f64 / SEC as f64,
                component: self.nodes[node as usize].id.clone(),
                from,
                to,
                reason,
            });
            self.reconcile(node);
        }
        self.push(now + 60 * SEC, Ev::ScaleEval { node });
    }

    /// Managed scaling: CapacityProviderReservation = M / N x 100 held at
    /// the target capacity, M = instances the running and PROVISIONING
    /// tasks need (occupied instances plus room for the waiting ones), N =
    /// instances in the group (N = 0 with M > 0 counts as 200%).
    fn on_capacity_eval(&mut self, node: u32) {
        let now = self.now;
        let waiting: Vec<(u32, u32)> = match &self.nodes[node as usize].behaviour {
            Behaviour::Capacity(c) => c.waiting.iter().copied().collect(),
            _ => return,
        };
        let (mut wcpu, mut wmem, mut wdistinct) = (0u64, 0u64, 0u64);
        for &(svc, _) in &waiting {
            if let Behaviour::Service(s) = &self.nodes[svc as usize].behaviour {
                wcpu += s.needs.cpu;
                wmem += s.needs.mem;
                wdistinct += u64::from(s.rules.distinct);
            }
        }
        let n = &mut self.nodes[node as usize];
        let current = n.instances.v as u32;
        let Behaviour::Capacity(c) = &mut n.behaviour else {
            return;
        };
        let occupied = c
            .instances
            .iter()
            .filter(|i| i.alive && i.tasks > 0)
            .count() as u64;
        let extra = if waiting.is_empty() {
            0
        } else {
            wcpu.div_ceil(c.cpu_units.max(1))
                .max(wmem.div_ceil(c.memory_mb.max(1)))
                .max(wdistinct)
                .max(1)
        };
        let m = occupied + extra;
        let target = ((m as f64) * 100.0 / f64::from(c.target_percent)).ceil() as u32;
        let target = target.clamp(c.min, c.max);
        let have = current + c.pending;
        let mut decision = None;
        if target > have {
            let add = (target - have).min(c.max_step);
            c.pending += add;
            c.low_minutes = 0;
            decision = Some((
                current,
                current + c.pending,
                format!(
                    "CapacityProviderReservation {}% above target",
                    if current == 0 {
                        200
                    } else {
                        m * 100 / u64::from(current)
                    }
                ),
            ));
            let launch = c.launch;
            for _ in 0..add {
                self.push(now + launch, Ev::InstanceReady { node });
            }
        } else if target < current && c.pending == 0 {
            c.low_minutes += 1;
            if c.low_minutes >= SCALE_IN_MINUTES {
                c.low_minutes = 0;
                // Only empty instances go, newest first.
                let mut to = current;
                for i in c.instances.iter_mut().rev() {
                    if to <= target {
                        break;
                    }
                    if i.alive && i.tasks == 0 {
                        i.alive = false;
                        to -= 1;
                    }
                }
                if to < current {
                    n.instances.set(now, u64::from(to));
                    decision = Some((
                        current,
                        to,
                        "CapacityProviderReservation below target for 15 min".to_string(),
                    ));
                }
            }
        } else {
            c.low_minutes = 0;
        }
        if let Some((from, to, reason)) = decision {
            self.nodes[node as usize].c.scale_events += 1;
            self.decisions.push(ScaleDecision {
                at_s: now as f64 / SEC as f64,
                component: self.nodes[node as usize].id.clone(),
                from,
                to,
                reason,
            });
        }
        self.push(now + 60 * SEC, Ev::CapacityEval { node });
    }

    // --- scenario events ---------------------------------------------------

    fn apply_event(&mut self, e: &ScenarioEvent) {
        let now = self.now;
        match e {
            ScenarioEvent::TrafficChange { entry, factor } => {
                for p in 0..self.profiles.len() {
                    if self.nodes[self.profiles[p].entry as usize].id == *entry {
                        let prof = &mut self.profiles[p];
                        prof.factor *= factor;
                        if prof.curve.is_some() {
                            // Poisson arrivals are memoryless: redraw from now.
                            prof.generation += 1;
                            prof.last = now;
                            prof.origin = now;
                            prof.pos = 1;
                            self.schedule_next_arrival(p as u32);
                        }
                    }
                }
            }
            ScenarioEvent::ZoneLoss { zone } => {
                let Some(z) = self.zones.iter().position(|x| x == zone) else {
                    return;
                };
                self.zone_down[z] = true;
                // The zone's instances go first, so no replacement lands
                // on them; managed scaling launches new ones elsewhere.
                for nn in &mut self.nodes {
                    if let Behaviour::Capacity(c) = &mut nn.behaviour {
                        for i in c.instances.iter_mut().filter(|i| i.zone as usize == z) {
                            i.alive = false;
                        }
                        let alive = c.instances.iter().filter(|i| i.alive).count() as u64;
                        nn.instances.set(now, alive);
                    }
                }
                for n in 0..self.nodes.len() {
                    let node = n as u32;
                    if let Behaviour::Service(s) = &self.nodes[n].behaviour {
                        let doomed: Vec<u32> = s
                            .tasks
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| t.zone as usize == z && t.state != TaskState::Stopped)
                            .map(|(i, _)| i as u32)
                            .collect();
                        for t in doomed {
                            self.stop_task(node, t);
                        }
                        self.reconcile(node);
                    }
                }
            }
            ScenarioEvent::SpotInterruption { service, share } => {
                let Some(n) = self.nodes.iter().position(|x| x.id == *service) else {
                    return;
                };
                let node = n as u32;
                if !matches!(self.nodes[n].behaviour, Behaviour::Service(_)) {
                    return;
                }
                let s = self.svc(node);
                let spot: Vec<u32> = s
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| {
                        t.state != TaskState::Stopped
                            && s.providers[t.provider as usize].kind == CapacityKind::FargateSpot
                    })
                    .map(|(i, _)| i as u32)
                    .collect();
                let k = (spot.len() as f64 * share).round() as usize;
                for &t in spot.iter().take(k) {
                    let generation = self.svc(node).tasks[t as usize].generation;
                    self.push(
                        now + SPOT_WARNING,
                        Ev::TaskStop {
                            node,
                            task: t,
                            generation,
                        },
                    );
                }
            }
            ScenarioEvent::DependencySlowdown {
                component,
                factor,
                duration_s,
            } => {
                let Some(n) = self.nodes.iter().position(|x| x.id == *component) else {
                    return;
                };
                self.nodes[n].slow = *factor;
                self.push(
                    now + (duration_s * SEC as f64) as Us,
                    Ev::SlowdownEnd { node: n as u32 },
                );
            }
        }
    }

    // --- sampling ----------------------------------------------------------

    /// Which task runs on which instance, now, for every EC2 capacity.
    fn snapshot_placements(&mut self) {
        for cap in 0..self.nodes.len() {
            let Behaviour::Capacity(c) = &self.nodes[cap].behaviour else {
                continue;
            };
            let mut instances: Vec<InstancePlacement> = c
                .instances
                .iter()
                .filter(|i| i.alive)
                .map(|i| InstancePlacement {
                    instance: format!("i-{}", i.id),
                    zone: self.zones[i.zone as usize].clone(),
                    tasks: Vec::new(),
                })
                .collect();
            let alive_index: Vec<Option<usize>> = {
                let mut k = 0;
                c.instances
                    .iter()
                    .map(|i| {
                        i.alive.then(|| {
                            k += 1;
                            k - 1
                        })
                    })
                    .collect()
            };
            for n in &self.nodes {
                let Behaviour::Service(s) = &n.behaviour else {
                    continue;
                };
                for t in &s.tasks {
                    if t.state != TaskState::Stopped
                        && t.instance != NONE
                        && s.providers[t.provider as usize].node == cap as u32
                        && let Some(k) = alive_index[t.instance as usize]
                    {
                        instances[k].tasks.push(n.id.clone());
                    }
                }
            }
            self.placements.push(PlacementSnapshot {
                at_s: self.now as f64 / SEC as f64,
                capacity: self.nodes[cap].id.clone(),
                instances,
            });
        }
    }

    fn on_tick(&mut self) {
        self.expire_idle();
        if self.now.is_multiple_of(60 * SEC) {
            self.snapshot_placements();
        }
        for n in &mut self.nodes {
            let s = std::mem::take(&mut n.second);
            n.series.arrivals.push(s.arrivals);
            n.series.completions.push(s.completions);
            n.series.errors.push(s.errors);
            n.series.throttles.push(s.throttles);
            n.series.cold_starts.push(s.cold_starts);
            n.series.concurrency.push(n.concurrency.v as u32);
            n.series.tasks.push(n.tasks.v as u32);
            n.series.queue_depth.push(n.queue.v as u32);
            n.series.instances.push(n.instances.v as u32);
        }
        if self.now + SEC <= self.end {
            self.push(self.now + SEC, Ev::Tick);
        }
    }

    /// The state now, for the live view.
    pub fn frame(&self) -> Frame {
        Frame {
            at_s: self.now_s(),
            finished: self.is_finished(),
            components: self
                .nodes
                .iter()
                .map(|n| FrameComponent {
                    id: n.id.clone(),
                    requests: n.c.requests,
                    completed: n.c.completed,
                    errors: n.c.errors,
                    throttled: n.c.throttled,
                    cold_starts: n.c.cold_starts,
                    concurrency: n.concurrency.v,
                    queue_depth: n.queue.v,
                    tasks: n.tasks.v,
                    instances: n.instances.v,
                    p99_ms: if n.latency.is_empty() {
                        0.0
                    } else {
                        n.latency.value_at_quantile(0.99) as f64 / 1e3
                    },
                })
                .collect(),
            placement: self.placement_now(),
        }
    }

    /// Where every task and instance is now, for the live placement view.
    pub fn placement_now(&self) -> PlacementNow {
        let name = |node: u32| self.nodes[node as usize].id.clone();
        let mut capacities = Vec::new();
        // Where each capacity node's view is, and each of its instance
        // slots' view (dead instances have none), so tasks find theirs
        // without searching.
        let mut view_of: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut slot_views: Vec<Vec<Option<usize>>> = Vec::new();
        for (ix, n) in self.nodes.iter().enumerate() {
            let Behaviour::Capacity(c) = &n.behaviour else {
                continue;
            };
            view_of[ix] = Some(capacities.len());
            let mut alive = 0;
            slot_views.push(
                c.instances
                    .iter()
                    .map(|i| {
                        i.alive.then(|| {
                            alive += 1;
                            alive - 1
                        })
                    })
                    .collect(),
            );
            capacities.push(CapacityNow {
                capacity: n.id.clone(),
                instance_type: c.instance_type.clone(),
                cpu_units: c.cpu_units,
                memory_mb: c.memory_mb,
                instances: c
                    .instances
                    .iter()
                    .filter(|i| i.alive)
                    .map(|i| InstanceNow {
                        instance: format!("i-{}", i.id),
                        zone: self.zones[i.zone as usize].clone(),
                        cpu_used: c.cpu_units.saturating_sub(i.cpu_free),
                        memory_used: c.memory_mb.saturating_sub(i.mem_free),
                        tasks: Vec::new(),
                    })
                    .collect(),
                launching: c.pending,
                waiting_tasks: c.waiting.len() as u32,
            });
        }
        let mut services = Vec::new();
        for n in &self.nodes {
            let Behaviour::Service(s) = &n.behaviour else {
                continue;
            };
            let mut tasks = Vec::new();
            for (slot, t) in s.tasks.iter().enumerate() {
                let state = match t.state {
                    TaskState::Stopped => continue,
                    TaskState::Provisioning => "provisioning",
                    TaskState::Pending => "pending",
                    TaskState::Running => "running",
                    TaskState::Draining => "draining",
                };
                let provider = &s.providers[t.provider as usize];
                let id = format!("{}#{}.{}", n.id, slot + 1, t.generation);
                let capacity = (provider.node != NONE).then(|| name(provider.node));
                let mut instance = None;
                if provider.kind == CapacityKind::Ec2
                    && t.instance != NONE
                    && let Some(&Some(cv)) = view_of.get(provider.node as usize)
                    && let Some(&Some(iv)) = slot_views[cv].get(t.instance as usize)
                {
                    let view = &mut capacities[cv].instances[iv];
                    view.tasks.push(id.clone());
                    instance = Some(view.instance.clone());
                }
                tasks.push(TaskNow {
                    id,
                    state: state.into(),
                    capacity_kind: provider.kind.slug().into(),
                    capacity,
                    zone: self.zones.get(t.zone as usize).cloned().unwrap_or_default(),
                    instance,
                    busy: t.busy,
                });
            }
            services.push(ServiceTasksNow {
                service: n.id.clone(),
                desired: s.desired,
                tasks,
            });
        }
        PlacementNow {
            at_s: self.now_s(),
            capacities,
            services,
        }
    }

    /// The request traces sampled so far (segments of requests still in
    /// flight are missing).
    pub fn traces(&self) -> &[RequestTrace] {
        &self.traces
    }

    /// The availability zones the design's capacity spans.
    pub fn zones(&self) -> &[String] {
        &self.zones
    }

    /// Every component's 1 s series so far, in the order of
    /// [`Frame::components`].
    pub fn all_series(&self) -> impl Iterator<Item = &Series> {
        self.nodes.iter().map(|n| &n.series)
    }

    /// One component's 1 s series so far.
    pub fn series(&self, id: &str) -> Option<&Series> {
        self.nodes.iter().find(|n| n.id == id).map(|n| &n.series)
    }

    /// Runs to the end and returns the results.
    pub fn run(mut self) -> Run {
        let end = self.end as f64 / SEC as f64;
        self.run_until(end);
        self.into_run()
    }

    /// The results so far (the end of the run if it has finished).
    pub fn into_run(mut self) -> Run {
        self.snapshot_placements();
        let end = self.now.max(1);
        let secs = end as f64 / SEC as f64;
        let mut components = Vec::with_capacity(self.nodes.len());
        for n in &mut self.nodes {
            let h = &n.latency;
            let q = |p: f64| {
                if h.is_empty() {
                    0.0
                } else {
                    h.value_at_quantile(p) as f64 / 1e3
                }
            };
            let mut errors_by_kind = std::collections::BTreeMap::new();
            for k in ErrKind::ALL {
                let v = n.c.by_kind[k as usize];
                if v > 0 {
                    errors_by_kind.insert(k.name().to_string(), v);
                }
            }
            match n.kind {
                ComponentKind::ApiGateway => {
                    self.usage
                        .api_requests
                        .insert(n.id.clone(), n.billed_requests);
                }
                ComponentKind::SqsQueue => {
                    self.usage
                        .sqs_requests
                        .insert(n.id.clone(), n.billed_requests);
                }
                k if k.is_data_store() => {
                    self.usage
                        .data_requests
                        .insert(n.id.clone(), n.billed_requests);
                }
                ComponentKind::Alb | ComponentKind::Nlb => {
                    self.usage.load_balancer.insert(n.id.clone(), n.lb.clone());
                }
                _ => {}
            }
            match &mut n.behaviour {
                Behaviour::Lambda(l) => {
                    let u = self.usage.lambda.entry(n.id.clone()).or_default();
                    u.requests = l.invocations;
                    u.memory_mb = l.memory_mb;
                    u.arm64 = l.arm64;
                    u.gb_seconds = l.billed_mb_us / 1024.0 / SEC as f64;
                    u.provisioned_gb_seconds =
                        f64::from(l.provisioned) * f64::from(l.memory_mb) / 1024.0 * secs;
                }
                Behaviour::Service(s) => {
                    for t in &s.tasks {
                        if t.state != TaskState::Stopped {
                            s.providers[t.provider as usize].task_seconds +=
                                (end - t.since) as f64 / SEC as f64;
                        }
                    }
                    for p in &s.providers {
                        let key = format!("{}/{}", n.id, p.kind.slug());
                        let u = self.usage.tasks.entry(key).or_default();
                        u.cpu_units = s.cpu_units;
                        u.memory_mb = s.memory_mb;
                        u.capacity = p.kind.slug().into();
                        u.task_seconds += p.task_seconds;
                    }
                }
                Behaviour::Capacity(c) => {
                    c.instance_seconds = n.instances.mean(end) * secs;
                    self.usage.instances.insert(
                        n.id.clone(),
                        InstanceUsage {
                            instance_type: c.instance_type.clone(),
                            instance_seconds: c.instance_seconds,
                        },
                    );
                }
                _ => {}
            }
            let served = n.c.served.max(1) as f64;
            components.push(ComponentStats {
                id: n.id.clone(),
                kind: n.kind.slug().to_string(),
                requests: n.c.requests,
                completed: n.c.completed,
                errors: n.c.errors,
                throttled: n.c.throttled,
                in_flight: n.c.in_flight,
                errors_by_kind,
                cold_starts: n.c.cold_starts,
                retries: n.c.retries,
                dead_lettered: n.c.dead_lettered,
                throttles_retried: n.c.throttles_retried,
                latency_ms: LatencySummary {
                    count: h.len(),
                    mean: if h.is_empty() { 0.0 } else { h.mean() / 1e3 },
                    p50: q(0.5),
                    p90: q(0.9),
                    p99: q(0.99),
                    max: if h.is_empty() {
                        0.0
                    } else {
                        h.max() as f64 / 1e3
                    },
                },
                waited: n.c.waited,
                served: n.c.served,
                mean_wait_ms: n.c.wait_sum / served / 1e3,
                mean_service_ms: n.c.service_sum / served / 1e3,
                mean_concurrency: n.concurrency.mean(end),
                max_concurrency: n.concurrency.max,
                mean_queue_depth: n.queue.mean(end),
                max_queue_depth: n.queue.max,
                mean_tasks: n.tasks.mean(end),
                max_tasks: n.tasks.max,
                scale_events: n.c.scale_events,
                mean_instances: n.instances.mean(end),
                max_instances: n.instances.max,
                series: std::mem::take(&mut n.series),
            });
        }
        Run {
            design: self.design_name,
            scenario: self.scenario.name.clone(),
            seed: self.seed,
            duration_s: secs,
            events: self.events,
            components,
            scale_decisions: self.decisions,
            placements: self.placements,
            traces: self.traces,
            usage: self.usage,
        }
    }
}

fn intern(paths: &mut Vec<String>, p: &str) -> u32 {
    match paths.iter().position(|x| x == p) {
        Some(i) => i as u32,
        None => {
            paths.push(p.to_string());
            (paths.len() - 1) as u32
        }
    }
}

trait EventAt {
    fn event_at(&self) -> f64;
}

impl EventAt for archsim_model::scenario::ScheduledEvent {
    fn event_at(&self) -> f64 {
        self.at_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alb_path_patterns() {
        assert!(path_matches(b"/orders/*", b"/orders/list"));
        assert!(!path_matches(b"/orders/*", b"/users/me"));
        assert!(path_matches(b"/img/?.png", b"/img/a.png"));
        assert!(!path_matches(b"/img/?.png", b"/img/ab.png"));
        assert!(path_matches(b"*", b"/anything"));
        assert!(!path_matches(b"/Orders/*", b"/orders/x"), "case-sensitive");
        assert!(path_matches(b"/predict", b"/predict"));
    }

    #[test]
    fn event_order_is_time_then_sequence() {
        let mut h = BinaryHeap::new();
        h.push(Event {
            at: 5,
            seq: 2,
            ev: Ev::Tick,
        });
        h.push(Event {
            at: 5,
            seq: 1,
            ev: Ev::Tick,
        });
        h.push(Event {
            at: 1,
            seq: 9,
            ev: Ev::Tick,
        });
        let order: Vec<_> = std::iter::from_fn(|| h.pop())
            .map(|e| (e.at, e.seq))
            .collect();
        assert_eq!(order, [(1, 9), (5, 1), (5, 2)]);
    }

    #[test]
    fn schedule_rates_parse() {
        assert_eq!(parse_rate("rate(5 minutes)"), Some(300 * SEC));
        assert_eq!(parse_rate("rate(1 hour)"), Some(3600 * SEC));
        assert_eq!(parse_rate("cron(0 12 * * ? *)"), None);
    }
}
