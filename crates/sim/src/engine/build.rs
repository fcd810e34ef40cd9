//! A simulation from a design and a scenario: one `Node` per component
//! with the behaviour of its kind, its calls wired from the connections,
//! the traffic profiles, and the first events.

use std::collections::BinaryHeap;
use std::path::PathBuf;

use archsim_model::component::{ComponentKind, Props, SecretReads};
use archsim_model::connection::{Access, ConnectionKind, InvokeMode};
use archsim_model::design::LambdaScalingRule;
use archsim_model::scenario::{ScenarioEvent, TrafficPattern};
use archsim_model::{Design, Scenario};
use hdrhistogram::Histogram;

use super::arrivals::Profile;
use super::capacity::Capacity;
use super::edges;
use super::events::Ev;
use super::lambda::{LEGACY_BURST, LEGACY_REFILL_PER_S, Lambda};
use super::queue::{self, Consumer, Queue};
use super::scaling::HPA_SYNC;
use super::service::{Service, Workload};
use super::{
    Behaviour, Counters, Gauge, NONE, Node, SEC, SecondCounts, Simulation, TokenBucket, Us,
};
use crate::rng::{Sampler, stream};
use crate::run::*;
use crate::traffic::{RateCurve, read_trace};
use crate::{RunOptions, SimError};

