//! A month of usage estimated from a design and a scenario, without
//! simulating: the scenario's mean request rate is followed through the
//! design's connections (routes chosen by path, fan-out through topics,
//! batches through pollers) and turned into AWS quantities per component.
//!
//! This is the steady-state, mean-value view: no cold starts, no retries,
//! no queueing. Every simplification is stated in [`Estimate::notes`], and
//! shown to the user with the bill. A simulation run gives measured usage
//! instead when it is available.

use std::collections::BTreeMap;

use archsim_model::component::{
    ApiType, Architecture as ModelArch, DynamoDbBilling, EcsServiceProps, EksWorkloadProps,
    LAMBDA_MB_PER_VCPU, LambdaAuthorizer, LambdaProps, Props, ScalingMetric, SecretReads,
    TaskDefinitionProps, Work, WorkflowType,
};
use archsim_model::connection::{ConnectionKind, Meaning};
use archsim_model::listener_rule::rule_matches;
use archsim_model::scenario::{RequestAttributes, Scenario, TrafficPattern};
use archsim_model::{Component, ComponentKind as K, Design};

use crate::usage::{
    ApiGatewayUsage, ApiKind, Architecture, Assumptions, ComponentUsage, Ec2Usage, EcrUsage,
    EksSupport, EksUsage, FargateUsage, LambdaUsage, LoadBalancerKind, LoadBalancerUsage,
    QueueType, S3Usage, Scaling, ServiceUsage, SqsUsage, StepFunctionsUsage, UsageProfile,
};

/// Why a design cannot be estimated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    #[error("design \"{design}\" has no scenario named \"{name}\"; it has: {known}")]
    UnknownScenario {
        design: String,
        name: String,
        known: String,
    },
    #[error("design \"{0}\" has no scenario: add one, or price a usage profile (--usage FILE)")]
    NoScenario(String),
    #[error(
        "scenario \"{scenario}\": traffic at {entry} replays trace {file}; its mean rate needs a simulation run"
    )]
    TraceTraffic {
        scenario: String,
        entry: String,
        file: String,
    },
    #[error("scenario \"{scenario}\": traffic at {entry} has a negative or non-finite rate")]
    BadRate { scenario: String, entry: String },
}

/// Usage estimated for a design, with what the estimate assumed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub scenario: String,
    /// Mean requests per second entering the design.
    pub entry_requests_per_s: f64,
    /// Mean request rate reaching each component.
    pub rates: BTreeMap<String, f64>,
    pub profile: UsageProfile,
    pub notes: Vec<String>,
}

