//! What the UI reads of the simulator while a run is live: the app's own
//! copies of archsim-sim's live frame, task placement, 1 s series and
//! request traces. They are the wire types (their JSON is what `archsim
//! serve` and the desktop shell answer, their TypeScript is generated from
//! here), so the simulator stays free of serialisation for faces. Field
//! names, order and doc comments are the UI's contract: the generated
//! files in `ui/src/generated` must not change when these do not.

use serde::Serialize;

#[cfg(feature = "ts")]
use ts_rs::TS;

// Counters since the start of the run and gauges now, for one component.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
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
    /// A function's execution environments alive now (busy and idle).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub environments: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub queue_depth: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tasks: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub instances: u64,
    /// 99th percentile latency of the requests completed so far, ms.
    pub p99_ms: f64,
}

impl From<archsim_sim::FrameComponent> for FrameComponent {
    fn from(c: archsim_sim::FrameComponent) -> Self {
        Self {
            id: c.id,
            requests: c.requests,
            completed: c.completed,
            errors: c.errors,
            throttled: c.throttled,
            cold_starts: c.cold_starts,
            concurrency: c.concurrency,
            environments: c.environments,
            queue_depth: c.queue_depth,
            tasks: c.tasks,
            instances: c.instances,
            p99_ms: c.p99_ms,
        }
    }
}

/// 1 s time series, one value per second of simulated time. Counters
/// count events in the second; gauges are sampled at its end.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
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

impl From<archsim_sim::Series> for Series {
    fn from(s: archsim_sim::Series) -> Self {
        Self {
            arrivals: s.arrivals,
            completions: s.completions,
            errors: s.errors,
            throttles: s.throttles,
            cold_starts: s.cold_starts,
            concurrency: s.concurrency,
            tasks: s.tasks,
            queue_depth: s.queue_depth,
            instances: s.instances,
            environments: s.environments,
        }
    }
}

/// An X-Ray-like sampled request: one segment per component it visited.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct RequestTrace {
    pub entry: String,
    pub start_s: f64,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
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

impl From<&archsim_sim::RequestTrace> for RequestTrace {
    fn from(t: &archsim_sim::RequestTrace) -> Self {
        Self {
            entry: t.entry.clone(),
            start_s: t.start_s,
            segments: t
                .segments
                .iter()
                .map(|s| Segment {
                    component: s.component.clone(),
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                    queued_ms: s.queued_ms,
                    init_ms: s.init_ms,
                    outcome: s.outcome.clone(),
                })
                .collect(),
        }
    }
}

/// Where every task is now, for the live placement view: EC2 capacity
/// with each instance's CPU and memory filled by its tasks, and every
/// service's tasks (Fargate ones included) with their state.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct PlacementNow {
    pub at_s: f64,
    pub capacities: Vec<CapacityNow>,
    pub services: Vec<ServiceTasksNow>,
}

/// One EC2 capacity provider (an Auto Scaling group or node group).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CapacityNow {
    pub capacity: String,
    /// The component's kind: `ec2_capacity` (ECS) or `eks_node_group`.
    pub kind: String,
    pub instance_type: String,
    /// Per instance, what tasks (pods) can take: CPU units (1024 per
    /// vCPU) for ECS, millicores for EKS nodes, and memory, MiB.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cpu_units: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub memory_mb: u64,
    pub instances: Vec<InstanceNow>,
    /// Instances launched but not yet in service.
    pub launching: u32,
    /// Tasks waiting for an instance (PROVISIONING).
    pub waiting_tasks: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct InstanceNow {
    pub instance: String,
    pub zone: String,
    /// Its type: the group's, or the one a Karpenter NodePool chose.
    pub instance_type: String,
    /// What tasks (pods) can take on it, in the capacity's units.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cpu_units: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub memory_mb: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cpu_used: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub memory_used: u64,
    /// Task ids placed there (`service#n`).
    pub tasks: Vec<String>,
}

/// The tasks (or pods) of one service or workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ServiceTasksNow {
    pub service: String,
    pub desired: u32,
    pub tasks: Vec<TaskNow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
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