use archsim_model::component::{S3_LATENCY_MEAN_MS, S3_LATENCY_P99_MS};

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
        if !opts.warmup_s.is_finite() || opts.warmup_s < 0.0 || opts.warmup_s >= duration_s {
            return Err(SimError::BadScenario(format!(
                "a warm-up of {} s must be shorter than the run ({duration_s} s)",
                opts.warmup_s
            )));
        }
        let start = scenario
            .start_time()
            .map_err(|m| SimError::BadScenario(format!("scenario \"{}\": {m}", scenario.name)))?;
        // Whole seconds, so the 1 s series start at a second's boundary.
        let warmup = opts.warmup_s.round() as Us * SEC;
        let ids: Vec<&str> = design.components().map(|c| c.id.as_str()).collect();
        let index = |id: &str| index_of(&ids, id);

        let mut notes: Vec<String> = Vec::new();
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
                secrets_cached: Vec::new(),
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
                gates: Vec::new(),
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
                    ConnectionKind::Uses { access } if to.kind().is_data_store() => {
                        node.stores.push((t, *access))
                    }
                    // A secret is only ever read (`SECRET_WRITTEN` warns).
                    ConnectionKind::Uses { .. } => match &to.props {
                        Props::Secret(s) if s.reads == SecretReads::EveryRequest => {
                            node.stores.push((t, Access::Read))
                        }
                        Props::Secret(_) => node.secrets_cached.push(t),
                        _ => {}
                    },
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
                    authorizer: edges::authorizer(design, comp, p, &ids),
                },
                Props::Alb(p) | Props::Nlb(p) => {
                    notes.extend(edges::conditions_taken_to_match(design, comp));
                    edges::load_balancer(design, comp, p, &ids)
                }
                Props::CloudFront(p) => Behaviour::Edge {
                    hit_ratio: p.cache_hit_ratio.clamp(0.0, 1.0),
                    target: NONE,
                },
                Props::LambdaFunction(p) => {
                    if let Some(r) = p.reserved_concurrency {
                        reserved_total += r;
                    }
                    Behaviour::Lambda(Box::new(Lambda::new(p)))
                }
                Props::EcsService(p) => Behaviour::Service(Box::new(Service::build(
                    design,
                    comp,
                    Workload::Ecs(p),
                    &ids,
                    &mut zones,
                ))),
                Props::EksWorkload(p) => Behaviour::Service(Box::new(Service::build(
                    design,
                    comp,
                    Workload::Eks(p),
                    &ids,
                    &mut zones,
                ))),
                Props::SqsQueue(p) => Behaviour::Queue(Box::new(Queue::sqs(p))),
                Props::KinesisStream(p) => Behaviour::Queue(Box::new(Queue::kinesis(p))),
                Props::DynamoDbTable(p) => Behaviour::Store {
                    latency: Sampler::new(&p.latency),
                    notifies: false,
                    filter: None,
                    table: Some(Box::new(super::dynamodb::Table::new(p))),
                },
                Props::AuroraServerless(p) => Behaviour::Store {
                    latency: Sampler::new(&p.latency),
                    notifies: false,
                    filter: None,
                    table: None,
                },
                Props::Rds(p) => Behaviour::Store {
                    latency: Sampler::new(&p.latency),
                    notifies: false,
                    filter: None,
                    table: None,
                },
                Props::Secret(p) => Behaviour::Store {
                    latency: Sampler::new(&p.latency),
                    notifies: false,
                    filter: None,
                    table: None,
                },
                Props::S3Bucket(p) => Behaviour::Store {
                    latency: lognormal(S3_LATENCY_MEAN_MS, S3_LATENCY_P99_MS),
                    notifies: !p.events.is_empty(),
                    filter: (!p.prefix.is_empty() || !p.suffix.is_empty())
                        .then(|| Box::new((p.prefix.clone(), p.suffix.clone()))),
                    table: None,
                },
                Props::SnsTopic(_) => Behaviour::FanOut { schedule: None },
                Props::EventBridgeRule(p) => Behaviour::FanOut {
                    schedule: super::schedules::Firing::new(&p.schedule, start).map(Box::new),
                },
                // A custom bus fans each event out to every rule on it.
                Props::EventBus(_) => Behaviour::FanOut { schedule: None },
                Props::EventBridgePipe(p) => {
                    Behaviour::Pipe(Box::new(super::pipes::Pipe::build(design, comp, p, &ids)))
                }
                Props::StepFunctions(p) => Behaviour::Workflow(Box::new(
                    super::workflow::Machine::new(design, comp, p, &ids),
                )),
                Props::Ec2AutoScalingGroup(p) => {
                    node.instances.set(0, u64::from(Capacity::initial(p)));
                    Behaviour::Capacity(Box::new(Capacity::new(p, &mut zones)))
                }
                Props::EksNodeGroup(p) => {
                    node.instances
                        .set(0, u64::from(Capacity::node_group_initial(p)));
                    Behaviour::Capacity(Box::new(Capacity::node_group(
                        &comp.id,
                        p,
                        &mut zones,
                        &opts.instance_prices,
                        &mut notes,
                    )))
                }
                // Not simulated (`coverage` says what is skipped): a request
                // that reaches one completes at once.
                Props::Clb(_)
                | Props::Cognito(_)
                | Props::Lex(_)
                | Props::Alexa(_)
                | Props::Firehose(_)
                | Props::Ec2Instance(_)
                | Props::Generic(_) => Behaviour::Passive,
                // No traffic of their own: the services that use them read
                // their properties (task size, start time, Spot), or there
                // is nothing to simulate (clusters, registries, roles).
                Props::EcsCluster(_)
                | Props::EksCluster(_)
                | Props::TaskDefinition(_)
                | Props::Fargate(_)
                | Props::FargateSpot(_)
                | Props::EksFargateProfile(_)
                | Props::EcrRepository(_)
                | Props::ExternalRegistry(_)
                | Props::IamRole(_)
                | Props::VpcEndpoint(_) => Behaviour::Passive,
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
        queue::event_source_mappings(design, &mut nodes, &ids);

        let mut paths = vec!["/".to_string()];
        let mut path_messages = vec![0];
        let mut messages = super::sns::Messages::new();
        let mut profiles = Vec::new();
        for (i, t) in scenario.traffic.iter().enumerate() {
            let where_ = format!("scenario \"{}\" traffic[{i}]", scenario.name);
            let entry = index(&t.entry).ok_or_else(|| {
                SimError::BadScenario(format!(
                    "{where_}: entry \"{}\" is not a component of the design",
                    t.entry
                ))
            })?;
            if let Some(reason) = design
                .component(&t.entry)
                .and_then(|c| super::coverage::no_traffic_reason(c.kind()))
            {
                return Err(SimError::BadScenario(format!(
                    "{where_}: traffic cannot go into \"{}\": {reason}; send it to an entry point (an API, a load balancer, a queue, a function or a client)",
                    t.entry
                )));
            }
            let message = messages.intern(&t.request);
            let path = intern(&mut paths, &mut path_messages, &t.request.path, message);
            let (curve, trace) = match &t.pattern {
                TrafficPattern::Trace { file, format } => {
                    let base = opts.base_dir.clone().unwrap_or_else(|| PathBuf::from("."));
                    let arrivals = read_trace(&base, file, *format)?;
                    let trace = arrivals
                        .into_iter()
                        .map(|a| {
                            let p = a.path.map_or(path, |p| {
                                intern(&mut paths, &mut path_messages, &p, message)
                            });
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
                path,
                work: t.request.work.as_ref().map(Sampler::new),
                rng: stream(seed, &format!("traffic/{}/{i}", t.entry)),
                last: 0,
                origin: 0,
                bytes: u64::from(t.request.payload_bytes) + u64::from(t.request.response_bytes),
                next_at: Us::MAX,
                next_seq: 0,
                peak: 0.0,
                mean_gap: 0.0,
            });
            profiles.last_mut().expect("just pushed").rescale(1.0);
        }
        for (topic, gate) in messages.gates(design, index)? {
            nodes[topic as usize].gates.push(gate);
        }
        for (i, e) in scenario.events.iter().enumerate() {
            let ok = match &e.event {
                ScenarioEvent::TrafficChange { factor, .. } => factor.is_finite() && *factor >= 0.0,
                ScenarioEvent::SpotInterruption { share, .. } => (0.0..=1.0).contains(share),
                ScenarioEvent::DependencySlowdown {
                    factor, duration_s, ..
                } => factor.is_finite() && *factor > 0.0 && *duration_s >= 0.0,
                ScenarioEvent::ZoneLoss { .. } => true,
                ScenarioEvent::Deploy {
                    init_ms,
                    error_rate,
                    ..
                } => {
                    (0.0..=1.0).contains(error_rate)
                        && init_ms.is_none_or(|ms| ms.is_finite() && ms >= 0.0)
                }
            };
            if !ok || !e.at_s.is_finite() || e.at_s < 0.0 {
                return Err(SimError::BadScenario(format!(
                    "scenario \"{}\" events[{i}]: a time, factor or share is out of range",
                    scenario.name
                )));
            }
            // Only what AWS deploys by version is: a deploy on anything
            // else would be ignored, so the scenario is refused instead.
            if let ScenarioEvent::Deploy { component, .. } = &e.event
                && let Some(c) = design.component(component)
                && !matches!(
                    c.kind(),
                    ComponentKind::LambdaFunction | ComponentKind::EcsService
                )
            {
                return Err(SimError::BadScenario(format!(
                    "scenario \"{}\" events[{i}]: deploy on {component} ({}): only Lambda functions and ECS services are deployed",
                    scenario.name,
                    c.kind().label()
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
            warmup,
            seq: 0,
            events: 0,
            heap: BinaryHeap::with_capacity(1024),
            tick_at: Us::MAX,
            next_expiry: Us::MAX,
            has_capacity: false,
            next_arrival: (Us::MAX, u64::MAX, NONE),
            reqs: Vec::with_capacity(1024),
            free_reqs: Vec::new(),
            nodes,
            profiles,
            paths,
            path_messages,
            zones,
            zone_down: vec![false; zone_count],
            pool_used: 0,
            pool_limit,
            idle_expiry: u64::from(account.lambda_idle_expiry_s.max(1)) * SEC,
            legacy: (account.lambda_scaling == LambdaScalingRule::LegacyBurst)
                .then(|| TokenBucket::new(LEGACY_REFILL_PER_S, LEGACY_BURST)),
            traces: Vec::new(),
            trace_every: opts.trace_every.max(1),
            series: opts.series,
            max_traces: opts.max_traces,
            client_requests: 0,
            next_traced: 1,
            decisions: Vec::new(),
            notes,
            deployments: Vec::new(),
            placements: Vec::new(),
            usage: Usage::default(),
            child_answered: 0,
        };
        sim.has_capacity = sim
            .nodes
            .iter()
            .any(|n| matches!(n.behaviour, Behaviour::Capacity(_)));
        sim.start();
        Ok(sim)
    }

    /// Schedules the first arrivals, ticks, evaluations and scenario events,
    /// and starts the initial tasks.
    fn start(&mut self) {
        for p in 0..self.profiles.len() {
            self.schedule_next_arrival(p as u32);
        }
        self.tick_at = SEC;
        for i in 0..self.scenario.events.len() {
            let at = (self.scenario.events[i].at_s * SEC as f64).round() as Us;
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
                    let scan = c.autoscaler.as_ref().map(|a| a.scan);
                    // The group starts at its desired capacity, balanced
                    // across its zones.
                    for _ in 0..self.nodes[n].instances.v {
                        self.add_instance(node);
                    }
                    if managed {
                        self.push(60 * SEC, Ev::CapacityEval { node });
                    }
                    if let Some(scan) = scan {
                        self.push(scan, Ev::AutoscalerScan { node });
                    }
                }
                Behaviour::FanOut { schedule: Some(f) } => {
                    if let Some(at) = f.first() {
                        self.push_firing(at, node);
                    }
                }
                Behaviour::Store { table: Some(t), .. } if t.scales() => {
                    self.push(60 * SEC, Ev::TableScaleEval { node });
                }
                _ => {}
            }
        }
    }
}

/// A component's index (components are sorted by id).
pub(super) fn index_of(ids: &[&str], id: &str) -> Option<u32> {
    ids.binary_search(&id).ok().map(|i| i as u32)
}

/// The index of availability zone `z`, added to the engine's list if new.
/// The indexes of a capacity's availability zones, added to the engine's
/// list if new; none named: every zone the engine knows.
pub(super) fn zone_indexes(zones: &mut Vec<String>, azs: &[String]) -> Vec<u8> {
    let v: Vec<u8> = azs.iter().map(|z| zone_index(zones, z)).collect();
    if v.is_empty() {
        (0..zones.len() as u8).collect()
    } else {
        v
    }
}

pub(super) fn zone_index(zones: &mut Vec<String>, z: &str) -> u8 {
    match zones.iter().position(|x| x == z) {
        Some(i) => i as u8,
        None => {
            zones.push(z.to_string());
            (zones.len() - 1) as u8
        }
    }
}

fn lognormal(mean_ms: f64, p99_ms: f64) -> Sampler {
    Sampler::new(&archsim_model::component::Distribution::Lognormal { mean_ms, p99_ms })
}

/// The index of a path carrying `message` (a request's path and the
/// message it publishes travel together as this one number).
fn intern(paths: &mut Vec<String>, messages: &mut Vec<u32>, p: &str, message: u32) -> u32 {
    match (0..paths.len()).find(|&i| paths[i] == p && messages[i] == message) {
        Some(i) => i as u32,
        None => {
            paths.push(p.to_string());
            messages.push(message);
            (paths.len() - 1) as u32
        }
    }
}
