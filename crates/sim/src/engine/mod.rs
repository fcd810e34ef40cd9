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
//!
//! The engine is one type, [`Simulation`], whose `impl` is split by
//! family; each file says what it owns:
//!
//! - `mod.rs`: the simulation's state, per-component state shared by every
//!   behaviour (`Node`, `Behaviour`), and the event loop (`run_until`,
//!   `handle`).
//! - `events.rs`: events, their order, and the request slab.
//! - `build.rs`: a simulation from a design and a scenario; the behaviour
//!   of each component kind.
//! - `arrivals.rs`: client arrivals from rate curves and traces.
//! - `requests.rs`: a request's path through components: arrive,
//!   dispatch, call, finish, the caller continuing; data-store calls.
//! - `edges.rs`: API Gateway, load balancers, CloudFront.
//! - `lambda.rs`: Lambda execution environments, scaling, retries.
//! - `queue.rs`: SQS and Kinesis, event source mappings.
//! - `sns.rs`: an SNS topic's subscription filter policies: which of
//!   the scenario's messages each filtered subscription is delivered.
//! - `service.rs`, `workers.rs`, `tasks.rs`, `scaling.rs`, `capacity.rs`:
//!   ECS services and Kubernetes workloads: their state, requests on their
//!   workers, their tasks' lives, autoscaling, and EC2 capacity;
//!   `nodes.rs`: EKS node groups and the Cluster Autoscaler.
//!   `karpenter.rs`: a Karpenter NodePool beside a node group.
//! - `scenario.rs`: scenario events (traffic changes, zone loss, Spot,
//!   slowdowns, deployments); `schedules.rs`: when scheduled EventBridge
//!   rules fire (rate and cron, on the scenario's wall clock).
//! - `deploy.rs`: a Lambda deployment: versions, traffic shifts,
//!   alarms and rollback.
//! - `rolling.rs`: an ECS rolling deployment: tasks replaced within the
//!   minimum healthy and maximum percent, the circuit breaker;
//!   `blue_green.rs`: an ECS blue/green deployment through CodeDeploy.
//! - `output.rs`, `results.rs`: the live frame, placement views, and the
//!   [`Run`] at the end.
//! - `warmup.rs`: the end of the warm-up, where statistics start again.
//! - `coverage.rs`: what the simulator does with each component kind.

mod arrivals;
mod blue_green;
mod build;
mod capacity;
mod consolidation;
mod coverage;
mod deploy;
mod dynamodb;
mod edges;
mod events;
mod karpenter;
mod lambda;
mod nodes;
mod output;
mod pipes;
mod queue;
mod requests;
mod results;
mod rolling;
mod scaling;
mod scenario;
mod schedules;
mod service;
mod sns;
mod tasks;
mod warmup;
mod workers;
mod workflow;

use std::collections::BinaryHeap;

use archsim_model::Scenario;
use archsim_model::component::{ComponentKind, LbAlgorithm};
use archsim_model::connection::Access;
use archsim_model::scenario::ScenarioEvent;
use hdrhistogram::Histogram;

use crate::rng::{Sampler, Stream};
use crate::run::*;

pub use coverage::{coverage, no_traffic_reason, takes_traffic};
pub use lambda::LAMBDA_IDLE_EXPIRY;
pub use output::{DeploymentNow, Frame, FrameComponent, VersionNow};

use arrivals::Profile;
use capacity::Capacity;
use edges::{Authorizer, Rule};
use events::{Ev, Event, Outcome, Req};
use lambda::Lambda;
use queue::Queue;
use service::Service;

/// Microseconds.
pub(crate) type Us = u64;
pub(crate) const SEC: Us = 1_000_000;
const NONE: u32 = u32::MAX;

/// A count or a time in µs as `f64`, through a signed conversion: one
/// instruction on x86-64, where an unsigned one takes six (the hot path
/// converts several per request). Exact below 2^53 as `as f64` is; the
/// engine's counts and times are far below 2^63.
#[inline]
pub(crate) fn to_f64(x: u64) -> f64 {
    x as i64 as f64
}

/// Microseconds from an `f64`, truncated, negatives and NaN to 0 as
/// `as Us` does, through the one-instruction signed conversion.
#[inline]
pub(crate) fn to_us(x: f64) -> Us {
    (x as i64).max(0) as Us
}

/// A gauge and its time integral (for means).
#[derive(Debug, Clone, Copy, Default)]
struct Gauge {
    v: u64,
    integral: f64,
    last: Us,
    max: u64,
    /// Where the integral starts (the end of the warm-up).
    start: Us,
}