impl From<archsim_sim::PlacementNow> for PlacementNow {
    fn from(p: archsim_sim::PlacementNow) -> Self {
        Self {
            at_s: p.at_s,
            capacities: p
                .capacities
                .into_iter()
                .map(|c| CapacityNow {
                    capacity: c.capacity,
                    kind: c.kind,
                    instance_type: c.instance_type,
                    cpu_units: c.cpu_units,
                    memory_mb: c.memory_mb,
                    instances: c
                        .instances
                        .into_iter()
                        .map(|i| InstanceNow {
                            instance: i.instance,
                            zone: i.zone,
                            instance_type: i.instance_type,
                            cpu_units: i.cpu_units,
                            memory_mb: i.memory_mb,
                            cpu_used: i.cpu_used,
                            memory_used: i.memory_used,
                            tasks: i.tasks,
                        })
                        .collect(),
                    launching: c.launching,
                    waiting_tasks: c.waiting_tasks,
                })
                .collect(),
            services: p
                .services
                .into_iter()
                .map(|s| ServiceTasksNow {
                    service: s.service,
                    desired: s.desired,
                    tasks: s
                        .tasks
                        .into_iter()
                        .map(|t| TaskNow {
                            id: t.id,
                            state: t.state,
                            capacity_kind: t.capacity_kind,
                            capacity: t.capacity,
                            zone: t.zone,
                            instance: t.instance,
                            busy: t.busy,
                            served: t.served,
                            serving_since_s: t.serving_since_s,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// One deployment of the live run now (a scenario's or an injected
/// `deploy`): the new version's share and each version's health so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct DeploymentNow {
    pub component: String,
    /// The version deployed: 2 for a component's first deployment of the
    /// run (the design's own is 1), 3 for its second, ...
    pub version: u32,
    /// The deployment configuration (`Canary10Percent5Minutes`, ...).
    pub strategy: String,
    pub outcome: DeploymentOutcome,
    /// The new version's share now, percent: of the traffic (a function,
    /// a blue/green service), or of the serving tasks (a rolling update);
    /// 0 after a rollback.
    pub percent: u32,
    /// The old version, then the new one, since the deployment started.
    pub versions: [VersionNow; 2],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum DeploymentOutcome {
    Succeeded,
    RolledBack,
    /// Stopped without a rollback (an ECS circuit breaker with rollback
    /// off).
    Failed,
    InProgress,
}

/// One version's requests and errors so far in a deployment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct VersionNow {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub requests: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub errors: u64,
}

impl From<archsim_sim::DeploymentNow> for DeploymentNow {
    fn from(d: archsim_sim::DeploymentNow) -> Self {
        Self {
            component: d.component,
            version: d.version,
            strategy: d.strategy,
            outcome: match d.outcome {
                archsim_sim::DeploymentOutcome::Succeeded => DeploymentOutcome::Succeeded,
                archsim_sim::DeploymentOutcome::RolledBack => DeploymentOutcome::RolledBack,
                archsim_sim::DeploymentOutcome::Failed => DeploymentOutcome::Failed,
                archsim_sim::DeploymentOutcome::InProgress => DeploymentOutcome::InProgress,
            },
            percent: d.percent,
            versions: d.versions.map(|v| VersionNow {
                requests: v.requests,
                errors: v.errors,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::starters::starter;

    fn json<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }

    /// The UI receives the same JSON as when it read the simulator's own
    /// types: every field, in the same order, with the same values.
    #[test]
    fn the_wire_types_serialise_as_the_simulators_do() {
        for name in ["ecs-ec2-placement", "serverless-api", "queue-worker"] {
            let design = starter(name).unwrap().build().unwrap();
            let scenario = design.scenarios[0].clone();
            let opts = archsim_sim::RunOptions::default();
            let mut sim = archsim_sim::prepare(&design, &scenario, &opts).unwrap();
            sim.run_until(300.0);
            let frame = sim.frame();
            assert!(!frame.components.is_empty());
            for c in &frame.components {
                assert_eq!(json(c), json(&FrameComponent::from(c.clone())), "{name}");
            }
            let placement = PlacementNow::from(frame.placement.clone());
            assert_eq!(json(&frame.placement), json(&placement), "{name}");
            for s in sim.all_series() {
                assert_eq!(json(s), json(&Series::from(s.clone())), "{name}");
            }
            for t in sim.traces() {
                assert_eq!(json(t), json(&RequestTrace::from(t)), "{name}");
            }
            for d in sim.deployments_now() {
                assert_eq!(json(&d), json(&DeploymentNow::from(d.clone())), "{name}");
            }
            if name == "ecs-ec2-placement" {
                assert!(!placement.capacities.is_empty() && !placement.services.is_empty());
            } else {
                assert!(!sim.traces().is_empty(), "{name}");
            }
        }
    }
}