/// Picks the scenario: by name, or the design's first.
pub fn pick_scenario<'a>(
    design: &'a Design,
    name: Option<&str>,
) -> Result<&'a Scenario, EstimateError> {
    match name {
        Some(n) => design
            .scenario(n)
            .ok_or_else(|| EstimateError::UnknownScenario {
                design: design.name.clone(),
                name: n.to_string(),
                known: design
                    .scenarios
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        None => design
            .scenarios
            .first()
            .ok_or_else(|| EstimateError::NoScenario(design.name.clone())),
    }
}

/// The mean rate of a traffic pattern over `duration_s`.
pub fn mean_rate(pattern: &TrafficPattern, duration_s: f64) -> Option<f64> {
    let d = duration_s.max(f64::MIN_POSITIVE);
    Some(match pattern {
        TrafficPattern::Constant { rps } | TrafficPattern::Poisson { rps } => *rps,
        TrafficPattern::Diurnal { mean_rps, .. } => *mean_rps,
        TrafficPattern::Ramp { from_rps, to_rps } => (from_rps + to_rps) / 2.0,
        TrafficPattern::Step {
            from_rps,
            to_rps,
            at_s,
        } => {
            let at = at_s.clamp(0.0, d);
            (from_rps * at + to_rps * (d - at)) / d
        }
        TrafficPattern::Spike {
            base_rps,
            peak_rps,
            at_s,
            duration_s: spike,
        } => {
            let during = spike.min((d - at_s).max(0.0)).max(0.0);
            base_rps + (peak_rps - base_rps) * during / d
        }
        TrafficPattern::Trace { .. } => return None,
    })
}

/// Flow of requests through the design, accumulated per component.
#[derive(Default)]
struct Flow {
    /// Requests (or messages) per second arriving at each component.
    rate: BTreeMap<String, f64>,
    /// Reads and writes per second on data stores.
    reads: BTreeMap<String, f64>,
    writes: BTreeMap<String, f64>,
    /// Bytes per second through load balancers.
    bytes: BTreeMap<String, f64>,
    /// Messages per second each SNS subscription with a filter policy
    /// delivers (by connection id): the requests that pass it.
    deliveries: BTreeMap<String, f64>,
}

const MAX_DEPTH: usize = 32;

impl Flow {
    fn push(&mut self, d: &Design, id: &str, rps: f64, request: &RequestAttributes, depth: usize) {
        if rps <= 0.0 || depth > MAX_DEPTH {
            return;
        }
        let Some(c) = d.component(id) else { return };
        *self.rate.entry(id.to_string()).or_default() += rps;
        if matches!(c.kind(), K::Alb | K::Nlb | K::Clb) {
            *self.bytes.entry(id.to_string()).or_default() +=
                rps * f64::from(request.payload_bytes + request.response_bytes);
        }
        let out = d.outgoing(id);
        // An API's Lambda authorizer is invoked for the requests its cache
        // does not answer.
        if let Props::ApiGateway(p) = &c.props
            && let Some((_, function)) = d.incoming(id).into_iter().find(|(conn, from)| {
                matches!(conn.kind, ConnectionKind::Authorizes) && from.kind() == K::LambdaFunction
            })
        {
            let fetch_s = match &function.props {
                Props::LambdaFunction(l) => lambda_duration_ms(d, &function.id, l, depth) / 1000.0,
                _ => 0.0,
            };
            let invoked = authorizer_invocation_rate(&p.lambda_authorizer, rps, fetch_s);
            self.push(d, &function.id, invoked, request, depth + 1);
        }
        if let Props::EventBridgePipe(p) = &c.props {
            // A pipe passes on the events its filters match: one message
            // each to a queue, topic, bus or stream; one call per batch to
            // its enrichment and an invoked target.
            let passed = rps * p.matching_share.clamp(0.0, 1.0);
            let batch = poll_batch(&d.incoming(id));
            for (conn, target) in &out {
                let per_batch = matches!(
                    conn.kind,
                    ConnectionKind::Invoke { .. } | ConnectionKind::Uses { .. }
                );
                let r = if per_batch { passed / batch } else { passed };
                self.push(d, &target.id, r, request, depth + 1);
            }
            return;
        }
        // A state machine calls each target as often as its Task states do.
        let calls = match &c.props {
            Props::StepFunctions(p) => {
                Some(crate::step_functions::expected(d, c, p, &|t| task_ms(d, t)).calls)
            }
            _ => None,
        };
        let times = |target: &str| {
            calls
                .as_ref()
                .map_or(1.0, |m| m.get(target).copied().unwrap_or(0.0))
        };
        // A load balancer sends each request to the one rule that matches.
        let routes: Vec<_> = out
            .iter()
            .filter(|(conn, _)| conn.kind.meaning() == Meaning::Route)
            .collect();
        if let Some((_, target)) = matching_route(&routes, &request.path) {
            self.push(d, &target.id, rps, request, depth + 1);
        }
        for (conn, target) in &out {
            match &conn.kind {
                ConnectionKind::Invoke { .. } | ConnectionKind::Publishes => {
                    // A topic's subscription gets the messages its filter
                    // policy passes (one AWS would refuse passes none).
                    let delivered = match &conn.filter_policy {
                        None => rps,
                        Some(filter) => {
                            let passes = filter.parse().is_ok_and(|p| {
                                p.passes(&request.message_attributes, request.message_body.as_ref())
                            });
                            let delivered = if passes { rps } else { 0.0 };
                            *self.deliveries.entry(conn.id.clone()).or_default() += delivered;
                            delivered
                        }
                    };
                    self.push(
                        d,
                        &target.id,
                        delivered * times(&target.id),
                        request,
                        depth + 1,
                    );
                }
                ConnectionKind::Poll { .. } => {
                    self.push(d, &target.id, rps, request, depth + 1);
                }
                ConnectionKind::Uses { access } => {
                    // One request per call: a read-write connection's
                    // calls are half reads, half writes (as a run counts
                    // them, crate::measured).
                    let share = if access.reads() && access.writes() {
                        0.5
                    } else {
                        1.0
                    } * times(&target.id);
                    if access.reads() {
                        *self.reads.entry(target.id.clone()).or_default() += rps * share;
                    }
                    if access.writes() {
                        *self.writes.entry(target.id.clone()).or_default() += rps * share;
                        // Writes to a bucket or a table with a stream notify onward.
                        if matches!(target.kind(), K::S3Bucket | K::DynamoDbTable) {
                            self.push(d, &target.id, rps, request, depth + 1);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A Lambda authorizer's invocations per second when its API takes `rps`
/// requests per second, spread evenly over its callers, and an answer
/// takes `fetch_s` to come back, in steady state. Each caller's cycle: a
/// request misses the cache and invokes the function; the caller's
/// requests until the answer is back invoke it too (API Gateway does not
/// wait for the first), `rps / callers x fetch_s` of them; the answer
/// serves the caller for the TTL; the caller's next request (Poisson
/// arrivals: `callers / rps` later on average) misses again. So `rps`
/// with no cache, and about `callers / ttl` when every caller calls often.
pub fn authorizer_invocation_rate(a: &LambdaAuthorizer, rps: f64, fetch_s: f64) -> f64 {
    if rps <= 0.0 {
        return 0.0;
    }
    let ttl = f64::from(a.result_ttl_s);
    let callers = f64::from(a.callers.max(1));
    let per_cycle = 1.0 + rps / callers * fetch_s;
    let cycle_s = fetch_s + ttl + callers / rps;
    (callers * per_cycle / cycle_s).min(rps)
}

/// The listener rule a request path matches: rules by priority, then the
/// default rule (no conditions).
fn matching_route<'a>(
    routes: &[&'a (&'a archsim_model::Connection, &'a Component)],
    path: &str,
) -> Option<&'a (&'a archsim_model::Connection, &'a Component)> {
    let mut ordered: Vec<_> = routes.to_vec();
    ordered.sort_by_key(|(c, _)| match c.kind {
        ConnectionKind::Route { priority, .. } => priority.unwrap_or(u32::MAX),
        _ => u32::MAX,
    });
    ordered.into_iter().find(|(c, _)| match &c.kind {
        ConnectionKind::Route { conditions, .. } => rule_matches(conditions, path),
        _ => false,
    })
}

fn arch(a: ModelArch) -> Architecture {
    match a {
        ModelArch::X86_64 => Architecture::X86_64,
        ModelArch::Arm64 => Architecture::Arm64,
    }
}

/// The mean latency a caller waits for one request to a data store, as
/// the simulator samples it (non-stores add none here).
fn store_latency_ms(c: &Component) -> f64 {
    match &c.props {
        Props::DynamoDbTable(t) => t.latency.mean_ms(),
        Props::AuroraServerless(a) => a.latency.mean_ms(),
        Props::Rds(r) => r.latency.mean_ms(),
        Props::S3Bucket(_) => archsim_model::component::S3_LATENCY_MEAN_MS,
        // A cached secret is read in the init, not per request.
        Props::Secret(s) => match s.reads {
            SecretReads::EveryRequest => s.latency.mean_ms(),
            SecretReads::Cached => 0.0,
        },
        Props::StepFunctions(_)
        | Props::Client(_)
        | Props::ApiGateway(_)
        | Props::CloudFront(_)
        | Props::Alb(_)
        | Props::Nlb(_)
        | Props::Clb(_)
        | Props::Cognito(_)
        | Props::Lex(_)
        | Props::Alexa(_)
        | Props::SqsQueue(_)
        | Props::SnsTopic(_)
        | Props::EventBridgeRule(_)
        | Props::EventBus(_)
        | Props::EventBridgePipe(_)
        | Props::KinesisStream(_)
        | Props::Firehose(_)
        | Props::LambdaFunction(_)
        | Props::Ec2Instance(_)
        | Props::EcsCluster(_)
        | Props::EcsService(_)
        | Props::TaskDefinition(_)
        | Props::Fargate(_)
        | Props::FargateSpot(_)
        | Props::Ec2AutoScalingGroup(_)
        | Props::EksCluster(_)
        | Props::EksNodeGroup(_)
        | Props::EksFargateProfile(_)
        | Props::EksWorkload(_)
        | Props::EcrRepository(_)
        | Props::ExternalRegistry(_)
        | Props::IamRole(_)
        | Props::VpcEndpoint(_)
        | Props::Generic(_) => 0.0,
    }
}

/// Mean handler time at this memory size: the CPU-bound share scales
/// inversely with memory below one vCPU (1,769 MB).
fn handler_ms(work: &Work, memory_mb: u32) -> f64 {
    let mean = work.duration.mean_ms();
    let slow = (f64::from(LAMBDA_MB_PER_VCPU) / f64::from(memory_mb.max(1))).max(1.0);
    mean * (work.cpu_share * slow + (1.0 - work.cpu_share))
}

/// Billed duration of one invocation: handler plus synchronous calls made
/// while it runs (they keep the function waiting, and billed).
/// How long a state machine's synchronous call to `target` takes: a
/// function's duration, a store's latency, a nested execution's duration.
fn task_ms(d: &Design, target: &Component) -> f64 {
    match &target.props {
        Props::LambdaFunction(l) => lambda_duration_ms(d, &target.id, l, 0),
        _ => store_latency_ms(target),
    }
}

fn lambda_duration_ms(d: &Design, id: &str, l: &LambdaProps, depth: usize) -> f64 {
    let mut ms = handler_ms(&l.work, l.memory_mb);
    if depth > MAX_DEPTH {
        return ms;
    }
    for (conn, target) in d.outgoing(id) {
        match &conn.kind {
            ConnectionKind::Uses { .. } => ms += store_latency_ms(target),
            ConnectionKind::Invoke {
                mode: archsim_model::connection::InvokeMode::Sync,
            } => {
                if let Props::LambdaFunction(callee) = &target.props {
                    ms += lambda_duration_ms(d, &target.id, callee, depth + 1);
                }
            }
            _ => {}
        }
    }
    ms.min(f64::from(l.timeout_s) * 1000.0)
}

/// Tasks a service runs on average: the desired count, or under CPU
/// target tracking the tasks that hold the target, within min..max. A
/// task's utilisation is its busy workers over its workers, as the
/// simulator measures it: a request keeps a worker busy for its work and
/// the data-store calls it makes.
fn service_tasks(d: &Design, id: &str, s: &EcsServiceProps, rps: f64) -> f64 {
    let cpu_policy = s.autoscaling.as_ref().and_then(|a| {
        a.target_tracking
            .iter()
            .find(|p| p.metric == ScalingMetric::CpuUtilization)
    });
    match cpu_policy {
        Some(p) if p.target > 0.0 => {
            let stores: f64 = d
                .outgoing(id)
                .iter()
                .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::Uses { .. }))
                .map(|(_, t)| store_latency_ms(t))
                .sum();
            let busy_s = (s.work.duration.mean_ms() + stores) / 1000.0;
            let workers = f64::from(s.workers_per_task.max(1));
            let needed = (rps * busy_s / (workers * p.target / 100.0)).ceil();
            needed.clamp(f64::from(s.min_count.max(1)), f64::from(s.max_count.max(1)))
        }
        _ => f64::from(s.desired_count),
    }
}

/// How tasks split over a capacity provider strategy: bases first, the
/// rest by weight.
fn split_by_strategy(tasks: f64, strategy: &[(String, u32, u32)]) -> Vec<(String, f64)> {
    let mut left = tasks;
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    for (id, _, base) in strategy {
        let b = f64::from(*base).min(left);
        *out.entry(id.clone()).or_default() += b;
        left -= b;
    }
    let total_weight: u32 = strategy.iter().map(|(_, w, _)| *w).sum();
    if total_weight > 0 {
        for (id, w, _) in strategy {
            *out.entry(id.clone()).or_default() += left * f64::from(*w) / f64::from(total_weight);
        }
    } else if let Some((id, _, _)) = strategy.first() {
        *out.entry(id.clone()).or_default() += left;
    }
    out.into_iter().collect()
}

fn fargate_usage(tasks: f64, t: &TaskDefinitionProps, spot: bool) -> FargateUsage {
    FargateUsage {
        tasks,
        runs_per_task: 1.0,
        seconds_per_run: None,
        vcpu: f64::from(t.cpu) / 1024.0,
        memory_gb: f64::from(t.memory_mb) / 1024.0,
        architecture: arch(t.architecture),
        ephemeral_storage_gb: f64::from(t.ephemeral_storage_gb),
        spot,
    }
}

/// The batch size of the first event source mapping among `connections`
/// (1 when none polls).
fn poll_batch(connections: &[(&archsim_model::Connection, &Component)]) -> f64 {
    connections
        .iter()
        .find_map(|(conn, _)| match conn.kind {
            ConnectionKind::Poll { batch_size, .. } => Some(f64::from(batch_size)),
            _ => None,
        })
        .unwrap_or(1.0)
}

/// Estimates a month of usage for `design` under `scenario`.
pub fn estimate_usage(
    design: &Design,
    scenario: &Scenario,
    assumptions: &Assumptions,
) -> Result<Estimate, EstimateError> {
    let month_s = assumptions.month_hours * 3600.0;
    let mut flow = Flow::default();
    let mut entry_rps = 0.0;
    let mut payload_bytes = 0.0;
    let mut response_bytes = 0.0;
    let mut internet_out_rps = 0.0;
    for t in &scenario.traffic {
        let rps = mean_rate(&t.pattern, scenario.duration_s).ok_or_else(|| match &t.pattern {
            TrafficPattern::Trace { file, .. } => EstimateError::TraceTraffic {
                scenario: scenario.name.clone(),
                entry: t.entry.clone(),
                file: file.clone(),
            },
            _ => EstimateError::BadRate {
                scenario: scenario.name.clone(),
                entry: t.entry.clone(),
            },
        })?;
        if !rps.is_finite() || rps < 0.0 {
            return Err(EstimateError::BadRate {
                scenario: scenario.name.clone(),
                entry: t.entry.clone(),
            });
        }
        entry_rps += rps;
        payload_bytes += rps * f64::from(t.request.payload_bytes);
        response_bytes += rps * f64::from(t.request.response_bytes);
        if crate::rated::answers_internet(design, &t.entry) {
            internet_out_rps += rps;
        }
        flow.push(design, &t.entry, rps, &t.request, 0);
    }
    let (mean_payload_kb, mean_response_kb) = if entry_rps > 0.0 {
        (
            payload_bytes / entry_rps / 1024.0,
            response_bytes / entry_rps / 1024.0,
        )
    } else {
        (1.0, 4.0)
    };
    let traffic = |rps: f64| crate::rated::Traffic {
        rps,
        payload_kb: mean_payload_kb,
        response_kb: mean_response_kb,
        month_s,
    };
    let rate = |id: &str| flow.rate.get(id).copied().unwrap_or(0.0);
    let mut components = Vec::new();
    let mut push = |id: &str, usage: ServiceUsage, scaling: Option<Scaling>| {
        components.push(ComponentUsage {
            component_id: id.to_string(),
            usage,
            scaling,
        });
    };
    let mut cached_secrets = Vec::new();
    let mut notes = vec![
        format!(
            "traffic: the mean rate of scenario \"{}\" ({:.3} requests/s entering) held all month",
            scenario.name, entry_rps
        ),
        "steady state: no cold starts, retries, throttles or errors; each request reaches every synchronous and asynchronous target once".into(),
    ];
    for api in design.components() {
        let Props::ApiGateway(p) = &api.props else {
            continue;
        };
        for (conn, f) in design.incoming(&api.id) {
            if matches!(conn.kind, ConnectionKind::Authorizes) && f.kind() == K::LambdaFunction {
                let a = &p.lambda_authorizer;
                notes.push(format!(
                    "{}: the Lambda authorizer of {}, invoked for the requests its cache misses (answers kept {} s for each of {} callers, requests spread evenly over them)",
                    f.id, api.id, a.result_ttl_s, a.callers
                ));
            }
        }
    }
    for c in design.components() {
        let id = c.id.as_str();
        let rps = rate(id);
        match &c.props {
            Props::StepFunctions(p) => {
                let e = crate::step_functions::expected(design, c, p, &|t| task_ms(design, t));
                let executions = rps * month_s;
                let express = p.workflow_type == WorkflowType::Express;
                // Billed per 100 ms at 64 MB (the simulator's rounding of
                // each execution, applied to the mean).
                let billed_s = (e.duration_ms / 100.0).ceil().max(1.0) * 0.1;
                push(
                    id,
                    ServiceUsage::StepFunctions(StepFunctionsUsage {
                        express,
                        executions,
                        transitions: e.transitions * executions,
                        gb_seconds: if express {
                            executions * billed_s * 64.0 / 1024.0
                        } else {
                            0.0
                        },
                    }),
                    None,
                );
                let deployed = Component {
                    props: Props::StepFunctions(p.deployed(design.export_profile)),
                    ..c.clone()
                };
                for (suffix, usage) in
                    crate::rated::observability_usage(&deployed, traffic(rps), assumptions)
                {
                    push(&format!("{id}@{suffix}"), usage, None);
                }
            }
            Props::LambdaFunction(l) => {
                // Pollers invoke once per batch.
                let batch = poll_batch(&design.incoming(id));
                let invocations = rps / batch * month_s;
                let mut duration = lambda_duration_ms(design, id, l, 0);
                if batch > 1.0 {
                    duration *= batch;
                }
                for (suffix, usage) in
                    crate::rated::observability_usage(c, traffic(rps / batch), assumptions)
                {
                    push(&format!("{id}@{suffix}"), usage, None);
                }
                let provisioned = (l.provisioned_concurrency > 0).then(|| {
                    // Mean concurrency below the provisioned level is all served warm.
                    crate::usage::ProvisionedConcurrencyUsage::new(
                        l.provisioned_concurrency,
                        invocations.min(
                            f64::from(l.provisioned_concurrency) * month_s
                                / (duration / 1000.0).max(1e-3),
                        ),
                    )
                });
                push(
                    id,
                    ServiceUsage::Lambda(LambdaUsage {
                        requests: invocations,
                        duration_ms: duration,
                        billed_duration_ms_total: None,
                        memory_mb: l.memory_mb,
                        architecture: arch(l.architecture),
                        ephemeral_storage_mb: l.ephemeral_storage_mb,
                        provisioned_concurrency: provisioned,
                    }),
                    None,
                );
            }
            Props::ApiGateway(a) => {
                push(
                    id,
                    ServiceUsage::ApiGateway(ApiGatewayUsage {
                        kind: match a.api_type {
                            ApiType::Rest => ApiKind::Rest,
                            ApiType::Http => ApiKind::Http,
                        },
                        requests: rps * month_s,
                    }),
                    None,
                );
                for (suffix, usage) in
                    crate::rated::observability_usage(c, traffic(rps), assumptions)
                {
                    push(&format!("{id}@{suffix}"), usage, None);
                }
            }
            Props::Alb(_) | Props::Nlb(_) | Props::Clb(_) => {
                let Some(kind) = load_balancer_kind(c.kind()) else {
                    continue;
                };
                let rules = design
                    .outgoing(id)
                    .iter()
                    .filter(|(conn, _)| conn.kind.meaning() == Meaning::Route)
                    .count();
                let lambda_targets = design.outgoing(id).iter().any(|(conn, t)| {
                    conn.kind.meaning() == Meaning::Route && t.kind() == K::LambdaFunction
                });
                push(
                    id,
                    ServiceUsage::LoadBalancer(LoadBalancerUsage {
                        kind,
                        hours: None,
                        new_connections_per_s: rps,
                        active_connections_per_min: rps * 60.0,
                        gb_processed_per_hour: flow.bytes.get(id).copied().unwrap_or(0.0) * 3600.0
                            / 1e9,
                        requests_per_s: rps,
                        rules_processed: rules as f64,
                        lambda_targets,
                    }),
                    None,
                );
            }
            Props::EcsService(s) => {
                let Some(task) = design.outgoing(id).into_iter().find_map(|(_, t)| {
                    if let Props::TaskDefinition(td) = &t.props {
                        Some(td)
                    } else {
                        None
                    }
                }) else {
                    continue;
                };
                for (suffix, usage) in
                    crate::rated::observability_usage(c, traffic(rps), assumptions)
                {
                    push(&format!("{id}@{suffix}"), usage, None);
                }
                let tasks = service_tasks(design, id, s, rps);
                let strategy: Vec<(String, u32, u32)> = design
                    .outgoing(id)
                    .into_iter()
                    .filter_map(|(conn, t)| match conn.kind {
                        ConnectionKind::RunsOn { weight, base } => {
                            Some((t.id.clone(), weight, base))
                        }
                        _ => None,
                    })
                    .collect();
                for (cap, share) in split_by_strategy(tasks, &strategy) {
                    let Some(capacity) = design.component(&cap) else {
                        continue;
                    };
                    let spot = capacity.kind() == K::FargateSpot;
                    if matches!(capacity.kind(), K::Fargate | K::FargateSpot) && share > 0.0 {
                        let scaling = if s.autoscaling.is_some() {
                            Scaling::WholeUnits {
                                min: s.min_count.max(1),
                            }
                        } else {
                            Scaling::Fixed
                        };
                        push(
                            &format!("{id}@{cap}"),
                            ServiceUsage::Fargate(fargate_usage(share, task, spot)),
                            Some(scaling),
                        );
                    }
                }
            }
            Props::Ec2AutoScalingGroup(_) | Props::Ec2Instance(_) | Props::EksNodeGroup(_) => {
                if let Props::EksNodeGroup(n) = &c.props
                    && n.autoscaler == archsim_model::component::NodeAutoscaler::Karpenter
                {
                    notes.push(format!(
                        "{id}: the estimate bills the group's own {} {} nodes; the nodes its Karpenter NodePool launches for pods that do not fit depend on the traffic over time, which a simulation's bill measures",
                        n.desired_size.max(n.min_size),
                        n.instance_type
                    ));
                }
                if let Some((usage, scaling)) = instance_usage(&c.props) {
                    push(id, usage, Some(scaling));
                }
            }
            Props::EksCluster(_) | Props::EcrRepository(_) => {
                if let Some(usage) = standing_usage(&c.props) {
                    push(id, usage, None);
                }
            }
            Props::EksWorkload(w) => {
                let profile = design.outgoing(id).into_iter().find(|(conn, t)| {
                    conn.kind.meaning() == Meaning::RunsOn && t.kind() == K::EksFargateProfile
                });
                let size = eks_fargate_pod_size(id, w);
                if let (Some(_), Err(note)) = (&profile, &size) {
                    notes.push(note.clone());
                }
                if let (Some((_, profile)), Ok((cpu_units, memory_mib))) = (profile, size) {
                    let replicas = w.hpa.as_ref().map_or(w.replicas, |h| {
                        h.min_replicas.max(w.replicas.min(h.max_replicas))
                    });
                    // Billed at the Fargate size the pod is given.
                    push(
                        &format!("{id}@{}", profile.id),
                        ServiceUsage::Fargate(FargateUsage {
                            tasks: f64::from(replicas),
                            runs_per_task: 1.0,
                            seconds_per_run: None,
                            vcpu: f64::from(cpu_units) / 1024.0,
                            memory_gb: f64::from(memory_mib) / 1024.0,
                            architecture: Architecture::X86_64,
                            ephemeral_storage_gb: 20.0,
                            spot: false,
                        }),
                        Some(Scaling::WholeUnits {
                            min: replicas.max(1),
                        }),
                    );
                }
            }
            Props::SqsQueue(q) => {
                let batch = poll_batch(&design.outgoing(id));
                // One send per message; one receive and one delete per batch.
                let requests = rps * month_s * (1.0 + 2.0 / batch);
                push(
                    id,
                    ServiceUsage::Sqs(SqsUsage {
                        queue_type: if q.fifo {
                            QueueType::Fifo
                        } else {
                            QueueType::Standard
                        },
                        requests,
                        payload_kb: mean_payload_kb,
                    }),
                    None,
                );
            }
            Props::DynamoDbTable(t) => {
                if t.billing == DynamoDbBilling::Provisioned
                    && (t.read_scaling.is_some() || t.write_scaling.is_some())
                {
                    notes.push(format!(
                        "{id}: auto scaling: the estimate bills the table's configured capacity ({} RCU, {} WCU); a simulation's bill is the capacity auto scaling provisioned",
                        t.read_capacity, t.write_capacity
                    ));
                }
                if let Some(usage) = crate::rated::dynamodb_usage(
                    design,
                    c,
                    flow.writes.get(id).copied().unwrap_or(0.0) * month_s,
                    flow.reads.get(id).copied().unwrap_or(0.0) * month_s,
                ) {
                    push(id, ServiceUsage::DynamoDb(usage), None);
                }
            }
            Props::Secret(s) => {
                let calls = match s.reads {
                    SecretReads::EveryRequest => {
                        (flow.reads.get(id).copied().unwrap_or(0.0)
                            + flow.writes.get(id).copied().unwrap_or(0.0))
                            * month_s
                    }
                    SecretReads::Cached => {
                        cached_secrets.push(c.name.clone());
                        0.0
                    }
                };
                push(id, crate::rated::secret_usage(calls), None);
            }
            Props::S3Bucket(b) => push(
                id,
                ServiceUsage::S3(S3Usage {
                    storage_gb_month: b.stored_gb,
                    put_requests: flow.writes.get(id).copied().unwrap_or(0.0) * month_s,
                    get_requests: flow.reads.get(id).copied().unwrap_or(0.0) * month_s,
                }),
                None,
            ),
            Props::CloudFront(_)
            | Props::Cognito(_)
            | Props::Lex(_)
            | Props::SnsTopic(_)
            | Props::EventBridgeRule(_)
            | Props::EventBus(_)
            | Props::KinesisStream(_)
            | Props::Firehose(_)
            | Props::AuroraServerless(_)
            | Props::Rds(_) => {
                let data = flow.reads.get(id).copied().unwrap_or(0.0)
                    + flow.writes.get(id).copied().unwrap_or(0.0);
                for (usage_id, usage) in
                    crate::rated::rated_usage(design, c, traffic(rps), data, &flow.deliveries)
                {
                    push(&usage_id, usage, None);
                }
            }
            // Billed for the events its filters pass.
            Props::EventBridgePipe(p) => {
                let passed = rps * p.matching_share.clamp(0.0, 1.0);
                for (usage_id, usage) in
                    crate::rated::rated_usage(design, c, traffic(passed), 0.0, &BTreeMap::new())
                {
                    push(&usage_id, usage, None);
                }
            }
            // Priced through the components that use them, free, or not
            // priced: `crate::coverage` says which and why, and the bill
            // lists what it leaves out.
            Props::Client(_)
            | Props::Alexa(_)
            | Props::EcsCluster(_)
            | Props::TaskDefinition(_)
            | Props::Fargate(_)
            | Props::FargateSpot(_)
            | Props::EksFargateProfile(_)
            | Props::ExternalRegistry(_)
            | Props::IamRole(_)
            | Props::VpcEndpoint(_)
            | Props::Generic(_) => {}
        }
    }
    let rate = |id: &str| flow.rate.get(id).copied().unwrap_or(0.0);
    if let Some(usage) =
        crate::rated::network_usage(design, internet_out_rps, &rate, traffic(entry_rps))
    {
        components.push(ComponentUsage {
            component_id: crate::rated::NETWORK_ID.into(),
            usage,
            scaling: None,
        });
    }
    for (component_id, usage) in crate::rated::endpoint_usage(design, &rate, traffic(entry_rps)) {
        components.push(ComponentUsage {
            component_id,
            usage,
            scaling: None,
        });
    }
    let data_rate = |id: &str| {
        flow.reads.get(id).copied().unwrap_or(0.0) + flow.writes.get(id).copied().unwrap_or(0.0)
    };
    for (component_id, usage) in
        crate::rated::profile_usage(design, &rate, &data_rate, traffic(entry_rps))
    {
        components.push(ComponentUsage {
            component_id,
            usage,
            scaling: None,
        });
    }
    notes.extend(crate::rated::notes(design));
    if !cached_secrets.is_empty() {
        notes.push(format!(
            "Secrets Manager: {} read once per execution environment or task launch: those API calls are not in the estimate (a simulated run counts them)",
            cached_secrets.join(", ")
        ));
    }
    notes.push(
        "DynamoDB: each read takes a read unit per 4 KB of its table's item size (counted strongly consistent; an eventually consistent read takes half), each write a write unit per KB (items 1 KB unless the table says otherwise)".into(),
    );
    notes.push("SQS: one send per message, one receive and one delete per batch".into());
    notes.push("load balancers: one new connection per request".into());
    notes
        .push("ECS services on EC2 are priced through their Auto Scaling groups' instances".into());
    Ok(Estimate {
        scenario: scenario.name.clone(),
        entry_requests_per_s: entry_rps,
        rates: flow.rate,
        profile: UsageProfile { components },
        notes,
    })
}

/// The Fargate size (CPU units, MiB) EKS workload `id`'s pods are billed
/// at on a Fargate profile (`catalog::eks_fargate_pod_size`: the requests
/// plus 256 MiB for the Kubernetes components, rounded up to a
/// configuration), or, when no configuration holds them, the note that
/// says they are not priced: one wording for the estimate and the
/// measured bill.
pub(crate) fn eks_fargate_pod_size(id: &str, w: &EksWorkloadProps) -> Result<(u32, u32), String> {
    archsim_model::catalog::eks_fargate_pod_size(w.cpu_request_millicores, w.memory_request_mb)
        .ok_or_else(|| {
            format!(
                "{id}: its pods ({} m CPU, {} MiB requested, plus 256 MiB for the Kubernetes components) are larger than any Fargate configuration: not priced",
                w.cpu_request_millicores, w.memory_request_mb
            )
        })
}

/// The instances an EC2 capacity component runs as the design sizes it
/// (desired count), and how they follow traffic on a cost curve.
pub(crate) fn instance_usage(props: &Props) -> Option<(ServiceUsage, Scaling)> {
    let (instance_type, instances, scaling) = match props {
        Props::Ec2AutoScalingGroup(a) => (
            &a.instance_type,
            a.desired_capacity.max(a.min_size),
            Scaling::WholeUnits {
                min: a.min_size.max(1),
            },
        ),
        Props::Ec2Instance(i) => (&i.instance_type, i.count, Scaling::Fixed),
        Props::EksNodeGroup(n) => (
            &n.instance_type,
            n.desired_size.max(n.min_size),
            Scaling::WholeUnits {
                min: n.min_size.max(1),
            },
        ),
        _ => return None,
    };
    Some((
        ServiceUsage::Ec2(Ec2Usage {
            instance_type: instance_type.clone(),
            instances: f64::from(instances),
            hours_per_instance: None,
        }),
        scaling,
    ))
}

/// What a component costs whatever the traffic: an EKS control plane, the
/// images an ECR repository stores.
pub(crate) fn standing_usage(props: &Props) -> Option<ServiceUsage> {
    match props {
        Props::EksCluster(e) => Some(ServiceUsage::Eks(EksUsage {
            clusters: 1.0,
            hours: None,
            support: match e.support {
                archsim_model::component::EksSupport::Standard => EksSupport::Standard,
                archsim_model::component::EksSupport::Extended => EksSupport::Extended,
            },
        })),
        Props::EcrRepository(r) => Some(ServiceUsage::Ecr(EcrUsage {
            storage_gb_month: r.stored_gb,
        })),
        // Priced by traffic (estimate, measured), through other
        // components, free, or not priced (`crate::coverage`).
        Props::Client(_)
        | Props::ApiGateway(_)
        | Props::CloudFront(_)
        | Props::Alb(_)
        | Props::Nlb(_)
        | Props::Clb(_)
        | Props::Cognito(_)
        | Props::Lex(_)
        | Props::Alexa(_)
        | Props::S3Bucket(_)
        | Props::SqsQueue(_)
        | Props::SnsTopic(_)
        | Props::EventBridgeRule(_)
        | Props::EventBus(_)
        | Props::EventBridgePipe(_)
        | Props::KinesisStream(_)
        | Props::Firehose(_)
        | Props::DynamoDbTable(_)
        | Props::AuroraServerless(_)
        | Props::Rds(_)
        | Props::LambdaFunction(_)
        | Props::StepFunctions(_)
        | Props::Ec2Instance(_)
        | Props::EcsCluster(_)
        | Props::EcsService(_)
        | Props::TaskDefinition(_)
        | Props::Fargate(_)
        | Props::FargateSpot(_)
        | Props::Ec2AutoScalingGroup(_)
        | Props::EksNodeGroup(_)
        | Props::EksFargateProfile(_)
        | Props::EksWorkload(_)
        | Props::ExternalRegistry(_)
        | Props::IamRole(_)
        | Props::VpcEndpoint(_)
        | Props::Secret(_)
        | Props::Generic(_) => None,
    }
}

/// How the bill prices a load balancer, estimated or measured: ALB and
/// NLB by their LCUs, the Classic Load Balancer by hours and GB.
pub(crate) fn load_balancer_kind(kind: K) -> Option<LoadBalancerKind> {
    match kind {
        K::Alb => Some(LoadBalancerKind::Alb),
        K::Nlb => Some(LoadBalancerKind::Nlb),
        K::Clb => Some(LoadBalancerKind::Clb),
        K::Client
        | K::ApiGateway
        | K::CloudFront
        | K::Cognito
        | K::Lex
        | K::Alexa
        | K::S3Bucket
        | K::SqsQueue
        | K::SnsTopic
        | K::EventBridgeRule
        | K::EventBus
        | K::EventBridgePipe
        | K::KinesisStream
        | K::Firehose
        | K::DynamoDbTable
        | K::AuroraServerless
        | K::Rds
        | K::LambdaFunction
        | K::StepFunctions
        | K::Ec2Instance
        | K::EcsCluster
        | K::EcsService
        | K::TaskDefinition
        | K::Fargate
        | K::FargateSpot
        | K::Ec2AutoScalingGroup
        | K::EksCluster
        | K::EksNodeGroup
        | K::EksFargateProfile
        | K::EksWorkload
        | K::EcrRepository
        | K::ExternalRegistry
        | K::IamRole
        | K::VpcEndpoint
        | K::Secret
        | K::Generic => None,
    }
}

/// The break-even workload of one Lambda function of the design.
pub fn lambda_workload(design: &Design, id: &str) -> Option<crate::curves::Workload> {
    let c = design.component(id)?;
    let Props::LambdaFunction(l) = &c.props else {
        return None;
    };
    let duration = lambda_duration_ms(design, id, l, 0);
    Some(crate::curves::Workload {
        duration_ms: duration,
        // On a container's full vCPU the CPU-bound share runs at 1 vCPU speed.
        cpu_ms_per_request: l.work.duration.mean_ms() * l.work.cpu_share,
        memory_mb: l.memory_mb,
        architecture: arch(l.architecture),
    })
}

/// The Power Tuning input of one Lambda function of the design.
pub fn lambda_power_tuning(design: &Design, id: &str) -> Option<crate::curves::PowerTuningInput> {
    let c = design.component(id)?;
    let Props::LambdaFunction(l) = &c.props else {
        return None;
    };
    Some(crate::curves::PowerTuningInput {
        reference_memory_mb: l.memory_mb,
        reference_duration_ms: handler_ms(&l.work, l.memory_mb),
        cpu_bound_fraction: l.work.cpu_share,
        architecture: arch(l.architecture),
        memory_sizes_mb: crate::curves::PowerTuningInput::default_memory_sizes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::component::Distribution;
    use archsim_model::starters::starter;

    fn example(name: &str) -> Design {
        starter(name).unwrap().build().unwrap()
    }

    #[test]
    fn mean_rates_of_patterns() {
        let step = TrafficPattern::Step {
            from_rps: 10.0,
            to_rps: 500.0,
            at_s: 120.0,
        };
        assert!(
            (mean_rate(&step, 600.0).unwrap() - (10.0 * 120.0 + 500.0 * 480.0) / 600.0).abs()
                < 1e-9
        );
        let spike = TrafficPattern::Spike {
            base_rps: 100.0,
            peak_rps: 600.0,
            at_s: 600.0,
            duration_s: 300.0,
        };
        assert!(
            (mean_rate(&spike, 1800.0).unwrap() - (100.0 + 500.0 * 300.0 / 1800.0)).abs() < 1e-9
        );
        let ramp = TrafficPattern::Ramp {
            from_rps: 100.0,
            to_rps: 800.0,
        };
        assert_eq!(mean_rate(&ramp, 10.0), Some(450.0));
    }

    #[test]
    fn alb_routes_each_request_by_path() {
        let d = example("alb-fargate");
        let s = pick_scenario(&d, None).unwrap();
        let e = estimate_usage(&d, s, &Assumptions::default()).unwrap();
        let orders_rps = 100.0 + 500.0 * 300.0 / 1800.0;
        assert!(
            (e.rates["orders-svc"] - orders_rps).abs() < 1e-9,
            "{:?}",
            e.rates
        );
        assert!((e.rates["users-svc"] - 50.0).abs() < 1e-9);
        assert!((e.rates["alb"] - (orders_rps + 50.0)).abs() < 1e-9);
    }

    #[test]
    fn lambda_usage_adds_downstream_latency_and_scales_cpu_with_memory() {
        let d = example("serverless-api");
        let s = pick_scenario(&d, Some("daily-cycle")).unwrap();
        let a = Assumptions::default();
        let e = estimate_usage(&d, s, &a).unwrap();
        let usage = e
            .profile
            .components
            .iter()
            .find(|c| c.component_id == "orders-fn")
            .unwrap();
        let ServiceUsage::Lambda(l) = &usage.usage else {
            panic!()
        };
        // 40 ms handler, 30% CPU-bound at 1,024 MB (1769/1024 slower), + 5 ms DynamoDB.
        let expected = 40.0 * (0.3 * 1769.0 / 1024.0 + 0.7) + 5.0;
        assert!((l.duration_ms - expected).abs() < 1e-9, "{}", l.duration_ms);
        assert!((l.requests - 50.0 * a.month_hours * 3600.0).abs() < 1e-6);
        assert_eq!(l.architecture, Architecture::Arm64);
    }

    /// The serverless API with a Lambda authorizer instead of its user
    /// pool, caching answers for `ttl_s` over `callers` callers.
    fn lambda_authorized(ttl_s: u32, callers: u32) -> Design {
        use archsim_model::{Component, Connection, Editor, Op};
        let mut e = Editor::new(example("serverless-api"));
        for op in [
            Op::Disconnect {
                id: "users--api".into(),
            },
            Op::AddComponent {
                component: Component::new("authz", "Authorizer", K::LambdaFunction),
            },
            Op::Connect {
                connection: Connection::new(
                    "authz--api",
                    "authz",
                    "api",
                    Meaning::Authorizes.default_kind(),
                ),
            },
            Op::SetProperty {
                id: "api".into(),
                path: "lambda_authorizer".into(),
                value: serde_json::json!({"result_ttl_s": ttl_s, "callers": callers}),
            },
            // An answer takes 100 ms.
            Op::SetProperty {
                id: "authz".into(),
                path: "memory_mb".into(),
                value: serde_json::json!(1769),
            },
            Op::SetProperty {
                id: "authz".into(),
                path: "work".into(),
                value: serde_json::json!({"duration": {"type": "constant", "ms": 100.0}, "cpu_share": 0.0}),
            },
        ] {
            e.apply(op).unwrap();
        }
        e.into_design()
    }

    /// The authorizer is billed for the requests its cache does not
    /// answer: all of them with no cache; with one, per caller and cycle
    /// (the fetch, the TTL, the wait for the caller's next request) the
    /// request that missed and those that came during the fetch.
    #[test]
    fn a_lambda_authorizer_is_billed_for_the_requests_its_cache_misses() {
        let a = Assumptions::default();
        let month_s = a.month_hours * 3600.0;
        let billed = |d: &Design| {
            let s = pick_scenario(d, Some("daily-cycle")).unwrap();
            let e = estimate_usage(d, s, &a).unwrap();
            let usage = e
                .profile
                .components
                .iter()
                .find(|c| c.component_id == "authz")
                .map(|c| c.usage.clone());
            let Some(ServiceUsage::Lambda(l)) = usage else {
                panic!("the authorizer is on the bill")
            };
            (e.rates["api"], l.requests)
        };
        let (api_rps, requests) = billed(&lambda_authorized(0, 100));
        assert!((api_rps - 50.0).abs() < 1e-9);
        assert!((requests - api_rps * month_s).abs() < 1e-6);
        // 100 callers at 50 rps (0.5 each), 300 s, 0.1 s per answer: per
        // caller 1 + 0.5 x 0.1 invocations every 0.1 + 300 + 2 s.
        let (_, requests) = billed(&lambda_authorized(300, 100));
        let expected = 100.0 * (1.0 + 0.5 * 0.1) / (0.1 + 300.0 + 2.0) * month_s;
        assert!((requests - expected).abs() < 1e-6, "{requests} {expected}");
        assert!(requests < api_rps * month_s / 100.0);
    }

    #[test]
    fn pollers_batch_invocations_and_queue_requests() {
        let d = example("queue-worker");
        let s = pick_scenario(&d, None).unwrap();
        let e = estimate_usage(&d, s, &Assumptions::default()).unwrap();
        let rps = e.entry_requests_per_s;
        assert!((e.rates["jobs"] - rps).abs() < 1e-9);
        assert!((e.rates["audit"] - rps).abs() < 1e-9);
        let sqs = e
            .profile
            .components
            .iter()
            .find(|c| c.component_id == "jobs")
            .unwrap();
        let ServiceUsage::Sqs(q) = &sqs.usage else {
            panic!()
        };
        // Batch size 1: send + receive + delete per message.
        assert!((q.requests - 3.0 * rps * 730.0 * 3600.0).abs() < 1e-3);
    }

    #[test]
    fn capacity_strategy_splits_base_then_weights() {
        let split = split_by_strategy(9.0, &[("fargate".into(), 1, 1), ("spot".into(), 3, 0)]);
        assert_eq!(
            split,
            vec![("fargate".to_string(), 3.0), ("spot".to_string(), 6.0)]
        );
    }

    #[test]
    fn unknown_scenario_names_the_known_ones() {
        let d = example("serverless-api");
        let err = pick_scenario(&d, Some("nope")).unwrap_err().to_string();
        assert!(
            err.contains("launch-day") && err.contains("daily-cycle"),
            "{err}"
        );
        let blank = example("blank");
        assert!(
            pick_scenario(&blank, None)
                .unwrap_err()
                .to_string()
                .contains("--usage")
        );
    }

    #[test]
    fn every_example_estimates_and_prices() {
        let book = crate::PriceBook::default_book().unwrap();
        for s in archsim_model::starters::STARTERS
            .iter()
            .filter(|s| s.name != "blank")
        {
            let d = s.build().unwrap();
            let scenario = pick_scenario(&d, None).unwrap();
            let e = estimate_usage(&d, scenario, &Assumptions::default()).unwrap();
            let report = crate::monthly_cost(&book, &e.profile, &Assumptions::default())
                .unwrap_or_else(|err| panic!("{}: {err}", s.name));
            assert!(report.total_usd > crate::Decimal::ZERO, "{}", s.name);
        }
    }

    #[test]
    fn distribution_means_feed_the_estimate() {
        let w = Work {
            duration: Distribution::Constant { ms: 100.0 },
            cpu_share: 1.0,
        };
        assert!((handler_ms(&w, 1769) - 100.0).abs() < 1e-9);
        assert!(
            (handler_ms(&w, 3538) - 100.0).abs() < 1e-9,
            "no speed-up above 1 vCPU"
        );
        assert!((handler_ms(&w, 128) - 100.0 * 1769.0 / 128.0).abs() < 1e-9);
    }
}