impl Gauge {
    #[inline]
    fn set(&mut self, now: Us, v: u64) {
        self.integral += to_f64(self.v) * to_f64(now - self.last);
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
        if end <= self.start {
            return self.v as f64;
        }
        (self.integral + self.v as f64 * (end - self.last) as f64) / (end - self.start) as f64
    }
    /// Forgets the past: the mean and maximum count from `now` on.
    fn restart(&mut self, now: Us) {
        self.integral = 0.0;
        self.last = now;
        self.start = now;
        self.max = self.v;
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
    by_kind: [u64; 12],
    cold_starts: u64,
    retries: u64,
    dead_lettered: u64,
    throttles_retried: u64,
    waited: u64,
    served: u64,
    /// Queues: messages received (the queue's "served"); `waited` and
    /// `wait_sum` then count the time a message was visible before it.
    received: u64,
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
    /// Data stores called synchronously, and how.
    stores: Vec<(u32, Access)>,
    /// Secrets read once per execution environment or task (cached by
    /// the reader), not per request.
    secrets_cached: Vec<u32>,
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
    /// An SNS topic's filtered subscriptions (`sns.rs`); empty for others.
    gates: Vec<sns::Gate>,
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

/// What a component does with a request, with its state: one variant per
/// family (`build.rs` says which kind gets which). Dispatch is a `match`,
/// so the event loop calls no trait objects.
enum Behaviour {
    Client {
        target: u32,
    },
    Api {
        bucket: TokenBucket,
        timeout: Us,
        target: u32,
        /// Its Lambda authorizer, if a function authorizes it.
        authorizer: Option<Box<Authorizer>>,
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
        /// An S3 bucket's notification filter: the key (the request's
        /// path without its leading `/`) must begin with the prefix and
        /// end with the suffix.
        filter: Option<Box<(String, String)>>,
        /// A DynamoDB table's capacity.
        table: Option<Box<dynamodb::Table>>,
    },
    /// SNS, EventBridge: fan out to every subscriber; a scheduled rule
    /// also fires by itself.
    FanOut {
        schedule: Option<Box<schedules::Firing>>,
    },
    Capacity(Box<Capacity>),
    /// An EventBridge Pipe (`pipes.rs`).
    Pipe(Box<pipes::Pipe>),
    /// A Step Functions state machine and its executions.
    Workflow(Box<workflow::Machine>),
    /// Kinds the simulator does not model or that carry no traffic (see
    /// [`coverage`]): a request that reaches one completes at once.
    Passive,
}

/// One simulation in progress. [`crate::simulate`] runs it to the end; a
/// live run (archsim-app's) advances it in slices.
pub struct Simulation {
    design_name: String,
    scenario: Scenario,
    seed: u64,
    now: Us,
    end: Us,
    /// The warm-up: statistics and usage count from here (whole seconds).
    warmup: Us,
    seq: u64,
    events: u64,
    heap: BinaryHeap<Event>,
    /// The next 1 s tick, kept beside the heap. A tick at T closes the
    /// second [T - 1 s, T): it comes before every event at T. Quiet seconds
    /// are closed in bulk, and without series only the ticks that do
    /// something are run (`output.rs`).
    tick_at: Us,
    /// No idle Lambda environment expires before this (a lower bound:
    /// ticks before it need not look for one).
    next_expiry: Us,
    /// The design has EC2 capacity (placements are snapshot each minute).
    has_capacity: bool,
    /// The earliest of the profiles' next arrivals (time, sequence,
    /// profile), kept beside the heap like the tick (`arrivals.rs`).
    next_arrival: (Us, u64, u32),
    reqs: Vec<Req>,
    free_reqs: Vec<u32>,
    nodes: Vec<Node>,
    profiles: Vec<Profile>,
    paths: Vec<String>,
    /// The message each interned path carries: which of `messages` (the
    /// scenario's distinct message attributes and bodies; 0 is a message
    /// with neither) a request on that path publishes.
    path_messages: Vec<u32>,
    zones: Vec<String>,
    zone_down: Vec<bool>,
    pool_used: u32,
    pool_limit: u32,
    /// The account's idle expiry of a Lambda execution environment.
    idle_expiry: Us,
    legacy: Option<TokenBucket>,
    traces: Vec<RequestTrace>,
    trace_every: u64,
    /// Whether the 1 s series are recorded (`RunOptions::series`).
    series: bool,
    max_traces: usize,
    client_requests: u64,
    /// The next client request to sample as a trace.
    next_traced: u64,
    decisions: Vec<ScaleDecision>,
    /// What the run could not do as asked (`Run::notes`).
    notes: Vec<String>,
    /// Deployments started, with the node each is on (finished ones
    /// complete; those in progress are summarised at the end).
    deployments: Vec<(u32, Deployment)>,
    placements: Vec<PlacementSnapshot>,
    usage: Usage,
    /// When the hop that just finished answered its caller.
    child_answered: Us,
}

impl Simulation {
    /// Simulated time, seconds.
    pub fn now_s(&self) -> f64 {
        self.now as f64 / SEC as f64
    }

    pub fn duration_s(&self) -> f64 {
        self.end as f64 / SEC as f64
    }

    /// What this run simulates otherwise than AWS would (a Karpenter
    /// NodePool's consolidation, a rule condition taken to match, ...),
    /// known when it is built; the finished run carries the same notes.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    pub fn is_finished(&self) -> bool {
        self.heap.peek().is_none_or(|e| e.at > self.end)
            && self.tick_at > self.end
            && self.next_arrival.0 > self.end
    }

    /// Processes every event up to `t_s` seconds (capped at the end).
    ///
    /// The 1 s tick is not in the heap: it runs when it is due no later
    /// than the heap's next event, and the quiet seconds after it (nothing
    /// happens, nothing expires) are closed at once, so a run costs its
    /// events, not its simulated seconds.
    pub fn run_until(&mut self, t_s: f64) {
        let limit = ((t_s.max(0.0) * SEC as f64) as Us).min(self.end);
        loop {
            // The earliest of the heap's next event and the next arrival.
            let (arrival_at, arrival_seq, profile) = self.next_arrival;
            let mut next = (arrival_at, arrival_seq);
            let from_heap = match self.heap.peek() {
                Some(e) if (e.at, e.seq) < next => {
                    next = (e.at, e.seq);
                    true
                }
                _ => false,
            };
            // A tick comes before the events at its time.
            if self.tick_at <= limit && self.tick_at <= next.0 {
                self.now = self.tick_at;
                self.on_tick();
                self.skip_quiet_seconds(limit, next.0);
                continue;
            }
            if next.0 > limit {
                break;
            }
            self.now = next.0;
            self.events += 1;
            if from_heap {
                // Copied from the heap, where it was written long ago:
                // taken from `pop`'s return value, it would be read back
                // from the stores `pop` has just made (a store-forwarding
                // stall on every event).
                let ev = self.heap.peek().expect("peeked").ev;
                self.heap.pop();
                self.handle(ev);
            } else {
                self.on_arrival(profile);
            }
        }
        self.now = self.now.max(limit);
    }

    /// Applies a scenario event now (a live run's "inject").
    pub fn inject(&mut self, event: ScenarioEvent) {
        self.apply_event(&event);
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::WorkDone { req } => self.on_work_done(req),
            Ev::Answer { req } => self.finish(req, Outcome::Ok),
            Ev::AnswerThrottled { req } => self.finish(req, Outcome::Throttled),
            Ev::AsyncRetry { req } => self.on_async_retry(req),
            Ev::TaskReady {
                node,
                task,
                generation,
            } => self.on_task_ready(node, task, generation),
            Ev::TaskStop {
                node,
                task,
                generation,
            } => self.on_task_stop(node, task, generation),
            Ev::TaskFailed {
                node,
                task,
                generation,
            } => self.on_task_failed(node, task, generation),
            Ev::ScaleEval { node } => self.on_scale_eval(node),
            Ev::TableScaleEval { node } => self.on_table_scale_eval(node),
            Ev::CapacityEval { node } => self.on_capacity_eval(node),
            Ev::InstanceReady { node } => self.on_instance_ready(node),
            Ev::AutoscalerScan { node } => self.on_autoscaler_scan(node),
            Ev::KarpenterBatch { node } => self.on_karpenter_batch(node),
            Ev::KarpenterNodeReady { node, pool_type } => {
                self.on_karpenter_node_ready(node, pool_type)
            }
            Ev::KarpenterConsolidate { node, slot } => self.on_karpenter_consolidate(node, slot),
            Ev::PollerScale { node } => self.on_poller_scale(node),
            Ev::Visible { req } => self.on_visible(req),
            Ev::Scheduled { index } => self.on_scheduled(index),
            Ev::SlowdownEnd { node } => self.nodes[node as usize].slow = 1.0,
            Ev::RuleFires { node } => self.on_rule_fires(node),
            Ev::WorkflowStep { node, frame, step } => self.on_workflow_step(node, frame, step),
            Ev::DeployStep { node, version } => self.on_deploy_step(node, version),
            Ev::DeployAlarm {
                node,
                version,
                alarm,
            } => self.on_deploy_alarm(node, version, alarm),
        }
    }

    /// Runs to the end and returns the results.
    pub fn run(mut self) -> Run {
        let end = self.end as f64 / SEC as f64;
        self.run_until(end);
        self.into_run()
    }
}
